// Renode-shaped API layer: core interfaces. Namespaces and member signatures follow Renode's
// renode-infrastructure (src/Emulator/Main/Core, src/Emulator/Main/Peripherals) so that the peripherals
// in peripherals/ compile unchanged against Renode's own assemblies.
using System.Collections.Generic;

namespace Antmicro.Renode.Core
{
    /// <summary>Anything that lives in an emulation and can log (Renode: Antmicro.Renode.Core.IEmulationElement).</summary>
    public interface IEmulationElement
    {
    }

    /// <summary>Renode: Antmicro.Renode.Core.IKnownSize.</summary>
    public interface IKnownSize
    {
        long Size { get; }
    }

    /// <summary>Renode: Antmicro.Renode.Core.IGPIOReceiver.</summary>
    public interface IGPIOReceiver : Antmicro.Renode.Peripherals.IPeripheral
    {
        void OnGPIO(int number, bool value);
    }

    /// <summary>Renode: Antmicro.Renode.Core.IGPIO.</summary>
    public interface IGPIO
    {
        bool IsSet { get; }
        void Set(bool value);
        void Toggle();
        void Connect(IGPIOReceiver destination, int destinationNumber);
        void Disconnect();
        bool IsConnected { get; }
        IList<GPIOEndpoint> Endpoints { get; }
    }

    /// <summary>Renode: Antmicro.Renode.Core.IGPIOSender (marker for peripherals with GPIO outputs).</summary>
    public interface IGPIOSender : Antmicro.Renode.Peripherals.IPeripheral
    {
    }

    /// <summary>Renode: Antmicro.Renode.Core.INumberedGPIOOutput.</summary>
    public interface INumberedGPIOOutput : IGPIOSender
    {
        IReadOnlyDictionary<int, IGPIO> Connections { get; }
    }

    /// <summary>Renode: Antmicro.Renode.Core.ILocalGPIOReceiver (per-CPU banked inputs such as PPIs).</summary>
    public interface ILocalGPIOReceiver
    {
        IGPIOReceiver GetLocalReceiver(int index);
    }

    /// <summary>Renode: Antmicro.Renode.Core.GPIOEndpoint.</summary>
    public class GPIOEndpoint
    {
        public GPIOEndpoint(IGPIOReceiver receiver, int number)
        {
            Receiver = receiver;
            Number = number;
        }

        public IGPIOReceiver Receiver { get; }
        public int Number { get; }
    }
}

namespace Antmicro.Renode.Peripherals
{
    using Antmicro.Renode.Core;

    /// <summary>Renode: Antmicro.Renode.Peripherals.IPeripheral.</summary>
    public interface IPeripheral : IEmulationElement
    {
        void Reset();
    }

}

namespace Antmicro.Renode.Peripherals.Bus
{
    /// <summary>Renode: Antmicro.Renode.Peripherals.Bus.IBusPeripheral.</summary>
    public interface IBusPeripheral : IPeripheral
    {
    }

    /// <summary>Renode: Antmicro.Renode.Peripherals.Bus.IBytePeripheral.</summary>
    public interface IBytePeripheral : IBusPeripheral
    {
        byte ReadByte(long offset);
        void WriteByte(long offset, byte value);
    }

    /// <summary>Renode: Antmicro.Renode.Peripherals.Bus.IWordPeripheral.</summary>
    public interface IWordPeripheral : IBusPeripheral
    {
        ushort ReadWord(long offset);
        void WriteWord(long offset, ushort value);
    }

    /// <summary>Renode: Antmicro.Renode.Peripherals.Bus.IDoubleWordPeripheral.</summary>
    public interface IDoubleWordPeripheral : IBusPeripheral
    {
        uint ReadDoubleWord(long offset);
        void WriteDoubleWord(long offset, uint value);
    }

    /// <summary>Renode: Antmicro.Renode.Peripherals.Bus.IQuadWordPeripheral.</summary>
    public interface IQuadWordPeripheral : IBusPeripheral
    {
        ulong ReadQuadWord(long offset);
        void WriteQuadWord(long offset, ulong value);
    }

    /// <summary>
    /// Renode: Antmicro.Renode.Peripherals.Bus.ConnectionRegionAttribute. Marks the access methods that serve one
    /// named region of a peripheral registered with <c>Bus.BusMultiRegistration { ...; region: "name" }</c>.
    /// </summary>
    [System.AttributeUsage(System.AttributeTargets.Method)]
    public sealed class ConnectionRegionAttribute : System.Attribute
    {
        public ConnectionRegionAttribute(string name)
        {
            Name = name;
        }

        public string Name { get; }
    }

    /// <summary>Renode: Antmicro.Renode.Peripherals.Bus.IBusController (the subset peripherals use).</summary>
    public interface IBusController
    {
        byte ReadByte(ulong address, IPeripheral? context = null, ulong? cpuState = null);
        void WriteByte(ulong address, byte value, IPeripheral? context = null, ulong? cpuState = null);
        ushort ReadWord(ulong address, IPeripheral? context = null, ulong? cpuState = null);
        void WriteWord(ulong address, ushort value, IPeripheral? context = null, ulong? cpuState = null);
        uint ReadDoubleWord(ulong address, IPeripheral? context = null, ulong? cpuState = null);
        void WriteDoubleWord(ulong address, uint value, IPeripheral? context = null, ulong? cpuState = null);
        ulong ReadQuadWord(ulong address, IPeripheral? context = null, ulong? cpuState = null);
        void WriteQuadWord(ulong address, ulong value, IPeripheral? context = null, ulong? cpuState = null);
        byte[] ReadBytes(ulong address, int count, IPeripheral? context = null);
        void WriteBytes(byte[] bytes, ulong address, IPeripheral? context = null);
        /// <summary>Whether an address is backed by memory or a peripheral (host helper; not in Renode's interface).</summary>
        bool IsMapped(ulong address);

        /// <summary>Whether an address is backed by RAM (Renode: IBusController.IsMemory).</summary>
        bool IsMemory(ulong address, Antmicro.Renode.Peripherals.CPU.ICPU? context = null) => IsMapped(address);
    }
}

namespace Antmicro.Renode.Peripherals.CPU
{
    /// <summary>Renode: Antmicro.Renode.Peripherals.CPU.ICPU (marker here; the bus takes it as an access context).</summary>
    public interface ICPU : IPeripheral
    {
    }
}

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    using Antmicro.Renode.Core;

    /// <summary>Renode: Antmicro.Renode.Peripherals.IRQControllers.IIRQController.</summary>
    public interface IIRQController : IGPIOReceiver
    {
    }
}
