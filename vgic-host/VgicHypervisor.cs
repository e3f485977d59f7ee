// The hypervisor (a small Xen/KVM-like EL2 written in C#, IEl2Handler of every physical CPU): one vCPU pinned per
// physical CPU, exits handled as on real hardware and charged as virtual time (CostModel):
// - every exit: fold the vCPU's list registers (ListRegisterManager.Fold), handle, and on the way back in make the
//   vPE resident (GICv4), flush the ap_list into the list registers and set HCR_EL2 (TWI per WFI policy);
// - physical IRQs are acknowledged at EL2 with EOImode = 1: the maintenance interrupt (PPI 25) only makes the
//   fold/flush happen; the guest's virtual timer (PPI 27) is forwarded HW-mapped (the guest's deactivation
//   deactivates it); a device LPI (GICv3 mode) is injected as a vLPI through the ap_list; a doorbell LPI wakes its
//   vCPU; SGI 0 is a kick from another CPU; PPI 26 is the hypervisor's own tick;
// - HVC: PSCI (VERSION, FEATURES, CPU_ON/CPU_OFF/AFFINITY_INFO for the domain's vCPUs, SYSTEM_OFF/RESET);
// - trapped WFI: block the vCPU unless something is pending (GICv4: de-schedule the vPE with its doorbell on).
//   A vCPU that must stay blocked after an interrupt re-executes its WFI natively (the host's
//   OnPhysicalInterrupt path cannot park the core: see the report's host-change note).
using System;
using System.Collections.Generic;
using Antmicro.Renode.Peripherals.CPU;
using RenodeGic.Host.Cpu;
using RenodeGic.Host.Emulation;

namespace RenodeGic.VgicHost
{
    public sealed class VgicHypervisor : IEl2Handler, IVgicHost
    {
        public VgicHypervisor(Machine machine, VgicDomain domain, PhysicalGic gic, CostModel? costs = null)
        {
            this.machine = machine;
            Domain = domain;
            Gic = gic;
            Costs = costs ?? CostModel.Default;
            domain.Host = this;
            var cpus = new List<PhysicalCpu>();
            foreach(var c in machine.Cpus)
            {
                if(c is ARMv8A arm)
                {
                    var port = new CpuEl2Port(arm, domain.Stats);
                    cpus.Add(new PhysicalCpu(arm, port, new ListRegisterManager(4, Costs, domain.Stats)));
                }
            }
            if(cpus.Count < domain.Vcpus.Count)
            {
                throw new ArgumentException($"{domain.Vcpus.Count} vCPUs need as many physical CPUs (have {cpus.Count})");
            }
            pcpus = cpus.ToArray();
            if(domain.Mode != InjectionMode.V3)
            {
                V4 = new GicV4(gic, Costs, domain.Stats, v41: domain.Mode == InjectionMode.V41);
            }
        }

        public VgicDomain Domain { get; }

        public PhysicalGic Gic { get; }

        public CostModel Costs { get; }

        public GicV4? V4 { get; }

        public VirtualIts? Its { get; set; }

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
            for(var i = 0; i < pcpus.Length; i++)
            {
                var p = pcpus[i];
                p.Cpu.Hypervisor = this;
                p.Cpu.SetHypervisorConfiguration(Hcr.Rw | Hcr.Imo | Hcr.Fmo | Hcr.Amo);
                if(i < Domain.Vcpus.Count)
                {
                    var vcpu = Domain.Vcpus[i];
                    p.Current = vcpu;
                    vcpu.PhysicalCpu = i;
                    var timer = vcpu.Private[PhysicalGic.VirtualTimerIntid];
                    timer.Hardware = true;
                    timer.HardwareIntid = PhysicalGic.VirtualTimerIntid;
                }
                if(Costs.HypervisorTickPeriodNs > 0)
                {
                    ArmHypervisorTick(p, Costs.HypervisorTickPeriodNs * (ulong)(i + 1) / (ulong)pcpus.Length);
                }
            }
            if(V4 != null)
            {
                foreach(var vcpu in Domain.Vcpus)
                {
                    Gic.CurrentPort = pcpus[vcpu.PhysicalCpu].Port;
                    V4.CreateVpe(vcpu);
                }
                Gic.CurrentPort = null;
            }
            var first = pcpus[0];
            Domain.Vcpus[0].State = VcpuState.Running;
            _ = entry;
            EnterGuest(first);
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
            var wake = false;
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
                Domain.Stats.MaintenanceInterrupts++;
            }
            else if(intid == PhysicalGic.HypervisorTimerIntid)
            {
                cause = ExitCause.HypervisorTick;
                p.Port.Charge(Costs.HypervisorTickWorkNs);
                ArmHypervisorTick(p, Costs.HypervisorTickPeriodNs);
            }
            else if(intid == PhysicalGic.VirtualTimerIntid && vcpu != null && vcpu.State != VcpuState.Off)
            {
                cause = ExitCause.TimerInterrupt;
                p.Port.Charge(Costs.InjectNs);
                Domain.InjectEdge(vcpu.Private[PhysicalGic.VirtualTimerIntid], p.Port.NowNs);
                deactivate = false; // the guest deactivates it through the HW list register
            }
            else if(intid >= 8192 && lpiOwners.TryGetValue(intid, out var owner))
            {
                cause = ExitCause.DeviceInterrupt;
                p.Port.Charge(Costs.InjectNs);
                Domain.InjectEdge(owner, p.Port.NowNs);
                deactivate = false; // LPIs have no active state
            }
            else if(intid >= 8192 && V4 != null && FindDoorbell(intid) is VirtualPe vpe)
            {
                cause = ExitCause.Doorbell;
                Domain.Stats.DoorbellsTaken++;
                deactivate = false;
                wake = vpe.Vcpu == vcpu;
            }
            else if(intid >= 8192)
            {
                deactivate = false;
            }
            Domain.Stats.Exit(cause);
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
            if(vcpu != null && vcpu.State == VcpuState.Blocked)
            {
                if(wake || vcpu.HasPendingInterrupt())
                {
                    Wake(p);
                }
                else
                {
                    StayBlocked(p);
                    return;
                }
            }
            EndExit(p);
        }

        public void OnHypervisorCall(ARMv8A cpu, ushort immediate)
        {
            var p = pcpus[cpu.Index];
            BeginExit(p);
            Domain.Stats.Exit(ExitCause.Hypercall);
            p.Port.Charge(Costs.HypercallNs);
            var function = (uint)cpu.ReadX(0);
            var result = Psci(p, function, cpu.ReadX(1), cpu.ReadX(2), cpu.ReadX(3));
            if(result.HasValue)
            {
                cpu.WriteX(0, (ulong)result.Value);
            }
            if(p.Current?.State == VcpuState.Running)
            {
                EndExit(p);
            }
            else
            {
                Gic.CurrentPort = null;
            }
        }

        public void OnWfiTrap(ARMv8A cpu)
        {
            var p = pcpus[cpu.Index];
            BeginExit(p);
            Domain.Stats.Exit(ExitCause.Wfi);
            cpu.SkipTrappedInstruction();
            var vcpu = p.Current;
            if(vcpu == null || vcpu.HasPendingInterrupt())
            {
                EndExit(p);
                return;
            }
            if(V4 != null && vcpu.Vpe is VirtualPe vpe)
            {
                V4.Put(vpe, p.Port, doorbell: true);
                if(vpe.PendingLast)
                {
                    EndExit(p); // a vLPI is pending: do not block, make it resident again
                    return;
                }
            }
            vcpu.State = VcpuState.Blocked;
            p.Lrs.Disable(p.Port);
            p.Port.Charge(Costs.BlockNs);
            Domain.Stats.WorldSwitches++;
            Gic.CurrentPort = null;
            cpu.BlockUntilInterrupt();
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
            Domain.Stats.Exit(cause);
            p.Port.Charge(cause == ExitCause.Mmio ? Costs.MmioEmulationNs : 0);
            var result = emulate(p.Current);
            EndExit(p);
            return result;
        }

        public void Kick(VgicVcpu vcpu)
        {
            if(vcpu.State == VcpuState.Off)
            {
                return;
            }
            var target = pcpus[vcpu.PhysicalCpu];
            var current = Gic.CurrentPort;
            if(current != null && current.Processor == target.Port.Processor)
            {
                return; // this CPU is in the hypervisor already: its entry path flushes
            }
            var sender = current ?? target.Port;
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
                    if(other.Vconf == Gic.EmptyVconf)
                    {
                        other.ConfigurationStale = true;
                    }
                }
            }
        }

        /// <summary>Maps a physical LPI to the virtual interrupt it is injected as (GICv3 mode, the vITS does it).</summary>
        public void MapPhysicalLpi(int pintid, VirtualIrq virq) => lpiOwners[pintid] = virq;

        public void UnmapPhysicalLpi(int pintid) => lpiOwners.Remove(pintid);

        public IReadOnlyDictionary<int, VirtualIrq> PhysicalLpiOwners => lpiOwners;

        /// <summary>The hypervisor port of the physical CPU <paramref name="index"/>.</summary>
        public IEl2Port PortOf(int index) => pcpus[index].Port;

        /// <summary>
        /// Moves <paramref name="vcpu"/> to another physical CPU as far as the interrupt controller is concerned (its
        /// vPE via VMOVP + VSYNC, its physical LPIs via MOVI). Only the GIC side: the host has no way yet to move a
        /// guest's register context between cores. Returns false (nothing changed) when the ITS refused the move.
        /// </summary>
        public bool MoveVcpuInterrupts(VgicVcpu vcpu, int processor)
        {
            if(V4 != null && vcpu.Vpe is VirtualPe vpe && !V4.Move(vpe, processor))
            {
                return false;
            }
            Its?.OnVcpuMoved(vcpu, processor);
            return true;
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
        }

        private void EndExit(PhysicalCpu p)
        {
            var vcpu = p.Current;
            if(vcpu != null && vcpu.State == VcpuState.Running)
            {
                EnterGuest(p);
            }
            p.InExit = false;
            Gic.CurrentPort = null;
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
            return Domain.Wfi switch
            {
                WfiPolicy.Trap => true,
                WfiPolicy.Native => false,
                // Trap only when another vCPU waits for this physical CPU (never with one vCPU pinned per CPU).
                _ => RunnableVcpusOn(p) > 1,
            };
        }

        private int RunnableVcpusOn(PhysicalCpu p)
        {
            var n = 0;
            foreach(var vcpu in Domain.Vcpus)
            {
                if(vcpu.PhysicalCpu == p.Port.Processor && vcpu.State != VcpuState.Off)
                {
                    n++;
                }
            }
            return n;
        }

        private void Wake(PhysicalCpu p)
        {
            p.Current!.State = VcpuState.Running;
            p.Port.Charge(Costs.WakeNs);
            Domain.Stats.WorldSwitches++;
        }

        /// <summary>Parks a blocked vCPU again: the core re-executes the guest's WFI natively (TWI clear; LRs off).</summary>
        private void StayBlocked(PhysicalCpu p)
        {
            var cpu = p.Cpu;
            cpu.PC = cpu.PC - 4;
            cpu.SetHypervisorConfiguration(Hcr.Rw | Hcr.Imo | Hcr.Fmo | Hcr.Amo);
            p.InExit = false;
            Gic.CurrentPort = null;
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
            switch(function)
            {
            case 0x84000000: // PSCI_VERSION
                return 0x10001;
            case 0x8400000A: // PSCI_FEATURES
                return (uint)a1 is 0x84000000 or 0x84000002 or 0x84000003 or 0xC4000003 or 0x84000004 or 0xC4000004 or 0x84000008 or 0x84000009 or 0x8400000A ? 0 : -1;
            case 0x84000003:
            case 0xC4000003: // CPU_ON
                {
                    var vcpu = Domain.FindVcpuByAffinity(a1);
                    if(vcpu == null)
                    {
                        return -2;
                    }
                    if(vcpu.State != VcpuState.Off)
                    {
                        return -4;
                    }
                    var target = pcpus[vcpu.PhysicalCpu];
                    target.Current = vcpu;
                    vcpu.State = VcpuState.Running;
                    target.Cpu.PowerOn(a2, a3);
                    EnterGuest(target);
                    Gic.CurrentPort = p.Port;
                    return 0;
                }
            case 0x84000002: // CPU_OFF
                {
                    var vcpu = p.Current;
                    if(vcpu != null)
                    {
                        vcpu.State = VcpuState.Off;
                        p.Lrs.Disable(p.Port);
                    }
                    p.Cpu.PowerOff();
                    return null;
                }
            case 0x84000004:
            case 0xC4000004: // AFFINITY_INFO
                {
                    var vcpu = Domain.FindVcpuByAffinity(a1);
                    return vcpu == null ? -2 : vcpu.State == VcpuState.Off ? 1 : 0;
                }
            case 0x84000008: // SYSTEM_OFF
                p.Cpu.Scheduler.RequestSystemOff(p.Cpu, false);
                return null;
            case 0x84000009: // SYSTEM_RESET
                p.Cpu.Scheduler.RequestSystemOff(p.Cpu, true);
                return null;
            default:
                return -1;
            }
        }

        private readonly Machine machine;
        private readonly PhysicalCpu[] pcpus;
        private readonly Dictionary<int, VirtualIrq> lpiOwners = new Dictionary<int, VirtualIrq>();

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
        }
    }
}
