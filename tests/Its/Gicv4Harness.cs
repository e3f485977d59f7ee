// Test support for GICv4.0: an ArmGicV3 with architectureRevision = 4 (redistributor stride 0x40000, VLPI_base
// frames), fake CPUs that sit at EL2 (the hypervisor) and step down to EL1 with HCR_EL2.IMO/FMO for guest
// accesses (ICC_* -> ICV_*), one or more ArmGicV3Its with virtual support, and a fixed memory layout for the
// physical and virtual LPI tables, the ITS tables and the command queues. V-commands are encoded from the
// architecture's field positions (IHI 0069 6.3), written out independently of the model.
using System;
using System.Collections.Generic;
using Antmicro.Renode.Peripherals.IRQControllers;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests.Its
{
    /// <summary>GICv4.0 ITS commands, encoded as four doublewords.</summary>
    public static class VCommandBuilder
    {
        public const byte VMOVI = 0x21, VMOVP = 0x22, VSYNC = 0x25, VMAPP = 0x29, VMAPTI = 0x2A, VMAPI = 0x2B, VINVALL = 0x2D;
        public const uint NoDoorbell = 1023;

        public static ulong[] Vmapp(uint vpeId, ulong processor, ulong vptAddress, int vptIdBits, bool valid = true) =>
            new[] { (ulong)VMAPP, (ulong)vpeId << 32, (processor << 16) | (valid ? 1UL << 63 : 0), (vptAddress & 0x000F_FFFF_FFFF_0000UL) | (uint)((vptIdBits - 1) & 0x1F) };

        public static ulong[] Vmapti(uint deviceId, uint eventId, uint vpeId, uint vintid, uint doorbell = NoDoorbell) =>
            new[] { VMAPTI | ((ulong)deviceId << 32), eventId | ((ulong)vpeId << 32), vintid | ((ulong)doorbell << 32), 0UL };

        public static ulong[] Vmapi(uint deviceId, uint eventId, uint vpeId, uint doorbell = NoDoorbell) =>
            new[] { VMAPI | ((ulong)deviceId << 32), eventId | ((ulong)vpeId << 32), (ulong)doorbell << 32, 0UL };

        public static ulong[] Vmovi(uint deviceId, uint eventId, uint vpeId, uint? doorbell = null) =>
            new[] { VMOVI | ((ulong)deviceId << 32), eventId | ((ulong)vpeId << 32), doorbell is uint d ? 1UL | ((ulong)d << 32) : 0UL, 0UL };

        public static ulong[] Vmovp(uint vpeId, ulong processor, ushort sequence = 0, ushort itsList = 0) =>
            new[] { VMOVP | ((ulong)sequence << 32), itsList | ((ulong)vpeId << 32), processor << 16, 0UL };

        public static ulong[] Vsync(uint vpeId) => new[] { (ulong)VSYNC, (ulong)vpeId << 32, 0UL, 0UL };

        public static ulong[] Vinvall(uint vpeId) => new[] { (ulong)VINVALL, (ulong)vpeId << 32, 0UL, 0UL };
    }

    public sealed class Gicv4Harness : IDisposable
    {
        public const ulong RamBase = 0x4000_0000;
        public const ulong PropertyTable = RamBase + 0x10_0000;
        public const ulong PendingTables = RamBase + 0x20_0000; // + cpu * 0x10000
        public const ulong CommandQueues = RamBase + 0x30_0000; // + its * 0x10000
        public const ulong DeviceTables = RamBase + 0x40_0000; // + its * 0x20000
        public const ulong CollectionTables = RamBase + 0x50_0000; // + its * 0x20000
        public const ulong VpeTables = RamBase + 0x58_0000; // + its * 0x20000
        public const ulong Itts = RamBase + 0x60_0000; // + its * 0x10_0000 + device * 0x1000
        public const ulong VirtualPropertyTable = RamBase + 0x90_0000;
        public const ulong Vpts = RamBase + 0xA0_0000; // + vpe * 0x10000
        public const long Stride = 0x40000;

        public const long GITS_CTLR = 0x0, GITS_TYPER = 0x8, GITS_CBASER = 0x80, GITS_CWRITER = 0x88, GITS_CREADR = 0x90, GITS_BASER0 = 0x100,
            GITS_TRANSLATER = 0x10040;

        public const long GICR_CTLR = 0x0, GICR_TYPER = 0x8, GICR_PROPBASER = 0x70, GICR_PENDBASER = 0x78, GICR_VPROPBASER = 0x20070,
            GICR_VPENDBASER = 0x20078;

        public const ulong Valid = 1UL << 63, Idai = 1UL << 62, PendingLast = 1UL << 61, Dirty = 1UL << 60;

        public static readonly uint ICH_VMCR_EL2 = SysEnc(4, 12, 11, 7);
        public static readonly uint ICH_AP1R0_EL2 = SysEnc(4, 12, 9, 0);
        public static readonly uint ICH_MISR_EL2 = SysEnc(4, 12, 11, 2);

        public Gicv4Harness(int cpuCount = 2, int itsCount = 1, bool singleVmovp = true, bool setUpIts = true, bool gicv41 = false)
        {
            Log = new LogCapture();
            Machine = new FakeMachine(RamBase, 16 << 20);
            Gic = new ArmGicV3(Machine, 224, 0x20000, false, 4, 5, 8, gicv41: gicv41);
            Irq = new LineProbe[8];
            VirtualIrq = new LineProbe[8];
            for(var n = 0; n < 8; n++)
            {
                Irq[n] = new LineProbe();
                VirtualIrq[n] = new LineProbe();
                Gic.Connections[n * 4].Connect(Irq[n], 0);
                Gic.Connections[n * 4 + 2].Connect(VirtualIrq[n], 2);
            }
            Cpus = new FakeGicCpu[cpuCount];
            for(var n = 0; n < cpuCount; n++)
            {
                Cpus[n] = new FakeGicCpu((ulong)n, exceptionLevel: 2);
                Gic.AttachCpu(n, Cpus[n]);
            }
            Its = new ArmGicV3Its[itsCount];
            for(var i = 0; i < itsCount; i++)
            {
                Its[i] = new ArmGicV3Its(Machine, Gic, 16, 16, 16, virtualLpis: true, itsNumber: i, singleVmovp: singleVmovp);
            }
            Gic.WriteDoubleWordToDistributor(0, 0x2);
            for(var n = 0; n < cpuCount; n++)
            {
                WriteGicr(n, 0x14, 0);
                WriteSys(n, Sys.ICC_PMR_EL1, 0xFF);
                WriteSys(n, Sys.ICC_IGRPEN1_EL1, 1);
                // Virtual CPU interface: En, VENG1, VPMR open.
                WriteSys(n, Sys.ICH_HCR_EL2, 1);
                WriteSys(n, ICH_VMCR_EL2, (0xFFUL << 24) | 2);
                EnableLpis(n);
            }
            if(setUpIts)
            {
                for(var i = 0; i < itsCount; i++)
                {
                    SetUpIts(i);
                }
            }
        }

        public FakeMachine Machine { get; }

        public FakeBus Bus => Machine.Bus;

        public ArmGicV3 Gic { get; }

        public ArmGicV3Its[] Its { get; }

        public FakeGicCpu[] Cpus { get; }

        public LineProbe[] Irq { get; }

        public LineProbe[] VirtualIrq { get; }

        public LogCapture Log { get; }

        public static ulong PendingTableOf(int cpu) => PendingTables + (ulong)cpu * 0x10000;

        public static ulong IttOf(int its, uint device) => Itts + (ulong)its * 0x10_0000 + device * 0x1000UL;

        public static ulong VptOf(uint vpe) => Vpts + vpe * 0x10000UL;

        // ---- Redistributor / CPU interface ----

        public ulong ReadGicr(int cpu, long offset) => Gic.ReadQuadWordFromRedistributor(cpu * Stride + offset);

        public void WriteGicr(int cpu, long offset, uint value) => Gic.WriteDoubleWordToRedistributor(cpu * Stride + offset, value);

        public void WriteGicrQuad(int cpu, long offset, ulong value) => Gic.WriteQuadWordToRedistributor(cpu * Stride + offset, value);

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

        /// <summary>A guest access: the CPU at EL1 with HCR_EL2.IMO/FMO, so ICC_* reach the ICV_* registers.</summary>
        public T AsGuest<T>(int cpu, Func<T> access)
        {
            var (el, hcr) = (Cpus[cpu].ExceptionLevel, Cpus[cpu].HypervisorConfiguration);
            Cpus[cpu].ExceptionLevel = 1;
            Cpus[cpu].HypervisorConfiguration = 0x18;
            try
            {
                return access();
            }
            finally
            {
                (Cpus[cpu].ExceptionLevel, Cpus[cpu].HypervisorConfiguration) = (el, hcr);
            }
        }

        /// <summary>ICV_IAR1_EL1 (and ICV_EOIR1_EL1 if an interrupt was acknowledged) as the guest; returns the vINTID.</summary>
        public int GuestAcknowledgeAndEnd(int cpu)
        {
            return AsGuest(cpu, () =>
            {
                var intid = (int)ReadSys(cpu, Sys.ICC_IAR1_EL1);
                if(intid < 1020 || intid >= 8192)
                {
                    WriteSys(cpu, Sys.ICC_EOIR1_EL1, (ulong)intid);
                }
                return intid;
            });
        }

        public int GuestHppir(int cpu) => AsGuest(cpu, () => (int)ReadSys(cpu, Sys.ICC_HPPIR1_EL1));

        /// <summary>ICC_IAR1_EL1 + EOI at EL2 (the hypervisor's physical interrupt, e.g. a doorbell).</summary>
        public int HostAcknowledgeAndEnd(int cpu)
        {
            var intid = (int)ReadSys(cpu, Sys.ICC_IAR1_EL1);
            if(intid < 1020 || intid >= 8192)
            {
                WriteSys(cpu, Sys.ICC_EOIR1_EL1, (ulong)intid);
            }
            return intid;
        }

        // ---- Tables ----

        public void SetLpiConfiguration(int intid, byte priority, bool enabled = true) =>
            Bus.WriteByte(PropertyTable + (ulong)(intid - 8192), (byte)((priority & 0xFC) | (enabled ? 1 : 0)));

        public void SetVlpiConfiguration(int vintid, byte priority, bool enabled = true) =>
            Bus.WriteByte(VirtualPropertyTable + (ulong)(vintid - 8192), (byte)((priority & 0xFC) | (enabled ? 1 : 0)));

        public bool IsVptBitSet(uint vpe, int vintid) => (Bus.ReadByte(VptOf(vpe) + (ulong)(vintid >> 3)) & (1 << (vintid & 7))) != 0;

        public void EnableLpis(int cpu, int idBits = 16)
        {
            WriteGicrQuad(cpu, GICR_PROPBASER, PropertyTable | (ulong)(idBits - 1));
            WriteGicrQuad(cpu, GICR_PENDBASER, PendingTableOf(cpu) | (1UL << 62));
            WriteGicr(cpu, GICR_CTLR, 1);
        }

        /// <summary>Makes vPE <paramref name="vpe"/> resident on <paramref name="cpu"/>: VPROPBASER, VPENDBASER Valid, Dirty polled. Returns the polls.</summary>
        public int MakeResident(int cpu, uint vpe, int idBits = 16, bool pendingLast = true)
        {
            WriteGicrQuad(cpu, GICR_VPROPBASER, VirtualPropertyTable | (ulong)(idBits - 1));
            WriteGicrQuad(cpu, GICR_VPENDBASER, Valid | (pendingLast ? PendingLast : 0) | VptOf(vpe));
            var polls = 0;
            while((ReadGicr(cpu, GICR_VPENDBASER) & Dirty) != 0)
            {
                if(++polls > 100)
                {
                    throw new InvalidOperationException("GICR_VPENDBASER.Dirty never cleared");
                }
            }
            return polls;
        }

        /// <summary>Clears VPENDBASER.Valid; returns the VPENDBASER value read afterwards (PendingLast).</summary>
        public ulong MakeNonResident(int cpu)
        {
            WriteGicrQuad(cpu, GICR_VPENDBASER, ReadGicr(cpu, GICR_VPENDBASER) & ~(Valid | PendingLast));
            return ReadGicr(cpu, GICR_VPENDBASER);
        }

        // ---- ITS ----

        public void SetUpIts(int its, bool enable = true)
        {
            var i = (ulong)its;
            Its[its].WriteQuadWord(GITS_BASER0, ItsHarness.Baser(DeviceTables + i * 0x20000, 2, 1));
            Its[its].WriteQuadWord(GITS_BASER0 + 8, ItsHarness.Baser(CollectionTables + i * 0x20000, 2, 1));
            Its[its].WriteQuadWord(GITS_BASER0 + 16, ItsHarness.Baser(VpeTables + i * 0x20000, 2, 1));
            Its[its].WriteQuadWord(GITS_CBASER, Valid | (CommandQueues + i * 0x10000));
            Its[its].WriteQuadWord(GITS_CWRITER, 0);
            if(enable)
            {
                Its[its].WriteDoubleWord(GITS_CTLR, Its[its].ReadDoubleWord(GITS_CTLR) | 1);
            }
        }

        /// <summary>Queues commands on ITS <paramref name="its"/> and writes GITS_CWRITER once.</summary>
        public void CommandsOn(int its, params ulong[][] commands)
        {
            var queue = CommandQueues + (ulong)its * 0x10000;
            var writer = Its[its].ReadQuadWord(GITS_CWRITER) & 0xF_FFE0;
            foreach(var command in commands)
            {
                for(var k = 0; k < 4; k++)
                {
                    Bus.WriteQuadWord(queue + writer + (ulong)(8 * k), command[k]);
                }
                writer = (writer + 32) % 0x1000;
            }
            Its[its].WriteQuadWord(GITS_CWRITER, writer);
        }

        public void Commands(params ulong[][] commands) => CommandsOn(0, commands);

        public ulong CommandReader(int its = 0) => Its[its].ReadQuadWord(GITS_CREADR);

        /// <summary>MAPD device (ITT of this ITS), VMAPP vpe -> cpu, VMAPTI (device, event) -> (vpe, vintid, doorbell).</summary>
        public void MapVirtualEvent(uint device, uint eventId, uint vpe, int vintid, int cpu = 0, uint doorbell = VCommandBuilder.NoDoorbell, int its = 0)
        {
            CommandsOn(its, ItsCommandBuilder.Mapd(device, 8, IttOf(its, device)), VCommandBuilder.Vmapp(vpe, (ulong)cpu, VptOf(vpe), 16),
                VCommandBuilder.Vmapti(device, eventId, vpe, (uint)vintid, doorbell));
        }

        public bool Msi(uint device, uint eventId, int its = 0) => Its[its].SendMsi(device, eventId);

        public IReadOnlyList<string> GuestErrorMessages()
        {
            var list = new List<string>();
            foreach(var entry in Log.GuestErrors)
            {
                list.Add(entry.Message);
            }
            return list;
        }

        public void Dispose()
        {
            Log.Dispose();
        }

        private static uint SysEnc(uint op1, uint crn, uint crm, uint op2) => (3u << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
    }
}
