// The VGIC host model (vgic-host/): ap_list order, list-register flush/fold with more pending than LRs, the
// underflow (UIE) request, level re-sampling, against the physical GIC model's real ICH_* registers; and the whole
// model on the host: firmware samples unchanged under it, virtual ITS translation, VMOVP rollback, doorbells,
// and bit-identical benchmark results.
using System;
using System.IO;
using System.Linq;
using Antmicro.Renode.Peripherals.IRQControllers;
using NUnit.Framework;
using RenodeGic.Host.Emulation;
using RenodeGic.Tests.Support;
using RenodeGic.VgicHost;
using RenodeGic.VgicHost.Bench;

namespace RenodeGic.Tests.VgicHost
{
    /// <summary>An EL2 port on a GicHarness processor (the fake CPU is switched to EL2 around each access).</summary>
    internal sealed class HarnessPort : IEl2Port
    {
        public HarnessPort(GicHarness harness, int processor)
        {
            this.harness = harness;
            Processor = processor;
        }

        public int Processor { get; }

        public ulong Charged { get; private set; }

        public ulong NowNs => 0;

        public ulong ReadSystemRegister(uint encoding)
        {
            var cpu = harness.Cpus[Processor];
            var saved = cpu.ExceptionLevel;
            cpu.ExceptionLevel = 2;
            try
            {
                Assert.That(harness.Gic.ReadSystemRegister(Processor, encoding, out var value), Is.EqualTo(GicSystemRegisterAccessResult.Done));
                return value;
            }
            finally
            {
                cpu.ExceptionLevel = saved;
            }
        }

        public void WriteSystemRegister(uint encoding, ulong value)
        {
            var cpu = harness.Cpus[Processor];
            var saved = cpu.ExceptionLevel;
            cpu.ExceptionLevel = 2;
            try
            {
                Assert.That(harness.Gic.WriteSystemRegister(Processor, encoding, value), Is.EqualTo(GicSystemRegisterAccessResult.Done));
            }
            finally
            {
                cpu.ExceptionLevel = saved;
            }
        }

        public void Charge(ulong nanoseconds) => Charged += nanoseconds;

        /// <summary>The guest at EL1 (HCR_EL2.IMO) reads ICV_IAR1_EL1.</summary>
        public uint GuestAcknowledge()
        {
            var cpu = harness.Cpus[Processor];
            cpu.ExceptionLevel = 1;
            cpu.HypervisorConfiguration = Hcr.Imo | Hcr.Fmo;
            harness.Gic.ReadSystemRegister(Processor, SysReg.IccIar1El1, out var value);
            return (uint)value;
        }

        public void GuestEoi(uint intid)
        {
            var cpu = harness.Cpus[Processor];
            cpu.ExceptionLevel = 1;
            cpu.HypervisorConfiguration = Hcr.Imo | Hcr.Fmo;
            harness.Gic.WriteSystemRegister(Processor, SysReg.IccEoir1El1, intid);
        }

        private readonly GicHarness harness;
    }

    [TestFixture]
    public class VgicCoreTests
    {
        private static VgicDomain Domain(int vcpus = 2)
        {
            var domain = new VgicDomain("t", vcpus);
            domain.Group1Enabled = true;
            return domain;
        }

        private static VirtualIrq Pend(VgicDomain domain, int spi, int priority, bool active = false)
        {
            var irq = domain.Spis[spi - 32];
            lock(irq.Lock)
            {
                irq.Priority = priority;
                irq.Enabled = true;
                irq.IsLevel = false;
                irq.Active = active;
            }
            domain.InjectEdge(irq);
            return irq;
        }

        [Test]
        public void ApListKeepsActiveFirstThenPriorityThenIntid()
        {
            var domain = Domain();
            Pend(domain, 40, 0x80);
            Pend(domain, 41, 0x40);
            Pend(domain, 42, 0xA0, active: true);
            Pend(domain, 43, 0x40);
            Pend(domain, 44, 0xF0, active: true);
            var vcpu = domain.Vcpus[0];
            Assert.That(vcpu.ApList.Select(i => i.Intid), Is.EqualTo(new uint[] { 42, 44, 41, 43, 40 }));
            lock(domain.Spis[40 - 32].Lock)
            {
                domain.Spis[40 - 32].Active = true; // acknowledged: it moves ahead of the pending ones
            }
            vcpu.SortApList();
            Assert.That(vcpu.ApList.Select(i => i.Intid), Is.EqualTo(new uint[] { 40, 42, 44, 41, 43 }));
        }

        [Test]
        public void RetargetMovesTheIrqToTheOtherApListAtThePrune()
        {
            var domain = Domain();
            var irq = Pend(domain, 50, 0x80);
            Assert.That(irq.QueuedOn, Is.SameAs(domain.Vcpus[0]));
            domain.Retarget(irq, domain.Vcpus[1]);
            var kicked = domain.Vcpus[0].Prune();
            Assert.Multiple(() =>
            {
                Assert.That(kicked, Is.EqualTo(new[] { domain.Vcpus[1] }));
                Assert.That(irq.QueuedOn, Is.SameAs(domain.Vcpus[1]));
                Assert.That(domain.Vcpus[0].ApList, Is.Empty);
                Assert.That(domain.Vcpus[1].ApList, Is.EqualTo(new[] { irq }));
            });
        }

        [Test]
        public void FlushFillsOnlyTheLrsNeededAndAsksForUnderflowWhenMorePendThanLrs()
        {
            using var harness = new GicHarness(cpuCount: 1);
            var port = new HarnessPort(harness, 0);
            port.WriteSystemRegister(SysReg.IchVmcrEl2, (0xFFUL << 24) | 2); // the guest's ICV_PMR = 0xFF, ICV_IGRPEN1 = 1
            var domain = Domain(1);
            var stats = new VgicStats();
            var lrs = new ListRegisterManager(harness.Gic.NumberOfListRegisters, CostModel.Default, stats);
            var vcpu = domain.Vcpus[0];

            Pend(domain, 40, 0x80);
            Pend(domain, 41, 0x40);
            Assert.That(lrs.Flush(vcpu, port), Is.EqualTo(2), "two pending: two LRs");
            Assert.That(port.ReadSystemRegister(SysReg.IchHcrEl2) & IchHcr.Uie, Is.EqualTo(0UL));
            Assert.That(ListRegister.VirtualIntid(port.ReadSystemRegister(SysReg.IchLrEl2(0))), Is.EqualTo(41u), "highest priority first");
            lrs.Fold(vcpu, port);

            for(var spi = 42; spi < 46; spi++)
            {
                Pend(domain, spi, 0xA0);
            }
            var writesBefore = stats.LrWrites;
            Assert.That(lrs.Flush(vcpu, port), Is.EqualTo(4), "six pending, four LRs");
            Assert.That(stats.LrWrites - writesBefore, Is.EqualTo(4));
            Assert.That(port.ReadSystemRegister(SysReg.IchHcrEl2) & IchHcr.Uie, Is.Not.EqualTo(0UL), "UIE requested");
            Assert.That(lrs.UnderflowRequested, Is.True);

            // The guest handles three: MISR.U (at most one valid LR) raises the maintenance interrupt.
            for(var n = 0; n < 3; n++)
            {
                var intid = port.GuestAcknowledge();
                port.GuestEoi(intid);
            }
            Assert.That(port.ReadSystemRegister(SysReg.IchMisrEl2) & IchHcr.MisrU, Is.Not.EqualTo(0UL), "underflow maintenance");
            var readsBefore = stats.LrReads;
            lrs.Fold(vcpu, port);
            Assert.That(stats.LrReads - readsBefore, Is.EqualTo(1), "ELRSR says three LRs are empty: only the fourth is read back");
            Assert.That(vcpu.ApList.Count, Is.EqualTo(3), "three handled ones pruned");
            Assert.That(lrs.Flush(vcpu, port), Is.EqualTo(3));
            Assert.That(port.ReadSystemRegister(SysReg.IchHcrEl2) & IchHcr.Uie, Is.EqualTo(0UL), "all fit now");
        }

        [Test]
        public void LevelInterruptIsResampledAfterTheGuestsEoi()
        {
            using var harness = new GicHarness(cpuCount: 1);
            var port = new HarnessPort(harness, 0);
            port.WriteSystemRegister(SysReg.IchVmcrEl2, (0xFFUL << 24) | 2); // the guest's ICV_PMR = 0xFF, ICV_IGRPEN1 = 1
            var domain = Domain(1);
            var stats = new VgicStats();
            var lrs = new ListRegisterManager(4, CostModel.Default, stats);
            var vcpu = domain.Vcpus[0];
            var irq = domain.Spis[60 - 32];
            lock(irq.Lock)
            {
                irq.Priority = 0x80;
                irq.Enabled = true;
                irq.IsLevel = true;
            }
            domain.SetLevel(irq, true);
            lrs.Flush(vcpu, port);
            Assert.That(port.ReadSystemRegister(SysReg.IchLrEl2(0)) & ListRegister.Eoi, Is.Not.EqualTo(0UL), "EOI maintenance requested for a level interrupt");
            Assert.That(port.GuestAcknowledge(), Is.EqualTo(60u));
            port.GuestEoi(60);
            Assert.That(port.ReadSystemRegister(SysReg.IchMisrEl2) & IchHcr.MisrEoi, Is.Not.EqualTo(0UL), "EOI maintenance interrupt");
            lrs.Fold(vcpu, port);
            Assert.That(irq.Pending && vcpu.ApList.Contains(irq), Is.True, "the line is still high: pending again");
            lrs.Flush(vcpu, port);
            Assert.That(port.GuestAcknowledge(), Is.EqualTo(60u));
            domain.SetLevel(irq, false); // the device is serviced in the handler
            port.GuestEoi(60);
            lrs.Fold(vcpu, port);
            Assert.That(irq.Pending || irq.Active || vcpu.ApList.Contains(irq), Is.False, "line low after the EOI: gone");
        }

        [Test]
        public void TrappedSgiWritesReachTheNamedVcpusOfTheRightGroup()
        {
            // The syndrome of MSR ICC_SGI1R_EL1, x7 as the GIC reports the trap.
            Assert.That(VirtualSgi.TryDecodeTrap(GicSystemRegisterTrap.Syndrome(SysReg.IccSgi1rEl1, 7, isRead: false), out var encoding, out var rt, out var isRead), Is.True);
            Assert.That((encoding, rt, isRead), Is.EqualTo((SysReg.IccSgi1rEl1, 7, false)));
            Assert.That(VirtualSgi.TryDecodeTrap(GicSystemRegisterTrap.Syndrome(SysReg.IccSgi0rEl1, 31, isRead: false), out encoding, out rt, out _), Is.True);
            Assert.That((encoding, rt), Is.EqualTo((SysReg.IccSgi0rEl1, 31)), "Rt 31: XZR");
            Assert.That(VirtualSgi.TryDecodeTrap((0x16UL << 26) | (1UL << 25), out _, out _, out _), Is.False, "an HVC is not a system-register trap");
            Assert.That(VirtualSgi.IsSgiRegister(SysReg.IccDirEl1), Is.False);

            static ulong Sgi(uint intid, uint targetList, ulong aff1 = 0, ulong rs = 0, bool irm = false) =>
                ((ulong)intid << 24) | targetList | (aff1 << 16) | (rs << 44) | (irm ? 1UL << 40 : 0);
            static bool[] PendingOf(VgicDomain domain, uint intid) => domain.Vcpus.Select(v => v.Private[intid].Pending).ToArray();

            var four = Domain(4);
            Assert.Multiple(() =>
            {
                // IRM = 1: every vCPU but the sender; TargetList and Aff1 ignored.
                Assert.That(VirtualSgi.Generate(four, four.Vcpus[1], SysReg.IccSgi1rEl1, Sgi(9, 0x2, aff1: 0x12, irm: true)), Is.EqualTo(3));
                Assert.That(PendingOf(four, 9), Is.EqualTo(new[] { true, false, true, true }));
                // TargetList bits 0 and 5: vCPU 5 does not exist and is ignored; Aff1 = 1 names nobody.
                Assert.That(VirtualSgi.Generate(four, four.Vcpus[0], SysReg.IccSgi1rEl1, Sgi(3, 0x21)), Is.EqualTo(1));
                Assert.That(VirtualSgi.Generate(four, four.Vcpus[0], SysReg.IccSgi1rEl1, Sgi(3, 0x4, aff1: 1)), Is.Zero);
                Assert.That(PendingOf(four, 3), Is.EqualTo(new[] { true, false, false, false }));
                // Groups (one security state): SGI0R only Group 0 SGIs, SGI1R only Group 1, ASGI1R none.
                four.Vcpus[2].Private[4].Group = 0;
                Assert.That(VirtualSgi.Generate(four, four.Vcpus[0], SysReg.IccSgi1rEl1, Sgi(4, 0xC)), Is.EqualTo(1), "Group 0 SGI on vCPU 2 ignored");
                Assert.That(VirtualSgi.Generate(four, four.Vcpus[0], SysReg.IccSgi0rEl1, Sgi(4, 0xC)), Is.EqualTo(1), "Group 1 SGI on vCPU 3 ignored");
                Assert.That(VirtualSgi.Generate(four, four.Vcpus[0], SysReg.IccAsgi1rEl1, Sgi(5, 0xF)), Is.Zero);
                Assert.That(PendingOf(four, 4), Is.EqualTo(new[] { false, false, true, true }));
                Assert.That(PendingOf(four, 5), Is.EqualTo(new[] { false, false, false, false }));
            });

            // RS = 1: TargetList bit n is Aff0 16 + n. 16 vCPUs have Aff0 0..15 (Aff1 0), so nobody is named, not vCPU n.
            var sixteen = Domain(16);
            Assert.That(VirtualSgi.Generate(sixteen, null, SysReg.IccSgi1rEl1, Sgi(2, 0xFFFF, rs: 1)), Is.Zero);
            Assert.That(VirtualSgi.Targets(sixteen, null, Sgi(2, 0x8001)).Select(v => v.Id), Is.EqualTo(new[] { 0, 15 }), "RS = 0: Aff0 0 and 15");
            Assert.That(PendingOf(sixteen, 2), Has.None.True);
        }
    }

    [TestFixture]
    [NonParallelizable]
    public class VgicModelTests
    {
        private static string Root => GuestSamples.Root;

        private static byte[] Sample(string name) => GuestSamples.Image(name);

        [TestCase("spi", InjectionMode.V3)]
        [TestCase("lpi-its", InjectionMode.V3)]
        [TestCase("spi", InjectionMode.V40)]
        [TestCase("lpi-its", InjectionMode.V40)]
        [TestCase("sgi-ipi", InjectionMode.V3)]
        [TestCase("sgi-ipi", InjectionMode.V40)]
        [TestCase("sgi-ipi-wfi", InjectionMode.V3)]
        [TestCase("sgi-ipi-wfi", InjectionMode.V40)]
        [TestCase("sgi-broadcast", InjectionMode.V3, 8)]
        [TestCase("sgi-broadcast", InjectionMode.V40, 8)]
        public void FirmwareSamplePrintsTheSameTranscriptUnderTheModelAsOnABareGic(string sample, InjectionMode mode, int cpus = 4)
        {
            using var platform = new VgicPlatform(cpus, mode, WfiPolicy.Trap);
            platform.Boot(Sample(sample));
            Assert.That(platform.Run(5), Is.EqualTo(RunOutcome.SystemOff));
            var expected = File.ReadAllText(Path.Combine(Root, "firmware-samples", "expected", sample + ".el1.txt"));
            Assert.That(platform.Output.Replace("\r", ""), Is.EqualTo(expected));
            Assert.That(platform.Domain.Stats[ExitCause.Mmio], Is.GreaterThan(0), "the guest's GIC accesses were trapped");
            if(sample.StartsWith("sgi-"))
            {
                Assert.That(platform.Domain.Stats[ExitCause.SgiTrap], Is.GreaterThan(0), "the guest's ICC_SGI1R_EL1 writes were trapped and emulated");
            }
        }

        [Test]
        public void VirtualItsCommandsAreTranslatedForThePhysicalIts()
        {
            using var v3 = new VgicPlatform(4, InjectionMode.V3, WfiPolicy.Trap);
            v3.Boot(Sample("lpi-its"));
            Assert.That(v3.Run(5), Is.EqualTo(RunOutcome.SystemOff));
            using var v4 = new VgicPlatform(4, InjectionMode.V40, WfiPolicy.Trap);
            v4.Boot(Sample("lpi-its"));
            Assert.That(v4.Run(5), Is.EqualTo(RunOutcome.SystemOff));
            Assert.Multiple(() =>
            {
                Assert.That(v3.Its!.Log, Has.Some.Match(@"^MAPTI dev \d+ event \d+ vLPI \d+ icid \d+ -> MAPTI pLPI \d+ pCPU \d+$"));
                Assert.That(v3.Its!.Log, Has.Some.Match(@"^INT dev 5 event 3 -> inject vLPI 8300$"));
                Assert.That(v3.Its!.Log, Has.Some.Match(@"^MOVI .* -> vCPU1: MOVI pCPU 1$"));
                Assert.That(v3.Its!.Log, Has.Some.StartsWith("DISCARD"));
                Assert.That(v4.Its!.Log, Has.Some.Match(@"-> VMAPTI vPE \d+ doorbell \d+$"));
                Assert.That(v4.Its!.Log, Has.Some.Match(@"^INT dev 5 event 3 -> INT$"));
                Assert.That(v4.Its!.Log, Has.Some.Match(@"-> vCPU1: VMOVI vPE 1$"));
                Assert.That(v3.Its!.Log.Where(l => l.StartsWith("error")), Is.Empty);
                Assert.That(v4.Its!.Log.Where(l => l.StartsWith("error")), Is.Empty);
            });
        }

        [Test]
        public void VmovpFailureIsRolledBackAndTheColumnKept()
        {
            using var platform = new VgicPlatform(2, InjectionMode.V40, WfiPolicy.Trap, physicalItsCount: 2, singleVmovp: false);
            platform.Boot(Sample("spi"));
            var v4 = platform.Hypervisor.V4!;
            var vpe = platform.Domain.Vcpus[0].Vpe!;
            Assert.That(platform.PhysicalGic.Itses.All(i => i.Virtual && !i.SingleVmovp), Is.True);
            var second = platform.PhysicalGic.Itses[1];
            var sentToFirst = platform.PhysicalGic.Itses[0].CommandsSent;
            second.FailureInjector = c => (c[0] & 0xFF) == 0x22; // the second ITS refuses the VMOVP
            Assert.That(platform.Hypervisor.MoveVcpuInterrupts(platform.Domain.Vcpus[0], 1), Is.False);
            Assert.Multiple(() =>
            {
                Assert.That(vpe.Column, Is.EqualTo(0), "column unchanged after the failure");
                Assert.That(v4.RolledBack, Is.EqualTo(1));
                Assert.That(platform.PhysicalGic.Itses[0].CommandsSent - sentToFirst, Is.EqualTo(4), "VMOVP+VSYNC, then VMOVP+VSYNC back");
            });
            second.FailureInjector = null;
            Assert.That(platform.Hypervisor.MoveVcpuInterrupts(platform.Domain.Vcpus[0], 1), Is.True);
            Assert.That(vpe.Column, Is.EqualTo(1), "moved once both ITSes accept it");
        }

        [Test]
        public void DirectInjectionRemovesPerInterruptExitsAndDoorbellsWakeTrappedWfi()
        {
            var settings = new BenchSettings { DurationNs = 5_000_000, WarmupNs = 2_000_000 };
            var image = GuestImage.Build(Root);
            var v3 = VgicBench.Run(image, InjectionMode.V3, "v3", WfiPolicy.Native, "native", settings);
            var v4 = VgicBench.Run(image, InjectionMode.V40, "v4.0", WfiPolicy.Native, "native", settings);
            var v4Trap = VgicBench.Run(image, InjectionMode.V40, "v4.0", WfiPolicy.Trap, "trap", settings);
            Assert.Multiple(() =>
            {
                Assert.That(v3.Interrupts, Is.GreaterThan(500));
                Assert.That(v3.ExitsPerInterrupt, Is.GreaterThanOrEqualTo(1.0), "GICv3: every MSI is an exit");
                Assert.That(v4.ExitsPerInterrupt, Is.LessThan(0.2), "GICv4 resident vPE: no exit per MSI");
                Assert.That(v4.P50Us, Is.LessThan(v3.P50Us));
                Assert.That(v4.P9999Us, Is.LessThan(v3.P9999Us));
                Assert.That(v4Trap.Doorbells, Is.GreaterThan(0), "a blocked vCPU is woken by its doorbell");
                Assert.That(v4Trap.Interrupts, Is.GreaterThan(500));
            });
        }

        [Test]
        public void GicV41UsesDefaultDoorbellsWithoutPerEventInvalidation()
        {
            var settings = new BenchSettings { DurationNs = 5_000_000, WarmupNs = 2_000_000 };
            var image = GuestImage.Build(Root);
            var v41 = VgicBench.Run(image, InjectionMode.V41, "v4.1", WfiPolicy.Native, "native", settings);
            var v41Trap = VgicBench.Run(image, InjectionMode.V41, "v4.1", WfiPolicy.Trap, "trap", settings);
            var v40Trap = VgicBench.Run(image, InjectionMode.V40, "v4.0", WfiPolicy.Trap, "trap", settings);
            Assert.Multiple(() =>
            {
                Assert.That(v41.Status, Is.EqualTo("ok"));
                Assert.That(v41Trap.Status, Is.EqualTo("ok"));
                Assert.That(v41.Interrupts, Is.GreaterThan(500));
                Assert.That(v41.ExitsPerInterrupt, Is.LessThan(0.2), "GICv4.1 resident vPE: no exit per MSI");
                Assert.That(v41.ExitsByCause.Keys, Has.None.EqualTo("DeviceInterrupt").And.None.EqualTo("Doorbell"));
                Assert.That(v41Trap.Interrupts, Is.GreaterThan(500));
                Assert.That(v41Trap.Doorbells, Is.GreaterThan(0), "a blocked vCPU is woken by its default doorbell");
                Assert.That(v40Trap.ItsCommands, Is.GreaterThan(0), "GICv4.0: INV of the proxy device's doorbell on every block and run");
                Assert.That((double)v41Trap.ItsCommands / v41Trap.Interrupts, Is.LessThan((double)v40Trap.ItsCommands / v40Trap.Interrupts),
                    "GICv4.1: VPENDBASER.DB arms the doorbell, no ITS command per request");
            });
        }

        [Test]
        public void GicV41MapsVpesWithVmapp41AndMovesThemWithOneVmovp()
        {
            using var platform = new VgicPlatform(2, InjectionMode.V41, WfiPolicy.Trap, physicalItsCount: 2);
            platform.Boot(Sample("lpi-its"));
            platform.Run(0.02);
            var vpe = platform.Domain.Vcpus[0].Vpe!;
            Assert.Multiple(() =>
            {
                Assert.That(platform.PhysicalGic.SupportsGicV41, Is.True);
                Assert.That(platform.Hypervisor.V4!.V41, Is.True);
                Assert.That(vpe.HasDefaultDoorbell, Is.True);
                Assert.That(vpe.EventDoorbell, Is.EqualTo(1023u));
                Assert.That(vpe.Vconf, Is.Not.EqualTo(platform.PhysicalGic.EmptyVconf), "re-mapped with the guest's LPI configuration table");
                Assert.That(platform.Its!.Log, Has.Some.Match(@"VMAPTI vPE \d+ doorbell 1023$"));
                Assert.That(platform.Its!.Log.Where(l => l.StartsWith("error")), Is.Empty);
            });
            var first = platform.PhysicalGic.Itses[0];
            var second = platform.PhysicalGic.Itses[1];
            var sentToFirst = first.CommandsSent;
            var sentToSecond = second.CommandsSent;
            Assert.That(platform.Hypervisor.MoveVcpuInterrupts(platform.Domain.Vcpus[0], 1), Is.True);
            Assert.Multiple(() =>
            {
                Assert.That(vpe.Column, Is.EqualTo(1));
                Assert.That(first.CommandsSent - sentToFirst, Is.EqualTo(2), "VMOVP (no ITSList) + VSYNC, no proxy MOVI");
                Assert.That(second.CommandsSent - sentToSecond, Is.EqualTo(0), "the shared vPE table: one ITS moves it");
            });
        }

        [TestCase(4)]
        [TestCase(2)]
        public void BenchmarkIsBitIdenticalRunToRun(int cpus)
        {
            // With 2 cores for the 4 vCPUs, world switches, stealing and migrations must be deterministic too.
            var settings = new BenchSettings { DurationNs = 3_000_000, WarmupNs = 1_000_000, PhysicalCpus = cpus };
            var first = VgicBench.ToJson(VgicBench.RunAll(Root, settings));
            var second = VgicBench.ToJson(VgicBench.RunAll(Root, settings));
            Assert.That(second, Is.EqualTo(first));
            if(cpus < 4)
            {
                Assert.That(first, Does.Contain("\"adaptive\""), "the adaptive WFI policy is measured when vCPUs share cores");
            }
        }
    }
}
