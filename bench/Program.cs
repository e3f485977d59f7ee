// Benchmarks that print ratios against a peer measured in the same run (README.md, "Benchmarks").
//   sgi-ipi   the sgi-ipi round trip (CPU0 -> SGI 5 -> CPU1 -> SGI 6 -> CPU0) on our host and on
//             qemu-system-aarch64 -M virt,gic-version=3 running the same binaries; start-up cost is cancelled
//             by timing a 1000-round and a 100000-round build and dividing the difference.
//   lpi       the model alone: cost per delivered LPI (TRANSLATER -> ITS -> redistributor -> IAR1 -> EOIR1) at
//             2^14 and 2^18 LPI IDs, and LPIs per second (LpiBench.cs).
//   iar-eoi   one ICC_IAR1_EL1 + ICC_EOIR1_EL1 pair in the GIC model alone (IarEoiBench.cs), with 1 and with
//             1 + 200 lower-priority interrupts pending; prints ns per pair, pairs/s and the ratio.
//             Options: --iterations N per round (500000), --rounds N (15, best of).
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace RenodeGic.Bench
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            var root = FindRoot();
            var which = args.Length > 0 ? args[0] : "sgi-ipi";
            switch(which)
            {
            case "sgi-ipi":
                return SgiIpi(root, args.Contains("--wfi"));
            case "lpi":
                return LpiBench.Run();
            case "iar-eoi":
                return IarEoiBench.Run(args);
            default:
                Console.Error.WriteLine($"unknown benchmark '{which}' (expected: sgi-ipi [--wfi], lpi, iar-eoi [--iterations N] [--rounds N])");
                return 1;
            }
        }

        private static int SgiIpi(string root, bool wfi)
        {
            var small = Path.Combine(root, "firmware-samples", "build", wfi ? "sgi-ipi-wfi.bin" : "sgi-ipi.bin");
            var large = Path.Combine(root, "firmware-samples", "build", wfi ? "sgi-ipi-wfi-bench.bin" : "sgi-ipi-bench.bin");
            var host = Path.Combine(root, "out", "host", "renode-gic-host.dll");
            foreach(var f in new[] { small, large, host })
            {
                if(!File.Exists(f))
                {
                    Console.Error.WriteLine($"missing {f}: run ./renode-gic once (it builds the host and the firmware)");
                    return 1;
                }
            }
            var rounds = RoundsOf("dotnet", $"{host} boot --timeout 100 {large}");
            var ours = PerRoundTrip(() => Time("dotnet", $"{host} boot --timeout 100 {small}"), () => Time("dotnet", $"{host} boot --timeout 100 {large}"), rounds);
            Console.WriteLine($"sgi-ipi{(wfi ? " (wfi)" : "")} round trip, {rounds} rounds");
            Console.WriteLine($"  renode-gic: {ours * 1e6:0.00} us per round trip (wall clock)");
            var qemu = "qemu-system-aarch64";
            if(!CanRun(qemu))
            {
                Console.WriteLine("  qemu: not installed; no ratio");
                return 0;
            }
            string QemuArgs(string bin) => $"-M virt,gic-version=3 -cpu cortex-a57 -smp 4 -m 1G -nographic -nic none -kernel {bin}";
            var theirs = PerRoundTrip(() => Time(qemu, QemuArgs(small)), () => Time(qemu, QemuArgs(large)), rounds);
            Console.WriteLine($"  qemu:       {theirs * 1e6:0.00} us per round trip (wall clock)");
            Console.WriteLine($"  ratio renode-gic/qemu: {ours / theirs:0.00} (lower is better)");
            return 0;
        }

        private static double PerRoundTrip(Func<double> small, Func<double> large, int rounds)
        {
            // Best of three of each, to shed noise from the other processes on the machine.
            var s = Enumerable.Range(0, 3).Select(_ => small()).Min();
            var l = Enumerable.Range(0, 3).Select(_ => large()).Min();
            return Math.Max(l - s, 0) / (rounds - 1000);
        }

        /// <summary>The round count the bench image reports on its UART ("round trips: N").</summary>
        private static int RoundsOf(string exe, string arguments)
        {
            Time(exe, arguments, out var output);
            var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("round trips:", StringComparison.Ordinal));
            return line != null && int.TryParse(line.Substring("round trips:".Length).Trim(), out var n) && n > 1000 ? n : 100000;
        }

        private static double Time(string exe, string arguments)
        {
            return Time(exe, arguments, out _);
        }

        private static double Time(string exe, string arguments, out string stdout)
        {
            var psi = new ProcessStartInfo(exe, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            p.StandardError.ReadToEnd();
            if(!p.WaitForExit(120_000))
            {
                p.Kill(true);
                throw new TimeoutException($"{exe} {arguments} did not finish in 120 s");
            }
            sw.Stop();
            if(!output.Result.Contains("PASS"))
            {
                throw new InvalidOperationException($"{exe} {arguments} did not print PASS:\n{output.Result}");
            }
            stdout = output.Result;
            return sw.Elapsed.TotalSeconds;
        }

        private static bool CanRun(string exe)
        {
            return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, exe)));
        }

        private static string FindRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while(dir != null && !File.Exists(Path.Combine(dir.FullName, "RenodeGic.csproj")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? Directory.GetCurrentDirectory();
        }
    }
}
