// Test support for LPIs and the ITS: an ArmGicV3 with fake CPUs and an ArmGicV3Its on a FakeMachine with 16 MiB of
// RAM, a fixed memory layout for the LPI and ITS tables, and an ItsCommandBuilder that encodes commands from the
// architecture's field positions (IHI 0069 6.3), written out independently of the model.
using System;
using Antmicro.Renode.Peripherals.IRQControllers;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests.Its
{
    /// <summary>ITS commands, encoded as four doublewords.</summary>
    public static class ItsCommandBuilder
    {
        public const byte MOVI = 0x01, INT = 0x03, CLEAR = 0x04, SYNC = 0x05, MAPD = 0x08, MAPC = 0x09, MAPTI = 0x0A, MAPI = 0x0B,
            INV = 0x0C, INVALL = 0x0D, MOVALL = 0x0E, DISCARD = 0x0F;

        public static ulong[] Mapd(uint deviceId, int eventIdBits, ulong ittAddress, bool valid = true) =>
            new[] { MAPD | ((ulong)deviceId << 32), (ulong)((eventIdBits - 1) & 0x1F), (ittAddress & 0x000F_FFFF_FFFF_FF00UL) | (valid ? 1UL << 63 : 0), 0UL };

        public static ulong[] Mapc(uint icid, ulong processor, bool valid = true) =>
            new[] { (ulong)MAPC, 0UL, icid | (processor << 16) | (valid ? 1UL << 63 : 0), 0UL };

        public static ulong[] Mapti(uint deviceId, uint eventId, uint intid, uint icid) =>
            new[] { MAPTI | ((ulong)deviceId << 32), eventId | ((ulong)intid << 32), (ulong)icid, 0UL };

        public static ulong[] Mapi(uint deviceId, uint eventId, uint icid) =>
            new[] { MAPI | ((ulong)deviceId << 32), (ulong)eventId, (ulong)icid, 0UL };

        public static ulong[] Int(uint deviceId, uint eventId) => DeviceEvent(INT, deviceId, eventId);

        public static ulong[] Clear(uint deviceId, uint eventId) => DeviceEvent(CLEAR, deviceId, eventId);

        public static ulong[] Discard(uint deviceId, uint eventId) => DeviceEvent(DISCARD, deviceId, eventId);

        public static ulong[] Inv(uint deviceId, uint eventId) => DeviceEvent(INV, deviceId, eventId);

        public static ulong[] Movi(uint deviceId, uint eventId, uint icid) =>
            new[] { MOVI | ((ulong)deviceId << 32), (ulong)eventId, (ulong)icid, 0UL };

        public static ulong[] Invall(uint icid) => new[] { (ulong)INVALL, 0UL, (ulong)icid, 0UL };

        public static ulong[] Sync(ulong processor) => new[] { (ulong)SYNC, 0UL, processor << 16, 0UL };

        public static ulong[] Movall(ulong from, ulong to) => new[] { (ulong)MOVALL, 0UL, from << 16, to << 16 };

        public static ulong[] Raw(byte opcode, ulong dw0 = 0, ulong dw1 = 0, ulong dw2 = 0, ulong dw3 = 0) => new[] { opcode | (dw0 & ~0xFFUL), dw1, dw2, dw3 };

        private static ulong[] DeviceEvent(byte opcode, uint deviceId, uint eventId) =>
            new[] { opcode | ((ulong)deviceId << 32), (ulong)eventId, 0UL, 0UL };
    }

    public sealed class ItsHarness : IDisposable
    {
        public const ulong RamBase = 0x4000_0000;
        public const ulong PropertyTable = RamBase + 0x10_0000;
        public const ulong PendingTables = RamBase + 0x20_0000; // + cpu * 0x10000
        public const ulong CommandQueue = RamBase + 0x30_0000;
        public const ulong DeviceTableBase = RamBase + 0x40_0000;
        public const ulong CollectionTableBase = RamBase + 0x50_0000;
        public const ulong IttBase = RamBase + 0x60_0000; // + device * 0x1000
        public const ulong Level2Pages = RamBase + 0x80_0000;

        public const long GITS_CTLR = 0x0, GITS_IIDR = 0x4, GITS_TYPER = 0x8, GITS_CBASER = 0x80, GITS_CWRITER = 0x88, GITS_CREADR = 0x90,
            GITS_BASER0 = 0x100, GITS_TRANSLATER = 0x10040;

        public const long GICR_CTLR = 0x0, GICR_TYPER = 0x8, GICR_SETLPIR = 0x40, GICR_CLRLPIR = 0x48, GICR_PROPBASER = 0x70,
            GICR_PENDBASER = 0x78, GICR_INVLPIR = 0xA0, GICR_INVALLR = 0xB0, GICR_SYNCR = 0xC0;

        public ItsHarness(int cpuCount = 2, bool directLpi = false, int lpiIdBits = 16, int deviceIdBits = 16, int eventIdBits = 16,
            int collectionIdBits = 16, bool createIts = true)
        {
            Log = new LogCapture();
            Machine = new FakeMachine(RamBase, 16 << 20);
            Gic = new ArmGicV3(Machine, 224, 0x20000, false, 3, 5, 8, lpiIdBits, directLpi);
            Irq = new LineProbe[8];
            for(var n = 0; n < 8; n++)
            {
                Irq[n] = new LineProbe();
                Gic.Connections[n * 4].Connect(Irq[n], 0);
            }
            Cpus = new FakeGicCpu[cpuCount];
            for(var n = 0; n < cpuCount; n++)
            {
                Cpus[n] = FakeGicCpu.ForProcessor(n);
                Gic.AttachCpu(n, Cpus[n]);
            }
            if(createIts)
            {
                Its = new ArmGicV3Its(Machine, Gic, deviceIdBits, eventIdBits, collectionIdBits);
            }
            // GIC bring-up: Group 1 enabled, redistributors awake, PMR open, Group 1 enabled in the CPU interfaces.
            Gic.WriteDoubleWordToDistributor(0, 0x2);
            for(var n = 0; n < cpuCount; n++)
            {
                WriteGicr(n, 0x14, 0);
                WriteSys(n, Sys.ICC_PMR_EL1, 0xFF);
                WriteSys(n, Sys.ICC_IGRPEN1_EL1, 1);
            }
        }

        public FakeMachine Machine { get; }

        public FakeBus Bus => Machine.Bus;

        public ArmGicV3 Gic { get; }

        public ArmGicV3Its Its { get; } = null!;

        public FakeGicCpu[] Cpus { get; }

        public LineProbe[] Irq { get; }

        public LogCapture Log { get; }

        public static ulong PendingTableOf(int cpu) => PendingTables + (ulong)cpu * 0x10000;

        public static ulong IttOf(uint device) => IttBase + device * 0x1000UL;

        // ---- Redistributor / CPU interface ----

        public ulong ReadGicr(int cpu, long offset) => Gic.ReadQuadWordFromRedistributor(cpu * 0x20000L + offset);

        public uint ReadGicr32(int cpu, long offset) => Gic.ReadDoubleWordFromRedistributor(cpu * 0x20000L + offset);

        public void WriteGicr(int cpu, long offset, uint value) => Gic.WriteDoubleWordToRedistributor(cpu * 0x20000L + offset, value);

        public void WriteGicrQuad(int cpu, long offset, ulong value) => Gic.WriteQuadWordToRedistributor(cpu * 0x20000L + offset, value);

        public ulong ReadSys(int cpu, uint encoding)
        {
            if(!Gic.TryReadSystemRegister(cpu, encoding, out var value))
            {
                throw new InvalidOperationException($"System register 0x{encoding:X} read was UNDEFINED on cpu{cpu}.");
            }
            return value;
        }

        public void WriteSys(int cpu, uint encoding, ulong value)
        {
            if(!Gic.TryWriteSystemRegister(cpu, encoding, value))
            {
                throw new InvalidOperationException($"System register 0x{encoding:X} write was UNDEFINED on cpu{cpu}.");
            }
        }

        /// <summary>ICC_IAR1_EL1 followed by ICC_EOIR1_EL1 when an interrupt was acknowledged; returns the INTID (1023 if none).</summary>
        public int AcknowledgeAndEnd(int cpu)
        {
            var intid = (int)ReadSys(cpu, Sys.ICC_IAR1_EL1);
            if(intid < 1020 || intid >= 8192)
            {
                WriteSys(cpu, Sys.ICC_EOIR1_EL1, (ulong)intid);
            }
            return intid;
        }

        public int Hppir(int cpu) => (int)ReadSys(cpu, Sys.ICC_HPPIR1_EL1);

        // ---- LPI tables ----

        /// <summary>Writes the configuration byte of an LPI (priority[7:2], enable[0]) into the property table.</summary>
        public void SetLpiConfiguration(int intid, byte priority, bool enabled = true)
        {
            Bus.WriteByte(PropertyTable + (ulong)(intid - 8192), (byte)((priority & 0xFC) | (enabled ? 1 : 0)));
        }

        /// <summary>Programs PROPBASER/PENDBASER of a CPU and sets GICR_CTLR.EnableLPIs.</summary>
        public void EnableLpis(int cpu, int idBits = 16, bool pendingTableZero = true)
        {
            WriteGicrQuad(cpu, GICR_PROPBASER, PropertyTable | (ulong)(idBits - 1));
            WriteGicrQuad(cpu, GICR_PENDBASER, PendingTableOf(cpu) | (pendingTableZero ? 1UL << 62 : 0));
            WriteGicr(cpu, GICR_CTLR, ReadGicr32(cpu, GICR_CTLR) | 1);
        }

        public void EnableLpisEverywhere()
        {
            for(var n = 0; n < Cpus.Length; n++)
            {
                EnableLpis(n);
            }
        }

        // ---- ITS ----

        public ulong ReadIts(long offset) => Its.ReadQuadWord(offset);

        public void WriteIts(long offset, ulong value) => Its.WriteQuadWord(offset, value);

        /// <summary>Device table (BASER0) and Collection table (BASER1), flat unless told, 64 KiB pages; then CBASER (4 KiB queue) and Enabled.</summary>
        public void SetUpIts(bool twoLevelDevices = false, bool twoLevelCollections = false, int pageSizeCode = 2, int queuePages = 1, bool enable = true)
        {
            WriteIts(GITS_BASER0, Baser(DeviceTableBase, pageSizeCode, pages: 1, indirect: twoLevelDevices));
            WriteIts(GITS_BASER0 + 8, Baser(CollectionTableBase, pageSizeCode, pages: 1, indirect: twoLevelCollections));
            WriteIts(GITS_CBASER, (1UL << 63) | CommandQueue | (uint)(queuePages - 1));
            WriteIts(GITS_CWRITER, 0);
            if(enable)
            {
                Its.WriteDoubleWord(GITS_CTLR, 1);
            }
        }

        public static ulong Baser(ulong address, int pageSizeCode, int pages, bool indirect = false, bool valid = true)
        {
            var value = (valid ? 1UL << 63 : 0) | (indirect ? 1UL << 62 : 0) | ((ulong)(uint)pageSizeCode << 8) | (uint)(pages - 1);
            if(pageSizeCode >= 2)
            {
                value |= (address & 0x0000_FFFF_FFFF_0000UL) | (((address >> 48) & 0xF) << 12);
            }
            else
            {
                value |= address & 0x0000_FFFF_FFFF_F000UL;
            }
            return value;
        }

        /// <summary>Queues commands at GITS_CWRITER (wrapping at the queue size) and writes GITS_CWRITER once.</summary>
        public void Commands(params ulong[][] commands)
        {
            var queueSize = ((ReadIts(GITS_CBASER) & 0xFF) + 1) * 0x1000;
            var writer = ReadIts(GITS_CWRITER) & 0xF_FFE0;
            foreach(var command in commands)
            {
                for(var i = 0; i < 4; i++)
                {
                    Bus.WriteQuadWord(CommandQueue + writer + (ulong)(8 * i), command[i]);
                }
                writer = (writer + 32) % queueSize;
            }
            WriteIts(GITS_CWRITER, writer);
        }

        public ulong CommandReader => ReadIts(GITS_CREADR);

        /// <summary>Maps device 0..: MAPD (ITT at IttOf), MAPC icid -> processor, MAPTI (device, event) -> intid.</summary>
        public void MapEvent(uint device, uint eventId, int intid, uint icid = 0, int processor = 0, int eventIdBits = 8)
        {
            Commands(ItsCommandBuilder.Mapd(device, eventIdBits, IttOf(device)), ItsCommandBuilder.Mapc(icid, (ulong)processor),
                ItsCommandBuilder.Mapti(device, eventId, (uint)intid, icid));
        }

        public void Dispose()
        {
            Log.Dispose();
        }
    }
}
