// VirtualCpuInterface, GICv4 side: direct virtual LPIs. When a vPE is resident on this processor's Redistributor
// (GICR_VPENDBASER.Valid = 1), its highest-priority pending and enabled vLPI competes with the list registers
// for vIRQ, ICV_IAR1_EL1 and ICV_HPPIR1_EL1 without any list register (IHI 0069 9.x, "direct injection").
//
// Rules: a direct vLPI is Group 1 (gated by ICH_VMCR_EL2.VENG1 and ICH_HCR_EL2.En, masked by VPMR and the virtual
// running priority like any Group 1 virtual interrupt); its priority is the configuration byte's priority
// limited to the implemented virtual priority bits; on a priority tie a pending list register wins (IMPDEF).
// Acknowledging it sets the active priority bit in ICH_AP1R0_EL2 and clears its pending state at once (vLPIs
// have no active state); its EOI only drops the priority (no LR holds it, and EOIcount does not count LPIs).
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed partial class VirtualCpuInterface
    {
        /// <summary>The vIRQ level may have changed (a direct vLPI of the resident vPE changed).</summary>
        public void MarkDirty()
        {
            dirty = true;
        }

        /// <summary>Whether the resident vPE's best vLPI beats the best pending LR (index <paramref name="bestListRegister"/>, -1 if none).</summary>
        private bool TryGetDirectVlpi(int bestListRegister, out int vintid, out int priority)
        {
            if(!GroupEnabled(1) || !gic.TryGetHighestPendingVlpi(ProcessorNumber, out vintid, out priority))
            {
                vintid = 0;
                priority = IdlePriority;
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
            if(group != 1 || !CanPreemptPriority(priority, 1))
            {
                return SpuriousIntid;
            }
            var activeBit = (priority & GroupPriorityMask(1)) >> (8 - VirtualPreemptionBits);
            activePriorities[1, activeBit / 32] |= 1u << (activeBit % 32);
            gic.AcknowledgeVlpi(ProcessorNumber, vintid);
            gic.Trace(GicTraceKind.VirtualAcknowledged, vintid, ProcessorNumber, priority);
            return (ulong)vintid;
        }
    }
}
