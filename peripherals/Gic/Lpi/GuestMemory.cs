// Guest-memory accesses of the GIC's own table walks (LPI Configuration and Pending tables, ITS command queue,
// Device/Collection/Interrupt Translation tables), with the one error rule every caller relies on: an access
// that touches an address the bus does not map fails (returns false) instead of reading zeros. The ITS turns a
// failed access into a stalled command queue (IHI 0069 6.2.x: CONSTRAINED UNPREDICTABLE, QEMU stalls); the
// Redistributor logs it as a guest error.
//
// Addresses are physical, at most 52 bits (IHI 0069: PA[51:x] fields); anything above faults. Bulk accesses are
// checked page by page (4 KiB), so a faulting page inside a table is found.
using System;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed class GuestMemory
    {
        public GuestMemory(Func<IBusController> busProvider)
        {
            this.busProvider = busProvider;
        }

        public const ulong AddressLimit = 1UL << 52;

        public bool IsAccessible(ulong address, ulong size)
        {
            if(size == 0)
            {
                return true;
            }
            var last = address + size - 1;
            if(last < address || last >= AddressLimit)
            {
                return false;
            }
            var bus = Bus;
            if(!bus.IsMemory(address) || !bus.IsMemory(last))
            {
                return false;
            }
            // Every 4 KiB page boundary in between (large tables only).
            for(var page = (address | PageMask) + 1; page <= last && page > address; page += PageSize)
            {
                if(!bus.IsMemory(page))
                {
                    return false;
                }
            }
            return true;
        }

        public bool TryReadQuadWord(ulong address, out ulong value)
        {
            if(!IsAccessible(address, 8))
            {
                value = 0;
                return false;
            }
            value = Bus.ReadQuadWord(address);
            return true;
        }

        public bool TryReadDoubleWord(ulong address, out uint value)
        {
            if(!IsAccessible(address, 4))
            {
                value = 0;
                return false;
            }
            value = Bus.ReadDoubleWord(address);
            return true;
        }

        public bool TryReadByte(ulong address, out byte value)
        {
            if(!IsAccessible(address, 1))
            {
                value = 0;
                return false;
            }
            value = Bus.ReadByte(address);
            return true;
        }

        public bool TryWriteQuadWord(ulong address, ulong value)
        {
            if(!IsAccessible(address, 8))
            {
                return false;
            }
            Bus.WriteQuadWord(address, value);
            return true;
        }

        public bool TryWriteDoubleWord(ulong address, uint value)
        {
            if(!IsAccessible(address, 4))
            {
                return false;
            }
            Bus.WriteDoubleWord(address, value);
            return true;
        }

        /// <summary>
        /// Fills <paramref name="destination"/> from guest memory. Pages that are not mapped read as zero; the
        /// result is false when any page was not mapped.
        /// </summary>
        public bool TryReadBytes(ulong address, Span<byte> destination)
        {
            var ok = true;
            var done = 0;
            while(done < destination.Length)
            {
                var at = address + (ulong)done;
                var chunk = (int)Math.Min((ulong)(destination.Length - done), PageSize - (at & PageMask));
                var target = destination.Slice(done, chunk);
                if(IsAccessible(at, (ulong)chunk))
                {
                    Bus.ReadBytes(at, chunk).CopyTo(target);
                }
                else
                {
                    target.Clear();
                    ok = false;
                }
                done += chunk;
            }
            return ok;
        }

        /// <summary>Stores <paramref name="source"/> in guest memory, skipping pages that are not mapped (then false).</summary>
        public bool TryWriteBytes(ulong address, ReadOnlySpan<byte> source)
        {
            var ok = true;
            var done = 0;
            while(done < source.Length)
            {
                var at = address + (ulong)done;
                var chunk = (int)Math.Min((ulong)(source.Length - done), PageSize - (at & PageMask));
                if(IsAccessible(at, (ulong)chunk))
                {
                    Bus.WriteBytes(source.Slice(done, chunk).ToArray(), at);
                }
                else
                {
                    ok = false;
                }
                done += chunk;
            }
            return ok;
        }

        private IBusController Bus => bus ??= busProvider();

        private const ulong PageSize = 0x1000;
        private const ulong PageMask = PageSize - 1;

        private readonly Func<IBusController> busProvider;
        private IBusController? bus;
    }
}
