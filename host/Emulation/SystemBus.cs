// The machine's system bus: RAM regions (native memory the CPU maps directly) and MMIO regions (peripherals,
// whole or one [ConnectionRegion] of a multi-region peripheral), with one lookup for every access.
//
// Hot path: Read/Write find the slot holding the address (last hit cached, then binary search over a sorted
// array), then call a per-width delegate built once at registration. Widths a peripheral lacks are adapted
// when the region is registered, not per access:
//   wider than anything it has  -> split into the widest narrower accesses, low address first;
//   narrower than anything it has -> the next wider aligned access, bits extracted (reads) or merged in a
//                                    read-modify-write (writes, logged at Noisy).
// Unmapped addresses, unsupported widths and accesses that straddle a region end are guest errors: one log
// line naming the address, width and value; reads return 0. They never throw.
using System;
using System.Collections.Generic;
using System.Numerics;
using System.Reflection;
using Antmicro.Renode.Core;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.Memory;

namespace RenodeGic.Host.Emulation
{
    /// <summary>A registration the bus refused (overlap, no size, no access methods).</summary>
    public sealed class BusRegistrationException : Exception
    {
        public BusRegistrationException(string message)
            : base(message)
        {
        }
    }

    /// <summary>One MMIO window: a whole peripheral or one named region of it.</summary>
    public sealed class MmioRegion
    {
        internal MmioRegion(ulong address, ulong size, string name, IPeripheral peripheral, string? regionName,
            Func<long, ulong>?[] readers, Action<long, ulong>?[] writers)
        {
            Address = address;
            Size = size;
            Name = name;
            Peripheral = peripheral;
            RegionName = regionName;
            this.readers = readers;
            this.writers = writers;
        }

        public ulong Address { get; }

        public ulong Size { get; }

        /// <summary>The peripheral's machine name, with ".region" for a multi-registration region (e.g. "gic.distributor").</summary>
        public string Name { get; }

        public IPeripheral Peripheral { get; }

        /// <summary>The [ConnectionRegion] name, or null for a whole-peripheral registration.</summary>
        public string? RegionName { get; }

        /// <summary>Reads at an offset inside this region (width 1, 2, 4 or 8); for CPU MMIO callbacks that know the region.</summary>
        public ulong Read(ulong offset, int width)
        {
            var reader = WidthIndex(width) is var i && i >= 0 ? readers[i] : null;
            if(reader == null || (ulong)width > Size || offset > Size - (ulong)width)
            {
                bus?.ReportBadAccess(Address + offset, width, null, this);
                return 0;
            }
            return reader((long)offset);
        }

        /// <summary>Writes at an offset inside this region (width 1, 2, 4 or 8).</summary>
        public void Write(ulong offset, int width, ulong value)
        {
            var writer = WidthIndex(width) is var i && i >= 0 ? writers[i] : null;
            if(writer == null || (ulong)width > Size || offset > Size - (ulong)width)
            {
                bus?.ReportBadAccess(Address + offset, width, value, this);
                return;
            }
            writer((long)offset, value);
        }

        public override string ToString() => $"{Name} @ 0x{Address:X}-0x{Address + Size - 1:X}";

        internal static int WidthIndex(int width) => width switch
        {
            1 => 0,
            2 => 1,
            4 => 2,
            8 => 3,
            _ => -1,
        };

        internal SystemBus? bus;
        internal readonly Func<long, ulong>?[] readers;
        internal readonly Action<long, ulong>?[] writers;
    }

    /// <summary>The system bus (Renode: sysbus). Also the IBusController peripherals use for table walks.</summary>
    public sealed class SystemBus : IBusController, IPeripheral
    {
        public SystemBus()
        {
            slots = Array.Empty<Slot>();
        }

        /// <summary>RAM regions in address order; the CPU maps each with uc_mem_map_ptr.</summary>
        public IReadOnlyList<(ulong Address, MappedMemory Memory)> RamRegions => ramRegions;

        /// <summary>MMIO regions in address order; the CPU maps each as an MMIO window.</summary>
        public IReadOnlyList<MmioRegion> MmioRegions => mmioRegions;

        /// <summary>Number of guest-error accesses (unmapped, bad width, straddling) seen so far.</summary>
        public long GuestErrorCount { get; private set; }

        /// <summary>Maps RAM at an address.</summary>
        public void RegisterMemory(MappedMemory memory, ulong address)
        {
            var size = (ulong)memory.Size;
            CheckFree(address, size, "memory");
            ramRegions.Add((address, memory));
            ramRegions.Sort((a, b) => a.Address.CompareTo(b.Address));
            AddSlot(new Slot(address, address + size - 1, memory, null));
        }

        /// <summary>
        /// Registers a whole peripheral at an address (<c>@ sysbus 0x09000000</c>). The size comes from IKnownSize
        /// unless given; access widths come from IBytePeripheral/IWordPeripheral/IDoubleWordPeripheral/IQuadWordPeripheral.
        /// A MappedMemory becomes a RAM region.
        /// </summary>
        public MmioRegion? Register(IPeripheral peripheral, ulong address, string name, ulong? size = null)
        {
            if(peripheral is MappedMemory memory)
            {
                if(size is ulong s && s != (ulong)memory.Size)
                {
                    throw new BusRegistrationException($"'{name}' is memory of size 0x{memory.Size:X}; it cannot be registered with size 0x{s:X}");
                }
                RegisterMemory(memory, address);
                return null;
            }
            var regionSize = SizeOf(peripheral, name, size);
            var (readers, writers) = BindWidths(peripheral, name);
            return AddMmio(address, regionSize, name, peripheral, null, readers, writers);
        }

        /// <summary>
        /// Registers peripherals of the same size at one address, of which <paramref name="select"/> picks the one each
        /// access reaches: a hypervisor's per-guest devices at the same guest-physical address (each domain's virtual GIC
        /// and UART), since the host has no stage-2 translation. The first names the region.
        /// </summary>
        public MmioRegion RegisterSelected(IReadOnlyList<IPeripheral> peripherals, Func<int> select, ulong address, string name, ulong? size = null)
        {
            if(peripherals.Count == 0)
            {
                throw new BusRegistrationException($"'{name}': no peripherals to select from");
            }
            var regionSize = SizeOf(peripherals[0], name, size);
            var alternatives = new List<(Func<long, ulong>?[] Readers, Action<long, ulong>?[] Writers)>();
            foreach(var peripheral in peripherals)
            {
                var (r, w) = BindWidths(peripheral, name);
                Adapt(name, r, w);
                alternatives.Add((r, w));
            }
            var readers = new Func<long, ulong>?[4];
            var writers = new Action<long, ulong>?[4];
            for(var i = 0; i < 4; i++)
            {
                var width = i;
                if(alternatives.TrueForAll(a => a.Readers[width] != null))
                {
                    readers[i] = o => alternatives[select()].Readers[width]!(o);
                }
                if(alternatives.TrueForAll(a => a.Writers[width] != null))
                {
                    writers[i] = (o, v) => alternatives[select()].Writers[width]!(o, v);
                }
            }
            return AddMmio(address, regionSize, name, peripherals[0], null, readers, writers)!;
        }

        private static ulong SizeOf(IPeripheral peripheral, string name, ulong? size)
        {
            return size ?? (peripheral is IKnownSize known ? (ulong)known.Size
                : throw new BusRegistrationException($"'{name}' ({peripheral.GetType().Name}) does not implement IKnownSize; give the registration a size"));
        }

        /// <summary>The access methods of a peripheral by width (byte, word, double word, quad word), from the interfaces it implements.</summary>
        private static (Func<long, ulong>?[] Readers, Action<long, ulong>?[] Writers) BindWidths(IPeripheral peripheral, string name)
        {
            var readers = new Func<long, ulong>?[4];
            var writers = new Action<long, ulong>?[4];
            if(peripheral is IBytePeripheral p8)
            {
                readers[0] = o => p8.ReadByte(o);
                writers[0] = (o, v) => p8.WriteByte(o, (byte)v);
            }
            if(peripheral is IWordPeripheral p16)
            {
                readers[1] = o => p16.ReadWord(o);
                writers[1] = (o, v) => p16.WriteWord(o, (ushort)v);
            }
            if(peripheral is IDoubleWordPeripheral p32)
            {
                readers[2] = o => p32.ReadDoubleWord(o);
                writers[2] = (o, v) => p32.WriteDoubleWord(o, (uint)v);
            }
            if(peripheral is IQuadWordPeripheral p64)
            {
                readers[3] = o => p64.ReadQuadWord(o);
                writers[3] = (o, v) => p64.WriteQuadWord(o, v);
            }
            if(Array.TrueForAll(readers, r => r == null))
            {
                throw new BusRegistrationException($"'{name}' ({peripheral.GetType().Name}) implements none of IBytePeripheral, IWordPeripheral, IDoubleWordPeripheral, IQuadWordPeripheral");
            }
            return (readers, writers);
        }

        /// <summary>
        /// Registers one named region of a peripheral (<c>sysbus new Bus.BusMultiRegistration { address: ..; size: ..; region: "distributor" }</c>),
        /// served by the peripheral's methods carrying <c>[ConnectionRegion("distributor")]</c>.
        /// </summary>
        public MmioRegion RegisterRegion(IPeripheral peripheral, string region, ulong address, ulong size, string name)
        {
            var readers = new Func<long, ulong>?[4];
            var writers = new Action<long, ulong>?[4];
            var found = false;
            foreach(var method in peripheral.GetType().GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                var attribute = method.GetCustomAttribute<ConnectionRegionAttribute>();
                if(attribute == null || attribute.Name != region)
                {
                    continue;
                }
                if(!BindRegionMethod(peripheral, method, readers, writers))
                {
                    throw new BusRegistrationException($"{peripheral.GetType().Name}.{method.Name} has [ConnectionRegion(\"{region}\")] but its signature is not "
                        + "'T M(long offset)' or 'void M(long offset, T value)' with T one of byte, ushort, uint, ulong");
                }
                found = true;
            }
            if(!found)
            {
                throw new BusRegistrationException($"{peripheral.GetType().Name} has no methods with [ConnectionRegion(\"{region}\")]");
            }
            return AddMmio(address, size, name + "." + region, peripheral, region, readers, writers)!;
        }

        /// <summary>The RAM or MMIO region holding an address, or null. For diagnostics and the monitor.</summary>
        public object? WhatIsAt(ulong address)
        {
            var slot = Find(address);
            return slot == null ? null : (object?)slot.Memory ?? slot.Mmio;
        }

        public bool IsMapped(ulong address) => Find(address) != null;

        public bool IsMemory(ulong address, Antmicro.Renode.Peripherals.CPU.ICPU? context = null)
        {
            // An indexed loop, not foreach: the GIC's table walks call this several times per LPI (GuestMemory).
            for(var i = 0; i < ramRegions.Count; i++)
            {
                var (start, memory) = ramRegions[i];
                if(address >= start && address - start < (ulong)memory.Size)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>Reads 1, 2, 4 or 8 bytes, little-endian. Unmapped or unsupported: guest error, returns 0.</summary>
        public ulong Read(ulong address, int width)
        {
            var slot = Find(address);
            if(slot != null && (ulong)(width - 1) <= slot.Last - address)
            {
                var offset = address - slot.Start;
                if(slot.Memory != null)
                {
                    if(MmioRegion.WidthIndex(width) >= 0)
                    {
                        return slot.Memory.Read((long)offset, width);
                    }
                }
                else
                {
                    var i = MmioRegion.WidthIndex(width);
                    var reader = i >= 0 ? slot.Mmio!.readers[i] : null;
                    if(reader != null)
                    {
                        return reader((long)offset);
                    }
                }
            }
            ReportBadAccess(address, width, null, slot?.Mmio);
            return 0;
        }

        /// <summary>Writes 1, 2, 4 or 8 bytes, little-endian. Unmapped or unsupported: guest error, ignored.</summary>
        public void Write(ulong address, int width, ulong value)
        {
            var slot = Find(address);
            if(slot != null && (ulong)(width - 1) <= slot.Last - address)
            {
                var offset = address - slot.Start;
                if(slot.Memory != null)
                {
                    if(MmioRegion.WidthIndex(width) >= 0)
                    {
                        slot.Memory.Write((long)offset, width, value);
                        return;
                    }
                }
                else
                {
                    var i = MmioRegion.WidthIndex(width);
                    var writer = i >= 0 ? slot.Mmio!.writers[i] : null;
                    if(writer != null)
                    {
                        writer((long)offset, value);
                        return;
                    }
                }
            }
            ReportBadAccess(address, width, value, slot?.Mmio);
        }

        public byte ReadByte(ulong address, IPeripheral? context = null, ulong? cpuState = null) => (byte)Read(address, 1);

        public void WriteByte(ulong address, byte value, IPeripheral? context = null, ulong? cpuState = null) => Write(address, 1, value);

        public ushort ReadWord(ulong address, IPeripheral? context = null, ulong? cpuState = null) => (ushort)Read(address, 2);

        public void WriteWord(ulong address, ushort value, IPeripheral? context = null, ulong? cpuState = null) => Write(address, 2, value);

        public uint ReadDoubleWord(ulong address, IPeripheral? context = null, ulong? cpuState = null) => (uint)Read(address, 4);

        public void WriteDoubleWord(ulong address, uint value, IPeripheral? context = null, ulong? cpuState = null) => Write(address, 4, value);

        public ulong ReadQuadWord(ulong address, IPeripheral? context = null, ulong? cpuState = null) => Read(address, 8);

        public void WriteQuadWord(ulong address, ulong value, IPeripheral? context = null, ulong? cpuState = null) => Write(address, 8, value);

        public byte[] ReadBytes(ulong address, int count, IPeripheral? context = null)
        {
            var result = new byte[count];
            ReadBytes(address, result);
            return result;
        }

        /// <summary>Fills a span from the bus; a single RAM region is copied at once, anything else byte by byte.</summary>
        public void ReadBytes(ulong address, Span<byte> destination)
        {
            var slot = Find(address);
            if(slot?.Memory != null && destination.Length > 0 && (ulong)(destination.Length - 1) <= slot.Last - address)
            {
                slot.Memory.ReadBytes((long)(address - slot.Start), destination);
                return;
            }
            for(var i = 0; i < destination.Length; i++)
            {
                destination[i] = (byte)Read(address + (ulong)i, 1);
            }
        }

        public void WriteBytes(byte[] bytes, ulong address, IPeripheral? context = null)
        {
            WriteBytes((ReadOnlySpan<byte>)bytes, address);
        }

        /// <summary>Stores a span on the bus (loaders use this); a single RAM region is copied at once.</summary>
        public void WriteBytes(ReadOnlySpan<byte> bytes, ulong address)
        {
            var slot = Find(address);
            if(slot?.Memory != null && bytes.Length > 0 && (ulong)(bytes.Length - 1) <= slot.Last - address)
            {
                slot.Memory.WriteBytes((long)(address - slot.Start), bytes);
                return;
            }
            for(var i = 0; i < bytes.Length; i++)
            {
                Write(address + (ulong)i, 1, bytes[i]);
            }
        }

        /// <summary>The bus itself has no state to reset.</summary>
        public void Reset()
        {
        }

        internal void ReportBadAccess(ulong address, int width, ulong? value, MmioRegion? region)
        {
            GuestErrorCount++;
            var what = value is ulong v ? $"Write of 0x{v:X} to" : "Read from";
            string why;
            if(region != null && MmioRegion.WidthIndex(width) >= 0 && address + (ulong)width - 1 <= region.Address + region.Size - 1)
            {
                why = $"{region.Name} does not serve {width}-byte accesses";
            }
            else if(region != null || WhatIsAt(address) != null)
            {
                why = MmioRegion.WidthIndex(width) < 0 ? $"unsupported access width {width}" : "access straddles the end of a region";
            }
            else
            {
                why = "unmapped address";
            }
            this.GuestError("{0} 0x{1:X} (width {2}): {3}{4}", what, address, width, why,
                value == null ? "; returning 0" : "; ignored");
        }

        private MmioRegion? AddMmio(ulong address, ulong size, string name, IPeripheral peripheral, string? regionName,
            Func<long, ulong>?[] readers, Action<long, ulong>?[] writers)
        {
            if(size == 0)
            {
                throw new BusRegistrationException($"'{name}' has size 0");
            }
            CheckFree(address, size, name);
            Adapt(name, readers, writers);
            var region = new MmioRegion(address, size, name, peripheral, regionName, readers, writers) { bus = this };
            mmioRegions.Add(region);
            mmioRegions.Sort((a, b) => a.Address.CompareTo(b.Address));
            AddSlot(new Slot(address, address + size - 1, null, region));
            return region;
        }

        private void CheckFree(ulong address, ulong size, string name)
        {
            if(size == 0 || address + (size - 1) < address)
            {
                throw new BusRegistrationException($"'{name}' at 0x{address:X} with size 0x{size:X} does not fit the address space");
            }
            var last = address + size - 1;
            foreach(var slot in slots)
            {
                if(address <= slot.Last && slot.Start <= last)
                {
                    var other = slot.Memory != null ? Logger.NameResolver?.Invoke(slot.Memory) ?? "memory" : slot.Mmio!.Name;
                    throw new BusRegistrationException($"'{name}' at 0x{address:X}-0x{last:X} overlaps '{other}' at 0x{slot.Start:X}-0x{slot.Last:X}");
                }
            }
        }

        private void AddSlot(Slot slot)
        {
            var list = new List<Slot>(slots) { slot };
            list.Sort((a, b) => a.Start.CompareTo(b.Start));
            slots = list.ToArray();
            lastHit = null;
        }

        private Slot? Find(ulong address)
        {
            var hit = lastHit;
            if(hit != null && address - hit.Start <= hit.Last - hit.Start)
            {
                return hit;
            }
            var items = slots;
            int lo = 0, hi = items.Length - 1;
            while(lo <= hi)
            {
                var mid = (lo + hi) >> 1;
                var s = items[mid];
                if(address < s.Start)
                {
                    hi = mid - 1;
                }
                else if(address > s.Last)
                {
                    lo = mid + 1;
                }
                else
                {
                    lastHit = s;
                    return s;
                }
            }
            return null;
        }

        /// <summary>Fills the widths a peripheral lacks from the ones it has.</summary>
        private void Adapt(string name, Func<long, ulong>?[] readers, Action<long, ulong>?[] writers)
        {
            var nativeReaders = (Func<long, ulong>?[])readers.Clone();
            var nativeWriters = (Action<long, ulong>?[])writers.Clone();
            for(var i = 0; i < 4; i++)
            {
                var width = 1 << i;
                if(readers[i] == null)
                {
                    readers[i] = AdaptRead(width, nativeReaders);
                }
                if(writers[i] == null)
                {
                    writers[i] = AdaptWrite(name, width, nativeReaders, nativeWriters);
                }
            }
        }

        private static Func<long, ulong>? AdaptRead(int width, Func<long, ulong>?[] native)
        {
            var i = BitOperations.Log2((uint)width);
            for(var n = i - 1; n >= 0; n--)
            {
                if(native[n] is { } narrow)
                {
                    var step = 1 << n;
                    var count = width / step;
                    var bits = step * 8;
                    return offset =>
                    {
                        ulong value = 0;
                        for(var k = 0; k < count; k++)
                        {
                            value |= narrow(offset + (k * step)) << (k * bits);
                        }
                        return value;
                    };
                }
            }
            for(var w = i + 1; w < 4; w++)
            {
                if(native[w] is { } wide)
                {
                    var wideWidth = 1L << w;
                    var mask = width == 8 ? ulong.MaxValue : (1UL << (width * 8)) - 1;
                    return offset =>
                    {
                        var aligned = offset & ~(wideWidth - 1);
                        return (wide(aligned) >> (int)((offset - aligned) * 8)) & mask;
                    };
                }
            }
            return null;
        }

        private Action<long, ulong>? AdaptWrite(string name, int width, Func<long, ulong>?[] nativeReaders, Action<long, ulong>?[] nativeWriters)
        {
            var i = BitOperations.Log2((uint)width);
            for(var n = i - 1; n >= 0; n--)
            {
                if(nativeWriters[n] is { } narrow)
                {
                    var step = 1 << n;
                    var count = width / step;
                    var bits = step * 8;
                    return (offset, value) =>
                    {
                        for(var k = 0; k < count; k++)
                        {
                            narrow(offset + (k * step), value >> (k * bits));
                        }
                    };
                }
            }
            for(var w = i + 1; w < 4; w++)
            {
                if(nativeWriters[w] is { } wide)
                {
                    var read = nativeReaders[w];
                    var wideWidth = 1L << w;
                    var mask = (1UL << (width * 8)) - 1;
                    return (offset, value) =>
                    {
                        var aligned = offset & ~(wideWidth - 1);
                        var shift = (int)((offset - aligned) * 8);
                        var old = read?.Invoke(aligned) ?? 0;
                        var merged = (old & ~(mask << shift)) | ((value & mask) << shift);
                        this.NoisyLog("{0}: {1}-byte write at offset 0x{2:X} done as a {3}-byte read-modify-write at 0x{4:X}",
                            name, width, offset, wideWidth, aligned);
                        wide(aligned, merged);
                    };
                }
            }
            return null;
        }

        private sealed class Slot
        {
            public Slot(ulong start, ulong last, MappedMemory? memory, MmioRegion? mmio)
            {
                Start = start;
                Last = last;
                Memory = memory;
                Mmio = mmio;
            }

            public readonly ulong Start;
            public readonly ulong Last;
            public readonly MappedMemory? Memory;
            public readonly MmioRegion? Mmio;
        }

        private static bool BindRegionMethod(IPeripheral target, MethodInfo method, Func<long, ulong>?[] readers, Action<long, ulong>?[] writers)
        {
            var parameters = method.GetParameters();
            if(parameters.Length == 1 && parameters[0].ParameterType == typeof(long))
            {
                switch(Type.GetTypeCode(method.ReturnType))
                {
                case TypeCode.Byte:
                    var r8 = method.CreateDelegate<Func<long, byte>>(target);
                    readers[0] = o => r8(o);
                    return true;
                case TypeCode.UInt16:
                    var r16 = method.CreateDelegate<Func<long, ushort>>(target);
                    readers[1] = o => r16(o);
                    return true;
                case TypeCode.UInt32:
                    var r32 = method.CreateDelegate<Func<long, uint>>(target);
                    readers[2] = o => r32(o);
                    return true;
                case TypeCode.UInt64:
                    readers[3] = method.CreateDelegate<Func<long, ulong>>(target);
                    return true;
                }
                return false;
            }
            if(parameters.Length == 2 && parameters[0].ParameterType == typeof(long) && method.ReturnType == typeof(void))
            {
                switch(Type.GetTypeCode(parameters[1].ParameterType))
                {
                case TypeCode.Byte:
                    var w8 = method.CreateDelegate<Action<long, byte>>(target);
                    writers[0] = (o, v) => w8(o, (byte)v);
                    return true;
                case TypeCode.UInt16:
                    var w16 = method.CreateDelegate<Action<long, ushort>>(target);
                    writers[1] = (o, v) => w16(o, (ushort)v);
                    return true;
                case TypeCode.UInt32:
                    var w32 = method.CreateDelegate<Action<long, uint>>(target);
                    writers[2] = (o, v) => w32(o, (uint)v);
                    return true;
                case TypeCode.UInt64:
                    writers[3] = method.CreateDelegate<Action<long, ulong>>(target);
                    return true;
                }
            }
            return false;
        }

        private readonly List<(ulong Address, MappedMemory Memory)> ramRegions = new List<(ulong Address, MappedMemory Memory)>();
        private readonly List<MmioRegion> mmioRegions = new List<MmioRegion>();
        private Slot[] slots;
        private Slot? lastHit;
    }
}
