//
// Example peripheral written strictly against Renode's public API (Antmicro.Renode.*), compiled at run time with
// the monitor command 'include @peripherals/examples/ExampleTimer.cs'.
//
// A down-counting timer clocked by explicit ticks (a prescaled input clock: 'timer0 Tick 100' from the monitor,
// or a GPIO edge on input 0). CONTROL holds ENABLE, IRQ_ENABLE and MODE (one-shot or periodic); the counter starts
// at LOAD, and reaching zero sets STATUS.EXPIRED (write 1 to clear). The IRQ line is EXPIRED && IRQ_ENABLE.
//
using System;
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.Timers
{
    public class ExampleTimer : BasicDoubleWordPeripheral, IKnownSize, IGPIOReceiver
    {
        public ExampleTimer(IMachine machine, uint initialLoad = 0x1000) : base(machine)
        {
            this.initialLoad = initialLoad;
            IRQ = new GPIO();
            DefineRegisters();
            Reset();
        }

        public override void Reset()
        {
            base.Reset();
            counter = load.Value;
            IRQ.Unset();
        }

        public void OnGPIO(int number, bool value)
        {
            if(number != 0)
            {
                this.Log(LogLevel.Warning, "Unexpected GPIO input {0}", number);
                return;
            }
            if(value)
            {
                Tick(1);
            }
        }

        /// <summary>Advances the timer by <paramref name="ticks"/> input clock periods.</summary>
        public void Tick(ulong ticks)
        {
            if(!enabled.Value)
            {
                return;
            }
            while(ticks > 0)
            {
                var step = Math.Min(ticks, counter);
                counter -= step;
                ticks -= step;
                if(counter != 0)
                {
                    break;
                }
                expired.Value = true;
                Expirations++;
                if(mode.Value == Mode.Periodic && load.Value != 0)
                {
                    counter = load.Value;
                    continue;
                }
                enabled.Value = false;
                break;
            }
            UpdateInterrupts();
        }

        public long Size => 0x40;

        public GPIO IRQ { get; }

        public ulong Expirations { get; private set; }

        private void DefineRegisters()
        {
            Registers.Control.Define(this)
                .WithFlag(0, out enabled, name: "ENABLE", changeCallback: (_, value) =>
                {
                    if(value && counter == 0)
                    {
                        counter = load.Value;
                    }
                })
                .WithFlag(1, out irqEnabled, name: "IRQ_ENABLE")
                .WithEnumField(2, 1, out mode, name: "MODE")
                .WithReservedBits(3, 29)
                .WithWriteCallback((_, __) => UpdateInterrupts());

            Registers.Load.Define(this, initialLoad)
                .WithValueField(0, 32, out load, name: "LOAD", writeCallback: (_, value) => counter = value);

            Registers.Count.Define(this)
                .WithValueField(0, 32, FieldMode.Read, valueProviderCallback: _ => counter, name: "COUNT");

            Registers.Status.Define(this)
                .WithFlag(0, out expired, FieldMode.Read | FieldMode.WriteOneToClear, name: "EXPIRED")
                .WithReservedBits(1, 31)
                .WithWriteCallback((_, __) => UpdateInterrupts());
        }

        private void UpdateInterrupts()
        {
            IRQ.Set(expired.Value && irqEnabled.Value);
        }

        private ulong counter;
        private IFlagRegisterField enabled;
        private IFlagRegisterField irqEnabled;
        private IEnumRegisterField<Mode> mode;
        private IValueRegisterField load;
        private IFlagRegisterField expired;

        private readonly uint initialLoad;

        private enum Mode
        {
            OneShot = 0,
            Periodic = 1,
        }

        private enum Registers
        {
            Control = 0x00,
            Load = 0x04,
            Count = 0x08,
            Status = 0x0C,
        }
    }
}
