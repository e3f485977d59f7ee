// Test support: a minimal IMachine whose system bus is a byte array (little-endian), with injectable faulting
// address ranges (for ITS table-walk error paths), and a fake IGicCpu whose EL, HCR_EL2 and affinity tests set.
using System;
using System.Collections.Generic;
using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.IRQControllers;
using Antmicro.Renode.Time;

namespace RenodeGic.Tests.Support
{
    public sealed class FakeMachine : IMachine
    {
        public FakeMachine(ulong memoryBase = 0x4000_0000, int memorySize = 1 << 20)
        {
            Bus = new FakeBus(memoryBase, memorySize);
        }

        public FakeBus Bus { get; }

        public IBusController SystemBus => Bus;

        public IBusController GetSystemBus(IPeripheral peripheral) => Bus;

        public TimeStamp ElapsedVirtualTime => new TimeStamp(Now);

        public TimeInterval Now { get; set; }

        public bool TryGetLocalName(IPeripheral peripheral, out string name)
        {
            name = peripheral.GetType().Name;
            return true;
        }
    }

    /// <summary>A RAM-backed bus. Accesses touching a faulting range read as zero, are not written, and are recorded.</summary>
    public sealed class FakeBus : IBusController
    {
        public FakeBus(ulong memoryBase, int memorySize)
        {
            MemoryBase = memoryBase;
            memory = new byte[memorySize];
        }

        public ulong MemoryBase { get; }

        public ulong MemorySize => (ulong)memory.Length;

        /// <summary>Every access that hit a faulting range or unbacked memory: (address, size, isWrite).</summary>
        public List<(ulong Address, int Size, bool IsWrite)> Faults { get; } = new List<(ulong, int, bool)>();

        public void AddFaultingRange(ulong start, ulong size)
        {
            faulting.Add((start, size));
        }

        public void ClearFaultingRanges()
        {
            faulting.Clear();
        }

        public bool IsMapped(ulong address) => !IsFaulting(address, 1);

        public byte ReadByte(ulong address, IPeripheral? context = null, ulong? cpuState = null) => (byte)Read(address, 1);

        public void WriteByte(ulong address, byte value, IPeripheral? context = null, ulong? cpuState = null) => Write(address, 1, value);

        public ushort ReadWord(ulong address, IPeripheral? context = null, ulong? cpuState = null) => (ushort)Read(address, 2);

        public void WriteWord(ulong address, ushort value, IPeripheral? context = null, ulong? cpuState = null) => Write(address, 2, value);

        public uint ReadDoubleWord(ulong address, IPeripheral? context = null, ulong? cpuState = null) => (uint)Read(address, 4);

        public void WriteDoubleWord(ulong address, uint value, IPeripheral? context = null, ulong? cpuState = null) => Write(address, 4, value);

        public ulong ReadQuadWord(ulong address, IPeripheral? context = null, ulong? cpuState = null) => Read(address, 8);

        public void WriteQuadWord(ulong address, ulong value, IPeripheral? context = null, ulong? cpuState = null) => Write(address, 8, value);

        public byte[] ReadBytes(ulong address, int count, IPeripheral? context = null)
        {
            var result = new byte[count];
            if(IsFaulting(address, count))
            {
                Faults.Add((address, count, false));
                return result;
            }
            Array.Copy(memory, (long)(address - MemoryBase), result, 0, count);
            return result;
        }

        public void WriteBytes(byte[] bytes, ulong address, IPeripheral? context = null)
        {
            if(IsFaulting(address, bytes.Length))
            {
                Faults.Add((address, bytes.Length, true));
                return;
            }
            Array.Copy(bytes, 0, memory, (long)(address - MemoryBase), bytes.Length);
        }

        private ulong Read(ulong address, int size)
        {
            if(IsFaulting(address, size))
            {
                Faults.Add((address, size, false));
                return 0;
            }
            var value = 0UL;
            var start = (int)(address - MemoryBase);
            for(var i = size - 1; i >= 0; i--)
            {
                value = (value << 8) | memory[start + i];
            }
            return value;
        }

        private void Write(ulong address, int size, ulong value)
        {
            if(IsFaulting(address, size))
            {
                Faults.Add((address, size, true));
                return;
            }
            var start = (int)(address - MemoryBase);
            for(var i = 0; i < size; i++)
            {
                memory[start + i] = (byte)(value >> (8 * i));
            }
        }

        private bool IsFaulting(ulong address, int size)
        {
            if(address < MemoryBase || address + (ulong)size > MemoryBase + (ulong)memory.Length)
            {
                return true;
            }
            foreach(var (start, length) in faulting)
            {
                if(address < start + length && start < address + (ulong)size)
                {
                    return true;
                }
            }
            return false;
        }

        private readonly byte[] memory;
        private readonly List<(ulong Start, ulong Size)> faulting = new List<(ulong, ulong)>();
    }

    public sealed class FakeGicCpu : IGicCpu
    {
        public FakeGicCpu(ulong affinity, int exceptionLevel = 1)
        {
            Affinity = affinity;
            ExceptionLevel = exceptionLevel;
        }

        /// <summary>Affinity for the usual flat numbering: Aff0 = n % 16... here simply Aff0 = n, as on QEMU virt for n below 16.</summary>
        public static FakeGicCpu ForProcessor(int number) => new FakeGicCpu((ulong)number);

        public int ExceptionLevel { get; set; }

        public ulong HypervisorConfiguration { get; set; }

        public ulong Affinity { get; set; }
    }
}
