// Test support for the GIC fixtures: builds an ArmGicV3 with fake CPUs attached, probes on every output line,
// typed MMIO helpers that take the register enums, and system-register helpers that take ICC encodings.
using System;
using System.Collections.Generic;
using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.IRQControllers;

namespace RenodeGic.Tests.Support
{
    /// <summary>Records the level of one GPIO line and every change of it.</summary>
    public sealed class LineProbe : IGPIOReceiver
    {
        public bool Level { get; private set; }

        public List<bool> History { get; } = new List<bool>();

        public void OnGPIO(int number, bool value)
        {
            Level = value;
            History.Add(value);
        }

        public void Reset()
        {
        }
    }

    public sealed class GicHarness : IDisposable
    {
        public GicHarness(int cpuCount = 2, int numberOfSPIs = 224, bool supportsTwoSecurityStates = false, int architectureRevision = 3,
            int priorityBits = 5, int maximumCPUs = 8, Func<int, ulong>? affinityOf = null)
        {
            Log = new LogCapture();
            Machine = new FakeMachine();
            Gic = new ArmGicV3(Machine, numberOfSPIs, 0x20000, supportsTwoSecurityStates, architectureRevision, priorityBits, maximumCPUs);
            Irq = new LineProbe[maximumCPUs];
            Fiq = new LineProbe[maximumCPUs];
            VirtualIrq = new LineProbe[maximumCPUs];
            VirtualFiq = new LineProbe[maximumCPUs];
            for(var n = 0; n < maximumCPUs; n++)
            {
                Irq[n] = new LineProbe();
                Fiq[n] = new LineProbe();
                VirtualIrq[n] = new LineProbe();
                VirtualFiq[n] = new LineProbe();
                Gic.Connections[n * 4 + 0].Connect(Irq[n], 0);
                Gic.Connections[n * 4 + 1].Connect(Fiq[n], 1);
                Gic.Connections[n * 4 + 2].Connect(VirtualIrq[n], 2);
                Gic.Connections[n * 4 + 3].Connect(VirtualFiq[n], 3);
            }
            Cpus = new FakeGicCpu[cpuCount];
            for(var n = 0; n < cpuCount; n++)
            {
                Cpus[n] = new FakeGicCpu(affinityOf?.Invoke(n) ?? (ulong)n);
                Gic.AttachCpu(n, Cpus[n]);
            }
        }

        public FakeMachine Machine { get; }

        public ArmGicV3 Gic { get; }

        public FakeGicCpu[] Cpus { get; }

        public LineProbe[] Irq { get; }

        public LineProbe[] Fiq { get; }

        public LineProbe[] VirtualIrq { get; }

        public LineProbe[] VirtualFiq { get; }

        public LogCapture Log { get; }

        public const long SgiBase = 0x10000;

        // ---- Distributor ----
        public uint ReadGicd(long offset) => Gic.ReadDoubleWordFromDistributor(offset);

        public void WriteGicd(long offset, uint value) => Gic.WriteDoubleWordToDistributor(offset, value);

        /// <summary>GICD register family member n (4-byte stride), e.g. GICD_ISENABLER + 4 * n.</summary>
        public static long Gicd(string family, int index = 0) => DistributorFamilies[family] + 4L * index;

        // ---- Redistributor ----
        public uint ReadGicr(int cpu, long offset) => Gic.ReadDoubleWordFromRedistributor(cpu * 0x20000L + offset);

        public void WriteGicr(int cpu, long offset, uint value) => Gic.WriteDoubleWordToRedistributor(cpu * 0x20000L + offset, value);

        public ulong ReadGicrQuad(int cpu, long offset) => Gic.ReadQuadWordFromRedistributor(cpu * 0x20000L + offset);

        // ---- System registers ----
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

        /// <summary>The usual bring-up: distributor groups, redistributors awake, PMR open, group enables set.</summary>
        public void EnableAll(int cpuCount = -1)
        {
            WriteGicd(0x0, 0x3); // EnableGrp0 | EnableGrp1
            var count = cpuCount < 0 ? Cpus.Length : cpuCount;
            for(var n = 0; n < count; n++)
            {
                WriteGicr(n, 0x14, 0); // GICR_WAKER.ProcessorSleep = 0
                WriteSys(n, Sys.ICC_PMR_EL1, 0xFF);
                WriteSys(n, Sys.ICC_IGRPEN0_EL1, 1);
                WriteSys(n, Sys.ICC_IGRPEN1_EL1, 1);
            }
        }

        /// <summary>Enables SPI <paramref name="intid"/> with a priority, routed to <paramref name="cpu"/>'s affinity.</summary>
        public void ConfigureSpi(int intid, byte priority = 0xA0, int cpu = 0, bool edge = false, bool group1 = true)
        {
            Gic.WriteQuadWordToDistributor(0x6000 + 8L * intid, Cpus[cpu].Affinity);
            Gic.WriteByteToDistributor(0x400 + intid, priority);
            var cfgOffset = 0xC00 + 4L * (intid / 16);
            var cfg = ReadGicd(cfgOffset);
            var bit = 2 * (intid % 16) + 1;
            WriteGicd(cfgOffset, edge ? cfg | (1u << bit) : cfg & ~(1u << bit));
            var groupOffset = 0x80 + 4L * (intid / 32);
            var groups = ReadGicd(groupOffset);
            WriteGicd(groupOffset, group1 ? groups | (1u << (intid % 32)) : groups & ~(1u << (intid % 32)));
            WriteGicd(0x100 + 4L * (intid / 32), 1u << (intid % 32));
        }

        /// <summary>Enables private interrupt <paramref name="intid"/> (0-31) on <paramref name="cpu"/>.</summary>
        public void ConfigurePrivate(int cpu, int intid, byte priority = 0xA0, bool group1 = true)
        {
            Gic.WriteByteToRedistributor(cpu * 0x20000L + SgiBase + 0x400 + intid, priority);
            var groups = ReadGicr(cpu, SgiBase + 0x80);
            WriteGicr(cpu, SgiBase + 0x80, group1 ? groups | (1u << intid) : groups & ~(1u << intid));
            WriteGicr(cpu, SgiBase + 0x100, 1u << intid);
        }

        public void Dispose()
        {
            Log.Dispose();
        }

        private static readonly Dictionary<string, long> DistributorFamilies = new Dictionary<string, long>
        {
            ["IGROUPR"] = 0x80,
            ["ISENABLER"] = 0x100,
            ["ICENABLER"] = 0x180,
            ["ISPENDR"] = 0x200,
            ["ICPENDR"] = 0x280,
            ["ISACTIVER"] = 0x300,
            ["ICACTIVER"] = 0x380,
            ["IPRIORITYR"] = 0x400,
            ["ICFGR"] = 0xC00,
            ["IGRPMODR"] = 0xD00,
            ["NSACR"] = 0xE00,
        };
    }

    /// <summary>ICC_* encodings (op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2), written out independently of the model.</summary>
    public static class Sys
    {
        private static uint Enc(uint op1, uint crn, uint crm, uint op2) => (3u << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;

        public static readonly uint ICC_PMR_EL1 = Enc(0, 4, 6, 0);
        public static readonly uint ICC_IAR0_EL1 = Enc(0, 12, 8, 0);
        public static readonly uint ICC_EOIR0_EL1 = Enc(0, 12, 8, 1);
        public static readonly uint ICC_HPPIR0_EL1 = Enc(0, 12, 8, 2);
        public static readonly uint ICC_BPR0_EL1 = Enc(0, 12, 8, 3);
        public static readonly uint ICC_AP0R0_EL1 = Enc(0, 12, 8, 4);
        public static readonly uint ICC_AP0R1_EL1 = Enc(0, 12, 8, 5);
        public static readonly uint ICC_AP1R0_EL1 = Enc(0, 12, 9, 0);
        public static readonly uint ICC_DIR_EL1 = Enc(0, 12, 11, 1);
        public static readonly uint ICC_RPR_EL1 = Enc(0, 12, 11, 3);
        public static readonly uint ICC_SGI1R_EL1 = Enc(0, 12, 11, 5);
        public static readonly uint ICC_ASGI1R_EL1 = Enc(0, 12, 11, 6);
        public static readonly uint ICC_SGI0R_EL1 = Enc(0, 12, 11, 7);
        public static readonly uint ICC_IAR1_EL1 = Enc(0, 12, 12, 0);
        public static readonly uint ICC_EOIR1_EL1 = Enc(0, 12, 12, 1);
        public static readonly uint ICC_HPPIR1_EL1 = Enc(0, 12, 12, 2);
        public static readonly uint ICC_BPR1_EL1 = Enc(0, 12, 12, 3);
        public static readonly uint ICC_CTLR_EL1 = Enc(0, 12, 12, 4);
        public static readonly uint ICC_SRE_EL1 = Enc(0, 12, 12, 5);
        public static readonly uint ICC_IGRPEN0_EL1 = Enc(0, 12, 12, 6);
        public static readonly uint ICC_IGRPEN1_EL1 = Enc(0, 12, 12, 7);
        public static readonly uint ICC_SRE_EL2 = Enc(4, 12, 9, 5);
        public static readonly uint ICC_CTLR_EL3 = Enc(6, 12, 12, 4);
        public static readonly uint ICC_SRE_EL3 = Enc(6, 12, 12, 5);
        public static readonly uint ICC_IGRPEN1_EL3 = Enc(6, 12, 12, 7);
        public static readonly uint ICH_HCR_EL2 = Enc(4, 12, 11, 0);
        public static readonly uint ICH_LR0_EL2 = Enc(4, 12, 12, 0);

        /// <summary>ICC_SGI1R_EL1 value: INTID, target list, Aff1..3, RS, IRM.</summary>
        public static ulong SgiValue(int intid, ushort targetList, int aff1 = 0, int aff2 = 0, int aff3 = 0, int rangeSelector = 0, bool broadcast = false)
        {
            return ((ulong)intid << 24) | targetList | ((ulong)aff1 << 16) | ((ulong)aff2 << 32) | ((ulong)aff3 << 48)
                | ((ulong)rangeSelector << 44) | (broadcast ? 1UL << 40 : 0);
        }
    }
}
