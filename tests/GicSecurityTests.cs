// Two security states (supportsTwoSecurityStates: true, GICD_CTLR.DS = 0): group-to-line routing for a processor in
// Non-secure EL1/EL2, banked CPU-interface registers, Non-secure priority views, NSACR-gated SGIs, setting DS.
using NUnit.Framework;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class SecurityStateTests
    {
        [SetUp]
        public void SetUp()
        {
            h = new GicHarness(cpuCount: 2, supportsTwoSecurityStates: true);
            h.WriteGicd(0x0, 0x7); // EnableGrp0 | EnableGrp1NS | EnableGrp1S
            for(var cpu = 0; cpu < 2; cpu++)
            {
                h.WriteGicr(cpu, 0x14, 0);
                h.Cpus[cpu].ExceptionLevel = 3;
                h.WriteSys(cpu, Sys.ICC_PMR_EL1, 0xFF);
                h.WriteSys(cpu, Sys.ICC_IGRPEN0_EL1, 1);
                h.WriteSys(cpu, Sys.ICC_IGRPEN1_EL3, 0x3);
                h.Cpus[cpu].ExceptionLevel = 1;
            }
        }

        [TearDown]
        public void TearDown()
        {
            h.Dispose();
        }

        [Test]
        public void ShouldReadSecureViewOfCtlr()
        {
            Assert.That(h.ReadGicd(0x0), Is.EqualTo(0x37u), "EnableGrp0/1NS/1S, ARE_S, ARE_NS");
        }

        [TestCase(false, false, false, true, TestName = "Group 0 goes to FIQ")]
        [TestCase(false, true, false, true, TestName = "Secure Group 1 goes to FIQ")]
        [TestCase(true, false, true, false, TestName = "Non-secure Group 1 goes to IRQ")]
        public void ShouldRouteGroupsToLines(bool group, bool modifier, bool irq, bool fiq)
        {
            ConfigureSpi(40, group, modifier);
            h.Gic.OnGPIO(8, true);
            Assert.That(h.Irq[0].Level, Is.EqualTo(irq));
            Assert.That(h.Fiq[0].Level, Is.EqualTo(fiq));
        }

        [Test]
        public void ShouldReturnSpecialIntidsToEl3Group0Reads()
        {
            ConfigureSpi(40, group: true, modifier: false);
            h.Gic.OnGPIO(8, true);
            h.Cpus[0].ExceptionLevel = 3;
            Assert.That(h.ReadSys(0, Sys.ICC_HPPIR0_EL1), Is.EqualTo(1021ul), "Non-secure Group 1 pending");
            Assert.That(h.ReadSys(0, Sys.ICC_IAR0_EL1), Is.EqualTo(1021ul));
            h.Gic.OnGPIO(8, false);
            ConfigureSpi(41, group: false, modifier: true);
            h.Gic.OnGPIO(9, true);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR0_EL1), Is.EqualTo(1020ul), "Secure Group 1 pending");
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(41ul), "EL3 acknowledges Secure Group 1 through IAR1");
            h.Cpus[0].ExceptionLevel = 1;
        }

        [Test]
        public void ShouldNotLetNonSecureIar1AcknowledgeSecureGroup1()
        {
            ConfigureSpi(41, group: false, modifier: true);
            h.Gic.OnGPIO(9, true);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
            Assert.That(h.ReadSys(0, Sys.ICC_HPPIR0_EL1), Is.EqualTo(1023ul), "not EL3: no 1020");
        }

        [Test]
        public void ShouldShowNonSecureViewOfPmr()
        {
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0xFF);
            Assert.That(h.ReadSys(0, Sys.ICC_PMR_EL1), Is.EqualTo(0xF0ul), "(0xF8 << 1) & 0xFF");
            h.Cpus[0].ExceptionLevel = 3;
            Assert.That(h.ReadSys(0, Sys.ICC_PMR_EL1), Is.EqualTo(0xF8ul));
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0x40);
            h.Cpus[0].ExceptionLevel = 1;
            Assert.That(h.ReadSys(0, Sys.ICC_PMR_EL1), Is.Zero, "Secure range reads as zero");
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0xFF);
            h.Cpus[0].ExceptionLevel = 3;
            Assert.That(h.ReadSys(0, Sys.ICC_PMR_EL1), Is.EqualTo(0x40ul), "Non-secure write ignored");
        }

        [Test]
        public void ShouldBankGroup1EnableBetweenSecurityStates()
        {
            h.WriteSys(0, Sys.ICC_IGRPEN1_EL1, 0); // Non-secure copy
            h.Cpus[0].ExceptionLevel = 3;
            Assert.That(h.ReadSys(0, Sys.ICC_IGRPEN1_EL3), Is.EqualTo(0x2ul), "EnableGrp1S still set");
            Assert.That(h.ReadSys(0, Sys.ICC_IGRPEN1_EL1), Is.EqualTo(1ul), "EL3 sees the Secure copy");
        }

        [Test]
        public void ShouldBankEoiModeBetweenSecurityStates()
        {
            h.WriteSys(0, Sys.ICC_CTLR_EL1, 0x2);
            h.Cpus[0].ExceptionLevel = 3;
            Assert.That(h.ReadSys(0, Sys.ICC_CTLR_EL3) & 0x1C, Is.EqualTo(0x10ul), "EOImode_EL1NS only");
            Assert.That(h.ReadSys(0, Sys.ICC_CTLR_EL1) & 0x2, Is.Zero, "Secure copy untouched");
            h.Cpus[0].ExceptionLevel = 1;
        }

        [Test]
        public void ShouldGateNonSecureSgiByNsacr()
        {
            h.WriteGicr(1, GicHarness.SgiBase + 0x80, 0xFFFF_FFFE); // SGI 0 is Group 0
            h.WriteGicr(1, GicHarness.SgiBase + 0x100, 0x1);
            h.WriteSys(0, Sys.ICC_SGI0R_EL1, Sys.SgiValue(0, 0b10));
            Assert.That(h.ReadGicr(1, GicHarness.SgiBase + 0x200) & 1, Is.Zero, "NSACR = 0");
            h.WriteGicr(1, GicHarness.SgiBase + 0xE00, 0x1);
            h.WriteSys(0, Sys.ICC_SGI0R_EL1, Sys.SgiValue(0, 0b10));
            Assert.That(h.ReadGicr(1, GicHarness.SgiBase + 0x200) & 1, Is.EqualTo(1u));
        }

        [Test]
        public void ShouldSendAlternateGroupWithAsgi1r()
        {
            h.WriteGicr(1, GicHarness.SgiBase + 0x80, 0xFFFF_FFFE);
            h.WriteGicr(1, GicHarness.SgiBase + 0xD00, 0x1); // SGI 0 is Secure Group 1
            h.WriteGicr(1, GicHarness.SgiBase + 0xE00, 0x2);
            h.WriteSys(0, Sys.ICC_SGI1R_EL1, Sys.SgiValue(0, 0b10));
            Assert.That(h.ReadGicr(1, GicHarness.SgiBase + 0x200) & 1, Is.Zero, "Non-secure SGI1R asks for Non-secure Group 1");
            h.WriteSys(0, Sys.ICC_ASGI1R_EL1, Sys.SgiValue(0, 0b10));
            Assert.That(h.ReadGicr(1, GicHarness.SgiBase + 0x200) & 1, Is.EqualTo(1u));
        }

        [Test]
        public void ShouldCollapseToOneSecurityStateWhenDsSet()
        {
            ConfigureSpi(40, group: false, modifier: true);
            h.WriteGicd(0x0, 0x47); // set DS
            Assert.That(h.ReadGicd(0x0) & 0x40, Is.EqualTo(0x40u));
            Assert.That(h.ReadGicd(GicHarness.Gicd("IGRPMODR", 1)), Is.Zero, "RAZ with DS = 1");
            h.Gic.OnGPIO(8, true);
            Assert.That(h.Fiq[0].Level, Is.True, "former Secure Group 1 is now Group 0");
            Assert.That(h.ReadSys(0, Sys.ICC_IAR0_EL1), Is.EqualTo(40ul));
            h.WriteGicd(0x0, 0x3);
            Assert.That(h.ReadGicd(0x0) & 0x40, Is.EqualTo(0x40u), "DS stays set until reset");
        }

        private void ConfigureSpi(int intid, bool group, bool modifier)
        {
            h.Gic.WriteQuadWordToDistributor(0x6000 + 8L * intid, 0);
            h.Gic.WriteByteToDistributor(0x400 + intid, 0x80);
            var bit = 1u << (intid % 32);
            var groupOffset = 0x80 + 4L * (intid / 32);
            var modifierOffset = 0xD00 + 4L * (intid / 32);
            h.WriteGicd(groupOffset, group ? h.ReadGicd(groupOffset) | bit : h.ReadGicd(groupOffset) & ~bit);
            h.WriteGicd(modifierOffset, modifier ? h.ReadGicd(modifierOffset) | bit : h.ReadGicd(modifierOffset) & ~bit);
            h.WriteGicd(0x100 + 4L * (intid / 32), bit);
        }

        private GicHarness h = null!;
    }
}
