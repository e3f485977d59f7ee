// Generates the QEMU-virt-like platform description used by `renode-gic boot` for any CPU count and boot
// EL, with or without the ITS. For 4 CPUs at EL1 the text equals platforms/virt-gicv3.repl, and with the ITS
// platforms/virt-gicv3-its.repl (tests keep them in step).
using System;
using System.Text;

namespace RenodeGic.Host.Cli
{
    public static class VirtPlatform
    {
        public const int MaximumCpus = 8;

        public static string Generate(int cpus, int bootExceptionLevel, bool its = false, bool gicv4 = false, bool gicv41 = false, bool twoIts = false)
        {
            if(cpus < 1 || cpus > MaximumCpus)
            {
                throw new ArgumentOutOfRangeException(nameof(cpus), $"--smp must be between 1 and {MaximumCpus}, not {cpus}");
            }
            if(bootExceptionLevel != 1 && bootExceptionLevel != 2)
            {
                throw new ArgumentOutOfRangeException(nameof(bootExceptionLevel), $"--el must be 1 or 2, not {bootExceptionLevel}");
            }
            if(gicv41)
            {
                return GenerateGicv41(cpus, bootExceptionLevel);
            }
            if(twoIts)
            {
                return GenerateGicv4TwoIts(cpus, bootExceptionLevel);
            }
            if(gicv4)
            {
                return GenerateGicv4(cpus, bootExceptionLevel);
            }
            var words = new[] { "one", "two", "three", "four", "five", "six", "seven", "eight" };
            var sb = new StringBuilder();
            sb.Append("// A QEMU-virt-like AArch64 machine with a GICv3").Append(its ? " and an ITS" : " (no ITS)").Append(", ").Append(words[cpus - 1])
              .Append(" Cortex-A57-class core").Append(cpus > 1 ? "s" : "").Append(" entered at EL").Append(bootExceptionLevel).Append(".\n");
            sb.Append(its
                ? "// Memory map as QEMU 7.2 `-M virt,gic-version=3,its=on`: GICD 0x08000000, ITS 0x08080000, GICR 0x080A0000 (stride 0x20000),\n"
                : "// Memory map as QEMU 7.2 `-M virt,gic-version=3`: GICD 0x08000000, GICR 0x080A0000 (stride 0x20000),\n");
            sb.Append("// PL011 0x09000000 on SPI 1, RAM 1 GiB at 0x40000000. PPIs: EL1 physical timer 30, virtual 27, EL2 26.\n\n");
            sb.Append("memory: Memory.MappedMemory @ sysbus 0x40000000\n    size: 0x40000000\n\n");
            sb.Append("gic: IRQControllers.ArmGicV3 @ {\n");
            sb.Append("        sysbus new Bus.BusMultiRegistration { address: 0x08000000; size: 0x10000; region: \"distributor\" };\n");
            sb.Append("        sysbus new Bus.BusMultiRegistration { address: 0x080A0000; size: 0x").Append((cpus * 0x20000).ToString("X")).Append("; region: \"redistributor\" }\n");
            sb.Append("    }\n    numberOfSPIs: 224\n    redistributorStride: 0x20000\n    supportsTwoSecurityStates: false\n");
            for(var i = 0; i < cpus; i++)
            {
                sb.Append("    [").Append(i * 4).Append('-').Append(i * 4 + 3).Append("] -> cpu").Append(i).Append("@[0-3]\n");
            }
            if(its)
            {
                sb.Append("\nits: IRQControllers.ArmGicV3Its @ sysbus 0x08080000\n    gic: gic\n");
            }
            for(var i = 0; i < cpus; i++)
            {
                sb.Append("\ncpu").Append(i).Append(": CPU.ARMv8A @ sysbus\n    cpuType: \"cortex-a57\"\n    cpuId: ").Append(i)
                  .Append("\n    genericInterruptController: gic\n    bootExceptionLevel: ").Append(bootExceptionLevel).Append('\n');
            }
            for(var i = 0; i < cpus; i++)
            {
                sb.Append("\ntimer").Append(i).Append(": Timers.ARM_GenericTimer @ cpu").Append(i).Append("\n    frequency: 62500000\n");
                sb.Append("    EL1PhysicalTimerIRQ -> gic#").Append(i).Append("@14\n");
                sb.Append("    EL1VirtualTimerIRQ -> gic#").Append(i).Append("@11\n");
                sb.Append("    NonSecureEL2PhysicalTimerIRQ -> gic#").Append(i).Append("@10\n");
            }
            sb.Append("\nuart0: UART.PL011 @ sysbus 0x09000000\n    -> gic@1\n");
            return sb.ToString();
        }

        /// <summary>
        /// QEMU 7.2 `-M virt,gic-version=4,virtualization=on,its=on`: a GICv4.0 (architectureRevision 4, redistributor
        /// stride 0x40000: RD_base, SGI_base, VLPI_base, reserved) and an ITS with virtual LPI support (GITS_TYPER.Virtual
        /// and VMOVP). For 4 CPUs at EL2 the text equals platforms/virt-gicv4.repl.
        /// </summary>
        private static string GenerateGicv4(int cpus, int bootExceptionLevel)
        {
            var v3 = Generate(cpus, bootExceptionLevel, its: true);
            var start = v3.IndexOf("\n\nmemory:", StringComparison.Ordinal);
            var body = v3.Substring(start)
                .Replace("size: 0x" + (cpus * 0x20000).ToString("X") + "; region: \"redistributor\"", "size: 0x" + (cpus * 0x40000).ToString("X") + "; region: \"redistributor\"")
                .Replace("    redistributorStride: 0x20000\n", "    redistributorStride: 0x40000\n    architectureRevision: 4\n")
                .Replace("its: IRQControllers.ArmGicV3Its @ sysbus 0x08080000\n    gic: gic\n",
                    "its: IRQControllers.ArmGicV3Its @ sysbus 0x08080000\n    gic: gic\n    virtualLpis: true\n    singleVmovp: true\n");
            var header = "// A QEMU-virt-like AArch64 machine with a GICv4.0 and an ITS with virtual LPIs, " + cpus + " Cortex-A57-class core"
                + (cpus > 1 ? "s" : "") + " entered at EL" + bootExceptionLevel + ".\n"
                + "// Memory map as QEMU 7.2 `-M virt,gic-version=4,virtualization=on,its=on`: GICD 0x08000000, ITS 0x08080000,\n"
                + "// GICR 0x080A0000 (stride 0x40000: RD_base, SGI_base, VLPI_base, reserved), PL011 0x09000000 on SPI 1,\n"
                + "// RAM 1 GiB at 0x40000000. PPIs: EL1 physical timer 30, virtual 27, EL2 26, maintenance 25.";
            return header + body;
        }

        /// <summary>
        /// The GICv4.0 machine with two ITSes (twoIts: true), both with virtual LPIs and GITS_TYPER.VMOVP = 0 (VMOVP with
        /// SeqNum and ITSList, sent to every ITS in the list): ITS_Number 0 at virt's 0x08080000 and ITS_Number 1 at
        /// 0x08040000 (0x20000: control and translation frames; unused by virt with a GICv3/v4). QEMU's virt has one ITS,
        /// so no QEMU machine matches.
        /// </summary>
        private static string GenerateGicv4TwoIts(int cpus, int bootExceptionLevel)
        {
            var v4 = GenerateGicv4(cpus, bootExceptionLevel);
            var start = v4.IndexOf("\n\nmemory:", StringComparison.Ordinal);
            var body = v4.Substring(start)
                .Replace("its: IRQControllers.ArmGicV3Its @ sysbus 0x08080000\n    gic: gic\n    virtualLpis: true\n    singleVmovp: true\n",
                    "its: IRQControllers.ArmGicV3Its @ sysbus 0x08080000\n    gic: gic\n    virtualLpis: true\n    singleVmovp: false\n    itsNumber: 0\n\n"
                    + "its1: IRQControllers.ArmGicV3Its @ sysbus 0x08040000\n    gic: gic\n    virtualLpis: true\n    singleVmovp: false\n    itsNumber: 1\n");
            var header = "// A QEMU-virt-like AArch64 machine with a GICv4.0 and two ITSes with virtual LPIs (GITS_TYPER.VMOVP = 0), " + cpus
                + " Cortex-A57-class core" + (cpus > 1 ? "s" : "") + " entered at EL" + bootExceptionLevel + ".\n"
                + "// No QEMU machine has two ITSes. Memory map as `-M virt,gic-version=4,virtualization=on,its=on` plus a second ITS:\n"
                + "// GICD 0x08000000, ITS 0x08080000 (ITS_Number 0), ITS 0x08040000 (ITS_Number 1), GICR 0x080A0000 (stride 0x40000:\n"
                + "// RD_base, SGI_base, VLPI_base, reserved), PL011 0x09000000 on SPI 1, RAM 1 GiB at 0x40000000.\n"
                + "// PPIs: EL1 physical timer 30, virtual 27, EL2 26, maintenance 25.";
            return header + body;
        }

        /// <summary>
        /// A GICv4.1 (gicv41: true) on the GICv4.0 layout. QEMU has no GICv4.1, so no QEMU machine matches. A GICv4.1 ITS
        /// has a third 64 KiB frame (GITS_SGIR at ITS_base + 0x20020), which at virt's 0x08080000 would overlap the
        /// redistributors at 0x080A0000: the ITS moves to 0x08040000 (unused by virt with a GICv3/v4). For 4 CPUs at EL2
        /// the text equals platforms/virt-gicv41.repl.
        /// </summary>
        private static string GenerateGicv41(int cpus, int bootExceptionLevel)
        {
            var v4 = GenerateGicv4(cpus, bootExceptionLevel);
            var start = v4.IndexOf("\n\nmemory:", StringComparison.Ordinal);
            var body = v4.Substring(start)
                .Replace("    architectureRevision: 4\n", "    architectureRevision: 4\n    gicv41: true\n")
                .Replace("its: IRQControllers.ArmGicV3Its @ sysbus 0x08080000\n", "its: IRQControllers.ArmGicV3Its @ sysbus 0x08040000\n");
            var header = "// A QEMU-virt-like AArch64 machine with a GICv4.1 and an ITS with virtual LPIs and vSGIs, " + cpus + " Cortex-A57-class core"
                + (cpus > 1 ? "s" : "") + " entered at EL" + bootExceptionLevel + ".\n"
                + "// No QEMU machine has a GICv4.1. Memory map as `-M virt,gic-version=4,virtualization=on,its=on` except the ITS:\n"
                + "// GICD 0x08000000, ITS 0x08040000 (ITS_base, translation frame, vSGI frame: 0x30000), GICR 0x080A0000 (stride 0x40000:\n"
                + "// RD_base, SGI_base, VLPI_base, reserved), PL011 0x09000000 on SPI 1, RAM 1 GiB at 0x40000000.\n"
                + "// PPIs: EL1 physical timer 30, virtual 27, EL2 26, maintenance 25.";
            return header + body;
        }
    }
}
