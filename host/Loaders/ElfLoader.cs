// Loads ELF64 little-endian AArch64 executables (the monitor's `sysbus LoadELF @file`). Only what a loader
// needs is read: the ELF header, the program headers (PT_LOAD segments: file bytes copied, the rest up to
// p_memsz zeroed) and, when present, .symtab with its string table for symbol look-up in tests.
//
// Segments are placed at their physical address (p_paddr) by default, as Renode's LoadELF does; bare-metal
// firmware links with p_paddr == p_vaddr. Every malformed input ends in an ElfLoadException naming the file.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Antmicro.Renode.Peripherals.Bus;

namespace RenodeGic.Host.Loaders
{
    /// <summary>A file that could not be loaded: the message names the file and the problem.</summary>
    public class ImageLoadException : Exception
    {
        public ImageLoadException(string path, string problem, Exception? inner = null)
            : this("image", path, problem, inner)
        {
        }

        protected ImageLoadException(string kind, string path, string problem, Exception? inner)
            : base($"Cannot load {kind} file '{path}': {problem}", inner)
        {
            Path = path;
            Problem = problem;
        }

        public string Path { get; }

        public string Problem { get; }
    }

    /// <summary>A file that is not a loadable ELF64 AArch64 image, or could not be read.</summary>
    public sealed class ElfLoadException : ImageLoadException
    {
        public ElfLoadException(string path, string problem, Exception? inner = null)
            : base("ELF", path, problem, inner)
        {
        }
    }

    /// <summary>One PT_LOAD segment.</summary>
    public sealed record ElfSegment(ulong VirtualAddress, ulong PhysicalAddress, byte[] Data, ulong MemorySize, uint Flags)
    {
        public const uint FlagExecute = 1;
        public const uint FlagWrite = 2;
        public const uint FlagRead = 4;
    }

    /// <summary>One symbol of .symtab.</summary>
    public readonly record struct ElfSymbol(string Name, ulong Value, ulong Size, byte Type, byte Binding);

    /// <summary>A parsed ELF image.</summary>
    public sealed class ElfImage
    {
        internal ElfImage(ushort type, ulong entry, IReadOnlyList<ElfSegment> segments, IReadOnlyList<ElfSymbol> symbols)
        {
            Type = type;
            Entry = entry;
            Segments = segments;
            Symbols = symbols;
            byName = new Dictionary<string, ElfSymbol>(StringComparer.Ordinal);
            foreach(var symbol in symbols)
            {
                // The first definition wins; undefined and section symbols have no useful address.
                if(symbol.Name.Length > 0 && !byName.ContainsKey(symbol.Name))
                {
                    byName.Add(symbol.Name, symbol);
                }
            }
        }

        /// <summary>e_type: 2 = executable, 3 = shared object / position-independent executable.</summary>
        public ushort Type { get; }

        /// <summary>e_entry.</summary>
        public ulong Entry { get; }

        public IReadOnlyList<ElfSegment> Segments { get; }

        /// <summary>Symbols of .symtab (empty for a stripped file).</summary>
        public IReadOnlyList<ElfSymbol> Symbols { get; }

        public bool TryGetSymbol(string name, out ulong address)
        {
            if(byName.TryGetValue(name, out var symbol))
            {
                address = symbol.Value;
                return true;
            }
            address = 0;
            return false;
        }

        private readonly Dictionary<string, ElfSymbol> byName;
    }

    /// <summary>ELF64 AArch64 parsing and loading onto a bus.</summary>
    public static class ElfLoader
    {
        public const ushort MachineAArch64 = 183;

        /// <summary>Reads and parses a file.</summary>
        public static ElfImage ParseFile(string path)
        {
            return Parse(ReadFile(path, (p, problem, e) => new ElfLoadException(p, problem, e)), path);
        }

        /// <summary>Parses an ELF image; <paramref name="pathForErrors"/> names it in exception messages.</summary>
        public static ElfImage Parse(byte[] data, string pathForErrors)
        {
            var reader = new Reader(data, pathForErrors);
            if(data.Length < HeaderSize)
            {
                throw reader.Fail($"the file is {data.Length} bytes long, shorter than an ELF64 header ({HeaderSize} bytes)");
            }
            if(data[0] != 0x7F || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
            {
                throw reader.Fail("no ELF magic (\\x7fELF) at the start; is this a raw binary? Use LoadBinary for those");
            }
            if(data[4] != 2)
            {
                throw reader.Fail(data[4] == 1 ? "it is a 32-bit ELF (ELFCLASS32); only ELF64 AArch64 images are supported" : $"unknown ELF class {data[4]}");
            }
            if(data[5] != 1)
            {
                throw reader.Fail(data[5] == 2 ? "it is big-endian (ELFDATA2MSB); only little-endian AArch64 images are supported" : $"unknown ELF data encoding {data[5]}");
            }
            if(data[6] != 1)
            {
                throw reader.Fail($"unsupported ELF identification version {data[6]}");
            }
            var type = reader.U16(16);
            var machine = reader.U16(18);
            if(machine != MachineAArch64)
            {
                throw reader.Fail($"e_machine is {machine}, not AArch64 ({MachineAArch64})");
            }
            if(type != TypeExecutable && type != TypeShared)
            {
                throw reader.Fail($"e_type is {type}; only executables (ET_EXEC) and position-independent executables (ET_DYN) can be loaded");
            }
            var version = reader.U32(20);
            if(version != 1)
            {
                throw reader.Fail($"unsupported e_version {version}");
            }
            var entry = reader.U64(24);
            var phoff = reader.U64(32);
            var shoff = reader.U64(40);
            var phentsize = reader.U16(54);
            var phnum = reader.U16(56);
            var shentsize = reader.U16(58);
            var shnum = reader.U16(60);

            if(phnum == 0)
            {
                throw reader.Fail("it has no program headers (an object file or a linker output without segments?)");
            }
            if(phentsize != ProgramHeaderSize)
            {
                throw reader.Fail($"e_phentsize is {phentsize}, expected {ProgramHeaderSize}");
            }
            reader.CheckRange(phoff, (ulong)phnum * ProgramHeaderSize, "the program header table");

            var segments = new List<ElfSegment>();
            for(var i = 0; i < phnum; i++)
            {
                var at = phoff + (ulong)i * ProgramHeaderSize;
                var pType = reader.U32(at);
                if(pType != SegmentLoad)
                {
                    continue;
                }
                var flags = reader.U32(at + 4);
                var offset = reader.U64(at + 8);
                var vaddr = reader.U64(at + 16);
                var paddr = reader.U64(at + 24);
                var filesz = reader.U64(at + 32);
                var memsz = reader.U64(at + 40);
                if(filesz > memsz)
                {
                    throw reader.Fail($"program header {i}: p_filesz 0x{filesz:x} is larger than p_memsz 0x{memsz:x}");
                }
                if(memsz > MaxSegmentSize)
                {
                    throw reader.Fail($"program header {i}: p_memsz 0x{memsz:x} is implausibly large");
                }
                reader.CheckRange(offset, filesz, $"program header {i}'s file data");
                if(paddr + memsz < paddr || vaddr + memsz < vaddr)
                {
                    throw reader.Fail($"program header {i}: the segment wraps around the end of the address space");
                }
                var bytes = new byte[filesz];
                Array.Copy(data, (long)offset, bytes, 0, (long)filesz);
                segments.Add(new ElfSegment(vaddr, paddr, bytes, memsz, flags));
            }
            if(segments.Count == 0)
            {
                throw reader.Fail("it has no PT_LOAD segments, so there is nothing to load");
            }

            var symbols = ReadSymbols(reader, shoff, shentsize, shnum);
            return new ElfImage(type, entry, segments, symbols);
        }

        /// <summary>Loads a file's segments at their physical addresses; returns the entry point.</summary>
        public static ulong Load(IBusController bus, string path)
        {
            return Load(bus, ParseFile(path), path, useVirtualAddress: false);
        }

        /// <summary>Loads a parsed image's segments; returns the entry point.</summary>
        public static ulong Load(IBusController bus, ElfImage image, string pathForErrors, bool useVirtualAddress = false)
        {
            foreach(var segment in image.Segments)
            {
                var address = useVirtualAddress ? segment.VirtualAddress : segment.PhysicalAddress;
                if(segment.MemorySize == 0)
                {
                    continue;
                }
                if(!bus.IsMapped(address) || !bus.IsMapped(address + segment.MemorySize - 1))
                {
                    throw new ElfLoadException(pathForErrors,
                        $"segment at 0x{address:x} (0x{segment.MemorySize:x} bytes) is not inside mapped memory");
                }
                if(segment.Data.Length > 0)
                {
                    bus.WriteBytes(segment.Data, address);
                }
                var zeroes = segment.MemorySize - (ulong)segment.Data.Length;
                var zeroAddress = address + (ulong)segment.Data.Length;
                while(zeroes > 0)
                {
                    var chunk = (int)Math.Min(zeroes, ZeroChunk);
                    bus.WriteBytes(new byte[chunk], zeroAddress);
                    zeroAddress += (ulong)chunk;
                    zeroes -= (ulong)chunk;
                }
            }
            return image.Entry;
        }

        internal static byte[] ReadFile(string path, Func<string, string, Exception, ImageLoadException> fail)
        {
            try
            {
                return File.ReadAllBytes(path);
            }
            catch(Exception e) when(e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                throw fail(path, e is FileNotFoundException || e is DirectoryNotFoundException ? "the file does not exist" : e.Message, e);
            }
        }

        private static List<ElfSymbol> ReadSymbols(Reader reader, ulong shoff, ushort shentsize, ushort shnum)
        {
            var symbols = new List<ElfSymbol>();
            if(shoff == 0 || shnum == 0)
            {
                return symbols;
            }
            if(shentsize != SectionHeaderSize)
            {
                throw reader.Fail($"e_shentsize is {shentsize}, expected {SectionHeaderSize}");
            }
            reader.CheckRange(shoff, (ulong)shnum * SectionHeaderSize, "the section header table");
            for(var i = 0; i < shnum; i++)
            {
                var at = shoff + (ulong)i * SectionHeaderSize;
                if(reader.U32(at + 4) != SectionSymbolTable)
                {
                    continue;
                }
                var offset = reader.U64(at + 24);
                var size = reader.U64(at + 32);
                var link = reader.U32(at + 40);
                var entsize = reader.U64(at + 56);
                if(entsize != SymbolSize)
                {
                    throw reader.Fail($"section {i} (.symtab) has sh_entsize {entsize}, expected {SymbolSize}");
                }
                if(link >= shnum)
                {
                    throw reader.Fail($"section {i} (.symtab) links to string table section {link}, which does not exist");
                }
                reader.CheckRange(offset, size, $"section {i} (.symtab)");
                var strAt = shoff + link * (ulong)SectionHeaderSize;
                var strOffset = reader.U64(strAt + 24);
                var strSize = reader.U64(strAt + 32);
                reader.CheckRange(strOffset, strSize, $"section {link} (the symbol string table)");
                for(ulong s = 0; s + SymbolSize <= size; s += SymbolSize)
                {
                    var sym = offset + s;
                    var nameOffset = reader.U32(sym);
                    var info = reader.Byte(sym + 4);
                    var value = reader.U64(sym + 8);
                    var symSize = reader.U64(sym + 16);
                    var name = nameOffset < strSize ? reader.CString(strOffset + nameOffset, strOffset + strSize) : "";
                    symbols.Add(new ElfSymbol(name, value, symSize, (byte)(info & 0xF), (byte)(info >> 4)));
                }
            }
            return symbols;
        }

        private const int HeaderSize = 64;
        private const int ProgramHeaderSize = 56;
        private const int SectionHeaderSize = 64;
        private const int SymbolSize = 24;
        private const ushort TypeExecutable = 2;
        private const ushort TypeShared = 3;
        private const uint SegmentLoad = 1;
        private const uint SectionSymbolTable = 2;
        private const ulong MaxSegmentSize = 1UL << 40;
        private const ulong ZeroChunk = 1 << 20;

        /// <summary>Bounds-checked little-endian reads that fail with the file's name.</summary>
        private sealed class Reader
        {
            public Reader(byte[] data, string path)
            {
                this.data = data;
                this.path = path;
            }

            public ElfLoadException Fail(string problem)
            {
                return new ElfLoadException(path, problem);
            }

            public void CheckRange(ulong offset, ulong length, string what)
            {
                if(offset > (ulong)data.Length || length > (ulong)data.Length - offset)
                {
                    throw Fail($"{what} (offset 0x{offset:x}, 0x{length:x} bytes) lies beyond the end of the file (0x{data.Length:x} bytes); is the file truncated?");
                }
            }

            public byte Byte(ulong at)
            {
                CheckRange(at, 1, "a field");
                return data[at];
            }

            public ushort U16(ulong at)
            {
                CheckRange(at, 2, "a field");
                return (ushort)(data[at] | data[at + 1] << 8);
            }

            public uint U32(ulong at)
            {
                CheckRange(at, 4, "a field");
                return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)at, 4));
            }

            public ulong U64(ulong at)
            {
                CheckRange(at, 8, "a field");
                return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan((int)at, 8));
            }

            public string CString(ulong at, ulong limit)
            {
                var end = at;
                while(end < limit && data[end] != 0)
                {
                    end++;
                }
                return Encoding.UTF8.GetString(data, (int)at, (int)(end - at));
            }

            private readonly byte[] data;
            private readonly string path;
        }
    }
}
