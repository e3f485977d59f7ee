// The LPIs of one Redistributor (IHI 0069 chapter 5.1 "LPIs"): the pending state of every LPI, the cached
// configuration byte of every LPI (priority + enable, read from the LPI Configuration table), and the set of
// LPIs that are pending and enabled, ordered by priority so that the highest-priority one is found in O(1)
// and kept up to date in O(log k) (k = pending-and-enabled LPIs), independently of the size of the LPI INTID
// space. QEMU rescans the whole pending table after every change; this set never scans.
//
// Layout: index i stands for INTID 8192 + i. The ordered set is an indexed binary min-heap of keys
// priority << 24 | INTID (so equal priorities are ordered by INTID, the lowest first: the tie-break rule the
// PriorityArbiter applies to every other interrupt), plus a position array (heap slot of each LPI, -1 if not
// in the heap). INTIDs therefore stay below 2^24, the architectural maximum.
//
// Architectural state here: the pending bits. Derived state (never guest-visible, rebuilt from the tables):
// the configuration cache and the heap.
using System;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed class LpiPendingSet
    {
        /// <summary>Creates the LPIs of a Redistributor whose LPI INTIDs have <paramref name="idBits"/> bits (8192 .. 2^idBits - 1).</summary>
        public LpiPendingSet(int idBits)
        {
            IdBits = idBits;
            Count = idBits > 13 ? (1 << idBits) - FirstLpi : 0;
            configuration = new byte[Count];
            pending = new ulong[(Count + 63) / 64];
            position = new int[Count];
            Array.Fill(position, -1);
            heap = new uint[16];
        }

        /// <summary>The first LPI INTID (IHI 0069 2.2.1: INTIDs 8192 and above are LPIs).</summary>
        public const int FirstLpi = 8192;

        /// <summary>The largest LPI INTID width the architecture allows (INTIDs are at most 24 bits).</summary>
        public const int MaximumIdBits = 24;

        /// <summary>Configuration byte (IHI 0069 5.1.1, "LPI Configuration tables"): bit 0 Enable, bits [7:2] Priority.</summary>
        public const byte EnableBit = 0x01;

        public const byte PriorityMask = 0xFC;

        public int IdBits { get; }

        /// <summary>Number of LPIs covered.</summary>
        public int Count { get; }

        /// <summary>Number of LPIs that are pending and enabled.</summary>
        public int EligibleCount => heapCount;

        /// <summary>The raw pending bitmap: bit i of word w is INTID 8192 + 64 w + i.</summary>
        public ulong[] PendingBits => pending;

        public bool Contains(int intid) => (uint)(intid - FirstLpi) < (uint)Count;

        public bool IsPending(int intid) => (pending[(intid - FirstLpi) >> 6] & (1UL << (intid - FirstLpi))) != 0;

        public byte ConfigurationOf(int intid) => configuration[intid - FirstLpi];

        /// <summary>Makes an LPI pending; false when it already was. The caller checks <see cref="Contains"/>.</summary>
        public bool SetPending(int intid)
        {
            var index = intid - FirstLpi;
            ref var word = ref pending[index >> 6];
            var bit = 1UL << index;
            if((word & bit) != 0)
            {
                return false;
            }
            word |= bit;
            if((configuration[index] & EnableBit) != 0)
            {
                Insert(index);
            }
            return true;
        }

        /// <summary>Clears the pending state of an LPI; returns whether it was pending.</summary>
        public bool ClearPending(int intid)
        {
            var index = intid - FirstLpi;
            ref var word = ref pending[index >> 6];
            var bit = 1UL << index;
            if((word & bit) == 0)
            {
                return false;
            }
            word &= ~bit;
            if(position[index] >= 0)
            {
                RemoveAt(position[index]);
            }
            return true;
        }

        /// <summary>Changes the cached configuration byte of an LPI and re-files it; true when its eligibility or priority changed.</summary>
        public bool SetConfiguration(int intid, byte value)
        {
            var index = intid - FirstLpi;
            var old = configuration[index];
            if(old == value)
            {
                return false;
            }
            configuration[index] = value;
            if(((old ^ value) & (EnableBit | PriorityMask)) == 0)
            {
                return false;
            }
            if(position[index] >= 0)
            {
                RemoveAt(position[index]);
            }
            if((value & EnableBit) != 0 && (pending[index >> 6] & (1UL << index)) != 0)
            {
                Insert(index);
            }
            return true;
        }

        /// <summary>The highest-priority pending and enabled LPI (lowest INTID among equals).</summary>
        public bool TryGetHighest(out int intid, out int priority)
        {
            if(heapCount == 0)
            {
                intid = 0;
                priority = 0xFF;
                return false;
            }
            var key = heap[0];
            intid = (int)(key & IntidMask);
            priority = (int)(key >> PriorityShift);
            return true;
        }

        /// <summary>Sets every LPI's configuration at once (from a freshly read LPI Configuration table) and rebuilds the heap.</summary>
        public void LoadConfiguration(ReadOnlySpan<byte> table)
        {
            table.Slice(0, Math.Min(table.Length, Count)).CopyTo(configuration);
            if(table.Length < Count)
            {
                Array.Clear(configuration, table.Length, Count - table.Length);
            }
            Rebuild();
        }

        /// <summary>Sets the pending state of every LPI from a pending table image (bit n = INTID n; the first 8192 bits are ignored).</summary>
        public void LoadPending(ReadOnlySpan<byte> table)
        {
            Array.Clear(pending);
            for(var index = 0; index < Count; index++)
            {
                var byteIndex = (FirstLpi + index) >> 3;
                if(byteIndex < table.Length && (table[byteIndex] & (1 << ((FirstLpi + index) & 7))) != 0)
                {
                    pending[index >> 6] |= 1UL << index;
                }
            }
            Rebuild();
        }

        /// <summary>Writes the pending state into a pending table image (bit n = INTID n), leaving the first 8192 bits alone.</summary>
        public void StorePending(Span<byte> table)
        {
            for(var index = 0; index < Count; index += 8)
            {
                var byteIndex = (FirstLpi + index) >> 3;
                if(byteIndex >= table.Length)
                {
                    break;
                }
                table[byteIndex] = (byte)(pending[index >> 6] >> (index & 63));
            }
        }

        /// <summary>Calls <paramref name="visit"/> for every pending LPI (MOVALL); bounded by the LPI count.</summary>
        public void ForEachPending(Action<int> visit)
        {
            for(var w = 0; w < pending.Length; w++)
            {
                var word = pending[w];
                while(word != 0)
                {
                    var bit = System.Numerics.BitOperations.TrailingZeroCount(word);
                    word &= word - 1;
                    visit(FirstLpi + (w << 6) + bit);
                }
            }
        }

        /// <summary>Clears every pending bit.</summary>
        public void ClearAllPending()
        {
            Array.Clear(pending);
            Rebuild();
        }

        private void Rebuild()
        {
            for(var i = 0; i < heapCount; i++)
            {
                position[(int)(heap[i] & IntidMask) - FirstLpi] = -1;
            }
            heapCount = 0;
            for(var w = 0; w < pending.Length; w++)
            {
                var word = pending[w];
                while(word != 0)
                {
                    var bit = System.Numerics.BitOperations.TrailingZeroCount(word);
                    word &= word - 1;
                    var index = (w << 6) + bit;
                    if((configuration[index] & EnableBit) != 0)
                    {
                        Insert(index);
                    }
                }
            }
        }

        private uint KeyOf(int index) => ((uint)(configuration[index] & PriorityMask) << PriorityShift) | (uint)(FirstLpi + index);

        private void Insert(int index)
        {
            if(heapCount == heap.Length)
            {
                Array.Resize(ref heap, heap.Length * 2);
            }
            var slot = heapCount++;
            heap[slot] = KeyOf(index);
            position[index] = slot;
            SiftUp(slot);
        }

        private void RemoveAt(int slot)
        {
            var removed = heap[slot];
            position[(int)(removed & IntidMask) - FirstLpi] = -1;
            heapCount--;
            if(slot == heapCount)
            {
                return;
            }
            var last = heap[heapCount];
            heap[slot] = last;
            position[(int)(last & IntidMask) - FirstLpi] = slot;
            if(last < removed)
            {
                SiftUp(slot);
            }
            else
            {
                SiftDown(slot);
            }
        }

        private void SiftUp(int slot)
        {
            var key = heap[slot];
            while(slot > 0)
            {
                var parent = (slot - 1) >> 1;
                var parentKey = heap[parent];
                if(parentKey <= key)
                {
                    break;
                }
                heap[slot] = parentKey;
                position[(int)(parentKey & IntidMask) - FirstLpi] = slot;
                slot = parent;
            }
            heap[slot] = key;
            position[(int)(key & IntidMask) - FirstLpi] = slot;
        }

        private void SiftDown(int slot)
        {
            var key = heap[slot];
            while(true)
            {
                var child = 2 * slot + 1;
                if(child >= heapCount)
                {
                    break;
                }
                if(child + 1 < heapCount && heap[child + 1] < heap[child])
                {
                    child++;
                }
                var childKey = heap[child];
                if(key <= childKey)
                {
                    break;
                }
                heap[slot] = childKey;
                position[(int)(childKey & IntidMask) - FirstLpi] = slot;
                slot = child;
            }
            heap[slot] = key;
            position[(int)(key & IntidMask) - FirstLpi] = slot;
        }

        private const int PriorityShift = 24;
        private const uint IntidMask = 0xFF_FFFF;

        private readonly byte[] configuration;
        private readonly ulong[] pending;
        private readonly int[] position;
        private uint[] heap;
        private int heapCount;
    }
}
