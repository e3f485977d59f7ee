// Raw images: plain binaries (`sysbus LoadBinary @fw.bin 0x40080000`) and arm64 Linux `Image` files.
//
// The arm64 Image header (Linux Documentation/arch/arm64/booting.rst) is 64 bytes, little-endian:
//   0x00 code0, 0x04 code1, 0x08 text_offset (u64), 0x10 image_size (u64), 0x18 flags (u64),
//   0x20..0x37 reserved, 0x38 magic "ARM\x64", 0x3C reserved.
// The image goes text_offset bytes above a 2 MiB-aligned base. Kernels since 3.17 may report text_offset 0
// (relocatable) and older headerless binaries have none; this loader then uses 0x80000, the offset older
// kernels used and the one QEMU picks for raw images.
using System;
using Antmicro.Renode.Peripherals.Bus;

namespace RenodeGic.Host.Loaders
{
    /// <summary>The fields of an arm64 Linux Image header.</summary>
    public readonly record struct Arm64ImageHeader(ulong TextOffset, ulong ImageSize, ulong Flags)
    {
        /// <summary>flags bit 0: kernel is big-endian.</summary>
        public bool BigEndian => (Flags & 1) != 0;

        /// <summary>flags bits 2:1: 0 unspecified, 1 = 4K, 2 = 16K, 3 = 64K pages.</summary>
        public int PageSizeCode => (int)((Flags >> 1) & 3);
    }

    /// <summary>Loads raw binaries and arm64 Linux Image files.</summary>
    public static class ImageLoader
    {
        /// <summary>Offset of the "ARM\x64" magic in the Image header.</summary>
        public const int MagicOffset = 0x38;

        /// <summary>The header's magic number, "ARM\x64" read as a little-endian u32.</summary>
        public const uint Arm64Magic = 0x644D5241;

        /// <summary>The load offset used when the header gives none (text_offset 0 or no header).</summary>
        public const ulong DefaultTextOffset = 0x80000;

        /// <summary>Detects an arm64 Image header.</summary>
        public static bool TryParseArm64Header(ReadOnlySpan<byte> data, out Arm64ImageHeader header)
        {
            if(data.Length < 64 || System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(MagicOffset, 4)) != Arm64Magic)
            {
                header = default;
                return false;
            }
            header = new Arm64ImageHeader(
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(0x08, 8)),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(0x10, 8)),
                System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data.Slice(0x18, 8)));
            return true;
        }

        /// <summary>The offset from the RAM base at which an image should be placed.</summary>
        public static ulong LoadOffset(ReadOnlySpan<byte> data)
        {
            if(TryParseArm64Header(data, out var header) && header.TextOffset != 0)
            {
                return header.TextOffset;
            }
            return DefaultTextOffset;
        }

        /// <summary>
        /// Loads an arm64 Image (or a headerless raw binary) at <paramref name="ramBase"/> + text_offset;
        /// returns the load address, which is also the entry point.
        /// </summary>
        public static ulong LoadArm64Image(IBusController bus, string path, ulong ramBase)
        {
            var data = ElfLoader.ReadFile(path, (p, problem, e) => new ImageLoadException(p, problem, e));
            if(TryParseArm64Header(data, out var header) && header.BigEndian)
            {
                throw new ImageLoadException(path, "the arm64 Image header says the kernel is big-endian; only little-endian kernels run here");
            }
            var address = ramBase + LoadOffset(data);
            WriteChecked(bus, data, address, path);
            return address;
        }

        /// <summary>Loads a file's bytes unchanged at <paramref name="address"/>; returns the number of bytes.</summary>
        public static int LoadBinary(IBusController bus, string path, ulong address)
        {
            var data = ElfLoader.ReadFile(path, (p, problem, e) => new ImageLoadException(p, problem, e));
            WriteChecked(bus, data, address, path);
            return data.Length;
        }

        private static void WriteChecked(IBusController bus, byte[] data, ulong address, string path)
        {
            if(data.Length == 0)
            {
                return;
            }
            if(!bus.IsMapped(address) || !bus.IsMapped(address + (ulong)data.Length - 1))
            {
                throw new ImageLoadException(path, $"0x{data.Length:x} bytes at 0x{address:x} do not fit in mapped memory");
            }
            bus.WriteBytes(data, address);
        }
    }
}
