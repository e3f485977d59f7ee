// Renode-shaped API layer: the concrete 64/32/16/8-bit registers (generated from one template, so the four
// widths cannot drift apart). Constructor shape as in Renode: (IPeripheral parent, ulong resetValue = 0,
// bool softResettable = true).
using System;
using System.Collections.Generic;
using Antmicro.Renode.Peripherals;

namespace Antmicro.Renode.Core.Structure.Registers
{
    /// <summary>64-bit <see cref="PeripheralRegister"/>.</summary>
    public sealed class QuadWordRegister : PeripheralRegister, IPeripheralRegister<ulong>
    {
        /// <summary>A register with one read/write field covering all bits.</summary>
        public static QuadWordRegister CreateRWRegister(ulong resetValue = 0, string? name = null, bool softResettable = true)
        {
            var register = new QuadWordRegister(null, resetValue, softResettable);
            register.DefineValueField(0, register.RegisterWidth, name: name);
            return register;
        }

        public QuadWordRegister(IPeripheral? parent, ulong resetValue = 0, bool softResettable = true) : base(parent, resetValue, softResettable, QuadWordWidth)
        {
        }

        /// <summary>Reads the register: modes are applied and callbacks run.</summary>
        public ulong Read()
        {
            return (ulong)ReadInner();
        }

        /// <summary>Writes the register: modes are applied and callbacks run.</summary>
        public void Write(long offset, ulong value)
        {
            WriteInner(offset, value);
        }

        /// <summary>Called once per read with (value before, value after).</summary>
        public void DefineReadCallback(Action<ulong, ulong> readCallback)
        {
            (readCallbacks ??= new List<Action<ulong, ulong>>()).Add(readCallback);
        }

        /// <summary>Called once per write with (value before, value written).</summary>
        public void DefineWriteCallback(Action<ulong, ulong> writeCallback)
        {
            (writeCallbacks ??= new List<Action<ulong, ulong>>()).Add(writeCallback);
        }

        /// <summary>Called when a read or write changed the stored value, with (value before, value after).</summary>
        public void DefineChangeCallback(Action<ulong, ulong> changeCallback)
        {
            (changeCallbacks ??= new List<Action<ulong, ulong>>()).Add(changeCallback);
        }

        /// <summary>The stored value, without modes or callbacks.</summary>
        public ulong Value
        {
            get => (ulong)UnderlyingValue;
            set => UnderlyingValue = value;
        }

        public const int QuadWordWidth = 64;

        protected override void CallChangeHandlers(ulong oldValue, ulong newValue)
        {
            if(changeCallbacks != null)
            {
                CallHandlers(changeCallbacks, (ulong)oldValue, (ulong)newValue);
            }
        }

        protected override void CallReadHandlers(ulong oldValue, ulong newValue)
        {
            if(readCallbacks != null)
            {
                CallHandlers(readCallbacks, (ulong)oldValue, (ulong)newValue);
            }
        }

        protected override void CallWriteHandlers(ulong oldValue, ulong newValue)
        {
            if(writeCallbacks != null)
            {
                CallHandlers(writeCallbacks, (ulong)oldValue, (ulong)newValue);
            }
        }

        private List<Action<ulong, ulong>>? readCallbacks;
        private List<Action<ulong, ulong>>? writeCallbacks;
        private List<Action<ulong, ulong>>? changeCallbacks;
    }

    /// <summary>32-bit <see cref="PeripheralRegister"/>.</summary>
    public sealed class DoubleWordRegister : PeripheralRegister, IPeripheralRegister<uint>
    {
        /// <summary>A register with one read/write field covering all bits.</summary>
        public static DoubleWordRegister CreateRWRegister(ulong resetValue = 0, string? name = null, bool softResettable = true)
        {
            var register = new DoubleWordRegister(null, resetValue, softResettable);
            register.DefineValueField(0, register.RegisterWidth, name: name);
            return register;
        }

        public DoubleWordRegister(IPeripheral? parent, ulong resetValue = 0, bool softResettable = true) : base(parent, resetValue, softResettable, DoubleWordWidth)
        {
        }

        /// <summary>Reads the register: modes are applied and callbacks run.</summary>
        public uint Read()
        {
            return (uint)ReadInner();
        }

        /// <summary>Writes the register: modes are applied and callbacks run.</summary>
        public void Write(long offset, uint value)
        {
            WriteInner(offset, value);
        }

        /// <summary>Called once per read with (value before, value after).</summary>
        public void DefineReadCallback(Action<uint, uint> readCallback)
        {
            (readCallbacks ??= new List<Action<uint, uint>>()).Add(readCallback);
        }

        /// <summary>Called once per write with (value before, value written).</summary>
        public void DefineWriteCallback(Action<uint, uint> writeCallback)
        {
            (writeCallbacks ??= new List<Action<uint, uint>>()).Add(writeCallback);
        }

        /// <summary>Called when a read or write changed the stored value, with (value before, value after).</summary>
        public void DefineChangeCallback(Action<uint, uint> changeCallback)
        {
            (changeCallbacks ??= new List<Action<uint, uint>>()).Add(changeCallback);
        }

        /// <summary>The stored value, without modes or callbacks.</summary>
        public uint Value
        {
            get => (uint)UnderlyingValue;
            set => UnderlyingValue = value;
        }

        public const int DoubleWordWidth = 32;

        protected override void CallChangeHandlers(ulong oldValue, ulong newValue)
        {
            if(changeCallbacks != null)
            {
                CallHandlers(changeCallbacks, (uint)oldValue, (uint)newValue);
            }
        }

        protected override void CallReadHandlers(ulong oldValue, ulong newValue)
        {
            if(readCallbacks != null)
            {
                CallHandlers(readCallbacks, (uint)oldValue, (uint)newValue);
            }
        }

        protected override void CallWriteHandlers(ulong oldValue, ulong newValue)
        {
            if(writeCallbacks != null)
            {
                CallHandlers(writeCallbacks, (uint)oldValue, (uint)newValue);
            }
        }

        private List<Action<uint, uint>>? readCallbacks;
        private List<Action<uint, uint>>? writeCallbacks;
        private List<Action<uint, uint>>? changeCallbacks;
    }

    /// <summary>16-bit <see cref="PeripheralRegister"/>.</summary>
    public sealed class WordRegister : PeripheralRegister, IPeripheralRegister<ushort>
    {
        /// <summary>A register with one read/write field covering all bits.</summary>
        public static WordRegister CreateRWRegister(ulong resetValue = 0, string? name = null, bool softResettable = true)
        {
            var register = new WordRegister(null, resetValue, softResettable);
            register.DefineValueField(0, register.RegisterWidth, name: name);
            return register;
        }

        public WordRegister(IPeripheral? parent, ulong resetValue = 0, bool softResettable = true) : base(parent, resetValue, softResettable, WordWidth)
        {
        }

        /// <summary>Reads the register: modes are applied and callbacks run.</summary>
        public ushort Read()
        {
            return (ushort)ReadInner();
        }

        /// <summary>Writes the register: modes are applied and callbacks run.</summary>
        public void Write(long offset, ushort value)
        {
            WriteInner(offset, value);
        }

        /// <summary>Called once per read with (value before, value after).</summary>
        public void DefineReadCallback(Action<ushort, ushort> readCallback)
        {
            (readCallbacks ??= new List<Action<ushort, ushort>>()).Add(readCallback);
        }

        /// <summary>Called once per write with (value before, value written).</summary>
        public void DefineWriteCallback(Action<ushort, ushort> writeCallback)
        {
            (writeCallbacks ??= new List<Action<ushort, ushort>>()).Add(writeCallback);
        }

        /// <summary>Called when a read or write changed the stored value, with (value before, value after).</summary>
        public void DefineChangeCallback(Action<ushort, ushort> changeCallback)
        {
            (changeCallbacks ??= new List<Action<ushort, ushort>>()).Add(changeCallback);
        }

        /// <summary>The stored value, without modes or callbacks.</summary>
        public ushort Value
        {
            get => (ushort)UnderlyingValue;
            set => UnderlyingValue = value;
        }

        public const int WordWidth = 16;

        protected override void CallChangeHandlers(ulong oldValue, ulong newValue)
        {
            if(changeCallbacks != null)
            {
                CallHandlers(changeCallbacks, (ushort)oldValue, (ushort)newValue);
            }
        }

        protected override void CallReadHandlers(ulong oldValue, ulong newValue)
        {
            if(readCallbacks != null)
            {
                CallHandlers(readCallbacks, (ushort)oldValue, (ushort)newValue);
            }
        }

        protected override void CallWriteHandlers(ulong oldValue, ulong newValue)
        {
            if(writeCallbacks != null)
            {
                CallHandlers(writeCallbacks, (ushort)oldValue, (ushort)newValue);
            }
        }

        private List<Action<ushort, ushort>>? readCallbacks;
        private List<Action<ushort, ushort>>? writeCallbacks;
        private List<Action<ushort, ushort>>? changeCallbacks;
    }

    /// <summary>8-bit <see cref="PeripheralRegister"/>.</summary>
    public sealed class ByteRegister : PeripheralRegister, IPeripheralRegister<byte>
    {
        /// <summary>A register with one read/write field covering all bits.</summary>
        public static ByteRegister CreateRWRegister(ulong resetValue = 0, string? name = null, bool softResettable = true)
        {
            var register = new ByteRegister(null, resetValue, softResettable);
            register.DefineValueField(0, register.RegisterWidth, name: name);
            return register;
        }

        public ByteRegister(IPeripheral? parent, ulong resetValue = 0, bool softResettable = true) : base(parent, resetValue, softResettable, ByteWidth)
        {
        }

        /// <summary>Reads the register: modes are applied and callbacks run.</summary>
        public byte Read()
        {
            return (byte)ReadInner();
        }

        /// <summary>Writes the register: modes are applied and callbacks run.</summary>
        public void Write(long offset, byte value)
        {
            WriteInner(offset, value);
        }

        /// <summary>Called once per read with (value before, value after).</summary>
        public void DefineReadCallback(Action<byte, byte> readCallback)
        {
            (readCallbacks ??= new List<Action<byte, byte>>()).Add(readCallback);
        }

        /// <summary>Called once per write with (value before, value written).</summary>
        public void DefineWriteCallback(Action<byte, byte> writeCallback)
        {
            (writeCallbacks ??= new List<Action<byte, byte>>()).Add(writeCallback);
        }

        /// <summary>Called when a read or write changed the stored value, with (value before, value after).</summary>
        public void DefineChangeCallback(Action<byte, byte> changeCallback)
        {
            (changeCallbacks ??= new List<Action<byte, byte>>()).Add(changeCallback);
        }

        /// <summary>The stored value, without modes or callbacks.</summary>
        public byte Value
        {
            get => (byte)UnderlyingValue;
            set => UnderlyingValue = value;
        }

        public const int ByteWidth = 8;

        protected override void CallChangeHandlers(ulong oldValue, ulong newValue)
        {
            if(changeCallbacks != null)
            {
                CallHandlers(changeCallbacks, (byte)oldValue, (byte)newValue);
            }
        }

        protected override void CallReadHandlers(ulong oldValue, ulong newValue)
        {
            if(readCallbacks != null)
            {
                CallHandlers(readCallbacks, (byte)oldValue, (byte)newValue);
            }
        }

        protected override void CallWriteHandlers(ulong oldValue, ulong newValue)
        {
            if(writeCallbacks != null)
            {
                CallHandlers(writeCallbacks, (byte)oldValue, (byte)newValue);
            }
        }

        private List<Action<byte, byte>>? readCallbacks;
        private List<Action<byte, byte>>? writeCallbacks;
        private List<Action<byte, byte>>? changeCallbacks;
    }
}
