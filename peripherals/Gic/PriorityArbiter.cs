// Highest-priority-pending-interrupt selection (IHI 0069 4.8 "Interrupt prioritization").
//
// Each CPU has one candidate set per interrupt group holding the interrupts that are pending, enabled, not
// active and routed to that CPU. A set is a sorted array of keys (priority << 10 | INTID), so the best
// candidate of a group is its first key: lower priority value wins, and among equal priorities the lowest
// INTID (the tie-break rule, applied everywhere). Every state change of an interrupt calls Requeue, which moves
// the interrupt between sets in O(log n + n) (a binary search and a short array move; n is the number of
// candidates, typically a handful), so finding the HPPI never scans the INTID space.
// Derived state: rebuilt from InterruptState by requeueing every interrupt; never guest-visible.
using System;
using System.Numerics;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed partial class PriorityArbiter
    {
        public PriorityArbiter(int cpuCount)
        {
            sets = new CandidateSet[cpuCount * GroupCount];
            for(var n = 0; n < sets.Length; n++)
            {
                sets[n] = new CandidateSet();
            }
            this.cpuCount = cpuCount;
            dirty = new ulong[(cpuCount + 63) / 64];
        }

        public const int GroupCount = 3;

        public static int KeyOf(int priority, int intid) => (priority << IntidBits) | intid;

        public static int IntidOf(int key) => key & ((1 << IntidBits) - 1);

        public static int PriorityOf(int key) => key >> IntidBits;

        /// <summary>
        /// Puts the interrupt in the candidate set it belongs to now (or in none) and marks every CPU whose set
        /// changed as dirty. <paramref name="targetCpu"/> is -1 when the interrupt has no valid target.
        /// </summary>
        public void Requeue(InterruptState bank, int intid, int targetCpu, GicGroup group)
        {
            var eligible = targetCpu >= 0 && bank.Enabled[intid] && !bank.Active[intid] && bank.IsPending(intid);
            var key = KeyOf(bank.Priority[intid], intid);
            var queuedCpu = bank.QueuedCpu[intid];
            if(eligible && queuedCpu == targetCpu && bank.QueuedKey[intid] == key && bank.QueuedGroup[intid] == group)
            {
                return;
            }
            if(queuedCpu >= 0)
            {
                sets[queuedCpu * GroupCount + (int)bank.QueuedGroup[intid]].Remove(bank.QueuedKey[intid]);
                MarkDirty(queuedCpu);
                bank.QueuedCpu[intid] = -1;
            }
            if(eligible)
            {
                sets[targetCpu * GroupCount + (int)group].Add(key);
                bank.QueuedCpu[intid] = targetCpu;
                bank.QueuedKey[intid] = key;
                bank.QueuedGroup[intid] = group;
                MarkDirty(targetCpu);
            }
        }

        /// <summary>
        /// The best candidate of <paramref name="cpu"/> among the groups in <paramref name="groupMask"/>
        /// (bit g = group g enabled). False when there is none.
        /// </summary>
        public bool TryGetHighest(int cpu, int groupMask, out int intid, out int priority, out GicGroup group)
        {
            var best = int.MaxValue;
            var bestGroup = GicGroup.Group0;
            for(var g = 0; g < GroupCount; g++)
            {
                if((groupMask & (1 << g)) == 0)
                {
                    continue;
                }
                var set = sets[cpu * GroupCount + g];
                if(set.Count > 0 && set.First < best)
                {
                    best = set.First;
                    bestGroup = (GicGroup)g;
                }
            }
            if(TryGetHighestLpi(cpu, groupMask, out var lpi, out var lpiPriority) && (best == int.MaxValue || lpiPriority < PriorityOf(best)))
            {
                // LPIs (PriorityArbiter.Lpi.cs): Non-secure Group 1, and a tie goes to the lower (non-LPI) INTID.
                intid = lpi;
                priority = lpiPriority;
                group = GicGroup.Group1NonSecure;
                return true;
            }
            if(best == int.MaxValue)
            {
                intid = 1023;
                priority = 0xFF;
                group = GicGroup.Group0;
                return false;
            }
            intid = IntidOf(best);
            priority = PriorityOf(best);
            group = bestGroup;
            return true;
        }

        /// <summary>Number of candidates of one CPU and group (for tests and diagnostics).</summary>
        public int CountOf(int cpu, GicGroup group) => sets[cpu * GroupCount + (int)group].Count;

        public void MarkDirty(int cpu)
        {
            dirty[cpu >> 6] |= 1UL << (cpu & 63);
        }

        public void MarkAllDirty()
        {
            for(var word = 0; word < dirty.Length; word++)
            {
                var remaining = cpuCount - word * 64;
                dirty[word] = remaining >= 64 ? ulong.MaxValue : (1UL << remaining) - 1;
            }
        }

        /// <summary>Returns and clears the dirty flag of a CPU.</summary>
        public bool TakeDirty(int cpu)
        {
            var bit = 1UL << (cpu & 63);
            var wasDirty = (dirty[cpu >> 6] & bit) != 0;
            dirty[cpu >> 6] &= ~bit;
            return wasDirty;
        }

        /// <summary>
        /// The lowest-numbered dirty CPU at or above <paramref name="from"/>, its flag cleared; -1 when there is none.
        /// Walking with <c>TakeNextDirty(previous + 1)</c> visits the dirty CPUs in ascending order like a loop of
        /// <see cref="TakeDirty"/> over every CPU would (a CPU marked again behind the walk stays dirty), but costs
        /// one word test per 64 CPUs when nothing changed.
        /// </summary>
        public int TakeNextDirty(int from)
        {
            var word = from >> 6;
            if(word >= dirty.Length)
            {
                return -1;
            }
            var bits = dirty[word] & (ulong.MaxValue << (from & 63));
            while(bits == 0)
            {
                if(++word == dirty.Length)
                {
                    return -1;
                }
                bits = dirty[word];
            }
            var bit = BitOperations.TrailingZeroCount(bits);
            dirty[word] &= ~(1UL << bit);
            return (word << 6) | bit;
        }

        private const int IntidBits = 10;

        private readonly CandidateSet[] sets; // index cpu * GroupCount + group
        private readonly int cpuCount;
        // Bit cpu % 64 of word cpu / 64: the CPU's candidate sets or CPU-interface state changed since its outputs
        // were last computed (ArmGicV3.UpdateOutputs recomputes only those CPUs).
        private readonly ulong[] dirty;

        /// <summary>
        /// A sorted set of distinct non-negative int keys with O(1) minimum. The array holds the keys negated, in
        /// ascending order, so the minimum key is the last element: adding or removing the best candidate (the
        /// usual case: the interrupt being acknowledged, or re-pended by its EOI) is O(1) and does not depend on
        /// how many lower-priority candidates wait (bench iar-eoi: 1 vs 1 + 200 pending).
        /// </summary>
        private sealed class CandidateSet
        {
            public int Count => count;

            public int First => -keys[count - 1];

            public void Add(int key)
            {
                if(count < keys.Length && (count == 0 || -key > keys[count - 1]))
                {
                    keys[count++] = -key; // the new best candidate
                    return;
                }
                var index = Array.BinarySearch(keys, 0, count, -key);
                if(index >= 0)
                {
                    return;
                }
                index = ~index;
                if(count == keys.Length)
                {
                    Array.Resize(ref keys, keys.Length * 2);
                }
                Array.Copy(keys, index, keys, index + 1, count - index);
                keys[index] = -key;
                count++;
            }

            public void Remove(int key)
            {
                if(count > 0 && keys[count - 1] == -key)
                {
                    count--; // the best candidate
                    return;
                }
                var index = Array.BinarySearch(keys, 0, count, -key);
                if(index < 0)
                {
                    return;
                }
                Array.Copy(keys, index + 1, keys, index, count - index - 1);
                count--;
            }

            private int[] keys = new int[16];
            private int count;
        }
    }
}
