// Renode-shaped API layer: the field objects behind IFlagRegisterField, IValueRegisterField and
// IEnumRegisterField. Each knows its bit range (position, width, precomputed mask) and converts between the
// register's raw bits and its typed value.
using System;
using System.Runtime.CompilerServices;

namespace Antmicro.Renode.Core.Structure.Registers
{
    public abstract partial class PeripheralRegister
    {
        private abstract class RegisterField
        {
            protected RegisterField(PeripheralRegister parent, int position, int width, FieldMode mode, string? name)
            {
                if(!mode.IsValid())
                {
                    throw new ArgumentException($"Invalid FieldMode for register field {name}: {mode}.");
                }
                Parent = parent;
                Position = position;
                FieldWidth = width;
                Mode = mode;
                Name = name;
                Mask = (width >= 64 ? ulong.MaxValue : (1UL << width) - 1) << position;
            }

            public abstract void CallReadHandler(ulong oldValue, ulong newValue);
            public abstract void CallWriteHandler(ulong oldValue, ulong newValue);
            public abstract void CallChangeHandler(ulong oldValue, ulong newValue);
            public abstract ulong CallValueProviderHandler(ulong currentValue);
            public abstract bool HasValueProvider { get; }

            public readonly PeripheralRegister Parent;
            public readonly int Position;
            public readonly int FieldWidth;
            public readonly FieldMode Mode;
            public readonly string? Name;
            public readonly ulong Mask;

            protected ulong Extract(ulong registerValue)
            {
                return (registerValue & Mask) >> Position;
            }

            protected ulong Deposit(ulong registerValue, ulong fieldValue)
            {
                return (registerValue & ~Mask) | ((fieldValue << Position) & Mask);
            }
        }

        private abstract class RegisterField<T> : RegisterField, IRegisterField<T>
        {
            protected RegisterField(PeripheralRegister parent, int position, int width, FieldMode mode, Action<T, T>? readCallback,
                Action<T, T>? writeCallback, Action<T, T>? changeCallback, Func<T, T>? valueProviderCallback, string? name)
                : base(parent, position, width, mode, name)
            {
                if(!mode.IsReadable() && valueProviderCallback != null)
                {
                    throw new ArgumentException($"Field {name}: a write-only field cannot provide a value callback.");
                }
                ReadCallback = readCallback;
                WriteCallback = writeCallback;
                ChangeCallback = changeCallback;
                ValueProviderCallback = valueProviderCallback;
            }

            public T Value
            {
                get => FromBinary(Extract(Parent.UnderlyingValue));
                set
                {
                    var binary = ToBinary(value);
                    if(FieldWidth < 64 && (binary >> FieldWidth) != 0)
                    {
                        throw new ArgumentException($"Value {value} exceeds the {FieldWidth}-bit field {Name}.");
                    }
                    Parent.UnderlyingValue = Deposit(Parent.UnderlyingValue, binary);
                }
            }

            public int Width => FieldWidth;

            public Action<T, T>? ReadCallback { get; set; }
            public Action<T, T>? WriteCallback { get; set; }
            public Action<T, T>? ChangeCallback { get; set; }
            public Func<T, T>? ValueProviderCallback { get; set; }

            public override bool HasValueProvider => ValueProviderCallback != null;

            public override void CallReadHandler(ulong oldValue, ulong newValue)
            {
                ReadCallback?.Invoke(FromBinary(Extract(oldValue)), FromBinary(Extract(newValue)));
            }

            public override void CallWriteHandler(ulong oldValue, ulong newValue)
            {
                WriteCallback?.Invoke(FromBinary(Extract(oldValue)), FromBinary(Extract(newValue)));
            }

            public override void CallChangeHandler(ulong oldValue, ulong newValue)
            {
                ChangeCallback?.Invoke(FromBinary(Extract(oldValue)), FromBinary(Extract(newValue)));
            }

            public override ulong CallValueProviderHandler(ulong currentValue)
            {
                var provider = ValueProviderCallback;
                if(provider == null)
                {
                    return currentValue;
                }
                return Deposit(currentValue, ToBinary(provider(FromBinary(Extract(currentValue)))));
            }

            public override string ToString()
            {
                return $"[RegisterType<{typeof(T).Name}> Value={Value} Width={Width}]";
            }

            protected abstract T FromBinary(ulong value);
            protected abstract ulong ToBinary(T value);
        }

        private sealed class FlagRegisterField : RegisterField<bool>, IFlagRegisterField
        {
            public FlagRegisterField(PeripheralRegister parent, int position, FieldMode mode, Action<bool, bool>? readCallback,
                Action<bool, bool>? writeCallback, Action<bool, bool>? changeCallback, Func<bool, bool>? valueProviderCallback, string? name)
                : base(parent, position, 1, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, name)
            {
            }

            protected override bool FromBinary(ulong value) => value != 0;

            protected override ulong ToBinary(bool value) => value ? 1UL : 0UL;
        }

        private sealed class ValueRegisterField : RegisterField<ulong>, IValueRegisterField
        {
            public ValueRegisterField(PeripheralRegister parent, int position, int width, FieldMode mode, Action<ulong, ulong>? readCallback,
                Action<ulong, ulong>? writeCallback, Action<ulong, ulong>? changeCallback, Func<ulong, ulong>? valueProviderCallback, string? name)
                : base(parent, position, width, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, name)
            {
            }

            protected override ulong FromBinary(ulong value) => value;

            protected override ulong ToBinary(ulong value) => value;
        }

        private sealed class EnumRegisterField<TEnum> : RegisterField<TEnum>, IEnumRegisterField<TEnum> where TEnum : struct, IConvertible
        {
            public EnumRegisterField(PeripheralRegister parent, int position, int width, FieldMode mode, Action<TEnum, TEnum>? readCallback,
                Action<TEnum, TEnum>? writeCallback, Action<TEnum, TEnum>? changeCallback, Func<TEnum, TEnum>? valueProviderCallback, string? name)
                : base(parent, position, width, mode, readCallback, writeCallback, changeCallback, valueProviderCallback, name)
            {
            }

            protected override TEnum FromBinary(ulong value) => EnumBits<TEnum>.FromUInt64(value);

            protected override ulong ToBinary(TEnum value) => EnumBits<TEnum>.ToUInt64(value);
        }
    }

    /// <summary>Allocation-free conversion between an enum (or other small struct) and its raw bits.</summary>
    internal static class EnumBits<TEnum> where TEnum : struct
    {
        public static ulong ToUInt64(TEnum value)
        {
            switch(Unsafe.SizeOf<TEnum>())
            {
            case 1:
                return Unsafe.As<TEnum, byte>(ref value);
            case 2:
                return Unsafe.As<TEnum, ushort>(ref value);
            case 4:
                return Unsafe.As<TEnum, uint>(ref value);
            default:
                return Unsafe.As<TEnum, ulong>(ref value);
            }
        }

        public static TEnum FromUInt64(ulong value)
        {
            switch(Unsafe.SizeOf<TEnum>())
            {
            case 1:
                {
                    var b = (byte)value;
                    return Unsafe.As<byte, TEnum>(ref b);
                }
            case 2:
                {
                    var w = (ushort)value;
                    return Unsafe.As<ushort, TEnum>(ref w);
                }
            case 4:
                {
                    var d = (uint)value;
                    return Unsafe.As<uint, TEnum>(ref d);
                }
            default:
                return Unsafe.As<ulong, TEnum>(ref value);
            }
        }
    }
}
