// The emulated machine: a system bus, a name registry of peripherals, the CPUs in registration order and
// the scheduler that runs them (set by the CPU code). Peripherals see it as Renode's IMachine.
using System;
using System.Collections.Generic;
using Antmicro.Renode.Core;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Time;

namespace RenodeGic.Host.Emulation
{
    public sealed class Machine : IMachine, IDisposable
    {
        public const string SystemBusName = "sysbus";

        public Machine(string name = "machine-0")
        {
            Name = name;
            SystemBus = new SystemBus();
            lock(LiveMachines)
            {
                LiveMachines.Add(this);
            }
            Logger.NameResolver = ResolveName;
        }

        public string Name { get; }

        public SystemBus SystemBus { get; }

        IBusController IMachine.SystemBus => SystemBus;

        /// <summary>The scheduler that runs the CPUs; set by the CPU code. Null until then.</summary>
        public IMachineRunner? Runner { get; set; }

        public TimeStamp ElapsedVirtualTime => new TimeStamp(Runner?.ElapsedVirtualTime ?? TimeInterval.FromNanoseconds(0));

        /// <summary>CPUs in registration order; a CPU's position is its Index (the GIC's processor number).</summary>
        public IReadOnlyList<IHostCpu> Cpus => cpus;

        /// <summary>Named peripherals in registration order (the system bus is not listed).</summary>
        public IReadOnlyList<IPeripheral> Peripherals => peripherals;

        /// <summary>
        /// Names a peripheral. A CPU (IHostCpu) is also appended to <see cref="Cpus"/>, and gets its Index and Name.
        /// Throws ArgumentException for a taken name or a peripheral registered twice.
        /// </summary>
        public void Register(string name, IPeripheral peripheral)
        {
            name = StripBusPrefix(name);
            if(name.Length == 0 || name == SystemBusName || byName.ContainsKey(name))
            {
                throw new ArgumentException($"the name '{name}' is already taken", nameof(name));
            }
            if(names.ContainsKey(peripheral))
            {
                throw new ArgumentException($"this {peripheral.GetType().Name} is already registered as '{names[peripheral]}'", nameof(peripheral));
            }
            byName.Add(name, peripheral);
            names.Add(peripheral, name);
            peripherals.Add(peripheral);
            if(peripheral is IHostCpu cpu)
            {
                cpu.Index = cpus.Count;
                cpu.Name = name;
                cpus.Add(cpu);
            }
        }

        /// <summary>Looks a peripheral up by "uart0" or "sysbus.uart0"; "sysbus" is the bus itself.</summary>
        public bool TryGetByName(string name, out IPeripheral peripheral)
        {
            if(name == SystemBusName)
            {
                peripheral = SystemBus;
                return true;
            }
            if(byName.TryGetValue(StripBusPrefix(name), out var found))
            {
                peripheral = found;
                return true;
            }
            peripheral = null!;
            return false;
        }

        /// <summary>The registered name of a peripheral ("sysbus" for the bus). Throws ArgumentException if it has none.</summary>
        public string GetName(IPeripheral peripheral)
        {
            return TryGetLocalName(peripheral, out var name) ? name : throw new ArgumentException($"this {peripheral.GetType().Name} is not registered", nameof(peripheral));
        }

        public bool TryGetLocalName(IPeripheral peripheral, out string name)
        {
            if(ReferenceEquals(peripheral, SystemBus))
            {
                name = SystemBusName;
                return true;
            }
            if(names.TryGetValue(peripheral, out var found))
            {
                name = found;
                return true;
            }
            name = "";
            return false;
        }

        public IBusController GetSystemBus(IPeripheral peripheral) => SystemBus;

        /// <summary>
        /// Calls FinishPlatformLoad on every CPU that has not had it yet (so calling it twice is harmless, and CPUs
        /// added by a later platform load get theirs). Call after loading and wiring, before the first run.
        /// </summary>
        public void FinishLoad()
        {
            while(finishedCpus < cpus.Count)
            {
                var cpu = cpus[finishedCpus];
                finishedCpus++;
                cpu.FinishPlatformLoad(this);
            }
        }

        /// <summary>Resets every peripheral (CPUs included) in registration order.</summary>
        public void Reset()
        {
            foreach(var peripheral in peripherals)
            {
                peripheral.Reset();
            }
        }

        /// <summary>Releases native memory and anything else disposable the peripherals hold.</summary>
        public void Dispose()
        {
            lock(LiveMachines)
            {
                LiveMachines.Remove(this);
            }
            foreach(var peripheral in peripherals)
            {
                (peripheral as IDisposable)?.Dispose();
            }
        }

        private static string StripBusPrefix(string name)
        {
            return name.StartsWith(SystemBusName + ".", StringComparison.Ordinal) ? name.Substring(SystemBusName.Length + 1) : name;
        }

        private static string ResolveName(IEmulationElement element)
        {
            lock(LiveMachines)
            {
                for(var i = LiveMachines.Count - 1; i >= 0; i--)
                {
                    if(element is IPeripheral peripheral && LiveMachines[i].TryGetLocalName(peripheral, out var name))
                    {
                        return name;
                    }
                }
            }
            return element.GetType().Name;
        }

        private static readonly List<Machine> LiveMachines = new List<Machine>();

        private readonly Dictionary<string, IPeripheral> byName = new Dictionary<string, IPeripheral>(StringComparer.Ordinal);
        private readonly Dictionary<IPeripheral, string> names = new Dictionary<IPeripheral, string>(ReferenceEqualityComparer.Instance);
        private readonly List<IPeripheral> peripherals = new List<IPeripheral>();
        private readonly List<IHostCpu> cpus = new List<IHostCpu>();
        private int finishedCpus;
    }
}
