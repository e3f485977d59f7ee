// Redistributor (GICR_*) behaviour: identification, power management, the SGI_base frame, PPI inputs,
// frame addressing across processors.
using NUnit.Framework;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class RedistributorTests
    {
        [SetUp]
        public void SetUp()
        {
            h = new GicHarness(cpuCount: 3);
        }

        [TearDown]
        public void TearDown()
        {
            h.Dispose();
        }

        [Test]
        public void ShouldReportProcessorNumberAffinityAndLast()
        {
            for(var cpu = 0; cpu < 3; cpu++)
            {
                var typer = h.ReadGicrQuad(cpu, 0x8);
                Assert.That((typer >> 8) & 0xFFFF, Is.EqualTo((ulong)cpu), "Processor_Number");
                Assert.That(typer >> 32, Is.EqualTo((ulong)cpu), "Affinity_Value");
                Assert.That((typer >> 4) & 1, Is.EqualTo(cpu == 2 ? 1ul : 0ul), "Last");
                Assert.That(typer & 1, Is.EqualTo(1ul), "PLPIS");
                Assert.That((typer >> 5) & 1, Is.EqualTo(1ul), "DPGS");
            }
        }

        [Test]
        public void ShouldEncodeAllAffinityLevelsInTyper()
        {
            using var gic = new GicHarness(cpuCount: 1, affinityOf: _ => 0x12_0034_5678UL);
            var typer = gic.ReadGicrQuad(0, 0x8);
            Assert.That(typer >> 32, Is.EqualTo(0x1234_5678ul));
            Assert.That(gic.ReadGicr(0, 0xC), Is.EqualTo(0x1234_5678u), "upper half by 32-bit access");
        }

        [Test]
        public void ShouldTreatFramesOfAbsentProcessorsAsRazWi()
        {
            Assert.That(h.ReadGicr(3, 0x8), Is.Zero);
            h.WriteGicr(3, 0x14, 0);
            Assert.That(h.Gic.ReadDoubleWordFromRedistributor(8 * 0x20000L), Is.Zero, "beyond maximumCPUs");
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(3));
            Assert.That(h.Log.GuestErrors[0].Message, Does.Contain("gicr"));
        }

        [Test]
        public void ShouldResetWakerAsleepAndFollowProcessorSleep()
        {
            Assert.That(h.ReadGicr(0, 0x14), Is.EqualTo(0x6u));
            h.WriteGicr(0, 0x14, 0);
            Assert.That(h.ReadGicr(0, 0x14), Is.Zero, "ChildrenAsleep clears with ProcessorSleep");
            Assert.That(h.ReadGicr(1, 0x14), Is.EqualTo(0x6u), "banked per processor");
            h.WriteGicr(0, 0x14, 0x2);
            Assert.That(h.ReadGicr(0, 0x14), Is.EqualTo(0x6u));
        }

        [Test]
        public void ShouldStoreDpgBits()
        {
            h.WriteGicr(0, 0x0, 0x0700_0000);
            Assert.That(h.ReadGicr(0, 0x0), Is.EqualTo(0x0300_0000u), "DPG0, DPG1NS; DPG1S RAZ with DS = 1 (EnableLPIs: tests/Its/)");
        }

        [TestCase(0x4L, 0x43Bu, TestName = "GICR_IIDR")]
        [TestCase(0x10L, 0x0u, TestName = "GICR_STATUSR")]
        [TestCase(0xC0L, 0x0u, TestName = "GICR_SYNCR")]
        [TestCase(0xFFE0L, 0x93u, TestName = "GICR_PIDR0")]
        [TestCase(0xFFE8L, 0x3Bu, TestName = "GICR_PIDR2")]
        public void ShouldReportReadOnlyRegisters(long offset, uint expected)
        {
            Assert.That(h.ReadGicr(1, offset), Is.EqualTo(expected));
            h.WriteGicr(1, offset, 0xFFFF_FFFF);
            Assert.That(h.ReadGicr(1, offset), Is.EqualTo(expected));
        }

        [Test]
        public void ShouldStorePropbaserAndPendbaserWithMasks()
        {
            h.Gic.WriteQuadWordToRedistributor(0x70, 0xFFFF_FFFF_FFFF_FFFF);
            h.Gic.WriteQuadWordToRedistributor(0x78, 0xFFFF_FFFF_FFFF_FFFF);
            Assert.That(h.ReadGicrQuad(0, 0x70), Is.EqualTo(0x0700_0FFF_FFFF_FF9Ful));
            Assert.That(h.ReadGicrQuad(0, 0x78), Is.EqualTo(0x0700_0FFF_FFFF_0F80ul), "PTZ reads as zero");
            h.WriteGicr(1, 0x74, 0x1);
            Assert.That(h.ReadGicrQuad(1, 0x70), Is.EqualTo(0x1_0000_0000ul));
            h.Gic.Reset();
            Assert.That(h.ReadGicrQuad(0, 0x70), Is.Zero);
        }

        [Test]
        public void ShouldResetSgiFrame()
        {
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x80), Is.EqualTo(0xFFFF_FFFFu), "IGROUPR0: Group 1 (one security state)");
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x100), Is.Zero);
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0xC00), Is.EqualTo(0xAAAA_AAAAu), "ICFGR0: SGIs are edge");
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0xC04), Is.Zero, "ICFGR1: PPIs level");
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x400), Is.Zero);
        }

        [Test]
        public void ShouldIgnoreWritesToSgiConfiguration()
        {
            h.WriteGicr(0, GicHarness.SgiBase + 0xC00, 0);
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0xC00), Is.EqualTo(0xAAAA_AAAAu));
            h.WriteGicr(0, GicHarness.SgiBase + 0xC04, 0xFFFF_FFFF);
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0xC04), Is.EqualTo(0xAAAA_AAAAu));
        }

        [Test]
        public void ShouldBankSgiFramePerProcessor()
        {
            h.WriteGicr(1, GicHarness.SgiBase + 0x100, 0x8000_0001);
            Assert.That(h.ReadGicr(1, GicHarness.SgiBase + 0x100), Is.EqualTo(0x8000_0001u));
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x100), Is.Zero);
            h.WriteGicr(1, GicHarness.SgiBase + 0x180, 0x1);
            Assert.That(h.ReadGicr(1, GicHarness.SgiBase + 0x100), Is.EqualTo(0x8000_0000u));
        }

        [Test]
        public void ShouldAccessPrivatePrioritiesByByte()
        {
            h.Gic.WriteByteToRedistributor(2 * 0x20000L + GicHarness.SgiBase + 0x41F, 0xC8);
            Assert.That(h.ReadGicr(2, GicHarness.SgiBase + 0x41C), Is.EqualTo(0xC800_0000u));
            Assert.That(h.Gic.ReadByteFromRedistributor(2 * 0x20000L + GicHarness.SgiBase + 0x41F), Is.EqualTo(0xC8));
            h.Gic.WriteByteToRedistributor(GicHarness.SgiBase + 0x100, 0x1);
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x100), Is.Zero, "ISENABLER0 is not byte-accessible");
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1));
        }

        [Test]
        public void ShouldStoreNsacrOnlyWithTwoSecurityStates()
        {
            h.WriteGicr(0, GicHarness.SgiBase + 0xE00, 0xFFFF_FFFF);
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0xE00), Is.Zero);
            using var secure = new GicHarness(cpuCount: 1, supportsTwoSecurityStates: true);
            secure.WriteGicr(0, GicHarness.SgiBase + 0xE00, 0x6);
            Assert.That(secure.ReadGicr(0, GicHarness.SgiBase + 0xE00), Is.EqualTo(0x6u));
        }

        [Test]
        public void ShouldKeepLevelPpiPendingWhileHighAndRependAfterEoi()
        {
            h.EnableAll();
            h.ConfigurePrivate(0, 30);
            var timer = h.Gic.GetLocalReceiver(0);
            timer.OnGPIO(14, true);
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x200), Is.EqualTo(1u << 30));
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(30ul));
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x300), Is.EqualTo(1u << 30), "active");
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x200), Is.EqualTo(1u << 30), "and still pending (line high)");
            Assert.That(h.Irq[0].Level, Is.False);
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 30);
            Assert.That(h.Irq[0].Level, Is.True, "re-pends: line still high");
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(30ul));
            timer.OnGPIO(14, false);
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 30);
            Assert.That(h.Irq[0].Level, Is.False);
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x200), Is.Zero);
        }

        [Test]
        public void ShouldLatchEdgePpiOnce()
        {
            h.EnableAll();
            h.ConfigurePrivate(1, 27);
            h.WriteGicr(1, GicHarness.SgiBase + 0xC04, 1u << (2 * 11 + 1)); // INTID 27 edge
            var receiver = h.Gic.GetLocalReceiver(1);
            receiver.OnGPIO(11, true);
            Assert.That(h.ReadSys(1, Sys.ICC_IAR1_EL1), Is.EqualTo(27ul));
            h.WriteSys(1, Sys.ICC_EOIR1_EL1, 27);
            Assert.That(h.Irq[1].Level, Is.False, "edge: no re-pend while the line stays high");
            receiver.OnGPIO(11, false);
            receiver.OnGPIO(11, true);
            Assert.That(h.Irq[1].Level, Is.True);
        }

        [Test]
        public void ShouldRouteLocalReceiverToItsOwnProcessorOnly()
        {
            h.EnableAll();
            h.ConfigurePrivate(0, 30);
            h.ConfigurePrivate(2, 30);
            h.Gic.GetLocalReceiver(2).OnGPIO(14, true);
            Assert.That(h.Irq[2].Level, Is.True);
            Assert.That(h.Irq[0].Level, Is.False);
        }

        [Test]
        public void ShouldIgnoreOutOfRangePpiInput()
        {
            h.Gic.GetLocalReceiver(0).OnGPIO(16, true);
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x200), Is.Zero);
            Assert.That(h.Log.Warnings, Has.Count.EqualTo(1));
        }

        [Test]
        public void ShouldLogUnknownRedistributorOffsets()
        {
            Assert.That(h.ReadGicr(0, 0x20), Is.Zero);
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x10), Is.Zero);
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(2));
            Assert.That(h.Log.GuestErrors[0].Message, Does.Contain("gicr0"));
        }

        private GicHarness h = null!;
    }
}
