//
// Example peripheral written strictly against Renode's public API (Antmicro.Renode.*), compiled at run time with
// the monitor command 'include @peripherals/examples/ExampleMsiDevice.cs'.
//
// A device stub that signals completion either with a wired interrupt (IRQ, e.g. 'IRQ -> gic@7') or, when
// MSI_CONTROL.ENABLE is set, with a message-signalled interrupt: a 32-bit bus write of MSI_DATA to MSI_ADDRESS,
// as a PCIe function would do. With a GICv3 ITS, MSI_ADDRESS is GITS_TRANSLATER and MSI_DATA the EventID; any
// memory address works for a mailbox-style test. Writing 1 to TRIGGER raises one completion.
//
using System;
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{
    public class ExampleMsiDevice : IDoubleWordPeripheral, IKnownSize, IProvidesRegisterCollection<DoubleWordRegisterCollection>
    {
        public ExampleMsiDevice(IMachine machine, uint deviceId = 0)
        {
            this.machine = machine;
            this.deviceId = deviceId;
            IRQ = new GPIO();
            RegistersCollection = new DoubleWordRegisterCollection(this);
            DefineRegisters();
        }

        public uint ReadDoubleWord(long offset)
        {
            return RegistersCollection.Read(offset);
        }

        public void WriteDoubleWord(long offset, uint value)
        {
            RegistersCollection.Write(offset, value);
        }

        public void Reset()
        {
            RegistersCollection.Reset();
            IRQ.Unset();
            MessagesSent = 0;
        }

        public long Size => 0x100;

        public GPIO IRQ { get; }

        public DoubleWordRegisterCollection RegistersCollection { get; }

        public int MessagesSent { get; private set; }

        private void DefineRegisters()
        {
            Registers.DeviceId.Define(this)
                .WithValueField(0, 32, FieldMode.Read, valueProviderCallback: _ => deviceId, name: "DEVICE_ID");

            Registers.MsiControl.Define(this)
                .WithFlag(0, out msiEnabled, name: "ENABLE")
                .WithReservedBits(1, 31);

            Registers.MsiAddressLow.Define(this)
                .WithValueField(0, 32, out msiAddressLow, name: "MSI_ADDRESS_LO");

            Registers.MsiAddressHigh.Define(this)
                .WithValueField(0, 32, out msiAddressHigh, name: "MSI_ADDRESS_HI");

            Registers.MsiData.Define(this)
                .WithValueField(0, 32, out msiData, name: "MSI_DATA");

            Registers.Trigger.Define(this)
                .WithFlag(0, FieldMode.Write, writeCallback: (_, value) =>
                {
                    if(value)
                    {
                        Complete();
                    }
                }, name: "TRIGGER")
                .WithReservedBits(1, 31);

            Registers.InterruptStatus.Define(this)
                .WithFlag(0, out wiredPending, FieldMode.Read | FieldMode.WriteOneToClear, name: "WIRED_PENDING")
                .WithReservedBits(1, 31)
                .WithWriteCallback((_, __) => IRQ.Set(wiredPending.Value));
        }

        private void Complete()
        {
            if(msiEnabled.Value)
            {
                var address = (msiAddressHigh.Value << 32) | msiAddressLow.Value;
                this.Log(LogLevel.Debug, "MSI: writing 0x{0:X} to 0x{1:X}", msiData.Value, address);
                machine.GetSystemBus(this).WriteDoubleWord(address, (uint)msiData.Value, this);
                MessagesSent++;
                return;
            }
            wiredPending.Value = true;
            IRQ.Set(true);
        }

        private IFlagRegisterField msiEnabled;
        private IValueRegisterField msiAddressLow;
        private IValueRegisterField msiAddressHigh;
        private IValueRegisterField msiData;
        private IFlagRegisterField wiredPending;

        private readonly IMachine machine;
        private readonly uint deviceId;

        private enum Registers
        {
            DeviceId = 0x00,
            MsiControl = 0x04,
            MsiAddressLow = 0x08,
            MsiAddressHigh = 0x0C,
            MsiData = 0x10,
            Trigger = 0x14,
            InterruptStatus = 0x18,
        }
    }
}
