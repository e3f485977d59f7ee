// CpuInterface, read-only views for the trace and the inspector (ArmGicV3.Inspection.cs). Nothing here changes state.
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed partial class CpuInterface
    {
        /// <summary>The interrupt this CPU interface signals now (what ICC_IAR would return), if any.</summary>
        public bool TryGetSignalled(out int intid, out int priority)
        {
            return TryGetSignallable(out intid, out priority, out _);
        }

        /// <summary>ICC_PMR_EL1 in the Secure (raw) view.</summary>
        public int PriorityMaskValue => priorityMaskRegister;

        /// <summary>The priority bits the CPU interface compares (PRIbits + 1 top bits).</summary>
        public int ImplementedPriorityMask => priorityMask;

        /// <summary>Whether <paramref name="priority"/> is masked by ICC_PMR_EL1 (equal or lower priority than the mask).</summary>
        public bool IsMaskedByPriorityMask(int priority) => (priority & priorityMask) >= priorityMaskRegister;

        /// <summary>Whether <paramref name="priority"/> cannot preempt the running priority (compared by group priority).</summary>
        public bool IsMaskedByRunningPriority(int priority, GicGroup group) => (priority & GroupPriorityMask(group)) >= RunningPriority;

        /// <summary>ICC_CTLR_EL1.EOImode of the Non-secure bank (the one EL1/EL2 software uses).</summary>
        public bool SplitEoiNonSecure => eoiMode[NonSecure];

        /// <summary>The active priority bits (ICC_AP0R/AP1R) of a group, first register.</summary>
        public uint ActivePrioritiesOf(GicGroup group) => activePriorities[(int)group, 0];
    }
}
