// LPIs in the highest-priority-pending-interrupt selection. Each Redistributor with GICR_CTLR.EnableLPIs = 1
// registers its LpiPendingSet here; TryGetHighest compares that set's best LPI with the best SGI/PPI/SPI of
// Non-secure Group 1 (LPIs are always Non-secure Group 1, IHI 0069 5.1). Equal priorities go to the lower INTID,
// so an LPI (INTID >= 8192) only wins with a strictly higher priority (a lower priority value).
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed partial class PriorityArbiter
    {
        /// <summary>Registers (or, with null, removes) the LPIs of processor <paramref name="cpu"/>; marks the CPU dirty.</summary>
        public void SetLpiSet(int cpu, LpiPendingSet? set)
        {
            lpiSets ??= new LpiPendingSet?[cpuCount];
            lpiSets[cpu] = set;
            MarkDirty(cpu);
        }

        private bool TryGetHighestLpi(int cpu, int groupMask, out int intid, out int priority)
        {
            var set = lpiSets?[cpu];
            if(set == null || (groupMask & (1 << (int)GicGroup.Group1NonSecure)) == 0)
            {
                intid = 0;
                priority = 0xFF;
                return false;
            }
            return set.TryGetHighest(out intid, out priority);
        }

        private LpiPendingSet?[]? lpiSets;
    }
}
