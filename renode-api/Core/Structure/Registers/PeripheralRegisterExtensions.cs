// Renode-shaped API layer: the fluent register-definition API (WithFlag, WithValueField, ...), as in Renode's
// PeripheralRegisterExtensions and the per-width callback extensions.
using System;

namespace Antmicro.Renode.Core.Structure.Registers
{
    public static class PeripheralRegisterExtensions
    {
        public static T WithFlag<T>(this T register, int position, FieldMode mode = FieldMode.Read | FieldMode.Write, Action<bool, bool>? readCallback = null,
            Action<bool, bool>? writeCallback = null, Action<bool, bool>? changeCallback = null, Func<bool, bool>? valueProviderCallback = null,
            bool softResettable = true, string? name = null) where T : PeripheralRegister
        {
            register.DefineFlagField(position, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, softResettable, name);
            return register;
        }

        public static T WithFlag<T>(this T register, int position, out IFlagRegisterField flagField, FieldMode mode = FieldMode.Read | FieldMode.Write,
            Action<bool, bool>? readCallback = null, Action<bool, bool>? writeCallback = null, Action<bool, bool>? changeCallback = null,
            Func<bool, bool>? valueProviderCallback = null, bool softResettable = true, string? name = null) where T : PeripheralRegister
        {
            flagField = register.DefineFlagField(position, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, softResettable, name);
            return register;
        }

        public static T WithFlags<T>(this T register, int position, int count, FieldMode mode = FieldMode.Read | FieldMode.Write,
            Action<int, bool, bool>? readCallback = null, Action<int, bool, bool>? writeCallback = null, Action<int, bool, bool>? changeCallback = null,
            Func<int, bool, bool>? valueProviderCallback = null, bool softResettable = true, string? name = null) where T : PeripheralRegister
        {
            return WithFlags(register, position, count, out _, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, softResettable, name);
        }

        public static T WithFlags<T>(this T register, int position, int count, out IFlagRegisterField[] flagFields, FieldMode mode = FieldMode.Read | FieldMode.Write,
            Action<int, bool, bool>? readCallback = null, Action<int, bool, bool>? writeCallback = null, Action<int, bool, bool>? changeCallback = null,
            Func<int, bool, bool>? valueProviderCallback = null, bool softResettable = true, string? name = null) where T : PeripheralRegister
        {
            flagFields = new IFlagRegisterField[count];
            for(var i = 0; i < count; i++)
            {
                var j = i;
                flagFields[j] = register.DefineFlagField(position + j, mode,
                    readCallback == null ? null : (x, y) => readCallback(j, x, y),
                    writeCallback == null ? null : (x, y) => writeCallback(j, x, y),
                    changeCallback == null ? null : (x, y) => changeCallback(j, x, y),
                    valueProviderCallback == null ? null : x => valueProviderCallback(j, x),
                    softResettable, name == null ? null : $"{name}_{j}");
            }
            return register;
        }

        public static T WithValueField<T>(this T register, int position, int width, FieldMode mode = FieldMode.Read | FieldMode.Write,
            Action<ulong, ulong>? readCallback = null, Action<ulong, ulong>? writeCallback = null, Action<ulong, ulong>? changeCallback = null,
            Func<ulong, ulong>? valueProviderCallback = null, bool softResettable = true, string? name = null) where T : PeripheralRegister
        {
            register.DefineValueField(position, width, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, softResettable, name);
            return register;
        }

        public static T WithValueField<T>(this T register, int position, int width, out IValueRegisterField valueField, FieldMode mode = FieldMode.Read | FieldMode.Write,
            Action<ulong, ulong>? readCallback = null, Action<ulong, ulong>? writeCallback = null, Action<ulong, ulong>? changeCallback = null,
            Func<ulong, ulong>? valueProviderCallback = null, bool softResettable = true, string? name = null) where T : PeripheralRegister
        {
            valueField = register.DefineValueField(position, width, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, softResettable, name);
            return register;
        }

        public static T WithValueFields<T>(this T register, int position, int width, int count, FieldMode mode = FieldMode.Read | FieldMode.Write,
            Action<int, ulong, ulong>? readCallback = null, Action<int, ulong, ulong>? writeCallback = null, Action<int, ulong, ulong>? changeCallback = null,
            Func<int, ulong, ulong>? valueProviderCallback = null, bool softResettable = true, string? name = null) where T : PeripheralRegister
        {
            return WithValueFields(register, position, width, count, out _, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, softResettable, name);
        }

        public static T WithValueFields<T>(this T register, int position, int width, int count, out IValueRegisterField[] valueFields, FieldMode mode = FieldMode.Read | FieldMode.Write,
            Action<int, ulong, ulong>? readCallback = null, Action<int, ulong, ulong>? writeCallback = null, Action<int, ulong, ulong>? changeCallback = null,
            Func<int, ulong, ulong>? valueProviderCallback = null, bool softResettable = true, string? name = null) where T : PeripheralRegister
        {
            valueFields = new IValueRegisterField[count];
            for(var i = 0; i < count; i++)
            {
                var j = i;
                valueFields[j] = register.DefineValueField(position + (j * width), width, mode,
                    readCallback == null ? null : (x, y) => readCallback(j, x, y),
                    writeCallback == null ? null : (x, y) => writeCallback(j, x, y),
                    changeCallback == null ? null : (x, y) => changeCallback(j, x, y),
                    valueProviderCallback == null ? null : x => valueProviderCallback(j, x),
                    softResettable, name == null ? null : $"{name}_{j}");
            }
            return register;
        }

        public static R WithEnumField<R, TEnum>(this R register, int position, int width, FieldMode mode = FieldMode.Read | FieldMode.Write,
            Action<TEnum, TEnum>? readCallback = null, Action<TEnum, TEnum>? writeCallback = null, Action<TEnum, TEnum>? changeCallback = null,
            Func<TEnum, TEnum>? valueProviderCallback = null, bool softResettable = true, string? name = null)
            where R : PeripheralRegister
            where TEnum : struct, IConvertible
        {
            register.DefineEnumField(position, width, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, softResettable, name);
            return register;
        }

        public static R WithEnumField<R, TEnum>(this R register, int position, int width, out IEnumRegisterField<TEnum> enumField, FieldMode mode = FieldMode.Read | FieldMode.Write,
            Action<TEnum, TEnum>? readCallback = null, Action<TEnum, TEnum>? writeCallback = null, Action<TEnum, TEnum>? changeCallback = null,
            Func<TEnum, TEnum>? valueProviderCallback = null, bool softResettable = true, string? name = null)
            where R : PeripheralRegister
            where TEnum : struct, IConvertible
        {
            enumField = register.DefineEnumField(position, width, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, softResettable, name);
            return register;
        }

        public static T WithTag<T>(this T register, string name, int position, int width) where T : PeripheralRegister
        {
            register.Tag(name, position, width);
            return register;
        }

        public static T WithTags<T>(this T register, string? name, int position, int width, int count) where T : PeripheralRegister
        {
            for(var i = 0; i < count; i++)
            {
                register.Tag(name == null ? null : $"{name}_{i}", position + (i * width), width);
            }
            return register;
        }

        public static T WithTaggedFlag<T>(this T register, string name, int position) where T : PeripheralRegister
        {
            register.Tag(name, position, 1);
            return register;
        }

        public static T WithTaggedFlags<T>(this T register, string? name, int position, int count) where T : PeripheralRegister
        {
            for(var i = 0; i < count; i++)
            {
                register.Tag(name == null ? null : $"{name}_{i}", position + i, 1);
            }
            return register;
        }

        /// <summary>Tags bits as RESERVED: they read as stored (the reset value) and writes of other values are logged.</summary>
        public static T WithReservedBits<T>(this T register, int position, int width, uint? allowedValue = null) where T : PeripheralRegister
        {
            register.Reserved(position, width, allowedValue);
            return register;
        }

        /// <summary>Bits that are stored but have no effect (a plain read/write field, so writes are not logged).</summary>
        public static T WithIgnoredBits<T>(this T register, int position, int width) where T : PeripheralRegister
        {
            return register.WithValueField(position, width, name: "ignored");
        }

        /// <summary>Calls <paramref name="callback"/> for start, start+step, ... below end (fluent loop).</summary>
        public static T For<T>(this T register, Action<T, int> callback, int start, int end, int step = 1) where T : PeripheralRegister
        {
            for(var i = start; i < end; i += step)
            {
                callback(register, i);
            }
            return register;
        }
    }

    public static class QuadWordRegisterExtensions
    {
        public static QuadWordRegister WithReadCallback(this QuadWordRegister register, Action<ulong, ulong> readCallback)
        {
            register.DefineReadCallback(readCallback);
            return register;
        }

        public static QuadWordRegister WithWriteCallback(this QuadWordRegister register, Action<ulong, ulong> writeCallback)
        {
            register.DefineWriteCallback(writeCallback);
            return register;
        }

        public static QuadWordRegister WithChangeCallback(this QuadWordRegister register, Action<ulong, ulong> changeCallback)
        {
            register.DefineChangeCallback(changeCallback);
            return register;
        }
    }

    public static class DoubleWordRegisterExtensions
    {
        public static DoubleWordRegister WithReadCallback(this DoubleWordRegister register, Action<uint, uint> readCallback)
        {
            register.DefineReadCallback(readCallback);
            return register;
        }

        public static DoubleWordRegister WithWriteCallback(this DoubleWordRegister register, Action<uint, uint> writeCallback)
        {
            register.DefineWriteCallback(writeCallback);
            return register;
        }

        public static DoubleWordRegister WithChangeCallback(this DoubleWordRegister register, Action<uint, uint> changeCallback)
        {
            register.DefineChangeCallback(changeCallback);
            return register;
        }
    }

    public static class WordRegisterExtensions
    {
        public static WordRegister WithReadCallback(this WordRegister register, Action<ushort, ushort> readCallback)
        {
            register.DefineReadCallback(readCallback);
            return register;
        }

        public static WordRegister WithWriteCallback(this WordRegister register, Action<ushort, ushort> writeCallback)
        {
            register.DefineWriteCallback(writeCallback);
            return register;
        }

        public static WordRegister WithChangeCallback(this WordRegister register, Action<ushort, ushort> changeCallback)
        {
            register.DefineChangeCallback(changeCallback);
            return register;
        }
    }

    public static class ByteRegisterExtensions
    {
        public static ByteRegister WithReadCallback(this ByteRegister register, Action<byte, byte> readCallback)
        {
            register.DefineReadCallback(readCallback);
            return register;
        }

        public static ByteRegister WithWriteCallback(this ByteRegister register, Action<byte, byte> writeCallback)
        {
            register.DefineWriteCallback(writeCallback);
            return register;
        }

        public static ByteRegister WithChangeCallback(this ByteRegister register, Action<byte, byte> changeCallback)
        {
            register.DefineChangeCallback(changeCallback);
            return register;
        }
    }
}
