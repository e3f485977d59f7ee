// GICv4.0: the VLPI_base frame (residency, Dirty, PendingLast, virtual Pending table write-back), direct vLPI
// injection through the virtual CPU interface, doorbells, and every V-command with its guest errors (bad vPEIDs,
// unmapped vPEs, VMOVP to a bad RDbase, VMOVP with SeqNum/ITSList, VMOVP across ITSes with "Stall beats Skip").
using System.Linq;
using NUnit.Framework;
using RenodeGic.Tests.Support;
using static RenodeGic.Tests.Its.VCommandBuilder;

namespace RenodeGic.Tests.Its
{
    [TestFixture]
    public class Gicv4Tests
    {
        [TearDown]
        public void TearDown()
        {
            h?.Dispose();
        }

        private Gicv4Harness Create(int cpus = 2, int itses = 1, bool singleVmovp = true)
        {
            h = new Gicv4Harness(cpus, itses, singleVmovp);
            h.SetVlpiConfiguration(VIntid, 0xA0);
            h.SetVlpiConfiguration(VIntid + 1, 0x80);
            h.SetLpiConfiguration(Doorbell, 0x40);
            // The physical LPI configuration is read when EnableLPIs is set; refresh it for the doorbell.
            for(var n = 0; n < cpus; n++)
            {
                h.WriteGicrQuad(n, 0xB0, 0); // GICR_INVALLR
            }
            h.Log.Clear();
            return h;
        }

        // ---- Identification --------------------------------------------------------------------------------

        [Test]
        public void ShouldReportGicv4InTheRedistributorAndTheIts()
        {
            Create();
            Assert.That(h.Gic.RedistributorStride, Is.EqualTo(0x40000));
            Assert.That(h.ReadGicr(0, Gicv4Harness.GICR_TYPER) & 0x2, Is.EqualTo(0x2UL), "VLPIS");
            Assert.That(h.ReadGicr(1, Gicv4Harness.GICR_TYPER) >> 8 & 0xFFFF, Is.EqualTo(1UL), "CPU1 at 0x40000");
            Assert.That(h.ReadGicr(1, Gicv4Harness.GICR_TYPER) & 0x10, Is.EqualTo(0x10UL), "Last");
            Assert.That(h.Its[0].ReadQuadWord(Gicv4Harness.GITS_TYPER), Is.EqualTo(0x3f0001efb3UL), "QEMU 7.2 gic-version=4 value");
            Assert.That(h.Its[0].ReadQuadWord(0x110) >> 56 & 7, Is.EqualTo(2UL), "GITS_BASER2.Type = vPEs");
        }

        [Test]
        public void ShouldClearGitsTyperVmovpWhenItsListIsUsed()
        {
            Create(singleVmovp: false);
            Assert.That(h.Its[0].ReadQuadWord(Gicv4Harness.GITS_TYPER) >> 37 & 1, Is.Zero);
        }

        [Test]
        public void Gicv3ShouldHaveNoVlpiFrame()
        {
            using var gic3 = new GicHarness(architectureRevision: 3);
            Assert.That(gic3.Gic.ReadQuadWordFromRedistributor(8) & 2, Is.Zero, "VLPIS = 0");
            Assert.That(gic3.Gic.RedistributorStride, Is.EqualTo(0x20000));
        }

        // ---- Residency -------------------------------------------------------------------------------------

        [Test]
        public void DirtyShouldReadOneForABoundedNumberOfReadsAfterValid()
        {
            Create();
            var polls = h.MakeResident(0, 0);
            Assert.That(polls, Is.EqualTo(2), "Dirty = 1 for exactly two reads (deterministic)");
            Assert.That(h.ReadGicr(0, Gicv4Harness.GICR_VPENDBASER) & (Gicv4Harness.Valid | Gicv4Harness.Dirty), Is.EqualTo(Gicv4Harness.Valid));
        }

        [Test]
        public void DeschedulingShouldWriteBackPendingVlpisAndSetPendingLast()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid);
            h.MakeResident(0, 0);
            h.Msi(0, 0);
            Assert.That(h.VirtualIrq[0].Level, Is.True);
            var vpendbaser = h.MakeNonResident(0);
            Assert.That(vpendbaser & Gicv4Harness.PendingLast, Is.Not.Zero, "PendingLast: a vLPI was pending");
            Assert.That(vpendbaser & Gicv4Harness.Valid, Is.Zero);
            Assert.That(h.IsVptBitSet(0, VIntid), Is.True, "written back to the VPT");
            Assert.That(h.VirtualIrq[0].Level, Is.False, "no vPE resident: nothing direct");
        }

        [Test]
        public void DeschedulingWithNothingPendingShouldClearPendingLast()
        {
            Create();
            h.MakeResident(0, 0);
            Assert.That(h.MakeNonResident(0) & Gicv4Harness.PendingLast, Is.Zero);
        }

        [Test]
        public void SchedulingShouldParseTheVirtualPendingTable()
        {
            Create();
            h.Bus.WriteByte(Gicv4Harness.VptOf(3) + (ulong)(VIntid + 1) / 8, (byte)(1 << ((VIntid + 1) & 7)));
            h.MakeResident(1, 3);
            Assert.That(h.VirtualIrq[1].Level, Is.True);
            Assert.That(h.GuestHppir(1), Is.EqualTo(VIntid + 1));
            Assert.That(h.GuestAcknowledgeAndEnd(1), Is.EqualTo(VIntid + 1));
            Assert.That(h.VirtualIrq[1].Level, Is.False);
        }

        [Test]
        public void AnotherVpeScheduledAfterwardsShouldNotInheritPendingVlpis()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid);
            h.MakeResident(0, 0);
            h.Msi(0, 0);
            h.MakeNonResident(0);
            h.MakeResident(0, 1);
            Assert.That(h.VirtualIrq[0].Level, Is.False, "vPE 1's VPT is empty");
            Assert.That(h.GuestHppir(0), Is.EqualTo(1023));
            Assert.That(h.MakeNonResident(0) & Gicv4Harness.PendingLast, Is.Zero);
            Assert.That(h.IsVptBitSet(1, VIntid), Is.False);
            h.MakeResident(0, 0);
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(VIntid), "vPE 0 gets its own vLPI back");
        }

        [Test]
        public void VpropbaserShouldBeIgnoredWhileResident()
        {
            Create();
            h.MakeResident(0, 0);
            h.WriteGicrQuad(0, Gicv4Harness.GICR_VPROPBASER, 0x1234_0000);
            Assert.That(h.ReadGicr(0, Gicv4Harness.GICR_VPROPBASER) & ~0x1FUL, Is.EqualTo(Gicv4Harness.VirtualPropertyTable));
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1));
        }

        // ---- Direct injection and doorbells --------------------------------------------------------------

        [Test]
        public void MsiForAResidentVpeShouldReachTheGuestWithoutAnyListRegister()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid, doorbell: Doorbell);
            h.MakeResident(0, 0);
            Assert.That(h.Msi(0, 0), Is.True);
            Assert.That(h.VirtualIrq[0].Level, Is.True);
            Assert.That(h.Irq[0].Level, Is.False, "no doorbell for a resident vPE");
            Assert.That(h.AsGuest(0, () => h.ReadSys(0, Sys.ICC_IAR1_EL1)), Is.EqualTo((ulong)VIntid));
            Assert.That(h.VirtualIrq[0].Level, Is.False, "acknowledged: vLPIs have no active state, running priority masks the rest");
            Assert.That(h.ReadSys(0, Gicv4Harness.ICH_AP1R0_EL2), Is.Not.Zero, "active priority set");
            h.AsGuest(0, () =>
            {
                h.WriteSys(0, Sys.ICC_EOIR1_EL1, (ulong)VIntid);
                return 0;
            });
            Assert.That(h.ReadSys(0, Gicv4Harness.ICH_AP1R0_EL2), Is.Zero);
            Assert.That(h.ReadSys(0, Sys.ICH_HCR_EL2) >> 27, Is.Zero, "EOIcount does not count vLPIs");
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [Test]
        public void MsiForANonResidentVpeShouldGoToTheVptAndRingTheDoorbell()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid, cpu: 1, doorbell: Doorbell);
            Assert.That(h.Msi(0, 0), Is.True);
            Assert.That(h.IsVptBitSet(0, VIntid), Is.True);
            Assert.That(h.Irq[1].Level, Is.True, "doorbell on the vPE's Redistributor");
            Assert.That(h.HostAcknowledgeAndEnd(1), Is.EqualTo(Doorbell));
            // Re-residency: the guest takes it.
            h.MakeResident(1, 0);
            Assert.That(h.VirtualIrq[1].Level, Is.True);
            Assert.That(h.GuestAcknowledgeAndEnd(1), Is.EqualTo(VIntid));
        }

        [Test]
        public void NoDoorbellShouldOnlyRecordThePendingState()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid);
            h.Msi(0, 0);
            Assert.That(h.IsVptBitSet(0, VIntid), Is.True);
            Assert.That(h.Irq[0].Level, Is.False);
        }

        [Test]
        public void AnotherResidentVpeShouldNotSeeTheVlpi()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid, doorbell: Doorbell);
            h.MakeResident(0, 1); // vPE 1 resident, the event targets vPE 0
            h.Msi(0, 0);
            Assert.That(h.VirtualIrq[0].Level, Is.False);
            Assert.That(h.IsVptBitSet(0, VIntid), Is.True);
            Assert.That(h.Irq[0].Level, Is.True, "doorbell");
        }

        [Test]
        public void DirectVlpiShouldRespectPriorityMaskAndGroupEnable()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid);
            h.MakeResident(0, 0);
            h.WriteSys(0, Gicv4Harness.ICH_VMCR_EL2, (0xA0UL << 24) | 2); // VPMR = 0xA0 = the vLPI's priority
            h.Msi(0, 0);
            Assert.That(h.VirtualIrq[0].Level, Is.False, "priority equal to VPMR is masked");
            h.WriteSys(0, Gicv4Harness.ICH_VMCR_EL2, 0xFFUL << 24); // VENG1 = 0
            Assert.That(h.VirtualIrq[0].Level, Is.False);
            h.WriteSys(0, Gicv4Harness.ICH_VMCR_EL2, (0xFFUL << 24) | 2);
            Assert.That(h.VirtualIrq[0].Level, Is.True);
            h.WriteSys(0, Sys.ICH_HCR_EL2, 0);
            Assert.That(h.VirtualIrq[0].Level, Is.False, "ICH_HCR_EL2.En = 0");
        }

        [Test]
        public void ListRegisterWithHigherPriorityShouldWinOverADirectVlpi()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid);
            h.MakeResident(0, 0);
            h.Msi(0, 0);
            // LR0: pending, Group 1, priority 0x20, vINTID 40.
            h.WriteSys(0, Sys.ICH_LR0_EL2, (1UL << 62) | (1UL << 60) | (0x20UL << 48) | 40);
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(40));
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(VIntid));
        }

        [Test]
        public void DisabledVlpiShouldStayPendingUntilInvMakesItEligible()
        {
            Create();
            h.SetVlpiConfiguration(VIntid, 0xA0, enabled: false);
            h.MapVirtualEvent(0, 0, 0, VIntid);
            h.MakeResident(0, 0);
            h.Msi(0, 0);
            Assert.That(h.VirtualIrq[0].Level, Is.False);
            h.SetVlpiConfiguration(VIntid, 0xA0);
            h.Commands(ItsCommandBuilder.Inv(0, 0));
            Assert.That(h.VirtualIrq[0].Level, Is.True);
        }

        [Test]
        public void VinvallShouldRereadTheVirtualConfigurationTable()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid);
            h.Commands(Vmapti(0, 1, 0, (uint)VIntid + 1));
            h.MakeResident(0, 0);
            h.Msi(0, 0);
            h.Msi(0, 1);
            Assert.That(h.GuestHppir(0), Is.EqualTo(VIntid + 1), "0x80 beats 0xA0");
            h.SetVlpiConfiguration(VIntid, 0x10);
            Assert.That(h.GuestHppir(0), Is.EqualTo(VIntid + 1), "cached until invalidated");
            h.Commands(Vinvall(0));
            Assert.That(h.GuestHppir(0), Is.EqualTo(VIntid));
        }

        // ---- INT/CLEAR/DISCARD/MOVI on virtual events ------------------------------------------------------

        [Test]
        public void IntClearAndDiscardShouldWorkOnVirtualEvents()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid, doorbell: Doorbell);
            h.Commands(ItsCommandBuilder.Int(0, 0));
            Assert.That(h.IsVptBitSet(0, VIntid), Is.True);
            h.Commands(ItsCommandBuilder.Clear(0, 0));
            Assert.That(h.IsVptBitSet(0, VIntid), Is.False);
            h.MakeResident(0, 0);
            h.Commands(ItsCommandBuilder.Int(0, 0));
            Assert.That(h.VirtualIrq[0].Level, Is.True);
            h.Commands(ItsCommandBuilder.Discard(0, 0));
            Assert.That(h.VirtualIrq[0].Level, Is.False);
            h.Msi(0, 0);
            Assert.That(h.VirtualIrq[0].Level, Is.False, "discarded: the event no longer translates");
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1), "the MSI of the discarded event");
        }

        [Test]
        public void MoviOnAVirtualEventShouldBeAGuestError()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid);
            h.Commands(ItsCommandBuilder.Mapc(0, 0), ItsCommandBuilder.Movi(0, 0, 0));
            Assert.That(h.GuestErrorMessages().Any(m => m.Contains("VMOVI")), Is.True);
            Assert.That(h.CommandReader() & 1, Is.Zero, "skipped, not stalled");
        }

        // ---- V-commands --------------------------------------------------------------------------------------

        [Test]
        public void VmappShouldWriteTheVpeTableAndVmappInvalidShouldUnmap()
        {
            Create();
            h.MapVirtualEvent(0, 0, 2, VIntid);
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.VpeTables + 2 * 8) & 1, Is.EqualTo(1UL));
            h.Commands(Vmapp(2, 0, 0, 16, valid: false));
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.VpeTables + 2 * 8), Is.Zero);
            h.Msi(0, 0);
            Assert.That(h.GuestErrorMessages().Any(m => m.Contains("vPEID 2 is not mapped")), Is.True);
        }

        [TestCase(0xFFFFu, TestName = "VMAPP vPEID beyond the vPE table")]
        public void VmappWithABadVpeIdShouldBeSkipped(uint vpeId)
        {
            Create();
            h.Commands(Vmapp(vpeId, 0, Gicv4Harness.VptOf(0), 16));
            AssertSkippedWithGuestError();
        }

        [TestCase(2UL, 16, TestName = "VMAPP RDbase not an attached processor")]
        [TestCase(0xFFFFUL, 16, TestName = "VMAPP RDbase far out")]
        [TestCase(0UL, 13, TestName = "VMAPP VPT_size below 14 bits")]
        [TestCase(0UL, 17, TestName = "VMAPP VPT_size beyond GICD_TYPER.IDbits")]
        public void VmappWithBadParametersShouldBeSkipped(ulong rdbase, int idBits)
        {
            Create();
            h.Commands(Vmapp(0, rdbase, Gicv4Harness.VptOf(0), idBits));
            AssertSkippedWithGuestError();
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.VpeTables), Is.Zero);
        }

        [Test]
        public void VmappiShouldUseTheEventIdAsVintid()
        {
            Create();
            h.Commands(ItsCommandBuilder.Mapd(0, 16, Gicv4Harness.IttOf(0, 0)), Vmapp(0, 0, Gicv4Harness.VptOf(0), 16), Vmapi(0, (uint)VIntid, 0));
            h.MakeResident(0, 0);
            h.Msi(0, (uint)VIntid);
            Assert.That(h.GuestAcknowledgeAndEnd(0), Is.EqualTo(VIntid));
        }

        public static TestCaseData[] BadVmapti() => new[]
        {
            new TestCaseData(Vmapti(5, 0, 0, 8192)).SetName("VMAPTI unmapped device"),
            new TestCaseData(Vmapti(0, 300, 0, 8192)).SetName("VMAPTI EventID beyond the ITT"),
            new TestCaseData(Vmapti(0, 1, 0xFFFF, 8192)).SetName("VMAPTI vPEID beyond the vPE table"),
            new TestCaseData(Vmapti(0, 1, 0, 8191)).SetName("VMAPTI vINTID below 8192"),
            new TestCaseData(Vmapti(0, 1, 0, 1023)).SetName("VMAPTI vINTID 1023"),
            new TestCaseData(Vmapti(0, 1, 0, 65536)).SetName("VMAPTI vINTID beyond IDbits"),
            new TestCaseData(Vmapti(0, 1, 0, 8192, 42)).SetName("VMAPTI doorbell not an LPI"),
            new TestCaseData(Vmapi(0, 5, 0)).SetName("VMAPI EventID is not an LPI"),
            new TestCaseData(Vmovi(0, 1, 0)).SetName("VMOVI unmapped event"),
            new TestCaseData(Vmovi(0, 0, 9)).SetName("VMOVI to an unmapped vPE"),
            new TestCaseData(Vmovi(0, 0, 0, 77)).SetName("VMOVI doorbell not an LPI"),
            new TestCaseData(Vmovp(9, 0)).SetName("VMOVP unmapped vPE"),
            new TestCaseData(Vmovp(0, 2)).SetName("VMOVP to a bad RDbase"),
            new TestCaseData(Vmovp(0, 0xFFFF_FFFF)).SetName("VMOVP to a far-out RDbase"),
            new TestCaseData(Vsync(9)).SetName("VSYNC unmapped vPE"),
            new TestCaseData(Vinvall(9)).SetName("VINVALL unmapped vPE"),
            new TestCaseData(Vinvall(0xFFFF)).SetName("VINVALL vPEID beyond the vPE table"),
            new TestCaseData(ItsCommandBuilder.Raw(0x23)).SetName("VSGI (GICv4.1) on a GICv4.0 ITS"),
            new TestCaseData(ItsCommandBuilder.Raw(0x2E)).SetName("INVDB (GICv4.1) on a GICv4.0 ITS"),
        };

        [TestCaseSource(nameof(BadVmapti))]
        public void BadVirtualCommandsShouldBeSkippedWithAGuestError(ulong[] command)
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid);
            var before = h.Bus.ReadQuadWord(Gicv4Harness.IttOf(0, 0) + 12);
            h.Log.Clear();
            h.Commands(command);
            AssertSkippedWithGuestError();
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.IttOf(0, 0) + 12), Is.EqualTo(before), "no ITE written");
        }

        [Test]
        public void VCommandsOnAnItsWithoutVirtualSupportShouldBeSkipped()
        {
            using var its = new ItsHarness();
            its.SetUpIts();
            its.Log.Clear();
            its.Commands(Vmapp(0, 0, 0x4100_0000, 16), Vsync(0), Vmovp(0, 0));
            Assert.That(its.CommandReader, Is.EqualTo(96UL));
            Assert.That(its.Log.GuestErrors, Has.Count.EqualTo(3));
        }

        [Test]
        public void VmoviShouldMoveThePendingStateAndTheDoorbell()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid, cpu: 0);
            h.Commands(Vmapp(1, 1, Gicv4Harness.VptOf(1), 16));
            h.Msi(0, 0);
            Assert.That(h.IsVptBitSet(0, VIntid), Is.True);
            h.Commands(Vmovi(0, 0, 1, Doorbell));
            Assert.That(h.IsVptBitSet(0, VIntid), Is.False);
            Assert.That(h.IsVptBitSet(1, VIntid), Is.True);
            Assert.That(h.Irq[1].Level, Is.True, "the new doorbell rings for the moved pending vLPI");
            Assert.That(h.HostAcknowledgeAndEnd(1), Is.EqualTo(Doorbell));
            h.Msi(0, 0);
            Assert.That(h.Irq[1].Level, Is.True, "later MSIs use the new vPE and doorbell");
        }

        [Test]
        public void VmovpShouldRetargetTheVpeAndItsDoorbell()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid, cpu: 0, doorbell: Doorbell);
            h.Commands(Vmovp(0, 1), Vsync(0));
            Assert.That(h.CommandReader(), Is.EqualTo(5 * 32UL));
            h.Msi(0, 0);
            Assert.That(h.Irq[0].Level, Is.False);
            Assert.That(h.Irq[1].Level, Is.True, "doorbell at the new Redistributor");
            h.MakeResident(1, 0);
            Assert.That(h.GuestAcknowledgeAndEnd(1), Is.EqualTo(VIntid));
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [Test]
        public void SingleVmovpShouldMoveTheVpeInEveryIts()
        {
            Create(itses: 2);
            h.MapVirtualEvent(0, 0, 0, VIntid, cpu: 0, its: 0);
            h.MapVirtualEvent(0, 0, 0, VIntid, cpu: 0, its: 1);
            h.CommandsOn(0, Vmovp(0, 1));
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.VpeTables) >> 42 & 0xFFFF, Is.EqualTo(1UL));
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.VpeTables + 0x20000) >> 42 & 0xFFFF, Is.EqualTo(1UL), "the other ITS too");
        }

        [Test]
        public void SingleVmovpShouldStallWithNothingChangedWhenAnotherItsFaults()
        {
            Create(itses: 2);
            h.MapVirtualEvent(0, 0, 0, VIntid, cpu: 0, its: 0);
            // ITS 1's vPE table lives in memory that stops answering.
            h.MapVirtualEvent(0, 0, 0, VIntid, cpu: 0, its: 1);
            h.Bus.AddFaultingRange(Gicv4Harness.VpeTables + 0x20000, 0x10000);
            h.CommandsOn(0, Vmovp(5, 1)); // vPE 5 unmapped in ITS 0 (Skip) and unreadable in ITS 1 (Stall)
            Assert.That(h.CommandReader(), Is.EqualTo(96UL | 1), "Stall beats Skip: stalled at the VMOVP");
            h.Bus.ClearFaultingRanges();
            var replacement = Vmovp(0, 1);
            for(var k = 0; k < 4; k++)
            {
                h.Bus.WriteQuadWord(Gicv4Harness.CommandQueues + 96 + (ulong)(8 * k), replacement[k]);
            }
            h.Its[0].WriteQuadWord(Gicv4Harness.GITS_CWRITER, 128 | 1); // Retry
            Assert.That(h.CommandReader(), Is.EqualTo(128UL));
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.VpeTables) >> 42 & 0xFFFF, Is.EqualTo(1UL));
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.VpeTables + 0x20000) >> 42 & 0xFFFF, Is.EqualTo(1UL));
        }

        [Test]
        public void SingleVmovpFaultShouldLeaveEveryVpeTableUnchanged()
        {
            Create(itses: 2);
            h.MapVirtualEvent(0, 0, 0, VIntid, cpu: 0, its: 0);
            h.MapVirtualEvent(0, 0, 0, VIntid, cpu: 0, its: 1);
            h.Bus.AddFaultingRange(Gicv4Harness.VpeTables + 0x20000, 8);
            var before = h.Bus.ReadQuadWord(Gicv4Harness.VpeTables);
            h.CommandsOn(0, Vmovp(0, 1));
            Assert.That(h.CommandReader() & 1, Is.EqualTo(1UL));
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.VpeTables), Is.EqualTo(before), "update only after success");
        }

        [Test]
        public void ItsListVmovpShouldMoveTheVpeInEachListedIts()
        {
            Create(itses: 2, singleVmovp: false);
            h.MapVirtualEvent(0, 0, 0, VIntid, cpu: 0, its: 0);
            h.MapVirtualEvent(0, 0, 0, VIntid, cpu: 0, its: 1);
            h.CommandsOn(0, Vmovp(0, 1, sequence: 7, itsList: 0b11), Vsync(0));
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.VpeTables) >> 42 & 0xFFFF, Is.EqualTo(1UL));
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.VpeTables + 0x20000) >> 42 & 0xFFFF, Is.Zero, "ITS 1 has not seen its VMOVP yet");
            // Another vPE with the same SeqNum while 7 is in progress: guest error.
            h.CommandsOn(1, Vmovp(3, 1, sequence: 7, itsList: 0b11));
            AssertSkippedWithGuestError(1);
            h.Log.Clear();
            h.CommandsOn(1, Vmovp(0, 1, sequence: 7, itsList: 0b11), Vsync(0));
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.VpeTables + 0x20000) >> 42 & 0xFFFF, Is.EqualTo(1UL));
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [TestCase((ushort)0b10, TestName = "VMOVP ITSList without this ITS")]
        [TestCase((ushort)0b101, TestName = "VMOVP ITSList naming an ITS that does not exist")]
        public void BadItsListShouldBeSkipped(ushort itsList)
        {
            Create(itses: 2, singleVmovp: false);
            h.MapVirtualEvent(0, 0, 0, VIntid, cpu: 0, its: 0);
            h.Log.Clear();
            h.CommandsOn(0, Vmovp(0, 1, sequence: 1, itsList: itsList));
            AssertSkippedWithGuestError();
            Assert.That(h.Bus.ReadQuadWord(Gicv4Harness.VpeTables) >> 42 & 0xFFFF, Is.Zero);
        }

        [Test]
        public void VpeTableFaultShouldStallVmapp()
        {
            Create();
            h.Bus.AddFaultingRange(Gicv4Harness.VpeTables, 0x10);
            h.Commands(Vmapp(0, 0, Gicv4Harness.VptOf(0), 16));
            Assert.That(h.CommandReader(), Is.EqualTo(1UL), "Stalled at offset 0");
        }

        [Test]
        public void VptFaultShouldDropTheVlpiWithAGuestErrorAndNoDoorbell()
        {
            Create();
            h.MapVirtualEvent(0, 0, 0, VIntid, doorbell: Doorbell);
            h.Bus.AddFaultingRange(Gicv4Harness.VptOf(0), 0x10000);
            Assert.That(h.Msi(0, 0), Is.False);
            Assert.That(h.Irq[0].Level, Is.False);
            Assert.That(h.Log.GuestErrors, Is.Not.Empty);
        }

        private void AssertSkippedWithGuestError(int its = 0)
        {
            Assert.That(h.CommandReader(its) & 1, Is.Zero, "skipped, not stalled");
            Assert.That(h.Log.GuestErrors, Is.Not.Empty, "a guest error is logged");
        }

        private const int VIntid = 8200;
        private const int Doorbell = 8300;

        private Gicv4Harness h = null!;
    }
}
