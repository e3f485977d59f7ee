// ITS commands and translation: each command's effect on the tables in guest memory and on the Redistributors.
using NUnit.Framework;
using RenodeGic.Tests.Support;
using static RenodeGic.Tests.Its.ItsCommandBuilder;

namespace RenodeGic.Tests.Its
{
    [TestFixture]
    public class ItsCommandTests
    {
        [SetUp]
        public void SetUp()
        {
            h = new ItsHarness(cpuCount: 3);
            h.SetLpiConfiguration(8192, 0xA0);
            h.SetLpiConfiguration(8193, 0x80);
            h.SetLpiConfiguration(9000, 0x40);
            h.EnableLpisEverywhere();
            h.SetUpIts();
        }

        [TearDown]
        public void TearDown()
        {
            h.Dispose();
        }

        [Test]
        public void MapdShouldWriteTheDeviceTableEntry()
        {
            h.Commands(Mapd(3, 5, ItsHarness.IttOf(3)));
            var dte = h.Bus.ReadQuadWord(ItsHarness.DeviceTableBase + 3 * 8);
            Assert.That(dte & 1, Is.EqualTo(1ul), "Valid");
            Assert.That((dte >> 1) & 0x1F, Is.EqualTo(4ul), "Size = EventID bits - 1");
            Assert.That(((dte >> 6) & 0xFFF_FFFF_FFFFUL) << 8, Is.EqualTo(ItsHarness.IttOf(3)), "ITT address");
            h.Commands(Mapd(3, 5, 0, valid: false));
            Assert.That(h.Bus.ReadQuadWord(ItsHarness.DeviceTableBase + 3 * 8), Is.Zero, "V = 0 unmaps");
            Assert.That(h.CommandReader, Is.EqualTo(64ul));
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [Test]
        public void MapcShouldWriteTheCollectionTableEntry()
        {
            h.Commands(Mapc(7, 2));
            var cte = h.Bus.ReadQuadWord(ItsHarness.CollectionTableBase + 7 * 8);
            Assert.That(cte & 1, Is.EqualTo(1ul));
            Assert.That((cte >> 1) & 0xFFFF, Is.EqualTo(2ul), "processor number (PTA = 0)");
            h.Commands(Mapc(7, 0xFFFF, valid: false));
            Assert.That(h.Bus.ReadQuadWord(ItsHarness.CollectionTableBase + 7 * 8), Is.Zero, "V = 0: RDbase not checked");
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [Test]
        public void MaptiShouldWriteTheIteAtEventIdTimesTwelve()
        {
            h.Commands(Mapd(1, 8, ItsHarness.IttOf(1)), Mapc(4, 1), Mapti(1, 5, 8193, 4));
            var address = ItsHarness.IttOf(1) + 5 * 12;
            var low = h.Bus.ReadQuadWord(address);
            var high = h.Bus.ReadDoubleWord(address + 8);
            Assert.That(low & 3, Is.EqualTo(3ul), "Valid, physical");
            Assert.That((low >> 2) & 0xFF_FFFF, Is.EqualTo(8193ul), "INTID");
            Assert.That(high & 0xFFFF, Is.EqualTo(4u), "ICID");
            Assert.That(h.Bus.ReadQuadWord(ItsHarness.IttOf(1) + 4 * 12), Is.Zero, "neighbouring ITE untouched");
        }

        [Test]
        public void TranslaterWriteShouldDeliverTheLpiToTheCollectionsCpu()
        {
            h.MapEvent(0, 2, 8193, icid: 1, processor: 1);
            h.Its.WriteDoubleWord(ItsHarness.GITS_TRANSLATER, 2); // a CPU's write: DeviceID 0
            Assert.That(h.Irq[1].Level, Is.True);
            Assert.That(h.Irq[0].Level, Is.False);
            Assert.That(h.AcknowledgeAndEnd(1), Is.EqualTo(8193));
            Assert.That(h.Irq[1].Level, Is.False);
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [Test]
        public void SendMsiShouldUseTheDeviceId()
        {
            h.MapEvent(0x123, 1, 9000, icid: 2, processor: 2);
            Assert.That(h.Its.SendMsi(0x123, 1), Is.True);
            Assert.That(h.Its.SendMsi(0, 1), Is.False, "DeviceID 0 is not mapped");
            Assert.That(h.AcknowledgeAndEnd(2), Is.EqualTo(9000));
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1));
        }

        [Test]
        public void GpioInputsShouldSendMsisOnRisingEdges()
        {
            h.MapEvent(5, 3, 8193, icid: 0, processor: 0);
            var port = h.Its.GetLocalReceiver(5);
            port.OnGPIO(3, true);
            Assert.That(h.AcknowledgeAndEnd(0), Is.EqualTo(8193));
            port.OnGPIO(3, false);
            Assert.That(h.Hppir(0), Is.EqualTo(1023), "falling edge: nothing");
            h.MapEvent(0, 7, 8192, icid: 0, processor: 0);
            h.Its.OnGPIO(7, true);
            Assert.That(h.AcknowledgeAndEnd(0), Is.EqualTo(8192), "the ITS's own input is DeviceID 0");
        }

        [Test]
        public void MapiShouldUseTheEventIdAsIntid()
        {
            h.Commands(Mapd(2, 16, ItsHarness.IttOf(2)), Mapc(0, 0), Mapi(2, 9000, 0), Int(2, 9000));
            Assert.That(h.AcknowledgeAndEnd(0), Is.EqualTo(9000));
        }

        [Test]
        public void IntAndClearShouldSetAndClearPending()
        {
            h.MapEvent(0, 1, 8192);
            h.Commands(Int(0, 1));
            Assert.That(h.Hppir(0), Is.EqualTo(8192));
            h.Commands(Clear(0, 1));
            Assert.That(h.Hppir(0), Is.EqualTo(1023));
            Assert.That(h.Irq[0].Level, Is.False);
        }

        [Test]
        public void DiscardShouldClearPendingAndUnmapTheEvent()
        {
            h.MapEvent(0, 1, 8192);
            h.Commands(Int(0, 1), Discard(0, 1));
            Assert.That(h.Hppir(0), Is.EqualTo(1023));
            Assert.That(h.Bus.ReadQuadWord(ItsHarness.IttOf(0) + 12), Is.Zero, "ITE invalid");
            Assert.That(h.Its.SendMsi(0, 1), Is.False, "a discarded event never fires");
            Assert.That(h.Hppir(0), Is.EqualTo(1023));
        }

        [Test]
        public void InvShouldRefreshTheLpisConfiguration()
        {
            h.MapEvent(0, 1, 8192);
            h.SetLpiConfiguration(8192, 0xA0, enabled: false);
            h.Commands(Int(0, 1));
            Assert.That(h.Hppir(0), Is.EqualTo(8192), "configuration change invisible before INV");
            h.Commands(Inv(0, 1));
            Assert.That(h.Hppir(0), Is.EqualTo(1023), "disabled after INV (still pending)");
            h.SetLpiConfiguration(8192, 0x20);
            h.Commands(Invall(0));
            Assert.That(h.Hppir(0), Is.EqualTo(8192), "enabled again after INVALL");
            h.AcknowledgeAndEnd(0);
        }

        [Test]
        public void MoviShouldMoveTheMappingAndThePendingState()
        {
            h.MapEvent(0, 1, 8193, icid: 0, processor: 0);
            h.Commands(Mapc(1, 2), Int(0, 1));
            Assert.That(h.Irq[0].Level, Is.True);
            h.Commands(Movi(0, 1, 1));
            Assert.That(h.Irq[0].Level, Is.False, "no longer pending on CPU 0");
            Assert.That(h.Irq[2].Level, Is.True, "pending on CPU 2");
            Assert.That((h.Bus.ReadDoubleWord(ItsHarness.IttOf(0) + 12 + 8) & 0xFFFF), Is.EqualTo(1u), "ITE's ICID updated");
            Assert.That(h.AcknowledgeAndEnd(2), Is.EqualTo(8193));
            h.Its.SendMsi(0, 1);
            Assert.That(h.Hppir(2), Is.EqualTo(8193), "later MSIs go to the new collection");
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [Test]
        public void MoviShouldNotLeaveTheNewRedistributorWithAStaleConfiguration()
        {
            // Both Redistributors cache LPI 8194 as disabled; it is then enabled with an INV that reaches only CPU 0,
            // where it is mapped. After MOVI to CPU 2 (software sends no INV there), its MSIs must be signalled.
            h.SetLpiConfiguration(8194, 0xA0, enabled: false);
            h.MapEvent(0, 1, 8194, icid: 0, processor: 0);
            h.Commands(Mapc(1, 2), Invall(0), Invall(1));
            h.SetLpiConfiguration(8194, 0xA0, enabled: true);
            h.Commands(Inv(0, 1), Movi(0, 1, 1));
            Assert.That(h.Its.SendMsi(0, 1), Is.True);
            Assert.That(h.Hppir(2), Is.EqualTo(8194), "the moved LPI uses the configuration in memory");
            Assert.That(h.AcknowledgeAndEnd(2), Is.EqualTo(8194));
        }

        [Test]
        public void MovallShouldMoveEveryPendingLpi()
        {
            h.Commands(Mapd(0, 8, ItsHarness.IttOf(0)), Mapc(0, 0), Mapti(0, 0, 8192, 0), Mapti(0, 1, 8193, 0), Int(0, 0), Int(0, 1), Movall(0, 1));
            Assert.That(h.Irq[0].Level, Is.False);
            Assert.That(h.AcknowledgeAndEnd(1), Is.EqualTo(8193));
            Assert.That(h.AcknowledgeAndEnd(1), Is.EqualTo(8192));
            Assert.That(h.AcknowledgeAndEnd(1), Is.EqualTo(1023));
        }

        [Test]
        public void SyncShouldWriteBackTheTargetsPendingTable()
        {
            h.SetLpiConfiguration(8192, 0xA0, enabled: false);
            h.MapEvent(0, 1, 8192, icid: 0, processor: 1);
            h.Commands(Inv(0, 1), Int(0, 1));
            Assert.That(h.Bus.ReadByte(ItsHarness.PendingTableOf(1) + 1024), Is.Zero);
            h.Commands(Sync(1));
            Assert.That(h.Bus.ReadByte(ItsHarness.PendingTableOf(1) + 1024), Is.EqualTo((byte)1));
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [Test]
        public void ShouldProcessQueuedCommandsWhenTheItsIsEnabled()
        {
            h.Its.WriteDoubleWord(ItsHarness.GITS_CTLR, 0);
            h.Commands(Mapd(0, 8, ItsHarness.IttOf(0)), Mapc(0, 0), Mapti(0, 0, 8192, 0), Int(0, 0));
            Assert.That(h.CommandReader, Is.Zero, "not processed while disabled");
            Assert.That(h.Its.SendMsi(0, 0), Is.False, "MSIs ignored while disabled");
            h.Its.WriteDoubleWord(ItsHarness.GITS_CTLR, 1);
            Assert.That(h.CommandReader, Is.EqualTo(128ul));
            Assert.That(h.AcknowledgeAndEnd(0), Is.EqualTo(8192));
        }

        [Test]
        public void TwoItsesShouldWorkIndependently()
        {
            var second = new Antmicro.Renode.Peripherals.IRQControllers.ArmGicV3Its(h.Machine, h.Gic, itsNumber: 1);
            Assert.That((second.ReadDoubleWord(0) >> 4) & 0xF, Is.EqualTo(1u), "GITS_CTLR.ITS_Number");
            Assert.That((h.Its.ReadDoubleWord(0) >> 4) & 0xF, Is.Zero);
            const ulong base2 = ItsHarness.RamBase + 0xA0_0000;
            second.WriteQuadWord(ItsHarness.GITS_BASER0, ItsHarness.Baser(base2, 0, 1));
            second.WriteQuadWord(ItsHarness.GITS_BASER0 + 8, ItsHarness.Baser(base2 + 0x1000, 0, 1));
            second.WriteQuadWord(ItsHarness.GITS_CBASER, (1UL << 63) | (base2 + 0x2000));
            second.WriteDoubleWord(ItsHarness.GITS_CTLR, 1);
            var cmds = new[] { Mapd(0, 4, base2 + 0x3000), Mapc(0, 1), Mapti(0, 0, 9000, 0) };
            for(var i = 0; i < cmds.Length; i++)
            {
                for(var j = 0; j < 4; j++)
                {
                    h.Bus.WriteQuadWord(base2 + 0x2000 + (ulong)(32 * i + 8 * j), cmds[i][j]);
                }
            }
            second.WriteQuadWord(ItsHarness.GITS_CWRITER, 96);
            h.MapEvent(0, 0, 8192, icid: 0, processor: 0);
            Assert.That(second.SendMsi(0, 0), Is.True);
            Assert.That(h.Its.SendMsi(0, 0), Is.True);
            Assert.That(h.AcknowledgeAndEnd(1), Is.EqualTo(9000), "second ITS: its own tables");
            Assert.That(h.AcknowledgeAndEnd(0), Is.EqualTo(8192));
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        private ItsHarness h = null!;
    }
}
