// The ITS tables in guest memory (IHI 0069 chapter 5.2 "The ITS" and the GITS_BASER<n> description): the Device
// table (GITS_BASER0), the Collection table (GITS_BASER1) and one Interrupt Translation Table per device (ITT,
// located by MAPD). The tables are the single source of truth: the ITS keeps no copy of an entry, every command
// and every translation reads them (as QEMU).
//
// Flat tables hold (Size + 1) pages of entries; two-level (Indirect) tables hold (Size + 1) pages of 8-byte
// level-1 entries (Valid[63], PA of a level-2 page[51:12]), each level-2 page holding PageSize / EntrySize entries.
// The level-1 format is architectural; the entry formats are IMPDEF and chosen here close to QEMU's:
//   Device table entry (8 bytes):      Valid[0], Size[5:1] (EventID bits - 1), ITT_addr[51:8] in [49:6]
//   Collection table entry (8 bytes):  Valid[0], processor number (RDbase with PTA = 0)[16:1]
//   Interrupt translation entry (12):  Valid[0], Physical[1], INTID[25:2], doorbell INTID[49:26]; ICID[79:64], vPEID[95:80]
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    /// <summary>GITS_BASER<n>.Type.</summary>
    internal enum ItsTableType
    {
        Unimplemented = 0,
        Devices = 1,
        VirtualPEs = 2,
        InterruptCollections = 4,
    }

    /// <summary>Where a table entry is, or why it is not.</summary>
    internal enum ItsEntryLocation
    {
        Found,
        /// <summary>The table is not valid, or the ID is beyond its size.</summary>
        OutOfRange,
        /// <summary>Two-level table whose level-1 entry for the ID is not valid: no level-2 page backs the ID.</summary>
        NotBacked,
        MemoryError,
    }

    /// <summary>A table as GITS_BASER<n> describes it.</summary>
    internal readonly struct ItsTableDescriptor
    {
        public ItsTableDescriptor(ulong baser)
        {
            Valid = (baser >> 63) != 0;
            Indirect = ((baser >> 62) & 1) != 0;
            EntrySize = (int)((baser >> 48) & 0x1F) + 1;
            PageSize = ((baser >> 8) & 3) switch { 0 => 0x1000, 1 => 0x4000, _ => 0x10000 };
            Pages = (int)(baser & 0xFF) + 1;
            var address = baser & 0x0000_FFFF_FFFF_F000UL & ~((ulong)PageSize - 1);
            if(PageSize == 0x10000)
            {
                address |= ((baser >> 12) & 0xF) << 48; // PA[51:48] in bits [15:12] with 64 KiB pages
            }
            Base = address;
            Capacity = !Valid ? 0
                : Indirect ? (ulong)Pages * (ulong)PageSize / Level1EntrySize * (ulong)(PageSize / EntrySize)
                : (ulong)Pages * (ulong)PageSize / (ulong)EntrySize;
        }

        public const int Level1EntrySize = 8;

        public bool Valid { get; }
        public bool Indirect { get; }
        public int EntrySize { get; }
        public int PageSize { get; }
        public int Pages { get; }
        public ulong Base { get; }

        /// <summary>How many IDs the table can hold (computed once: Locate runs on every translation).</summary>
        public ulong Capacity { get; }

        /// <summary>Finds the entry of <paramref name="id"/>; reads the level-1 entry of a two-level table.</summary>
        public ItsEntryLocation Locate(GuestMemory memory, uint id, out ulong address)
        {
            address = 0;
            if(id >= Capacity)
            {
                return ItsEntryLocation.OutOfRange;
            }
            if(!Indirect)
            {
                address = Base + (ulong)id * (ulong)EntrySize;
                return ItsEntryLocation.Found;
            }
            var perPage = (uint)(PageSize / EntrySize);
            var level1 = Base + (ulong)(id / perPage) * Level1EntrySize;
            if(!memory.TryReadQuadWord(level1, out var entry))
            {
                address = level1;
                return ItsEntryLocation.MemoryError;
            }
            if((entry >> 63) == 0)
            {
                return ItsEntryLocation.NotBacked;
            }
            var page = entry & 0x000F_FFFF_FFFF_F000UL & ~((ulong)PageSize - 1);
            address = page + (ulong)(id % perPage) * (ulong)EntrySize;
            return ItsEntryLocation.Found;
        }

        public override string ToString() => !Valid ? "invalid"
            : $"{(Indirect ? "two-level" : "flat")} at 0x{Base:X}, {Pages} x {PageSize / 1024} KiB pages, {EntrySize}-byte entries";
    }

    internal readonly record struct DeviceTableEntry(bool Valid, int EventIdBits, ulong IttAddress)
    {
        public const int Size = 8;

        public static DeviceTableEntry Decode(ulong value) =>
            new DeviceTableEntry((value & 1) != 0, (int)((value >> 1) & 0x1F) + 1, ((value >> 6) & 0xFFF_FFFF_FFFFUL) << 8);

        public ulong Encode() => !Valid ? 0 : 1UL | ((ulong)((EventIdBits - 1) & 0x1F) << 1) | ((IttAddress >> 8) << 6);
    }

    internal readonly record struct CollectionTableEntry(bool Valid, int Processor)
    {
        public const int Size = 8;

        public static CollectionTableEntry Decode(ulong value) => new CollectionTableEntry((value & 1) != 0, (int)((value >> 1) & 0xFFFF));

        public ulong Encode() => !Valid ? 0 : 1UL | ((ulong)(Processor & 0xFFFF) << 1);
    }

    internal readonly record struct InterruptTranslationEntry(bool Valid, bool Physical, int Intid, int Doorbell, ushort Icid, ushort VpeId)
    {
        public const int Size = 12;

        public static InterruptTranslationEntry Decode(ulong low, uint high) =>
            new InterruptTranslationEntry((low & 1) != 0, ((low >> 1) & 1) != 0, (int)((low >> 2) & 0xFF_FFFF), (int)((low >> 26) & 0xFF_FFFF),
                (ushort)high, (ushort)(high >> 16));

        public ulong EncodeLow() => !Valid ? 0 : 1UL | (Physical ? 2UL : 0) | ((ulong)(Intid & 0xFF_FFFF) << 2) | ((ulong)(Doorbell & 0xFF_FFFF) << 26);

        public uint EncodeHigh() => !Valid ? 0 : Icid | ((uint)VpeId << 16);
    }
}
