// The GIC recomputes the output lines only of the CPUs whose state changed (PriorityArbiter's dirty bitmap, and
// ArmGicV3's hints for the virtual CPU interfaces). These tests change one CPU's state through another CPU's
// accesses, a GPIO input, or an MMIO write, and check that the changed CPU's lines follow while only other CPUs
// are accessed afterwards; with more than 64 CPUs the bitmaps span several words.
using NUnit.Framework;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class GicDirtyTrackingTests
    {
        [Test]
        public void AnSpiForCpu3ShouldDriveCpu3WhileOnlyCpu0IsAccessed()
        {
            using var h = new GicHarness(cpuCount: 4);
            h.EnableAll();
            h.ConfigureSpi(40, priority: 0x80, cpu: 3);
            for(var n = 0; n < 3; n++)
            {
                Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul), "cpu0 has nothing pending");
            }
            h.Gic.OnGPIO(40 - 32, true);
            Assert.That(h.Irq[3].Level, Is.True, "the SPI input reached cpu3's IRQ without cpu3 being accessed");
            Assert.That(h.Irq[0].Level || h.Irq[1].Level || h.Irq[2].Level, Is.False);
            // cpu0 keeps working (acknowledges, priority drops, PMR writes): cpu3's line must not be dropped or lost.
            for(var n = 0; n < 3; n++)
            {
                Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
                h.WriteSys(0, Sys.ICC_PMR_EL1, 0xF0);
                h.WriteSys(0, Sys.ICC_PMR_EL1, 0xFF);
                Assert.That(h.Irq[3].Level, Is.True);
            }
            // A change of cpu3's routing made through the distributor moves the line at once.
            h.Gic.WriteQuadWordToDistributor(0x6000 + 8L * 40, h.Cpus[2].Affinity);
            Assert.That(h.Irq[3].Level, Is.False, "rerouted away from cpu3");
            Assert.That(h.Irq[2].Level, Is.True, "rerouted to cpu2");
            Assert.That(h.ReadSys(2, Sys.ICC_IAR1_EL1), Is.EqualTo(40ul));
            Assert.That(h.Irq[2].Level, Is.False);
        }

        [Test]
        public void AnSgiSentByCpu0ShouldRaiseTheTargetsAndTheTargetsPriorityMaskShouldLowerIt()
        {
            using var h = new GicHarness(cpuCount: 4);
            h.EnableAll();
            h.ConfigurePrivate(3, 5, priority: 0x80);
            h.WriteSys(0, Sys.ICC_SGI1R_EL1, (5UL << 24) | (1UL << 3)); // SGI 5 to Aff0 = 3
            Assert.That(h.Irq[3].Level, Is.True, "cpu0's SGI1R write changed cpu3's candidates");
            Assert.That(h.Irq[0].Level, Is.False);
            h.WriteSys(3, Sys.ICC_PMR_EL1, 0x80);
            Assert.That(h.Irq[3].Level, Is.False, "masked by cpu3's own PMR");
            h.WriteSys(3, Sys.ICC_PMR_EL1, 0xFF);
            Assert.That(h.Irq[3].Level, Is.True);
            Assert.That(h.ReadSys(3, Sys.ICC_IAR1_EL1), Is.EqualTo(5ul));
            Assert.That(h.Irq[3].Level, Is.False);
        }

        [TestCase(63)]
        [TestCase(64)]
        [TestCase(129)]
        public void ShouldTrackCpusBeyondTheFirst64(int target)
        {
            using var h = new GicHarness(cpuCount: 130, maximumCPUs: 130);
            h.EnableAll();
            h.ConfigureSpi(40, priority: 0x80, cpu: target);
            h.Gic.OnGPIO(40 - 32, true);
            for(var cpu = 0; cpu < 130; cpu++)
            {
                Assert.That(h.Irq[cpu].Level, Is.EqualTo(cpu == target), $"cpu{cpu}");
            }
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
            Assert.That(h.ReadSys(target, Sys.ICC_IAR1_EL1), Is.EqualTo(40ul));
            Assert.That(h.Irq[target].Level, Is.False, "acknowledged");
            h.WriteSys(target, Sys.ICC_EOIR1_EL1, 40);
            Assert.That(h.Irq[target].Level, Is.True, "level input still high: pending again after deactivation");
            h.Gic.OnGPIO(40 - 32, false);
            Assert.That(h.Irq[target].Level, Is.False);
        }

        [Test]
        public void AVirtualInterruptOfCpu2ShouldStayWhileCpu0IsAccessedAndFollowCpu2sListRegisters()
        {
            using var h = new GicHarness(cpuCount: 3);
            h.EnableAll();
            h.Cpus[2].ExceptionLevel = 2;
            h.WriteSys(2, IchVmcr, (0xF8UL << 24) | 3); // VPMR 0xF8, VENG0, VENG1
            h.WriteSys(2, IchHcr, 1); // En
            h.WriteSys(2, IchLr0, 40 | (0xA0UL << 48) | (1UL << 60) | (1UL << 62)); // vINTID 40, Group 1, pending
            Assert.That(h.VirtualIrq[2].Level, Is.True);
            for(var n = 0; n < 3; n++)
            {
                Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
                h.WriteSys(0, Sys.ICC_PMR_EL1, 0xFF);
            }
            Assert.That(h.VirtualIrq[2].Level, Is.True);
            Assert.That(h.VirtualIrq[0].Level || h.VirtualIrq[1].Level, Is.False);
            h.WriteSys(2, IchLr0, 0);
            Assert.That(h.VirtualIrq[2].Level, Is.False, "the list register was cleared");
        }

        private static uint Ich(uint crm, uint op2) => (3u << 14) | (4u << 11) | (12u << 7) | (crm << 3) | op2;

        private static readonly uint IchHcr = Ich(11, 0);
        private static readonly uint IchVmcr = Ich(11, 7);
        private static readonly uint IchLr0 = Ich(12, 0);
    }
}
