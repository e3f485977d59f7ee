// What the commands do: build a machine, load firmware, run it in virtual time, show the UART on stdout
// and turn the outcome into an exit code (0 = PSCI SYSTEM_OFF, 2 = timeout, 3 = fault, 1 = bad input).
using System;
using System.IO;
using System.Linq;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.CPU;
using Antmicro.Renode.Peripherals.UART;
using Antmicro.Renode.Time;
using RenodeGic.Host.DeviceTree;
using RenodeGic.Host.Emulation;
using RenodeGic.Host.Loaders;
using RenodeGic.Host.Platform;
using RenodeGic.Host.Tooling;

namespace RenodeGic.Host.Cli
{
    public sealed record BootOptions(string Image, string? Platform, int Smp, int ExceptionLevel, string? Append, double TimeoutSeconds, string LogLevel,
        string? TracePath = null, string? TraceTextPath = null);

    public static class Runner
    {
        public const int ExitOk = 0;
        public const int ExitUsage = 1;
        public const int ExitTimeout = 2;
        public const int ExitFault = 3;

        /// <summary>The repository root (the folder holding platforms/), found from the executable's location.</summary>
        public static string RepositoryRoot
        {
            get
            {
                foreach(var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
                {
                    var dir = new DirectoryInfo(start);
                    while(dir != null)
                    {
                        if(File.Exists(Path.Combine(dir.FullName, "RenodeGic.csproj")))
                        {
                            return dir.FullName;
                        }
                        dir = dir.Parent;
                    }
                }
                return Directory.GetCurrentDirectory();
            }
        }

        public static int Boot(BootOptions options)
        {
            var console = new ConsoleLog(options.LogLevel);
            try
            {
                using var machine = new Machine();
                console.Report = new GuestErrorReport(() => machine);
                if(options.Platform != null)
                {
                    new ReplLoader(machine).LoadFile(options.Platform);
                }
                else
                {
                    new ReplLoader(machine) { SearchDirectories = { RepositoryRoot } }.LoadString(VirtPlatform.Generate(options.Smp, options.ExceptionLevel), "<generated virt platform>", RepositoryRoot);
                }
                var entry = LoadImage(machine, options.Image);
                var dtbAddress = PlaceDeviceTree(machine, options.Append);
                var boot = machine.Cpus.OfType<ARMv8A>().FirstOrDefault()
                    ?? throw new PlatformLoadException(options.Platform ?? "<generated>", 0, "the platform has no CPU.ARMv8A");
                boot.PC = entry;
                boot.SetBootRegister(0, dtbAddress);
                ConnectUarts(machine);
                machine.FinishLoad();
                using var tracer = options.TracePath != null || options.TraceTextPath != null ? InterruptTracer.Open(options.TracePath, options.TraceTextPath) : null;
                tracer?.AttachTo(machine);
                return Run(machine, options.TimeoutSeconds, console);
            }
            catch(Exception e) when(e is PlatformLoadException || e is ImageLoadException || e is IOException || e is ArgumentException)
            {
                Console.Out.Flush();
                Console.Error.WriteLine($"renode-gic: {e.Message}");
                return ExitUsage;
            }
        }

        /// <summary>Runs a .resc; its `start` runs the machine until PSCI SYSTEM_OFF or the timeout.</summary>
        public static int RunScript(string path, double timeoutSeconds, string logLevel, string? tracePath = null, string? traceTextPath = null)
        {
            if(!LogLevel.TryParse(logLevel, out var level))
            {
                Console.Error.WriteLine($"renode-gic: unknown log level '{logLevel}' (expected noisy, debug, info, warning or error)");
                return ExitUsage;
            }
            if(!File.Exists(path))
            {
                Console.Error.WriteLine($"renode-gic: no such script: {path}");
                return ExitUsage;
            }
            var monitor = new Monitor.Monitor(Console.Out, Console.Error)
            {
                RootDirectory = RepositoryRoot,
                DefaultLogLevel = level,
                UartSink = (_, b) => ConsoleLog.WriteUartByte(b),
            };
            string? fault = null;
            monitor.StartHandler = machine =>
            {
                var runner = machine.Runner ?? throw new InvalidOperationException("the platform has no CPU to run");
                using var progress = ProgressReporter.StartIfTerminal(machine);
                var outcome = runner.RunFor(TimeInterval.FromSeconds(timeoutSeconds));
                fault = runner.FaultDescription;
                return outcome;
            };
            try
            {
                if(tracePath != null || traceTextPath != null)
                {
                    monitor.StartTrace(tracePath, traceTextPath);
                }
                monitor.ExecuteScript(path);
            }
            catch(Exception e) when(e is Monitor.MonitorException || e is PlatformLoadException || e is ImageLoadException)
            {
                ConsoleLog.FlushUart();
                Console.Error.WriteLine($"renode-gic: {e.Message}");
                return ExitUsage;
            }
            finally
            {
                monitor.StopTrace();
                monitor.Machine?.Dispose();
            }
            ConsoleLog.FlushUart();
            monitor.GuestErrors.Print(Console.Error);
            switch(monitor.LastOutcome)
            {
            case null:
            case RunOutcome.SystemOff:
            case RunOutcome.SystemReset:
            case RunOutcome.Paused:
                return ExitOk;
            case RunOutcome.Fault:
                Console.Error.WriteLine($"renode-gic: guest fault: {fault}");
                return ExitFault;
            default:
                Console.Error.WriteLine($"renode-gic: timeout after {timeoutSeconds} s of virtual time without PSCI SYSTEM_OFF");
                return ExitTimeout;
            }
        }

        /// <summary>Loads an ELF (entry from the header) or a raw arm64 Image (RAM base + text_offset).</summary>
        public static ulong LoadImage(Machine machine, string path)
        {
            var data = File.ReadAllBytes(path);
            if(data.Length >= 4 && data[0] == 0x7F && data[1] == (byte)'E' && data[2] == (byte)'L' && data[3] == (byte)'F')
            {
                return ElfLoader.Load(machine.SystemBus, path);
            }
            if(machine.SystemBus.RamRegions.Count == 0)
            {
                throw new ImageLoadException(path, "the platform has no RAM to load the image into");
            }
            var ramBase = machine.SystemBus.RamRegions[0].Address;
            return ImageLoader.LoadArm64Image(machine.SystemBus, path, ramBase);
        }

        /// <summary>Generates the DTB from the loaded platform and puts it 2 MiB below the top of the first RAM region.</summary>
        public static ulong PlaceDeviceTree(Machine machine, string? bootargs)
        {
            var spec = DeviceTreeSpec.FromMachine(machine, bootargs);
            var blob = PlatformDeviceTree.Build(spec);
            var (ramBase, ram) = machine.SystemBus.RamRegions[0];
            var address = ramBase + (ulong)ram.Size - ARMv8A.TrampolineReservedBytes - 0x200000;
            machine.SystemBus.WriteBytes(blob, address);
            return address;
        }

        public static void ConnectUarts(Machine machine)
        {
            foreach(var uart in machine.Peripherals.OfType<PL011>())
            {
                uart.CharReceived += b => ConsoleLog.WriteUartByte(b);
            }
        }

        public static int Run(Machine machine, double timeoutSeconds, ConsoleLog console)
        {
            var runner = machine.Runner ?? throw new InvalidOperationException("the platform has no CPU to run");
            RunOutcome outcome;
            using(ProgressReporter.StartIfTerminal(machine))
            {
                outcome = runner.RunFor(TimeInterval.FromSeconds(timeoutSeconds));
            }
            ConsoleLog.FlushUart();
            console.PrintSummary();
            switch(outcome)
            {
            case RunOutcome.SystemOff:
                return ExitOk;
            case RunOutcome.SystemReset:
                Console.Error.WriteLine("renode-gic: the guest requested PSCI SYSTEM_RESET; stopping");
                return ExitOk;
            case RunOutcome.Fault:
                Console.Error.WriteLine($"renode-gic: guest fault: {runner.FaultDescription}");
                return ExitFault;
            default:
                Console.Error.WriteLine($"renode-gic: timeout after {timeoutSeconds} s of virtual time without PSCI SYSTEM_OFF");
                foreach(var cpu in machine.Cpus.OfType<ARMv8A>())
                {
                    Console.Error.WriteLine(cpu.DescribeState());
                }
                return ExitTimeout;
            }
        }
    }

    /// <summary>Log lines to stderr at or above a level; UART bytes to stdout; a guest-error tally at exit.</summary>
    public sealed class ConsoleLog
    {
        public ConsoleLog(string level)
        {
            if(!LogLevel.TryParse(level, out var parsed))
            {
                throw new ArgumentException($"unknown log level '{level}' (expected noisy, debug, info, warning or error)");
            }
            Level = parsed;
            Logger.Backend = OnEntry;
        }

        public LogLevel Level { get; set; }

        public int GuestErrors { get; private set; }

        /// <summary>Guest errors by kind, printed by PrintSummary (null: only the count is printed).</summary>
        public GuestErrorReport? Report { get; set; }

        public static void WriteUartByte(byte b)
        {
            lock(UartLock)
            {
                Stdout.WriteByte(b);
                if(b == (byte)'\n')
                {
                    Stdout.Flush();
                }
            }
        }

        public static void FlushUart()
        {
            lock(UartLock)
            {
                Stdout.Flush();
            }
        }

        public void PrintSummary()
        {
            if(Report != null)
            {
                Report.Print(Console.Error);
                return;
            }
            if(GuestErrors > 0)
            {
                Console.Error.WriteLine($"renode-gic: {GuestErrors} guest error(s) logged");
            }
        }

        private void OnEntry(LogEntry entry)
        {
            if(entry.IsGuestError)
            {
                GuestErrors++;
                Report?.Record(entry);
            }
            if(entry.Level >= Level)
            {
                FlushUart();
                ProgressReporter.ClearActiveLine();
                Console.Error.WriteLine(entry.Source.Length > 0 ? $"[{entry.Level}] {entry.Source}: {entry.Message}" : $"[{entry.Level}] {entry.Message}");
            }
        }

        private static readonly object UartLock = new object();
        private static readonly Stream Stdout = new BufferedStream(Console.OpenStandardOutput());
    }
}
