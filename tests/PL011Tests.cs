using System.Collections.Generic;
using Antmicro.Renode.Core;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.UART;
using Antmicro.Renode.Time;
using NUnit.Framework;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class PL011Tests
    {
        [SetUp]
        public void SetUp()
        {
            uart = new PL011(new NullMachine());
            transmitted = new List<byte>();
            uart.CharReceived += transmitted.Add;
            irq = new LineProbe();
            uart.IRQ.Connect(irq, 0);
            guestErrors = new List<LogEntry>();
            previousBackend = Logger.Backend;
            Logger.Backend = e =>
            {
                if(e.IsGuestError)
                {
                    guestErrors.Add(e);
                }
            };
        }

        [TearDown]
        public void TearDown()
        {
            Logger.Backend = previousBackend;
        }

        [Test]
        public void ShouldResetToTrmValues()
        {
            Assert.That(Read(UARTFR), Is.EqualTo(0x90u), "TXFE and RXFE");
            Assert.That(Read(UARTCR), Is.EqualTo(0x300u), "TXE and RXE set, UARTEN clear");
            Assert.That(Read(UARTIFLS), Is.EqualTo(0x12u));
            Assert.That(Read(UARTLCR_H), Is.Zero);
            Assert.That(Read(UARTIMSC), Is.Zero);
            Assert.That(Read(UARTRIS), Is.Zero);
            Assert.That(uart.IRQ.IsSet, Is.False);
            Assert.That(uart.Size, Is.EqualTo(0x1000));
        }

        [Test]
        public void ShouldReportPrimeCellIdentification()
        {
            var expected = new uint[] { 0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
            for(var i = 0; i < expected.Length; i++)
            {
                Assert.That(Read(0xFE0 + 4 * i), Is.EqualTo(expected[i]), $"offset 0x{0xFE0 + 4 * i:X}");
            }
        }

        [Test]
        public void ShouldTransmitWrittenBytes()
        {
            Enable();
            foreach(var c in "Hi\n")
            {
                Write(UARTDR, c);
            }
            Assert.That(transmitted, Is.EqualTo(new byte[] { (byte)'H', (byte)'i', (byte)'\n' }));
            Assert.That(Read(UARTFR) & (FrTxfe | FrTxff | FrBusy), Is.EqualTo(FrTxfe));
        }

        [Test]
        public void ShouldTransmitEvenWhenNotEnabled()
        {
            Write(UARTCR, 0);
            Write(UARTDR, 'x');
            Assert.That(transmitted, Is.EqualTo(new[] { (byte)'x' }));
        }

        [Test]
        public void ShouldRaiseTransmitInterruptOnlyAfterWriteAndWhenUnmasked()
        {
            Enable();
            Assert.That(Read(UARTRIS) & TxIs, Is.Zero, "enabling alone does not set TXRIS");
            Write(UARTDR, 'a');
            Assert.That(Read(UARTRIS) & TxIs, Is.EqualTo(TxIs));
            Assert.That(Read(UARTMIS), Is.Zero);
            Assert.That(irq.Level, Is.False);

            Write(UARTIMSC, TxIs);
            Assert.That(Read(UARTMIS), Is.EqualTo(TxIs));
            Assert.That(irq.Level, Is.True);

            Write(UARTICR, TxIs);
            Assert.That(Read(UARTRIS), Is.Zero);
            Assert.That(irq.Level, Is.False);

            Write(UARTDR, 'b');
            Assert.That(irq.Level, Is.True);
            Write(UARTIMSC, 0);
            Assert.That(irq.Level, Is.False, "masking drops the line but keeps RIS");
            Assert.That(Read(UARTRIS) & TxIs, Is.EqualTo(TxIs));
        }

        [Test]
        public void ShouldQueueReceivedBytesAndUpdateFlags()
        {
            Enable();
            uart.WriteChar((byte)'o');
            uart.WriteChar((byte)'k');
            Assert.That(Read(UARTFR) & FrRxfe, Is.Zero);
            Assert.That(uart.ReceiveFifoCount, Is.EqualTo(2));
            Assert.That(Read(UARTDR), Is.EqualTo((uint)'o'));
            Assert.That(Read(UARTDR), Is.EqualTo((uint)'k'));
            Assert.That(Read(UARTFR) & FrRxfe, Is.EqualTo(FrRxfe));
            Assert.That(Read(UARTDR), Is.Zero, "empty FIFO reads 0");
        }

        [Test]
        public void ShouldDropReceivedBytesWhileReceiverDisabled()
        {
            uart.WriteChar((byte)'x');
            Write(UARTCR, CrUarten | CrTxe);
            uart.WriteChar((byte)'y');
            Assert.That(uart.ReceiveFifoCount, Is.Zero);
            Assert.That(Read(UARTFR) & FrRxfe, Is.EqualTo(FrRxfe));
        }

        [Test]
        public void ShouldRaiseReceiveTimeoutForFirstByteAndClearWhenEmpty()
        {
            Enable();
            Write(UARTIMSC, RxIs | RtIs);
            uart.WriteChar((byte)'a');
            Assert.That(Read(UARTRIS) & (RxIs | RtIs), Is.EqualTo(RtIs), "one byte is below the 1/2 trigger level");
            Assert.That(irq.Level, Is.True);
            Read(UARTDR);
            Assert.That(Read(UARTRIS) & (RxIs | RtIs), Is.Zero);
            Assert.That(irq.Level, Is.False);
        }

        [Test]
        public void ShouldRaiseReceiveInterruptAtTriggerLevel()
        {
            Enable();
            Write(UARTIMSC, RxIs);
            for(var i = 0; i < 7; i++)
            {
                uart.WriteChar((byte)('0' + i));
            }
            Assert.That(Read(UARTRIS) & RxIs, Is.Zero, "7 of 16 is below 1/2");
            Assert.That(irq.Level, Is.False);
            uart.WriteChar((byte)'7');
            Assert.That(Read(UARTRIS) & RxIs, Is.EqualTo(RxIs));
            Assert.That(irq.Level, Is.True);
            Read(UARTDR);
            Assert.That(Read(UARTRIS) & RxIs, Is.Zero, "reading below the level clears RXRIS");
            Assert.That(irq.Level, Is.False);
        }

        [TestCase(0u, 2)]
        [TestCase(1u, 4)]
        [TestCase(2u, 8)]
        [TestCase(3u, 12)]
        [TestCase(4u, 14)]
        public void ShouldHonourReceiveFifoLevelSelect(uint rxifsel, int level)
        {
            Enable();
            Write(UARTIFLS, rxifsel << 3);
            for(var i = 1; i < level; i++)
            {
                uart.WriteChar(0);
            }
            Assert.That(Read(UARTRIS) & RxIs, Is.Zero);
            uart.WriteChar(0);
            Assert.That(Read(UARTRIS) & RxIs, Is.EqualTo(RxIs));
        }

        [Test]
        public void ShouldUseOneByteHoldingRegisterWithoutFifo()
        {
            Write(UARTCR, CrUarten | CrTxe | CrRxe);
            Write(UARTIMSC, RxIs | OeIs);
            uart.WriteChar((byte)'a');
            Assert.That(Read(UARTRIS) & RxIs, Is.EqualTo(RxIs), "any byte reaches the level without FIFOs");
            Assert.That(Read(UARTFR) & FrRxff, Is.EqualTo(FrRxff));
            uart.WriteChar((byte)'b');
            Assert.That(Read(UARTRSR) & RsrOe, Is.EqualTo(RsrOe));
            Assert.That(Read(UARTRIS) & OeIs, Is.EqualTo(OeIs));
            Assert.That(Read(UARTDR), Is.EqualTo((uint)'a'), "overrun keeps the held byte");
            Write(UARTRSR, 0);
            Assert.That(Read(UARTRSR), Is.Zero, "UARTECR write clears the error flags");
            Write(UARTICR, 0x7FF);
            Assert.That(irq.Level, Is.False);
        }

        [Test]
        public void ShouldOverrunWhenFifoFull()
        {
            Enable();
            for(var i = 0; i < 16; i++)
            {
                uart.WriteChar((byte)i);
            }
            Assert.That(Read(UARTFR) & FrRxff, Is.EqualTo(FrRxff));
            Assert.That(Read(UARTRIS) & OeIs, Is.Zero);
            uart.WriteChar(0xFF);
            Assert.That(uart.ReceiveFifoCount, Is.EqualTo(16));
            Assert.That(Read(UARTRIS) & OeIs, Is.EqualTo(OeIs));
            for(var i = 0; i < 16; i++)
            {
                Assert.That(Read(UARTDR), Is.EqualTo((uint)i));
            }
        }

        [Test]
        public void ShouldClearOnlyWrittenBitsWithIcr()
        {
            Enable();
            Write(UARTDR, 'x');
            uart.WriteChar(1);
            Assert.That(Read(UARTRIS), Is.EqualTo(TxIs | RtIs));
            Write(UARTICR, RtIs);
            Assert.That(Read(UARTRIS), Is.EqualTo(TxIs));
        }

        [Test]
        public void ShouldLoopTransmittedBytesBackWhenLbeSet()
        {
            Write(UARTLCR_H, LcrFen);
            Write(UARTCR, CrUarten | CrTxe | CrRxe | CrLbe);
            Write(UARTDR, 'L');
            Assert.That(transmitted, Is.Empty);
            Assert.That(Read(UARTDR), Is.EqualTo((uint)'L'));
        }

        [Test]
        public void ShouldStoreConfigurationRegistersAndComputeBaudRate()
        {
            Write(UARTIBRD, 13);
            Write(UARTFBRD, 1);
            Write(UARTILPR, 0x1FF);
            Write(UARTDMACR, 0);
            Assert.That(Read(UARTIBRD), Is.EqualTo(13u));
            Assert.That(Read(UARTFBRD), Is.EqualTo(1u));
            Assert.That(Read(UARTILPR), Is.EqualTo(0xFFu));
            Assert.That(uart.BaudRate, Is.EqualTo(115246u));
            Write(UARTFBRD, 0xFF);
            Assert.That(Read(UARTFBRD), Is.EqualTo(0x3Fu));
        }

        [Test]
        public void ShouldLogGuestErrorForUnknownOffsetsWithoutThrowing()
        {
            Assert.That(Read(0x100), Is.Zero);
            Write(0x100, 1);
            Assert.That(guestErrors, Has.Count.EqualTo(2));
            Assert.That(guestErrors[0].Message, Does.Contain("0x100"));
            Assert.That(guestErrors[1].Message, Does.Contain("0x100"));
        }

        [Test]
        public void ShouldIgnoreWritesToReadOnlyRegistersAndReadIcrAsZero()
        {
            Enable();
            Write(UARTDR, 'x');
            Write(UARTFR, 0);
            Write(UARTRIS, 0);
            Write(UARTMIS, 0);
            Write(0xFE0, 0);
            Assert.That(Read(UARTFR), Is.EqualTo(0x90u));
            Assert.That(Read(UARTRIS), Is.EqualTo(TxIs));
            Assert.That(Read(0xFE0), Is.EqualTo(0x11u));
            Assert.That(Read(UARTICR), Is.Zero);
            Assert.That(guestErrors, Is.Empty);
        }

        [Test]
        public void ShouldClearStateOnReset()
        {
            Enable();
            Write(UARTIMSC, TxIs);
            Write(UARTDR, 'x');
            uart.WriteChar(1);
            Assert.That(irq.Level, Is.True);
            uart.Reset();
            Assert.That(irq.Level, Is.False);
            Assert.That(uart.ReceiveFifoCount, Is.Zero);
            Assert.That(Read(UARTRIS), Is.Zero);
            Assert.That(Read(UARTCR), Is.EqualTo(0x300u));
        }

        private void Enable()
        {
            Write(UARTLCR_H, LcrFen | (3u << 5));
            Write(UARTCR, CrUarten | CrTxe | CrRxe);
        }

        private uint Read(long offset) => uart.ReadDoubleWord(offset);

        private void Write(long offset, uint value) => uart.WriteDoubleWord(offset, value);

        private void Write(long offset, char value) => uart.WriteDoubleWord(offset, value);

        private PL011 uart = null!;
        private List<byte> transmitted = null!;
        private LineProbe irq = null!;
        private List<LogEntry> guestErrors = null!;
        private System.Action<LogEntry>? previousBackend;

        private const long UARTDR = 0x000;
        private const long UARTRSR = 0x004;
        private const long UARTFR = 0x018;
        private const long UARTILPR = 0x020;
        private const long UARTIBRD = 0x024;
        private const long UARTFBRD = 0x028;
        private const long UARTLCR_H = 0x02C;
        private const long UARTCR = 0x030;
        private const long UARTIFLS = 0x034;
        private const long UARTIMSC = 0x038;
        private const long UARTRIS = 0x03C;
        private const long UARTMIS = 0x040;
        private const long UARTICR = 0x044;
        private const long UARTDMACR = 0x048;

        private const uint FrBusy = 1u << 3;
        private const uint FrRxfe = 1u << 4;
        private const uint FrTxff = 1u << 5;
        private const uint FrRxff = 1u << 6;
        private const uint FrTxfe = 1u << 7;
        private const uint CrUarten = 1u << 0;
        private const uint CrLbe = 1u << 7;
        private const uint CrTxe = 1u << 8;
        private const uint CrRxe = 1u << 9;
        private const uint LcrFen = 1u << 4;
        private const uint RsrOe = 1u << 3;
        private const uint RxIs = 1u << 4;
        private const uint TxIs = 1u << 5;
        private const uint RtIs = 1u << 6;
        private const uint OeIs = 1u << 10;

        /// <summary>Records the level of the line it is connected to.</summary>
        private sealed class LineProbe : IGPIOReceiver
        {
            public bool Level { get; private set; }

            public void OnGPIO(int number, bool value) => Level = value;

            public void Reset() => Level = false;
        }

        /// <summary>The PL011 does not use its machine; this stands in for one.</summary>
        private sealed class NullMachine : IMachine
        {
            public IBusController SystemBus => throw new System.NotSupportedException();

            public IBusController GetSystemBus(IPeripheral peripheral) => throw new System.NotSupportedException();

            public TimeStamp ElapsedVirtualTime => default;

            public bool TryGetLocalName(IPeripheral peripheral, out string name)
            {
                name = "uart0";
                return true;
            }
        }
    }
}
