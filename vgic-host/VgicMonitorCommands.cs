// The `vgic-guest` monitor command: builds the VGIC host model's machine around a guest image and makes it the
// monitor's current machine, so .resc scripts and Robot suites drive a guest under the C# hypervisor exactly as
// they drive a bare platform (`showAnalyzer uart0`, `start`, `Wait For Line On Uart`).
//   vgic-guest [--mode v3|v4.0|v4.1] [--wfi trap|native|adaptive] [--smp N] [--vcpus N] [--domain @image.bin address]... @image.bin
// --smp is the number of physical CPUs, --vcpus each guest's (default: as many as CPUs; more share the CPUs).
// Each --domain adds a guest with its own virtual GIC, ITS and UART (uart1, uart2, ...) whose image is linked at
// <address> (the domains share one physical address map, e.g. firmware-samples/build/*-d2.bin at 0x48080000).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using RenodeGic.Host.Monitor;

namespace RenodeGic.VgicHost
{
    internal static class VgicMonitorCommands
    {
        [ModuleInitializer]
        internal static void Register()
        {
            Monitor.RegisterExtension("vgic-guest", "[--mode v3|v4.0|v4.1] [--wfi trap|native|adaptive] [--smp N] [--vcpus N] [--domain @image.bin address]... @image.bin: run an image as the guest of the VGIC host model", Run);
        }

        private static void Run(Monitor monitor, IReadOnlyList<string> args, string scriptDirectory)
        {
            var mode = InjectionMode.V3;
            var wfi = WfiPolicy.Trap;
            var cpus = 4;
            int? vcpus = null;
            var more = new List<(string Image, ulong Address)>();
            string? image = null;
            for(var i = 0; i < args.Count; i++)
            {
                string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch(args[i])
                {
                case "--mode":
                    mode = VgicCommands.ParseMode(Value());
                    break;
                case "--wfi":
                    wfi = VgicCommands.ParseWfi(Value());
                    break;
                case "--vcpus":
                    vcpus = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 1 && v <= 16
                        ? v : throw new ArgumentException("--vcpus takes 1 to 16");
                    break;
                case "--domain":
                    {
                        var extra = Value();
                        var at = Value();
                        var hex = at.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? at[2..] : at;
                        if(!ulong.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var address) || address < VgicPlatform.RamBase)
                        {
                            throw new ArgumentException($"--domain {extra} {at}: the address must be a hex RAM address (0x40000000 and above)");
                        }
                        more.Add((extra, address));
                        if(more.Count > 3)
                        {
                            throw new ArgumentException("at most 3 --domain guests besides the first");
                        }
                        break;
                    }
                case "--smp":
                    cpus = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= 8
                        ? n : throw new ArgumentException("--smp takes 1 to 8");
                    break;
                default:
                    image = image == null ? args[i] : throw new ArgumentException($"unexpected '{args[i]}' (one image only)");
                    break;
                }
            }
            if(image == null)
            {
                throw new ArgumentException("expected 'vgic-guest [--mode v3|v4.0|v4.1] [--wfi trap|native|adaptive] [--smp N] [--vcpus N] [--domain @image.bin address]... @image.bin'");
            }
            var path = monitor.ResolvePath(image, scriptDirectory);
            var platform = new VgicPlatform(cpus, mode, wfi, vcpus: vcpus, domains: 1 + more.Count);
            var images = new List<(byte[] Image, ulong Address)> { (File.ReadAllBytes(path), 0x4008_0000UL) };
            foreach(var (extra, address) in more)
            {
                images.Add((File.ReadAllBytes(monitor.ResolvePath(extra, scriptDirectory)), address));
            }
            platform.Boot(images);
            monitor.AdoptMachine(platform.Machine);
        }
    }
}
