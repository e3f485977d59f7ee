// Renode-shaped API layer: the field handles a register definition hands back (WithFlag(pos, out field) etc.).
// Value get/set touches the register's stored bits only: no mode checks, no callbacks (as in Renode).
using System;

namespace Antmicro.Renode.Core.Structure.Registers
{
    public interface IRegisterField<T>
    {
        /// <summary>The field's stored value; setting a value wider than the field throws ArgumentException.</summary>
        T Value { get; set; }

        int Width { get; }

        Action<T, T>? ReadCallback { get; set; }
        Action<T, T>? WriteCallback { get; set; }
        Action<T, T>? ChangeCallback { get; set; }
        Func<T, T>? ValueProviderCallback { get; set; }
    }

    public interface IFlagRegisterField : IRegisterField<bool>
    {
    }

    public interface IValueRegisterField : IRegisterField<ulong>
    {
    }

    public interface IEnumRegisterField<TEnum> : IRegisterField<TEnum> where TEnum : struct, IConvertible
    {
    }
}
