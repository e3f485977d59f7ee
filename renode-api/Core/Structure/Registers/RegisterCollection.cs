// Renode-shaped API layer: register collections (offset -> register maps) for each access width, with the
// Renode hook API, plus IProvidesRegisterCollection.
//
// Lookup is allocation-free: after the map changes, the next access builds a dense array over the offset range
// (index = (offset - lowest) >> shift, shift = the largest power of two dividing every offset difference) when
// that array stays small (at most 64K entries and 64 slots per register), and falls back to the dictionary otherwise.
using System;
using System.Collections.Generic;
using System.Numerics;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals;

namespace Antmicro.Renode.Core.Structure.Registers
{
    public interface IRegisterCollection
    {
        void Reset();

        void RemoveBeforeReadHook(long offset);
        void RemoveAfterReadHook(long offset);
        void RemoveBeforeWriteHook(long offset);
        void RemoveAfterWriteHook(long offset);
    }

    public interface IRegisterCollection<T> : IRegisterCollection where T : struct
    {
        void AddBeforeReadHook(long offset, Func<long, T?> hook);
        void AddAfterReadHook(long offset, Func<long, T, T?> hook);
        void AddBeforeWriteHook(long offset, Func<long, T, T?> hook);
        void AddAfterWriteHook(long offset, Action<long, T> hook);
    }

    public interface IProvidesRegisterCollection<T> where T : IRegisterCollection
    {
        T RegistersCollection { get; }
    }

    public abstract class BaseRegisterCollection<T, R> : IRegisterCollection<T>
        where R : PeripheralRegister, IPeripheralRegister<T>
        where T : struct
    {
        protected BaseRegisterCollection(IPeripheral? parent, IDictionary<long, R>? registersMap = null)
        {
            this.parent = parent;
            if(registersMap != null)
            {
                foreach(var pair in registersMap)
                {
                    AddRegister(pair.Key, pair.Value);
                }
            }
        }

        /// <summary>Reads the register at <paramref name="offset"/>; an unknown offset logs and reads 0.</summary>
        public T Read(long offset)
        {
            if(TryRead(offset, out var result))
            {
                return result;
            }
            parent?.LogUnhandledRead(offset);
            return default;
        }

        public bool TryRead(long offset, out T result)
        {
            if(hookCount > 0)
            {
                return TryReadWithHooks(offset, out result);
            }
            var register = Find(offset);
            if(register == null)
            {
                result = default;
                return false;
            }
            result = register.Read();
            return true;
        }

        /// <summary>Writes the register at <paramref name="offset"/>; an unknown offset logs and is ignored.</summary>
        public void Write(long offset, T value)
        {
            if(!TryWrite(offset, value))
            {
                parent?.LogUnhandledWrite(offset, ToUInt64(value));
            }
        }

        public bool TryWrite(long offset, T value)
        {
            var register = Find(offset);
            if(register == null)
            {
                return false;
            }
            if(hookCount > 0 && beforeWriteHooks.TryGetValue(offset, out var before))
            {
                value = before(offset, value) ?? value;
            }
            register.Write(offset, value);
            if(hookCount > 0 && afterWriteHooks.TryGetValue(offset, out var after))
            {
                after(offset, value);
            }
            return true;
        }

        public bool HasRegisterAtOffset(long offset)
        {
            return registers.ContainsKey(offset);
        }

        /// <summary>The register at <paramref name="offset"/>, or null.</summary>
        public R? GetRegister(long offset)
        {
            return Find(offset);
        }

        public void Reset()
        {
            foreach(var register in registers.Values)
            {
                register.Reset();
            }
        }

        public R DefineRegister(long offset, T resetValue = default, bool softResettable = true)
        {
            return AddRegister(offset, CreateRegister(parent, ToUInt64(resetValue), softResettable));
        }

        public R AddRegister(long offset, R register)
        {
            if(registers.ContainsKey(offset))
            {
                throw new ArgumentException($"A register is already defined at offset 0x{offset:X}.");
            }
            registers.Add(offset, register);
            dense = null;
            return register;
        }

        public void AddBeforeReadHook(long offset, Func<long, T?> hook)
        {
            AddHook(beforeReadHooks, offset, hook, "Before-read");
        }

        public void AddAfterReadHook(long offset, Func<long, T, T?> hook)
        {
            AddHook(afterReadHooks, offset, hook, "After-read");
        }

        public void AddBeforeWriteHook(long offset, Func<long, T, T?> hook)
        {
            AddHook(beforeWriteHooks, offset, hook, "Before-write");
        }

        public void AddAfterWriteHook(long offset, Action<long, T> hook)
        {
            AddHook(afterWriteHooks, offset, hook, "After-write");
        }

        public void RemoveBeforeReadHook(long offset)
        {
            RemoveHook(beforeReadHooks, offset, "Before-read");
        }

        public void RemoveAfterReadHook(long offset)
        {
            RemoveHook(afterReadHooks, offset, "After-read");
        }

        public void RemoveBeforeWriteHook(long offset)
        {
            RemoveHook(beforeWriteHooks, offset, "Before-write");
        }

        public void RemoveAfterWriteHook(long offset)
        {
            RemoveHook(afterWriteHooks, offset, "After-write");
        }

        protected abstract R CreateRegister(IPeripheral? owner, ulong resetValue, bool softResettable);

        protected abstract ulong ToUInt64(T value);

        private bool TryReadWithHooks(long offset, out T result)
        {
            if(beforeReadHooks.TryGetValue(offset, out var before))
            {
                var early = before(offset);
                if(early.HasValue)
                {
                    result = early.Value;
                    return true;
                }
            }
            T? output = null;
            var register = Find(offset);
            if(register != null)
            {
                output = register.Read();
            }
            if(afterReadHooks.TryGetValue(offset, out var after))
            {
                var overridden = after(offset, output ?? default);
                if(overridden.HasValue)
                {
                    output = overridden;
                }
            }
            result = output ?? default;
            return output.HasValue;
        }

        private R? Find(long offset)
        {
            if(dense == null && !denseUnusable)
            {
                BuildDense();
            }
            if(dense != null)
            {
                var delta = (ulong)(offset - denseBase);
                if((delta & denseAlignMask) != 0)
                {
                    return null;
                }
                var index = delta >> denseShift;
                return index < (ulong)dense.Length ? dense[index] : null;
            }
            return registers.TryGetValue(offset, out var register) ? register : null;
        }

        private void BuildDense()
        {
            denseUnusable = false;
            if(registers.Count == 0)
            {
                dense = Array.Empty<R?>();
                denseBase = 0;
                denseShift = 0;
                denseAlignMask = 0;
                return;
            }
            var lowest = long.MaxValue;
            var highest = long.MinValue;
            foreach(var offset in registers.Keys)
            {
                lowest = Math.Min(lowest, offset);
                highest = Math.Max(highest, offset);
            }
            var differences = 0UL;
            foreach(var offset in registers.Keys)
            {
                differences |= (ulong)(offset - lowest);
            }
            var shift = differences == 0 ? 0 : BitOperations.TrailingZeroCount(differences);
            var length = ((ulong)(highest - lowest) >> shift) + 1;
            if(length > MaximumDenseLength || length > (ulong)registers.Count * 64)
            {
                denseUnusable = true;
                dense = null;
                return;
            }
            var array = new R?[length];
            foreach(var pair in registers)
            {
                array[(ulong)(pair.Key - lowest) >> shift] = pair.Value;
            }
            denseBase = lowest;
            denseShift = shift;
            denseAlignMask = (1UL << shift) - 1;
            dense = array;
        }

        private void AddHook<THook>(Dictionary<long, THook> hooks, long offset, THook hook, string kind)
        {
            if(hooks.ContainsKey(offset))
            {
                throw new InvalidOperationException($"{kind} hook for 0x{offset:X} is already registered");
            }
            hooks.Add(offset, hook);
            hookCount++;
        }

        private void RemoveHook<THook>(Dictionary<long, THook> hooks, long offset, string kind)
        {
            if(!hooks.Remove(offset))
            {
                throw new InvalidOperationException($"{kind} hook for 0x{offset:X} doesn't exist");
            }
            hookCount--;
        }

        private const ulong MaximumDenseLength = 1 << 16;

        private readonly IPeripheral? parent;
        private readonly Dictionary<long, R> registers = new Dictionary<long, R>();
        private readonly Dictionary<long, Func<long, T?>> beforeReadHooks = new Dictionary<long, Func<long, T?>>();
        private readonly Dictionary<long, Func<long, T, T?>> afterReadHooks = new Dictionary<long, Func<long, T, T?>>();
        private readonly Dictionary<long, Func<long, T, T?>> beforeWriteHooks = new Dictionary<long, Func<long, T, T?>>();
        private readonly Dictionary<long, Action<long, T>> afterWriteHooks = new Dictionary<long, Action<long, T>>();
        private int hookCount;
        private R?[]? dense;
        private bool denseUnusable;
        private long denseBase;
        private int denseShift;
        private ulong denseAlignMask;
    }

    public sealed class QuadWordRegisterCollection : BaseRegisterCollection<ulong, QuadWordRegister>
    {
        public QuadWordRegisterCollection(IPeripheral? parent, IDictionary<long, QuadWordRegister>? registersMap = null) : base(parent, registersMap)
        {
        }

        protected override QuadWordRegister CreateRegister(IPeripheral? owner, ulong resetValue, bool softResettable) => new QuadWordRegister(owner, resetValue, softResettable);

        protected override ulong ToUInt64(ulong value) => value;
    }

    public sealed class DoubleWordRegisterCollection : BaseRegisterCollection<uint, DoubleWordRegister>
    {
        public DoubleWordRegisterCollection(IPeripheral? parent, IDictionary<long, DoubleWordRegister>? registersMap = null) : base(parent, registersMap)
        {
        }

        protected override DoubleWordRegister CreateRegister(IPeripheral? owner, ulong resetValue, bool softResettable) => new DoubleWordRegister(owner, resetValue, softResettable);

        protected override ulong ToUInt64(uint value) => value;
    }

    public sealed class WordRegisterCollection : BaseRegisterCollection<ushort, WordRegister>
    {
        public WordRegisterCollection(IPeripheral? parent, IDictionary<long, WordRegister>? registersMap = null) : base(parent, registersMap)
        {
        }

        protected override WordRegister CreateRegister(IPeripheral? owner, ulong resetValue, bool softResettable) => new WordRegister(owner, resetValue, softResettable);

        protected override ulong ToUInt64(ushort value) => value;
    }

    public sealed class ByteRegisterCollection : BaseRegisterCollection<byte, ByteRegister>
    {
        public ByteRegisterCollection(IPeripheral? parent, IDictionary<long, ByteRegister>? registersMap = null) : base(parent, registersMap)
        {
        }

        protected override ByteRegister CreateRegister(IPeripheral? owner, ulong resetValue, bool softResettable) => new ByteRegister(owner, resetValue, softResettable);

        protected override ulong ToUInt64(byte value) => value;
    }
}
