// GICv4.1 (ArmGicV3 option gicv41): identification registers, the 4.1 GICR_VPROPBASER/VPENDBASER layouts with the
// shared vPE configuration table, residency by vPEID, the default doorbell, vSGIs (VSGI, GITS_SGIR, direct delivery
// without active state, GICR_VSGIR/VSGIPENDR with Busy), INVDB, GICR_INVLPIR/INVALLR with V = 1, VMOVP without
// ITSList, and the guest errors of bad parameters. Commands are encoded from the architecture's field positions.
using System;
using System.Linq;
using Antmicro.Renode.Peripherals.IRQControllers;
using NUnit.Framework;
using RenodeGic.Tests.Support;
using static RenodeGic.Tests.Its.V41CommandBuilder;
using static RenodeGic.Tests.Its.VCommandBuilder;

namespace RenodeGic.Tests.Its
{
    /// <summary>GICv4.1 ITS commands (IHI 0069 6.3), encoded independently of the model.</summary>
    public static class V41CommandBuilder
    {
        public const byte VSGI = 0x23, INVDB = 0x2E;

        public static ulong[] Vmapp41(uint vpeId, ulong processor, ulong vptAddress, int vptIdBits, ulong vconf, uint defaultDoorbell, bool alloc = true, bool valid = true) =>
            new[]
            {
                VMAPP | (alloc ? 1UL << 8 : 0) | (vconf & 0x000F_FFFF_FFFF_0000UL), defaultDoorbell | ((ulong)vpeId << 32),
                (processor << 16) | (valid ? 1UL << 63 : 0), (vptAddress & 0x000F_FFFF_FFFF_0000UL) | (uint)((vptIdBits - 1) & 0x1F),
            };

        public static ulong[] Vsgi(uint vpeId, int sgi, byte priority, bool group1 = true, bool enable = true, bool clear = false) =>
            new[]
            {
                VSGI | ((ulong)(sgi & 0xF) << 32) | ((ulong)(priority >> 4) << 20) | (group1 ? 1UL << 10 : 0) | (clear ? 1UL << 9 : 0) | (enable ? 1UL << 8 : 0),
                (ulong)vpeId << 32, 0UL, 0UL,
            };

        public static ulong[] Invdb(uint vpeId) => new[] { (ulong)INVDB, (ulong)vpeId << 32, 0UL, 0UL };

        public static ulong[] Vmovp41(uint vpeId, ulong processor, uint? defaultDoorbell = null) =>
            new[] { (ulong)VMOVP, (ulong)vpeId << 32, (processor << 16) | (defaultDoorbell is null ? 0 : 1UL << 63), defaultDoorbell ?? 0UL };
    }

    [TestFixture]
    public class Gicv41Tests
    {
        [TearDown]
        public void TearDown()
        {
            h?.Dispose();
        }

        [Test]
        public void ShouldReportGicv41()
        {
            Create();
            var typer = h.ReadGicr(0, Gicv4Harness.GICR_TYPER);
            Assert.That((typer >> 7) & 1, Is.EqualTo(1), "GICR_TYPER.RVPEID");
            Assert.That((typer >> 26) & 1, Is.EqualTo(1), "GICR_TYPER.VSGI");
            Assert.That((typer >> 24) & 3, Is.EqualTo(0), "CommonLPIAff: all Redistributors share");
            var gits = h.Its[0].ReadQuadWord(Gicv4Harness.GITS_TYPER);
            Assert.That((gits >> 40) & 1, Is.EqualTo(1), "VMAPP");
            Assert.That((gits >> 41) & 3, Is.EqualTo(1), "SVPET");
            Assert.That((gits >> 43) & 1, Is.EqualTo(1), "nID");
            Assert.That((gits >> 37) & 1, Is.EqualTo(1), "VMOVP");
            Assert.That((h.Its[0].ReadQuadWord(0x110) >> 48) & 0x1F, Is.EqualTo(31), "GITS_BASER2.Entry_Size: 32 bytes");
            Assert.That((h.ReadGicr(0, Gicv4Harness.GICR_VPROPBASER) >> 59) & 7, Is.EqualTo(3), "GICR_VPROPBASER.Entry_Size");
            Assert.That(h.Gic.ReadDoubleWordFromDistributor(0xC), Is.EqualTo(0u), "GICD_TYPER2: 16-bit vPEIDs, nASSGIcap = 0");
            Assert.That(h.Its[0].Size, Is.EqualTo(0x30000), "the vSGI frame");
        }

        [Test]
        public void ShouldReportGicv40WithoutTheOption()
        {
            using var v40 = new Gicv4Harness(1, 1);
            Assert.That((v40.ReadGicr(0, Gicv4Harness.GICR_TYPER) >> 7) & 1, Is.EqualTo(0));
            Assert.That((v40.Its[0].ReadQuadWord(Gicv4Harness.GITS_TYPER) >> 40) & 0xF, Is.EqualTo(0));
            Assert.That(v40.Its[0].Size, Is.EqualTo(0x20000));
        }

        [Test]
        public void ShouldRejectGicv41BelowRevision4()
        {
            Assert.Throws<ArgumentException>(() => new ArmGicV3(new FakeMachine(0x4000_0000, 1 << 20), architectureRevision: 3, gicv41: true));
        }

        [Test]
        public void ShouldDeliverAVlpiToTheVpeResidentByVpeId()
        {
            Create();
            MapEvent();
            h.Commands(Vmovp41(Vpe, 1)); // mapped to processor 1, scheduled on processor 0 (shared table: no VMOVP needed)
            Schedule(0, Vpe);
            Assert.That(h.Msi(Device, Event), Is.True);
            Assert.That(h.VirtualIrq[0].Level, Is.True);
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(VIntid));
            Assert.That(h.ReadGicr(0, Gicv4Harness.GICR_VPENDBASER) & (Gicv4Harness.Valid | 0xFFFF), Is.EqualTo(Gicv4Harness.Valid | Vpe));
            Assert.That(h.GuestErrorMessages(), Is.Empty);
        }

        [Test]
        public void ShouldRingTheDefaultDoorbellOnceWhenDescheduledWithDb()
        {
            Create();
            MapEvent();
            Schedule(0, Vpe);
            var vpendbaser = Deschedule(0, doorbell: true);
            Assert.That(vpendbaser & Gicv4Harness.PendingLast, Is.EqualTo(0UL), "nothing pending: a doorbell will come");
            Assert.That(h.Msi(Device, Event), Is.True);
            Assert.That(h.IsVptBitSet(Vpe, VIntid), Is.True);
            Assert.That(h.HostAcknowledgeAndEnd(0), Is.EqualTo(Doorbell));
            h.Msi(Device, Event + 1);
            Assert.That(h.HostAcknowledgeAndEnd(0), Is.EqualTo(1023), "one doorbell per de-schedule");
            Schedule(0, Vpe);
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(VIntid + 1), "higher priority first");
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(VIntid));
        }

        [Test]
        public void ShouldNotRingTheDoorbellWithoutDbOrWhenSomethingIsPending()
        {
            Create();
            MapEvent();
            Schedule(0, Vpe);
            Deschedule(0, doorbell: false);
            h.Msi(Device, Event);
            Assert.That(h.HostAcknowledgeAndEnd(0), Is.EqualTo(1023));
            Schedule(0, Vpe);
            var vpendbaser = Deschedule(0, doorbell: true);
            Assert.That(vpendbaser & Gicv4Harness.PendingLast, Is.Not.EqualTo(0UL), "the vLPI is still pending");
            h.Msi(Device, Event + 1);
            Assert.That(h.HostAcknowledgeAndEnd(0), Is.EqualTo(1023));
        }

        [Test]
        public void ShouldDeliverVsgisDirectlyWithoutActiveState()
        {
            Create();
            MapVpe();
            h.Commands(Vsgi(Vpe, 3, 0x90), Vsgi(Vpe, 5, 0x50));
            Schedule(0, Vpe);
            SendSgir(Vpe, 3);
            SendSgir(Vpe, 5);
            Assert.That(h.VirtualIrq[0].Level, Is.True);
            Assert.That(h.GuestHppir(0), Is.EqualTo(5));
            var first = h.AsGuest(0, () => (int)h.ReadSys(0, Sys.ICC_IAR1_EL1));
            Assert.That(first, Is.EqualTo(5));
            Assert.That(h.AsGuest(0, () => (int)h.ReadSys(0, Sys.ICC_IAR1_EL1)), Is.EqualTo(1023), "vSGI 3 (0x90) cannot preempt 0x50");
            h.AsGuest(0, () =>
            {
                h.WriteSys(0, Sys.ICC_EOIR1_EL1, 5);
                return 0;
            });
            SendSgir(Vpe, 5); // no active state: it can be pending again at once
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(5));
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(3));
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(1023));
            Assert.That(h.VirtualIrq[0].Level, Is.False);
        }

        [Test]
        public void ShouldAcceptGitsSgirAsTwo32BitHalves()
        {
            // A CPU that splits a 64-bit store (our host's Unicorn MMIO does) writes the low half, then the high half.
            Create();
            MapVpe();
            h.Commands(Vsgi(Vpe, 6, 0x70));
            Schedule(0, Vpe);
            h.Log.Clear();
            h.Its[0].WriteDoubleWord(0x20020, 6);
            Assert.That(h.VirtualIrq[0].Level, Is.False, "the low half alone sends nothing");
            h.Its[0].WriteDoubleWord(0x20024, Vpe);
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(6));
            Assert.That(h.GuestErrorMessages(), Is.Empty);
        }

        [Test]
        public void ShouldHonourVsgiEnableGroupAndClear()
        {
            Create();
            MapVpe();
            h.Commands(Vsgi(Vpe, 1, 0x40, enable: false), Vsgi(Vpe, 2, 0x40, group1: false));
            Schedule(0, Vpe);
            SendSgir(Vpe, 1);
            SendSgir(Vpe, 2);
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(1023), "vSGI 1 disabled, vSGI 2 is Group 0 with VENG0 = 0");
            h.Commands(Vsgi(Vpe, 1, 0x40, clear: true));
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(1023), "cleared while enabled");
            h.WriteSys(0, Gicv4Harness.ICH_VMCR_EL2, (0xFFUL << 24) | 3); // VENG0 too
            Assert.That(h.AsGuest(0, () => (int)h.ReadSys(0, Sys.ICC_IAR0_EL1)), Is.EqualTo(2), "Group 0 vSGI through ICV_IAR0");
        }

        [Test]
        public void ShouldRecordVsgisOfANonResidentVpeAndReportThemInVsgipendr()
        {
            Create();
            MapVpe();
            h.Commands(Vsgi(Vpe, 7, 0x60));
            SendSgir(Vpe, 7);
            SendSgir(Vpe, 9);
            h.WriteGicr(1, VSGIR, Vpe);
            Assert.That(h.ReadGicr(1, VSGIPENDR) & 0xFFFF_FFFF, Is.EqualTo(1UL << 31), "Busy");
            Assert.That(h.ReadGicr(1, VSGIPENDR) & 0xFFFF_FFFF, Is.EqualTo((1UL << 7) | (1UL << 9)));
            Schedule(0, Vpe);
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(7));
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(1023), "vSGI 9 is not enabled");
            h.WriteGicr(1, VSGIR, Vpe);
            h.ReadGicr(1, VSGIPENDR);
            Assert.That(h.ReadGicr(1, VSGIPENDR), Is.EqualTo(1UL << 9), "resident: the live state");
            Deschedule(0, doorbell: true);
            h.Commands(Vsgi(Vpe, 9, 0x60));
            Assert.That(h.HostAcknowledgeAndEnd(0), Is.EqualTo(1023), "enabling a pending vSGI by command does not ring");
            SendSgir(Vpe, 7);
            Assert.That(h.HostAcknowledgeAndEnd(0), Is.EqualTo(Doorbell), "a vSGI rings the default doorbell");
        }

        [Test]
        public void ShouldReReadConfigurationsWithInvlpirInvallrAndInvdb()
        {
            Create();
            MapEvent();
            Schedule(0, Vpe);
            h.SetVlpiConfiguration(VIntid, 0xA0, enabled: false);
            h.WriteGicrQuad(1, 0xA0, (1UL << 63) | ((ulong)Vpe << 32) | (uint)VIntid); // GICR_INVLPIR V = 1 on another RD
            h.Msi(Device, Event);
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(1023));
            h.SetVlpiConfiguration(VIntid, 0xA0);
            h.WriteGicrQuad(0, 0xB0, (1UL << 63) | ((ulong)Vpe << 32)); // GICR_INVALLR V = 1
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(VIntid));
            Deschedule(0, doorbell: true);
            h.SetLpiConfiguration(Doorbell, 0x40, enabled: false);
            h.Commands(Invdb(Vpe));
            h.Msi(Device, Event);
            Assert.That(h.HostAcknowledgeAndEnd(0), Is.EqualTo(1023), "INVDB: the doorbell is now disabled");
            Assert.That(h.GuestErrorMessages(), Is.Empty);
        }

        [Test]
        public void ShouldMoveWithVmovpWithoutItsListAndChangeTheDefaultDoorbell()
        {
            Create();
            MapEvent();
            h.Commands(Vmovp41(Vpe, 1, Doorbell + 1));
            Assert.That(h.GuestErrorMessages(), Is.Empty);
            Schedule(1, Vpe);
            Deschedule(1, doorbell: true);
            h.Msi(Device, Event);
            Assert.That(h.HostAcknowledgeAndEnd(1), Is.EqualTo(Doorbell + 1));
        }

        [Test]
        public void ShouldSkipBadParametersWithGuestErrors()
        {
            Create();
            MapVpe();
            var reader = h.CommandReader();
            h.Commands(Vsgi(Vpe + 1, 0, 0x40)); // unmapped vPE
            h.Commands(Vmapti(Device, Event, Vpe, VIntid, Doorbell)); // nID = 1: per-event doorbells are not supported
            h.Commands(Vmapp41(Vpe, 7, Gicv4Harness.VptOf(Vpe), 16, Gicv4Harness.VirtualPropertyTable, 1023)); // RDbase 7 not attached
            h.Commands(Vmapp41(Vpe, 0, Gicv4Harness.VptOf(Vpe), 16, Gicv4Harness.VirtualPropertyTable, 100)); // doorbell not an LPI
            Schedule(0, Vpe);
            h.Commands(Vmapp41(Vpe, 0, 0, 16, 0, 1023, valid: false)); // resident: cannot be unmapped
            Assert.That(h.CommandReader() & 1, Is.EqualTo(0UL), "not stalled");
            Assert.That(h.CommandReader(), Is.EqualTo(reader + 5 * 32));
            Assert.That(h.GuestErrorMessages().Count, Is.EqualTo(5), string.Join("\n", h.GuestErrorMessages()));
            h.Log.Clear();
            h.Its[0].WriteQuadWord(0x20024, 3); // GITS_SGIR: 64-bit writes at 0x20020, or 32-bit writes to either half
            h.WriteGicrQuad(1, Gicv4Harness.GICR_VPENDBASER, Gicv4Harness.Valid | Vpe); // already resident on processor 0
            h.WriteGicrQuad(1, Gicv4Harness.GICR_VPENDBASER, Gicv4Harness.Valid | 200); // not mapped
            Assert.That(h.GuestErrorMessages().Count, Is.EqualTo(3), string.Join("\n", h.GuestErrorMessages()));
            Assert.That(h.ReadGicr(1, Gicv4Harness.GICR_VPENDBASER) & Gicv4Harness.Valid, Is.EqualTo(0UL));
        }

        [Test]
        public void ShouldStallOnAnUnreadableVpeTable()
        {
            Create();
            MapVpe();
            h.Its[0].WriteDoubleWord(Gicv4Harness.GITS_CTLR, 0);
            h.Its[0].WriteQuadWord(Gicv4Harness.GITS_BASER0 + 16, ItsHarness.Baser(0x1_0000_0000, 2, 1)); // outside RAM
            h.Its[0].WriteDoubleWord(Gicv4Harness.GITS_CTLR, 1);
            h.Commands(Vsgi(Vpe, 0, 0x40));
            Assert.That(h.CommandReader() & 1, Is.EqualTo(1UL), "Stalled");
        }

        [Test]
        public void ShouldSkipGicv41CommandsOnAGicv40Its()
        {
            using var v40 = new Gicv4Harness(1, 1);
            v40.Commands(Vsgi(0, 0, 0x40), Invdb(0));
            Assert.That(v40.CommandReader(), Is.EqualTo(64UL));
            Assert.That(v40.GuestErrorMessages().Count(m => m.Contains("GICv4.1")), Is.EqualTo(2));
        }

        // ---- Helpers ------------------------------------------------------------------------------------------

        private const uint Vpe = 3;
        private const int VIntid = 8200;
        private const int Doorbell = 8300;
        private const uint Device = 2;
        private const uint Event = 0;
        private const long VSGIR = 0x20080, VSGIPENDR = 0x20088;

        private Gicv4Harness h = null!;

        private void Create()
        {
            h = new Gicv4Harness(2, 1, gicv41: true);
            h.SetVlpiConfiguration(VIntid, 0xA0);
            h.SetVlpiConfiguration(VIntid + 1, 0x80);
            h.SetLpiConfiguration(Doorbell, 0x40);
            h.SetLpiConfiguration(Doorbell + 1, 0x40);
            for(var n = 0; n < 2; n++)
            {
                h.WriteGicrQuad(n, 0xB0, 0); // GICR_INVALLR: the doorbells' configuration
                // GICR_VPROPBASER (4.1): the vPE table GITS_BASER2 uses (shared), 64 KiB pages, 2 pages.
                h.WriteGicrQuad(n, Gicv4Harness.GICR_VPROPBASER, (1UL << 63) | (2UL << 53) | Gicv4Harness.VpeTables | 1);
            }
            h.Log.Clear();
        }

        private void MapVpe() =>
            h.Commands(Vmapp41(Vpe, 0, Gicv4Harness.VptOf(Vpe), 16, Gicv4Harness.VirtualPropertyTable, (uint)Doorbell));

        private void MapEvent()
        {
            MapVpe();
            h.Commands(ItsCommandBuilder.Mapd(Device, 8, Gicv4Harness.IttOf(0, Device)), Vmapti(Device, Event, Vpe, VIntid), Vmapti(Device, Event + 1, Vpe, VIntid + 1));
        }

        private void Schedule(int cpu, uint vpe)
        {
            h.WriteGicrQuad(cpu, Gicv4Harness.GICR_VPENDBASER, Gicv4Harness.Valid | (1UL << 59) | (1UL << 58) | vpe);
            var polls = 0;
            while((h.ReadGicr(cpu, Gicv4Harness.GICR_VPENDBASER) & Gicv4Harness.Dirty) != 0)
            {
                Assert.That(++polls, Is.LessThan(10));
            }
        }

        private ulong Deschedule(int cpu, bool doorbell)
        {
            var value = h.ReadGicr(cpu, Gicv4Harness.GICR_VPENDBASER) & ~(Gicv4Harness.Valid | Gicv4Harness.PendingLast);
            h.WriteGicrQuad(cpu, Gicv4Harness.GICR_VPENDBASER, value | (doorbell ? 1UL << 62 : 0));
            return h.ReadGicr(cpu, Gicv4Harness.GICR_VPENDBASER);
        }

        private void SendSgir(uint vpe, int sgi) => h.Its[0].WriteQuadWord(0x20020, ((ulong)vpe << 32) | (uint)sgi);
    }
}
