// Several vCPUs per physical CPU under the VGIC host model: the same firmware transcripts as on a bare GIC when
// vCPUs share cores (world switches save and restore the core, the virtual CPU interface and the timers),
// migrations move the vPE (VMOVP) and the guest keeps running, and the adaptive WFI policy traps only while
// another vCPU waits for the core.
using System.IO;
using System.Linq;
using Antmicro.Renode.Peripherals.CPU;
using NUnit.Framework;
using RenodeGic.Host.Emulation;
using RenodeGic.VgicHost;
using RenodeGic.VgicHost.Bench;

namespace RenodeGic.Tests.VgicHost
{
    [TestFixture]
    public class VcpuSchedulingTests
    {
        private static string Root => GuestSamples.Root;

        private static byte[] Sample(string name) => GuestSamples.Image(name);

        private static string Expected(string name) => GuestSamples.Expected(name);


        [TestCase("lpi-its", 1, 2, InjectionMode.V3, WfiPolicy.Trap)]
        [TestCase("lpi-its", 1, 2, InjectionMode.V40, WfiPolicy.Trap)]
        [TestCase("lpi-its", 1, 2, InjectionMode.V40, WfiPolicy.Adaptive)]
        [TestCase("lpi-its", 1, 2, InjectionMode.V3, WfiPolicy.Native)]
        [TestCase("ppi-timer", 1, 1, InjectionMode.V3, WfiPolicy.Trap)]
        [TestCase("ppi-timer", 1, 1, InjectionMode.V40, WfiPolicy.Native)]
        [TestCase("level-repend", 1, 1, InjectionMode.V3, WfiPolicy.Trap)]
        [TestCase("uart-txirq", 1, 1, InjectionMode.V3, WfiPolicy.Trap)]
        [TestCase("uart-txirq", 1, 1, InjectionMode.V40, WfiPolicy.Native)]
        [TestCase("sgi-ipi", 2, 4, InjectionMode.V3, WfiPolicy.Trap)]
        [TestCase("sgi-ipi", 2, 4, InjectionMode.V40, WfiPolicy.Adaptive)]
        [TestCase("sgi-ipi", 1, 4, InjectionMode.V3, WfiPolicy.Trap)]
        [TestCase("sgi-ipi-wfi", 2, 4, InjectionMode.V3, WfiPolicy.Trap)]
        [TestCase("sgi-broadcast", 4, 8, InjectionMode.V3, WfiPolicy.Trap)]
        [TestCase("sgi-broadcast", 3, 8, InjectionMode.V41, WfiPolicy.Adaptive)]
        public void VcpusSharingCoresPrintTheBareGicTranscript(string sample, int cores, int vcpus, InjectionMode mode, WfiPolicy wfi)
        {
            using var platform = new VgicPlatform(cores, mode, wfi, vcpus: vcpus);
            platform.Boot(Sample(sample));
            Assert.That(platform.Run(10), Is.EqualTo(RunOutcome.SystemOff), platform.Output);
            Assert.That(platform.Output.Replace("\r", ""), Is.EqualTo(Expected(sample)));
            if(vcpus > cores)
            {
                Assert.That(platform.Domain.Stats.VcpuSwitches, Is.GreaterThan(0), "vCPUs shared the cores");
            }
        }

        [TestCase("spi", "sgi-ipi", 2, 2, InjectionMode.V3, WfiPolicy.Trap)]
        [TestCase("lpi-its", "sgi-ipi", 2, 2, InjectionMode.V3, WfiPolicy.Trap)]
        [TestCase("lpi-its", "lpi-its", 2, 2, InjectionMode.V40, WfiPolicy.Trap)]
        [TestCase("sgi-ipi", "lpi-its", 1, 2, InjectionMode.V41, WfiPolicy.Adaptive)]
        [TestCase("lpi-its", "spi", 4, 4, InjectionMode.V40, WfiPolicy.Native)]
        public void TwoDomainsShareTheCoresAndEachPrintsItsBareGicTranscript(string first, string second, int cores, int vcpus, InjectionMode mode, WfiPolicy wfi)
        {
            // Two guests, each with its own virtual GIC, virtual ITS and UART behind the same guest-physical addresses,
            // scheduled on the same cores; the second is the same program linked 128 MiB higher (firmware-samples/*-d2).
            using var platform = new VgicPlatform(cores, mode, wfi, vcpus: vcpus, domains: 2);
            platform.Boot(new[] { (Sample(first), 0x4008_0000UL), (Sample(second + "-d2"), 0x4808_0000UL) });
            Assert.That(platform.Run(20), Is.EqualTo(RunOutcome.SystemOff), platform.OutputOf(0) + "\n---\n" + platform.OutputOf(1));
            Assert.Multiple(() =>
            {
                Assert.That(platform.OutputOf(0).Replace("\r", ""), Is.EqualTo(Expected(first)));
                Assert.That(platform.OutputOf(1).Replace("\r", ""), Is.EqualTo(Expected(second)));
                Assert.That(platform.Domains[0].Stats[ExitCause.Mmio], Is.GreaterThan(0));
                Assert.That(platform.Domains[1].Stats[ExitCause.Mmio], Is.GreaterThan(0));
                Assert.That(platform.Domains[0].IsOff && platform.Domains[1].IsOff, Is.True, "each guest turned itself off");
            });
        }

        [TestCase(2, 2, WfiPolicy.Native)]
        [TestCase(2, 2, WfiPolicy.Trap)]
        [TestCase(1, 2, WfiPolicy.Trap)]
        public void GuestSgisWithoutActiveStateBecomeGicV41Vsgis(int cores, int vcpus, WfiPolicy wfi)
        {
            // The guest sets GICD_CTLR.nASSGIreq: its SGIs are sent with GITS_SGIR and delivered by the GIC (directly to a
            // resident vPE, through the default doorbell to one that is not), never through a list register.
            using var platform = new VgicPlatform(cores, InjectionMode.V41, wfi, vcpus: vcpus);
            platform.Boot(Sample("vsgi-guest"));
            Assert.That(platform.Run(10), Is.EqualTo(RunOutcome.SystemOff), platform.Output);
            Assert.That(platform.Output.Replace("\r", ""), Is.EqualTo(Expected("vsgi-guest")));
            Assert.That(platform.Domain.Stats.VsgisSent, Is.GreaterThanOrEqualTo(402), "self, held and 2 x 200 ping-pong SGIs");
            Assert.That(platform.Domain.Stats[ExitCause.SgiTrap], Is.GreaterThanOrEqualTo(402), "ICC_SGI1R_EL1 still traps");
        }

        [Test]
        public void SgisStayEmulatedWithoutGicV41()
        {
            // GICv4.0 has no vSGIs: nASSGIcap reads 0, nASSGIreq stays 0 and the SGI has its active state in the handler.
            using var platform = new VgicPlatform(2, InjectionMode.V40, WfiPolicy.Trap);
            platform.Boot(Sample("vsgi-guest"));
            platform.Run(10);
            Assert.That(platform.Output.Replace("\r", ""), Does.Contain("gicd_typer2.nassgicap: 0\ngicd_ctlr.nassgireq: 0\nself sgi in its handler: active 1 pending 0"));
            Assert.That(platform.Domain.Stats.VsgisSent, Is.Zero);
        }

        [Test]
        public void SavedContextRoundTripsThroughTheCore()
        {
            // A context loaded into a core reads back the same (the Unicorn register ids and the SP banking are right).
            using var platform = new VgicPlatform(1, InjectionMode.V3, WfiPolicy.Trap);
            platform.Boot(Sample("spi"));
            const ulong loop = 0x4100_0000;
            platform.Machine.SystemBus.WriteDoubleWord(loop, 0x1400_0000); // b .
            var cpu = platform.Cpu(0);
            var context = GuestEl1Context.ForEntry(loop, 0x1234, 0x8000_0003);
            for(var i = 0; i < 31; i++)
            {
                context.X[i] = 0x1000UL * (ulong)i + 7;
            }
            for(var i = 0; i < 64; i++)
            {
                context.V[i] = 0xABCD_0000UL + (ulong)i;
            }
            context.SpEl0 = 0x4100_8000;
            context.SpEl1 = 0x4200_0000;
            context.Fpcr = 0x0300_0000; // RMode = toward zero
            context.Fpsr = 0x10;
            context.System[0] = 0x4008_1234; // ELR_EL1
            context.System[4] = 0x4008_8000; // VBAR_EL1
            context.System[13] = 0xFF44_0400; // MAIR_EL1
            context.System[16] = 0x5555; // TPIDR_EL1
            cpu.LoadGuestContext(context);
            // The trampoline's ERET and the guest's first block complete the load; the guest then spins at EL1.
            platform.Machine.Runner!.RunFor(Antmicro.Renode.Time.TimeInterval.FromMicroseconds(2));
            var back = cpu.SaveGuestContext();
            Assert.Multiple(() =>
            {
                Assert.That(back.Vmpidr, Is.EqualTo(0x8000_0003UL));
                Assert.That(back.Pc, Is.EqualTo(loop));
                Assert.That(back.X, Is.EqualTo(context.X));
                Assert.That(back.SpEl0, Is.EqualTo(context.SpEl0));
                Assert.That(back.SpEl1, Is.EqualTo(context.SpEl1), "EL1h: the live SP is SP_EL1");
                Assert.That(back.V, Is.EqualTo(context.V));
                Assert.That(back.Fpcr, Is.EqualTo(context.Fpcr));
                Assert.That(back.Fpsr, Is.EqualTo(context.Fpsr));
                Assert.That(back.System[0], Is.EqualTo(context.System[0]), "ELR_EL1 put back after the trampoline");
                Assert.That(back.System[4], Is.EqualTo(context.System[4]));
                Assert.That(back.System[13], Is.EqualTo(context.System[13]));
                Assert.That(back.System[16], Is.EqualTo(context.System[16]));
                Assert.That((back.Pstate >> 2) & 3, Is.EqualTo(1UL), "at EL1");
            });
        }

        [TestCase("lpi-its", 1, InjectionMode.V3)]
        [TestCase("lpi-its", 1, InjectionMode.V40)]
        [TestCase("ppi-timer", 0, InjectionMode.V3)]
        [TestCase("uart-txirq", 0, InjectionMode.V40)]
        [TestCase("level-repend", 0, InjectionMode.V3)]
        public void MigratedVcpusKeepRunningAndTheirInterruptsFollow(string sample, int moving, InjectionMode mode)
        {
            // A vCPU moves between the two cores every 50 µs while the sample runs: its LPIs (MOVI), its vPE (VMOVP), its
            // timers (saved with the context, active state carried over) and its passed-through UART SPI (GICD_IROUTER)
            // must follow, and the transcript stay the bare GIC's.
            using var platform = new VgicPlatform(2, mode, WfiPolicy.Trap);
            platform.Boot(Sample(sample));
            var vcpu = platform.Domain.Vcpus[moving];
            var outcome = RunOutcome.TimeElapsed;
            for(var step = 0; step < 4000 && outcome == RunOutcome.TimeElapsed; step++)
            {
                outcome = platform.Machine.Runner!.RunFor(Antmicro.Renode.Time.TimeInterval.FromMicroseconds(50));
                if(vcpu.State != VcpuState.Off)
                {
                    platform.Hypervisor.MigrateVcpu(vcpu, 1 - vcpu.PhysicalCpu);
                }
            }
            Assert.That(outcome, Is.EqualTo(RunOutcome.SystemOff), platform.Output);
            Assert.That(platform.Output.Replace("\r", ""), Is.EqualTo(Expected(sample)));
            Assert.That(vcpu.Migrations, Is.GreaterThan(2));
            if(mode == InjectionMode.V40)
            {
                Assert.That(platform.Domain.Stats.Vmovps, Is.GreaterThan(2), "each move is a VMOVP");
                Assert.That(vcpu.Vpe!.Column, Is.EqualTo(vcpu.PhysicalCpu), "the vPE is mapped where the vCPU is");
            }
        }

        [TestCase(InjectionMode.V3, WfiPolicy.Trap)]
        [TestCase(InjectionMode.V40, WfiPolicy.Trap)]
        [TestCase(InjectionMode.V41, WfiPolicy.Trap)]
        [TestCase(InjectionMode.V41, WfiPolicy.Adaptive)]
        public void FourVcpusOnTwoCoresKeepEveryQueueOfTheBenchGoing(InjectionMode mode, WfiPolicy wfi)
        {
            // The bench's 4 queues at QD1 on 4 vCPUs sharing 2 cores: vCPUs block, wake, get stolen by the idle core
            // (VMOVP/MOVI). A lost wake-up or a doorbell/LPI that stops at the wrong Redistributor stalls a queue for good.
            var settings = new BenchSettings { DurationNs = 10_000_000, WarmupNs = 1_000_000, PhysicalCpus = 2 };
            var result = VgicBench.Run(GuestImage.Build(Root), mode, mode.ToString(), wfi, wfi.ToString(), settings, queueCompletions: out var perQueue);
            Assert.Multiple(() =>
            {
                Assert.That(result.VcpuSwitches, Is.GreaterThan(100));
                foreach(var completed in perQueue)
                {
                    Assert.That(completed, Is.GreaterThan(result.Interrupts / 8), $"every queue progresses: {string.Join(" ", perQueue)}");
                }
            });
        }

        [Test]
        public void AdaptiveWfiTrapsOnlyWhileAnotherVcpuWaits()
        {
            // One vCPU per core: adaptive behaves as native (no WFI exits); two on one core: WFIs trap.
            using var alone = new VgicPlatform(2, InjectionMode.V3, WfiPolicy.Adaptive);
            alone.Boot(Sample("lpi-its"));
            Assert.That(alone.Run(10), Is.EqualTo(RunOutcome.SystemOff));
            using var shared = new VgicPlatform(1, InjectionMode.V3, WfiPolicy.Adaptive, vcpus: 2);
            shared.Boot(Sample("lpi-its"));
            Assert.That(shared.Run(10), Is.EqualTo(RunOutcome.SystemOff));
            Assert.Multiple(() =>
            {
                Assert.That(alone.Domain.Stats[ExitCause.Wfi], Is.EqualTo(0));
                Assert.That(shared.Domain.Stats[ExitCause.Wfi], Is.GreaterThan(0));
                Assert.That(shared.Output, Is.EqualTo(alone.Output));
            });
        }
    }
}

namespace RenodeGic.Tests.VgicHost
{
    /// <summary>VcpuScheduler's policy on its own: placement, round robin among waiting vCPUs, stealing from the busiest CPU.</summary>
    [TestFixture]
    public class VcpuSchedulerPolicyTests
    {
        private static (VcpuScheduler Scheduler, VgicDomain A, VgicDomain B) Make(int physicalCpus)
        {
            var a = new VgicDomain("a", 3);
            var b = new VgicDomain("b", 3);
            var scheduler = new VcpuScheduler(new[] { a, b }, physicalCpus);
            foreach(var vcpu in scheduler.All)
            {
                vcpu.PhysicalCpu = VcpuScheduler.HomeOf(scheduler.IndexOf(vcpu), physicalCpus);
            }
            return (scheduler, a, b);
        }

        [Test]
        public void VcpusOfAllDomainsGoRoundTheCpusInDomainThenIdOrder()
        {
            var (scheduler, a, b) = Make(2);
            Assert.That(scheduler.All, Is.EqualTo(new[] { a.Vcpus[0], a.Vcpus[1], a.Vcpus[2], b.Vcpus[0], b.Vcpus[1], b.Vcpus[2] }));
            Assert.That(scheduler.All.Select(v => v.PhysicalCpu), Is.EqualTo(new[] { 0, 1, 0, 1, 0, 1 }));
        }

        [Test]
        public void TheNextWaitingVcpuComesAfterTheCurrentOneAndWrapsAround()
        {
            var (scheduler, a, b) = Make(2);
            foreach(var vcpu in scheduler.All)
            {
                vcpu.State = VcpuState.Running;
            }
            a.Vcpus[0].Loaded = true; // CPU 0 holds a0; a2 and b1 wait for it
            Assert.That(scheduler.NextWaiting(0, a.Vcpus[0]), Is.SameAs(a.Vcpus[2]));
            Assert.That(scheduler.NextWaiting(0, a.Vcpus[2]), Is.SameAs(b.Vcpus[1]));
            Assert.That(scheduler.NextWaiting(0, b.Vcpus[1]), Is.SameAs(a.Vcpus[2]), "wraps, skipping the loaded a0");
            b.Vcpus[1].State = VcpuState.Blocked;
            Assert.That(scheduler.NextWaiting(0, a.Vcpus[2]), Is.Null, "blocked vCPUs do not wait for the CPU");
            Assert.That(scheduler.RunnableOn(0), Is.EqualTo(2));
        }

        [Test]
        public void AnIdleCpuStealsTheLowestWaitingVcpuOfTheBusiestCpu()
        {
            var (scheduler, a, b) = Make(3);
            // CPU 0: a0 loaded, b0 waiting; CPU 1: a1 loaded, b1 and b2 waiting; CPU 2: a2 blocked (idle).
            foreach(var vcpu in scheduler.All)
            {
                vcpu.State = VcpuState.Running;
            }
            a.Vcpus[0].Loaded = true;
            a.Vcpus[1].Loaded = true;
            a.Vcpus[2].Loaded = true;
            b.Vcpus[2].PhysicalCpu = 1; // CPU 1 now has b1 and b2 waiting, CPU 0 only b0
            a.Vcpus[2].State = VcpuState.Blocked;
            Assert.That(scheduler.FindStealable(2), Is.SameAs(b.Vcpus[1]));
            scheduler.LoadBalancing = false;
            Assert.That(scheduler.FindStealable(2), Is.Null);
        }
    }
}

namespace RenodeGic.Tests.VgicHost
{
    /// <summary>GICD_TYPER2.nASSGIcap / GICD_CTLR.nASSGIreq of the virtual distributor, with a recording vSGI back end.</summary>
    [TestFixture]
    public class HardwareSgiRegisterTests
    {
        private sealed class RecordingVsgis : IVsgiHost
        {
            public int Configured { get; private set; }

            public int Sent { get; private set; }

            public void ConfigureVsgi(VirtualIrq sgi, bool clear = false, bool disable = false) => Configured++;

            public void SendVsgi(VirtualIrq sgi) => Sent++;

            public bool IsVsgiPending(VirtualIrq sgi) => false;
        }

        [Test]
        public void NassgireqChangesOnlyWithBothGroupsDisabledAndOnlyWithTheCapability()
        {
            var plain = new VgicDomain("plain", 2, mode: InjectionMode.V41);
            var plainDistributor = new VirtualDistributor(plain);
            plainDistributor.WriteDoubleWord(0x0, 0x100);
            Assert.That(plainDistributor.ReadDoubleWord(0xC) & 0x100, Is.Zero, "no nASSGIcap without a vSGI back end");
            Assert.That(plainDistributor.ReadDoubleWord(0x0) & 0x100, Is.Zero, "nASSGIreq RAZ/WI");

            var domain = new VgicDomain("d", 2, mode: InjectionMode.V41);
            var vsgis = new RecordingVsgis();
            domain.VsgiHost = vsgis;
            var distributor = new VirtualDistributor(domain);
            Assert.That(distributor.ReadDoubleWord(0xC) & 0x100, Is.EqualTo(0x100u), "nASSGIcap");
            distributor.WriteDoubleWord(0x0, 0x2);
            distributor.WriteDoubleWord(0x0, 0x102);
            Assert.That(domain.HardwareSgis, Is.False, "ignored (a guest error) while Group 1 is enabled");
            Assert.That(vsgis.Configured, Is.Zero);
            distributor.WriteDoubleWord(0x0, 0x0);
            distributor.WriteDoubleWord(0x0, 0x100);
            Assert.That(domain.HardwareSgis, Is.True);
            Assert.That(distributor.ReadDoubleWord(0x0) & 0x100, Is.EqualTo(0x100u));
            Assert.That(vsgis.Configured, Is.EqualTo(32), "16 SGIs of each of the 2 vCPUs handed to the GIC");
            distributor.WriteDoubleWord(0x0, 0x0);
            Assert.That(domain.HardwareSgis, Is.False);
            Assert.That(vsgis.Configured, Is.EqualTo(64), "and taken back (disabled, cleared)");
        }
    }
}
