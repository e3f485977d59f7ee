// Derives a DeviceTreeSpec from a loaded machine. Everything is read from what the platform registered:
// RAM from the system bus, CPUs from the machine's CPU list (MPIDR affinity through IGicCpu), the GIC from its
// bus registrations (the peripheral owning a "distributor" region; its "redistributor*" regions; ITS frames
// as "its*" regions of the GIC or separate peripherals whose type name ends in "Its"), UARTs from PL011
// peripherals and the GIC input their IRQ line is connected to.
using System;
using System.Collections.Generic;
using System.Linq;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.CPU;
using Antmicro.Renode.Peripherals.IRQControllers;
using Antmicro.Renode.Peripherals.UART;
using RenodeGic.Host.Emulation;

namespace RenodeGic.Host.DeviceTree
{
    public sealed partial record DeviceTreeSpec
    {
        /// <summary>The bus region name of the GIC distributor.</summary>
        public const string DistributorRegion = "distributor";

        /// <summary>Prefix of the bus region names of GIC redistributor frames.</summary>
        public const string RedistributorRegionPrefix = "redistributor";

        /// <summary>Prefix of the bus region names of ITS frames registered as regions of the GIC.</summary>
        public const string ItsRegionPrefix = "its";

        /// <summary>
        /// Describes a loaded machine. The first RAM region loses the top <see cref="ARMv8A.TrampolineReservedBytes"/>
        /// bytes the ARMv8A CPUs keep for themselves. PSCI uses SMC when the CPUs boot at EL2, HVC otherwise.
        /// Throws ArgumentException when the machine lacks RAM, CPUs or a GIC distributor.
        /// </summary>
        public static DeviceTreeSpec FromMachine(Machine machine, string? bootargs)
        {
            var bus = machine.SystemBus;
            var armCpus = machine.Cpus.OfType<ARMv8A>().ToList();

            var memory = new List<MemoryRange>();
            foreach(var (address, ram) in bus.RamRegions)
            {
                var size = (ulong)ram.Size;
                if(memory.Count == 0 && armCpus.Count > 0)
                {
                    size = size > ARMv8A.TrampolineReservedBytes ? size - ARMv8A.TrampolineReservedBytes : 0;
                }
                if(size > 0)
                {
                    memory.Add(new MemoryRange(address, size));
                }
            }
            if(memory.Count == 0)
            {
                throw new ArgumentException("the platform has no RAM to describe in the device tree", nameof(machine));
            }

            var cpus = new List<CpuSpec>();
            foreach(var cpu in machine.Cpus)
            {
                var affinity = cpu is IGicCpu gicCpu ? gicCpu.Affinity : (ulong)cpu.Index;
                var compatible = cpu is ARMv8A arm ? "arm," + arm.CpuType : "arm,armv8";
                cpus.Add(new CpuSpec(affinity, compatible));
            }
            if(cpus.Count == 0)
            {
                throw new ArgumentException("the platform has no CPUs to describe in the device tree", nameof(machine));
            }

            var (gicPeripheral, gic) = DescribeGic(bus);

            var uarts = new List<Pl011Spec>();
            foreach(var uart in machine.Peripherals.OfType<PL011>())
            {
                var region = bus.MmioRegions.FirstOrDefault(r => ReferenceEquals(r.Peripheral, uart) && r.RegionName == null);
                if(region == null)
                {
                    continue;
                }
                uint? spi = null;
                foreach(var endpoint in uart.IRQ.Endpoints)
                {
                    if(ReferenceEquals(endpoint.Receiver, gicPeripheral) && endpoint.Number >= 0)
                    {
                        spi = (uint)endpoint.Number;
                        break;
                    }
                }
                uarts.Add(new Pl011Spec(region.Address, spi, region.Size, uart.UartClockFrequency));
            }

            var bootLevel = armCpus.Count > 0 ? armCpus[0].BootExceptionLevel : 1;
            return new DeviceTreeSpec(memory, cpus, gic)
            {
                Psci = bootLevel >= 2 ? PsciConduit.Smc : PsciConduit.Hvc,
                Timer = armCpus.Count > 0,
                Uarts = uarts,
                Bootargs = bootargs,
            };
        }

        private static (IPeripheral Peripheral, GicSpec Spec) DescribeGic(SystemBus bus)
        {
            var distributors = bus.MmioRegions.Where(r => r.RegionName == DistributorRegion).ToList();
            if(distributors.Count != 1)
            {
                throw new ArgumentException(distributors.Count == 0
                    ? "the platform has no GIC (no bus region named \"distributor\")"
                    : $"the platform has {distributors.Count} GIC distributors; the device tree describes one", nameof(bus));
            }
            var distributor = distributors[0];
            var gic = distributor.Peripheral;

            var redistributors = bus.MmioRegions
                .Where(r => ReferenceEquals(r.Peripheral, gic) && r.RegionName != null
                    && r.RegionName.StartsWith(RedistributorRegionPrefix, StringComparison.Ordinal))
                .OrderBy(r => r.Address)
                .Select(r => new MemoryRange(r.Address, r.Size))
                .ToList();
            if(redistributors.Count == 0)
            {
                throw new ArgumentException("the GIC has no redistributor regions registered on the bus", nameof(bus));
            }

            // One ITS per "its*" region of the GIC, or per separate ITS peripheral (all its regions together).
            var itsFrames = new Dictionary<object, (ulong Start, ulong End)>();
            foreach(var region in bus.MmioRegions)
            {
                object key;
                if(ReferenceEquals(region.Peripheral, gic))
                {
                    if(region.RegionName == null || !region.RegionName.StartsWith(ItsRegionPrefix, StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }
                    key = region.RegionName;
                }
                else if(region.Peripheral.GetType().Name.EndsWith("Its", StringComparison.Ordinal))
                {
                    key = region.Peripheral;
                }
                else
                {
                    continue;
                }
                var end = region.Address + region.Size;
                itsFrames[key] = itsFrames.TryGetValue(key, out var known)
                    ? (Math.Min(known.Start, region.Address), Math.Max(known.End, end))
                    : (region.Address, end);
            }
            var its = itsFrames.Values.OrderBy(f => f.Start).Select(f => new GicItsSpec(f.Start, f.End - f.Start)).ToList();

            return (gic, new GicSpec(new MemoryRange(distributor.Address, distributor.Size), redistributors) { Its = its });
        }
    }
}
