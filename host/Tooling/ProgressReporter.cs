// Progress line for long runs: virtual time, instructions per second (wall clock) and interrupts taken, rewritten
// in place on stderr about four times a second. Only when stderr is a terminal (Console.IsErrorRedirected = false):
// redirected output (CI logs, tests, pipes) never sees it. The line is read from a timer thread and never touches the
// emulation (no scheduled event, no slice change), so a run is the same with and without it.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using RenodeGic.Host.Cpu;
using RenodeGic.Host.Emulation;

namespace RenodeGic.Host.Tooling
{
    public sealed class ProgressReporter : IDisposable
    {
        /// <summary>The progress line being shown, if any (log output clears it first: <see cref="ClearLine"/>).</summary>
        public static ProgressReporter? Active { get; private set; }

        /// <summary>Starts a progress line for <paramref name="machine"/> when stderr is a terminal; otherwise returns null.</summary>
        public static ProgressReporter? StartIfTerminal(Machine machine)
        {
            return Start(machine, Console.Error, isTerminal: !Console.IsErrorRedirected);
        }

        /// <summary>Starts a progress line on <paramref name="output"/> if <paramref name="isTerminal"/>; null otherwise.</summary>
        public static ProgressReporter? Start(Machine machine, TextWriter output, bool isTerminal, TimeSpan? period = null)
        {
            if(!isTerminal || machine.Runner is not CpuScheduler scheduler)
            {
                return null;
            }
            var reporter = new ProgressReporter(scheduler, output);
            Active = reporter;
            var interval = period ?? TimeSpan.FromMilliseconds(250);
            reporter.timer = new Timer(_ => reporter.Tick(), null, interval, interval);
            return reporter;
        }

        /// <summary>Writes the line now (the timer calls this).</summary>
        public void Tick()
        {
            lock(Sync)
            {
                if(disposed)
                {
                    return;
                }
                var line = Describe();
                output.Write("\r" + line.PadRight(lastLength));
                output.Flush();
                lastLength = line.Length;
            }
        }

        /// <summary>Erases the progress line (before a log line or at exit).</summary>
        public void ClearLine()
        {
            lock(Sync)
            {
                if(lastLength > 0)
                {
                    output.Write("\r" + new string(' ', lastLength) + "\r");
                    output.Flush();
                    lastLength = 0;
                }
            }
        }

        /// <summary>Clears the line of the active reporter, if any (call before writing to stderr).</summary>
        public static void ClearActiveLine()
        {
            Active?.ClearLine();
        }

        public void Dispose()
        {
            timer?.Dispose();
            ClearLine();
            lock(Sync)
            {
                disposed = true;
            }
            if(ReferenceEquals(Active, this))
            {
                Active = null;
            }
        }

        /// <summary>"[virtual 1.234567890 s | 812.3 MIPS | 12345 interrupts]".</summary>
        public string Describe()
        {
            // Read from another thread while the cores run: each value is a single 64-bit read (torn values are not
            // possible on 64-bit hosts); the sum may mix two instants, which a progress line tolerates.
            var virtualNs = scheduler.RoundStartNs;
            var instructions = scheduler.Cpus.Aggregate(0UL, (sum, c) => sum + c.ExecutedInstructions);
            var interrupts = scheduler.Cpus.Aggregate(0UL, (sum, c) => sum + c.InterruptsTaken + c.VirtualInterruptsTaken);
            var elapsed = clock.Elapsed.TotalSeconds;
            var rate = elapsed > 0 ? (instructions - startInstructions) / elapsed / 1e6 : 0;
            return string.Format(CultureInfo.InvariantCulture, "[virtual {0:0.000000} s | {1:0.0} MIPS | {2} interrupts]", virtualNs / 1e9, rate, interrupts);
        }

        private ProgressReporter(CpuScheduler scheduler, TextWriter output)
        {
            this.scheduler = scheduler;
            this.output = output;
            startInstructions = scheduler.Cpus.Aggregate(0UL, (sum, c) => sum + c.ExecutedInstructions);
            clock = Stopwatch.StartNew();
        }

        private static readonly object Sync = new object();

        private readonly CpuScheduler scheduler;
        private readonly TextWriter output;
        private readonly ulong startInstructions;
        private readonly Stopwatch clock;
        private Timer? timer;
        private int lastLength;
        private bool disposed;
    }
}
