// Accounting of everything the hypervisor does: exits by cause, world switches, maintenance interrupts, list
// register and ITS traffic, and the virtual time it charged. Per domain; the benchmark adds the latencies.
using System.Collections.Generic;
using System.Linq;

namespace RenodeGic.VgicHost
{
    public enum ExitCause
    {
        /// <summary>A physical interrupt of a passed-through device (GICv3 mode: injected through the ap_list).</summary>
        DeviceInterrupt,
        /// <summary>The maintenance interrupt (PPI 25): underflow or EOI of a level interrupt.</summary>
        Maintenance,
        /// <summary>A GICv4 doorbell: a vLPI arrived for a vPE that was not resident.</summary>
        Doorbell,
        /// <summary>A forwarded timer PPI (the guest's virtual timer, HW-mapped).</summary>
        TimerInterrupt,
        /// <summary>The hypervisor's own tick (EL2 physical timer).</summary>
        HypervisorTick,
        /// <summary>A kick (SGI) from another physical CPU: new interrupts for the vCPU running here.</summary>
        Kick,
        /// <summary>A trapped access to the virtual distributor, redistributor or ITS.</summary>
        Mmio,
        /// <summary>A trapped MSR ICC_SGI0R_EL1 / ICC_SGI1R_EL1 / ICC_ASGI1R_EL1: the guest sending an SGI (VirtualSgi).</summary>
        SgiTrap,
        Hypercall,
        Wfi,
        /// <summary>Any other physical interrupt (spurious, unknown).</summary>
        OtherInterrupt,
    }

    public sealed class VgicStats
    {
        public long this[ExitCause cause] => exits[(int)cause];

        public long TotalExits => exits.Sum();

        public long WorldSwitches { get; internal set; }

        public long MaintenanceInterrupts { get; internal set; }

        public long DoorbellsTaken { get; internal set; }

        public long LrWrites { get; internal set; }

        public long LrReads { get; internal set; }

        public long ElrsrReads { get; internal set; }

        public long Underflows { get; internal set; }

        public long PhysicalItsCommands { get; internal set; }

        public long VirtualItsCommands { get; internal set; }

        public long VirtualInterruptsInjected { get; internal set; }

        public long VpeLoads { get; internal set; }

        public long VpePuts { get; internal set; }

        public long DirtyPolls { get; internal set; }

        public long Vmovps { get; internal set; }

        /// <summary>vCPUs switched out of a core to let another vCPU (or nothing) run there.</summary>
        public long VcpuSwitches { get; internal set; }

        /// <summary>vCPUs moved to another physical CPU (VMOVP / MOVI on the physical ITS).</summary>
        public long Migrations { get; internal set; }

        /// <summary>GICv4.1 vSGIs sent through GITS_SGIR (guests with GICD_CTLR.nASSGIreq).</summary>
        public long VsgisSent { get; internal set; }

        /// <summary>GICR_VSGIPENDR queries that stayed Busy (answered "not pending"; should stay 0).</summary>
        public long VsgiQueriesTimedOut { get; internal set; }

        public ulong ChargedNs { get; internal set; }

        internal void Exit(ExitCause cause) => exits[(int)cause]++;

        public IReadOnlyDictionary<string, long> ExitsByCause()
        {
            var result = new SortedDictionary<string, long>();
            for(var i = 0; i < exits.Length; i++)
            {
                if(exits[i] != 0)
                {
                    result[((ExitCause)i).ToString()] = exits[i];
                }
            }
            return result;
        }

        private readonly long[] exits = new long[System.Enum.GetValues<ExitCause>().Length];
    }
}
