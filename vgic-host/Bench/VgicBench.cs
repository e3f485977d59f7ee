// vgic-bench: the experiment of seed 000 on the model. An I/O-like workload at queue depth 1 on 4 vCPUs (one per
// physical CPU, or sharing fewer CPUs with --cpus, which adds the adaptive WFI policy) runs under GICv3-emulated injection, GICv4.0 direct injection and GICv4.1, each with WFI trapped
// and native; per configuration: interrupts, exits per interrupt, p50/p99/p99.9/p99.99 latency from the device's
// MSI to the guest handler (virtual µs), throughput (completions per virtual second). Everything is virtual time:
// two runs print the same bytes. Nothing in here depends on the mode: the differences come from the mechanisms
// (exits, list registers, ITS commands, vPE residency, doorbells) and their costs (CostModel).
using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RenodeGic.Host.Cpu;
using Spectre.Console;

namespace RenodeGic.VgicHost.Bench
{
    public sealed record BenchSettings
    {
        public int Vcpus { get; init; } = 4;
        /// <summary>Physical CPUs the vCPUs run on (null: one per vCPU). Fewer than vCPUs makes them share cores.</summary>
        public int? PhysicalCpus { get; init; }
        public int Cpus => PhysicalCpus ?? Vcpus;
        /// <summary>Whether the adaptive WFI policy is measured too (it differs from native only when vCPUs share cores).</summary>
        public bool Oversubscribed => Cpus < Vcpus;
        public ulong DurationNs { get; init; } = 200_000_000;
        public ulong WarmupNs { get; init; } = 10_000_000;
        public ulong ServiceNs { get; init; } = 20_000;
        public ulong JitterNs { get; init; } = 8_000;
        public CostModel Costs { get; init; } = CostModel.Default;
        /// <summary>Virtual time of each configuration written to the trace (from the end of the warm-up).</summary>
        public ulong TraceWindowNs { get; init; } = 2_000_000;
    }

    public sealed record BenchResult
    {
        [JsonPropertyName("mode")] public string Mode { get; init; } = "";
        [JsonPropertyName("wfi")] public string Wfi { get; init; } = "";
        [JsonPropertyName("status")] public string Status { get; init; } = "ok";
        [JsonPropertyName("interrupts")] public long Interrupts { get; init; }
        [JsonPropertyName("exitsPerInterrupt")] public double ExitsPerInterrupt { get; init; }
        [JsonPropertyName("p50Us")] public double P50Us { get; init; }
        [JsonPropertyName("p99Us")] public double P99Us { get; init; }
        [JsonPropertyName("p999Us")] public double P999Us { get; init; }
        [JsonPropertyName("p9999Us")] public double P9999Us { get; init; }
        [JsonPropertyName("throughput")] public double Throughput { get; init; }
        [JsonPropertyName("exitsByCause")] public IReadOnlyDictionary<string, long> ExitsByCause { get; init; } = new Dictionary<string, long>();
        [JsonPropertyName("doorbells")] public long Doorbells { get; init; }
        [JsonPropertyName("maintenanceInterrupts")] public long MaintenanceInterrupts { get; init; }
        [JsonPropertyName("worldSwitches")] public long WorldSwitches { get; init; }
        [JsonPropertyName("vcpuSwitches")] public long VcpuSwitches { get; init; }
        [JsonPropertyName("migrations")] public long Migrations { get; init; }
        [JsonPropertyName("itsCommands")] public long ItsCommands { get; init; }
        [JsonIgnore] public ulong[] Latencies { get; init; } = Array.Empty<ulong>();
    }

    public static partial class VgicBench
    {
        public static Command CreateCommand()
        {
            var json = new Option<FileInfo?>("--json") { Description = "Write one JSON record per configuration to this file" };
            var svgDir = new Option<DirectoryInfo?>("--svg-dir") { Description = "Write a latency histogram (SVG) per configuration here" };
            var trace = new Option<FileInfo?>("--trace") { Description = "Write an interrupt timeline (Chrome/Perfetto trace JSON) to this file" };
            var duration = new Option<double>("--duration-ms") { Description = "Virtual milliseconds per configuration", DefaultValueFactory = _ => 200.0 };
            var cpus = new Option<int>("--cpus") { Description = "Physical CPUs for the 4 vCPUs (1..4; fewer than 4 makes vCPUs share cores and adds the adaptive WFI policy)", DefaultValueFactory = _ => 4 };
            cpus.Validators.Add(result =>
            {
                var n = result.GetValueOrDefault<int>();
                if(n < 1 || n > 4)
                {
                    result.AddError("--cpus takes 1 to 4");
                }
            });
            var command = new Command("vgic-bench", "I/O-like MSI workload at queue depth 1 under GICv3 emulation, GICv4.0 and GICv4.1 direct injection")
            {
                json, svgDir, trace, duration, cpus,
            };
            command.SetAction(r =>
            {
                _ = new Host.Cli.ConsoleLog(Environment.GetEnvironmentVariable("VGIC_BENCH_LOG") ?? "error");
                var settings = new BenchSettings { DurationNs = (ulong)(r.GetValue(duration) * 1e6), PhysicalCpus = r.GetValue(cpus) };
                var traceBuilder = r.GetValue(trace) != null ? new TraceBuilder() : null;
                var results = RunAll(Host.Cli.Runner.RepositoryRoot, settings, traceBuilder);
                if(Console.IsOutputRedirected || AnsiConsole.Profile.Width < 160)
                {
                    AnsiConsole.Profile.Width = 200; // the table is read in logs and CI output too
                }
                AnsiConsole.Write(Table(results, settings));
                if(r.GetValue(json) is FileInfo jsonFile)
                {
                    File.WriteAllText(jsonFile.FullName, ToJson(results));
                }
                if(r.GetValue(svgDir) is DirectoryInfo dir)
                {
                    Directory.CreateDirectory(dir.FullName);
                    foreach(var result in results.Where(x => x.Status == "ok"))
                    {
                        Histogram.WriteSvg(Path.Combine(dir.FullName, $"latency-{result.Mode}-{result.Wfi}.svg"), result);
                    }
                }
                if(traceBuilder != null)
                {
                    File.WriteAllText(r.GetValue(trace)!.FullName, traceBuilder.ToJson());
                }
                return 0;
            });
            return command;
        }

        public static readonly (InjectionMode Mode, string Name)[] Modes = { (InjectionMode.V3, "v3"), (InjectionMode.V40, "v4.0"), (InjectionMode.V41, "v4.1") };
        public static readonly (WfiPolicy Wfi, string Name)[] WfiPolicies = { (WfiPolicy.Trap, "trap"), (WfiPolicy.Native, "native"), (WfiPolicy.Adaptive, "adaptive") };

        public static List<BenchResult> RunAll(string repositoryRoot, BenchSettings settings, TraceBuilder? trace = null)
        {
            var image = GuestImage.Build(repositoryRoot);
            var results = new List<BenchResult>();
            var pid = 0;
            foreach(var (mode, modeName) in Modes)
            {
                foreach(var (wfi, wfiName) in WfiPolicies)
                {
                    if(wfi == WfiPolicy.Adaptive && !settings.Oversubscribed)
                    {
                        continue; // with a core per vCPU nobody ever waits: adaptive is native
                    }
                    results.Add(Run(image, mode, modeName, wfi, wfiName, settings, trace, pid++));
                }
            }
            return results;
        }

        public static BenchResult Run(byte[] image, InjectionMode mode, string modeName, WfiPolicy wfi, string wfiName, BenchSettings settings,
            TraceBuilder? trace = null, int pid = 0)
        {
            return Run(image, mode, modeName, wfi, wfiName, settings, out _, trace, pid);
        }

        /// <summary>As above; <paramref name="queueCompletions"/> gets the completions of each queue over the whole run.</summary>
        public static BenchResult Run(byte[] image, InjectionMode mode, string modeName, WfiPolicy wfi, string wfiName, BenchSettings settings,
            out long[] queueCompletions, TraceBuilder? trace = null, int pid = 0)
        {
            queueCompletions = System.Array.Empty<long>();
            using var platform = new VgicPlatform(settings.Cpus, mode, wfi, settings.Costs, vcpus: settings.Vcpus);
            var scheduler = CpuScheduler.For(platform.Machine);
            var device = new BenchDevice(scheduler, platform.PhysicalItses[0], settings.Vcpus, settings.ServiceNs, settings.JitterNs)
            {
                MeasureFromNs = settings.WarmupNs,
                StopAtNs = settings.WarmupNs + settings.DurationNs,
            };
            platform.Machine.Register("benchdev", device);
            platform.Machine.SystemBus.Register(device, 0x0A00_0000, "benchdev");
            var label = $"{modeName} wfi={wfiName}";
            try
            {
                platform.Boot(image);
            }
            catch(NotSupportedException e)
            {
                return new BenchResult { Mode = modeName, Wfi = wfiName, Status = "blocked: " + e.Message };
            }
            if(trace != null)
            {
                var from = settings.WarmupNs;
                var to = settings.WarmupNs + settings.TraceWindowNs;
                trace.Process(pid, label);
                device.Completed += (q, msi, entry) =>
                {
                    if(msi >= from && msi < to)
                    {
                        trace.Span(pid, q, "MSI -> handler", msi, entry);
                    }
                };
                platform.Hypervisor.ExitTaken += (cpu, cause, now) =>
                {
                    if(now >= from && now < to)
                    {
                        trace.Instant(pid, cpu, "exit: " + cause, now);
                    }
                };
            }
            platform.Run(settings.WarmupNs / 1e9);
            var stats = platform.Domain.Stats;
            var exitsBefore = stats.TotalExits;
            var causesBefore = stats.ExitsByCause();
            var doorbellsBefore = stats.DoorbellsTaken;
            var maintenanceBefore = stats.MaintenanceInterrupts;
            var switchesBefore = stats.WorldSwitches;
            var vcpuSwitchesBefore = stats.VcpuSwitches;
            var migrationsBefore = stats.Migrations;
            var itsBefore = stats.PhysicalItsCommands;
            platform.Run(settings.DurationNs / 1e9);
            if(Environment.GetEnvironmentVariable("VGIC_BENCH_DEBUG") != null)
            {
                for(var i = 0; i < settings.Cpus; i++)
                {
                    var hppir = platform.Hypervisor.PortOf(i).ReadSystemRegister(SysReg.Encode(3, 0, 12, 12, 2));
                    Console.Error.WriteLine($"cpu{i}: hppir1 {hppir} state {platform.Cpu(i).State} line {platform.Cpu(i).HasInterruptLineRaised} pc 0x{platform.Cpu(i).PC:X} loaded {platform.Hypervisor.LoadedOn(i)}");
                }
                foreach(var vcpu in platform.Domain.Vcpus)
                {
                    Console.Error.WriteLine($"{vcpu}: {vcpu.State} on cpu{vcpu.PhysicalCpu} ap {vcpu.ApList.Count} switch-ins {vcpu.SwitchIns} migrations {vcpu.Migrations}");
                }
                Console.Error.WriteLine($"--- {label}: completions per queue {string.Join(" ", device.QueueCompletions)}, dropped MSIs {device.DroppedMsis}, lpi owners {platform.Hypervisor.PhysicalLpiOwners.Count}; guest output:\n{platform.Output}\n--- its log:\n{string.Join("\n", platform.Its?.Log ?? new List<string>())}");
            }
            queueCompletions = (long[])device.QueueCompletions.Clone();
            var latencies = device.Latencies.ToArray();
            Array.Sort(latencies);
            var interrupts = device.Completions;
            var causes = new SortedDictionary<string, long>();
            foreach(var (k, v) in stats.ExitsByCause())
            {
                var delta = v - (causesBefore.TryGetValue(k, out var b) ? b : 0);
                if(delta != 0)
                {
                    causes[k] = delta;
                }
            }
            return new BenchResult
            {
                Mode = modeName,
                Wfi = wfiName,
                Interrupts = interrupts,
                ExitsPerInterrupt = interrupts == 0 ? 0 : Math.Round((double)(stats.TotalExits - exitsBefore) / interrupts, 3),
                P50Us = Percentile(latencies, 0.50),
                P99Us = Percentile(latencies, 0.99),
                P999Us = Percentile(latencies, 0.999),
                P9999Us = Percentile(latencies, 0.9999),
                Throughput = Math.Round(interrupts / (settings.DurationNs / 1e9), 1),
                ExitsByCause = causes,
                Doorbells = stats.DoorbellsTaken - doorbellsBefore,
                MaintenanceInterrupts = stats.MaintenanceInterrupts - maintenanceBefore,
                WorldSwitches = stats.WorldSwitches - switchesBefore,
                VcpuSwitches = stats.VcpuSwitches - vcpuSwitchesBefore,
                Migrations = stats.Migrations - migrationsBefore,
                ItsCommands = stats.PhysicalItsCommands - itsBefore,
                Latencies = latencies,
            };
        }

        /// <summary>Nearest-rank percentile in µs (3 decimals).</summary>
        public static double Percentile(ulong[] sorted, double p)
        {
            if(sorted.Length == 0)
            {
                return 0;
            }
            var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
            return Math.Round(sorted[Math.Clamp(rank, 0, sorted.Length - 1)] / 1000.0, 3);
        }

        public static string ToJson(IEnumerable<BenchResult> results)
        {
            return JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }) + "\n";
        }

        public static Table Table(IEnumerable<BenchResult> results, BenchSettings settings)
        {
            var cores = settings.Oversubscribed ? $" on {settings.Cpus} CPU(s)" : "";
            var table = new Table().Title(Markup.Escape($"vgic-bench: {settings.Vcpus} vCPUs{cores}, QD1 each, service {settings.ServiceNs / 1000.0:0.#}+[0,{settings.JitterNs / 1000.0:0.#}) µs, {settings.DurationNs / 1e6:0.#} ms virtual"));
            var columns = new List<string> { "mode", "wfi", "interrupts", "exits/int", "p50 µs", "p99 µs", "p99.9 µs", "p99.99 µs", "IOPS" };
            if(settings.Oversubscribed)
            {
                columns.Add("vCPU switches");
                columns.Add("migrations");
            }
            columns.Add("exits by cause");
            foreach(var column in columns)
            {
                table.AddColumn(column);
            }
            foreach(var r in results)
            {
                if(r.Status != "ok")
                {
                    var blocked = new List<string> { r.Mode, r.Wfi, Markup.Escape(r.Status) };
                    while(blocked.Count < columns.Count)
                    {
                        blocked.Add("");
                    }
                    table.AddRow(blocked.ToArray());
                    continue;
                }
                var row = new List<string>
                {
                    r.Mode, r.Wfi, r.Interrupts.ToString(CultureInfo.InvariantCulture), F(r.ExitsPerInterrupt), F(r.P50Us), F(r.P99Us), F(r.P999Us), F(r.P9999Us),
                    r.Throughput.ToString("0", CultureInfo.InvariantCulture),
                };
                if(settings.Oversubscribed)
                {
                    row.Add(r.VcpuSwitches.ToString(CultureInfo.InvariantCulture));
                    row.Add(r.Migrations.ToString(CultureInfo.InvariantCulture));
                }
                row.Add(Markup.Escape(string.Join(" ", r.ExitsByCause.Select(kv => $"{kv.Key}:{kv.Value}"))));
                table.AddRow(row.ToArray());
            }
            return table;
        }

        private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
    }

    /// <summary>A Chrome/Perfetto trace (JSON object format): one process per configuration, one thread per CPU/queue.</summary>
    public sealed class TraceBuilder
    {
        public void Process(int pid, string name)
        {
            Add($"{{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":{pid},\"tid\":0,\"args\":{{\"name\":\"{name}\"}}}}");
        }

        public void Span(int pid, int tid, string name, ulong fromNs, ulong toNs)
        {
            Add($"{{\"name\":\"{name}\",\"ph\":\"X\",\"pid\":{pid},\"tid\":{tid},\"ts\":{Us(fromNs)},\"dur\":{Us(toNs - fromNs)}}}");
        }

        public void Instant(int pid, int tid, string name, ulong ns)
        {
            Add($"{{\"name\":\"{name}\",\"ph\":\"i\",\"s\":\"t\",\"pid\":{pid},\"tid\":{tid},\"ts\":{Us(ns)}}}");
        }

        public string ToJson() => "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n" + string.Join(",\n", events) + "\n]}\n";

        private static string Us(ulong ns) => (ns / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

        private void Add(string e) => events.Add(e);

        private readonly List<string> events = new List<string>();
    }

    /// <summary>Latency histograms (ScottPlot 5), one SVG per configuration.</summary>
    public static class Histogram
    {
        public static void WriteSvg(string path, BenchResult result)
        {
            var lat = result.Latencies;
            if(lat.Length == 0)
            {
                return;
            }
            var maxUs = Math.Max(1.0, lat[^1] / 1000.0);
            var bins = 120;
            var width = maxUs / bins;
            var counts = new double[bins];
            foreach(var ns in lat)
            {
                var b = Math.Min(bins - 1, (int)(ns / 1000.0 / width));
                counts[b]++;
            }
            var plot = new ScottPlot.Plot();
            var positions = Enumerable.Range(0, bins).Select(i => (i + 0.5) * width).ToArray();
            var bars = plot.Add.Bars(positions, counts.Select(c => c == 0 ? 0 : Math.Log10(c) + 1).ToArray());
            foreach(var bar in bars.Bars)
            {
                bar.Size = width * 0.9;
            }
            plot.Title($"MSI -> guest handler, {result.Mode} wfi={result.Wfi} (p50 {result.P50Us:0.00} µs, p99.99 {result.P9999Us:0.00} µs)");
            plot.XLabel("latency (virtual µs)");
            plot.YLabel("log10(count) + 1");
            plot.SaveSvg(path, 900, 450);
        }
    }
}
