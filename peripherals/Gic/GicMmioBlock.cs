// One block of GIC memory-mapped registers (a Distributor, or one Redistributor's RD_base + SGI_base frames):
// a 32-bit and a 64-bit register collection plus the access-width rules of IHI 0069 12.1.3 ("GIC memory-mapped
// register access"):
// - 64-bit registers (GICD_IROUTER, GICR_TYPER, GICR_PROPBASER, ...) are declared once in the 64-bit table;
//   32-bit accesses to either half are served by one generic adapter (read-modify-write of the whole register);
// - byte access is permitted only in the ranges the block declares (GICD/GICR_IPRIORITYR, legacy
//   ITARGETSR/SPENDSGIR/CPENDSGIR, the affinity bytes of GICD_IROUTER);
// - anything else (unknown offset, 16-bit access, misaligned access, 64-bit access to a 32-bit register) reads as
//   zero, ignores writes, and logs one guest error naming the block, offset and width. Never an exception.
using System.Collections.Generic;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    /// <remarks>Public so that the VGIC host model's emulated frames (vgic-host/) use the same access rules.</remarks>
    public sealed class GicMmioBlock
    {
        public GicMmioBlock(IPeripheral owner, string who)
        {
            this.owner = owner;
            this.who = who;
            Words = new DoubleWordRegisterCollection(owner);
            Quads = new QuadWordRegisterCollection(owner);
        }

        public DoubleWordRegisterCollection Words { get; }

        public QuadWordRegisterCollection Quads { get; }

        /// <summary>Permits byte accesses to [start, start + length).</summary>
        public void AllowByteAccess(long start, long length)
        {
            byteRanges.Add((start, start + length));
        }

        public void Reset()
        {
            Words.Reset();
            Quads.Reset();
        }

        /// <summary>A family of 32-bit registers with <paramref name="bits"/> bits per interrupt, every INTID implemented.</summary>
        public void DefinePerInterrupt(long offset, int count, int bits, System.Func<int, ulong> read, System.Action<int, ulong>? write, string name)
        {
            PerInterruptRegisters.Define(Words, offset, count, bits, _ => true, i => read(i), write == null ? null : (i, v) => write(i, v), name);
        }

        public ulong Read(long offset, int size)
        {
            switch(size)
            {
            case 4:
                if((offset & 3) == 0)
                {
                    if(Words.TryRead(offset, out var word))
                    {
                        return word;
                    }
                    if(Quads.TryRead(offset & ~7L, out var quad))
                    {
                        return (uint)(quad >> (int)(8 * (offset & 4)));
                    }
                }
                break;
            case 8:
                if((offset & 7) == 0 && Quads.TryRead(offset, out var value))
                {
                    return value;
                }
                break;
            case 1:
                if(IsByteAccessible(offset))
                {
                    if(Words.TryRead(offset & ~3L, out var containingWord))
                    {
                        return (byte)(containingWord >> (int)(8 * (offset & 3)));
                    }
                    if(Quads.TryRead(offset & ~7L, out var containingQuad))
                    {
                        return (byte)(containingQuad >> (int)(8 * (offset & 7)));
                    }
                }
                break;
            }
            owner.GuestError("{0}: unsupported {1}-bit read at offset 0x{2:X}; reads as zero", who, size * 8, offset);
            return 0;
        }

        public void Write(long offset, int size, ulong value)
        {
            switch(size)
            {
            case 4:
                if((offset & 3) == 0)
                {
                    if(Words.TryWrite(offset, (uint)value))
                    {
                        return;
                    }
                    var quadOffset = offset & ~7L;
                    if(Quads.HasRegisterAtOffset(quadOffset))
                    {
                        var shift = (int)(8 * (offset & 4));
                        Quads.TryRead(quadOffset, out var old);
                        Quads.TryWrite(quadOffset, (old & ~(0xFFFF_FFFFUL << shift)) | ((value & 0xFFFF_FFFFUL) << shift));
                        return;
                    }
                }
                break;
            case 8:
                if((offset & 7) == 0 && Quads.TryWrite(offset, value))
                {
                    return;
                }
                break;
            case 1:
                if(IsByteAccessible(offset))
                {
                    var wordOffset = offset & ~3L;
                    if(Words.HasRegisterAtOffset(wordOffset))
                    {
                        var shift = (int)(8 * (offset & 3));
                        Words.TryRead(wordOffset, out var old);
                        Words.TryWrite(wordOffset, (uint)((old & ~(0xFFu << shift)) | ((uint)(value & 0xFF) << shift)));
                        return;
                    }
                    var quadOffset = offset & ~7L;
                    if(Quads.HasRegisterAtOffset(quadOffset))
                    {
                        var shift = (int)(8 * (offset & 7));
                        Quads.TryRead(quadOffset, out var old);
                        Quads.TryWrite(quadOffset, (old & ~(0xFFUL << shift)) | ((value & 0xFF) << shift));
                        return;
                    }
                }
                break;
            }
            owner.GuestError("{0}: unsupported {1}-bit write of 0x{2:X} at offset 0x{3:X}; ignored", who, size * 8, value, offset);
        }

        private bool IsByteAccessible(long offset)
        {
            foreach(var (start, end) in byteRanges)
            {
                if(offset >= start && offset < end)
                {
                    return true;
                }
            }
            return false;
        }

        private readonly IPeripheral owner;
        private readonly string who;
        private readonly List<(long Start, long End)> byteRanges = new List<(long, long)>();
    }

    /// <summary>
    /// Declares the per-interrupt register families (IGROUPR, ISENABLER, IPRIORITYR, ICFGR, NSACR, ...) once for
    /// the Distributor and the Redistributors: each register covers 32 / bitsPerInterrupt INTIDs; the INTID is
    /// derived from the offset; INTIDs the block does not implement read as zero and ignore writes.
    /// </summary>
    public static class PerInterruptRegisters
    {
        public delegate ulong FieldReader(int intid);

        public delegate void FieldWriter(int intid, ulong fieldValue);

        public static void Define(DoubleWordRegisterCollection words, long baseOffset, int registerCount, int bitsPerInterrupt,
            System.Func<int, bool> implemented, FieldReader read, FieldWriter? write, string name)
        {
            var perRegister = 32 / bitsPerInterrupt;
            var fieldMask = (1UL << bitsPerInterrupt) - 1;
            for(var n = 0; n < registerCount; n++)
            {
                var first = n * perRegister;
                words.DefineRegister(baseOffset + 4 * n).WithValueField(0, 32, name: $"{name}{n}",
                    valueProviderCallback: _ =>
                    {
                        var result = 0UL;
                        for(var i = 0; i < perRegister; i++)
                        {
                            if(implemented(first + i))
                            {
                                result |= (read(first + i) & fieldMask) << (i * bitsPerInterrupt);
                            }
                        }
                        return result;
                    },
                    writeCallback: write == null ? null : (_, value) =>
                    {
                        for(var i = 0; i < perRegister; i++)
                        {
                            if(implemented(first + i))
                            {
                                write(first + i, (value >> (i * bitsPerInterrupt)) & fieldMask);
                            }
                        }
                    });
            }
        }
    }
}
