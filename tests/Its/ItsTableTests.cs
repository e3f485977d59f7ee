// ITS registers and table geometry: GITS_TYPER/IIDR/CTLR/BASER<n> as QEMU reports them, flat and two-level
// Device and Collection tables with 4K/16K/64K pages.
using NUnit.Framework;
using static RenodeGic.Tests.Its.ItsCommandBuilder;

namespace RenodeGic.Tests.Its
{
    [TestFixture]
    public class ItsTableTests
    {
        [SetUp]
        public void SetUp()
        {
            h = new ItsHarness(cpuCount: 2);
            h.SetLpiConfiguration(8192, 0xA0);
            h.EnableLpisEverywhere();
        }

        [TearDown]
        public void TearDown()
        {
            h.Dispose();
        }

        [Test]
        public void ShouldReportQemusIdentification()
        {
            Assert.That(h.ReadIts(ItsHarness.GITS_TYPER), Is.EqualTo(0x1f0001efb1ul), "GITS_TYPER as QEMU 7.2 gic-version=3");
            Assert.That(h.Its.ReadDoubleWord(ItsHarness.GITS_TYPER + 4), Is.EqualTo(0x1fu), "upper half");
            Assert.That(h.Its.ReadDoubleWord(ItsHarness.GITS_IIDR), Is.EqualTo(0x43Bu));
            Assert.That(h.Its.ReadDoubleWord(0xFFE0), Is.EqualTo(0x94u), "GITS_PIDR0");
            Assert.That(h.Its.ReadDoubleWord(0xFFE8), Is.EqualTo(0x3Bu), "GITS_PIDR2: GICv3");
            Assert.That(h.Its.ReadDoubleWord(ItsHarness.GITS_CTLR), Is.EqualTo(0x8000_0000u), "disabled and quiescent");
            Assert.That(h.Its.Size, Is.EqualTo(0x20000L));
        }

        [Test]
        public void ShouldReportTheConfiguredIdBits()
        {
            var its = new Antmicro.Renode.Peripherals.IRQControllers.ArmGicV3Its(h.Machine, h.Gic, deviceIdBits: 20, eventIdBits: 10, collectionIdBits: 4, virtualLpis: true);
            var typer = its.ReadQuadWord(ItsHarness.GITS_TYPER);
            Assert.That((typer >> 13) & 0x1F, Is.EqualTo(19ul), "Devbits");
            Assert.That((typer >> 8) & 0x1F, Is.EqualTo(9ul), "ID_bits");
            Assert.That((typer >> 32) & 0xF, Is.EqualTo(3ul), "CIDbits");
            Assert.That((typer >> 1) & 1, Is.EqualTo(1ul), "Virtual");
            Assert.That((its.ReadQuadWord(ItsHarness.GITS_BASER0 + 16) >> 56) & 7, Is.EqualTo(2ul), "BASER2: vPE table");
        }

        [Test]
        public void BaserShouldKeepTypeAndEntrySizeReadOnly()
        {
            Assert.That(h.ReadIts(ItsHarness.GITS_BASER0), Is.EqualTo(0x0107_0000_0000_0200ul), "Devices, 8-byte entries, 64K pages");
            Assert.That(h.ReadIts(ItsHarness.GITS_BASER0 + 8), Is.EqualTo(0x0407_0000_0000_0200ul), "Collections");
            h.WriteIts(ItsHarness.GITS_BASER0, ulong.MaxValue);
            Assert.That(h.ReadIts(ItsHarness.GITS_BASER0), Is.EqualTo(0xF9E7_FFFF_FFFF_FFFFul));
            for(var n = 2; n < 8; n++)
            {
                h.WriteIts(ItsHarness.GITS_BASER0 + 8 * n, ulong.MaxValue);
                Assert.That(h.ReadIts(ItsHarness.GITS_BASER0 + 8 * n), Is.Zero, $"GITS_BASER{n} RAZ/WI");
            }
            h.Its.WriteDoubleWord(ItsHarness.GITS_BASER0 + 4, 0x8000_0000);
            Assert.That(h.ReadIts(ItsHarness.GITS_BASER0) >> 32, Is.EqualTo(0x8107_0000ul), "32-bit write of the upper half");
        }

        [TestCase(0, TestName = "Flat tables with 4K pages")]
        [TestCase(1, TestName = "Flat tables with 16K pages")]
        [TestCase(2, TestName = "Flat tables with 64K pages")]
        public void ShouldUseFlatTablesOfEveryPageSize(int pageSizeCode)
        {
            h.SetUpIts(pageSizeCode: pageSizeCode);
            var entriesPerPage = (0x1000u << (2 * pageSizeCode)) / 8;
            var last = entriesPerPage - 1;
            h.Commands(Mapd(last, 4, ItsHarness.IttOf(1)), Mapc(0, 1), Mapti(last, 3, 8192, 0));
            Assert.That(h.Bus.ReadQuadWord(ItsHarness.DeviceTableBase + 8UL * last) & 1, Is.EqualTo(1ul));
            Assert.That(h.Its.SendMsi(last, 3), Is.True);
            Assert.That(h.AcknowledgeAndEnd(1), Is.EqualTo(8192));
            h.Commands(Mapd(last + 1, 4, ItsHarness.IttOf(2)));
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1), "DeviceID beyond a one-page table");
        }

        [Test]
        public void ShouldWalkTwoLevelDeviceTables()
        {
            h.SetUpIts(twoLevelDevices: true, pageSizeCode: 0);
            // 4K pages: 512 DTEs per level-2 page. Level-1 entry 3 covers DeviceIDs 1536..2047.
            h.Bus.WriteQuadWord(ItsHarness.DeviceTableBase + 3 * 8, (1UL << 63) | ItsHarness.Level2Pages);
            h.Commands(Mapd(1600, 4, ItsHarness.IttOf(1)), Mapc(0, 0), Mapti(1600, 2, 8192, 0));
            Assert.That(h.Bus.ReadQuadWord(ItsHarness.Level2Pages + (1600 - 1536) * 8) & 1, Is.EqualTo(1ul), "DTE in the level-2 page");
            Assert.That(h.Its.SendMsi(1600, 2), Is.True);
            Assert.That(h.AcknowledgeAndEnd(0), Is.EqualTo(8192));
            Assert.That(h.Log.GuestErrors, Is.Empty);

            h.Commands(Mapd(100, 4, ItsHarness.IttOf(2)));
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1), "level-1 entry 0 is not valid: MAPD skipped");
            Assert.That(h.Its.SendMsi(100, 0), Is.False, "unbacked DeviceID reads as unmapped");
            Assert.That(h.CommandReader & 1, Is.Zero);
        }

        [Test]
        public void ShouldWalkTwoLevelCollectionTables()
        {
            h.SetUpIts(twoLevelCollections: true, pageSizeCode: 0);
            h.Bus.WriteQuadWord(ItsHarness.CollectionTableBase, (1UL << 63) | (ItsHarness.Level2Pages + 0x1000));
            h.Commands(Mapd(0, 4, ItsHarness.IttOf(0)), Mapc(5, 1), Mapti(0, 0, 8192, 5));
            Assert.That(h.Bus.ReadQuadWord(ItsHarness.Level2Pages + 0x1000 + 5 * 8) & 1, Is.EqualTo(1ul));
            Assert.That(h.Its.SendMsi(0, 0), Is.True);
            Assert.That(h.AcknowledgeAndEnd(1), Is.EqualTo(8192));
        }

        [Test]
        public void ShouldStallOnAFaultingLevel1Entry()
        {
            h.SetUpIts(twoLevelDevices: true, pageSizeCode: 0);
            h.Bus.AddFaultingRange(ItsHarness.DeviceTableBase, 0x1000);
            h.Commands(Mapd(5, 4, ItsHarness.IttOf(0)));
            Assert.That(h.CommandReader, Is.EqualTo(1ul), "Stalled at offset 0");
        }

        [Test]
        public void ShouldRejectCommandsWithoutValidTables()
        {
            h.WriteIts(ItsHarness.GITS_CBASER, (1UL << 63) | ItsHarness.CommandQueue);
            h.Its.WriteDoubleWord(ItsHarness.GITS_CTLR, 1);
            h.Commands(Mapd(0, 4, ItsHarness.IttOf(0)), Mapc(0, 0));
            Assert.That(h.CommandReader, Is.EqualTo(64ul));
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(2));
        }

        private ItsHarness h = null!;
    }
}
