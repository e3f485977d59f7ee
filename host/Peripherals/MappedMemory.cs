// RAM for the embedded host: a block of native, zero-filled memory that the CPU maps directly
// (uc_mem_map_ptr) and that the system bus serves for peripherals' and the monitor's accesses.
// NativeMemory.AllocZeroed is calloc: the kernel hands out zero pages lazily, so a 1 GiB region
// costs nothing until the guest touches it.
using System;
using System.Runtime.InteropServices;
using Antmicro.Renode.Core;

namespace Antmicro.Renode.Peripherals.Memory
{
    /// <summary>RAM, as in Renode: <c>memory: Memory.MappedMemory @ sysbus 0x40000000 { size: 0x40000000 }</c>.</summary>
    public sealed unsafe class MappedMemory : IPeripheral, IKnownSize, IDisposable
    {
        public MappedMemory(IMachine machine, long size = 0x8000000)
        {
            _ = machine;
            if(size <= 0 || (size & 0xFFF) != 0)
            {
                throw new ArgumentException($"memory size 0x{size:X} must be a positive multiple of 4 KiB", nameof(size));
            }
            Size = size;
            pointer = (byte*)NativeMemory.AllocZeroed((nuint)size);
        }

        /// <summary>Start of the host memory that backs the region.</summary>
        public IntPtr Pointer
        {
            get
            {
                ObjectDisposedException.ThrowIf(pointer == null, this);
                return (IntPtr)pointer;
            }
        }

        /// <summary>Size in bytes (Renode's IKnownSize.Size).</summary>
        public long Size { get; }

        /// <summary>Reset leaves RAM contents alone, as Renode does (the loaders put firmware there before reset).</summary>
        public void Reset()
        {
        }

        public byte ReadByte(long offset) => *At(offset, 1);

        public ushort ReadWord(long offset) => *(ushort*)At(offset, 2);

        public uint ReadDoubleWord(long offset) => *(uint*)At(offset, 4);

        public ulong ReadQuadWord(long offset) => *(ulong*)At(offset, 8);

        public void WriteByte(long offset, byte value) => *At(offset, 1) = value;

        public void WriteWord(long offset, ushort value) => *(ushort*)At(offset, 2) = value;

        public void WriteDoubleWord(long offset, uint value) => *(uint*)At(offset, 4) = value;

        public void WriteQuadWord(long offset, ulong value) => *(ulong*)At(offset, 8) = value;

        /// <summary>Reads an arbitrary-width little-endian value (1, 2, 4 or 8 bytes; unaligned is fine).</summary>
        public ulong Read(long offset, int width)
        {
            var p = At(offset, width);
            return width switch
            {
                1 => *p,
                2 => *(ushort*)p,
                4 => *(uint*)p,
                _ => *(ulong*)p,
            };
        }

        /// <summary>Writes an arbitrary-width little-endian value (1, 2, 4 or 8 bytes).</summary>
        public void Write(long offset, int width, ulong value)
        {
            var p = At(offset, width);
            switch(width)
            {
            case 1:
                *p = (byte)value;
                break;
            case 2:
                *(ushort*)p = (ushort)value;
                break;
            case 4:
                *(uint*)p = (uint)value;
                break;
            default:
                *(ulong*)p = value;
                break;
            }
        }

        /// <summary>Copies bytes out of the region.</summary>
        public void ReadBytes(long offset, Span<byte> destination)
        {
            new ReadOnlySpan<byte>(At(offset, destination.Length), destination.Length).CopyTo(destination);
        }

        /// <summary>Copies bytes into the region.</summary>
        public void WriteBytes(long offset, ReadOnlySpan<byte> source)
        {
            source.CopyTo(new Span<byte>(At(offset, source.Length), source.Length));
        }

        public void Dispose()
        {
            if(pointer != null)
            {
                NativeMemory.Free(pointer);
                pointer = null;
            }
        }

        private byte* At(long offset, int count)
        {
            ObjectDisposedException.ThrowIf(pointer == null, this);
            if(offset < 0 || count < 0 || offset > Size - count)
            {
                throw new ArgumentOutOfRangeException(nameof(offset), $"0x{offset:X}+{count} is outside memory of size 0x{Size:X}");
            }
            return pointer + offset;
        }

        private byte* pointer;
    }
}
