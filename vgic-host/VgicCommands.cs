// The vgic-host subcommands of renode-gic (host/Cli/Program.cs adds them to its root command):
//   vgic-bench [--json f] [--svg-dir d] [--trace f.json] [--duration-ms n]   the I/O experiment (Bench/VgicBench.cs)
//   vgic-guest [--mode v3|v4.0] [--wfi trap|native] [--smp n] [--timeout s] <image.bin>
//                                     run a firmware image as the guest of the VGIC model (UART on stdout)
using System;
using System.CommandLine;
using System.IO;
using RenodeGic.Host.Emulation;

namespace RenodeGic.VgicHost
{
    public static class VgicCommands
    {
        public static Command[] Create()
        {
            var image = new Argument<FileInfo>("image") { Description = "Flat binary linked at 0x40080000" };
            var mode = new Option<string>("--mode") { Description = "v3 or v4.0", DefaultValueFactory = _ => "v3" };
            var wfi = new Option<string>("--wfi") { Description = "trap, native or adaptive", DefaultValueFactory = _ => "trap" };
            var smp = new Option<int>("--smp") { Description = "vCPUs (one physical CPU each)", DefaultValueFactory = _ => 4 };
            var timeout = new Option<double>("--timeout") { Description = "Virtual seconds", DefaultValueFactory = _ => 10.0 };
            var guest = new Command("vgic-guest", "Run a firmware image as a guest of the VGIC host model (virtual GICv3 + ITS)") { mode, wfi, smp, timeout, image };
            guest.SetAction(r =>
            {
                using var platform = new VgicPlatform(r.GetValue(smp), ParseMode(r.GetValue(mode)!), ParseWfi(r.GetValue(wfi)!));
                platform.Uart.CharReceived += b => Console.Write((char)b);
                platform.Boot(File.ReadAllBytes(r.GetValue(image)!.FullName));
                var outcome = platform.Run(r.GetValue(timeout));
                Console.Out.Flush();
                Console.Error.WriteLine($"vgic-guest: {outcome}; exits {platform.Domain.Stats.TotalExits} ({string.Join(", ", platform.Domain.Stats.ExitsByCause())})");
                if(outcome == RunOutcome.Fault)
                {
                    Console.Error.WriteLine(platform.Machine.Runner is Host.Cpu.CpuScheduler s ? s.FaultDescription : "fault");
                    return 3;
                }
                return outcome == RunOutcome.SystemOff ? 0 : 2;
            });
            return new[] { guest, Bench.VgicBench.CreateCommand() };
        }

        public static InjectionMode ParseMode(string text) => text switch
        {
            "v3" => InjectionMode.V3,
            "v4.0" or "v4" => InjectionMode.V40,
            "v4.1" => InjectionMode.V41,
            _ => throw new ArgumentException($"--mode: v3, v4.0 or v4.1, not '{text}'"),
        };

        public static WfiPolicy ParseWfi(string text) => text switch
        {
            "trap" => WfiPolicy.Trap,
            "native" => WfiPolicy.Native,
            "adaptive" => WfiPolicy.Adaptive,
            _ => throw new ArgumentException($"--wfi: trap, native or adaptive, not '{text}'"),
        };
    }
}
