// Builds the device tree of a platform from a DeviceTreeSpec. The shape follows the DTB QEMU's `virt` machine
// hands to Linux (root with 2 address and 2 size cells, interrupt-parent = the GIC, psci, memory@, cpus,
// timer, intc@ with its@ children, apb-pclk, pl011@, chosen), limited to the nodes this platform has.
//
// Interrupt specifiers use the arm,gic-v3 binding's three cells: <type number flags>, type 0 = SPI
// (INTID = number + 32), 1 = PPI (INTID = number + 16); flags 4 = level, active high.
using System;
using System.Collections.Generic;

namespace RenodeGic.Host.DeviceTree
{
    /// <summary>Turns a <see cref="DeviceTreeSpec"/> into a DTB.</summary>
    public static class PlatformDeviceTree
    {
        /// <summary>Interrupt specifier type cell for an SPI.</summary>
        public const uint GicSpi = 0;

        /// <summary>Interrupt specifier type cell for a PPI.</summary>
        public const uint GicPpi = 1;

        /// <summary>Interrupt specifier flags cell: level-sensitive, active high.</summary>
        public const uint IrqTypeLevelHigh = 4;

        /// <summary>Generic timer PPIs in binding order: secure physical, non-secure physical, virtual, hypervisor.</summary>
        public static readonly IReadOnlyList<uint> TimerPpis = new uint[] { 13, 14, 11, 10 };

        /// <summary>Builds the DTB.</summary>
        public static byte[] Build(DeviceTreeSpec spec)
        {
            return BuildTree(spec).Build();
        }

        /// <summary>Builds the tree without serialising it (for callers that want to add nodes).</summary>
        public static FdtBuilder BuildTree(DeviceTreeSpec spec)
        {
            var fdt = new FdtBuilder();
            fdt.BootCpuId = (uint)spec.Cpus[0].AffinityReg;
            foreach(var reservation in spec.Reservations)
            {
                fdt.AddMemoryReservation(reservation.Base, reservation.Size);
            }

            var root = fdt.Root;
            root.SetU32("#address-cells", 2);
            root.SetU32("#size-cells", 2);
            root.SetStringList("compatible", ToArray(spec.Compatible));
            root.SetString("model", spec.Model);

            if(spec.Psci is PsciConduit conduit)
            {
                root.AddNode("psci")
                    .SetStringList("compatible", "arm,psci-1.0", "arm,psci-0.2")
                    .SetString("method", conduit == PsciConduit.Smc ? "smc" : "hvc");
            }

            foreach(var range in spec.Memory)
            {
                root.AddNode("memory", range.Base)
                    .SetString("device_type", "memory")
                    .SetCells("reg", 2, range.Base, range.Size);
            }

            AddCpus(root, spec);

            var gic = AddGic(root, spec.Gic);
            root.SetU32("interrupt-parent", gic.Phandle);

            if(spec.Timer)
            {
                var cells = new List<uint>();
                foreach(var ppi in TimerPpis)
                {
                    cells.AddRange(new[] { GicPpi, ppi, IrqTypeLevelHigh });
                }
                root.AddNode("timer")
                    .SetStringList("compatible", "arm,armv8-timer")
                    .SetU32Array("interrupts", cells.ToArray())
                    .SetEmpty("always-on");
            }

            var clocks = new Dictionary<uint, FdtNode>();
            var uartPaths = new List<string>();
            foreach(var uart in spec.Uarts)
            {
                if(!clocks.TryGetValue(uart.ClockFrequency, out var clock))
                {
                    var name = clocks.Count == 0 ? "apb-pclk" : $"apb-pclk-{uart.ClockFrequency}";
                    clock = root.AddNode(name)
                        .SetString("compatible", "fixed-clock")
                        .SetU32("#clock-cells", 0)
                        .SetU32("clock-frequency", uart.ClockFrequency)
                        .SetString("clock-output-names", ClockName(uart.ClockFrequency));
                    clocks.Add(uart.ClockFrequency, clock);
                }
                var node = root.AddNode("pl011", uart.Base)
                    .SetStringList("compatible", "arm,pl011", "arm,primecell")
                    .SetCells("reg", 2, uart.Base, uart.Size);
                if(uart.Spi is uint spi)
                {
                    node.SetU32Array("interrupts", GicSpi, spi, IrqTypeLevelHigh);
                }
                node.SetU32Array("clocks", clock.Phandle, clock.Phandle)
                    .SetStringList("clock-names", "uartclk", "apb_pclk");
                uartPaths.Add("/" + node.Name);
            }

            var chosen = root.AddNode("chosen");
            if(spec.Bootargs != null)
            {
                chosen.SetString("bootargs", spec.Bootargs);
            }
            if(uartPaths.Count > 0)
            {
                chosen.SetString("stdout-path", uartPaths[0]);
            }
            if(spec.Initrd is MemoryRange initrd)
            {
                chosen.SetU64("linux,initrd-start", initrd.Base);
                chosen.SetU64("linux,initrd-end", initrd.End);
            }

            if(uartPaths.Count > 0)
            {
                var aliases = root.AddNode("aliases");
                for(var i = 0; i < uartPaths.Count; i++)
                {
                    aliases.SetString($"serial{i}", uartPaths[i]);
                }
            }
            return fdt;
        }

        private static void AddCpus(FdtNode root, DeviceTreeSpec spec)
        {
            var needsTwoCells = false;
            var seen = new HashSet<ulong>();
            foreach(var cpu in spec.Cpus)
            {
                needsTwoCells |= cpu.AffinityReg > uint.MaxValue;
                if(!seen.Add(cpu.AffinityReg))
                {
                    throw new ArgumentException($"Two CPUs have the same MPIDR affinity 0x{cpu.AffinityReg:x}.", nameof(spec));
                }
            }
            var cells = needsTwoCells ? 2 : 1;
            var cpus = root.AddNode("cpus")
                .SetU32("#address-cells", (uint)cells)
                .SetU32("#size-cells", 0);
            foreach(var cpu in spec.Cpus)
            {
                var node = cpus.AddNode("cpu", cpu.AffinityReg)
                    .SetString("device_type", "cpu")
                    .SetString("compatible", cpu.Compatible)
                    .SetCells("reg", cells, cpu.AffinityReg);
                if(spec.Psci != null)
                {
                    node.SetString("enable-method", "psci");
                }
            }
        }

        private static FdtNode AddGic(FdtNode root, GicSpec spec)
        {
            var reg = new List<ulong> { spec.Distributor.Base, spec.Distributor.Size };
            foreach(var region in spec.RedistributorRegions)
            {
                reg.Add(region.Base);
                reg.Add(region.Size);
            }
            var gic = root.AddNode("intc", spec.Distributor.Base)
                .SetString("compatible", "arm,gic-v3")
                .SetU32("#interrupt-cells", 3)
                .SetEmpty("interrupt-controller")
                .SetCells("reg", 2, reg.ToArray());
            if(spec.RedistributorRegions.Count > 1)
            {
                gic.SetU32("#redistributor-regions", (uint)spec.RedistributorRegions.Count);
            }
            if(spec.MaintenancePpi is uint maintenance)
            {
                gic.SetU32Array("interrupts", GicPpi, maintenance, IrqTypeLevelHigh);
            }
            // ITS children use the parent's address space 1:1. Like QEMU, the cells and ranges are present even
            // without an ITS (dtc warns about an interrupt provider without #address-cells otherwise).
            gic.SetU32("#address-cells", 2)
                .SetU32("#size-cells", 2)
                .SetEmpty("ranges");
            foreach(var its in spec.Its)
            {
                gic.AddNode("its", its.Base)
                    .SetString("compatible", "arm,gic-v3-its")
                    .SetEmpty("msi-controller")
                    .SetU32("#msi-cells", 1)
                    .SetCells("reg", 2, its.Base, its.Size);
            }
            return gic;
        }

        private static string ClockName(uint frequency)
        {
            if(frequency % 1000000 == 0)
            {
                return $"clk{frequency / 1000000}mhz";
            }
            if(frequency % 1000 == 0)
            {
                return $"clk{frequency / 1000}khz";
            }
            return $"clk{frequency}hz";
        }

        private static string[] ToArray(IReadOnlyList<string> values)
        {
            var result = new string[values.Count];
            for(var i = 0; i < values.Count; i++)
            {
                result[i] = values[i];
            }
            return result;
        }
    }
}
