// ArmGicV3, GICv4 side: what the Redistributors' VLPI_base frames (RedistributorVlpi.cs), the virtual CPU
// interfaces and the ITSes with virtual support (Its/ItsVirtualCommands.cs) share.
//
// - architectureRevision = 4 makes the GIC a GICv4.0: GICR_TYPER.VLPIS = 1, PIDR2.ArchRev = 4, each
//   Redistributor has a third 64 KiB frame (VLPI_base) and a reserved fourth one, so the redistributor stride is
//   at least 0x40000 (a smaller redistributorStride is raised to 0x40000, as QEMU's virt does for gic-version=4).
// - The ITSes attached to this GIC register here, so that a VMOVP can reach every ITS (GITS_TYPER.VMOVP = 1:
//   one command moves the vPE in all of them) and so that the ITSList form (GITS_TYPER.VMOVP = 0) can check the
//   list against the ITS numbers that exist.
using System.Collections.Generic;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    public sealed partial class ArmGicV3
    {
        /// <summary>GICR_TYPER.VLPIS: the GIC was created with architectureRevision = 4.</summary>
        internal bool VlpisSupported => ArchitectureRevision >= 4;

        internal int ArchitectureRevision { get; private set; } = 3;

        /// <summary>The ITSes attached to this GIC, in creation order.</summary>
        internal IReadOnlyList<ArmGicV3Its> Itses => itses;

        internal void RegisterIts(ArmGicV3Its its)
        {
            lock(sync)
            {
                if(!itses.Contains(its))
                {
                    itses.Add(its);
                }
            }
        }

        /// <summary>A vLPI of the vPE resident on <paramref name="processor"/> changed: the vIRQ line may change.</summary>
        internal void MarkVirtualInterfaceDirty(int processor)
        {
            virtualCpuInterfaces[processor].MarkDirty();
            HintVirtualDirty(processor);
        }

        /// <summary>The highest-priority pending and enabled vLPI of the vPE resident on <paramref name="processor"/>.</summary>
        internal bool TryGetHighestPendingVlpi(int processor, out int vintid, out int priority)
        {
            return redistributors[processor].TryGetHighestPendingVlpi(out vintid, out priority);
        }

        /// <summary>The guest acknowledged a direct vLPI (ICV_IAR1_EL1): it has no active state, its pending state is cleared.</summary>
        internal void AcknowledgeVlpi(int processor, int vintid)
        {
            redistributors[processor].AcknowledgeVlpi(vintid);
        }

        /// <summary>
        /// VMOVP with an ITSList (GITS_TYPER.VMOVP = 0): every ITS in the list receives a VMOVP with the same SeqNum,
        /// vPEID and RDbase. Records the ITS's part; false (a guest error for the caller) when this SeqNum is already in
        /// progress for another vPEID or RDbase. The record is dropped when every listed ITS has processed it.
        /// </summary>
        internal bool RecordVmovp(int sequence, int itsList, int vpeId, ulong processor, int itsNumber)
        {
            if(vmovpInProgress.TryGetValue(sequence, out var record))
            {
                if(record.VpeId != vpeId || record.Processor != processor)
                {
                    return false;
                }
            }
            else
            {
                record = new VmovpRecord(vpeId, processor, itsList);
            }
            record = record with { Remaining = record.Remaining & ~(1 << itsNumber) };
            if(record.Remaining == 0)
            {
                vmovpInProgress.Remove(sequence);
            }
            else
            {
                vmovpInProgress[sequence] = record;
            }
            return true;
        }

        private readonly List<ArmGicV3Its> itses = new List<ArmGicV3Its>();
        private readonly Dictionary<int, VmovpRecord> vmovpInProgress = new Dictionary<int, VmovpRecord>();

        private readonly record struct VmovpRecord(int VpeId, ulong Processor, int Remaining);
    }
}
