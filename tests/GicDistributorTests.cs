// Distributor (GICD_*) behaviour: reset values, access widths, RO/WI/W1S/W1C semantics, SPI routing.
using Antmicro.Renode.Peripherals.IRQControllers;
using NUnit.Framework;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class DistributorTests
    {
        [SetUp]
        public void SetUp()
        {
            h = new GicHarness();
        }

        [TearDown]
        public void TearDown()
        {
            h.Dispose();
        }

        [TestCase(224, 0x057A0007u, TestName = "GICD_TYPER for 224 SPIs")]
        [TestCase(32, 0x057A0001u, TestName = "GICD_TYPER for 32 SPIs")]
        [TestCase(988, 0x057A001Fu, TestName = "GICD_TYPER for 988 SPIs")]
        [TestCase(100, 0x057A0004u, TestName = "GICD_TYPER rounds SPIs up to a block of 32")]
        public void ShouldReportTyper(int spis, uint expected)
        {
            using var gic = new GicHarness(numberOfSPIs: spis);
            Assert.That(gic.ReadGicd(0x4), Is.EqualTo(expected));
        }

        [Test]
        public void ShouldReportSecurityExtnWithTwoSecurityStates()
        {
            using var gic = new GicHarness(supportsTwoSecurityStates: true);
            Assert.That(gic.ReadGicd(0x4) & (1u << 10), Is.Not.Zero);
            Assert.That(gic.ReadGicd(0x0), Is.EqualTo(0x30u), "ARE_S and ARE_NS, DS = 0");
        }

        [Test]
        public void ShouldResetCtlrToAffinityRoutingWithSingleSecurityState()
        {
            Assert.That(h.ReadGicd(0x0), Is.EqualTo(0x50u));
        }

        [Test]
        public void ShouldReadCtlrLikeQemuAfterEnablingGroup1()
        {
            h.WriteGicd(0x0, 0x2);
            Assert.That(h.ReadGicd(0x0), Is.EqualTo(0x52u));
        }

        [Test]
        public void ShouldKeepAreAndDsWhenWritingZeroAndIgnoreRwp()
        {
            h.WriteGicd(0x0, 0x8000_0083);
            Assert.That(h.ReadGicd(0x0), Is.EqualTo(0xD3u), "EnableGrp0, EnableGrp1, ARE, DS, E1NWF; RWP reads 0");
            h.WriteGicd(0x0, 0);
            Assert.That(h.ReadGicd(0x0), Is.EqualTo(0x50u));
        }

        [TestCase(0x8L, 0x43Bu, TestName = "GICD_IIDR")]
        [TestCase(0xCL, 0x0u, TestName = "GICD_TYPER2")]
        [TestCase(0x10L, 0x0u, TestName = "GICD_STATUSR")]
        [TestCase(0xFFE0L, 0x92u, TestName = "GICD_PIDR0")]
        [TestCase(0xFFE8L, 0x3Bu, TestName = "GICD_PIDR2 ArchRev 3")]
        [TestCase(0xFFF0L, 0x0Du, TestName = "GICD_CIDR0")]
        [TestCase(0xFFFCL, 0xB1u, TestName = "GICD_CIDR3")]
        public void ShouldReportIdentification(long offset, uint expected)
        {
            Assert.That(h.ReadGicd(offset), Is.EqualTo(expected));
            h.WriteGicd(offset, 0xFFFF_FFFF);
            Assert.That(h.ReadGicd(offset), Is.EqualTo(expected), "read-only");
        }

        [Test]
        public void ShouldReportArchRev4ForGicV4()
        {
            using var gic = new GicHarness(architectureRevision: 4);
            Assert.That(gic.ReadGicd(0xFFE8), Is.EqualTo(0x4Bu));
        }

        [Test]
        public void ShouldResetSpisToGroup1AndPrivateRangeRaz()
        {
            Assert.That(h.ReadGicd(GicHarness.Gicd("IGROUPR", 0)), Is.Zero, "INTIDs 0-31 live in the redistributor");
            Assert.That(h.ReadGicd(GicHarness.Gicd("IGROUPR", 1)), Is.EqualTo(0xFFFF_FFFFu));
            Assert.That(h.ReadGicd(GicHarness.Gicd("IGROUPR", 7)), Is.EqualTo(0xFFFF_FFFFu));
            Assert.That(h.ReadGicd(GicHarness.Gicd("IGROUPR", 8)), Is.Zero, "beyond 224 SPIs");
        }

        [Test]
        public void ShouldResetSpisToGroup0WithTwoSecurityStates()
        {
            using var gic = new GicHarness(supportsTwoSecurityStates: true);
            Assert.That(gic.ReadGicd(GicHarness.Gicd("IGROUPR", 1)), Is.Zero);
        }

        [Test]
        public void ShouldIgnoreWritesToPrivateRangeOfDistributorFamilies()
        {
            h.WriteGicd(GicHarness.Gicd("ISENABLER", 0), 0xFFFF_FFFF);
            h.WriteGicd(GicHarness.Gicd("IPRIORITYR", 0), 0xFFFF_FFFF);
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISENABLER", 0)), Is.Zero);
            Assert.That(h.ReadGicd(GicHarness.Gicd("IPRIORITYR", 0)), Is.Zero);
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x100), Is.Zero, "did not leak into the redistributor");
        }

        [Test]
        public void ShouldTreatIgrpmodrAsRazWiWithSingleSecurityState()
        {
            h.WriteGicd(GicHarness.Gicd("IGRPMODR", 1), 0xFFFF_FFFF);
            Assert.That(h.ReadGicd(GicHarness.Gicd("IGRPMODR", 1)), Is.Zero);
            h.WriteGicd(GicHarness.Gicd("NSACR", 2), 0xFFFF_FFFF);
            Assert.That(h.ReadGicd(GicHarness.Gicd("NSACR", 2)), Is.Zero);
        }

        [Test]
        public void ShouldStoreIgrpmodrAndNsacrWithTwoSecurityStates()
        {
            using var gic = new GicHarness(supportsTwoSecurityStates: true);
            gic.WriteGicd(GicHarness.Gicd("IGRPMODR", 1), 0x8000_0001);
            gic.WriteGicd(GicHarness.Gicd("NSACR", 2), 0x0000_0009);
            Assert.That(gic.ReadGicd(GicHarness.Gicd("IGRPMODR", 1)), Is.EqualTo(0x8000_0001u));
            Assert.That(gic.ReadGicd(GicHarness.Gicd("NSACR", 2)), Is.EqualTo(0x9u));
        }

        [Test]
        public void ShouldSetAndClearEnablesWithSetAndClearRegisters()
        {
            var isenabler = GicHarness.Gicd("ISENABLER", 1);
            var icenabler = GicHarness.Gicd("ICENABLER", 1);
            h.WriteGicd(isenabler, 0b1010);
            h.WriteGicd(isenabler, 0b0100);
            Assert.That(h.ReadGicd(isenabler), Is.EqualTo(0b1110u), "writing zero bits has no effect");
            h.WriteGicd(icenabler, 0b0010);
            Assert.That(h.ReadGicd(icenabler), Is.EqualTo(0b1100u));
            Assert.That(h.ReadGicd(isenabler), Is.EqualTo(0b1100u));
        }

        [Test]
        public void ShouldSetAndClearPendingAndActive()
        {
            h.WriteGicd(GicHarness.Gicd("ISPENDR", 2), 0x11);
            h.WriteGicd(GicHarness.Gicd("ICPENDR", 2), 0x01);
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISPENDR", 2)), Is.EqualTo(0x10u));
            h.WriteGicd(GicHarness.Gicd("ISACTIVER", 2), 0x3);
            h.WriteGicd(GicHarness.Gicd("ICACTIVER", 2), 0x1);
            Assert.That(h.ReadGicd(GicHarness.Gicd("ICACTIVER", 2)), Is.EqualTo(0x2u));
        }

        [Test]
        public void ShouldKeepLevelInterruptPendingWhileLineHighDespiteIcpendr()
        {
            h.Gic.OnGPIO(0, true); // INTID 32, level by default
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISPENDR", 1)) & 1, Is.EqualTo(1u));
            h.WriteGicd(GicHarness.Gicd("ICPENDR", 1), 1);
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISPENDR", 1)) & 1, Is.EqualTo(1u));
            h.Gic.OnGPIO(0, false);
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISPENDR", 1)) & 1, Is.Zero);
        }

        [Test]
        public void ShouldLatchEdgeInterruptOnRisingEdgeOnly()
        {
            h.WriteGicd(GicHarness.Gicd("ICFGR", 2), 0x2); // INTID 32 edge
            h.Gic.OnGPIO(0, true);
            h.Gic.OnGPIO(0, false);
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISPENDR", 1)) & 1, Is.EqualTo(1u), "latched");
            h.WriteGicd(GicHarness.Gicd("ICPENDR", 1), 1);
            h.Gic.OnGPIO(0, false);
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISPENDR", 1)) & 1, Is.Zero, "no edge, no pending");
        }

        [Test]
        public void ShouldAccessPriorityByByteAndWord()
        {
            h.Gic.WriteByteToDistributor(0x400 + 41, 0x80);
            h.WriteGicd(0x400 + 44, 0x11223344);
            Assert.That(h.ReadGicd(0x400 + 40), Is.EqualTo(0x0000_8000u));
            Assert.That(h.Gic.ReadByteFromDistributor(0x400 + 46), Is.EqualTo(0x22));
            Assert.That(h.Gic.ReadByteFromDistributor(0x400 + 41), Is.EqualTo(0x80), "8 bits kept in the distributor (as QEMU)");
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [Test]
        public void ShouldKeepOnlyOddIcfgrBits()
        {
            h.WriteGicd(GicHarness.Gicd("ICFGR", 2), 0xFFFF_FFFF);
            Assert.That(h.ReadGicd(GicHarness.Gicd("ICFGR", 2)), Is.EqualTo(0xAAAA_AAAAu));
            Assert.That(h.ReadGicd(GicHarness.Gicd("ICFGR", 1)), Is.Zero, "PPI half of the distributor is RES0");
        }

        [Test]
        public void ShouldTreatUnimplementedSpisAsRazWi()
        {
            using var gic = new GicHarness(numberOfSPIs: 40); // INTIDs 32..71
            gic.WriteGicd(GicHarness.Gicd("ISENABLER", 2), 0xFFFF_FFFF);
            Assert.That(gic.ReadGicd(GicHarness.Gicd("ISENABLER", 2)), Is.EqualTo(0xFFu));
            gic.Gic.WriteQuadWordToDistributor(0x6000 + 8 * 72, 0x1);
            Assert.That(gic.Gic.ReadQuadWordFromDistributor(0x6000 + 8 * 72), Is.Zero);
        }

        [TestCase(0x14L, TestName = "reserved offset 0x14")]
        [TestCase(0x8000L, TestName = "reserved offset 0x8000")]
        [TestCase(0x6000L, TestName = "IROUTER of INTID 0 (reserved)")]
        public void ShouldReadUnknownOffsetsAsZeroAndLogGuestError(long offset)
        {
            h.WriteGicd(offset, 0xFFFF_FFFF);
            Assert.That(h.ReadGicd(offset), Is.Zero);
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(2));
            Assert.That(h.Log.GuestErrors[1].Message, Does.Contain("gicd").And.Contain($"0x{offset:X}"));
        }

        [Test]
        public void ShouldRejectUnsupportedWidthsWithGuestError()
        {
            Assert.That(h.Gic.ReadWordFromDistributor(0x0), Is.Zero);
            Assert.That(h.Gic.ReadQuadWordFromDistributor(0x0), Is.Zero, "GICD_CTLR is 32-bit only");
            h.Gic.WriteByteToDistributor(0x0, 0x3);
            Assert.That(h.ReadGicd(0x0), Is.EqualTo(0x50u), "byte write to GICD_CTLR ignored");
            Assert.That(h.Gic.ReadDoubleWordFromDistributor(0x402), Is.Zero, "misaligned");
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(4));
            Assert.That(h.Log.GuestErrors[0].Message, Does.Contain("16-bit"));
        }

        [Test]
        public void ShouldStoreIrouterWithQuadAndHalfAccesses()
        {
            var offset = 0x6000 + 8L * 40;
            h.Gic.WriteQuadWordToDistributor(offset, 0xFFFF_FFFF_FFFF_FFFF);
            Assert.That(h.Gic.ReadQuadWordFromDistributor(offset), Is.EqualTo(0xFF_80FF_FFFFul), "Aff3, IRM, Aff2..0 only");
            h.WriteGicd(offset, 0x0000_0102);
            h.WriteGicd(offset + 4, 0x3);
            Assert.That(h.Gic.ReadQuadWordFromDistributor(offset), Is.EqualTo(0x3_0000_0102ul));
            Assert.That(h.ReadGicd(offset + 4), Is.EqualTo(0x3u));
            h.Gic.WriteByteToDistributor(offset + 1, 0x7);
            Assert.That(h.Gic.ReadByteFromDistributor(offset + 1), Is.EqualTo(0x7));
        }

        [Test]
        public void ShouldRouteSpiByIrouterAffinity()
        {
            h.EnableAll();
            h.ConfigureSpi(50, cpu: 1);
            h.WriteGicd(GicHarness.Gicd("ISPENDR", 1), 1u << 18);
            Assert.That(h.Irq[1].Level, Is.True);
            Assert.That(h.Irq[0].Level, Is.False);
            h.Gic.WriteQuadWordToDistributor(0x6000 + 8 * 50, 0);
            Assert.That(h.Irq[0].Level, Is.True, "re-routed to CPU 0 while pending");
            Assert.That(h.Irq[1].Level, Is.False);
        }

        [Test]
        public void ShouldNotDeliverSpiRoutedToAbsentAffinity()
        {
            h.EnableAll();
            h.ConfigureSpi(50);
            h.Gic.WriteQuadWordToDistributor(0x6000 + 8 * 50, 0x7);
            h.WriteGicd(GicHarness.Gicd("ISPENDR", 1), 1u << 18);
            Assert.That(h.Irq[0].Level || h.Irq[1].Level, Is.False);
        }

        [Test]
        public void ShouldRouteOneOfNToLowestParticipatingProcessor()
        {
            h.EnableAll();
            h.ConfigureSpi(60);
            h.Gic.WriteQuadWordToDistributor(0x6000 + 8 * 60, 1UL << 31);
            h.WriteGicd(GicHarness.Gicd("ISPENDR", 1), 1u << 28);
            Assert.That(h.Irq[0].Level, Is.True);
            h.WriteSys(0, Sys.ICC_IGRPEN1_EL1, 0);
            Assert.That(h.Irq[0].Level, Is.False);
            Assert.That(h.Irq[1].Level, Is.True, "CPU 0 no longer participates in Group 1");
            h.WriteGicr(1, 0x0, 1u << 25); // GICR_CTLR.DPG1NS
            Assert.That(h.Irq[1].Level, Is.False, "no participant left");
        }

        [Test]
        public void ShouldExcludeSleepingProcessorsFromOneOfN()
        {
            h.EnableAll();
            h.ConfigureSpi(60);
            h.Gic.WriteQuadWordToDistributor(0x6000 + 8 * 60, 1UL << 31);
            h.WriteGicr(0, 0x14, 0x2); // CPU 0 ProcessorSleep
            h.WriteGicd(GicHarness.Gicd("ISPENDR", 1), 1u << 28);
            Assert.That(h.Irq[1].Level, Is.True);
            Assert.That(h.Irq[0].Level, Is.False);
        }

        [Test]
        public void ShouldSignalGroup0SpiOnFiq()
        {
            h.EnableAll();
            h.ConfigureSpi(40, group1: false);
            h.Gic.OnGPIO(8, true);
            Assert.That(h.Fiq[0].Level, Is.True);
            Assert.That(h.Irq[0].Level, Is.False);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR0_EL1), Is.EqualTo(40ul));
        }

        [Test]
        public void ShouldNotSignalWhenGroupDisabledInDistributor()
        {
            h.EnableAll();
            h.ConfigureSpi(40);
            h.WriteGicd(0x0, 0x1); // Group 1 off
            h.Gic.OnGPIO(8, true);
            Assert.That(h.Irq[0].Level, Is.False);
            h.WriteGicd(0x0, 0x3);
            Assert.That(h.Irq[0].Level, Is.True);
        }

        [Test]
        public void ShouldChangeDeliveryWhenPriorityChangesWhilePending()
        {
            h.EnableAll();
            h.ConfigureSpi(40, priority: 0xA0);
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0x90);
            h.Gic.OnGPIO(8, true);
            Assert.That(h.Irq[0].Level, Is.False, "masked by PMR");
            h.Gic.WriteByteToDistributor(0x400 + 40, 0x80);
            Assert.That(h.Irq[0].Level, Is.True);
        }

        [Test]
        public void ShouldIgnoreMessageBasedSpiWritesWithGuestError()
        {
            h.WriteGicd(0x40, 40); // GICD_SETSPI_NSR
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISPENDR", 1)), Is.Zero);
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1));
            Assert.That(h.Log.GuestErrors[0].Message, Does.Contain("MBIS"));
        }

        [Test]
        public void ShouldIgnoreLegacyRegistersWithAffinityRouting()
        {
            h.EnableAll();
            h.ConfigurePrivate(1, 2);
            h.WriteGicd(0xF00, (1u << 17) | 2); // GICD_SGIR to CPU 1
            Assert.That(h.Irq[1].Level, Is.False);
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1));
            h.Gic.WriteByteToDistributor(0x800 + 40, 0x1); // ITARGETSR
            Assert.That(h.Gic.ReadByteFromDistributor(0x800 + 40), Is.Zero);
        }

        [Test]
        public void ShouldResetDistributorState()
        {
            h.EnableAll();
            h.ConfigureSpi(40);
            h.WriteGicd(GicHarness.Gicd("ISPENDR", 1), 1u << 8);
            Assert.That(h.Irq[0].Level, Is.True);
            h.Gic.Reset();
            Assert.That(h.Irq[0].Level, Is.False);
            Assert.That(h.ReadGicd(0x0), Is.EqualTo(0x50u));
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISENABLER", 1)), Is.Zero);
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISPENDR", 1)), Is.Zero);
            Assert.That(h.Gic.ReadQuadWordFromDistributor(0x6000 + 8 * 40), Is.Zero);
        }

        private GicHarness h = null!;
    }
}
