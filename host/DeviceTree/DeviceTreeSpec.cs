// A plain description of the hardware a device tree should describe. PlatformDeviceTree turns it into a DTB
// shaped like the one QEMU's `virt` machine produces, restricted to the devices this platform has.
using System;
using System.Collections.Generic;

namespace RenodeGic.Host.DeviceTree
{
    /// <summary>A physical address range.</summary>
    public readonly record struct MemoryRange(ulong Base, ulong Size)
    {
        public ulong End => Base + Size;
    }

    /// <summary>How the OS calls PSCI firmware (the "method" property of the psci node).</summary>
    public enum PsciConduit
    {
        /// <summary>HVC: firmware at EL2 (the host's PSCI when the guest starts at EL1).</summary>
        Hvc,
        /// <summary>SMC: firmware at EL3 (or the host emulating it when the guest starts at EL2).</summary>
        Smc,
    }

    /// <summary>One CPU: its MPIDR affinity (the "reg" of cpu@N) and compatible string.</summary>
    public sealed record CpuSpec(ulong Mpidr, string Compatible = "arm,cortex-a57")
    {
        /// <summary>The affinity fields Aff3..Aff0 of MPIDR_EL1 (bits 39:32 and 23:0), as the cpu node's reg.</summary>
        public ulong AffinityReg => Mpidr & 0xFF_00FF_FFFFUL;
    }

    /// <summary>A GICv3 ITS frame (GITS_CTLR .. GITS_TRANSLATER: 2 × 64 KiB; 4 × 64 KiB with GICv4.1).</summary>
    public sealed record GicItsSpec(ulong Base, ulong Size = 0x20000);

    /// <summary>A GICv3/v4 with affinity routing: distributor, redistributor regions and ITSes.</summary>
    public sealed record GicSpec
    {
        public GicSpec(MemoryRange distributor, IReadOnlyList<MemoryRange> redistributorRegions)
        {
            if(redistributorRegions.Count == 0)
            {
                throw new ArgumentException("A GICv3 needs at least one redistributor region.", nameof(redistributorRegions));
            }
            Distributor = distributor;
            RedistributorRegions = redistributorRegions;
        }

        public MemoryRange Distributor { get; init; }

        /// <summary>Contiguous runs of redistributor frames; each becomes one entry of "reg" after the distributor.</summary>
        public IReadOnlyList<MemoryRange> RedistributorRegions { get; init; }

        public IReadOnlyList<GicItsSpec> Its { get; init; } = Array.Empty<GicItsSpec>();

        /// <summary>PPI number of the virtualization maintenance interrupt (9 = INTID 25), or null for none.</summary>
        public uint? MaintenancePpi { get; init; } = 9;
    }

    /// <summary>An Arm PL011 UART.</summary>
    public sealed record Pl011Spec(ulong Base, uint? Spi, ulong Size = 0x1000, uint ClockFrequency = 24000000);

    /// <summary>Everything PlatformDeviceTree needs to describe a machine.</summary>
    public sealed partial record DeviceTreeSpec
    {
        public DeviceTreeSpec(IReadOnlyList<MemoryRange> memory, IReadOnlyList<CpuSpec> cpus, GicSpec gic)
        {
            if(memory.Count == 0)
            {
                throw new ArgumentException("A device tree needs at least one memory range.", nameof(memory));
            }
            if(cpus.Count == 0)
            {
                throw new ArgumentException("A device tree needs at least one CPU.", nameof(cpus));
            }
            Memory = memory;
            Cpus = cpus;
            Gic = gic;
        }

        public string Model { get; init; } = "linux,dummy-virt";

        public IReadOnlyList<string> Compatible { get; init; } = new[] { "linux,dummy-virt" };

        public IReadOnlyList<MemoryRange> Memory { get; init; }

        public IReadOnlyList<CpuSpec> Cpus { get; init; }

        /// <summary>PSCI conduit; null leaves out the psci node and the CPUs' enable-method.</summary>
        public PsciConduit? Psci { get; init; } = PsciConduit.Hvc;

        /// <summary>Whether to describe the architected generic timer.</summary>
        public bool Timer { get; init; } = true;

        public GicSpec Gic { get; init; }

        /// <summary>UARTs in alias order (the first is serial0 and the stdout-path).</summary>
        public IReadOnlyList<Pl011Spec> Uarts { get; init; } = Array.Empty<Pl011Spec>();

        /// <summary>Kernel command line (/chosen/bootargs), or null for none.</summary>
        public string? Bootargs { get; init; }

        /// <summary>Optional initrd location (/chosen/linux,initrd-start and -end).</summary>
        public MemoryRange? Initrd { get; init; }

        /// <summary>Entries of the memory reservation block.</summary>
        public IReadOnlyList<MemoryRange> Reservations { get; init; } = Array.Empty<MemoryRange>();

        /// <summary>A `virt`-like description: QEMU's memory map, n CPUs with MPIDR Aff0 = 0..n-1, one PL011.</summary>
        public static DeviceTreeSpec VirtLike(int cpuCount, ulong ramSize = 0x4000_0000, bool its = true, bool gicV4 = false, string? bootargs = null)
        {
            if(cpuCount < 1 || cpuCount > 123)
            {
                throw new ArgumentOutOfRangeException(nameof(cpuCount), "The virt memory map has room for 1 to 123 CPUs.");
            }
            var cpus = new List<CpuSpec>();
            for(var i = 0; i < cpuCount; i++)
            {
                cpus.Add(new CpuSpec((ulong)i));
            }
            var stride = gicV4 ? 0x40000UL : 0x20000UL;
            var gic = new GicSpec(new MemoryRange(0x0800_0000, 0x10000), new[] { new MemoryRange(0x080A_0000, stride * (ulong)cpuCount) })
            {
                Its = its ? new[] { new GicItsSpec(0x0808_0000) } : Array.Empty<GicItsSpec>(),
            };
            return new DeviceTreeSpec(new[] { new MemoryRange(0x4000_0000, ramSize) }, cpus, gic)
            {
                Uarts = new[] { new Pl011Spec(0x0900_0000, 1) },
                Bootargs = bootargs,
            };
        }
    }
}
