// Renode-shaped API layer: PeripheralRegister and its 8/16/32/64-bit forms (Antmicro.Renode.Core.Structure.Registers).
//
// Semantics follow Renode's register framework: a register holds one stored value; fields (flags, values,
// enums) are non-overlapping bit ranges with a FieldMode and optional callbacks; bits outside every field read
// back as stored (the reset value) and writes to them are logged with the names of any tags covering them.
// Read: value providers run first, then ReadToClear/ReadToSet side effects, then read callbacks, change
// callbacks of fields that changed, register read callbacks and (if anything changed) register change callbacks.
// Write: each field applies its write mode, then write callbacks (old field value, written field value), change
// callbacks of changed fields, register write callbacks, register change callbacks.
//
// Unlike Renode's implementation this one does no allocation per access: fields live in an array, changed fields
// are tracked in a 64-bit mask (a register has at most 64 fields), and masks are precomputed at definition time.
using System;
using System.Collections.Generic;
using System.Numerics;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals;

namespace Antmicro.Renode.Core.Structure.Registers
{
    public interface IPeripheralRegister<T>
    {
        T Read();
        void Write(long offset, T value);
        void Reset();
    }

    public abstract partial class PeripheralRegister
    {
        /// <summary>Restores the reset value of every soft-resettable bit.</summary>
        public void Reset()
        {
            UnderlyingValue = (UnderlyingValue & ~resettableMask) | (resetValue & resettableMask);
        }

        /// <summary>Tags bits as "RESERVED" (writes of other values than <paramref name="allowedValue"/> are logged).</summary>
        public void Reserved(int position, int width, ulong? allowedValue = null)
        {
            Tag("RESERVED", position, width, allowedValue);
        }

        /// <summary>Marks an unhandled field so that writes to it are logged with its name.</summary>
        public void Tag(string? name, int position, int width, ulong? allowedValue = null)
        {
            ThrowIfRangeIllegal(position, width, name);
            if(allowedValue.HasValue && width < 64 && (allowedValue.Value >> width) != 0)
            {
                throw new ArgumentException($"Tag {name}: allowed value does not fit in {width} bits.");
            }
            tags.Add(new TagInfo(name ?? "", position, width, allowedValue));
            if(allowedValue.HasValue)
            {
                tagsWithAllowedValues++;
            }
            occupiedMask |= MaskOf(position, width);
        }

        public IFlagRegisterField DefineFlagField(int position, FieldMode mode = FieldMode.Read | FieldMode.Write, Action<bool, bool>? readCallback = null,
            Action<bool, bool>? writeCallback = null, Action<bool, bool>? changeCallback = null, Func<bool, bool>? valueProviderCallback = null,
            bool softResettable = true, string? name = null)
        {
            ThrowIfRangeIllegal(position, 1, name);
            var field = new FlagRegisterField(this, position, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, name);
            AddField(field, softResettable);
            return field;
        }

        public IValueRegisterField DefineValueField(int position, int width, FieldMode mode = FieldMode.Read | FieldMode.Write, Action<ulong, ulong>? readCallback = null,
            Action<ulong, ulong>? writeCallback = null, Action<ulong, ulong>? changeCallback = null, Func<ulong, ulong>? valueProviderCallback = null,
            bool softResettable = true, string? name = null)
        {
            ThrowIfZeroWidth(width, name);
            ThrowIfRangeIllegal(position, width, name);
            var field = new ValueRegisterField(this, position, width, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, name);
            AddField(field, softResettable);
            return field;
        }

        public IEnumRegisterField<TEnum> DefineEnumField<TEnum>(int position, int width, FieldMode mode = FieldMode.Read | FieldMode.Write, Action<TEnum, TEnum>? readCallback = null,
            Action<TEnum, TEnum>? writeCallback = null, Action<TEnum, TEnum>? changeCallback = null, Func<TEnum, TEnum>? valueProviderCallback = null,
            bool softResettable = true, string? name = null)
            where TEnum : struct, IConvertible
        {
            ThrowIfZeroWidth(width, name);
            ThrowIfRangeIllegal(position, width, name);
            var field = new EnumRegisterField<TEnum>(this, position, width, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, name);
            AddField(field, softResettable);
            return field;
        }

        public int RegisterWidth { get; }

        protected PeripheralRegister(IPeripheral? parent, ulong resetValue, bool softResettable, int width)
        {
            this.parent = parent;
            RegisterWidth = width;
            widthMask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
            if((resetValue & ~widthMask) != 0)
            {
                throw new ArgumentException($"Reset value 0x{resetValue:X} does not fit in a {width}-bit register.");
            }
            this.resetValue = resetValue;
            UnderlyingValue = resetValue;
            resettableMask = softResettable ? ulong.MaxValue : 0;
        }

        protected ulong ReadInner()
        {
            var fieldArray = fields;
            var count = fieldCount;
            if(hasValueProviders)
            {
                for(var i = 0; i < count; i++)
                {
                    UnderlyingValue = fieldArray[i].CallValueProviderHandler(UnderlyingValue);
                }
            }
            var baseValue = UnderlyingValue;
            var valueToRead = baseValue & ~unreadableMask;
            var changed = 0UL;
            if(hasReadSideEffects)
            {
                for(var i = 0; i < count; i++)
                {
                    var field = fieldArray[i];
                    if(field.Mode.IsFlagSet(FieldMode.ReadToClear) && (UnderlyingValue & field.Mask) != 0)
                    {
                        UnderlyingValue &= ~field.Mask;
                        changed |= 1UL << i;
                    }
                    else if(field.Mode.IsFlagSet(FieldMode.ReadToSet) && (UnderlyingValue & field.Mask) != field.Mask)
                    {
                        UnderlyingValue |= field.Mask;
                        changed |= 1UL << i;
                    }
                }
            }
            if(hasFieldCallbacks)
            {
                for(var i = 0; i < count; i++)
                {
                    fieldArray[i].CallReadHandler(baseValue, UnderlyingValue);
                }
                for(var bits = changed; bits != 0; bits &= bits - 1)
                {
                    fieldArray[BitOperations.TrailingZeroCount(bits)].CallChangeHandler(baseValue, UnderlyingValue);
                }
            }
            CallReadHandlers(baseValue, UnderlyingValue);
            if(changed != 0)
            {
                CallChangeHandlers(baseValue, UnderlyingValue);
            }
            return valueToRead;
        }

        protected void WriteInner(long offset, ulong value)
        {
            value &= widthMask;
            var baseValue = UnderlyingValue;
            var difference = baseValue ^ value;
            var changed = 0UL;
            var fieldArray = fields;
            var count = fieldCount;
            for(var i = 0; i < count; i++)
            {
                var field = fieldArray[i];
                var mask = field.Mask;
                var current = UnderlyingValue;
                ulong next;
                switch(field.Mode.WriteBits())
                {
                case FieldMode.Write:
                    next = (current & ~mask) | (value & mask);
                    break;
                case FieldMode.Set:
                    next = current | (value & mask);
                    break;
                case FieldMode.Toggle:
                    next = current ^ (value & mask);
                    break;
                case FieldMode.WriteOneToClear:
                    next = current & ~(value & mask);
                    break;
                case FieldMode.WriteZeroToClear:
                    next = current & ~(~value & mask);
                    break;
                case FieldMode.WriteZeroToSet:
                    next = current | (~value & mask);
                    break;
                case FieldMode.WriteZeroToToggle:
                    next = current ^ (~value & mask);
                    break;
                case FieldMode.WriteToClear:
                    next = current & ~mask;
                    break;
                case FieldMode.WriteToSet:
                    next = current | mask;
                    break;
                default:
                    continue;
                }
                if(next != current)
                {
                    UnderlyingValue = next;
                    changed |= 1UL << i;
                }
            }
            if(hasFieldCallbacks)
            {
                for(var i = 0; i < count; i++)
                {
                    fieldArray[i].CallWriteHandler(baseValue, value);
                }
                for(var bits = changed; bits != 0; bits &= bits - 1)
                {
                    fieldArray[BitOperations.TrailingZeroCount(bits)].CallChangeHandler(baseValue, UnderlyingValue);
                }
            }
            CallWriteHandlers(baseValue, value);
            if(changed != 0)
            {
                CallChangeHandlers(baseValue, UnderlyingValue);
            }

            var unhandledWrites = difference & ~definedFieldsMask;
            if(unhandledWrites != 0 && parent != null)
            {
                parent.Log(LogLevel.Warning, DescribeUnhandledWrite(offset, unhandledWrites, value));
            }
            if(tagsWithAllowedValues > 0 && parent != null)
            {
                CheckAllowedTagValues(offset, value);
            }
        }

        protected static void CallHandlers<T>(List<Action<T, T>> handlers, T oldValue, T newValue)
        {
            foreach(var handler in handlers)
            {
                handler(oldValue, newValue);
            }
        }

        protected abstract void CallWriteHandlers(ulong oldValue, ulong newValue);
        protected abstract void CallReadHandlers(ulong oldValue, ulong newValue);
        protected abstract void CallChangeHandlers(ulong oldValue, ulong newValue);

        /// <summary>The stored bits of the register (Renode exposes the same protected field).</summary>
        protected ulong UnderlyingValue;

        private static ulong MaskOf(int position, int width)
        {
            return (width >= 64 ? ulong.MaxValue : (1UL << width) - 1) << position;
        }

        private void AddField(RegisterField field, bool softResettable)
        {
            if(fieldCount == fields.Length)
            {
                Array.Resize(ref fields, Math.Max(4, fields.Length * 2));
            }
            fields[fieldCount++] = field;
            definedFieldsMask |= field.Mask;
            occupiedMask |= field.Mask;
            if(!field.Mode.IsReadable())
            {
                unreadableMask |= field.Mask;
            }
            if(field.Mode.IsFlagSet(FieldMode.ReadToClear) || field.Mode.IsFlagSet(FieldMode.ReadToSet))
            {
                hasReadSideEffects = true;
            }
            if(!softResettable)
            {
                resettableMask &= ~field.Mask;
            }
            hasValueProviders |= field.HasValueProvider;
            hasFieldCallbacks = true;
        }

        private string DescribeUnhandledWrite(long offset, ulong unhandledMask, ulong written)
        {
            var tagText = new List<string>();
            foreach(var tag in tags)
            {
                var mask = MaskOf(tag.Position, tag.Width);
                if((unhandledMask & mask) != 0)
                {
                    tagText.Add($"{tag.Name} (0x{(written & mask) >> tag.Position:X})");
                }
            }
            var bits = new List<int>();
            for(var rest = unhandledMask; rest != 0; rest &= rest - 1)
            {
                bits.Add(BitOperations.TrailingZeroCount(rest));
            }
            var suffix = tagText.Count > 0 ? $" Tags: {string.Join(", ", tagText)}." : "";
            return $"Unhandled write to offset 0x{offset:X}. Unhandled bits: [{string.Join(", ", bits)}] when writing value 0x{written:X}.{suffix}";
        }

        private void CheckAllowedTagValues(long offset, ulong written)
        {
            foreach(var tag in tags)
            {
                if(!tag.AllowedValue.HasValue)
                {
                    continue;
                }
                var mask = MaskOf(tag.Position, tag.Width);
                var actual = (written & mask) >> tag.Position;
                if(actual != tag.AllowedValue.Value)
                {
                    parent!.Log(LogLevel.Error, $"Invalid value written to offset 0x{offset:X} reserved bits {tag.Name}: allowed 0x{tag.AllowedValue.Value:X}, written 0x{actual:X}.");
                }
            }
        }

        private void ThrowIfRangeIllegal(int position, int width, string? name)
        {
            if(width < 0 || position < 0)
            {
                throw new ArgumentException($"Field {Describe(name, position, width)} has a negative position or width.");
            }
            if(position + width > RegisterWidth)
            {
                throw new ArgumentException($"Field {Describe(name, position, width)} does not fit in the register size.");
            }
            if(width > 0 && (occupiedMask & MaskOf(position, width)) != 0)
            {
                throw new ArgumentException($"Field {Describe(name, position, width)} intersects with another range.");
            }
        }

        private static void ThrowIfZeroWidth(int width, string? name)
        {
            if(width == 0)
            {
                throw new ArgumentException($"Field {name ?? "(unnamed)"} has to have a size not equal to 0.");
            }
        }

        private static string Describe(string? name, int position, int width)
        {
            return name ?? $"at {position} of {width} bits";
        }

        private readonly IPeripheral? parent;
        private readonly ulong resetValue;
        private readonly ulong widthMask;
        private readonly List<TagInfo> tags = new List<TagInfo>();
        private RegisterField[] fields = Array.Empty<RegisterField>();
        private int fieldCount;
        private ulong definedFieldsMask;
        private ulong occupiedMask;
        private ulong unreadableMask;
        private ulong resettableMask;
        private bool hasValueProviders;
        private bool hasReadSideEffects;
        private bool hasFieldCallbacks;
        private int tagsWithAllowedValues;

        private readonly record struct TagInfo(string Name, int Position, int Width, ulong? AllowedValue);
    }
}
