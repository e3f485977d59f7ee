// VirtualCpuInterface, GICv4 side: direct virtual LPIs. When a vPE is resident on this processor's Redistributor
// (GICR_VPENDBASER.Valid = 1), its highest-priority pending and enabled vLPI competes with the list registers
// for vIRQ, ICV_IAR1_EL1 and ICV_HPPIR1_EL1 without any list register (IHI 0069 9.x, "direct injection").
//
// Rules: a direct vLPI is Group 1 (gated by ICH_VMCR_EL2.VENG1 and ICH_HCR_EL2.En, masked by VPMR and the virtual
// running priority like any Group 1 virtual interrupt); its priority is the configuration byte's priority
// limited to the implemented virtual priority bits; on a priority tie a pending list register wins (IMPDEF).
// Acknowledging it sets the active priority bit in ICH_AP1R0_EL2 and clears its pending state at once (vLPIs
// have no active state); its EOI only drops the priority (no LR holds it, and EOIcount does not count LPIs).
// GICv4.1: the resident vPE's vSGIs (INTIDs 0-15) compete the same way, each in its own group (Group 0: vFIQ,
// ICV_IAR0_EL1), with no active state. Their EOI, which no LR matches, increments EOIcount as for any INTID below
// 8192 (ICH_HCR_EL2.vSGIEOICount is not implemented: RES0, i.e. counting).
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed partial class VirtualCpuInterface
    {
        /// <summary>The vIRQ level may have changed (a direct vLPI of the resident vPE changed).</summary>
        public void MarkDirty()
        {
            dirty = true;
        }

        /// <summary>
        /// Whether the resident vPE's best direct interrupt (vLPI, or with GICv4.1 a vSGI) beats the best pending LR (index
        /// <paramref name="bestListRegister"/>, -1 if none). Its group is left in <c>directGroup</c> (vLPIs: 1).
        /// A vSGI wins a priority tie with a vLPI (lower INTID).
        /// </summary>
        private bool TryGetDirectVlpi(int bestListRegister, out int vintid, out int priority)
        {
            directGroup = 1;
            vintid = 0;
            priority = IdlePriority;
            var found = GroupEnabled(1) && gic.TryGetHighestPendingVlpi(ProcessorNumber, out vintid, out priority);
            if(!found)
            {
                vintid = 0;
                priority = IdlePriority;
            }
            if(gic.Gicv41 && gic.RedistributorOf(ProcessorNumber).TryGetHighestPendingVsgi(GroupEnabledForDirect, out var sgi, out var sgiPriority, out var sgiGroup)
                && (!found || (sgiPriority & (int)PriorityMask) <= (priority & (int)PriorityMask)))
            {
                found = true;
                vintid = sgi;
                priority = sgiPriority;
                directGroup = sgiGroup;
            }
            if(!found)
            {
                return false;
            }
            priority &= (int)PriorityMask;
            if(priority >= IdlePriority || (bestListRegister >= 0 && PriorityOf(listRegisters[bestListRegister]) <= priority))
            {
                return false;
            }
            return true;
        }

        /// <summary>CanPreempt for a priority that no LR holds: En, beats VPMR and, by group priority, the running priority.</summary>
        /// <summary>The group of the interrupt TryGetDirectVlpi found last (1 for a vLPI, a vSGI's own group).</summary>
        private int directGroup = 1;

        private bool GroupEnabledForDirect(int group) => GroupEnabled(group);

        private bool CanPreemptPriority(int priority, int group)
        {
            if(!HcrFlag(HcrEn) || priority >= (int)Extract(machineControl, VmcrVpmrShift, 8))
            {
                return false;
            }
            var running = RunningPriority;
            if(running == IdlePriority)
            {
                return true;
            }
            var mask = GroupPriorityMask(group);
            return (priority & mask) < (running & mask);
        }

        private ulong AcknowledgeDirectVlpi(int group, int vintid, int priority)
        {
            if(group != directGroup || !CanPreemptPriority(priority, group))
            {
                return SpuriousIntid;
            }
            var activeBit = (priority & GroupPriorityMask(group)) >> (8 - VirtualPreemptionBits);
            activePriorities[group, activeBit / 32] |= 1u << (activeBit % 32);
            if(vintid < 16)
            {
                gic.RedistributorOf(ProcessorNumber).AcknowledgeVsgi(vintid); // GICv4.1 vSGI: no active state either
            }
            else
            {
                gic.AcknowledgeVlpi(ProcessorNumber, vintid);
            }
            gic.Trace(GicTraceKind.VirtualAcknowledged, vintid, ProcessorNumber, priority);
            return (ulong)vintid;
        }
    }
}
