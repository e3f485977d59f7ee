// The ITS error policy: a command with bad parameters is logged as a guest error and skipped (GITS_CREADR
// advances); a guest-memory error stalls the queue (GITS_CREADR.Stalled) until GITS_CWRITER.Retry. Queue
// geometry: 32-byte commands, wrap at the GITS_CBASER size.
using System.Collections.Generic;
using NUnit.Framework;
using static RenodeGic.Tests.Its.ItsCommandBuilder;

namespace RenodeGic.Tests.Its
{
    [TestFixture]
    public class ItsGuestErrorTests
    {
        [SetUp]
        public void SetUp()
        {
            h = new ItsHarness(cpuCount: 2, deviceIdBits: 10, eventIdBits: 12, collectionIdBits: 8);
            h.SetLpiConfiguration(8192, 0xA0);
            h.EnableLpisEverywhere();
            h.SetUpIts();
            h.MapEvent(1, 1, 8192, icid: 1, processor: 1, eventIdBits: 4);
            h.Log.Clear();
        }

        [TearDown]
        public void TearDown()
        {
            h.Dispose();
        }

        public static IEnumerable<TestCaseData> BadCommands()
        {
            TestCaseData Case(string name, ulong[] command) => new TestCaseData(command).SetName(name);
            yield return Case("MAPD DeviceID beyond Devbits", Mapd(1u << 10, 4, ItsHarness.IttOf(0)));
            yield return Case("MAPD Size beyond ID_bits", Mapd(2, 13, ItsHarness.IttOf(2)));
            yield return Case("MAPC ICID beyond CIDbits", Mapc(1u << 8, 0));
            yield return Case("MAPC RDbase not a processor", Mapc(3, 2));
            yield return Case("MAPC RDbase far out", Mapc(3, 0xFFFF_FFFF));
            yield return Case("MAPTI unmapped device", Mapti(7, 0, 8192, 1));
            yield return Case("MAPTI EventID beyond the ITT", Mapti(1, 16, 8192, 1));
            yield return Case("MAPTI pINTID 1023", Mapti(1, 2, 1023, 1));
            yield return Case("MAPTI pINTID 8191", Mapti(1, 2, 8191, 1));
            yield return Case("MAPTI pINTID beyond IDbits", Mapti(1, 2, 65536, 1));
            yield return Case("MAPTI ICID beyond CIDbits", Mapti(1, 2, 8192, 256));
            yield return Case("MAPI EventID is not an LPI", Mapi(1, 3, 1));
            yield return Case("INT unmapped event", Int(1, 2));
            yield return Case("INT unmapped device", Int(9, 0));
            yield return Case("INT EventID beyond the ITT", Int(1, 100));
            yield return Case("INT DeviceID beyond Devbits", Int(0xFFFF_FFFF, 0));
            yield return Case("CLEAR unmapped event", Clear(1, 3));
            yield return Case("DISCARD unmapped event", Discard(1, 3));
            yield return Case("INV unmapped event", Inv(1, 3));
            yield return Case("INVALL unmapped collection", Invall(5));
            yield return Case("INVALL ICID beyond CIDbits", Invall(300));
            yield return Case("MOVI to an unmapped collection", Movi(1, 1, 5));
            yield return Case("MOVI unmapped event", Movi(1, 2, 1));
            yield return Case("MOVALL RDbase not a processor", Movall(0, 5));
            yield return Case("SYNC RDbase not a processor", Sync(9));
            yield return Case("unknown opcode", Raw(0x77));
            yield return Case("GICv4 command without GITS_TYPER.Virtual", Raw(0x29));
        }

        [TestCaseSource(nameof(BadCommands))]
        public void ShouldLogAndSkipACommandWithBadParameters(ulong[] command)
        {
            var before = h.CommandReader;
            h.Commands(command, Int(1, 1));
            Assert.That(h.CommandReader, Is.EqualTo(before + 64), "CREADR advanced past the bad command and the next one");
            Assert.That(h.CommandReader & 1, Is.Zero, "not stalled");
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1));
            Assert.That(h.AcknowledgeAndEnd(1), Is.EqualTo(8192), "the next command ran");
        }

        [Test]
        public void ShouldNotChangeTablesForASkippedMapti()
        {
            var ite = h.Bus.ReadQuadWord(ItsHarness.IttOf(1) + 12);
            h.Commands(Mapti(1, 1, 1023, 1));
            Assert.That(h.Bus.ReadQuadWord(ItsHarness.IttOf(1) + 12), Is.EqualTo(ite));
        }

        [Test]
        public void ShouldStallOnAFaultingTableAndResumeOnRetry()
        {
            h.Bus.AddFaultingRange(ItsHarness.DeviceTableBase, 0x10000);
            h.Commands(Int(1, 1), Int(1, 1));
            Assert.That(h.CommandReader, Is.EqualTo(96ul + 1), "Stalled = 1, Offset at the failing command");
            Assert.That(h.Irq[1].Level, Is.False);
            h.WriteIts(ItsHarness.GITS_CWRITER, h.ReadIts(ItsHarness.GITS_CWRITER));
            Assert.That(h.CommandReader, Is.EqualTo(96ul + 1), "a CWRITER write without Retry does not resume");
            h.Bus.ClearFaultingRanges();
            h.WriteIts(ItsHarness.GITS_CWRITER, h.ReadIts(ItsHarness.GITS_CWRITER) | 1);
            Assert.That(h.CommandReader, Is.EqualTo(160ul), "Retry: both commands ran");
            Assert.That(h.AcknowledgeAndEnd(1), Is.EqualTo(8192));
        }

        [TestCase(ItsHarness.IttBase + 0x1000, TestName = "ShouldStallOnAFaultingItt")]
        [TestCase(ItsHarness.CollectionTableBase, TestName = "ShouldStallOnAFaultingCollectionTable")]
        [TestCase(ItsHarness.CommandQueue + 96, TestName = "ShouldStallOnAFaultingCommandQueue")]
        public void ShouldStallOnFaults(ulong faultAt)
        {
            h.Bus.AddFaultingRange(faultAt, 0x20);
            h.Commands(Int(1, 1));
            Assert.That(h.CommandReader & 1, Is.EqualTo(1ul), "Stalled");
            Assert.That(h.CommandReader & ~1UL, Is.EqualTo(96ul));
            Assert.That(h.Log.GuestErrors, Is.Not.Empty);
        }

        [Test]
        public void ShouldStallOnAFaultingIteWrite()
        {
            h.Bus.AddFaultingRange(ItsHarness.IttOf(3), 0x1000);
            h.Commands(Mapd(3, 4, ItsHarness.IttOf(3)), Mapc(2, 0), Mapti(3, 0, 8192, 2));
            Assert.That(h.CommandReader, Is.EqualTo(160ul + 1), "MAPD and MAPC done, MAPTI stalled");
        }

        [Test]
        public void TranslationShouldDropTheMsiOnAMemoryError()
        {
            h.Bus.AddFaultingRange(ItsHarness.IttOf(1), 0x1000);
            Assert.That(h.Its.SendMsi(1, 1), Is.False);
            Assert.That(h.Log.GuestErrors, Is.Not.Empty);
            h.Bus.ClearFaultingRanges();
            Assert.That(h.Its.SendMsi(1, 1), Is.True);
        }

        [Test]
        public void CwriterShouldWrapAtTheQueueSizeAndIgnoreLowBits()
        {
            // 4 KiB queue = 128 commands; start near the end so the batch wraps.
            for(var i = 0; i < 123; i++)
            {
                h.Commands(Sync(0));
            }
            Assert.That(h.CommandReader, Is.EqualTo(4032ul));
            h.Commands(Sync(0), Sync(0), Int(1, 1));
            Assert.That(h.CommandReader, Is.EqualTo(32ul), "wrapped to the start");
            Assert.That(h.AcknowledgeAndEnd(1), Is.EqualTo(8192), "the wrapped command ran");
            h.Log.Clear();
            h.Bus.WriteQuadWord(ItsHarness.CommandQueue + 32, Int(1, 1)[0]);
            h.Bus.WriteQuadWord(ItsHarness.CommandQueue + 40, Int(1, 1)[1]);
            h.WriteIts(ItsHarness.GITS_CWRITER, 64 | 0x1E);
            Assert.That(h.ReadIts(ItsHarness.GITS_CWRITER), Is.EqualTo(64ul), "Offset[19:5] only");
            Assert.That(h.CommandReader, Is.EqualTo(64ul));
            Assert.That(h.AcknowledgeAndEnd(1), Is.EqualTo(8192));
        }

        [Test]
        public void CwriterBeyondTheQueueShouldNotBeProcessed()
        {
            h.WriteIts(ItsHarness.GITS_CWRITER, 0x2000);
            Assert.That(h.CommandReader, Is.EqualTo(96ul));
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1));
        }

        [Test]
        public void CbaserShouldBeReadOnlyWhileEnabledAndResetTheReader()
        {
            var cbaser = h.ReadIts(ItsHarness.GITS_CBASER);
            h.WriteIts(ItsHarness.GITS_CBASER, 0);
            Assert.That(h.ReadIts(ItsHarness.GITS_CBASER), Is.EqualTo(cbaser));
            h.WriteIts(ItsHarness.GITS_BASER0, 0);
            Assert.That(h.ReadIts(ItsHarness.GITS_BASER0) >> 63, Is.EqualTo(1ul));
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(2));
            h.Its.WriteDoubleWord(ItsHarness.GITS_CTLR, 0);
            h.WriteIts(ItsHarness.GITS_CBASER, cbaser);
            Assert.That(h.CommandReader, Is.Zero);
            Assert.That(h.ReadIts(ItsHarness.GITS_CWRITER), Is.Zero);
            h.WriteIts(ItsHarness.GITS_CREADR, 64);
            Assert.That(h.CommandReader, Is.Zero, "GITS_CREADR is read-only");
        }

        private ItsHarness h = null!;
    }
}
