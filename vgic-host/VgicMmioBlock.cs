// The register table of one emulated GIC frame: 32-bit registers, 64-bit registers (32-bit halves allowed), and
// byte access only where a frame declares it (IPRIORITYR), as IHI 0069 12.1.3 and the physical model's
// GicMmioBlock. Anything else reads as zero, ignores the write and is logged as a guest error.
using System.Collections.Generic;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals;

namespace RenodeGic.VgicHost
{
    internal sealed class VgicMmioBlock
    {
        public VgicMmioBlock(IPeripheral owner, string who)
        {
            this.owner = owner;
            this.who = who;
            Words = new DoubleWordRegisterCollection(owner);
            Quads = new QuadWordRegisterCollection(owner);
        }

        public DoubleWordRegisterCollection Words { get; }

        public QuadWordRegisterCollection Quads { get; }

        public void AllowByteAccess(long start, long length) => byteRanges.Add((start, start + length));

        /// <summary>A family of 32-bit registers with <paramref name="bits"/> bits per interrupt (IGROUPR, ISENABLER, IPRIORITYR, ICFGR...).</summary>
        public void DefinePerInterrupt(long offset, int count, int bits, System.Func<int, ulong> read, System.Action<int, ulong>? write, string name)
        {
            var perRegister = 32 / bits;
            var mask = (1UL << bits) - 1;
            for(var n = 0; n < count; n++)
            {
                var first = n * perRegister;
                Words.DefineRegister(offset + 4 * n).WithValueField(0, 32, name: $"{name}{n}",
                    valueProviderCallback: _ =>
                    {
                        ulong value = 0;
                        for(var i = 0; i < perRegister; i++)
                        {
                            value |= (read(first + i) & mask) << (i * bits);
                        }
                        return value;
                    },
                    writeCallback: write == null ? null : (_, value) =>
                    {
                        for(var i = 0; i < perRegister; i++)
                        {
                            write(first + i, (value >> (i * bits)) & mask);
                        }
                    });
            }
        }

        public ulong Read(long offset, int size)
        {
            switch(size)
            {
            case 4 when(offset & 3) == 0:
                if(Words.TryRead(offset, out var word))
                {
                    return word;
                }
                if(Quads.TryRead(offset & ~7L, out var quad))
                {
                    return (uint)(quad >> (int)(8 * (offset & 4)));
                }
                break;
            case 8 when(offset & 7) == 0:
                if(Quads.TryRead(offset, out var value))
                {
                    return value;
                }
                break;
            case 1 when IsByteAccessible(offset):
                if(Words.TryRead(offset & ~3L, out var containing))
                {
                    return (byte)(containing >> (int)(8 * (offset & 3)));
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
            case 4 when(offset & 3) == 0:
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
                break;
            case 8 when(offset & 7) == 0:
                if(Quads.TryWrite(offset, value))
                {
                    return;
                }
                break;
            case 1 when IsByteAccessible(offset):
                var wordOffset = offset & ~3L;
                if(Words.HasRegisterAtOffset(wordOffset))
                {
                    var shift = (int)(8 * (offset & 3));
                    Words.TryRead(wordOffset, out var old);
                    Words.TryWrite(wordOffset, (uint)((old & ~(0xFFu << shift)) | ((uint)(value & 0xFF) << shift)));
                    return;
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
}
