// A world switch between two vCPUs on one physical CPU: what Xen's context_switch and KVM's vcpu_put/vcpu_load do
// for the core and the interrupt controller.
// Put (the vCPU leaves the core; its list registers were folded into the ap_list by the exit that led here):
//   - ICH_VMCR_EL2 and the active-priority registers ICH_AP0R0/AP1R0_EL2 are saved: they are the guest's virtual CPU
//     interface (its PMR, BPR, group enables, the priorities of interrupts it is handling);
//   - GICv4: the vPE is made non-resident; the doorbell is armed only when the vCPU blocks (a preempted vCPU is
//     loaded again anyway, its vLPIs wait in the virtual pending table);
//   - the physical active state of the HW-mapped EL1 timer PPIs (virtual 27, physical 30) is saved and cleared (KVM's
//     kvm_timer_vcpu_put): a guest preempted inside its timer handler would otherwise keep the next vCPU's timer
//     from firing, and the deactivation through its HW list register must find the PPI active wherever it runs next;
//   - the core's EL1 context (registers, EL1 system registers, EL1 timers, VMPIDR) is saved.
// Load is the reverse; the vPE becomes resident and the list registers are filled by the normal entry path.
using Antmicro.Renode.Peripherals.CPU;

namespace RenodeGic.VgicHost
{
    internal sealed class WorldSwitch
    {
        public WorldSwitch(PhysicalGic gic, GicV4? v4, CostModel costs, VgicStats stats)
        {
            this.gic = gic;
            this.v4 = v4;
            this.costs = costs;
            this.stats = stats;
        }

        /// <summary>Takes <paramref name="vcpu"/> off <paramref name="cpu"/>; <paramref name="keepContext"/> is false for a vCPU that turned itself off.</summary>
        public void Put(ARMv8A cpu, IEl2Port port, VgicVcpu vcpu, bool keepContext)
        {
            vcpu.SavedVmcr = port.ReadSystemRegister(SysReg.IchVmcrEl2);
            vcpu.SavedAp0r = port.ReadSystemRegister(SysReg.IchAp0r0El2);
            vcpu.SavedAp1r = port.ReadSystemRegister(SysReg.IchAp1r0El2);
            port.WriteSystemRegister(SysReg.IchAp0r0El2, 0);
            port.WriteSystemRegister(SysReg.IchAp1r0El2, 0);
            port.Charge(5 * costs.IchAccessNs);
            if(v4 != null && vcpu.Vpe is VirtualPe vpe)
            {
                v4.Put(vpe, port, doorbell: vcpu.State == VcpuState.Blocked);
            }
            vcpu.TimersPhysicallyActive = 0;
            foreach(var intid in PhysicalGic.GuestTimerIntids)
            {
                if(gic.IsPrivateActive(port.Processor, intid))
                {
                    vcpu.TimersPhysicallyActive |= 1u << intid;
                    gic.SetPrivateActive(port.Processor, intid, false);
                }
            }
            vcpu.SavedContext = keepContext ? cpu.SaveGuestContext() : null;
            // The core's EL1 timers go quiet until the next vCPU's are loaded: a stale virtual timer must not fire here.
            cpu.Timer.RestoreEl1Context(default);
            vcpu.Loaded = false;
            port.Charge(costs.ContextSwitchNs);
            stats.VcpuSwitches++;
        }

        /// <summary>Puts <paramref name="vcpu"/>'s saved context on <paramref name="cpu"/> (powering the core on if it is off).</summary>
        public void Load(ARMv8A cpu, IEl2Port port, VgicVcpu vcpu)
        {
            var context = vcpu.SavedContext ?? throw new System.InvalidOperationException($"{vcpu} has no saved context to load");
            if(cpu.State == CpuState.Off)
            {
                cpu.PowerOnGuest(context);
            }
            else
            {
                cpu.LoadGuestContext(context);
            }
            vcpu.SavedContext = null;
            port.WriteSystemRegister(SysReg.IchVmcrEl2, vcpu.SavedVmcr);
            port.WriteSystemRegister(SysReg.IchAp0r0El2, vcpu.SavedAp0r);
            port.WriteSystemRegister(SysReg.IchAp1r0El2, vcpu.SavedAp1r);
            port.Charge(3 * costs.IchAccessNs);
            foreach(var intid in PhysicalGic.GuestTimerIntids)
            {
                if((vcpu.TimersPhysicallyActive & (1u << intid)) != 0)
                {
                    gic.SetPrivateActive(port.Processor, intid, true);
                }
            }
            vcpu.TimersPhysicallyActive = 0;
            vcpu.Loaded = true;
            vcpu.SwitchIns++;
            port.Charge(costs.ContextSwitchNs);
        }

        private readonly PhysicalGic gic;
        private readonly GicV4? v4;
        private readonly CostModel costs;
        private readonly VgicStats stats;
    }
}
