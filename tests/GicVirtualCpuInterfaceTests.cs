// Virtual CPU interface (ICH_*_EL2 / ICV_*_EL1): reset values and identification, list-register life cycle
// (fill, acknowledge, EOI, deactivation), EOIcount, EISR/ELRSR/MISR, the maintenance interrupt as a level on
// PPI 25, HW = 1 deactivation of the physical interrupt, VMCR fields seen through ICV_*, vIRQ/vFIQ, traps to EL2.
using System;
using Antmicro.Renode.Peripherals.IRQControllers;
using NUnit.Framework;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class VirtualCpuInterfaceTests
    {
        [SetUp]
        public void SetUp()
        {
            h = new GicHarness(cpuCount: 2);
            h.EnableAll();
        }

        [TearDown]
        public void TearDown()
        {
            h.Dispose();
        }

        // ---- Reset values and identification ----

        [Test]
        public void ShouldResetIchRegisters()
        {
            Hypervisor();
            Assert.That(h.ReadSys(0, Ich.HCR), Is.EqualTo(0ul));
            Assert.That(h.ReadSys(0, Ich.VMCR), Is.EqualTo(0x004C_0008ul), "VFIQEn, VBPR1 = 3, VBPR0 = 2 (as QEMU)");
            for(var n = 0; n < 4; n++)
            {
                Assert.That(h.ReadSys(0, Ich.LR(n)), Is.EqualTo(0ul), $"ICH_LR{n}_EL2");
            }
            Assert.That(h.ReadSys(0, Ich.AP0R0), Is.EqualTo(0ul));
            Assert.That(h.ReadSys(0, Ich.AP1R0), Is.EqualTo(0ul));
            Assert.That(h.ReadSys(0, Ich.MISR), Is.EqualTo(0ul));
            Assert.That(h.ReadSys(0, Ich.EISR), Is.EqualTo(0ul));
            Assert.That(h.ReadSys(0, Ich.ELRSR), Is.EqualTo(0xFul), "every list register is empty");
            Assert.That(h.VirtualIrq[0].Level, Is.False);
            Assert.That(h.VirtualFiq[0].Level, Is.False);
        }

        [Test]
        public void ShouldReportVtr()
        {
            Hypervisor();
            // ListRegs = 3, TDS, nV4 (GICv3), A3V, SEIS = 0, IDbits = 16, PREbits = PRIbits = 5.
            Assert.That(h.ReadSys(0, Ich.VTR), Is.EqualTo(0x9038_0003ul));
        }

        [TestCase(1, 3, 0x9038_0000ul, TestName = "VTR with 1 list register")]
        [TestCase(16, 3, 0x9038_000Ful, TestName = "VTR with 16 list registers")]
        [TestCase(4, 4, 0x9028_0003ul, TestName = "VTR of a GICv4 (nV4 = 0)")]
        public void ShouldReportConfiguredListRegisters(int count, int revision, ulong expected)
        {
            var gic = new ArmGicV3(new FakeMachine(), architectureRevision: revision, numberOfListRegisters: count);
            gic.AttachCpu(0, new FakeGicCpu(0, exceptionLevel: 2));
            Assert.That(gic.TryReadSystemRegister(0, Ich.VTR, out var vtr), Is.True);
            Assert.That(vtr, Is.EqualTo(expected));
            Assert.That(gic.TryReadSystemRegister(0, Ich.LR(count - 1), out _), Is.True, "the last list register exists");
            Assert.That(gic.TryReadSystemRegister(0, Ich.LR(count), out _), Is.False, "one more does not");
            Assert.That(gic.NumberOfListRegisters, Is.EqualTo(count));
        }

        [TestCase(0)]
        [TestCase(17)]
        public void ShouldRejectBadListRegisterCounts(int count)
        {
            Assert.Throws<ArgumentException>(() => new ArmGicV3(new FakeMachine(), numberOfListRegisters: count));
        }

        [Test]
        public void ShouldKeepOnlyImplementedHcrBits()
        {
            Hypervisor();
            h.WriteSys(0, Ich.HCR, ulong.MaxValue);
            // En..VGrp1DIE, TC, TALL0, TALL1, TDIR, EOIcount; TSEI (SEIS = 0) and DVIM are RES0.
            Assert.That(h.ReadSys(0, Ich.HCR), Is.EqualTo(0xF800_5CFFul));
            h.WriteSys(0, Ich.HCR, 0);
            Assert.That(h.ReadSys(0, Ich.HCR), Is.EqualTo(0ul));
        }

        [Test]
        public void ShouldClampVmcrFields()
        {
            Hypervisor();
            h.WriteSys(0, Ich.VMCR, 0xFFFF_FFFF);
            // VENG0/1, VFIQEn (RES1), VCBPR, VEOIM, VBPR1 = VBPR0 = 7, VPMR with 5 implemented bits.
            Assert.That(h.ReadSys(0, Ich.VMCR), Is.EqualTo(0xF8FC_021Bul));
            h.WriteSys(0, Ich.VMCR, 0);
            Assert.That(h.ReadSys(0, Ich.VMCR), Is.EqualTo(0x004C_0008ul), "BPRs below the minimum read the minimum; VFIQEn stays 1");
        }

        [Test]
        public void ShouldMaskUnimplementedListRegisterPriorityBits()
        {
            Hypervisor();
            var lr = Lr(40, 0xFF, group1: true, state: Pending) | (0x7UL << 56) | (1UL << 59);
            h.WriteSys(0, Ich.LR(1), lr);
            Assert.That(h.ReadSys(0, Ich.LR(1)), Is.EqualTo(Lr(40, 0xF8, group1: true, state: Pending) | (0x7UL << 56)), "Priority[2:0] and NMI are RES0");
        }

        // ---- Access rules ----

        [Test]
        public void ShouldTreatIchRegistersAsUndefinedBelowEl2()
        {
            Assert.That(h.Gic.TryReadSystemRegister(0, Ich.HCR, out _), Is.False);
            Assert.That(h.Gic.TryWriteSystemRegister(0, Ich.LR(0), 0), Is.False);
            Assert.That(h.Gic.ReadSystemRegister(0, Ich.VTR, out _), Is.EqualTo(GicSystemRegisterAccessResult.Undefined));
        }

        [Test]
        public void ShouldTreatWrongDirectionAndMissingRegistersAsUndefined()
        {
            Hypervisor();
            Assert.That(h.Gic.TryWriteSystemRegister(0, Ich.VTR, 0), Is.False);
            Assert.That(h.Gic.TryWriteSystemRegister(0, Ich.MISR, 0), Is.False);
            Assert.That(h.Gic.TryWriteSystemRegister(0, Ich.EISR, 0), Is.False);
            Assert.That(h.Gic.TryWriteSystemRegister(0, Ich.ELRSR, 0), Is.False);
            Assert.That(h.Gic.TryReadSystemRegister(0, Ich.AP0R0 + 1, out _), Is.False, "one APR per group with 5 preemption bits");
            Guest();
            Assert.That(h.Gic.TryWriteSystemRegister(0, Sys.ICC_IAR1_EL1, 0), Is.False, "ICV_IAR1_EL1 is read-only");
            Assert.That(h.Gic.TryReadSystemRegister(0, Sys.ICC_EOIR1_EL1, out _), Is.False, "ICV_EOIR1_EL1 is write-only");
            Assert.That(h.Gic.TryReadSystemRegister(0, Sys.ICC_AP1R0_EL1 + 1, out _), Is.False, "ICV_AP1R1_EL1 does not exist");
            Assert.That(h.ReadSys(0, Sys.ICC_SRE_EL1), Is.EqualTo(0x7ul), "ICC_SRE_EL1 is never virtualised");
        }

        [Test]
        public void ShouldServeIcvOnlyForTheRoutedGroup()
        {
            h.Cpus[0].HypervisorConfiguration = HcrImo;
            h.WriteSys(0, Sys.ICC_IGRPEN1_EL1, 1);
            h.WriteSys(0, Sys.ICC_IGRPEN0_EL1, 0);
            Hypervisor();
            Assert.That(h.ReadSys(0, Ich.VMCR) & 3, Is.EqualTo(2ul), "IGRPEN1 reached ICV (VENG1); IGRPEN0 reached ICC");
            h.Cpus[0].ExceptionLevel = 1;
            Assert.That(h.ReadSys(0, Sys.ICC_IGRPEN0_EL1), Is.EqualTo(0ul));
            h.Cpus[0].ExceptionLevel = 2;
            Assert.That(h.ReadSys(0, Sys.ICC_IGRPEN0_EL1), Is.EqualTo(0ul), "the physical Group 0 enable was written");
            Assert.That(h.ReadSys(0, Sys.ICC_IGRPEN1_EL1), Is.EqualTo(1ul), "the physical Group 1 enable is untouched");
        }

        // ---- VMCR seen through ICV_* ----

        [Test]
        public void ShouldReflectVmcrInIcvRegisters()
        {
            Hypervisor();
            h.WriteSys(0, Ich.VMCR, (0xA0UL << 24) | (5UL << 21) | (6UL << 18) | (1UL << 9) | 3);
            Guest();
            Assert.That(h.ReadSys(0, Sys.ICC_PMR_EL1), Is.EqualTo(0xA0ul), "ICV_PMR_EL1 = VPMR");
            Assert.That(h.ReadSys(0, Sys.ICC_BPR0_EL1), Is.EqualTo(5ul), "ICV_BPR0_EL1 = VBPR0");
            Assert.That(h.ReadSys(0, Sys.ICC_BPR1_EL1), Is.EqualTo(6ul), "ICV_BPR1_EL1 = VBPR1");
            Assert.That(h.ReadSys(0, Sys.ICC_CTLR_EL1), Is.EqualTo(0x8402ul), "A3V, PRIbits = 4, IDbits = 16, EOImode = VEOIM");
            Assert.That(h.ReadSys(0, Sys.ICC_IGRPEN0_EL1), Is.EqualTo(1ul));
            Assert.That(h.ReadSys(0, Sys.ICC_IGRPEN1_EL1), Is.EqualTo(1ul));
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xFFul), "idle");
        }

        [Test]
        public void ShouldWriteVmcrThroughIcvRegisters()
        {
            Guest();
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0xFF);
            h.WriteSys(0, Sys.ICC_BPR0_EL1, 0);
            h.WriteSys(0, Sys.ICC_BPR1_EL1, 4);
            h.WriteSys(0, Sys.ICC_CTLR_EL1, 0xFFFF_FFFF);
            h.WriteSys(0, Sys.ICC_IGRPEN1_EL1, 1);
            Assert.That(h.ReadSys(0, Sys.ICC_PMR_EL1), Is.EqualTo(0xF8ul), "5 priority bits");
            Assert.That(h.ReadSys(0, Sys.ICC_BPR0_EL1), Is.EqualTo(2ul), "minimum VBPR0");
            Assert.That(h.ReadSys(0, Sys.ICC_CTLR_EL1), Is.EqualTo(0x8403ul), "only CBPR and EOImode are writable");
            Assert.That(h.ReadSys(0, Sys.ICC_BPR1_EL1), Is.EqualTo(3ul), "with VCBPR, BPR1 reads BPR0 + 1");
            h.WriteSys(0, Sys.ICC_BPR1_EL1, 6);
            Hypervisor();
            var vmcr = h.ReadSys(0, Ich.VMCR);
            Assert.That(vmcr >> 24, Is.EqualTo(0xF8ul), "VPMR");
            Assert.That((vmcr >> 21) & 7, Is.EqualTo(2ul), "VBPR0");
            Assert.That((vmcr >> 18) & 7, Is.EqualTo(4ul), "VBPR1 kept: writes ignored while VCBPR = 1");
            Assert.That(vmcr & 0x213, Is.EqualTo(0x212ul), "VEOIM, VCBPR, VENG1; VENG0 clear");
        }

        // ---- List register life cycle ----

        [Test]
        public void ShouldSignalAcknowledgeAndEndAVirtualInterrupt()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(40, 0xA0, group1: true, state: Pending));
            Assert.That(h.VirtualIrq[0].Level, Is.True, "vIRQ for a pending Group 1 LR");
            Assert.That(h.VirtualFiq[0].Level, Is.False);
            Assert.That(h.Irq[0].Level, Is.False, "the physical IRQ is not involved");

            Guest();
            Assert.That(h.ReadSys(0, Sys.ICC_HPPIR1_EL1), Is.EqualTo(40ul));
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(40ul));
            Assert.That(h.VirtualIrq[0].Level, Is.False, "active: no longer signalled");
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xA0ul));
            Assert.That(h.ReadSys(0, Sys.ICC_AP1R0_EL1), Is.EqualTo(1ul << (0xA0 >> 3)));
            Hypervisor();
            Assert.That(State(h.ReadSys(0, Ich.LR(0))), Is.EqualTo(Active));
            Assert.That(h.ReadSys(0, Ich.AP1R0), Is.EqualTo(1ul << 20), "ICH_AP1R0_EL2 is the same state");
            Assert.That(h.ReadSys(0, Ich.ELRSR), Is.EqualTo(0xEul));

            Guest();
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 40);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xFFul));
            Hypervisor();
            Assert.That(h.ReadSys(0, Ich.LR(0)), Is.EqualTo(Lr(40, 0xA0, group1: true, state: Invalid)));
            Assert.That(h.ReadSys(0, Ich.ELRSR), Is.EqualTo(0xFul));
            Assert.That(h.ReadSys(0, Ich.HCR) >> 27, Is.EqualTo(0ul), "EOIcount untouched");
        }

        [Test]
        public void ShouldPickTheHighestPriorityListRegister()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(50, 0xC0, group1: true, state: Pending));
            h.WriteSys(0, Ich.LR(1), Lr(51, 0x80, group1: true, state: Pending));
            h.WriteSys(0, Ich.LR(2), Lr(52, 0x80, group1: true, state: Pending));
            h.WriteSys(0, Ich.LR(3), Lr(53, 0x90, group1: true, state: Active));
            Guest();
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(51ul), "lower priority value wins; the lower LR breaks ties");
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 51);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(52ul));
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 52);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(50ul), "an active LR is never chosen");
        }

        [Test]
        public void ShouldSignalGroup0AsVirtualFiq()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(2), Lr(33, 0x40, group1: false, state: Pending));
            Assert.That(h.VirtualFiq[0].Level, Is.True);
            Assert.That(h.VirtualIrq[0].Level, Is.False);
            Guest();
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul), "a Group 1 acknowledge does not take Group 0");
            Assert.That(h.ReadSys(0, Sys.ICC_HPPIR1_EL1), Is.EqualTo(1023ul));
            Assert.That(h.ReadSys(0, Sys.ICC_HPPIR0_EL1), Is.EqualTo(33ul));
            Assert.That(h.ReadSys(0, Sys.ICC_IAR0_EL1), Is.EqualTo(33ul));
            Assert.That(h.ReadSys(0, Sys.ICC_AP0R0_EL1), Is.EqualTo(1ul << 8));
            h.WriteSys(0, Sys.ICC_EOIR0_EL1, 33);
            Assert.That(h.ReadSys(0, Sys.ICC_AP0R0_EL1), Is.EqualTo(0ul));
            Assert.That(h.VirtualFiq[0].Level, Is.False);
        }

        [Test]
        public void ShouldGateSignallingOnEnablesAndPriorityMask()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(40, 0xA0, group1: true, state: Pending));
            Assert.That(h.VirtualIrq[0].Level, Is.True);
            h.WriteSys(0, Ich.HCR, 0);
            Assert.That(h.VirtualIrq[0].Level, Is.False, "ICH_HCR_EL2.En = 0");
            h.WriteSys(0, Ich.HCR, HcrEn);
            Assert.That(h.VirtualIrq[0].Level, Is.True);

            Guest();
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0xA0);
            Assert.That(h.VirtualIrq[0].Level, Is.False, "priority equal to VPMR is masked");
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
            Assert.That(h.ReadSys(0, Sys.ICC_HPPIR1_EL1), Is.EqualTo(40ul), "HPPIR ignores the mask");
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0xA8);
            Assert.That(h.VirtualIrq[0].Level, Is.True);
            h.WriteSys(0, Sys.ICC_IGRPEN1_EL1, 0);
            Assert.That(h.VirtualIrq[0].Level, Is.False, "VENG1 = 0");
            Assert.That(h.ReadSys(0, Sys.ICC_HPPIR1_EL1), Is.EqualTo(1023ul));
        }

        [Test]
        public void ShouldPreemptOnlyWithAHigherGroupPriority()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(40, 0x80, group1: true, state: Pending));
            Guest();
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(40ul));
            Hypervisor();
            h.WriteSys(0, Ich.LR(1), Lr(41, 0x88, group1: true, state: Pending));
            Assert.That(h.VirtualIrq[0].Level, Is.False, "0x88 does not preempt 0x80");
            h.WriteSys(0, Ich.LR(2), Lr(42, 0x78, group1: true, state: Pending));
            Assert.That(h.VirtualIrq[0].Level, Is.True, "0x78 does");
            Guest();
            h.WriteSys(0, Sys.ICC_BPR1_EL1, 7); // group priority = bit 7 only: 0x78 and 0x80 differ, still preempts
            Assert.That(h.VirtualIrq[0].Level, Is.True);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(42ul));
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0x00ul), "group priority of 0x78 with VBPR1 = 7 is 0");
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 42);
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 40);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xFFul));
        }

        [Test]
        public void ShouldRepresentActiveAndPendingListRegisters()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(40, 0xA0, group1: true, state: PendingActive));
            Assert.That(h.VirtualIrq[0].Level, Is.False, "pending and active is not signalled");
            Guest();
            h.WriteSys(0, Sys.ICC_AP1R0_EL1, 1u << 20); // the guest is handling it
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 40);
            Hypervisor();
            Assert.That(State(h.ReadSys(0, Ich.LR(0))), Is.EqualTo(Pending), "deactivation leaves it pending");
            Assert.That(h.VirtualIrq[0].Level, Is.True);
        }

        [Test]
        public void ShouldReturnSpecialIntidsFromListRegistersAndInvalidateThem()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(1021, 0xA0, group1: true, state: Pending));
            Guest();
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1021ul));
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xFFul), "no priority became active");
            Hypervisor();
            Assert.That(State(h.ReadSys(0, Ich.LR(0))), Is.EqualTo(Invalid));
        }

        [Test]
        public void ShouldGiveVirtualLpisNoActiveState()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(8192, 0xA0, group1: true, state: Pending));
            Guest();
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(8192ul));
            Hypervisor();
            Assert.That(State(h.ReadSys(0, Ich.LR(0))), Is.EqualTo(Invalid), "acknowledged vLPIs leave the LR");
            Guest();
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xA0ul));
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 8192);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xFFul));
            Hypervisor();
            Assert.That(h.ReadSys(0, Ich.HCR) >> 27, Is.EqualTo(0ul), "an LPI EOI does not count in EOIcount");
        }

        // ---- EOI modes, EOIcount, EISR/ELRSR ----

        [Test]
        public void ShouldSplitPriorityDropAndDeactivationWithVeoim()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(40, 0xA0, group1: true, state: Pending));
            Guest();
            h.WriteSys(0, Sys.ICC_CTLR_EL1, 2); // EOImode
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(40ul));
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 40);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xFFul), "priority dropped");
            Hypervisor();
            Assert.That(State(h.ReadSys(0, Ich.LR(0))), Is.EqualTo(Active), "still active");
            Guest();
            h.WriteSys(0, Sys.ICC_DIR_EL1, 40);
            Hypervisor();
            Assert.That(State(h.ReadSys(0, Ich.LR(0))), Is.EqualTo(Invalid));
            Guest();
            h.WriteSys(0, Sys.ICC_DIR_EL1, 77);
            Hypervisor();
            Assert.That(h.ReadSys(0, Ich.HCR) >> 27, Is.EqualTo(1ul), "a DIR matching no LR counts in EOIcount");
        }

        [Test]
        public void ShouldIgnoreDirWithoutVeoim()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(40, 0xA0, group1: true, state: Active));
            Guest();
            h.WriteSys(0, Sys.ICC_DIR_EL1, 40);
            Hypervisor();
            Assert.That(State(h.ReadSys(0, Ich.LR(0))), Is.EqualTo(Active));
            Assert.That(h.Log.GuestErrors[^1].Message, Does.Contain("VEOIM = 0"), "guest error logged");
        }

        [Test]
        public void ShouldCountEoisThatMatchNoListRegister()
        {
            EnableVirtualInterface(HcrEn | HcrLrenpie);
            Guest();
            h.WriteSys(0, Sys.ICC_AP1R0_EL1, (1u << 20) | (1u << 22)); // two nested interrupts the hypervisor took out of the LRs
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 60);
            Hypervisor();
            Assert.That(h.ReadSys(0, Ich.HCR) >> 27, Is.EqualTo(1ul));
            Assert.That(h.ReadSys(0, Ich.MISR), Is.EqualTo(MisrLrenp));
            Assert.That(MaintenancePending(), Is.True);
            Guest();
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 61);
            Hypervisor();
            Assert.That(h.ReadSys(0, Ich.HCR) >> 27, Is.EqualTo(2ul));
            Assert.That(h.ReadSys(0, Ich.AP1R0), Is.EqualTo(0ul));
            Guest();
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 62);
            Hypervisor();
            Assert.That(h.ReadSys(0, Ich.HCR) >> 27, Is.EqualTo(2ul), "an EOI with nothing active is ignored");
            h.WriteSys(0, Ich.HCR, HcrEn | HcrLrenpie); // EOIcount written back to 0
            Assert.That(h.ReadSys(0, Ich.MISR), Is.EqualTo(0ul));
            Assert.That(MaintenancePending(), Is.False);
        }

        [Test]
        public void ShouldWrapEoiCount()
        {
            EnableVirtualInterface(HcrEn | (31UL << 27));
            Guest();
            h.WriteSys(0, Sys.ICC_AP1R0_EL1, 1u << 20);
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 60);
            Hypervisor();
            Assert.That(h.ReadSys(0, Ich.HCR), Is.EqualTo(HcrEn));
        }

        [Test]
        public void ShouldReportEndOfInterruptMaintenance()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(40, 0xA0, group1: true, state: Pending) | LrEoi);
            h.WriteSys(0, Ich.LR(1), Lr(41, 0xB0, group1: true, state: Pending));
            Assert.That(h.ReadSys(0, Ich.EISR), Is.EqualTo(0ul));
            Assert.That(h.ReadSys(0, Ich.ELRSR), Is.EqualTo(0xCul));
            Guest();
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(40ul));
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 40);
            Hypervisor();
            Assert.That(h.ReadSys(0, Ich.EISR), Is.EqualTo(1ul), "LR0 ended and asked for a maintenance interrupt");
            Assert.That(h.ReadSys(0, Ich.ELRSR), Is.EqualTo(0xCul), "LR0 is not free until the hypervisor clears EOI");
            Assert.That(h.ReadSys(0, Ich.MISR), Is.EqualTo(MisrEoi));
            Assert.That(MaintenancePending(), Is.True);
            h.WriteSys(0, Ich.LR(0), 0);
            Assert.That(h.ReadSys(0, Ich.EISR), Is.EqualTo(0ul));
            Assert.That(h.ReadSys(0, Ich.ELRSR), Is.EqualTo(0xDul));
            Assert.That(MaintenancePending(), Is.False, "a level: gone with its cause");
        }

        [Test]
        public void ShouldNotReportEoiMaintenanceForHardwareListRegisters()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(40, 0xA0, group1: true, state: Invalid) | LrHw | LrEoi);
            Assert.That(h.ReadSys(0, Ich.EISR), Is.EqualTo(0ul), "bit 41 is part of pINTID when HW = 1");
            Assert.That(h.ReadSys(0, Ich.ELRSR), Is.EqualTo(0xFul));
        }

        // ---- MISR and the maintenance interrupt ----

        [Test]
        public void ShouldReportUnderflow()
        {
            EnableVirtualInterface(HcrEn | HcrUie);
            Assert.That(h.ReadSys(0, Ich.MISR), Is.EqualTo(MisrU), "no valid LR");
            Assert.That(MaintenancePending(), Is.True);
            h.WriteSys(0, Ich.LR(0), Lr(40, 0xA0, group1: true, state: Pending));
            Assert.That(h.ReadSys(0, Ich.MISR), Is.EqualTo(MisrU), "one valid LR");
            h.WriteSys(0, Ich.LR(1), Lr(41, 0xA0, group1: true, state: Active));
            Assert.That(h.ReadSys(0, Ich.MISR), Is.EqualTo(0ul), "two valid LRs");
            Assert.That(MaintenancePending(), Is.False);
            h.WriteSys(0, Ich.LR(1), 0);
            Assert.That(MaintenancePending(), Is.True);
            h.WriteSys(0, Ich.HCR, HcrUie);
            Assert.That(h.ReadSys(0, Ich.MISR), Is.EqualTo(MisrU), "MISR is reported with En = 0 ...");
            Assert.That(MaintenancePending(), Is.False, "... but the interrupt needs En = 1");
        }

        [Test]
        public void ShouldReportNoPending()
        {
            EnableVirtualInterface(HcrEn | HcrNpie);
            Assert.That(h.ReadSys(0, Ich.MISR), Is.EqualTo(MisrNp));
            h.WriteSys(0, Ich.LR(3), Lr(40, 0xA0, group1: true, state: Pending));
            Assert.That(h.ReadSys(0, Ich.MISR), Is.EqualTo(0ul));
            h.WriteSys(0, Ich.LR(3), Lr(40, 0xA0, group1: true, state: PendingActive));
            Assert.That(h.ReadSys(0, Ich.MISR), Is.EqualTo(MisrNp), "pending and active is not 'pending'");
        }

        [TestCase(0x10UL, 1UL, 0x10u, TestName = "VGrp0E with VENG0 = 1")]
        [TestCase(0x20UL, 0UL, 0x20u, TestName = "VGrp0D with VENG0 = 0")]
        [TestCase(0x40UL, 2UL, 0x40u, TestName = "VGrp1E with VENG1 = 1")]
        [TestCase(0x80UL, 0UL, 0x80u, TestName = "VGrp1D with VENG1 = 0")]
        [TestCase(0x20UL, 2UL, 0x20u, TestName = "VGrp0D ignores VENG1")]
        [TestCase(0x10UL, 2UL, 0x0u, TestName = "VGrp0E needs VENG0")]
        [TestCase(0x80UL, 2UL, 0x0u, TestName = "VGrp1D needs VENG1 = 0")]
        public void ShouldReportGroupEnableMaintenance(ulong interruptEnables, ulong groupEnables, uint expectedMisr)
        {
            Hypervisor();
            h.WriteSys(0, Ich.VMCR, (0xF8UL << 24) | groupEnables);
            h.WriteSys(0, Ich.HCR, HcrEn | interruptEnables);
            Assert.That(h.ReadSys(0, Ich.MISR), Is.EqualTo((ulong)expectedMisr));
            Assert.That(MaintenancePending(), Is.EqualTo(expectedMisr != 0));
        }

        [Test]
        public void ShouldDeliverTheMaintenanceInterruptAsPpi25()
        {
            h.ConfigurePrivate(0, 25, priority: 0x80);
            EnableVirtualInterface(HcrEn | HcrUie);
            Assert.That(h.Irq[0].Level, Is.True, "the hypervisor's physical IRQ");
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(25ul));
            h.WriteSys(0, Ich.HCR, HcrEn); // the handler turns UIE off...
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 25);
            Assert.That(h.Irq[0].Level, Is.False, "... so the level is low after the EOI");
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
            Assert.That(MaintenancePending(1), Is.False, "only the CPU's own redistributor");
        }

        // ---- HW = 1: the physical interrupt ----

        [Test]
        public void ShouldDeactivateThePhysicalInterruptOfAHardwareListRegister()
        {
            h.ConfigureSpi(48, priority: 0x90);
            Hypervisor();
            h.WriteSys(0, Sys.ICC_CTLR_EL1, 2); // EOImode = 1 at EL2: the guest will deactivate
            h.WriteGicd(GicHarness.Gicd("ISPENDR", 1), 1u << 16);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(48ul));
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 48);
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISACTIVER", 1)) & (1u << 16), Is.Not.Zero, "active until the guest is done");
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(27, 0xA0, group1: true, state: Pending) | LrHw | (48UL << 32));
            Guest();
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(27ul));
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISACTIVER", 1)) & (1u << 16), Is.Not.Zero);
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 27);
            Assert.That(h.ReadGicd(GicHarness.Gicd("ISACTIVER", 1)) & (1u << 16), Is.Zero, "vINTID 27's deactivation deactivated SPI 48");
            Hypervisor();
            Assert.That(State(h.ReadSys(0, Ich.LR(0))), Is.EqualTo(Invalid));
            Assert.That(h.ReadSys(0, Ich.EISR), Is.EqualTo(0ul));
        }

        [Test]
        public void ShouldDeactivateThePhysicalInterruptOnDirWithVeoim()
        {
            h.ConfigurePrivate(0, 20, priority: 0x90);
            h.WriteGicr(0, GicHarness.SgiBase + 0x300, 1u << 20); // GICR_ISACTIVER0: PPI 20 active
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(1), Lr(99, 0xA0, group1: true, state: Pending) | LrHw | (20UL << 32));
            Guest();
            h.WriteSys(0, Sys.ICC_CTLR_EL1, 2);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(99ul));
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 99);
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x300) & (1u << 20), Is.Not.Zero, "EOI only drops the priority");
            h.WriteSys(0, Sys.ICC_DIR_EL1, 99);
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x300) & (1u << 20), Is.Zero);
        }

        // ---- Active priorities ----

        [Test]
        public void ShouldShareActivePrioritiesBetweenIchAndIcv()
        {
            Hypervisor();
            h.WriteSys(0, Ich.AP0R0, 0x8000_0000);
            h.WriteSys(0, Ich.AP1R0, 0x0000_0100);
            Guest();
            Assert.That(h.ReadSys(0, Sys.ICC_AP0R0_EL1), Is.EqualTo(0x8000_0000ul));
            Assert.That(h.ReadSys(0, Sys.ICC_AP1R0_EL1), Is.EqualTo(0x100ul));
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0x40ul), "bit 8 -> priority 0x40");
            h.WriteSys(0, Sys.ICC_AP1R0_EL1, 0);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xF8ul));
        }

        // ---- Traps ----

        [TestCase(HcrTall1Bit, "ICC_IAR1_EL1", false, TestName = "TALL1 traps ICV_IAR1_EL1")]
        [TestCase(HcrTall1Bit, "ICC_IGRPEN1_EL1", true, TestName = "TALL1 traps ICV_IGRPEN1_EL1")]
        [TestCase(HcrTall0Bit, "ICC_IAR0_EL1", false, TestName = "TALL0 traps ICV_IAR0_EL1")]
        [TestCase(HcrTall0Bit, "ICC_BPR0_EL1", true, TestName = "TALL0 traps ICV_BPR0_EL1")]
        [TestCase(HcrTcBit, "ICC_PMR_EL1", true, TestName = "TC traps ICV_PMR_EL1")]
        [TestCase(HcrTcBit, "ICC_CTLR_EL1", false, TestName = "TC traps ICV_CTLR_EL1")]
        [TestCase(HcrTcBit, "ICC_RPR_EL1", false, TestName = "TC traps ICV_RPR_EL1")]
        [TestCase(HcrTcBit, "ICC_DIR_EL1", true, TestName = "TC traps ICV_DIR_EL1")]
        [TestCase(HcrTdirBit, "ICC_DIR_EL1", true, TestName = "TDIR traps ICV_DIR_EL1")]
        public void ShouldTrapEl1AccessesToEl2(int hcrBit, string register, bool write)
        {
            var encoding = (uint)typeof(Sys).GetField(register)!.GetValue(null)!;
            Hypervisor();
            h.WriteSys(0, Ich.HCR, 1UL << hcrBit);
            Guest();
            var result = write ? h.Gic.WriteSystemRegister(0, encoding, 0) : h.Gic.ReadSystemRegister(0, encoding, out _);
            Assert.That(result, Is.EqualTo(GicSystemRegisterAccessResult.TrapToEl2));
            h.Cpus[0].HypervisorConfiguration = 0;
            result = write ? h.Gic.WriteSystemRegister(0, encoding, 0) : h.Gic.ReadSystemRegister(0, encoding, out _);
            Assert.That(result, Is.EqualTo(GicSystemRegisterAccessResult.TrapToEl2), "ICC_* at EL1 traps too");
            h.Cpus[0].ExceptionLevel = 2;
            result = write ? h.Gic.WriteSystemRegister(0, encoding, 0) : h.Gic.ReadSystemRegister(0, encoding, out _);
            Assert.That(result, Is.EqualTo(GicSystemRegisterAccessResult.Done), "EL2 is never trapped");
        }

        [Test]
        public void ShouldNotTrapOtherGroupsOrUndefinedAccesses()
        {
            Hypervisor();
            h.WriteSys(0, Ich.HCR, 1UL << HcrTall1Bit);
            Guest();
            Assert.That(h.Gic.ReadSystemRegister(0, Sys.ICC_IAR0_EL1, out _), Is.EqualTo(GicSystemRegisterAccessResult.Done));
            Assert.That(h.Gic.ReadSystemRegister(0, Sys.ICC_PMR_EL1, out _), Is.EqualTo(GicSystemRegisterAccessResult.Done));
            Assert.That(h.Gic.WriteSystemRegister(0, Sys.ICC_IAR1_EL1, 0), Is.EqualTo(GicSystemRegisterAccessResult.Undefined),
                "a write to a read-only register is UNDEFINED before any trap");
            Assert.That(h.Gic.ReadSystemRegister(0, Sys.ICC_AP1R0_EL1 + 1, out _), Is.EqualTo(GicSystemRegisterAccessResult.Undefined));
        }

        [Test]
        public void ShouldTrapSgiGenerationUnderImoOrFmo()
        {
            h.Cpus[0].HypervisorConfiguration = HcrFmo;
            Assert.That(h.Gic.WriteSystemRegister(0, Sys.ICC_SGI1R_EL1, Sys.SgiValue(3, 1)), Is.EqualTo(GicSystemRegisterAccessResult.TrapToEl2));
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x200), Is.EqualTo(0u), "no SGI was sent");
            h.Cpus[0].HypervisorConfiguration = 0;
            Assert.That(h.Gic.WriteSystemRegister(0, Sys.ICC_SGI1R_EL1, Sys.SgiValue(3, 1)), Is.EqualTo(GicSystemRegisterAccessResult.Done));
            Assert.That(h.ReadGicr(0, GicHarness.SgiBase + 0x200), Is.EqualTo(1u << 3));
        }

        [Test]
        public void ShouldEncodeTheTrapSyndrome()
        {
            // MRS x5, ICC_IAR1_EL1 (op0 3, op1 0, CRn 12, CRm 12, op2 0): EC 0x18, IL, Op0 3, CRn 12, Rt 5, CRm 12, read.
            var expected = (0x18UL << 26) | (1UL << 25) | (3UL << 20) | (12UL << 10) | (5UL << 5) | (12UL << 1) | 1;
            Assert.That(GicSystemRegisterTrap.Syndrome(Sys.ICC_IAR1_EL1, 5, isRead: true), Is.EqualTo(expected));
            // MSR ICC_DIR_EL1, x0 (CRm 11, op2 1): write.
            expected = (0x18UL << 26) | (1UL << 25) | (3UL << 20) | (1UL << 17) | (12UL << 10) | (11UL << 1);
            Assert.That(GicSystemRegisterTrap.Syndrome(Sys.ICC_DIR_EL1, 0, isRead: false), Is.EqualTo(expected));
        }

        // ---- Reset and per-CPU independence ----

        [Test]
        public void ShouldResetVirtualStateAndOutputs()
        {
            EnableVirtualInterface(HcrEn | HcrUie);
            h.WriteSys(0, Ich.LR(0), Lr(40, 0xA0, group1: true, state: Pending));
            Assert.That(h.VirtualIrq[0].Level, Is.True);
            Assert.That(MaintenancePending(), Is.True);
            h.Gic.Reset();
            Assert.That(h.VirtualIrq[0].Level, Is.False);
            Assert.That(MaintenancePending(), Is.False);
            Hypervisor();
            Assert.That(h.ReadSys(0, Ich.LR(0)), Is.EqualTo(0ul));
        }

        [Test]
        public void ShouldKeepEachCpusVirtualInterfaceSeparate()
        {
            EnableVirtualInterface();
            h.WriteSys(0, Ich.LR(0), Lr(40, 0xA0, group1: true, state: Pending));
            Assert.That(h.VirtualIrq[0].Level, Is.True);
            Assert.That(h.VirtualIrq[1].Level, Is.False);
            h.Cpus[1].ExceptionLevel = 2;
            Assert.That(h.ReadSys(1, Ich.LR(0)), Is.EqualTo(0ul));
        }

        // ---- Helpers ----

        private void Hypervisor()
        {
            h.Cpus[0].ExceptionLevel = 2;
        }

        /// <summary>EL1 with HCR_EL2 = RW | IMO | FMO: ICC_* encodings reach ICV_*.</summary>
        private void Guest()
        {
            h.Cpus[0].ExceptionLevel = 1;
            h.Cpus[0].HypervisorConfiguration = (1UL << 31) | HcrImo | HcrFmo;
        }

        /// <summary>At EL2: ICH_VMCR_EL2 = VPMR 0xF8 | VENG0 | VENG1, then ICH_HCR_EL2.</summary>
        private void EnableVirtualInterface(ulong hcr = HcrEn)
        {
            Hypervisor();
            h.WriteSys(0, Ich.VMCR, (0xF8UL << 24) | 3);
            h.WriteSys(0, Ich.HCR, hcr);
        }

        private bool MaintenancePending(int cpu = 0) => (h.ReadGicr(cpu, GicHarness.SgiBase + 0x200) & (1u << 25)) != 0;

        private static ulong Lr(uint vintid, int priority, bool group1, int state)
        {
            return vintid | ((ulong)priority << 48) | (group1 ? 1UL << 60 : 0) | ((ulong)state << 62);
        }

        private static int State(ulong lr) => (int)(lr >> 62);

        private const int Invalid = 0;
        private const int Pending = 1;
        private const int Active = 2;
        private const int PendingActive = 3;
        private const ulong LrEoi = 1UL << 41;
        private const ulong LrHw = 1UL << 61;
        private const ulong HcrEn = 1;
        private const ulong HcrUie = 1UL << 1;
        private const ulong HcrLrenpie = 1UL << 2;
        private const ulong HcrNpie = 1UL << 3;
        private const int HcrTcBit = 10;
        private const int HcrTall0Bit = 11;
        private const int HcrTall1Bit = 12;
        private const int HcrTdirBit = 14;
        private const ulong HcrFmo = 1UL << 3;
        private const ulong HcrImo = 1UL << 4;
        private const ulong MisrEoi = 1;
        private const ulong MisrU = 2;
        private const ulong MisrLrenp = 4;
        private const ulong MisrNp = 8;

        private GicHarness h = null!;

        /// <summary>ICH_*_EL2 encodings, written out independently of the model.</summary>
        private static class Ich
        {
            private static uint Enc(uint crm, uint op2) => (3u << 14) | (4u << 11) | (12u << 7) | (crm << 3) | op2;

            public static readonly uint AP0R0 = Enc(8, 0);
            public static readonly uint AP1R0 = Enc(9, 0);
            public static readonly uint HCR = Enc(11, 0);
            public static readonly uint VTR = Enc(11, 1);
            public static readonly uint MISR = Enc(11, 2);
            public static readonly uint EISR = Enc(11, 3);
            public static readonly uint ELRSR = Enc(11, 5);
            public static readonly uint VMCR = Enc(11, 7);

            public static uint LR(int n) => Enc(12 + (uint)n / 8, (uint)n % 8);
        }
    }
}
