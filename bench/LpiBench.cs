// `lpi`: the model alone (no CPU emulation) delivering LPIs the way firmware does: a GITS_TRANSLATER write
// (DeviceID 0) -> ITS translation (Device, ITT and Collection table reads from RAM on the host's system bus) ->
// Redistributor pending set -> IRQ line -> ICC_IAR1_EL1 -> ICC_EOIR1_EL1. Measured with the LPI INTID space at
// 2^14 and 2^18 IDs (the LPIs used sit at the top of the space); the two costs should be about equal, since
// nothing scans the ID space (QEMU re-scans the pending table after every change).
using System;
using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.IRQControllers;
using Antmicro.Renode.Peripherals.Memory;
using RenodeGic.Host.Emulation;

namespace RenodeGic.Bench
{
    public static class LpiBench
    {
        public static int Run()
        {
            Console.WriteLine($"lpi: TRANSLATER -> ITS -> redistributor -> ICC_IAR1_EL1 -> ICC_EOIR1_EL1, model only, one core, best of {Runs} ({IarEoiBench.ClockName})");
            var small = Measure(14, out var smallRate);
            var large = Measure(18, out var largeRate);
            Console.WriteLine($"  2^14 LPI IDs: {small:0.0} ns per delivered LPI ({smallRate / 1e6:0.00} million LPIs/s)");
            Console.WriteLine($"  2^18 LPI IDs: {large:0.0} ns per delivered LPI ({largeRate / 1e6:0.00} million LPIs/s)");
            Console.WriteLine($"  ratio 2^18/2^14: {large / small:0.00} (1.00 = independent of the ID space)");
            return 0;
        }

        private const int Runs = 10;

        /// <summary>Nanoseconds per delivered LPI (best of <see cref="Runs"/> runs).</summary>
        private static double Measure(int idBits, out double perSecond)
        {
            const ulong ram = 0x4000_0000;
            const ulong propertyTable = ram + 0x100_0000;
            const ulong pendingTable = ram + 0x200_0000;
            const ulong deviceTable = ram + 0x300_0000;
            const ulong collectionTable = ram + 0x301_0000;
            const ulong queue = ram + 0x302_0000;
            const ulong itt = ram + 0x303_0000;
            const int events = 256;
            const uint IAR1 = 0xC660, EOIR1 = 0xC661, PMR = 0xC230, IGRPEN1 = 0xC667;

            using var machine = new Machine();
            var memory = new MappedMemory(machine, 0x400_0000);
            machine.SystemBus.RegisterMemory(memory, ram);
            var bus = machine.SystemBus;
            var gic = new ArmGicV3(machine, lpiIdBits: idBits);
            var cpu = new BenchCpu();
            gic.AttachCpu(0, cpu);
            var its = new ArmGicV3Its(machine, gic);
            var irqLine = new Counter();
            gic.Connections[0].Connect(irqLine, 0);

            gic.WriteDoubleWordToDistributor(0, 0x2);
            gic.WriteDoubleWordToRedistributor(0x14, 0);
            gic.TryWriteSystemRegister(0, PMR, 0xFF);
            gic.TryWriteSystemRegister(0, IGRPEN1, 1);
            var lpiCount = (1 << idBits) - 8192;
            for(var i = 0; i < lpiCount; i++)
            {
                bus.WriteByte(propertyTable + (ulong)i, 0xA1);
            }
            gic.WriteQuadWordToRedistributor(0x70, propertyTable | (ulong)(idBits - 1));
            gic.WriteQuadWordToRedistributor(0x78, pendingTable | (1UL << 62));
            gic.WriteDoubleWordToRedistributor(0, 1);

            its.WriteQuadWord(0x100, (1UL << 63) | deviceTable | (2UL << 8));
            its.WriteQuadWord(0x108, (1UL << 63) | collectionTable | (2UL << 8));
            its.WriteQuadWord(0x80, (1UL << 63) | queue | 15);
            its.WriteDoubleWord(0, 1);
            var slot = 0UL;
            void Command(ulong dw0, ulong dw1, ulong dw2)
            {
                bus.WriteQuadWord(queue + slot, dw0);
                bus.WriteQuadWord(queue + slot + 8, dw1);
                bus.WriteQuadWord(queue + slot + 16, dw2);
                bus.WriteQuadWord(queue + slot + 24, 0);
                slot += 32;
            }
            Command(0x08, 7, itt | (1UL << 63));          // MAPD device 0, 8 EventID bits
            Command(0x09, 0, 1UL << 63);                  // MAPC ICID 0 -> processor 0
            for(var e = 0; e < events; e++)
            {
                var intid = (1UL << idBits) - 1 - (ulong)e; // the top of the LPI space
                Command(0x0A, (uint)e | (intid << 32), 0); // MAPTI device 0, event e -> intid, ICID 0
            }
            its.WriteQuadWord(0x88, slot);

            // Best of many short runs in thread CPU time (IarEoiBench.ThreadCpuNanoseconds): robust against other
            // processes on a shared machine. The first run warms up (JIT, caches) and is not counted.
            var best = double.MaxValue;
            const int rounds = 2_000_000; // thread CPU time may advance in 4 ms ticks: at most 2 ns per LPI
            for(var run = 0; run <= Runs; run++)
            {
                var start = IarEoiBench.ThreadCpuNanoseconds();
                for(var n = 0; n < rounds; n++)
                {
                    its.WriteDoubleWord(0x10040, (uint)(n & (events - 1)));
                    gic.TryReadSystemRegister(0, IAR1, out var intid);
                    gic.TryWriteSystemRegister(0, EOIR1, intid);
                }
                var elapsed = IarEoiBench.ThreadCpuNanoseconds() - start;
                if(run > 0)
                {
                    best = Math.Min(best, (double)elapsed / rounds);
                }
            }
            if(irqLine.Rises < rounds)
            {
                throw new InvalidOperationException($"only {irqLine.Rises} IRQs raised for {rounds} MSIs per run: the LPIs were not delivered");
            }
            perSecond = 1e9 / best;
            return best;
        }

        private sealed class BenchCpu : IGicCpu
        {
            public int ExceptionLevel => 1;
            public ulong HypervisorConfiguration => 0;
            public ulong Affinity => 0;
        }

        private sealed class Counter : IGPIOReceiver
        {
            public long Rises { get; private set; }

            public void OnGPIO(int number, bool value)
            {
                if(value)
                {
                    Rises++;
                }
            }

            public void Reset()
            {
            }
        }
    }
}
