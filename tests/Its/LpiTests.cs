// LPIs at the Redistributor and CPU interface: GICD/GICR identification, EnableLPIs, the property-table cache
// (invisible until INV/INVALL/GICR_INVLPIR/GICR_INVALLR), priorities with HPPIR/IAR, no active state, direct LPIs,
// the pending table (read on enable unless PTZ, written back on GICR_SYNCR).
using NUnit.Framework;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests.Its
{
    [TestFixture]
    public class LpiTests
    {
        [SetUp]
        public void SetUp()
        {
            h = new ItsHarness(createIts: false, directLpi: true);
        }

        [TearDown]
        public void TearDown()
        {
            h.Dispose();
        }

        [Test]
        public void ShouldReportLpiSupportLikeQemu()
        {
            Assert.That(h.Gic.ReadDoubleWordFromDistributor(0x4), Is.EqualTo(0x057A0007u), "GICD_TYPER: LPIS = 1, IDbits = 15 (QEMU: 0x037a0007, No1N/RSS differ)");
            var typer = h.ReadGicr(0, ItsHarness.GICR_TYPER);
            Assert.That(typer & 1, Is.EqualTo(1ul), "PLPIS");
            Assert.That((typer >> 3) & 1, Is.EqualTo(1ul), "DirectLPI with directLpi: true");
            using var plain = new ItsHarness(createIts: false);
            Assert.That((plain.ReadGicr(0, ItsHarness.GICR_TYPER) >> 3) & 1, Is.Zero, "DirectLPI = 0 by default (as QEMU)");
        }

        [Test]
        public void ShouldReportMoreIdBitsWhenConfigured()
        {
            using var wide = new ItsHarness(createIts: false, lpiIdBits: 18);
            Assert.That((wide.Gic.ReadDoubleWordFromDistributor(0x4) >> 19) & 0x1F, Is.EqualTo(17u));
            Assert.That((wide.ReadSys(0, Sys.ICC_CTLR_EL1) >> 11) & 7, Is.EqualTo(1ul), "ICC_CTLR_EL1.IDbits = 24 bits");
            Assert.That((h.ReadSys(0, Sys.ICC_CTLR_EL1) >> 11) & 7, Is.Zero, "16 bits by default");
        }

        [Test]
        public void ShouldDeliverDirectLpiWithPriorityFromTheTable()
        {
            h.SetLpiConfiguration(8200, 0x80);
            h.EnableLpis(0);
            Assert.That(h.ReadGicr32(0, ItsHarness.GICR_CTLR) & 1, Is.EqualTo(1u), "EnableLPIs");
            h.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, 8200);
            Assert.That(h.Irq[0].Level, Is.True);
            Assert.That(h.Hppir(0), Is.EqualTo(8200));
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(8200ul));
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0x80ul), "running priority from the property table");
            Assert.That(h.Irq[0].Level, Is.False, "acknowledged: no longer pending (no active state)");
            h.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, 8200);
            Assert.That(h.Hppir(0), Is.EqualTo(8200), "pending again while the first is still being handled: LPIs have no active state");
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 8200);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xFFul), "EOI drops the priority");
            Assert.That(h.Irq[0].Level, Is.True);
            h.WriteGicrQuad(0, ItsHarness.GICR_CLRLPIR, 8200);
            Assert.That(h.Irq[0].Level, Is.False, "GICR_CLRLPIR");
            Assert.That(h.Hppir(0), Is.EqualTo(1023));
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [Test]
        public void ShouldOrderLpisByPriorityThenIntid()
        {
            h.SetLpiConfiguration(9000, 0xA0);
            h.SetLpiConfiguration(8500, 0x40);
            h.SetLpiConfiguration(8400, 0x40);
            h.SetLpiConfiguration(10000, 0x20);
            h.EnableLpis(0);
            foreach(var intid in new[] { 9000, 8500, 8400, 10000 })
            {
                h.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, (ulong)intid);
            }
            Assert.That(h.Hppir(0), Is.EqualTo(10000));
            var order = new int[4];
            for(var i = 0; i < 4; i++)
            {
                order[i] = h.AcknowledgeAndEnd(0);
            }
            Assert.That(order, Is.EqualTo(new[] { 10000, 8400, 8500, 9000 }));
            Assert.That(h.AcknowledgeAndEnd(0), Is.EqualTo(1023));
        }

        [Test]
        public void ShouldPreferTheLowerIntidAtEqualPriorityAgainstSgisAndPpis()
        {
            h.SetLpiConfiguration(8192, 0xA0);
            h.EnableLpis(0);
            // SGI 3 at priority 0xA0 (GicHarness-style set-up through the SGI_base frame).
            h.Gic.WriteByteToRedistributor(0x10000 + 0x400 + 3, 0xA0);
            h.Gic.WriteDoubleWordToRedistributor(0x10000 + 0x100, 1u << 3);
            h.Gic.WriteDoubleWordToRedistributor(0x10000 + 0x200, 1u << 3);
            h.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, 8192);
            Assert.That(h.Hppir(0), Is.EqualTo(3), "equal priority: lower INTID first");
            h.SetLpiConfiguration(8192, 0x98);
            h.WriteGicrQuad(0, ItsHarness.GICR_INVLPIR, 8192);
            Assert.That(h.Hppir(0), Is.EqualTo(8192), "a higher-priority LPI beats the SGI");
        }

        [Test]
        public void ShouldIgnorePropertyTableChangesUntilInvalidated()
        {
            h.SetLpiConfiguration(8300, 0x80);
            h.SetLpiConfiguration(8301, 0x90, enabled: false);
            h.EnableLpis(0);
            h.SetLpiConfiguration(8300, 0x80, enabled: false);
            h.SetLpiConfiguration(8301, 0x90, enabled: true);
            h.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, 8300);
            h.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, 8301);
            Assert.That(h.Hppir(0), Is.EqualTo(8300), "cached configuration: 8300 enabled, 8301 disabled");
            h.WriteGicrQuad(0, ItsHarness.GICR_INVLPIR, 8301);
            Assert.That(h.Hppir(0), Is.EqualTo(8300), "8301 now enabled but lower priority");
            h.WriteGicrQuad(0, ItsHarness.GICR_INVLPIR, 8300);
            Assert.That(h.Hppir(0), Is.EqualTo(8301), "8300 disabled: stays pending, not signalled");
            h.SetLpiConfiguration(8300, 0x10);
            h.WriteGicrQuad(0, ItsHarness.GICR_INVALLR, 0);
            Assert.That(h.Hppir(0), Is.EqualTo(8300), "INVALLR re-reads everything; 8300 was still pending");
            Assert.That(h.ReadGicr32(0, ItsHarness.GICR_SYNCR), Is.Zero, "GICR_SYNCR.Busy");
        }

        [Test]
        public void ShouldReadThePendingTableOnEnableUnlessPtz()
        {
            h.SetLpiConfiguration(8195, 0x80);
            h.Bus.WriteByte(ItsHarness.PendingTableOf(0) + 8195 / 8, 1 << (8195 % 8));
            h.Bus.WriteByte(ItsHarness.PendingTableOf(1) + 8195 / 8, 1 << (8195 % 8));
            h.EnableLpis(0, pendingTableZero: false);
            h.EnableLpis(1, pendingTableZero: true);
            Assert.That(h.Hppir(0), Is.EqualTo(8195), "pending from the table");
            Assert.That(h.Hppir(1), Is.EqualTo(1023), "PTZ: the table is known to be zero and not read");
        }

        [Test]
        public void ShouldWriteThePendingTableBackOnSyncr()
        {
            h.SetLpiConfiguration(8195, 0x80, enabled: false);
            h.EnableLpis(0);
            h.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, 8195);
            h.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, 9000);
            h.Bus.WriteByte(ItsHarness.PendingTableOf(0) + 5, 0x5A); // INTIDs below 8192: IMPDEF area, left alone
            Assert.That(h.Bus.ReadByte(ItsHarness.PendingTableOf(0) + 8195 / 8), Is.Zero, "not written before a sync point");
            h.ReadGicr32(0, ItsHarness.GICR_SYNCR);
            Assert.That(h.Bus.ReadByte(ItsHarness.PendingTableOf(0) + 8195 / 8), Is.EqualTo((byte)(1 << (8195 % 8))));
            Assert.That(h.Bus.ReadByte(ItsHarness.PendingTableOf(0) + 9000 / 8), Is.EqualTo((byte)(1 << (9000 % 8))));
            Assert.That(h.Bus.ReadByte(ItsHarness.PendingTableOf(0) + 5), Is.EqualTo((byte)0x5A));
            h.WriteGicrQuad(0, ItsHarness.GICR_CLRLPIR, 9000);
            h.Gic.FlushLpiPendingTables();
            Assert.That(h.Bus.ReadByte(ItsHarness.PendingTableOf(0) + 9000 / 8), Is.Zero);
        }

        [Test]
        public void ShouldNotClearEnableLpisOrChangeTableBasesOnceEnabled()
        {
            h.EnableLpis(0);
            var propbaser = h.ReadGicr(0, ItsHarness.GICR_PROPBASER);
            h.WriteGicr(0, ItsHarness.GICR_CTLR, 0);
            h.WriteGicrQuad(0, ItsHarness.GICR_PROPBASER, 0x4000_0000 | 15);
            Assert.That(h.ReadGicr32(0, ItsHarness.GICR_CTLR) & 1, Is.EqualTo(1u), "EnableLPIs sticks (IMPDEF, as QEMU)");
            Assert.That(h.ReadGicr(0, ItsHarness.GICR_PROPBASER), Is.EqualTo(propbaser));
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(2));
        }

        [Test]
        public void ShouldDropLpisBeyondPropbaserIdBitsOrWithLpisDisabled()
        {
            h.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, 8192);
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1), "EnableLPIs = 0");
            h.SetLpiConfiguration(16383, 0x80);
            h.EnableLpis(0, idBits: 14);
            h.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, 16384);
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(2), "beyond 14 ID bits");
            h.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, 16383);
            Assert.That(h.Hppir(0), Is.EqualTo(16383));
        }

        [Test]
        public void ShouldIgnoreDirectLpiRegistersWithoutDirectLpi()
        {
            using var plain = new ItsHarness(createIts: false);
            plain.SetLpiConfiguration(8192, 0x80);
            plain.EnableLpis(0);
            plain.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, 8192);
            Assert.That(plain.Hppir(0), Is.EqualTo(1023));
            Assert.That(plain.Log.GuestErrors, Has.Count.EqualTo(1));
            Assert.That(plain.Log.GuestErrors[0].Message, Does.Contain("DirectLPI = 0"));
        }

        [Test]
        public void ShouldNotSignalLpisWithGroup1Disabled()
        {
            h.SetLpiConfiguration(8192, 0x80);
            h.EnableLpis(0);
            h.WriteSys(0, Sys.ICC_IGRPEN1_EL1, 0);
            h.WriteGicrQuad(0, ItsHarness.GICR_SETLPIR, 8192);
            Assert.That(h.Irq[0].Level, Is.False);
            h.WriteSys(0, Sys.ICC_IGRPEN1_EL1, 1);
            Assert.That(h.Irq[0].Level, Is.True);
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0x80);
            Assert.That(h.Irq[0].Level, Is.False, "priority equal to PMR is masked");
        }

        private ItsHarness h = null!;
    }
}
