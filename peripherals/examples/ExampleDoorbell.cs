//
// Example peripheral written strictly against Renode's public API (Antmicro.Renode.*), compiled at run time with
// the monitor command 'include @peripherals/examples/ExampleDoorbell.cs' (Renode and our host alike).
//
// A doorbell/mailbox: software writes a message into one of four MESSAGE slots, then rings the doorbell by writing
// the slot's bit to RING. Each rung slot stays pending in PENDING (write 1 to clear) and the IRQ line is high while
// a pending slot is enabled in ENABLE. Connect the IRQ to an SPI in the .repl: 'IRQ -> gic@5'.
//
using System;
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    public class ExampleDoorbell : BasicDoubleWordPeripheral, IKnownSize
    {
        public ExampleDoorbell(IMachine machine) : base(machine)
        {
            IRQ = new GPIO();
            DefineRegisters();
        }

        public override void Reset()
        {
            base.Reset();
            RingCount = 0;
            UpdateInterrupts();
        }

        public long Size => 0x100;

        public GPIO IRQ { get; }

        public int RingCount { get; private set; }

        private void DefineRegisters()
        {
            Registers.Identification.Define(this, 0x0DB00001)
                .WithValueField(0, 16, FieldMode.Read, name: "REVISION")
                .WithValueField(16, 16, FieldMode.Read, name: "PART");

            Registers.Enable.Define(this)
                .WithFlags(0, SlotCount, out enableFlags, name: "ENABLE")
                .WithReservedBits(SlotCount, 32 - SlotCount)
                .WithChangeCallback((_, __) => UpdateInterrupts());

            Registers.Ring.Define(this)
                .WithFlags(0, SlotCount, FieldMode.Write, writeCallback: (slot, _, value) =>
                {
                    if(!value)
                    {
                        return;
                    }
                    pendingFlags[slot].Value = true;
                    RingCount++;
                    this.Log(LogLevel.Debug, "Doorbell {0} rung, message 0x{1:X}", slot, messages[slot].Value);
                })
                .WithIgnoredBits(SlotCount, 32 - SlotCount)
                .WithWriteCallback((_, __) => UpdateInterrupts());

            Registers.Pending.Define(this)
                .WithFlags(0, SlotCount, out pendingFlags, FieldMode.Read | FieldMode.WriteOneToClear, name: "PENDING")
                .WithTag("RESERVED_PENDING", SlotCount, 32 - SlotCount)
                .WithWriteCallback((_, __) => UpdateInterrupts());

            Registers.Status.Define(this)
                .WithFlag(0, FieldMode.Read, valueProviderCallback: _ => IRQ.IsSet, name: "IRQ_ACTIVE")
                .WithTaggedFlag("OVERFLOW", 1)
                .WithValueField(8, 8, FieldMode.Read, valueProviderCallback: _ => (ulong)RingCount & 0xFF, name: "RING_COUNT")
                .WithReservedBits(16, 16);

            messages = new IValueRegisterField[SlotCount];
            Registers.Message0.DefineMany(this, SlotCount, (register, index) =>
            {
                register.WithValueField(0, 32, out messages[index], name: $"MESSAGE{index}");
            });
        }

        private void UpdateInterrupts()
        {
            var active = false;
            for(var i = 0; i < SlotCount; i++)
            {
                active |= pendingFlags[i].Value && enableFlags[i].Value;
            }
            this.NoisyLog("IRQ {0}", active ? "set" : "cleared");
            IRQ.Set(active);
        }

        private IFlagRegisterField[] enableFlags;
        private IFlagRegisterField[] pendingFlags;
        private IValueRegisterField[] messages;

        private const int SlotCount = 4;

        private enum Registers
        {
            Identification = 0x00,
            Enable = 0x04,
            Ring = 0x08,
            Pending = 0x0C,
            Status = 0x10,
            Message0 = 0x20,
        }
    }
}
