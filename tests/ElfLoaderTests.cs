using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using NUnit.Framework;
using RenodeGic.Host.Loaders;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class ElfLoaderTests
    {
        [SetUp]
        public void SetUp()
        {
            directory = Path.Combine(Path.GetTempPath(), $"renodegic-elf-{Guid.NewGuid():N}");
            Directory.CreateDirectory(directory);
        }

        [TearDown]
        public void TearDown()
        {
            Directory.Delete(directory, recursive: true);
        }

        [Test]
        public void ShouldLoadAssembledFirmwareWithBssAndSymbols()
        {
            var elf = AssembleFirmware();
            var bus = new RamBus(0x4000_0000, 0x10_0000, fill: 0xAA);

            var entry = ElfLoader.Load(bus, elf);

            var image = ElfLoader.ParseFile(elf);
            Assert.That(entry, Is.EqualTo(0x4008_0000UL));
            Assert.That(image.Entry, Is.EqualTo(entry));
            Assert.That(image.TryGetSymbol("_start", out var start), Is.True);
            Assert.That(start, Is.EqualTo(0x4008_0000UL));
            Assert.That(image.TryGetSymbol("magic", out var magic), Is.True);
            Assert.That(image.TryGetSymbol("zeroed", out var zeroed), Is.True);
            Assert.That(image.TryGetSymbol("no_such_symbol", out _), Is.False);

            // "mov x0, #0x2a" then "b ." as encoded by the assembler.
            Assert.That(bus.ReadDoubleWord(0x4008_0000), Is.EqualTo(0xD2800540u));
            Assert.That(bus.ReadDoubleWord(0x4008_0004), Is.EqualTo(0x14000000u));
            Assert.That(bus.ReadQuadWord(magic), Is.EqualTo(0x1122334455667788UL));
            Assert.That(bus.ReadBytes(zeroed, 256), Is.All.EqualTo((byte)0), ".bss is zeroed past p_filesz");
            Assert.That(bus.ReadByte(zeroed + 256), Is.EqualTo((byte)0xAA), "nothing written past p_memsz");
            var bssSegment = image.Segments.Single(s => s.MemorySize > (ulong)s.Data.Length);
            Assert.That(bssSegment.Flags & ElfSegment.FlagWrite, Is.Not.Zero);
        }

        [Test]
        public void ShouldParseHandBuiltImage()
        {
            var bytes = new ElfBuilder().Build();
            var image = ElfLoader.Parse(bytes, "hand.elf");
            Assert.That(image.Entry, Is.EqualTo(0x4008_0000UL));
            Assert.That(image.Type, Is.EqualTo((ushort)2));
            Assert.That(image.Segments, Has.Count.EqualTo(1));
            Assert.That(image.Segments[0].PhysicalAddress, Is.EqualTo(0x4008_0000UL));
            Assert.That(image.Segments[0].Data, Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
            Assert.That(image.Segments[0].MemorySize, Is.EqualTo(16UL));
            Assert.That(image.Symbols, Is.Empty);
        }

        [Test]
        public void ShouldLoadAtPhysicalAddressUnlessAskedForVirtual()
        {
            var builder = new ElfBuilder { VirtualAddress = 0xFFFF_0000_0000_0000UL };
            var image = ElfLoader.Parse(builder.Build(), "split.elf");
            var bus = new RamBus(0x4000_0000, 0x10_0000, fill: 0xAA);
            ElfLoader.Load(bus, image, "split.elf");
            Assert.That(bus.ReadBytes(0x4008_0000, 16), Is.EqualTo(new byte[] { 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }));
            var ex = Assert.Throws<ElfLoadException>(() => ElfLoader.Load(bus, image, "split.elf", useVirtualAddress: true));
            Assert.That(ex!.Message, Does.Contain("split.elf").And.Contain("not inside mapped memory"));
        }

        [TestCase(nameof(ElfBuilder.Empty), "shorter than an ELF64 header")]
        [TestCase(nameof(ElfBuilder.NotElf), "no ELF magic")]
        [TestCase(nameof(ElfBuilder.Class32), "32-bit")]
        [TestCase(nameof(ElfBuilder.BigEndian), "big-endian")]
        [TestCase(nameof(ElfBuilder.X86), "not AArch64")]
        [TestCase(nameof(ElfBuilder.Relocatable), "e_type is 1")]
        [TestCase(nameof(ElfBuilder.NoProgramHeaders), "no program headers")]
        [TestCase(nameof(ElfBuilder.TruncatedProgramHeaders), "program header table")]
        [TestCase(nameof(ElfBuilder.FileSizeOverMemorySize), "larger than p_memsz")]
        [TestCase(nameof(ElfBuilder.DataPastEnd), "beyond the end of the file")]
        [TestCase(nameof(ElfBuilder.NoLoadSegments), "no PT_LOAD")]
        [TestCase(nameof(ElfBuilder.BadPhentsize), "e_phentsize")]
        public void ShouldRejectMalformedFiles(string variant, string problem)
        {
            var bytes = ElfBuilder.Variant(variant);
            var ex = Assert.Throws<ElfLoadException>(() => ElfLoader.Parse(bytes, "/images/broken.elf"));
            Assert.That(ex!.Message, Does.StartWith("Cannot load ELF file '/images/broken.elf': "));
            Assert.That(ex.Message, Does.Contain(problem));
            Assert.That(ex.Path, Is.EqualTo("/images/broken.elf"));
        }

        [Test]
        public void ShouldNameMissingFile()
        {
            var path = Path.Combine(directory, "missing.elf");
            var ex = Assert.Throws<ElfLoadException>(() => ElfLoader.Load(new RamBus(0, 0x1000), path));
            Assert.That(ex!.Message, Does.Contain(path).And.Contain("does not exist"));
        }

        [Test]
        public void ShouldDetectArm64ImageHeader()
        {
            var image = Arm64Image(textOffset: 0x20_0000, flags: 0b010);
            Assert.That(ImageLoader.TryParseArm64Header(image, out var header), Is.True);
            Assert.That(header.TextOffset, Is.EqualTo(0x20_0000UL));
            Assert.That(header.ImageSize, Is.EqualTo((ulong)image.Length));
            Assert.That(header.PageSizeCode, Is.EqualTo(1));
            Assert.That(header.BigEndian, Is.False);
            Assert.That(ImageLoader.LoadOffset(image), Is.EqualTo(0x20_0000UL));
            Assert.That(ImageLoader.LoadOffset(Arm64Image(textOffset: 0, flags: 0)), Is.EqualTo(0x80000UL));
            Assert.That(ImageLoader.TryParseArm64Header(new byte[64], out _), Is.False);
            Assert.That(ImageLoader.TryParseArm64Header(new byte[10], out _), Is.False);
        }

        [Test]
        public void ShouldLoadImageAtRamBasePlusTextOffset()
        {
            var bus = new RamBus(0x4000_0000, 0x40_0000);
            var withHeader = Path.Combine(directory, "Image");
            File.WriteAllBytes(withHeader, Arm64Image(textOffset: 0x20_0000, flags: 0));
            Assert.That(ImageLoader.LoadArm64Image(bus, withHeader, 0x4000_0000), Is.EqualTo(0x4020_0000UL));
            Assert.That(bus.ReadDoubleWord(0x4020_0000 + ImageLoader.MagicOffset), Is.EqualTo(ImageLoader.Arm64Magic));

            var raw = Path.Combine(directory, "raw.bin");
            File.WriteAllBytes(raw, new byte[] { 0x40, 0x05, 0x80, 0xD2 });
            Assert.That(ImageLoader.LoadArm64Image(bus, raw, 0x4000_0000), Is.EqualTo(0x4008_0000UL));
            Assert.That(bus.ReadDoubleWord(0x4008_0000), Is.EqualTo(0xD2800540u));

            Assert.That(ImageLoader.LoadBinary(bus, raw, 0x4010_0000), Is.EqualTo(4));
            Assert.That(bus.ReadDoubleWord(0x4010_0000), Is.EqualTo(0xD2800540u));
        }

        [Test]
        public void ShouldRejectImagesThatDoNotFitOrAreBigEndian()
        {
            var bus = new RamBus(0x4000_0000, 0x1000);
            var raw = Path.Combine(directory, "raw.bin");
            File.WriteAllBytes(raw, new byte[16]);
            var ex = Assert.Throws<ImageLoadException>(() => ImageLoader.LoadBinary(bus, raw, 0x4000_0FF8));
            Assert.That(ex!.Message, Does.Contain(raw).And.Contain("do not fit in mapped memory"));

            var bigEndian = Path.Combine(directory, "Image.be");
            File.WriteAllBytes(bigEndian, Arm64Image(textOffset: 0, flags: 1));
            ex = Assert.Throws<ImageLoadException>(() => ImageLoader.LoadArm64Image(bus, bigEndian, 0x4000_0000));
            Assert.That(ex!.Message, Does.Contain("big-endian"));

            ex = Assert.Throws<ImageLoadException>(() => ImageLoader.LoadBinary(bus, Path.Combine(directory, "nope.bin"), 0x4000_0000));
            Assert.That(ex!.Message, Does.Contain("does not exist"));
        }

        private static byte[] Arm64Image(ulong textOffset, ulong flags)
        {
            var image = new byte[128];
            BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(0x08), textOffset);
            BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(0x10), (ulong)image.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(0x18), flags);
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x38), 0x644D5241);
            return image;
        }

        /// <summary>Assembles and links a tiny firmware with the cross binutils.</summary>
        private string AssembleFirmware()
        {
            const string assembler = "/usr/bin/aarch64-linux-gnu-as";
            const string linker = "/usr/bin/aarch64-linux-gnu-ld";
            if(!File.Exists(assembler) || !File.Exists(linker))
            {
                Assert.Ignore("aarch64-linux-gnu binutils are not installed (apt-get install binutils-aarch64-linux-gnu).");
            }
            var source = Path.Combine(directory, "fw.S");
            var obj = Path.Combine(directory, "fw.o");
            var script = Path.Combine(directory, "fw.ld");
            var elf = Path.Combine(directory, "fw.elf");
            File.WriteAllText(source, string.Join("\n",
                "    .text",
                "    .global _start",
                "_start:",
                "    mov x0, #0x2a",
                "    b .",
                "    .data",
                "    .balign 8",
                "    .global magic",
                "magic:",
                "    .quad 0x1122334455667788",
                "    .bss",
                "    .balign 16",
                "    .global zeroed",
                "zeroed:",
                "    .skip 256",
                ""));
            File.WriteAllText(script, string.Join("\n",
                "ENTRY(_start)",
                "SECTIONS {",
                "  . = 0x40080000;",
                "  .text : { *(.text*) }",
                "  . = ALIGN(0x1000);",
                "  .data : { *(.data*) }",
                "  .bss : { *(.bss*) }",
                "}",
                ""));
            Run(assembler, "-o", obj, source);
            Run(linker, "-T", script, "-o", elf, obj);
            return elf;
        }

        private static void Run(string tool, params string[] arguments)
        {
            var info = new ProcessStartInfo(tool, arguments)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.That(process.ExitCode, Is.Zero, $"{Path.GetFileName(tool)} failed: {stderr}");
        }

        private string directory = "";

        /// <summary>Writes a minimal ELF64 AArch64 executable: one PT_LOAD of 4 bytes with p_memsz 16.</summary>
        private sealed class ElfBuilder
        {
            public ulong VirtualAddress { get; set; } = 0x4008_0000;

            public byte[] Build()
            {
                var data = new byte[64 + 56 + 4];
                data[0] = 0x7F;
                data[1] = (byte)'E';
                data[2] = (byte)'L';
                data[3] = (byte)'F';
                data[4] = 2;
                data[5] = 1;
                data[6] = 1;
                W16(data, 16, 2);
                W16(data, 18, 183);
                W32(data, 20, 1);
                W64(data, 24, 0x4008_0000);
                W64(data, 32, 64);
                W64(data, 40, 0);
                W16(data, 52, 64);
                W16(data, 54, 56);
                W16(data, 56, 1);
                W16(data, 58, 64);
                W16(data, 60, 0);
                var ph = 64;
                W32(data, ph, 1);
                W32(data, ph + 4, 5);
                W64(data, ph + 8, 120);
                W64(data, ph + 16, VirtualAddress);
                W64(data, ph + 24, 0x4008_0000);
                W64(data, ph + 32, 4);
                W64(data, ph + 40, 16);
                W64(data, ph + 48, 4);
                data[120] = 1;
                data[121] = 2;
                data[122] = 3;
                data[123] = 4;
                return data;
            }

            public static byte[] Variant(string name)
            {
                var d = new ElfBuilder().Build();
                switch(name)
                {
                case nameof(Empty):
                    return Array.Empty<byte>();
                case nameof(NotElf):
                    d[0] = 0;
                    return d;
                case nameof(Class32):
                    d[4] = 1;
                    return d;
                case nameof(BigEndian):
                    d[5] = 2;
                    return d;
                case nameof(X86):
                    W16(d, 18, 62);
                    return d;
                case nameof(Relocatable):
                    W16(d, 16, 1);
                    return d;
                case nameof(NoProgramHeaders):
                    W16(d, 56, 0);
                    return d;
                case nameof(TruncatedProgramHeaders):
                    return d.Take(100).ToArray();
                case nameof(FileSizeOverMemorySize):
                    W64(d, 64 + 32, 32);
                    return d;
                case nameof(DataPastEnd):
                    W64(d, 64 + 8, 122);
                    return d;
                case nameof(NoLoadSegments):
                    W32(d, 64, 4);
                    return d;
                case nameof(BadPhentsize):
                    W16(d, 54, 32);
                    return d;
                default:
                    throw new ArgumentException(name);
                }
            }

            public const string Empty = "Empty";
            public const string NotElf = "NotElf";
            public const string Class32 = "Class32";
            public const string BigEndian = "BigEndian";
            public const string X86 = "X86";
            public const string Relocatable = "Relocatable";
            public const string NoProgramHeaders = "NoProgramHeaders";
            public const string TruncatedProgramHeaders = "TruncatedProgramHeaders";
            public const string FileSizeOverMemorySize = "FileSizeOverMemorySize";
            public const string DataPastEnd = "DataPastEnd";
            public const string NoLoadSegments = "NoLoadSegments";
            public const string BadPhentsize = "BadPhentsize";

            private static void W16(byte[] d, int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(d.AsSpan(at), v);

            private static void W32(byte[] d, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(d.AsSpan(at), v);

            private static void W64(byte[] d, int at, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(d.AsSpan(at), v);
        }

        /// <summary>A bus with one RAM range, enough to test loaders.</summary>
        private sealed class RamBus : IBusController
        {
            public RamBus(ulong baseAddress, int size, byte fill = 0)
            {
                this.baseAddress = baseAddress;
                memory = Enumerable.Repeat(fill, size).ToArray();
            }

            public bool IsMapped(ulong address) => address >= baseAddress && address - baseAddress < (ulong)memory.Length;

            public byte[] ReadBytes(ulong address, int count, IPeripheral? context = null) => memory.AsSpan(Index(address, count), count).ToArray();

            public void WriteBytes(byte[] bytes, ulong address, IPeripheral? context = null) => bytes.CopyTo(memory, Index(address, bytes.Length));

            public byte ReadByte(ulong address, IPeripheral? context = null, ulong? cpuState = null) => memory[Index(address, 1)];

            public void WriteByte(ulong address, byte value, IPeripheral? context = null, ulong? cpuState = null) => memory[Index(address, 1)] = value;

            public ushort ReadWord(ulong address, IPeripheral? context = null, ulong? cpuState = null) => BinaryPrimitives.ReadUInt16LittleEndian(memory.AsSpan(Index(address, 2)));

            public void WriteWord(ulong address, ushort value, IPeripheral? context = null, ulong? cpuState = null) => BinaryPrimitives.WriteUInt16LittleEndian(memory.AsSpan(Index(address, 2)), value);

            public uint ReadDoubleWord(ulong address, IPeripheral? context = null, ulong? cpuState = null) => BinaryPrimitives.ReadUInt32LittleEndian(memory.AsSpan(Index(address, 4)));

            public void WriteDoubleWord(ulong address, uint value, IPeripheral? context = null, ulong? cpuState = null) => BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(Index(address, 4)), value);

            public ulong ReadQuadWord(ulong address, IPeripheral? context = null, ulong? cpuState = null) => BinaryPrimitives.ReadUInt64LittleEndian(memory.AsSpan(Index(address, 8)));

            public void WriteQuadWord(ulong address, ulong value, IPeripheral? context = null, ulong? cpuState = null) => BinaryPrimitives.WriteUInt64LittleEndian(memory.AsSpan(Index(address, 8)), value);

            private int Index(ulong address, int count)
            {
                if(!IsMapped(address) || (count > 0 && !IsMapped(address + (ulong)count - 1)))
                {
                    throw new InvalidOperationException($"Access to unmapped 0x{address:x}");
                }
                return (int)(address - baseAddress);
            }

            private readonly ulong baseAddress;
            private readonly byte[] memory;
        }
    }
}
