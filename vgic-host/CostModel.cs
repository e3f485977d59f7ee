// What the hypervisor's own work costs, in virtual nanoseconds (the host runs one instruction per nanosecond, so
// these are "cycles" of a 1 GHz core). Every cost is charged to the physical CPU doing the work
// (ARMv8A.ChargeCycles), so the guest on that CPU runs that much later: latency and throughput follow from how
// often each mechanism is used, never from a per-mode constant. README.md ("VGIC host model") documents the defaults.
namespace RenodeGic.VgicHost
{
    public sealed record CostModel
    {
        /// <summary>Exception entry to EL2 and saving the guest's general-purpose registers.</summary>
        public ulong ExitNs { get; init; } = 350;

        /// <summary>Restoring the guest's registers and ERET back to EL1.</summary>
        public ulong EntryNs { get; init; } = 250;

        /// <summary>Decoding and dispatching one trapped MMIO access (on top of the exit and entry).</summary>
        public ulong MmioEmulationNs { get; init; } = 150;

        /// <summary>Handling one HVC (PSCI) on top of the exit and entry.</summary>
        public ulong HypercallNs { get; init; } = 100;

        /// <summary>One ICH_LR&lt;n&gt;_EL2 write (filling or clearing a list register).</summary>
        public ulong LrWriteNs { get; init; } = 15;

        /// <summary>One ICH_LR&lt;n&gt;_EL2 read (folding a used list register back).</summary>
        public ulong LrReadNs { get; init; } = 15;

        /// <summary>Any other ICH_* access (HCR, ELRSR, MISR, VMCR).</summary>
        public ulong IchAccessNs { get; init; } = 10;

        /// <summary>ICC_IAR1_EL1 / ICC_EOIR1_EL1 / ICC_DIR_EL1 at EL2 (acknowledging a physical interrupt).</summary>
        public ulong IccAccessNs { get; init; } = 40;

        /// <summary>Looking up the owner of a physical interrupt and queueing the virtual one on an ap_list.</summary>
        public ulong InjectNs { get; init; } = 120;

        /// <summary>Writing one command into the physical ITS queue, advancing GITS_CWRITER and waiting for GITS_CREADR.</summary>
        public ulong ItsCommandNs { get; init; } = 400;

        /// <summary>Emulating one command of the guest's virtual ITS (reading and decoding it).</summary>
        public ulong VirtualItsCommandNs { get; init; } = 300;

        /// <summary>Blocking a vCPU on a trapped WFI: switching to the idle context (scheduler, state save).</summary>
        public ulong BlockNs { get; init; } = 1500;

        /// <summary>Waking a blocked vCPU: scheduler wake-up, context restore and switch back (a world switch).</summary>
        public ulong WakeNs { get; init; } = 2500;

        /// <summary>Saving or restoring one vCPU's core context (registers, EL1 system registers, timers) in a world switch.</summary>
        public ulong ContextSwitchNs { get; init; } = 800;

        /// <summary>One GICR_VPROPBASER/GICR_VPENDBASER access (vPE load and put).</summary>
        public ulong VpeRegisterNs { get; init; } = 60;

        /// <summary>The hypervisor's own periodic work on every physical CPU (scheduler accounting, timers).</summary>
        public ulong HypervisorTickWorkNs { get; init; } = 3000;

        /// <summary>Period of the hypervisor tick (EL2 physical timer, PPI 26); 0 disables it.</summary>
        public ulong HypervisorTickPeriodNs { get; init; } = 1_000_000;

        public static CostModel Default { get; } = new CostModel();
    }
}
