// The host CPU (ARMv8A on Unicorn): boot EL, host-performed exception entry with ESR/ELR/SPSR/FAR, PSCI,
// virtual time and determinism. Programs store what they saw at GuestProgram.ResultArea.
using System.Linq;
using Antmicro.Renode.Logging;
using NUnit.Framework;
using RenodeGic.Host.Emulation;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests.Host
{
    [TestFixture]
    [NonParallelizable]
    public class CpuTests
    {
        private const string Prologue = "    ldr x20, =0x40100000\n";
        private const string SystemOffHvc = "    ldr x0, =0x84000008\n    hvc #0\n    b .\n";
        private const string SystemOffSmc = "    ldr x0, =0x84000008\n    smc #0\n    b .\n";

        [Test]
        public void ShouldEnterAtEl1AndDeliverSvcAndUndefinedWithArchitectedSyndromes()
        {
            var program = Prologue + @"
    mrs x0, CurrentEL
    str x0, [x20, #0]
    adr x1, vectors
    msr vbar_el1, x1
    isb
    svc #0x1234
svc_ret:
    .word 0
    adr x2, svc_ret
    str x2, [x20, #40]
" + SystemOffHvc + @"
    .balign 2048
vectors:
    .skip 0x200
    mrs x3, esr_el1
    mrs x4, elr_el1
    ldr x5, [x20, #48]
    add x6, x20, #8
    add x6, x6, x5, lsl #4
    str x3, [x6]
    str x4, [x6, #8]
    add x5, x5, #1
    str x5, [x20, #48]
    lsr x7, x3, #26
    cbnz x7, 1f
    add x4, x4, #4
    msr elr_el1, x4
1:  eret
";
            using var g = new GuestProgram(program);
            Assert.That(g.Run(), Is.EqualTo(RunOutcome.SystemOff));
            var svcReturn = g.Read64(5);
            Assert.Multiple(() =>
            {
                Assert.That(g.Read64(0), Is.EqualTo(4UL), "CurrentEL = EL1");
                Assert.That(g.Read64(6), Is.EqualTo(2UL), "two synchronous exceptions");
                Assert.That(g.Read64(1), Is.EqualTo(0x56001234UL), "ESR of SVC #0x1234: EC 0x15, IL, imm16");
                Assert.That(g.Read64(2), Is.EqualTo(svcReturn), "ELR of SVC = next instruction");
                Assert.That(g.Read64(3), Is.EqualTo(0x02000000UL), "ESR of UDF: EC 0 (unknown), IL");
                Assert.That(g.Read64(4), Is.EqualTo(svcReturn), "ELR of UDF = the instruction itself");
            });
        }

        [Test]
        public void ShouldEnterAtEl2AndTakeHvcAtEl2()
        {
            var program = Prologue + @"
    mrs x0, CurrentEL
    str x0, [x20, #0]
    adr x1, vectors
    msr vbar_el2, x1
    isb
    hvc #0x77
" + SystemOffSmc + @"
    .balign 2048
vectors:
    .skip 0x200
    mrs x3, esr_el2
    str x3, [x20, #8]
    mrs x4, spsr_el2
    str x4, [x20, #16]
    eret
";
            using var g = new GuestProgram(program, bootEl: 2);
            Assert.That(g.Run(), Is.EqualTo(RunOutcome.SystemOff));
            Assert.Multiple(() =>
            {
                Assert.That(g.Read64(0), Is.EqualTo(8UL), "CurrentEL = EL2");
                Assert.That(g.Read64(1), Is.EqualTo(0x5A000077UL), "ESR of HVC #0x77: EC 0x16");
                Assert.That(g.Read64(2) & 0xF, Is.EqualTo(0x9UL), "SPSR_EL2.M = EL2h");
            });
        }

        [Test]
        public void ShouldRouteIrqFromEl1ToEl2WithImoEvenWhenEl1MasksIt()
        {
            // EL2 sets HCR_EL2.{RW,IMO} and drops to EL1 with PSTATE.I set: an IRQ targeting EL2 ignores it.
            var program = Prologue + @"
    adr x1, vectors
    msr vbar_el2, x1
    ldr x2, =0x80000010
    msr hcr_el2, x2
    mov x3, #0x3c5
    msr spsr_el2, x3
    adr x4, el1
    msr elr_el2, x4
    eret
el1:
    mov x5, #1
    str x5, [x20, #0]
    b el1
    .balign 2048
vectors:
    .skip 0x480
    mrs x6, spsr_el2
    str x6, [x20, #8]
    mrs x7, elr_el2
    str x7, [x20, #16]
    adr x8, el1
    str x8, [x20, #24]
" + SystemOffSmc;
            using var g = new GuestProgram(program, bootEl: 2);
            g.Machine.FinishLoad();
            g.Machine.Runner!.RunFor(Antmicro.Renode.Time.TimeInterval.FromMicroseconds(50));
            Assert.That(g.Read64(0), Is.EqualTo(1UL), "EL1 code ran");
            g.Cpu(0).OnGPIO(0, true);
            Assert.That(g.Run(), Is.EqualTo(RunOutcome.SystemOff));
            Assert.Multiple(() =>
            {
                Assert.That(g.Read64(1) & 0x3CF, Is.EqualTo(0x3C5UL), "SPSR_EL2 = interrupted EL1h state with DAIF masked");
                var elr = g.Read64(2);
                var el1 = g.Read64(3);
                Assert.That(elr, Is.InRange(el1, el1 + 8), "ELR_EL2 points into the EL1 loop");
            });
        }

        [Test]
        public void ShouldTakeVirtualIrqAtEl1WithoutEnteringEl2()
        {
            // EL2 sets HCR_EL2.{RW,IMO} and drops to EL1 with interrupts unmasked; the GIC's vIRQ output
            // (CPU input 2) is then taken at VBAR_EL1 + 0x280 with no exception to EL2.
            var program = Prologue + @"
    adr x1, el1_vectors
    msr vbar_el1, x1
    ldr x2, =0x80000010
    msr hcr_el2, x2
    mov x3, #0x345
    msr spsr_el2, x3
    adr x4, el1
    msr elr_el2, x4
    eret
el1:
    mov x5, #1
    str x5, [x20, #0]
    b el1
    .balign 2048
el1_vectors:
    .skip 0x280
    mrs x6, CurrentEL
    str x6, [x20, #8]
" + SystemOffSmc;
            using var g = new GuestProgram(program, bootEl: 2);
            g.Machine.FinishLoad();
            g.Machine.Runner!.RunFor(Antmicro.Renode.Time.TimeInterval.FromMicroseconds(50));
            Assert.That(g.Read64(0), Is.EqualTo(1UL), "EL1 code ran");
            var el2Before = g.Cpu(0).El2Entries;
            g.Cpu(0).OnGPIO(2, true);
            Assert.That(g.Run(), Is.EqualTo(RunOutcome.SystemOff));
            Assert.Multiple(() =>
            {
                Assert.That(g.Read64(1), Is.EqualTo(4UL), "handler runs at EL1");
                Assert.That(g.Cpu(0).VirtualInterruptsTaken, Is.EqualTo(1UL));
                Assert.That(g.Cpu(0).El2Entries, Is.EqualTo(el2Before), "no exit to EL2");
            });
        }

        private sealed class RecordingHypervisor : Antmicro.Renode.Peripherals.CPU.IEl2Handler
        {
            public System.Collections.Generic.List<string> Exits { get; } = new System.Collections.Generic.List<string>();

            public void OnPhysicalInterrupt(Antmicro.Renode.Peripherals.CPU.ARMv8A cpu, bool fiq)
            {
                Exits.Add(fiq ? "fiq" : "irq");
                cpu.OnGPIO(fiq ? 1 : 0, false); // "acknowledge" at the interrupt source
                cpu.ChargeCycles(500);
            }

            public void OnHypervisorCall(Antmicro.Renode.Peripherals.CPU.ARMv8A cpu, ushort immediate)
            {
                Exits.Add($"hvc {immediate:x} x0={cpu.ReadX(0):x}");
                if(cpu.ReadX(0) == 0x84000008)
                {
                    cpu.Scheduler.RequestSystemOff(cpu, false);
                    return;
                }
                cpu.WriteX(0, 0x1234);
            }

            public void OnWfiTrap(Antmicro.Renode.Peripherals.CPU.ARMv8A cpu)
            {
                Exits.Add("wfi");
                cpu.SkipTrappedInstruction();
                cpu.BlockUntilInterrupt();
            }
        }

        [Test]
        public void ShouldHandExitsToACSharpHypervisor()
        {
            var program = Prologue + @"
    mov x0, #7
    hvc #0x42
    str x0, [x20, #0]
    msr daifclr, #2
    wfi
    mov x1, #1
    str x1, [x20, #8]
    ldr x0, =0x84000008
    hvc #0
    b .
";
            using var g = new GuestProgram(program);
            var hypervisor = new RecordingHypervisor();
            var cpu = g.Cpu(0);
            cpu.Hypervisor = hypervisor;
            g.Machine.FinishLoad();
            cpu.SetHypervisorConfiguration((1UL << 31) | (1UL << 4) | (1UL << 3) | (1UL << 13)); // RW, IMO, FMO, TWI
            g.Machine.Runner!.RunFor(Antmicro.Renode.Time.TimeInterval.FromMicroseconds(100));
            Assert.That(cpu.State, Is.EqualTo(Antmicro.Renode.Peripherals.CPU.CpuState.WaitingForInterrupt), "blocked in the trapped WFI");
            cpu.OnGPIO(0, true);
            Assert.That(g.Run(), Is.EqualTo(RunOutcome.SystemOff));
            Assert.Multiple(() =>
            {
                Assert.That(hypervisor.Exits, Is.EqualTo(new[] { "hvc 42 x0=7", "wfi", "irq", "hvc 0 x0=84000008" }));
                Assert.That(g.Read64(0), Is.EqualTo(0x1234UL), "HVC result");
                Assert.That(g.Read64(1), Is.EqualTo(1UL), "guest resumed after the WFI");
                Assert.That(cpu.HypervisorChargedNs, Is.EqualTo(500UL));
                Assert.That(cpu.El2Entries, Is.EqualTo(0UL), "no EL2 vector was entered");
            });
        }

        [Test]
        public void ShouldDeliverSynchronousExternalAbortForUnmappedAccessAndLogGuestError()
        {
            var program = Prologue + @"
    adr x1, vectors
    msr vbar_el1, x1
    ldr x2, =0x10000000
    ldr w3, [x2]
    b .
    .balign 2048
vectors:
    .skip 0x200
    mrs x4, esr_el1
    str x4, [x20, #0]
    mrs x5, far_el1
    str x5, [x20, #8]
" + SystemOffHvc;
            using var log = new LogCapture();
            using var g = new GuestProgram(program);
            Assert.That(g.Run(), Is.EqualTo(RunOutcome.SystemOff));
            Assert.Multiple(() =>
            {
                Assert.That(g.Read64(0) >> 26, Is.EqualTo(0x25UL), "EC = data abort, same EL");
                Assert.That(g.Read64(0) & 0x3F, Is.EqualTo(0x10UL), "DFSC = synchronous external abort");
                Assert.That(g.Read64(1), Is.EqualTo(0x10000000UL), "FAR = the address");
                Assert.That(log.GuestErrors.Any(e => e.Message.Contains("0x10000000")), Is.True, "guest error names the address");
            });
        }

        [Test]
        public void ShouldServePsciCpuOnAffinityInfoAndErrors()
        {
            var program = Prologue + @"
    ldr x0, =0x84000000
    hvc #0
    str x0, [x20, #0]
    ldr x0, =0xC4000003
    mov x1, #1
    adr x2, secondary
    mov x3, #0x77
    hvc #0
    str x0, [x20, #8]
    ldr x0, =0xC4000003
    mov x1, #5
    adr x2, secondary
    mov x3, #0
    hvc #0
    str x0, [x20, #16]
wait:
    ldr x4, [x20, #24]
    cbz x4, wait
wait_off:
    ldr x0, =0xC4000004
    mov x1, #1
    mov x2, #0
    hvc #0
    cmp x0, #1
    b.ne wait_off
    str x0, [x20, #48]
" + SystemOffHvc + @"
secondary:
    ldr x20, =0x40100000
    str x0, [x20, #32]
    mrs x5, mpidr_el1
    str x5, [x20, #40]
    mov x6, #1
    str x6, [x20, #24]
    ldr x0, =0x84000002
    hvc #0
    b .
";
            using var g = new GuestProgram(program, cpus: 2);
            Assert.That(g.Run(), Is.EqualTo(RunOutcome.SystemOff));
            Assert.Multiple(() =>
            {
                Assert.That(g.Read64(0), Is.EqualTo(0x10001UL), "PSCI_VERSION 1.1");
                Assert.That(g.Read64(1), Is.EqualTo(0UL), "CPU_ON(1) = SUCCESS");
                Assert.That((long)g.Read64(2), Is.EqualTo(-2L), "CPU_ON(5) = INVALID_PARAMETERS");
                Assert.That(g.Read64(4), Is.EqualTo(0x77UL), "context id in x0");
                Assert.That(g.Read64(5), Is.EqualTo(0x80000001UL), "CPU1's MPIDR");
                Assert.That(g.Read64(6), Is.EqualTo(1UL), "AFFINITY_INFO after CPU_OFF = OFF");
            });
        }

        [Test]
        public void ShouldAdvanceVirtualTimeDeterministically()
        {
            var program = Prologue + @"
    mrs x0, cntfrq_el0
    str x0, [x20, #0]
    mrs x1, cntvct_el0
    ldr x2, =100000
1:  subs x2, x2, #1
    b.ne 1b
    mrs x3, cntvct_el0
    str x1, [x20, #8]
    str x3, [x20, #16]
" + SystemOffHvc;
            ulong[] RunOnce()
            {
                using var g = new GuestProgram(program);
                Assert.That(g.Run(), Is.EqualTo(RunOutcome.SystemOff));
                return new[] { g.Read64(0), g.Read64(1), g.Read64(2) };
            }
            var a = RunOnce();
            var b = RunOnce();
            Assert.Multiple(() =>
            {
                Assert.That(a[0], Is.EqualTo(62_500_000UL), "CNTFRQ");
                Assert.That(a[2], Is.GreaterThan(a[1]), "the counter advances over 200k instructions");
                Assert.That(a[2] - a[1], Is.InRange(200_000UL / 16 / 2, 200_000UL / 16 * 2), "about 1 ns per instruction at 62.5 MHz");
                Assert.That(b, Is.EqualTo(a), "identical counts run after run");
            });
        }

        [Test]
        public void ShouldSkipIdleTimeWhenEveryCoreWaits()
        {
            using var g = new GuestProgram("1:  wfi\n    b 1b\n");
            var started = System.Diagnostics.Stopwatch.StartNew();
            Assert.That(g.Run(5), Is.EqualTo(RunOutcome.TimeElapsed));
            Assert.Multiple(() =>
            {
                Assert.That(g.Machine.Runner!.ElapsedVirtualTime.TotalSeconds, Is.EqualTo(5.0).Within(1e-6));
                Assert.That(started.Elapsed.TotalSeconds, Is.LessThan(2), "five idle virtual seconds cost no wall time");
                Assert.That(g.Cpu(0).State, Is.EqualTo(Antmicro.Renode.Peripherals.CPU.CpuState.WaitingForInterrupt));
            });
        }

        [Test]
        public void ShouldTrapIcvDirToEl2WhenIchHcrTdirIsSet()
        {
            // EL2: ICH_HCR_EL2 = En | TDIR (bit 14), HCR_EL2 = RW | IMO | FMO, drop to EL1; EL1 writes ICV_DIR_EL1
            // (the ICC_DIR_EL1 encoding): the access traps to EL2 with EC 0x18 and ELR_EL2 = the MSR itself.
            var program = Prologue + @"
    adr x1, el2_vectors
    msr vbar_el2, x1
    ldr x2, =0x80000018
    msr hcr_el2, x2
    mov x3, #0x4001
    msr S3_4_C12_C11_0, x3
    mov x3, #0x3c5
    msr spsr_el2, x3
    adr x4, el1
    msr elr_el2, x4
    eret
el1:
    mov x7, #27
trapped:
    msr S3_0_C12_C11_1, x7
    b .
    .balign 2048
el2_vectors:
    .skip 0x400
    mrs x5, esr_el2
    str x5, [x20, #0]
    mrs x6, elr_el2
    str x6, [x20, #8]
    adr x8, trapped
    str x8, [x20, #16]
" + SystemOffSmc;
            using var g = new GuestProgram(program, bootEl: 2, gicFactory: m => new Antmicro.Renode.Peripherals.IRQControllers.ArmGicV3(m));
            Assert.That(g.Run(), Is.EqualTo(RunOutcome.SystemOff));
            var esr = g.Read64(0);
            Assert.Multiple(() =>
            {
                Assert.That(esr >> 26, Is.EqualTo(0x18UL), "EC = trapped system register access");
                Assert.That((esr >> 5) & 0x1F, Is.EqualTo(7UL), "Rt = x7");
                Assert.That(esr & 1, Is.EqualTo(0UL), "direction: write");
                Assert.That(g.Read64(1), Is.EqualTo(g.Read64(2)), "ELR_EL2 = the trapped MSR");
            });
        }

        [Test]
        public void ShouldRunScheduledEventsAtTheirVirtualTimeAndWakeTheCore()
        {
            using var g = new GuestProgram("1:  wfi\n    b 1b\n");
            g.Machine.FinishLoad();
            var scheduler = g.Cpu(0).Scheduler;
            var seen = new System.Collections.Generic.List<(string, ulong)>();
            scheduler.ScheduleAt(2_000_000, () => seen.Add(("b", scheduler.RoundStartNs)));
            scheduler.ScheduleAt(1_000_000, () => seen.Add(("a", scheduler.RoundStartNs)));
            scheduler.ScheduleAt(2_000_000, () => seen.Add(("c", scheduler.RoundStartNs)));
            Assert.That(g.Run(0.005), Is.EqualTo(RunOutcome.TimeElapsed));
            Assert.That(seen, Is.EqualTo(new[] { ("a", 1_000_000UL), ("b", 2_000_000UL), ("c", 2_000_000UL) }));
        }

        [Test]
        public void ShouldFaultOnRecursiveAbortsInsteadOfHanging()
        {
            // VBAR_EL1 = 0 and nothing mapped there: the abort's own vector fetch aborts again.
            using var g = new GuestProgram("    ldr x2, =0x10000000\n    ldr w3, [x2]\n    b .\n");
            Assert.That(g.Run(), Is.EqualTo(RunOutcome.Fault));
            Assert.That(g.Machine.Runner!.FaultDescription, Does.Contain("recursive"));
        }
    }
}
