// Tiny peripherals for the system bus, .repl loader and monitor tests. They live under
// Antmicro.Renode.Peripherals so a .repl names them "HostTest.Name".
using System;
using System.Collections.Generic;
using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.Bus;
using RenodeGic.Host.Emulation;

namespace Antmicro.Renode.Peripherals.HostTest
{
    public enum Mode
    {
        Slow,
        Fast,
    }

    /// <summary>32-bit registers only; records every access as "R4@off" / "W4@off=value".</summary>
    public sealed class DoubleWordDevice : IDoubleWordPeripheral, IKnownSize
    {
        public DoubleWordDevice(long size = 0x100)
        {
            Size = size;
            registers = new uint[size / 4];
        }

        public long Size { get; }

        public List<string> Accesses { get; } = new List<string>();

        public uint ReadDoubleWord(long offset)
        {
            Accesses.Add($"R4@{offset:X}");
            return registers[offset / 4];
        }

        public void WriteDoubleWord(long offset, uint value)
        {
            Accesses.Add($"W4@{offset:X}={value:X}");
            registers[offset / 4] = value;
        }

        public void Reset()
        {
            Array.Clear(registers);
        }

        private readonly uint[] registers;
    }

    /// <summary>Four regions served by [ConnectionRegion] methods of four widths.</summary>
    public sealed class MultiRegionDevice : IPeripheral
    {
        public List<string> Accesses { get; } = new List<string>();

        [ConnectionRegion("alpha")]
        public uint ReadAlpha(long offset)
        {
            Accesses.Add($"alpha R4@{offset:X}");
            return 0xA0000000u | (uint)offset;
        }

        [ConnectionRegion("alpha")]
        public void WriteAlpha(long offset, uint value) => Accesses.Add($"alpha W4@{offset:X}={value:X}");

        [ConnectionRegion("beta")]
        public ulong ReadBeta(long offset)
        {
            Accesses.Add($"beta R8@{offset:X}");
            return 0xB000_0000_0000_0000UL | (ulong)offset;
        }

        [ConnectionRegion("beta")]
        public void WriteBeta(long offset, ulong value) => Accesses.Add($"beta W8@{offset:X}={value:X}");

        [ConnectionRegion("gamma")]
        public byte ReadGamma(long offset)
        {
            Accesses.Add($"gamma R1@{offset:X}");
            return (byte)(0x10 + offset);
        }

        [ConnectionRegion("gamma")]
        public void WriteGamma(long offset, byte value) => Accesses.Add($"gamma W1@{offset:X}={value:X}");

        [ConnectionRegion("delta")]
        public ushort ReadDelta(long offset)
        {
            Accesses.Add($"delta R2@{offset:X}");
            return (ushort)(0xD000 | offset);
        }

        [ConnectionRegion("delta")]
        public void WriteDelta(long offset, ushort value) => Accesses.Add($"delta W2@{offset:X}={value:X}");

        public void Reset()
        {
        }
    }

    /// <summary>Records GPIO inputs; local receivers #n record as n*1000 + number.</summary>
    public sealed class Sink : IGPIOReceiver, ILocalGPIOReceiver
    {
        public List<(int Number, bool Value)> Events { get; } = new List<(int Number, bool Value)>();

        public List<(int Number, bool Value)> LocalEvents { get; } = new List<(int Number, bool Value)>();

        public void OnGPIO(int number, bool value) => Events.Add((number, value));

        public IGPIOReceiver GetLocalReceiver(int index)
        {
            if(index < 0 || index > 3)
            {
                throw new ArgumentOutOfRangeException(nameof(index), "local receivers are 0..3");
            }
            return new LocalReceiver(this, index);
        }

        public void Reset()
        {
        }

        private sealed class LocalReceiver : IGPIOReceiver
        {
            public LocalReceiver(Sink owner, int index)
            {
                this.owner = owner;
                this.index = index;
            }

            public void OnGPIO(int number, bool value) => owner.LocalEvents.Add((index * 1000 + number, value));

            public void Reset()
            {
            }

            private readonly Sink owner;
            private readonly int index;
        }
    }

    /// <summary>Constructor and property kinds the loader converts, plus one default GPIO.</summary>
    public sealed class Configurable : IDoubleWordPeripheral, IKnownSize
    {
        public Configurable(IMachine machine, int count, string label = "none", bool flag = false, ulong address = 0, Mode mode = Mode.Slow,
            Sink? sink = null, int[]? list = null, long signed = 0, double ratio = 0, uint? maybe = null)
        {
            Machine = machine;
            Count = count;
            Label = label;
            Flag = flag;
            Address = address;
            Mode = mode;
            SinkTarget = sink;
            List = list;
            Signed = signed;
            Ratio = ratio;
            Maybe = maybe;
        }

        public IMachine Machine { get; }

        public int Count { get; }

        public string Label { get; }

        public bool Flag { get; }

        public ulong Address { get; }

        public Mode Mode { get; }

        public Sink? SinkTarget { get; }

        public int[]? List { get; }

        public long Signed { get; }

        public double Ratio { get; }

        public uint? Maybe { get; }

        public int Frequency { get; set; }

        public Mode Speed { get; set; }

        public GPIO IRQ { get; } = new GPIO();

        public long Size => 0x1000;

        public uint ReadDoubleWord(long offset) => 0;

        public void WriteDoubleWord(long offset, uint value)
        {
        }

        public void Reset()
        {
        }
    }

    public sealed class TwoGpios : IPeripheral
    {
        public GPIO Tx { get; } = new GPIO();

        public GPIO Rx { get; } = new GPIO();

        public void Reset()
        {
        }
    }

    public sealed class NumberedOutputs : INumberedGPIOOutput
    {
        public NumberedOutputs()
        {
            var connections = new Dictionary<int, IGPIO>();
            for(var i = 0; i < 8; i++)
            {
                connections[i] = new GPIO();
            }
            Connections = connections;
        }

        public IReadOnlyDictionary<int, IGPIO> Connections { get; }

        public void Reset()
        {
        }
    }

    /// <summary>A stand-in CPU (the real one needs libunicorn).</summary>
    public sealed class FakeCpu : IHostCpu
    {
        public FakeCpu(IMachine machine, uint cpuId = 0, Sink? genericInterruptController = null)
        {
            CpuId = cpuId;
            Gic = genericInterruptController;
        }

        public uint CpuId { get; }

        public Sink? Gic { get; }

        public int Index { get; set; }

        public string Name { get; set; } = "";

        public ulong PC { get; set; }

        public int FinishCalls { get; private set; }

        public void FinishPlatformLoad(Machine machine) => FinishCalls++;

        public void Reset()
        {
        }
    }

    public sealed class CpuTimer : ICpuAttached
    {
        public IHostCpu? Cpu { get; private set; }

        public void AttachTo(IHostCpu cpu) => Cpu = cpu;

        public void Reset()
        {
        }
    }

    public sealed class FailingDevice : IPeripheral
    {
        public FailingDevice(int value = 0)
        {
            if(value < 0)
            {
                throw new ArgumentException("value must not be negative");
            }
        }

        public void Reset()
        {
        }
    }

    /// <summary>A UART as the monitor sees one: an event per transmitted byte.</summary>
    public sealed class FakeUart : IDoubleWordPeripheral, IKnownSize
    {
        public event Action<byte>? CharReceived;

        public long Size => 0x1000;

        public uint ReadDoubleWord(long offset) => 0;

        public void WriteDoubleWord(long offset, uint value) => CharReceived?.Invoke((byte)value);

        public void Reset()
        {
        }
    }
}
