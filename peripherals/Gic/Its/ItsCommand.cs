// One ITS command (IHI 0069 chapter 6.3, "ITS commands"): 32 bytes, four little-endian doublewords DW0..DW3,
// the opcode in DW0[7:0]. Every field position is stated once, in ItsFields, and decoded through ItsField.
using System.Collections.Generic;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    /// <summary>A command field: doubleword <c>Word</c>, bits <c>High</c>..<c>Low</c>.</summary>
    internal readonly record struct ItsField(int Word, int High, int Low)
    {
        public ulong Mask => High - Low == 63 ? ulong.MaxValue : (1UL << (High - Low + 1)) - 1;

        public ulong Extract(ulong doubleword) => (doubleword >> Low) & Mask;

        public ulong Deposit(ulong doubleword, ulong value) => (doubleword & ~(Mask << Low)) | ((value & Mask) << Low);
    }

    /// <summary>The command fields (IHI 0069 6.3, one table for every command that uses the field).</summary>
    internal static class ItsFields
    {
        public static readonly ItsField CommandType = new ItsField(0, 7, 0);
        public static readonly ItsField DeviceId = new ItsField(0, 63, 32);
        public static readonly ItsField EventId = new ItsField(1, 31, 0);
        public static readonly ItsField PhysicalId = new ItsField(1, 63, 32);
        /// <summary>MAPD: number of EventID bits minus one.</summary>
        public static readonly ItsField Size = new ItsField(1, 4, 0);
        public static readonly ItsField Icid = new ItsField(2, 15, 0);
        /// <summary>MAPC, SYNC, MOVALL (first): RDbase[51:16]; with GITS_TYPER.PTA = 0 it holds a processor number.</summary>
        public static readonly ItsField RdBase = new ItsField(2, 51, 16);
        /// <summary>MOVALL: the second Redistributor.</summary>
        public static readonly ItsField RdBase2 = new ItsField(3, 51, 16);
        /// <summary>MAPD: ITT_addr[51:8] (256-byte aligned).</summary>
        public static readonly ItsField IttAddress = new ItsField(2, 51, 8);
        public static readonly ItsField Valid = new ItsField(2, 63, 63);
        // GICv4 (decoded for logs; the virtual commands are not implemented yet).
        public static readonly ItsField VpeId = new ItsField(1, 47, 32);
    }

    /// <summary>The command opcodes (IHI 0069 6.3, Table "ITS commands").</summary>
    internal enum ItsOpcode : byte
    {
        MOVI = 0x01,
        INT = 0x03,
        CLEAR = 0x04,
        SYNC = 0x05,
        MAPD = 0x08,
        MAPC = 0x09,
        MAPTI = 0x0A,
        MAPI = 0x0B,
        INV = 0x0C,
        INVALL = 0x0D,
        MOVALL = 0x0E,
        DISCARD = 0x0F,
        VMOVI = 0x21,
        VMOVP = 0x22,
        VSGI = 0x23,
        VSYNC = 0x25,
        VMAPP = 0x29,
        VMAPTI = 0x2A,
        VMAPI = 0x2B,
        VINVALL = 0x2D,
        INVDB = 0x2E,
    }

    internal readonly struct ItsCommand
    {
        public ItsCommand(ulong dw0, ulong dw1, ulong dw2, ulong dw3)
        {
            Dw0 = dw0;
            Dw1 = dw1;
            Dw2 = dw2;
            Dw3 = dw3;
        }

        public const int Size = 32;

        public ulong Dw0 { get; }
        public ulong Dw1 { get; }
        public ulong Dw2 { get; }
        public ulong Dw3 { get; }

        public ulong this[ItsField field] => field.Extract(field.Word switch { 0 => Dw0, 1 => Dw1, 2 => Dw2, _ => Dw3 });

        public byte Opcode => (byte)this[ItsFields.CommandType];
        public uint DeviceId => (uint)this[ItsFields.DeviceId];
        public uint EventId => (uint)this[ItsFields.EventId];
        public uint PhysicalId => (uint)this[ItsFields.PhysicalId];
        public int SizeBits => (int)this[ItsFields.Size];
        public uint Icid => (uint)this[ItsFields.Icid];
        public ulong RdBase => this[ItsFields.RdBase];
        public ulong RdBase2 => this[ItsFields.RdBase2];
        public ulong IttAddress => this[ItsFields.IttAddress] << ItsFields.IttAddress.Low;
        public bool Valid => this[ItsFields.Valid] != 0;

        public override string ToString() => $"[0x{Dw0:X16} 0x{Dw1:X16} 0x{Dw2:X16} 0x{Dw3:X16}]";
    }

    /// <summary>
    /// What processing one command did (QEMU's policy, gic-facts.md): a guest-memory error while reading the
    /// command or a table stalls the queue (GITS_CREADR.Stalled = 1, the command is retried after GITS_CWRITER.Retry);
    /// a command with bad parameters is logged as a guest error and skipped; otherwise the command is done.
    /// </summary>
    internal enum ItsCommandResult
    {
        Stall,
        SkipAfterGuestError,
        Done,
    }

    /// <summary>An entry of the dispatch table: the command's name for logs, whether it is a GICv4 (virtual) command, its handler.</summary>
    internal sealed record ItsCommandSpec(string Name, bool IsVirtual, System.Func<ItsCommandProcessor, ItsCommand, ItsCommandResult> Handler);

    internal static class ItsCommandTable
    {
        /// <summary>Opcode -> command; an opcode not listed is logged as a guest error and skipped.</summary>
        public static readonly IReadOnlyDictionary<byte, ItsCommandSpec> Commands = new Dictionary<byte, ItsCommandSpec>
        {
            [(byte)ItsOpcode.MOVI] = new ItsCommandSpec("MOVI", false, (p, c) => p.PhysicalOrVirtual(c, p.Movi)),
            [(byte)ItsOpcode.INT] = new ItsCommandSpec("INT", false, (p, c) => p.PhysicalOrVirtual(c, p.Int)),
            [(byte)ItsOpcode.CLEAR] = new ItsCommandSpec("CLEAR", false, (p, c) => p.PhysicalOrVirtual(c, p.Clear)),
            [(byte)ItsOpcode.SYNC] = new ItsCommandSpec("SYNC", false, (p, c) => p.Sync(c)),
            [(byte)ItsOpcode.MAPD] = new ItsCommandSpec("MAPD", false, (p, c) => p.MapD(c)),
            [(byte)ItsOpcode.MAPC] = new ItsCommandSpec("MAPC", false, (p, c) => p.MapC(c)),
            [(byte)ItsOpcode.MAPTI] = new ItsCommandSpec("MAPTI", false, (p, c) => p.MapTI(c, c.PhysicalId)),
            [(byte)ItsOpcode.MAPI] = new ItsCommandSpec("MAPI", false, (p, c) => p.MapTI(c, c.EventId)),
            [(byte)ItsOpcode.INV] = new ItsCommandSpec("INV", false, (p, c) => p.PhysicalOrVirtual(c, p.Inv)),
            [(byte)ItsOpcode.INVALL] = new ItsCommandSpec("INVALL", false, (p, c) => p.InvAll(c)),
            [(byte)ItsOpcode.MOVALL] = new ItsCommandSpec("MOVALL", false, (p, c) => p.MovAll(c)),
            [(byte)ItsOpcode.DISCARD] = new ItsCommandSpec("DISCARD", false, (p, c) => p.PhysicalOrVirtual(c, p.Discard)),
            [(byte)ItsOpcode.VMOVI] = new ItsCommandSpec("VMOVI", true, (p, c) => p.VMovI(c)),
            [(byte)ItsOpcode.VMOVP] = new ItsCommandSpec("VMOVP", true, (p, c) => p.VMovP(c)),
            [(byte)ItsOpcode.VSGI] = new ItsCommandSpec("VSGI", true, (p, c) => p.VSgi(c)),
            [(byte)ItsOpcode.VSYNC] = new ItsCommandSpec("VSYNC", true, (p, c) => p.VSync(c)),
            [(byte)ItsOpcode.VMAPP] = new ItsCommandSpec("VMAPP", true, (p, c) => p.VMapPAny(c)),
            [(byte)ItsOpcode.VMAPTI] = new ItsCommandSpec("VMAPTI", true, (p, c) => p.VMapTI(c, (uint)c[ItsVirtualFields.VirtualIntid])),
            [(byte)ItsOpcode.VMAPI] = new ItsCommandSpec("VMAPI", true, (p, c) => p.VMapTI(c, c.EventId)),
            [(byte)ItsOpcode.VINVALL] = new ItsCommandSpec("VINVALL", true, (p, c) => p.VInvAll(c)),
            [(byte)ItsOpcode.INVDB] = new ItsCommandSpec("INVDB", true, (p, c) => p.InvDb(c)),
        };
    }
}
