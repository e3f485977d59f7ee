// A writer for flattened device trees (the DTB format, version 17, as the Devicetree Specification v0.4
// chapter 5 defines it). The tree is built in memory as FdtNode objects and serialised once by Build():
//
//   header (40 bytes) | memory reservation block (8-aligned, 16-byte entries, ends with a zero entry)
//   | structure block (4-aligned tokens) | strings block (NUL-terminated, deduplicated names)
//
// Everything is big-endian. Property values are stored already encoded, so the writer does not need to
// know what a property means; typed setters (u32, u64, arrays, strings) do the encoding.
using System;
using System.Collections.Generic;
using System.Text;

namespace RenodeGic.Host.DeviceTree
{
    /// <summary>Builds a flattened device tree blob (DTB version 17).</summary>
    public sealed class FdtBuilder
    {
        public const uint Magic = 0xD00DFEED;
        public const uint Version = 17;
        public const uint LastCompatibleVersion = 16;
        public const int HeaderSize = 40;

        public FdtBuilder()
        {
            Root = new FdtNode(this, "");
            reservations = new List<(ulong, ulong)>();
        }

        /// <summary>The root node ("/").</summary>
        public FdtNode Root { get; }

        /// <summary>Physical ID of the boot CPU (header field boot_cpuid_phys).</summary>
        public uint BootCpuId { get; set; }

        /// <summary>Entries of the memory reservation block, in the order they were added.</summary>
        public IReadOnlyList<(ulong Address, ulong Size)> Reservations => reservations;

        /// <summary>Adds a memory reservation entry (memory the OS must not use).</summary>
        public void AddMemoryReservation(ulong address, ulong size)
        {
            if(size == 0)
            {
                throw new ArgumentException("A memory reservation needs a non-zero size.", nameof(size));
            }
            reservations.Add((address, size));
        }

        /// <summary>Finds a node by absolute path ("/", "/cpus/cpu@0"); null when there is none.</summary>
        public FdtNode? FindNode(string path)
        {
            if(!path.StartsWith('/'))
            {
                throw new ArgumentException($"Device tree path '{path}' is not absolute.", nameof(path));
            }
            var node = Root;
            foreach(var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                var child = node.FindChild(part);
                if(child == null)
                {
                    return null;
                }
                node = child;
            }
            return node;
        }

        /// <summary>Serialises the tree.</summary>
        public byte[] Build()
        {
            var strings = new StringsBlock();
            var structure = new BigEndianBuffer();
            WriteNode(Root, structure, strings);
            structure.WriteU32(TokenEnd);

            var rsvmap = new BigEndianBuffer();
            foreach(var (address, size) in reservations)
            {
                rsvmap.WriteU64(address);
                rsvmap.WriteU64(size);
            }
            rsvmap.WriteU64(0);
            rsvmap.WriteU64(0);

            var offRsvmap = Align(HeaderSize, 8);
            var offStruct = Align(offRsvmap + rsvmap.Length, 4);
            var offStrings = offStruct + structure.Length;
            var stringsBytes = strings.ToArray();
            var total = offStrings + stringsBytes.Length;

            var blob = new byte[total];
            var header = new BigEndianBuffer();
            header.WriteU32(Magic);
            header.WriteU32((uint)total);
            header.WriteU32((uint)offStruct);
            header.WriteU32((uint)offStrings);
            header.WriteU32((uint)offRsvmap);
            header.WriteU32(Version);
            header.WriteU32(LastCompatibleVersion);
            header.WriteU32(BootCpuId);
            header.WriteU32((uint)stringsBytes.Length);
            header.WriteU32((uint)structure.Length);
            header.CopyTo(blob, 0);
            rsvmap.CopyTo(blob, offRsvmap);
            structure.CopyTo(blob, offStruct);
            Array.Copy(stringsBytes, 0, blob, offStrings, stringsBytes.Length);
            return blob;
        }

        internal uint AllocatePhandle()
        {
            return nextPhandle++;
        }

        private static void WriteNode(FdtNode node, BigEndianBuffer output, StringsBlock strings)
        {
            output.WriteU32(TokenBeginNode);
            output.WriteBytes(Encoding.ASCII.GetBytes(node.Name));
            output.WriteByte(0);
            output.PadTo4();
            foreach(var property in node.Properties)
            {
                output.WriteU32(TokenProperty);
                output.WriteU32((uint)property.Value.Length);
                output.WriteU32(strings.Offset(property.Name));
                output.WriteBytes(property.Value);
                output.PadTo4();
            }
            foreach(var child in node.Children)
            {
                WriteNode(child, output, strings);
            }
            output.WriteU32(TokenEndNode);
        }

        private static int Align(int value, int alignment)
        {
            return (value + alignment - 1) & ~(alignment - 1);
        }

        private uint nextPhandle = 1;
        private readonly List<(ulong, ulong)> reservations;

        private const uint TokenBeginNode = 1;
        private const uint TokenEndNode = 2;
        private const uint TokenProperty = 3;
        private const uint TokenEnd = 9;

        /// <summary>The strings block: each property name stored once, looked up by offset.</summary>
        private sealed class StringsBlock
        {
            public uint Offset(string name)
            {
                if(!offsets.TryGetValue(name, out var offset))
                {
                    offset = (uint)bytes.Count;
                    bytes.AddRange(Encoding.ASCII.GetBytes(name));
                    bytes.Add(0);
                    offsets.Add(name, offset);
                }
                return offset;
            }

            public byte[] ToArray()
            {
                return bytes.ToArray();
            }

            private readonly Dictionary<string, uint> offsets = new Dictionary<string, uint>(StringComparer.Ordinal);
            private readonly List<byte> bytes = new List<byte>();
        }
    }

    /// <summary>One property: a name and its encoded (big-endian) value.</summary>
    public sealed class FdtProperty
    {
        public FdtProperty(string name, byte[] value)
        {
            Name = name;
            Value = value;
        }

        public string Name { get; }

        public byte[] Value { get; internal set; }
    }

    /// <summary>A device tree node. Setters replace a property of the same name and keep its position.</summary>
    public sealed class FdtNode
    {
        internal FdtNode(FdtBuilder owner, string name)
        {
            this.owner = owner;
            Name = name;
            properties = new List<FdtProperty>();
            children = new List<FdtNode>();
        }

        /// <summary>Node name including the unit address ("cpu@0"); empty for the root.</summary>
        public string Name { get; }

        public IReadOnlyList<FdtProperty> Properties => properties;

        public IReadOnlyList<FdtNode> Children => children;

        /// <summary>Adds a child node; names must be unique among siblings.</summary>
        public FdtNode AddNode(string name)
        {
            ValidateNodeName(name);
            if(FindChild(name) != null)
            {
                throw new ArgumentException($"Node '{name}' already exists under '{DisplayName}'.", nameof(name));
            }
            var child = new FdtNode(owner, name);
            children.Add(child);
            return child;
        }

        /// <summary>Adds a child named "name@unitaddress" with the unit address in lower-case hex.</summary>
        public FdtNode AddNode(string name, ulong unitAddress)
        {
            return AddNode($"{name}@{unitAddress:x}");
        }

        public FdtNode? FindChild(string name)
        {
            foreach(var child in children)
            {
                if(child.Name == name)
                {
                    return child;
                }
            }
            return null;
        }

        public FdtProperty? FindProperty(string name)
        {
            foreach(var property in properties)
            {
                if(property.Name == name)
                {
                    return property;
                }
            }
            return null;
        }

        /// <summary>The node's phandle, allocated (and stored as a "phandle" property) on first use.</summary>
        public uint Phandle
        {
            get
            {
                if(phandle == 0)
                {
                    phandle = owner.AllocatePhandle();
                    SetU32("phandle", phandle);
                }
                return phandle;
            }
        }

        public FdtNode SetEmpty(string name)
        {
            return SetBytes(name, Array.Empty<byte>());
        }

        public FdtNode SetU32(string name, uint value)
        {
            return SetU32Array(name, value);
        }

        public FdtNode SetU64(string name, ulong value)
        {
            var buffer = new BigEndianBuffer();
            buffer.WriteU64(value);
            return SetBytes(name, buffer.ToArray());
        }

        public FdtNode SetU32Array(string name, params uint[] values)
        {
            var buffer = new BigEndianBuffer();
            foreach(var value in values)
            {
                buffer.WriteU32(value);
            }
            return SetBytes(name, buffer.ToArray());
        }

        /// <summary>
        /// Sets a property made of (address, size) or similar tuples, each value written as
        /// <paramref name="cellsPerValue"/> 32-bit cells (1 or 2), e.g. "reg" with #address-cells = 2.
        /// </summary>
        public FdtNode SetCells(string name, int cellsPerValue, params ulong[] values)
        {
            if(cellsPerValue != 1 && cellsPerValue != 2)
            {
                throw new ArgumentOutOfRangeException(nameof(cellsPerValue), "Cells per value must be 1 or 2.");
            }
            var buffer = new BigEndianBuffer();
            foreach(var value in values)
            {
                if(cellsPerValue == 1)
                {
                    if(value > uint.MaxValue)
                    {
                        throw new ArgumentOutOfRangeException(nameof(values), $"0x{value:x} does not fit in one cell of '{name}'.");
                    }
                    buffer.WriteU32((uint)value);
                }
                else
                {
                    buffer.WriteU64(value);
                }
            }
            return SetBytes(name, buffer.ToArray());
        }

        public FdtNode SetString(string name, string value)
        {
            return SetStringList(name, value);
        }

        public FdtNode SetStringList(string name, params string[] values)
        {
            var buffer = new List<byte>();
            foreach(var value in values)
            {
                if(value.Contains('\0'))
                {
                    throw new ArgumentException($"A string of property '{name}' contains a NUL character.", nameof(values));
                }
                buffer.AddRange(Encoding.UTF8.GetBytes(value));
                buffer.Add(0);
            }
            return SetBytes(name, buffer.ToArray());
        }

        public FdtNode SetBytes(string name, byte[] value)
        {
            ValidatePropertyName(name);
            var existing = FindProperty(name);
            if(existing != null)
            {
                existing.Value = (byte[])value.Clone();
            }
            else
            {
                properties.Add(new FdtProperty(name, (byte[])value.Clone()));
            }
            return this;
        }

        private string DisplayName => Name.Length == 0 ? "/" : Name;

        private static void ValidateNodeName(string name)
        {
            var at = name.IndexOf('@');
            var baseName = at < 0 ? name : name.Substring(0, at);
            if(baseName.Length == 0 || baseName.Length > 31 || (at >= 0 && at == name.Length - 1))
            {
                throw new ArgumentException($"'{name}' is not a valid device tree node name.", nameof(name));
            }
            foreach(var c in name)
            {
                var ok = char.IsAsciiLetterOrDigit(c) || c == ',' || c == '.' || c == '_' || c == '+' || c == '-' || c == '@';
                if(!ok)
                {
                    throw new ArgumentException($"'{name}' is not a valid device tree node name (character '{c}').", nameof(name));
                }
            }
            if(name.IndexOf('@', at + 1) >= 0)
            {
                throw new ArgumentException($"'{name}' has more than one '@'.", nameof(name));
            }
        }

        private static void ValidatePropertyName(string name)
        {
            if(name.Length == 0 || name.Length > 31)
            {
                throw new ArgumentException($"'{name}' is not a valid device tree property name.", nameof(name));
            }
            foreach(var c in name)
            {
                var ok = char.IsAsciiLetterOrDigit(c) || c == ',' || c == '.' || c == '_' || c == '+' || c == '-' || c == '?' || c == '#';
                if(!ok)
                {
                    throw new ArgumentException($"'{name}' is not a valid device tree property name (character '{c}').", nameof(name));
                }
            }
        }

        private uint phandle;
        private readonly FdtBuilder owner;
        private readonly List<FdtProperty> properties;
        private readonly List<FdtNode> children;
    }

    /// <summary>A growable big-endian byte buffer.</summary>
    internal sealed class BigEndianBuffer
    {
        public int Length => bytes.Count;

        public void WriteByte(byte value)
        {
            bytes.Add(value);
        }

        public void WriteBytes(byte[] value)
        {
            bytes.AddRange(value);
        }

        public void WriteU32(uint value)
        {
            bytes.Add((byte)(value >> 24));
            bytes.Add((byte)(value >> 16));
            bytes.Add((byte)(value >> 8));
            bytes.Add((byte)value);
        }

        public void WriteU64(ulong value)
        {
            WriteU32((uint)(value >> 32));
            WriteU32((uint)value);
        }

        public void PadTo4()
        {
            while((bytes.Count & 3) != 0)
            {
                bytes.Add(0);
            }
        }

        public byte[] ToArray()
        {
            return bytes.ToArray();
        }

        public void CopyTo(byte[] destination, int offset)
        {
            bytes.CopyTo(destination, offset);
        }

        private readonly List<byte> bytes = new List<byte>();
    }
}
