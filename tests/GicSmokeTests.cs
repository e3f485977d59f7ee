// End-to-end paths through the GIC: an SPI from its input line to IAR/EOI, an SGI, a PPI.
using Antmicro.Renode.Peripherals.IRQControllers;
using NUnit.Framework;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class GicSmokeTests
    {
        [SetUp]
        public void SetUp()
        {
            h = new GicHarness();
            h.EnableAll();
        }

        [TearDown]
        public void TearDown()
        {
            h.Dispose();
        }

        [Test]
        public void ShouldDeliverSpiFromLineToIarAndEoi()
        {
            h.ConfigureSpi(33);
            Assert.That(h.Irq[0].Level, Is.False);
            h.Gic.OnGPIO(1, true);
            Assert.That(h.Irq[0].Level, Is.True);
            Assert.That(h.Irq[1].Level, Is.False);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(33ul));
            Assert.That(h.Irq[0].Level, Is.False, "active: no preemption by itself");
            h.Gic.OnGPIO(1, false);
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 33);
            Assert.That(h.Irq[0].Level, Is.False);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [Test]
        public void ShouldDeliverSgiToTargetList()
        {
            h.ConfigurePrivate(1, 3);
            h.WriteSys(0, Sys.ICC_SGI1R_EL1, Sys.SgiValue(3, 0b10));
            Assert.That(h.Irq[1].Level, Is.True);
            Assert.That(h.Irq[0].Level, Is.False);
            Assert.That(h.ReadSys(1, Sys.ICC_IAR1_EL1), Is.EqualTo(3ul));
        }

        [Test]
        public void ShouldDeliverPpiThroughLocalReceiver()
        {
            h.ConfigurePrivate(1, 30);
            h.Gic.GetLocalReceiver(1).OnGPIO(14, true);
            Assert.That(h.Irq[1].Level, Is.True);
            Assert.That(h.ReadSys(1, Sys.ICC_IAR1_EL1), Is.EqualTo(30ul));
        }

        private GicHarness h = null!;
    }
}
