// Arm PrimeCell UART (PL011), as described by its Technical Reference Manual (Arm DDI 0183, r1p5), to the
// extent a Linux amba-pl011 driver and bare-metal firmware need:
//
// - Transmission is instant: a byte written to UARTDR leaves at once (CharReceived), so the transmit FIFO is
//   always empty, UARTFR.TXFE = 1, TXFF = 0, BUSY = 0. Like QEMU, bytes are sent even while UARTEN or TXE is
//   clear, so that minimal firmware that never programs UARTCR still prints.
// - The receive FIFO (fed by WriteChar) is 16 entries deep with UARTLCR_H.FEN = 1 (the depth Linux assumes for
//   revision 1, which the peripheral ID reports) and a 1-entry holding register with FEN = 0. Receiving
//   needs UARTEN and RXE; a byte arriving at a full FIFO is lost and sets the overrun error (OE).
// - Interrupts follow the TRM's transition rules with latched raw status bits:
//   TXRIS is set whenever the transmit FIFO passes through its trigger level, which for an instant
//   transmitter is after every write to UARTDR; it is *not* set by merely enabling the UART (the TRM says so,
//   and Linux's driver primes the transmitter by writing bytes before it unmasks TXIM). Cleared by UARTICR.
//   RXRIS is set when the receive FIFO reaches the UARTIFLS trigger level (any byte with FEN = 0), and
//   cleared by UARTICR or by reading the FIFO below the level. RTRIS (receive timeout) is set on every
//   received byte, standing in for "no more data for 32 bit periods", and cleared by UARTICR or by emptying
//   the FIFO. UARTINTR (the IRQ line) is the OR of UARTMIS = UARTRIS & UARTIMSC.
// - Modem lines are not modelled (CTS/DSR/DCD/RI read 0); IrDA and DMA registers only store their values.
// Accesses to unknown offsets and writes of non-zero values to reserved bits are logged; writes to read-only
// registers are ignored and UARTICR (write-only) reads as 0, as on the real cell.
using System;
using System.Collections.Generic;
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.UART
{
    /// <summary>Arm PL011 UART.</summary>
    public sealed class PL011 : IDoubleWordPeripheral, IKnownSize
    {
        public PL011(IMachine machine, uint uartClockFrequency = 24000000)
        {
            UartClockFrequency = uartClockFrequency;
            IRQ = new GPIO();
            rxFifo = new Queue<byte>();
            registers = new DoubleWordRegisterCollection(this);
            DefineRegisters();
            Reset();
        }

        /// <summary>Fired for each byte the guest transmits (Renode: IUART.CharReceived).</summary>
        public event Action<byte>? CharReceived;

        /// <summary>The combined interrupt output UARTINTR.</summary>
        public GPIO IRQ { get; }

        public long Size => 0x1000;

        /// <summary>UARTCLK in Hz (the .repl parameter uartClockFrequency).</summary>
        public uint UartClockFrequency { get; }

        /// <summary>Baud rate from UARTIBRD/UARTFBRD: UARTCLK / (16 × (IBRD + FBRD / 64)); 0 before programming.</summary>
        public uint BaudRate
        {
            get
            {
                lock(sync)
                {
                    var divisorTimes64 = integerBaudRate.Value * 64 + fractionalBaudRate.Value;
                    return divisorTimes64 == 0 ? 0 : (uint)(UartClockFrequency * 4UL / divisorTimes64);
                }
            }
        }

        /// <summary>Number of bytes waiting in the receive FIFO.</summary>
        public int ReceiveFifoCount
        {
            get
            {
                lock(sync)
                {
                    return rxFifo.Count;
                }
            }
        }

        public void Reset()
        {
            lock(sync)
            {
                registers.Reset();
                rxFifo.Clear();
                receiveStatus = 0;
                rawInterrupts = 0;
                pendingTransmit = null;
                UpdateInterrupt();
            }
        }

        /// <summary>Delivers a byte to the receiver, as if it arrived on UARTRXD (Renode: IUART.WriteChar).</summary>
        public void WriteChar(byte value)
        {
            lock(sync)
            {
                if(!uartEnable.Value || !receiveEnable.Value)
                {
                    this.Log(LogLevel.Warning, "Dropped received byte 0x{0:X2}: the receiver is disabled (UARTEN = {1}, RXE = {2}).",
                        value, uartEnable.Value, receiveEnable.Value);
                    return;
                }
                Receive(value);
                UpdateInterrupt();
            }
        }

        public uint ReadDoubleWord(long offset)
        {
            lock(sync)
            {
                var value = registers.Read(offset);
                UpdateInterrupt();
                return value;
            }
        }

        public void WriteDoubleWord(long offset, uint value)
        {
            byte? transmitted;
            lock(sync)
            {
                registers.Write(offset, value);
                transmitted = pendingTransmit;
                pendingTransmit = null;
                UpdateInterrupt();
            }
            // Outside the lock: listeners may print, pause the machine or call WriteChar.
            if(transmitted is byte b)
            {
                CharReceived?.Invoke(b);
            }
        }

        private enum Registers : long
        {
            UARTDR = 0x000,
            UARTRSR_ECR = 0x004,
            UARTFR = 0x018,
            UARTILPR = 0x020,
            UARTIBRD = 0x024,
            UARTFBRD = 0x028,
            UARTLCR_H = 0x02C,
            UARTCR = 0x030,
            UARTIFLS = 0x034,
            UARTIMSC = 0x038,
            UARTRIS = 0x03C,
            UARTMIS = 0x040,
            UARTICR = 0x044,
            UARTDMACR = 0x048,
            UARTPeriphID0 = 0xFE0,
            UARTPeriphID1 = 0xFE4,
            UARTPeriphID2 = 0xFE8,
            UARTPeriphID3 = 0xFEC,
            UARTPCellID0 = 0xFF0,
            UARTPCellID1 = 0xFF4,
            UARTPCellID2 = 0xFF8,
            UARTPCellID3 = 0xFFC,
        }

        private void DefineRegisters()
        {
            // DATA, then the per-character error flags: no line errors happen here; overrun is reported in UARTRSR.
            Registers.UARTDR.Define(registers)
                .WithValueField(0, 8, name: "DATA",
                    valueProviderCallback: _ => ReadData(),
                    writeCallback: (_, value) => pendingTransmit = Transmit((byte)value))
                .WithFlag(8, FieldMode.Read, valueProviderCallback: _ => false, name: "FE")
                .WithFlag(9, FieldMode.Read, valueProviderCallback: _ => false, name: "PE")
                .WithFlag(10, FieldMode.Read, valueProviderCallback: _ => false, name: "BE")
                .WithFlag(11, FieldMode.Read, valueProviderCallback: _ => false, name: "OE")
                .WithIgnoredBits(12, 20);

            // UARTRSR reads the error flags; any write (UARTECR) clears them.
            Registers.UARTRSR_ECR.Define(registers)
                .WithValueField(0, 4, name: "FE_PE_BE_OE",
                    valueProviderCallback: _ => receiveStatus,
                    writeCallback: (_, __) => receiveStatus = 0)
                .WithIgnoredBits(4, 28);

            Registers.UARTFR.Define(registers)
                .WithFlag(0, FieldMode.Read, valueProviderCallback: _ => false, name: "CTS")
                .WithFlag(1, FieldMode.Read, valueProviderCallback: _ => false, name: "DSR")
                .WithFlag(2, FieldMode.Read, valueProviderCallback: _ => false, name: "DCD")
                .WithFlag(3, FieldMode.Read, valueProviderCallback: _ => false, name: "BUSY")
                .WithFlag(4, FieldMode.Read, valueProviderCallback: _ => rxFifo.Count == 0, name: "RXFE")
                .WithFlag(5, FieldMode.Read, valueProviderCallback: _ => false, name: "TXFF")
                .WithFlag(6, FieldMode.Read, valueProviderCallback: _ => rxFifo.Count >= ReceiveCapacity, name: "RXFF")
                .WithFlag(7, FieldMode.Read, valueProviderCallback: _ => true, name: "TXFE")
                .WithFlag(8, FieldMode.Read, valueProviderCallback: _ => false, name: "RI")
                .WithReservedBits(9, 23);

            Registers.UARTILPR.Define(registers)
                .WithValueField(0, 8, name: "ILPDVSR")
                .WithReservedBits(8, 24);

            Registers.UARTIBRD.Define(registers)
                .WithValueField(0, 16, out integerBaudRate, name: "BAUD_DIVINT")
                .WithReservedBits(16, 16);

            Registers.UARTFBRD.Define(registers)
                .WithValueField(0, 6, out fractionalBaudRate, name: "BAUD_DIVFRAC")
                .WithReservedBits(6, 26);

            Registers.UARTLCR_H.Define(registers)
                .WithFlag(0, name: "BRK")
                .WithFlag(1, name: "PEN")
                .WithFlag(2, name: "EPS")
                .WithFlag(3, name: "STP2")
                .WithFlag(4, out fifoEnable, name: "FEN", changeCallback: (_, enabled) =>
                {
                    if(!enabled)
                    {
                        // Leaving FIFO mode keeps only the holding register's worth of data.
                        while(rxFifo.Count > 1)
                        {
                            rxFifo.Dequeue();
                        }
                    }
                })
                .WithValueField(5, 2, name: "WLEN")
                .WithFlag(7, name: "SPS")
                .WithReservedBits(8, 24);

            Registers.UARTCR.Define(registers, ControlReset)
                .WithFlag(0, out uartEnable, name: "UARTEN")
                .WithFlag(1, name: "SIREN")
                .WithFlag(2, name: "SIRLP")
                .WithReservedBits(3, 4)
                .WithFlag(7, out loopbackEnable, name: "LBE")
                .WithFlag(8, name: "TXE")
                .WithFlag(9, out receiveEnable, name: "RXE")
                .WithFlag(10, name: "DTR")
                .WithFlag(11, name: "RTS")
                .WithFlag(12, name: "Out1")
                .WithFlag(13, name: "Out2")
                .WithFlag(14, name: "RTSEn")
                .WithFlag(15, name: "CTSEn")
                .WithReservedBits(16, 16);

            Registers.UARTIFLS.Define(registers, FifoLevelSelectReset)
                .WithValueField(0, 3, name: "TXIFLSEL")
                .WithValueField(3, 3, out receiveLevelSelect, name: "RXIFLSEL")
                .WithReservedBits(6, 26);

            Registers.UARTIMSC.Define(registers)
                .WithValueField(0, 11, out interruptMask, name: "RIMIM_CTSMIM_DCDMIM_DSRMIM_RXIM_TXIM_RTIM_FEIM_PEIM_BEIM_OEIM")
                .WithReservedBits(11, 21);

            Registers.UARTRIS.Define(registers)
                .WithValueField(0, 11, FieldMode.Read, valueProviderCallback: _ => rawInterrupts, name: "RIS")
                .WithReservedBits(11, 21);

            Registers.UARTMIS.Define(registers)
                .WithValueField(0, 11, FieldMode.Read, valueProviderCallback: _ => MaskedInterrupts, name: "MIS")
                .WithReservedBits(11, 21);

            Registers.UARTICR.Define(registers)
                .WithValueField(0, 11, FieldMode.Write, writeCallback: (_, value) => rawInterrupts &= ~(uint)value, name: "ICR")
                .WithReservedBits(11, 21);

            Registers.UARTDMACR.Define(registers)
                .WithValueField(0, 3, name: "RXDMAE_TXDMAE_DMAONERR", writeCallback: (_, value) =>
                {
                    if(value != 0)
                    {
                        this.Log(LogLevel.Warning, "DMA requests are not modelled (UARTDMACR = 0x{0:X}); use interrupts or polling.", value);
                    }
                })
                .WithReservedBits(3, 29);

            for(var i = 0; i < 4; i++)
            {
                var periphId = PeriphId[i];
                var cellId = CellId[i];
                ((Registers)((long)Registers.UARTPeriphID0 + 4 * i)).Define(registers)
                    .WithValueField(0, 8, FieldMode.Read, valueProviderCallback: _ => periphId, name: $"PartNumber/Designer/Revision/Configuration{i}")
                    .WithReservedBits(8, 24);
                ((Registers)((long)Registers.UARTPCellID0 + 4 * i)).Define(registers)
                    .WithValueField(0, 8, FieldMode.Read, valueProviderCallback: _ => cellId, name: $"UARTPCellID{i}")
                    .WithReservedBits(8, 24);
            }
        }

        private uint ReadData()
        {
            if(rxFifo.Count == 0)
            {
                return 0;
            }
            var value = (uint)rxFifo.Dequeue();
            if(rxFifo.Count < ReceiveTriggerLevel)
            {
                rawInterrupts &= ~InterruptReceive;
            }
            if(rxFifo.Count == 0)
            {
                rawInterrupts &= ~InterruptReceiveTimeout;
            }
            return value;
        }

        private byte? Transmit(byte value)
        {
            // The byte passes through the (always empty) transmit FIFO at once, crossing its trigger level.
            rawInterrupts |= InterruptTransmit;
            if(loopbackEnable.Value)
            {
                Receive(value);
                return null;
            }
            return value;
        }

        private void Receive(byte value)
        {
            if(rxFifo.Count >= ReceiveCapacity)
            {
                receiveStatus |= StatusOverrun;
                rawInterrupts |= InterruptOverrun;
                return;
            }
            rxFifo.Enqueue(value);
            rawInterrupts |= InterruptReceiveTimeout;
            if(rxFifo.Count >= ReceiveTriggerLevel)
            {
                rawInterrupts |= InterruptReceive;
            }
        }

        private void UpdateInterrupt()
        {
            IRQ.Set(MaskedInterrupts != 0);
        }

        private uint MaskedInterrupts => rawInterrupts & (uint)interruptMask.Value;

        private int ReceiveCapacity => fifoEnable.Value ? FifoDepth : 1;

        /// <summary>UARTIFLS.RXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO; one byte without FIFOs.</summary>
        private int ReceiveTriggerLevel
        {
            get
            {
                if(!fifoEnable.Value)
                {
                    return 1;
                }
                switch(receiveLevelSelect.Value)
                {
                case 0:
                    return FifoDepth / 8;
                case 1:
                    return FifoDepth / 4;
                case 2:
                    return FifoDepth / 2;
                case 3:
                    return FifoDepth * 3 / 4;
                default:
                    // 4 is 7/8; 5-7 are reserved and treated as the highest level.
                    return FifoDepth * 7 / 8;
                }
            }
        }

        private byte? pendingTransmit;
        private uint receiveStatus;
        private uint rawInterrupts;
        private IValueRegisterField integerBaudRate = null!;
        private IValueRegisterField fractionalBaudRate = null!;
        private IFlagRegisterField fifoEnable = null!;
        private IFlagRegisterField uartEnable = null!;
        private IFlagRegisterField loopbackEnable = null!;
        private IFlagRegisterField receiveEnable = null!;
        private IValueRegisterField receiveLevelSelect = null!;
        private IValueRegisterField interruptMask = null!;

        private readonly Queue<byte> rxFifo;
        private readonly DoubleWordRegisterCollection registers;
        private readonly object sync = new object();

        private const int FifoDepth = 16;
        private const uint ControlReset = 0x300;
        private const uint FifoLevelSelectReset = 0x12;

        private const uint StatusOverrun = 1u << 3;

        private const uint InterruptReceive = 1u << 4;
        private const uint InterruptTransmit = 1u << 5;
        private const uint InterruptReceiveTimeout = 1u << 6;
        private const uint InterruptOverrun = 1u << 10;

        private static readonly uint[] PeriphId = { 0x11, 0x10, 0x14, 0x00 };
        private static readonly uint[] CellId = { 0x0D, 0xF0, 0x05, 0xB1 };
    }
}
