// The `vgic-guest` monitor command: builds the VGIC host model's machine around a guest image and makes it the
// monitor's current machine, so .resc scripts and Robot suites drive a guest under the C# hypervisor exactly as
// they drive a bare platform (`showAnalyzer uart0`, `start`, `Wait For Line On Uart`).
//   vgic-guest [--mode v3|v4.0|v4.1] [--wfi trap|native|adaptive] [--smp N] [--vcpus N] @image.bin
// --smp is the number of physical CPUs, --vcpus the guest's (default: as many as CPUs; more share the CPUs).
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
            Monitor.RegisterExtension("vgic-guest", "[--mode v3|v4.0|v4.1] [--wfi trap|native|adaptive] [--smp N] [--vcpus N] @image.bin: run an image as the guest of the VGIC host model", Run);
        }

        private static void Run(Monitor monitor, IReadOnlyList<string> args, string scriptDirectory)
        {
            var mode = InjectionMode.V3;
            var wfi = WfiPolicy.Trap;
            var cpus = 4;
            int? vcpus = null;
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
                throw new ArgumentException("expected 'vgic-guest [--mode v3|v4.0|v4.1] [--wfi trap|native|adaptive] [--smp N] [--vcpus N] @image.bin'");
            }
            var path = monitor.ResolvePath(image, scriptDirectory);
            var platform = new VgicPlatform(cpus, mode, wfi, vcpus: vcpus);
            platform.Boot(File.ReadAllBytes(path));
            monitor.AdoptMachine(platform.Machine);
        }
    }
}
