// CPU interface (ICC_*) behaviour: identification, priority masking, preemption and binary points, active
// priorities, acknowledge/EOI/deactivation, SGI generation, access rules, security views.
using System;
using Antmicro.Renode.Peripherals.IRQControllers;
using NUnit.Framework;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class CpuInterfaceTests
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

        [Test]
        public void ShouldReportCtlrIdentification()
        {
            Assert.That(h.ReadSys(0, Sys.ICC_CTLR_EL1), Is.EqualTo(0x48400ul), "RSS, A3V, PRIbits = 4, IDbits = 16");
            h.WriteSys(0, Sys.ICC_CTLR_EL1, 0xFFFF_FFFF);
            Assert.That(h.ReadSys(0, Sys.ICC_CTLR_EL1), Is.EqualTo(0x48403ul), "only CBPR and EOImode are writable");
        }

        [TestCase(6, 0x48500ul, TestName = "PRIbits for 6 priority bits")]
        [TestCase(8, 0x48700ul, TestName = "PRIbits for 8 priority bits")]
        public void ShouldReportConfiguredPriorityBits(int bits, ulong expected)
        {
            using var gic = new GicHarness(cpuCount: 1, priorityBits: bits);
            Assert.That(gic.ReadSys(0, Sys.ICC_CTLR_EL1), Is.EqualTo(expected));
        }

        [Test]
        public void ShouldReportSystemRegisterEnableRaoWi()
        {
            h.WriteSys(0, Sys.ICC_SRE_EL1, 0);
            Assert.That(h.ReadSys(0, Sys.ICC_SRE_EL1), Is.EqualTo(0x7ul));
            h.Cpus[0].ExceptionLevel = 2;
            Assert.That(h.ReadSys(0, Sys.ICC_SRE_EL2), Is.EqualTo(0xFul));
            h.Cpus[0].ExceptionLevel = 3;
            Assert.That(h.ReadSys(0, Sys.ICC_SRE_EL3), Is.EqualTo(0xFul));
        }

        [Test]
        public void ShouldTreatHigherElRegistersAsUndefined()
        {
            Assert.That(h.Gic.TryReadSystemRegister(0, Sys.ICC_SRE_EL2, out _), Is.False);
            Assert.That(h.Gic.TryReadSystemRegister(0, Sys.ICC_CTLR_EL3, out _), Is.False);
            h.Cpus[0].ExceptionLevel = 2;
            Assert.That(h.Gic.TryWriteSystemRegister(0, Sys.ICC_IGRPEN1_EL3, 1), Is.False);
            h.Cpus[0].ExceptionLevel = 0;
            Assert.That(h.Gic.TryReadSystemRegister(0, Sys.ICC_IAR1_EL1, out _), Is.False, "EL0");
        }

        [Test]
        public void ShouldTreatWrongDirectionAccessesAsUndefined()
        {
            Assert.That(h.Gic.TryWriteSystemRegister(0, Sys.ICC_IAR1_EL1, 0), Is.False);
            Assert.That(h.Gic.TryWriteSystemRegister(0, Sys.ICC_RPR_EL1, 0), Is.False);
            Assert.That(h.Gic.TryReadSystemRegister(0, Sys.ICC_EOIR1_EL1, out _), Is.False);
            Assert.That(h.Gic.TryReadSystemRegister(0, Sys.ICC_SGI1R_EL1, out _), Is.False);
        }

        [Test]
        public void ShouldTreatUnknownAndVirtualizationEncodingsAsUndefined()
        {
            Assert.That(h.Gic.TryReadSystemRegister(0, Sys.ICH_HCR_EL2, out _), Is.False, "ICH_* below EL2");
            h.Cpus[0].ExceptionLevel = 2;
            Assert.That(h.Gic.TryWriteSystemRegister(0, Sys.ICH_LR0_EL2 + 4, 1), Is.False, "only 4 list registers");
            Assert.That(h.Gic.TryReadSystemRegister(0, Sys.ICC_AP0R1_EL1, out _), Is.False, "only AP0R0 with 5 priority bits");
            Assert.That(h.Gic.TryReadSystemRegister(0, 0xC000, out _), Is.False, "MIDR_EL1 is not ours");
            Assert.That(h.Gic.TryReadSystemRegister(5, Sys.ICC_IAR1_EL1, out _), Is.False, "CPU not attached");
        }

        [Test]
        public void ShouldRedirectEl1AccessesToVirtualInterfaceWhenHcrRoutesThem()
        {
            h.ConfigureSpi(40);
            h.WriteGicd(GicHarness.Gicd("ISPENDR", 1), 1u << 8);
            h.Cpus[0].HypervisorConfiguration = 1UL << 4; // IMO
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul), "ICV_IAR1_EL1: no list register is pending");
            Assert.That(h.ReadSys(0, Sys.ICC_HPPIR0_EL1), Is.EqualTo(1023ul), "Group 0 follows FMO, not IMO (physical, nothing of Group 0)");
            Assert.That(h.Gic.WriteSystemRegister(0, Sys.ICC_SGI1R_EL1, 0), Is.EqualTo(GicSystemRegisterAccessResult.TrapToEl2),
                "SGI generation at EL1 traps to EL2 under IMO");
            h.Cpus[0].ExceptionLevel = 2;
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(40ul), "EL2 reaches ICC_*");
        }

        [Test]
        public void ShouldMaskPriorityToImplementedBits()
        {
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0xFF);
            Assert.That(h.ReadSys(0, Sys.ICC_PMR_EL1), Is.EqualTo(0xF8ul));
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0x1_0047);
            Assert.That(h.ReadSys(0, Sys.ICC_PMR_EL1), Is.EqualTo(0x40ul));
        }

        [TestCase(0xA0, 0xA0, false, TestName = "priority equal to PMR is masked")]
        [TestCase(0xA0, 0xA8, true, TestName = "priority above PMR is signalled")]
        [TestCase(0xA7, 0xA8, true, TestName = "unimplemented priority bits are ignored by the mask")]
        [TestCase(0xA8, 0xA8, false, TestName = "priority below PMR is masked")]
        public void ShouldMaskByPmr(int priority, int pmr, bool signalled)
        {
            h.ConfigureSpi(40, priority: (byte)priority);
            h.WriteSys(0, Sys.ICC_PMR_EL1, (ulong)pmr);
            h.Gic.OnGPIO(8, true);
            Assert.That(h.Irq[0].Level, Is.EqualTo(signalled));
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(signalled ? 40ul : 1023ul));
        }

        [Test]
        public void ShouldReportHppirRegardlessOfPmr()
        {
            h.ConfigureSpi(40, priority: 0xA0);
            h.WriteSys(0, Sys.ICC_PMR_EL1, 0x10);
            h.Gic.OnGPIO(8, true);
            Assert.That(h.ReadSys(0, Sys.ICC_HPPIR1_EL1), Is.EqualTo(40ul));
            Assert.That(h.ReadSys(0, Sys.ICC_HPPIR0_EL1), Is.EqualTo(1023ul), "pending interrupt is Group 1");
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
        }

        [Test]
        public void ShouldPickHigherPriorityThenLowerIntid()
        {
            h.ConfigureSpi(45, priority: 0x80);
            h.ConfigureSpi(41, priority: 0x80);
            h.ConfigureSpi(40, priority: 0x90);
            h.WriteGicd(0x204, (1u << 8) | (1u << 9) | (1u << 13));
            Assert.That(h.ReadSys(0, Sys.ICC_HPPIR1_EL1), Is.EqualTo(41ul));
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(41ul));
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 41);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(45ul));
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 45);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(40ul));
        }

        [Test]
        public void ShouldTrackRunningPriorityAndActivePriorities()
        {
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xFFul), "idle");
            h.ConfigureSpi(40, priority: 0x48);
            h.Gic.OnGPIO(8, true);
            h.ReadSys(0, Sys.ICC_IAR1_EL1);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0x48ul));
            Assert.That(h.ReadSys(0, Sys.ICC_AP1R0_EL1), Is.EqualTo(1ul << 9), "bit = priority >> 3");
            Assert.That(h.ReadSys(0, Sys.ICC_AP0R0_EL1), Is.Zero);
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 40);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xFFul));
            Assert.That(h.ReadSys(0, Sys.ICC_AP1R0_EL1), Is.Zero);
        }

        [Test]
        public void ShouldPreemptOnlyWithHigherGroupPriority()
        {
            h.ConfigureSpi(40, priority: 0x80);
            h.ConfigureSpi(41, priority: 0x80);
            h.ConfigureSpi(42, priority: 0x40);
            h.Gic.OnGPIO(8, true);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(40ul));
            h.Gic.OnGPIO(9, true);
            Assert.That(h.Irq[0].Level, Is.False, "same priority does not preempt");
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
            h.Gic.OnGPIO(10, true);
            Assert.That(h.Irq[0].Level, Is.True, "higher priority preempts");
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(42ul));
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0x40ul));
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 42);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0x80ul), "back to the preempted interrupt");
        }

        [Test]
        public void ShouldApplyBinaryPointToPreemption()
        {
            h.ConfigureSpi(40, priority: 0x80);
            h.ConfigureSpi(42, priority: 0xA0);
            h.ConfigureSpi(43, priority: 0x60);
            h.WriteSys(0, Sys.ICC_BPR1_EL1, 7); // group priority = bit 7 only (BPR1 = 7 acts as BPR0 = 6)
            h.Gic.OnGPIO(10, true); // 0xA0
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(42ul));
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0x80ul), "group priority of 0xA0 with BPR1 = 7");
            h.Gic.OnGPIO(8, true); // 0x80: same group priority
            Assert.That(h.Irq[0].Level, Is.False);
            h.Gic.OnGPIO(11, true); // 0x60: group priority 0x00
            Assert.That(h.Irq[0].Level, Is.True);
        }

        [Test]
        public void ShouldClampBinaryPointsToMinimum()
        {
            Assert.That(h.ReadSys(0, Sys.ICC_BPR0_EL1), Is.EqualTo(2ul), "reset: minimum for 5 priority bits");
            Assert.That(h.ReadSys(0, Sys.ICC_BPR1_EL1), Is.EqualTo(3ul));
            h.WriteSys(0, Sys.ICC_BPR0_EL1, 0);
            h.WriteSys(0, Sys.ICC_BPR1_EL1, 1);
            Assert.That(h.ReadSys(0, Sys.ICC_BPR0_EL1), Is.EqualTo(2ul));
            Assert.That(h.ReadSys(0, Sys.ICC_BPR1_EL1), Is.EqualTo(3ul));
            h.WriteSys(0, Sys.ICC_BPR0_EL1, 5);
            Assert.That(h.ReadSys(0, Sys.ICC_BPR0_EL1), Is.EqualTo(5ul));
        }

        [Test]
        public void ShouldUseBpr0ForGroup1WhenCbprSet()
        {
            h.WriteSys(0, Sys.ICC_BPR0_EL1, 4);
            h.WriteSys(0, Sys.ICC_CTLR_EL1, 1); // CBPR
            Assert.That(h.ReadSys(0, Sys.ICC_BPR1_EL1), Is.EqualTo(5ul), "Non-secure read: BPR0 + 1");
            h.WriteSys(0, Sys.ICC_BPR1_EL1, 7);
            Assert.That(h.ReadSys(0, Sys.ICC_BPR0_EL1), Is.EqualTo(4ul), "write ignored with CBPR");
            h.ConfigureSpi(40, priority: 0x50);
            h.ConfigureSpi(41, priority: 0x40);
            h.Gic.OnGPIO(8, true);
            h.ReadSys(0, Sys.ICC_IAR1_EL1);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0x40ul), "BPR0 = 4: group priority bits [7:5]");
            h.Gic.OnGPIO(9, true);
            Assert.That(h.Irq[0].Level, Is.False, "0x40 has the same group priority as 0x50");
        }

        [Test]
        public void ShouldSplitPriorityDropAndDeactivationWithEoiMode()
        {
            h.WriteSys(0, Sys.ICC_CTLR_EL1, 0x2); // EOImode
            h.ConfigureSpi(40, edge: true);
            h.Gic.OnGPIO(8, true);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(40ul));
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 40);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xFFul), "priority dropped");
            Assert.That(h.ReadGicd(0x304) & (1u << 8), Is.Not.Zero, "still active");
            h.Gic.OnGPIO(8, false);
            h.Gic.OnGPIO(8, true); // pending again while active
            Assert.That(h.Irq[0].Level, Is.False, "active and pending is not signalled");
            h.WriteSys(0, Sys.ICC_DIR_EL1, 40);
            Assert.That(h.ReadGicd(0x304) & (1u << 8), Is.Zero);
            Assert.That(h.Irq[0].Level, Is.True);
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [Test]
        public void ShouldIgnoreDirWhenEoiModeIsZero()
        {
            h.ConfigureSpi(40);
            h.Gic.OnGPIO(8, true);
            h.ReadSys(0, Sys.ICC_IAR1_EL1);
            h.WriteSys(0, Sys.ICC_DIR_EL1, 40);
            Assert.That(h.ReadGicd(0x304) & (1u << 8), Is.Not.Zero);
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1));
            Assert.That(h.Log.GuestErrors[0].Message, Does.Contain("EOImode"));
        }

        [TestCase(1020, TestName = "EOI of 1020 ignored")]
        [TestCase(1023, TestName = "EOI of 1023 ignored")]
        public void ShouldIgnoreSpecialIntidsSilently(int intid)
        {
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, (ulong)intid);
            h.WriteSys(0, Sys.ICC_DIR_EL1, (ulong)intid);
            Assert.That(h.Log.GuestErrors, Is.Empty);
        }

        [Test]
        public void ShouldLogEoiWithoutActivePriority()
        {
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 40);
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1));
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 5000);
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(2));
        }

        [Test]
        public void ShouldIgnoreEoiOfWrongGroup()
        {
            h.ConfigureSpi(40, group1: false);
            h.Gic.OnGPIO(8, true);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR0_EL1), Is.EqualTo(40ul));
            h.WriteSys(0, Sys.ICC_EOIR1_EL1, 40);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xA0ul), "Group 1 EOI does not drop a Group 0 priority");
            h.WriteSys(0, Sys.ICC_EOIR0_EL1, 40);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xFFul));
        }

        [Test]
        public void ShouldReturnSpuriousFromIar1WhenHighestIsGroup0()
        {
            h.ConfigureSpi(40, priority: 0x40, group1: false);
            h.ConfigureSpi(41, priority: 0x80);
            h.Gic.OnGPIO(8, true);
            h.Gic.OnGPIO(9, true);
            Assert.That(h.Fiq[0].Level, Is.True);
            Assert.That(h.Irq[0].Level, Is.False);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
            Assert.That(h.ReadSys(0, Sys.ICC_IAR0_EL1), Is.EqualTo(40ul));
            Assert.That(h.Fiq[0].Level, Is.False);
            Assert.That(h.Irq[0].Level, Is.False, "0x80 cannot preempt 0x40");
            h.Gic.OnGPIO(8, false);
            h.WriteSys(0, Sys.ICC_EOIR0_EL1, 40);
            Assert.That(h.Irq[0].Level, Is.True);
        }

        [Test]
        public void ShouldNotSignalDisabledCpuGroup()
        {
            h.ConfigureSpi(40);
            h.WriteSys(0, Sys.ICC_IGRPEN1_EL1, 0);
            h.Gic.OnGPIO(8, true);
            Assert.That(h.Irq[0].Level, Is.False);
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
            Assert.That(h.ReadSys(0, Sys.ICC_IGRPEN1_EL1), Is.Zero);
            h.WriteSys(0, Sys.ICC_IGRPEN1_EL1, 1);
            Assert.That(h.Irq[0].Level, Is.True);
        }

        [Test]
        public void ShouldDropRunningPriorityWhenActivePrioritiesCleared()
        {
            h.ConfigureSpi(40, priority: 0x40);
            h.ConfigureSpi(41, priority: 0x80);
            h.Gic.OnGPIO(8, true);
            h.ReadSys(0, Sys.ICC_IAR1_EL1);
            h.Gic.OnGPIO(9, true);
            Assert.That(h.Irq[0].Level, Is.False);
            h.WriteSys(0, Sys.ICC_AP1R0_EL1, 0);
            Assert.That(h.ReadSys(0, Sys.ICC_RPR_EL1), Is.EqualTo(0xFFul));
            Assert.That(h.Irq[0].Level, Is.True);
        }

        [Test]
        public void ShouldDeliverSgiByTargetListAndAffinity()
        {
            using var gic = new GicHarness(cpuCount: 4, affinityOf: n => (ulong)(((n / 2) << 8) | (n % 2)));
            gic.EnableAll();
            for(var cpu = 0; cpu < 4; cpu++)
            {
                gic.ConfigurePrivate(cpu, 5);
            }
            gic.WriteSys(0, Sys.ICC_SGI1R_EL1, Sys.SgiValue(5, 0b10, aff1: 1)); // cluster 1, core 1 = CPU 3
            Assert.That(new[] { gic.Irq[0].Level, gic.Irq[1].Level, gic.Irq[2].Level, gic.Irq[3].Level }, Is.EqualTo(new[] { false, false, false, true }));
            Assert.That(gic.ReadSys(3, Sys.ICC_IAR1_EL1), Is.EqualTo(5ul));
        }

        [Test]
        public void ShouldSelectAffinity0RangeWithRs()
        {
            using var gic = new GicHarness(cpuCount: 2, affinityOf: n => n == 0 ? 0UL : 17UL);
            gic.EnableAll();
            gic.ConfigurePrivate(1, 7);
            gic.WriteSys(0, Sys.ICC_SGI1R_EL1, Sys.SgiValue(7, 0b10)); // RS = 0, Aff0 = 1: nobody
            Assert.That(gic.Irq[1].Level, Is.False);
            gic.WriteSys(0, Sys.ICC_SGI1R_EL1, Sys.SgiValue(7, 0b10, rangeSelector: 1)); // Aff0 = 17
            Assert.That(gic.Irq[1].Level, Is.True);
        }

        [Test]
        public void ShouldBroadcastSgiToAllButSelfWithIrm()
        {
            using var gic = new GicHarness(cpuCount: 3);
            gic.EnableAll();
            for(var cpu = 0; cpu < 3; cpu++)
            {
                gic.ConfigurePrivate(cpu, 1);
            }
            gic.WriteSys(1, Sys.ICC_SGI1R_EL1, Sys.SgiValue(1, 0, broadcast: true));
            Assert.That(new[] { gic.Irq[0].Level, gic.Irq[1].Level, gic.Irq[2].Level }, Is.EqualTo(new[] { true, false, true }));
        }

        [Test]
        public void ShouldMatchSgiGroupToRegisterUsed()
        {
            h.ConfigurePrivate(1, 2, group1: false);
            h.WriteSys(0, Sys.ICC_SGI1R_EL1, Sys.SgiValue(2, 0b10));
            Assert.That(h.ReadGicr(1, GicHarness.SgiBase + 0x200), Is.Zero, "Group 1 request, Group 0 SGI");
            h.WriteSys(0, Sys.ICC_SGI0R_EL1, Sys.SgiValue(2, 0b10));
            Assert.That(h.ReadGicr(1, GicHarness.SgiBase + 0x200), Is.EqualTo(1u << 2));
            Assert.That(h.Fiq[1].Level, Is.True);
        }

        [Test]
        public void ShouldIgnoreAsgi1rWithSingleSecurityState()
        {
            h.ConfigurePrivate(1, 2);
            h.WriteSys(0, Sys.ICC_ASGI1R_EL1, Sys.SgiValue(2, 0b10));
            Assert.That(h.ReadGicr(1, GicHarness.SgiBase + 0x200), Is.Zero);
            Assert.That(h.Log.GuestErrors, Has.Count.EqualTo(1));
        }

        [Test]
        public void ShouldResetCpuInterface()
        {
            h.WriteSys(0, Sys.ICC_CTLR_EL1, 0x3);
            h.WriteSys(0, Sys.ICC_BPR0_EL1, 6);
            h.Gic.Reset();
            Assert.That(h.ReadSys(0, Sys.ICC_CTLR_EL1), Is.EqualTo(0x48400ul));
            Assert.That(h.ReadSys(0, Sys.ICC_PMR_EL1), Is.Zero);
            Assert.That(h.ReadSys(0, Sys.ICC_BPR0_EL1), Is.EqualTo(2ul));
            Assert.That(h.ReadSys(0, Sys.ICC_IGRPEN1_EL1), Is.Zero);
        }

        [Test]
        public void ShouldNotAllocatePerInterrupt()
        {
            h.ConfigureSpi(40, edge: true);
            h.Irq[0].History.Capacity = 100_000; // the probe's own list must not count
            void Cycle()
            {
                h.Gic.OnGPIO(8, true);
                h.Gic.OnGPIO(8, false);
                h.Gic.TryReadSystemRegister(0, Sys.ICC_IAR1_EL1, out var intid);
                h.Gic.TryWriteSystemRegister(0, Sys.ICC_EOIR1_EL1, intid);
            }
            Cycle();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for(var i = 0; i < 20000; i++)
            {
                Cycle();
            }
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(20000), "less than one byte per interrupt");
        }

        private GicHarness h = null!;
    }
}
