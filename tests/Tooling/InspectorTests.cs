// The inspector (ArmGicV3.ExplainInterrupt / ShowInterrupt / ShowSummary, ArmGicV3Its.Show*): each cause that keeps
// an interrupt from being delivered is reported, one at a time, on a GIC driven through its registers; the ITS
// tables are shown as the ITS reads them from guest memory; the monitor reaches all of it by peripheral name.
using System.IO;
using System.Linq;
using Antmicro.Renode.Peripherals.IRQControllers;
using NUnit.Framework;
using RenodeGic.Tests.Its;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests.Tooling
{
    [TestFixture]
    public class InspectorTests
    {
        private const int Spi = 40;

        /// <summary>Everything open, SPI 40 (priority 0xA0, Group 1, routed to cpu0) pending through GICD_ISPENDR: delivered.</summary>
        private static GicHarness Ready(bool pending = true)
        {
            var h = new GicHarness();
            h.EnableAll();
            h.ConfigureSpi(Spi, 0xA0, cpu: 0, edge: true);
            if(pending)
            {
                h.WriteGicd(GicHarness.Gicd("ISPENDR", Spi / 32), 1u << (Spi % 32));
            }
            return h;
        }

        private static void AssertOnlyBlock(GicInterruptReport report, GicDeliveryBlock block)
        {
            Assert.That(report.Blocks, Is.EqualTo(new[] { block }), report.ToString());
            Assert.That(report.Delivered, Is.False);
        }

        [Test]
        public void ReadyInterruptShouldBeDelivered()
        {
            using var h = Ready();
            var report = h.Gic.ExplainInterrupt(Spi);
            Assert.That(report.Delivered, Is.True, report.ToString());
            Assert.That(report.Cpu, Is.EqualTo(0));
            Assert.That(report.Reasons.Single(), Does.Contain("signalled to cpu0 on IRQ"));
            Assert.That(h.Irq[0].Level, Is.True, "the model agrees: IRQ is high");
            Assert.That(h.Gic.ShowInterrupt(Spi), Does.Contain("Priority").And.Contain("0xA0").And.Contain("Delivered"));
        }

        [Test]
        public void DisabledInterrupt()
        {
            using var h = Ready();
            h.WriteGicd(GicHarness.Gicd("ICENABLER", Spi / 32), 1u << (Spi % 32));
            AssertOnlyBlock(h.Gic.ExplainInterrupt(Spi), GicDeliveryBlock.Disabled);
        }

        [Test]
        public void NotPending()
        {
            using var h = Ready(pending: false);
            AssertOnlyBlock(h.Gic.ExplainInterrupt(Spi), GicDeliveryBlock.NotPending);
        }

        [Test]
        public void GroupDisabledInGicdCtlr()
        {
            using var h = Ready();
            h.WriteGicd(0x0, 0x1); // EnableGrp0 only
            var report = h.Gic.ExplainInterrupt(Spi);
            AssertOnlyBlock(report, GicDeliveryBlock.GroupDisabledInDistributor);
            Assert.That(report.Reasons.Single(), Does.Contain("GICD_CTLR").And.Contain("EnableGrp1NS"));
        }

        [Test]
        public void GroupDisabledInIccIgrpen()
        {
            using var h = Ready();
            h.WriteSys(0, Sys.ICC_IGRPEN1_EL1, 0);
            var report = h.Gic.ExplainInterrupt(Spi);
            AssertOnlyBlock(report, GicDeliveryBlock.GroupDisabledInCpuInterface);
            Assert.That(report.Reasons.Single(), Does.Contain("ICC_IGRPEN1_EL1"));
        }

        [Test]
        public void MaskedByPmr()
        {
            using var h = Ready();
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0xA0);
            var report = h.Gic.ExplainInterrupt(Spi);
            AssertOnlyBlock(report, GicDeliveryBlock.MaskedByPriorityMask);
            Assert.That(report.Reasons.Single(), Does.Contain("ICC_PMR_EL1 = 0xA0"));
            Assert.That(h.Irq[0].Level, Is.False);
        }

        [Test]
        public void MaskedByRunningPriority()
        {
            using var h = Ready(pending: false);
            h.ConfigureSpi(41, 0x80, cpu: 0, edge: true);
            h.WriteGicd(GicHarness.Gicd("ISPENDR", 1), 1u << (41 % 32));
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(41));
            h.WriteGicd(GicHarness.Gicd("ISPENDR", 1), 1u << (Spi % 32));
            var report = h.Gic.ExplainInterrupt(Spi);
            AssertOnlyBlock(report, GicDeliveryBlock.MaskedByRunningPriority);
            Assert.That(report.Reasons.Single(), Does.Contain("running priority 0x80"));
        }

        [Test]
        public void RoutedToAnotherCpu()
        {
            using var h = Ready();
            var report = h.Gic.ExplainInterrupt(Spi, cpu: 1);
            AssertOnlyBlock(report, GicDeliveryBlock.RoutedToOtherCpu);
            Assert.That(report.Reasons.Single(), Does.Contain("routed to cpu0"));
        }

        [Test]
        public void RoutedToNoCpu()
        {
            using var h = Ready();
            h.Gic.WriteQuadWordToDistributor(0x6000 + 8L * Spi, 0x55);
            AssertOnlyBlock(h.Gic.ExplainInterrupt(Spi), GicDeliveryBlock.NotRouted);
        }

        [Test]
        public void AlreadyActive()
        {
            using var h = Ready(pending: false);
            h.ConfigureSpi(Spi, 0xA0, cpu: 0, edge: false);
            h.Gic.OnGPIO(Spi - 32, true); // level: still pending after the acknowledge
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(Spi));
            var report = h.Gic.ExplainInterrupt(Spi);
            // Active and pending: only "already active" (its own active priority is the running priority too).
            Assert.That(report.Blocks, Does.Contain(GicDeliveryBlock.AlreadyActive), report.ToString());
            Assert.That(report.Blocks, Does.Not.Contain(GicDeliveryBlock.NotPending));
        }

        [Test]
        public void OutrankedByAnotherPendingInterrupt()
        {
            using var h = Ready();
            h.ConfigureSpi(41, 0x80, cpu: 0, edge: true);
            h.WriteGicd(GicHarness.Gicd("ISPENDR", 1), 1u << (41 % 32));
            var report = h.Gic.ExplainInterrupt(Spi);
            AssertOnlyBlock(report, GicDeliveryBlock.OutrankedByOtherInterrupt);
            Assert.That(report.Reasons.Single(), Does.Contain("INTID 41"));
        }

        [Test]
        public void PrivateInterruptsAreExplainedPerCpu()
        {
            using var h = new GicHarness();
            h.EnableAll();
            h.ConfigurePrivate(1, 5, 0x90);
            h.WriteSys(0, Sys.ICC_SGI1R_EL1, Sys.SgiValue(5, 0b10));
            Assert.That(h.Gic.ExplainInterrupt(5, 1).Delivered, Is.True);
            Assert.That(h.Gic.ExplainInterrupt(5, 0).Blocks, Is.EqualTo(new[] { GicDeliveryBlock.Disabled, GicDeliveryBlock.NotPending }),
                "cpu0's SGI 5 is neither enabled nor pending");
        }

        [Test]
        public void UnimplementedIntid()
        {
            using var h = new GicHarness(numberOfSPIs: 32);
            AssertOnlyBlock(h.Gic.ExplainInterrupt(100), GicDeliveryBlock.NotImplemented);
        }

        [Test]
        public void LpisNotEnabled()
        {
            using var h = new ItsHarness();
            AssertOnlyBlock(h.Gic.ExplainInterrupt(8192, 0), GicDeliveryBlock.LpisNotEnabled);
        }

        [Test]
        public void LpiDisabledInPropertyTableAndStaleCache()
        {
            using var h = new ItsHarness();
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0xFF);
            h.WriteSys(0, Sys.ICC_IGRPEN1_EL1, 1);
            h.Gic.WriteDoubleWordToDistributor(0, 0x3);
            h.SetLpiConfiguration(8200, 0xA0, enabled: false);
            h.EnableLpis(0);
            h.SetUpIts();
            h.MapEvent(1, 0, 8200);
            h.Its.SendMsi(1, 0);
            var report = h.Gic.ExplainInterrupt(8200);
            AssertOnlyBlock(report, GicDeliveryBlock.LpiDisabledInPropertyTable);
            Assert.That(report.Attributes.Single(a => a.Key == "Property byte (cached)").Value, Does.StartWith("0xA0"));
            // Enabled in memory but not re-read: the explanation says to issue INV.
            h.SetLpiConfiguration(8200, 0xA0, enabled: true);
            Assert.That(h.Gic.ExplainInterrupt(8200).Reasons.Single(), Does.Contain("INV"));
            h.Commands(ItsCommandBuilder.Inv(1, 0));
            Assert.That(h.Gic.ExplainInterrupt(8200).Delivered, Is.True, h.Gic.ShowInterrupt(8200));
        }

        [Test]
        public void LpiBeyondTheIdBits()
        {
            using var h = new ItsHarness();
            h.EnableLpis(0, idBits: 14);
            AssertOnlyBlock(h.Gic.ExplainInterrupt(20000, 0), GicDeliveryBlock.LpiOutOfRange);
        }

        [Test]
        public void ItsTablesShouldBeShownAsTheItsReadsThem()
        {
            using var h = new ItsHarness();
            h.EnableLpisEverywhere();
            h.SetLpiConfiguration(8300, 0xA0);
            h.SetUpIts();
            h.MapEvent(3, 2, 8300, icid: 1, processor: 1);
            h.Its.SendMsi(3, 2);
            var devices = h.Its.ShowDevices();
            Assert.That(devices, Does.Contain("DeviceID").And.Match(@"\n3\s+8\s+0x40603000\s+1"));
            var events = h.Its.ShowEvents(3);
            Assert.That(events, Does.Match(@"\n2\s+LPI\s+8300\s+ICID 1 -> cpu1\s+-\s+pending"));
            Assert.That(h.Its.ShowEvents(9), Does.Contain("not mapped"));
            Assert.That(h.Its.ShowCollections(), Does.Match(@"\n1\s+cpu1\s+LPIs enabled"));
            Assert.That(h.Its.ShowVPEs(), Does.Contain("no virtual LPI support"));
            var queue = h.Its.ShowQueue();
            Assert.That(queue, Does.Contain("MAPD").And.Contain("MAPTI").And.Contain("DeviceID=3 EventID=2 pINTID=8300 ICID=1").And.Contain("done"));
            h.Commands(ItsCommandBuilder.Mapti(3, 300, 8301, 1)); // EventID beyond the 8 bits of the device
            Assert.That(h.Its.ShowQueue(), Does.Contain("skipped"));
        }

        [Test]
        public void MonitorShouldReachTheInspectorByName()
        {
            var output = new StringWriter();
            var monitor = new RenodeGic.Host.Monitor.Monitor(output, new StringWriter()) { RootDirectory = ToolingRun.Root };
            monitor.ExecuteScriptText("mach create\nmachine LoadPlatformDescription @platforms/virt-gicv3-its.repl\nemulation RunFor \"0\"\ngic\ngic ShowInterrupt 33\nits ShowQueue\nits ShowDevices",
                "<test>", ToolingRun.Root);
            monitor.Machine?.Dispose();
            var text = output.ToString();
            Assert.That(text, Does.Contain("GICD_CTLR").And.Contain("PMR").And.Contain("cpu3"));
            Assert.That(text, Does.Contain("INTID 33").And.Contain("Not delivered").And.Contain("disabled"));
            Assert.That(text, Does.Contain("GITS_CBASER").And.Contain("no device mapped"));
        }
    }
}
