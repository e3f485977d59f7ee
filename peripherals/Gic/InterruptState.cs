// Per-INTID state of one bank of physical interrupts: the SPIs of the Distributor, or the SGIs and PPIs of one
// Redistributor. Struct-of-arrays, indexed by INTID (the Distributor bank leaves 0..31 unused).
//
// Architectural state: group and group modifier (IHI 0069 3.5), enable, pending latch, input line level,
// active, edge/level configuration, priority, NSACR. An interrupt is pending when its latch is set or, if it is
// level-sensitive, while its input is high (IHI 0069 4.1.2); "acknowledge" clears the latch only, so a level
// interrupt whose line is still asserted becomes active and pending.
//
// Derived state (not architectural, rebuilt by PriorityArbiter.Requeue): which CPU's candidate set holds the
// interrupt, under which key and group.
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    /// <summary>Interrupt groups as the CPU interface sees them (IHI 0069 3.5.1); indexes per-group state.</summary>
    internal enum GicGroup
    {
        Group0 = 0,
        Group1Secure = 1,
        Group1NonSecure = 2,
    }

    internal sealed class InterruptState
    {
        public InterruptState(int count, int ownerCpu)
        {
            Count = count;
            OwnerCpu = ownerCpu;
            Priority = new byte[count];
            Group = new bool[count];
            GroupModifier = new bool[count];
            Enabled = new bool[count];
            PendingLatch = new bool[count];
            LineLevel = new bool[count];
            Active = new bool[count];
            EdgeTriggered = new bool[count];
            NonSecureAccess = new byte[count];
            QueuedCpu = new int[count];
            QueuedKey = new int[count];
            QueuedGroup = new GicGroup[count];
            for(var i = 0; i < count; i++)
            {
                QueuedCpu[i] = -1;
            }
        }

        /// <summary>Number of INTIDs covered (indexes 0..Count-1).</summary>
        public int Count { get; }

        /// <summary>The processor owning this bank (SGIs/PPIs), or -1 for the shared SPI bank.</summary>
        public int OwnerCpu { get; }

        public bool IsPending(int intid)
        {
            return PendingLatch[intid] || (!EdgeTriggered[intid] && LineLevel[intid]);
        }

        /// <summary>The group of an interrupt; with GICD_CTLR.DS = 1 there is no Secure Group 1 (GICR/GICD_IGRPMODR RAZ/WI).</summary>
        public GicGroup GroupOf(int intid, bool disableSecurity)
        {
            if(Group[intid])
            {
                // {1, 1} is reserved; treated as Non-secure Group 1.
                return GicGroup.Group1NonSecure;
            }
            return !disableSecurity && GroupModifier[intid] ? GicGroup.Group1Secure : GicGroup.Group0;
        }

        /// <summary>Resets every architectural field except the input line levels (wires keep their level).</summary>
        public void Reset(int firstIntid, bool group1AtReset, bool edgeAtReset)
        {
            for(var i = firstIntid; i < Count; i++)
            {
                Priority[i] = 0;
                Group[i] = group1AtReset;
                GroupModifier[i] = false;
                Enabled[i] = false;
                PendingLatch[i] = false;
                Active[i] = false;
                EdgeTriggered[i] = edgeAtReset;
                NonSecureAccess[i] = 0;
            }
        }

        public readonly byte[] Priority;
        public readonly bool[] Group;
        public readonly bool[] GroupModifier;
        public readonly bool[] Enabled;
        public readonly bool[] PendingLatch;
        public readonly bool[] LineLevel;
        public readonly bool[] Active;
        public readonly bool[] EdgeTriggered;
        public readonly byte[] NonSecureAccess;

        // Derived: membership in a PriorityArbiter candidate set (QueuedCpu = -1 when in none).
        public readonly int[] QueuedCpu;
        public readonly int[] QueuedKey;
        public readonly GicGroup[] QueuedGroup;
    }
}
