// The hypervisor (a small Xen/KVM-like EL2 written in C#, IEl2Handler of every physical CPU): the domain's vCPUs are
// scheduled on the physical CPUs (VcpuScheduler: several per CPU, world switches through WorldSwitch, migration
// with VMOVP/MOVI), exits handled as on real hardware and charged as virtual time (CostModel):
// - every exit: fold the vCPU's list registers (ListRegisterManager.Fold), handle, and on the way back in make the
//   vPE resident (GICv4), flush the ap_list into the list registers and set HCR_EL2 (TWI per WFI policy);
// - physical IRQs are acknowledged at EL2 with EOImode = 1: the maintenance interrupt (PPI 25) only makes the
//   fold/flush happen; the guest's EL1 timers (PPIs 27 and 30) are forwarded HW-mapped (the guest's deactivation
//   deactivates it); a device LPI (GICv3 mode) is injected as a vLPI through the ap_list; a doorbell LPI wakes its
//   vCPU; SGI 0 is a kick from another CPU; PPI 26 is the hypervisor's own tick;
// - HVC: PSCI (VERSION, FEATURES, CPU_ON/CPU_OFF/AFFINITY_INFO for the domain's vCPUs, SYSTEM_OFF/RESET);
// - trapped WFI: block the vCPU unless something is pending (GICv4: de-schedule the vPE with its doorbell on) and
//   run another vCPU, or park the core until a physical interrupt;
// - the tail of every exit (FinishExit) wakes blocked vCPUs of this CPU that have something pending, picks the vCPU
//   to run (VcpuScheduler), switches worlds if it changed, and enters the guest. A switch is never done inside an
//   MMIO access (the core is in the middle of an instruction): the CPU kicks itself and switches at that exit.
using System;
using System.Collections.Generic;
using Antmicro.Renode.Peripherals.CPU;
using RenodeGic.Host.Cpu;
using RenodeGic.Host.Emulation;

namespace RenodeGic.VgicHost
{
    public sealed class VgicHypervisor : IEl2Handler, IVgicHost, IVsgiHost
    {
        public VgicHypervisor(Machine machine, VgicDomain domain, PhysicalGic gic, CostModel? costs = null)
            : this(machine, new[] { domain }, gic, costs)
        {
        }

        /// <summary>A hypervisor running several domains (all in the same injection mode: there is one physical GIC).</summary>
        public VgicHypervisor(Machine machine, IReadOnlyList<VgicDomain> domains, PhysicalGic gic, CostModel? costs = null)
        {
            if(domains.Count == 0)
            {
                throw new ArgumentException("a hypervisor needs at least one domain");
            }
            foreach(var d in domains)
            {
                if(d.Mode != domains[0].Mode)
                {
                    throw new ArgumentException($"domain {d.Name} is in {d.Mode} mode, {domains[0].Name} in {domains[0].Mode}: one physical GIC, one mode");
                }
                d.Host = this;
            }
            this.machine = machine;
            Domains = domains;
            Domain = domains[0];
            var domain = Domain;
            Gic = gic;
            Costs = costs ?? CostModel.Default;
            // Work that is not one domain's (list registers, ITS commands, vPE residency) is counted here; exits are
            // counted to the domain of the vCPU that exited. With one domain both are that domain's statistics.
            Stats = domains.Count == 1 ? domain.Stats : new VgicStats();
            var cpus = new List<PhysicalCpu>();
            foreach(var c in machine.Cpus)
            {
                if(c is ARMv8A arm)
                {
                    var port = new CpuEl2Port(arm, Stats);
                    cpus.Add(new PhysicalCpu(arm, port, new ListRegisterManager(4, Costs, Stats)));
                }
            }
            if(cpus.Count == 0)
            {
                throw new ArgumentException("the machine has no ARMv8A core to run the hypervisor on");
            }
            pcpus = cpus.ToArray();
            if(domain.Mode != InjectionMode.V3)
            {
                V4 = new GicV4(gic, Costs, Stats, v41: domain.Mode == InjectionMode.V41);
            }
            scheduler = new VcpuScheduler(domains, pcpus.Length);
            world = new WorldSwitch(gic, V4, Costs, Stats);
            if(V4 != null && V4.V41)
            {
                foreach(var d in domains)
                {
                    d.VsgiHost = this; // GICD_TYPER2.nASSGIcap = 1
                }
            }
        }

        /// <summary>The index in <see cref="Domains"/> of the domain whose vCPU runs on the core making the current access (0 outside a core).</summary>
        public int CurrentDomainIndex()
        {
            var cpu = CpuScheduler.For(machine).Current;
            if(cpu == null || cpu.Index >= pcpus.Length || pcpus[cpu.Index].Current is not VgicVcpu vcpu)
            {
                return 0;
            }
            for(var k = 0; k < Domains.Count; k++)
            {
                if(Domains[k] == vcpu.Domain)
                {
                    return k;
                }
            }
            return 0;
        }

        /// <summary>The first domain (the one booted on CPU 0's entry).</summary>
        public VgicDomain Domain { get; }

        public IReadOnlyList<VgicDomain> Domains { get; }

        /// <summary>Hypervisor-wide counters (the first domain's statistics when there is only one domain).</summary>
        public VgicStats Stats { get; }

        public PhysicalGic Gic { get; }

        public CostModel Costs { get; }

        public GicV4? V4 { get; }

        /// <summary>The first domain's virtual ITS.</summary>
        public VirtualIts? Its => Domain.Its;

        /// <summary>Whether an idle physical CPU takes over a vCPU waiting on another one (migration); on by default.</summary>
        public bool LoadBalancing
        {
            get => scheduler.LoadBalancing;
            set => scheduler.LoadBalancing = value;
        }

        /// <summary>The number of physical CPUs the vCPUs are scheduled on.</summary>
        public int PhysicalCpuCount => pcpus.Length;

        /// <summary>The vCPU whose context is loaded on physical CPU <paramref name="pcpu"/> (running or blocked there), or null.</summary>
        public VgicVcpu? LoadedOn(int pcpu) => pcpus[pcpu].Current;

        /// <summary>Virtual time probes: a device LPI/doorbell was taken at EL2 on a CPU (for traces).</summary>
        public event Action<int, ExitCause, ulong>? ExitTaken;

        /// <summary>Brings up the physical GIC and makes vCPU 0 run on CPU 0 (after Machine.FinishLoad; CPU 0's PC set before it).</summary>
        public void Start(ulong entry)
        {
            var ports = new List<IEl2Port>();
            for(var i = 0; i < pcpus.Length; i++)
            {
                ports.Add(pcpus[i].Port);
            }
            Gic.Initialize(ports);
            if(Domain.Mode == InjectionMode.V41 && !Gic.SupportsGicV41)
            {
                throw new NotSupportedException("GICv4.1 mode needs a physical GICv4.1 ITS (GITS_TYPER.VMAPP); this GIC has none");
            }
            if(Domain.Mode != InjectionMode.V3 && !Gic.SupportsVlpis)
            {
                throw new NotSupportedException("GICv4 mode needs a physical GIC with GICR_TYPER.VLPIS (architectureRevision: 4)");
            }
            foreach(var vcpu in scheduler.All)
            {
                vcpu.PhysicalCpu = VcpuScheduler.HomeOf(scheduler.IndexOf(vcpu), pcpus.Length);
                foreach(var intid in PhysicalGic.GuestTimerIntids)
                {
                    var timer = vcpu.Private[intid];
                    timer.Hardware = true;
                    timer.HardwareIntid = intid;
                    timer.IsLevel = true; // the line follows the timer's output (ResampleHardwareLines)
                }
            }
            foreach(var (pintid, spi) in spiOwners)
            {
                Gic.ConfigureSpi(pintid, spi.Irq.Target?.PhysicalCpu ?? 0);
            }
            for(var i = 0; i < pcpus.Length; i++)
            {
                var p = pcpus[i];
                p.Cpu.Hypervisor = this;
                p.Cpu.SetHypervisorConfiguration(Hcr.Rw | Hcr.Imo | Hcr.Fmo | Hcr.Amo);
                if(Costs.HypervisorTickPeriodNs > 0)
                {
                    ArmHypervisorTick(p, Costs.HypervisorTickPeriodNs * (ulong)(i + 1) / (ulong)pcpus.Length);
                }
            }
            if(V4 != null)
            {
                foreach(var vcpu in scheduler.All)
                {
                    Gic.CurrentPort = pcpus[vcpu.PhysicalCpu].Port;
                    V4.CreateVpe(vcpu);
                }
                Gic.CurrentPort = null;
            }
            // vCPU 0 starts in the core's boot context (the image entry CPU 0 was given); the others wait for CPU_ON.
            var first = pcpus[0];
            var boot = Domain.Vcpus[0];
            first.Current = boot;
            boot.Loaded = true;
            boot.State = VcpuState.Running;
            _ = entry;
            EnterGuest(first);
            // The other domains' vCPU 0 start at their entry points, on their cores or waiting for them.
            for(var d = 1; d < Domains.Count; d++)
            {
                var vcpu0 = Domains[d].Vcpus[0];
                vcpu0.SavedContext = GuestEl1Context.ForEntry(Domains[d].EntryPoint, 0, 0x8000_0000UL | vcpu0.Affinity);
                vcpu0.State = VcpuState.Running;
                OfferCpu(pcpus[vcpu0.PhysicalCpu], vcpu0);
            }
            Gic.CurrentPort = null;
        }

        // ---- IEl2Handler ---------------------------------------------------------------------------------------

        public void OnPhysicalInterrupt(ARMv8A cpu, bool fiq)
        {
            var p = pcpus[cpu.Index];
            BeginExit(p);
            var intid = (int)(p.Port.ReadSystemRegister(SysReg.IccIar1El1) & 0xFF_FFFF);
            p.Port.Charge(Costs.IccAccessNs);
            var cause = ExitCause.OtherInterrupt;
            var vcpu = p.Current;
            var deactivate = true;
            if(intid == 1023)
            {
                deactivate = false;
            }
            else if(intid == PhysicalGic.KickSgi)
            {
                cause = ExitCause.Kick;
            }
            else if(intid == PhysicalGic.MaintenanceIntid)
            {
                cause = ExitCause.Maintenance;
                StatsOf(p).MaintenanceInterrupts++;
            }
            else if(intid == PhysicalGic.HypervisorTimerIntid)
            {
                cause = ExitCause.HypervisorTick;
                p.Port.Charge(Costs.HypervisorTickWorkNs);
                ArmHypervisorTick(p, Costs.HypervisorTickPeriodNs);
                p.SliceExpired = true;
            }
            else if((intid == PhysicalGic.VirtualTimerIntid || intid == PhysicalGic.PhysicalTimerIntid) && vcpu != null && vcpu.State != VcpuState.Off)
            {
                cause = ExitCause.TimerInterrupt;
                p.Port.Charge(Costs.InjectNs);
                SampleLine(vcpu.Domain, vcpu.Private[intid], true); // BeginExit's resample saw it already, unless the output just fell
                deactivate = false; // the guest deactivates it through the HW list register
            }
            else if(intid >= 32 && intid < 1020 && spiOwners.TryGetValue(intid, out var spi))
            {
                cause = ExitCause.DeviceInterrupt;
                p.Port.Charge(Costs.InjectNs);
                spi.Domain.SetLevel(spi.Irq, true);
                deactivate = false; // the guest deactivates it through the HW list register
            }
            else if(intid >= 8192 && lpiOwners.TryGetValue(intid, out var owner))
            {
                cause = ExitCause.DeviceInterrupt;
                p.Port.Charge(Costs.InjectNs);
                lpiDomains[intid].InjectEdge(owner, p.Port.NowNs);
                deactivate = false; // LPIs have no active state
            }
            else if(intid >= 8192 && V4 != null && FindDoorbell(intid) is VirtualPe vpe)
            {
                cause = ExitCause.Doorbell;
                vpe.Vcpu.Domain.Stats.DoorbellsTaken++;
                deactivate = false;
                if(vpe.Vcpu.State == VcpuState.Blocked)
                {
                    Wake(p, vpe.Vcpu);
                }
            }
            else if(intid >= 8192)
            {
                deactivate = false;
            }
            StatsOf(p).Exit(cause);
            ExitTaken?.Invoke(cpu.Index, cause, p.Port.NowNs);
            if(intid != 1023)
            {
                p.Port.WriteSystemRegister(SysReg.IccEoir1El1, (ulong)intid);
                p.Port.Charge(Costs.IccAccessNs);
                if(deactivate)
                {
                    p.Port.WriteSystemRegister(SysReg.IccDirEl1, (ulong)intid);
                    p.Port.Charge(Costs.IccAccessNs);
                }
            }
            FinishExit(p);
        }

        public void OnHypervisorCall(ARMv8A cpu, ushort immediate)
        {
            var p = pcpus[cpu.Index];
            BeginExit(p);
            StatsOf(p).Exit(ExitCause.Hypercall);
            p.Port.Charge(Costs.HypercallNs);
            var function = (uint)cpu.ReadX(0);
            var result = Psci(p, function, cpu.ReadX(1), cpu.ReadX(2), cpu.ReadX(3));
            if(result.HasValue)
            {
                cpu.WriteX(0, (ulong)result.Value);
            }
            FinishExit(p);
        }

        public void OnWfiTrap(ARMv8A cpu)
        {
            var p = pcpus[cpu.Index];
            BeginExit(p);
            StatsOf(p).Exit(ExitCause.Wfi);
            cpu.SkipTrappedInstruction();
            var vcpu = p.Current;
            if(vcpu == null || vcpu.HasPendingInterrupt())
            {
                FinishExit(p);
                return;
            }
            if(V4 != null && vcpu.Vpe is VirtualPe vpe)
            {
                V4.Put(vpe, p.Port, doorbell: true);
                if(vpe.PendingLast)
                {
                    FinishExit(p); // a vLPI is pending: do not block, make it resident again
                    return;
                }
            }
            vcpu.State = VcpuState.Blocked;
            p.Lrs.Disable(p.Port);
            p.Port.Charge(Costs.BlockNs);
            vcpu.Domain.Stats.WorldSwitches++;
            FinishExit(p);
        }

        public bool OnSystemRegisterTrap(ARMv8A cpu, ulong syndrome) => VirtualSgi.TryEmulate(this, cpu, syndrome);

        // ---- IVsgiHost (GICv4.1 vSGIs) ----------------------------------------------------------------------------

        public void ConfigureVsgi(VirtualIrq sgi, bool clear = false, bool disable = false)
        {
            if(V4 == null || sgi.Target?.Vpe is not VirtualPe vpe)
            {
                return;
            }
            int priority, group;
            bool enabled;
            lock(sgi.Lock)
            {
                priority = sgi.Priority;
                group = sgi.Group;
                enabled = sgi.Enabled && !disable;
            }
            V4.ConfigureVsgi(vpe, (int)sgi.Intid, priority, group == 1, enabled, clear);
        }

        public void SendVsgi(VirtualIrq sgi)
        {
            if(V4 != null && sgi.Target?.Vpe is VirtualPe vpe)
            {
                V4.SendVsgi(vpe, (int)sgi.Intid, Gic.CurrentPort);
            }
        }

        public bool IsVsgiPending(VirtualIrq sgi)
        {
            return V4 != null && sgi.Target?.Vpe is VirtualPe vpe && V4.IsVsgiPending(vpe, (int)sgi.Intid, Gic.CurrentPort);
        }

        // ---- IVgicHost -----------------------------------------------------------------------------------------

        public T Trap<T>(ExitCause cause, Func<VgicVcpu?, T> emulate)
        {
            var cpu = CpuScheduler.For(machine).Current;
            if(cpu == null || cpu.Index >= pcpus.Length || pcpus[cpu.Index].Current == null)
            {
                return emulate(null); // an access from outside a CPU (tests, the monitor): no exit
            }
            var p = pcpus[cpu.Index];
            if(p.InExit)
            {
                return emulate(p.Current); // nested (the hypervisor itself): no second exit
            }
            BeginExit(p);
            StatsOf(p).Exit(cause);
            p.Port.Charge(cause == ExitCause.Mmio ? Costs.MmioEmulationNs : 0);
            var result = emulate(p.Current);
            FinishExit(p);
            return result;
        }

        public void Kick(VgicVcpu vcpu)
        {
            if(vcpu.State == VcpuState.Off)
            {
                return;
            }
            KickCpu(pcpus[vcpu.PhysicalCpu]);
        }

        /// <summary>Makes physical CPU <paramref name="target"/> exit soon (SGI 0), unless it is in the hypervisor already.</summary>
        private void KickCpu(PhysicalCpu target)
        {
            var current = Gic.CurrentPort;
            if(current != null && current.Processor == target.Port.Processor)
            {
                return; // this CPU is in the hypervisor already: its exit tail wakes, schedules and flushes
            }
            SendKick(current ?? target.Port, target);
        }

        private void SendKick(IEl2Port sender, PhysicalCpu target)
        {
            var affinity = target.Cpu.Affinity;
            var sgi = ((ulong)PhysicalGic.KickSgi << 24) | (((affinity >> 8) & 0xFF) << 16) | (((affinity >> 32) & 0xFF) << 48) | (1UL << (int)(affinity & 0xF));
            sender.WriteSystemRegister(SysReg.IccSgi1rEl1, sgi);
            sender.Charge(Costs.IccAccessNs);
        }

        /// <summary>The guest enabled LPIs on <paramref name="vcpu"/>: a resident vPE is reloaded with the new GICR_VPROPBASER.</summary>
        public void OnLpisEnabled(VgicVcpu vcpu)
        {
            if(vcpu.Vpe is VirtualPe vpe)
            {
                vpe.ConfigurationStale = true;
            }
            if(V4 != null && V4.V41)
            {
                // GICv4.1: one VCONF per domain; vPEs still mapped with the empty one are re-mapped at their next entry.
                foreach(var other in V4.Vpes)
                {
                    if(other.Vcpu.Domain == vcpu.Domain && other.Vconf == Gic.EmptyVconf)
                    {
                        other.ConfigurationStale = true;
                    }
                }
            }
        }

        /// <summary>
        /// Passes a device's level-sensitive SPI through to the guest (Xen's route_irq_to_guest): physical SPI
        /// <paramref name="pintid"/> is taken at EL2 and injected as <paramref name="virq"/> in a HW = 1 list register, so the
        /// guest's deactivation deactivates the physical one; it is routed to the physical CPU of the vCPU the guest routes
        /// <paramref name="virq"/> to, and follows that vCPU when it migrates. Call before <see cref="Start"/>.
        /// </summary>
        public void PassThroughSpi(int pintid, VirtualIrq virq)
        {
            if(pintid < 32 || pintid >= 1020)
            {
                throw new ArgumentOutOfRangeException(nameof(pintid), $"{pintid} is not an SPI");
            }
            if(virq.Intid < 32 || virq.Intid >= 1020)
            {
                throw new ArgumentException($"{virq} is not an SPI");
            }
            var domain = FindDomainOf(virq) ?? throw new ArgumentException($"{virq} is not an SPI of a domain of this hypervisor");
            if(spiOwners.ContainsKey(pintid))
            {
                throw new ArgumentException($"physical SPI {pintid} is passed through already");
            }
            lock(virq.Lock)
            {
                virq.Hardware = true;
                virq.HardwareIntid = pintid;
                virq.IsLevel = true;
            }
            spiOwners[pintid] = (domain, virq);
            if(!spiRoutedHooked.Contains(domain))
            {
                domain.SpiRouted += FollowSpiRoute;
                spiRoutedHooked.Add(domain);
            }
        }

        private VgicDomain? FindDomainOf(VirtualIrq spi)
        {
            foreach(var d in Domains)
            {
                if(spi.Intid >= 32 && spi.Intid - 32 < d.Spis.Length && d.Spis[spi.Intid - 32] == spi)
                {
                    return d;
                }
            }
            return null;
        }

        /// <summary>The statistics an exit on <paramref name="p"/> is counted in: those of the domain of the vCPU on it.</summary>
        private VgicStats StatsOf(PhysicalCpu p) => (p.Current?.Domain ?? Domain).Stats;

        /// <summary>The guest re-routed a passed-through SPI: the physical SPI goes to the physical CPU of its new target.</summary>
        private void FollowSpiRoute(VirtualIrq virq)
        {
            if(!virq.Hardware || !spiOwners.TryGetValue(virq.HardwareIntid, out var owner) || owner.Irq != virq)
            {
                return;
            }
            Gic.RouteSpi(virq.HardwareIntid, virq.Target?.PhysicalCpu ?? 0);
        }

        /// <summary>Maps a physical LPI to the virtual interrupt it is injected as (GICv3 mode, the vITS does it).</summary>
        public void MapPhysicalLpi(int pintid, VirtualIrq virq, VgicDomain domain)
        {
            lpiOwners[pintid] = virq;
            lpiDomains[pintid] = domain;
        }

        public void UnmapPhysicalLpi(int pintid)
        {
            lpiOwners.Remove(pintid);
            lpiDomains.Remove(pintid);
        }

        public IReadOnlyDictionary<int, VirtualIrq> PhysicalLpiOwners => lpiOwners;

        /// <summary>The hypervisor port of the physical CPU <paramref name="index"/>.</summary>
        public IEl2Port PortOf(int index) => pcpus[index].Port;

        /// <summary>
        /// Moves <paramref name="vcpu"/> to another physical CPU as far as the interrupt controller is concerned (its
        /// vPE via VMOVP + VSYNC, its physical LPIs via MOVI). Returns false (nothing changed) when the ITS refused the move.
        /// </summary>
        public bool MoveVcpuInterrupts(VgicVcpu vcpu, int processor)
        {
            if(V4 != null && vcpu.Vpe is VirtualPe vpe && !V4.Move(vpe, processor))
            {
                return false;
            }
            vcpu.Domain.Its?.OnVcpuMoved(vcpu, processor);
            return true;
        }

        /// <summary>
        /// Migrates <paramref name="vcpu"/> to physical CPU <paramref name="pcpu"/>: at once when its context is not on a
        /// core, else when its CPU next exits (that CPU is kicked). The interrupt controller follows (VMOVP, MOVI).
        /// </summary>
        public void MigrateVcpu(VgicVcpu vcpu, int pcpu)
        {
            if(pcpu < 0 || pcpu >= pcpus.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(pcpu), $"physical CPU {pcpu} does not exist (0..{pcpus.Length - 1})");
            }
            if(scheduler.IndexOf(vcpu) < 0)
            {
                throw new ArgumentException($"{vcpu} is not a vCPU of this hypervisor's domains");
            }
            if(vcpu.PhysicalCpu == pcpu && vcpu.MigrationTarget == null)
            {
                return;
            }
            if(!vcpu.Loaded)
            {
                var previous = Gic.CurrentPort;
                Gic.CurrentPort ??= pcpus[vcpu.PhysicalCpu].Port;
                CompleteMigration(vcpu, pcpu);
                Gic.CurrentPort = previous;
                return;
            }
            vcpu.MigrationTarget = pcpu;
            KickCpu(pcpus[vcpu.PhysicalCpu]);
        }

        // ---- Exit / entry ----------------------------------------------------------------------------------------

        private void BeginExit(PhysicalCpu p)
        {
            p.InExit = true;
            Gic.CurrentPort = p.Port;
            p.Port.Charge(Costs.ExitNs);
            var vcpu = p.Current;
            if(vcpu != null && vcpu.State == VcpuState.Running)
            {
                foreach(var moved in p.Lrs.Fold(vcpu, p.Port))
                {
                    Kick(moved);
                }
            }
            ResampleHardwareLines(p);
        }

        /// <summary>
        /// The HW-mapped level interrupts of the vCPU on this core (its timer PPIs, passed-through SPIs routed to it): their
        /// virtual line follows the physical source, sampled at every exit and entry (KVM's kvm_timer_update_irq). A guest
        /// that quiets the source sees the interrupt stop pending, and a listed one is not re-listed once the line fell.
        /// </summary>
        private void ResampleHardwareLines(PhysicalCpu p)
        {
            var vcpu = p.Current;
            if(vcpu == null || !vcpu.Loaded || vcpu.State == VcpuState.Off)
            {
                return;
            }
            SampleLine(vcpu.Domain, vcpu.Private[PhysicalGic.VirtualTimerIntid], p.Cpu.Timer.EL1VirtualTimerIRQ.IsSet);
            SampleLine(vcpu.Domain, vcpu.Private[PhysicalGic.PhysicalTimerIntid], p.Cpu.Timer.EL1PhysicalTimerIRQ.IsSet);
            foreach(var (pintid, spi) in spiOwners)
            {
                if(spi.Irq.Target == vcpu)
                {
                    // Level and HW-mapped: the physical pending state is the line (also while the guest has it active).
                    SampleLine(spi.Domain, spi.Irq, Gic.IsSpiPending(pintid));
                    p.Port.Charge(Costs.IchAccessNs);
                }
            }
        }

        private static void SampleLine(VgicDomain domain, VirtualIrq irq, bool level)
        {
            bool changed;
            lock(irq.Lock)
            {
                changed = irq.LineLevel != level;
            }
            if(changed)
            {
                domain.SetLevel(irq, level);
            }
        }

        /// <summary>The tail of every exit: wake, pick the vCPU to run, switch worlds if it changed, enter it or idle.</summary>
        private void FinishExit(PhysicalCpu p)
        {
            WakeBlockedVcpus(p);
            var next = PickNext(p);
            if(next != p.Current || p.Current?.MigrationTarget != null)
            {
                if(p.Cpu.IsRunningSlice)
                {
                    // Inside an MMIO access: the core cannot change context mid-instruction. Kick this CPU: the switch
                    // happens at that exit, right after the access completes.
                    p.PreemptRequested = true;
                    SendKick(p.Port, p);
                    next = p.Current;
                }
                else
                {
                    SwitchTo(p, next);
                }
            }
            if(next != null && next.State == VcpuState.Running)
            {
                EnterGuest(p);
            }
            else
            {
                Idle(p);
            }
            p.InExit = false;
            Gic.CurrentPort = null;
        }

        /// <summary>Blocked vCPUs of this CPU that have an interrupt to take (or whose saved EL1 timer expired) become runnable.</summary>
        private void WakeBlockedVcpus(PhysicalCpu p)
        {
            foreach(var vcpu in scheduler.On(p.Port.Processor))
            {
                if(vcpu.State == VcpuState.Blocked && (vcpu.HasPendingInterrupt() || SavedTimerExpired(vcpu, p)))
                {
                    Wake(p, vcpu);
                }
            }
        }

        private bool SavedTimerExpired(VgicVcpu vcpu, PhysicalCpu p)
        {
            return vcpu.SavedContext is GuestEl1Context context && p.Cpu.Timer.El1TimerDeadline(context.Timers) is ulong deadline
                && deadline <= p.Port.NowNs;
        }

        /// <summary>The vCPU this CPU runs next (VcpuScheduler's policy); may be the current one, or null (idle).</summary>
        private VgicVcpu? PickNext(PhysicalCpu p)
        {
            var current = p.Current;
            var preempt = p.SliceExpired || p.PreemptRequested;
            p.SliceExpired = false;
            p.PreemptRequested = false;
            var keeps = current != null && current.State == VcpuState.Running && current.MigrationTarget == null
                && current.PhysicalCpu == p.Port.Processor;
            var waiting = scheduler.NextWaiting(p.Port.Processor, current);
            if(keeps)
            {
                return preempt && waiting != null ? waiting : current;
            }
            if(waiting != null)
            {
                return waiting;
            }
            if(scheduler.FindStealable(p.Port.Processor) is VgicVcpu stolen)
            {
                CompleteMigration(stolen, p.Port.Processor);
                return stolen.PhysicalCpu == p.Port.Processor ? stolen : current;
            }
            // Idle: keep a blocked vCPU's context loaded (it is the likeliest to wake here); one that left goes off the core.
            return current != null && current.State == VcpuState.Blocked && current.MigrationTarget == null ? current : null;
        }

        /// <summary>Switches this CPU from its loaded vCPU to <paramref name="next"/> (null: nothing loaded).</summary>
        private void SwitchTo(PhysicalCpu p, VgicVcpu? next)
        {
            var previous = p.Current;
            if(previous != null && previous.Loaded)
            {
                world.Put(p.Cpu, p.Port, previous, keepContext: previous.State != VcpuState.Off);
                if(previous.State == VcpuState.Blocked)
                {
                    WatchSavedTimer(previous);
                }
                previous.Domain.Stats.WorldSwitches++;
            }
            p.Current = null;
            if(previous?.MigrationTarget is int target)
            {
                CompleteMigration(previous, target);
            }
            if(next != null)
            {
                world.Load(p.Cpu, p.Port, next);
                p.Current = next;
            }
        }

        /// <summary>Moves a vCPU that is not on a core to <paramref name="pcpu"/>; a runnable one is started or queued there.</summary>
        private void CompleteMigration(VgicVcpu vcpu, int pcpu)
        {
            vcpu.MigrationTarget = null;
            if(vcpu.PhysicalCpu == pcpu)
            {
                return;
            }
            if(!MoveVcpuInterrupts(vcpu, pcpu))
            {
                return; // the ITS refused (rolled back): the vCPU stays where it was
            }
            vcpu.PhysicalCpu = pcpu;
            foreach(var (pintid, spi) in spiOwners)
            {
                if(spi.Irq.Target == vcpu)
                {
                    Gic.RouteSpi(pintid, pcpu); // a pending one moves with the route (GICD_IROUTER takes effect at once)
                }
            }
            vcpu.Migrations++;
            vcpu.Domain.Stats.Migrations++;
            if(vcpu.State == VcpuState.Running)
            {
                OfferCpu(pcpus[pcpu], vcpu);
            }
            else if(vcpu.State == VcpuState.Blocked)
            {
                ParkOn(pcpus[pcpu], vcpu);
            }
        }

        /// <summary>
        /// A blocked vCPU arrived on <paramref name="target"/>: a core that is off must come on to wait for it, or the kick
        /// that should wake it would go nowhere. It idles in the hypervisor with nothing loaded (loading the context now
        /// would let the blocked guest run its first instructions through the ERET trampoline before the wake-up exit);
        /// the exit that wakes the vCPU loads it.
        /// </summary>
        private void ParkOn(PhysicalCpu target, VgicVcpu vcpu)
        {
            if(target.Current != null || target.Cpu.State != CpuState.Off || vcpu.Loaded)
            {
                return; // the core runs or waits already: it sees the vCPU at its next exit
            }
            var previous = Gic.CurrentPort;
            Gic.CurrentPort = target.Port;
            target.Lrs.Disable(target.Port);
            target.Cpu.PowerOnParked();
            Gic.CurrentPort = previous;
        }

        /// <summary>A vCPU became runnable on <paramref name="target"/>: start the core if it is off, else preempt there.</summary>
        private void OfferCpu(PhysicalCpu target, VgicVcpu vcpu)
        {
            if(target.Current == null && target.Cpu.State == CpuState.Off && !vcpu.Loaded)
            {
                var previous = Gic.CurrentPort;
                Gic.CurrentPort = target.Port;
                world.Load(target.Cpu, target.Port, vcpu);
                target.Current = vcpu;
                EnterGuest(target);
                Gic.CurrentPort = previous;
                return;
            }
            target.PreemptRequested = true;
            KickCpu(target);
        }

        /// <summary>Nothing to run here: the virtual interface is off and the core parks (or powers off when no vCPU can wake here).</summary>
        private void Idle(PhysicalCpu p)
        {
            p.Lrs.Disable(p.Port);
            var anyBlocked = false;
            foreach(var vcpu in scheduler.On(p.Port.Processor))
            {
                anyBlocked |= vcpu.State == VcpuState.Blocked;
            }
            if(anyBlocked || p.Current != null)
            {
                p.Cpu.BlockUntilInterrupt();
            }
            else
            {
                p.Cpu.PowerOff();
            }
        }

        /// <summary>A blocked vCPU whose EL1 timers live in its saved context: kick its CPU when the timer fires.</summary>
        private void WatchSavedTimer(VgicVcpu vcpu)
        {
            var p = pcpus[vcpu.PhysicalCpu];
            if(vcpu.SavedContext is not GuestEl1Context context || p.Cpu.Timer.El1TimerDeadline(context.Timers) is not ulong deadline)
            {
                return;
            }
            CpuScheduler.For(machine).ScheduleAt(deadline, () =>
            {
                if(vcpu.State == VcpuState.Blocked && !vcpu.Loaded && vcpu.SavedContext == context)
                {
                    KickCpu(pcpus[vcpu.PhysicalCpu]);
                }
            });
        }

        private void EnterGuest(PhysicalCpu p)
        {
            var vcpu = p.Current!;
            Gic.CurrentPort = p.Port;
            if(V4 != null && vcpu.Vpe is VirtualPe vpe)
            {
                if(vpe.ConfigurationStale && vpe.Resident)
                {
                    V4.Put(vpe, p.Port, doorbell: false);
                }
                if(vpe.ConfigurationStale)
                {
                    V4.UpdateConfiguration(vpe);
                }
                vpe.ConfigurationStale = false;
                if(!vpe.Resident)
                {
                    V4.Load(vpe, p.Port);
                }
            }
            ResampleHardwareLines(p);
            p.Lrs.Flush(vcpu, p.Port);
            var hcr = Hcr.Rw | Hcr.Imo | Hcr.Fmo | Hcr.Amo | (TrapsWfi(p) ? Hcr.Twi : 0);
            if(p.Cpu.HypervisorConfiguration != hcr)
            {
                p.Cpu.SetHypervisorConfiguration(hcr);
            }
            p.Port.Charge(Costs.EntryNs);
        }

        private bool TrapsWfi(PhysicalCpu p)
        {
            return (p.Current?.Domain ?? Domain).Wfi switch
            {
                WfiPolicy.Trap => true,
                WfiPolicy.Native => false,
                // Trap only when another runnable vCPU waits for this physical CPU (never with one vCPU per CPU).
                _ => scheduler.RunnableOn(p.Port.Processor) > 1,
            };
        }

        /// <summary>A blocked vCPU of this CPU has something to do: it becomes runnable and preempts the running one (BOOST).</summary>
        private void Wake(PhysicalCpu p, VgicVcpu vcpu)
        {
            vcpu.State = VcpuState.Running;
            p.Port.Charge(Costs.WakeNs);
            vcpu.Domain.Stats.WorldSwitches++;
            var home = pcpus[vcpu.PhysicalCpu];
            if(home != p)
            {
                home.PreemptRequested = true;
                KickCpu(home);
            }
            else if(p.Current != vcpu)
            {
                p.PreemptRequested = true;
            }
        }

        private void ArmHypervisorTick(PhysicalCpu p, ulong delayNs)
        {
            var timer = p.Cpu.Timer;
            var now = p.Cpu.LocalTimeNs;
            timer.TryWrite(SysReg.CnthpCvalEl2, 2, timer.CountAt(now + delayNs));
            timer.TryWrite(SysReg.CnthpCtlEl2, 2, 1);
        }

        private VirtualPe? FindDoorbell(int intid)
        {
            foreach(var vpe in V4!.Vpes)
            {
                if(vpe.Doorbell == intid)
                {
                    return vpe;
                }
            }
            return null;
        }

        // ---- PSCI for the guest ------------------------------------------------------------------------------------

        private long? Psci(PhysicalCpu p, uint function, ulong a1, ulong a2, ulong a3)
        {
            var domain = p.Current?.Domain ?? Domain;
            switch(function)
            {
            case 0x84000000: // PSCI_VERSION
                return 0x10001;
            case 0x8400000A: // PSCI_FEATURES
                return (uint)a1 is 0x84000000 or 0x84000002 or 0x84000003 or 0xC4000003 or 0x84000004 or 0xC4000004 or 0x84000008 or 0x84000009 or 0x8400000A ? 0 : -1;
            case 0x84000003:
            case 0xC4000003: // CPU_ON
                {
                    var vcpu = domain.FindVcpuByAffinity(a1);
                    if(vcpu == null)
                    {
                        return -2;
                    }
                    if(vcpu.State != VcpuState.Off)
                    {
                        return -4;
                    }
                    vcpu.SavedContext = GuestEl1Context.ForEntry(a2, a3, 0x8000_0000UL | vcpu.Affinity);
                    vcpu.State = VcpuState.Running;
                    OfferCpu(pcpus[vcpu.PhysicalCpu], vcpu);
                    Gic.CurrentPort = p.Port;
                    return 0;
                }
            case 0x84000002: // CPU_OFF
                {
                    var vcpu = p.Current;
                    if(vcpu != null)
                    {
                        vcpu.State = VcpuState.Off; // the exit tail switches to another vCPU, or parks or powers off the core
                    }
                    return null;
                }
            case 0x84000004:
            case 0xC4000004: // AFFINITY_INFO
                {
                    var vcpu = domain.FindVcpuByAffinity(a1);
                    return vcpu == null ? -2 : vcpu.State == VcpuState.Off ? 1 : 0;
                }
            case 0x84000008: // SYSTEM_OFF
                TurnOff(p, domain, reset: false);
                return null;
            case 0x84000009: // SYSTEM_RESET
                TurnOff(p, domain, reset: true);
                return null;
            default:
                return -1;
            }
        }

        /// <summary>
        /// SYSTEM_OFF (or SYSTEM_RESET) from a domain: with one domain the machine stops; with several, that domain's vCPUs
        /// go off (those on other cores leave at their next exit) and the machine stops when the last domain is off. A
        /// domain is not restarted by SYSTEM_RESET (logged in its stats as a power-off).
        /// </summary>
        private void TurnOff(PhysicalCpu p, VgicDomain domain, bool reset)
        {
            if(Domains.Count == 1)
            {
                p.Cpu.Scheduler.RequestSystemOff(p.Cpu, reset);
                return;
            }
            foreach(var vcpu in domain.Vcpus)
            {
                vcpu.State = VcpuState.Off;
                if(vcpu.Loaded && pcpus[vcpu.PhysicalCpu] != p)
                {
                    KickCpu(pcpus[vcpu.PhysicalCpu]);
                }
            }
            var allOff = true;
            foreach(var d in Domains)
            {
                allOff &= d.IsOff;
            }
            if(allOff)
            {
                p.Cpu.Scheduler.RequestSystemOff(p.Cpu, false);
            }
        }

        private readonly Machine machine;
        private readonly PhysicalCpu[] pcpus;
        private readonly VcpuScheduler scheduler;
        private readonly WorldSwitch world;
        private readonly Dictionary<int, VirtualIrq> lpiOwners = new Dictionary<int, VirtualIrq>();
        private readonly Dictionary<int, VgicDomain> lpiDomains = new Dictionary<int, VgicDomain>();
        private readonly SortedDictionary<int, (VgicDomain Domain, VirtualIrq Irq)> spiOwners = new SortedDictionary<int, (VgicDomain, VirtualIrq)>();
        private readonly HashSet<VgicDomain> spiRoutedHooked = new HashSet<VgicDomain>();

        private sealed class PhysicalCpu
        {
            public PhysicalCpu(ARMv8A cpu, CpuEl2Port port, ListRegisterManager lrs)
            {
                Cpu = cpu;
                Port = port;
                Lrs = lrs;
            }

            public ARMv8A Cpu { get; }

            public CpuEl2Port Port { get; }

            public ListRegisterManager Lrs { get; }

            public VgicVcpu? Current { get; set; }

            public bool InExit { get; set; }

            /// <summary>The hypervisor tick ended the running vCPU's time slice.</summary>
            public bool SliceExpired { get; set; }

            /// <summary>A vCPU woke up or arrived here: it preempts the running one at this CPU's next exit tail.</summary>
            public bool PreemptRequested { get; set; }
        }
    }
}
