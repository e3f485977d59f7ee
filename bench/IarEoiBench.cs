// iar-eoi: the cost of one ICC_IAR1_EL1 + ICC_EOIR1_EL1 pair in the GIC model alone (no CPU emulation), driven
// through IGicSystemRegisterTarget as the host's CPU does, with a fake IGicCpu and a fake machine.
//
// The hot interrupt is SPI 32 (priority 0x80, Group 1, routed to CPU0). Two ways to make it pending again:
//   level   its GPIO input is held high, so the deactivation by the EOI re-pends it (the loop is exactly IAR1 + EOIR1);
//   ispendr a GICD_ISPENDR write before every acknowledge (the loop is ISPENDR + IAR1 + EOIR1).
// Each is measured with only the hot interrupt pending and with 200 more SPIs pending at a lower priority
// (0xC0, enabled, never acknowledged): with an incremental arbiter the cost must not grow with that count.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.IRQControllers;
using Antmicro.Renode.Time;

namespace RenodeGic.Bench
{
    public static class IarEoiBench
    {
        public static int Run(string[] args)
        {
            // Many short rounds, best of: robust against other processes taking the CPU now and then.
            var iterations = 500_000;
            var rounds = 15;
            for(var i = 1; i < args.Length; i++)
            {
                if(args[i] == "--iterations" && i + 1 < args.Length && int.TryParse(args[++i], out var n) && n > 0)
                {
                    iterations = n;
                }
                else if(args[i] == "--rounds" && i + 1 < args.Length && int.TryParse(args[++i], out var r) && r > 0)
                {
                    rounds = r;
                }
                else
                {
                    Console.Error.WriteLine($"iar-eoi: unknown argument '{args[i]}' (expected --iterations N, --rounds N)");
                    return 1;
                }
            }
            Console.WriteLine($"iar-eoi: ICC_IAR1_EL1 + ICC_EOIR1_EL1 on ArmGicV3 alone (1 CPU, fake IGicCpu), {iterations} pairs, best of {rounds}");
            Console.WriteLine($"  source                          pending           ns/pair     pairs/s   ({ClockName})");
            foreach(var viaIspendr in new[] { false, true })
            {
                var (alone, crowded) = Measure(viaIspendr, iterations, rounds);
                var name = viaIspendr ? "ISPENDR write + IAR1 + EOIR1" : "level SPI held high (GPIO)";
                Print(name, "1", alone);
                Print(name, $"1 + {OtherPending} lower", crowded);
                Console.WriteLine($"  {name}: ratio {OtherPending + 1} pending / 1 pending = {crowded / alone:0.00}");
            }
            return 0;
        }

        private static void Print(string name, string pending, double ns)
        {
            Console.WriteLine($"  {name,-31} {pending,-17} {ns,7:0.0} {1e9 / ns,11:N0}");
        }

        /// <summary>
        /// Best-of-<paramref name="rounds"/> nanoseconds per pair with 1 and with 1 + OtherPending pending. The two
        /// rigs are timed alternately, so that load from other processes affects both alike.
        /// </summary>
        private static (double Alone, double Crowded) Measure(bool viaIspendr, int iterations, int rounds)
        {
            var rigs = new[] { new Rig(0), new Rig(OtherPending) };
            var best = new[] { double.MaxValue, double.MaxValue };
            foreach(var rig in rigs)
            {
                if(!viaIspendr)
                {
                    rig.Gic.OnGPIO(HotIntid - 32, true);
                }
                rig.Loop(viaIspendr, Math.Min(iterations, 200_000)); // warm-up (JIT, caches)
            }
            for(var r = 0; r < rounds; r++)
            {
                for(var k = 0; k < rigs.Length; k++)
                {
                    var start = ThreadCpuNanoseconds();
                    rigs[k].Loop(viaIspendr, iterations);
                    best[k] = Math.Min(best[k], (double)(ThreadCpuNanoseconds() - start) / iterations);
                }
            }
            foreach(var rig in rigs)
            {
                if(rig.IrqRaises == 0)
                {
                    throw new InvalidOperationException("the IRQ output never rose: the set-up is wrong");
                }
            }
            return (best[0], best[1]);
        }

        /// <summary>
        /// CPU time of the calling thread in ns (Linux: /proc/thread-self/schedstat, first field), so that time the
        /// thread spends descheduled on a loaded machine does not count; elsewhere wall-clock time.
        /// </summary>
        internal static long ThreadCpuNanoseconds()
        {
            if(useSchedstat)
            {
                try
                {
                    var text = File.ReadAllText("/proc/thread-self/schedstat");
                    return long.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
                }
                catch(Exception e) when(e is IOException || e is UnauthorizedAccessException || e is FormatException)
                {
                    useSchedstat = false;
                }
            }
            return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
        }

        public static string ClockName => useSchedstat ? "thread CPU time" : "wall clock";

        private static bool useSchedstat = File.Exists("/proc/thread-self/schedstat");

        private const int HotIntid = 32;
        private const int OtherPending = 200;

        // ICC encodings: op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2.
        private static uint Enc(uint op1, uint crn, uint crm, uint op2) => (3u << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
        private static readonly uint IccPmr = Enc(0, 4, 6, 0);
        private static readonly uint IccIar1 = Enc(0, 12, 12, 0);
        private static readonly uint IccEoir1 = Enc(0, 12, 12, 1);
        private static readonly uint IccIgrpen1 = Enc(0, 12, 12, 7);

        private sealed class Rig : IGPIOReceiver
        {
            public Rig(int others)
            {
                Gic = new ArmGicV3(new BenchMachine(), numberOfSPIs: 224);
                Gic.Connections[0].Connect(this, 0);
                Gic.AttachCpu(0, new BenchCpu());
                Gic.WriteDoubleWordToDistributor(0x0, 0x3);              // GICD_CTLR: EnableGrp0 | EnableGrp1
                Gic.WriteDoubleWordToRedistributor(0x14, 0);            // GICR_WAKER.ProcessorSleep = 0
                Write(IccPmr, 0xFF);
                Write(IccIgrpen1, 1);
                Spi(HotIntid, 0x80);
                for(var n = 0; n < others; n++)
                {
                    var intid = HotIntid + 8 + n;                       // 40..239: lower priority, never acknowledged
                    Spi(intid, 0xC0);
                    Gic.WriteDoubleWordToDistributor(0x200 + 4L * (intid / 32), 1u << (intid % 32)); // GICD_ISPENDR
                }
            }

            public ArmGicV3 Gic { get; }

            public long IrqRaises { get; private set; }

            public void Loop(bool viaIspendr, int iterations)
            {
                var ispendr = 0x200 + 4L * (HotIntid / 32);
                var bit = 1u << (HotIntid % 32);
                for(var i = 0; i < iterations; i++)
                {
                    if(viaIspendr)
                    {
                        Gic.WriteDoubleWordToDistributor(ispendr, bit);
                    }
                    Gic.TryReadSystemRegister(0, IccIar1, out var intid);
                    if(intid != HotIntid)
                    {
                        throw new InvalidOperationException($"ICC_IAR1_EL1 returned {intid}, expected {HotIntid}");
                    }
                    Gic.TryWriteSystemRegister(0, IccEoir1, intid);
                }
            }

            public void OnGPIO(int number, bool value)
            {
                if(value)
                {
                    IrqRaises++;
                }
            }

            public void Reset()
            {
            }

            private void Spi(int intid, byte priority)
            {
                Gic.WriteQuadWordToDistributor(0x6000 + 8L * intid, 0);                     // GICD_IROUTER: CPU0
                Gic.WriteByteToDistributor(0x400 + intid, priority);                        // GICD_IPRIORITYR
                Gic.WriteDoubleWordToDistributor(0x100 + 4L * (intid / 32), 1u << (intid % 32)); // GICD_ISENABLER
            }

            private void Write(uint encoding, ulong value)
            {
                if(!Gic.TryWriteSystemRegister(0, encoding, value))
                {
                    throw new InvalidOperationException($"system register 0x{encoding:X} write was UNDEFINED");
                }
            }
        }

        private sealed class BenchCpu : IGicCpu
        {
            public int ExceptionLevel => 1;

            public ulong HypervisorConfiguration => 0;

            public ulong Affinity => 0;
        }

        /// <summary>A machine with nothing on its bus: the GIC does not master bus transactions without LPIs.</summary>
        private sealed class BenchMachine : IMachine
        {
            public IBusController SystemBus { get; } = new EmptyBus();

            public IBusController GetSystemBus(IPeripheral peripheral) => SystemBus;

            public TimeStamp ElapsedVirtualTime => new TimeStamp(default);

            public bool TryGetLocalName(IPeripheral peripheral, out string name)
            {
                name = peripheral.GetType().Name;
                return true;
            }
        }

        private sealed class EmptyBus : IBusController
        {
            public bool IsMapped(ulong address) => false;

            public byte ReadByte(ulong address, IPeripheral? context = null, ulong? cpuState = null) => 0;

            public void WriteByte(ulong address, byte value, IPeripheral? context = null, ulong? cpuState = null)
            {
            }

            public ushort ReadWord(ulong address, IPeripheral? context = null, ulong? cpuState = null) => 0;

            public void WriteWord(ulong address, ushort value, IPeripheral? context = null, ulong? cpuState = null)
            {
            }

            public uint ReadDoubleWord(ulong address, IPeripheral? context = null, ulong? cpuState = null) => 0;

            public void WriteDoubleWord(ulong address, uint value, IPeripheral? context = null, ulong? cpuState = null)
            {
            }

            public ulong ReadQuadWord(ulong address, IPeripheral? context = null, ulong? cpuState = null) => 0;

            public void WriteQuadWord(ulong address, ulong value, IPeripheral? context = null, ulong? cpuState = null)
            {
            }

            public byte[] ReadBytes(ulong address, int count, IPeripheral? context = null) => new byte[count];

            public void WriteBytes(byte[] bytes, ulong address, IPeripheral? context = null)
            {
            }
        }
    }
}
