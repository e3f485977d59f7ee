// Guest-error report: every log entry marked as a guest error (LogEntry.IsGuestError: a bad ITS command, a write to
// a read-only register, an unimplemented offset, a table-walk failure, an unmapped access ...) is counted by kind,
// and the first occurrence of each kind keeps its virtual time, CPU and PC. `boot` and `run` print the summary on
// stderr at exit, one line per kind, so a firmware author sees each bug once with where it first happened.
//
// Kind: the source and the message with its standalone numbers replaced by '#' ("gic: gicr: #-bit read at offset #
// is outside ..."; names such as cpu1 or ICC_EOIR1 are kept): the same mistake at another address or INTID is the
// same kind; the first message is printed in full.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Antmicro.Renode.Logging;
using RenodeGic.Host.Cpu;
using RenodeGic.Host.Emulation;

namespace RenodeGic.Host.Tooling
{
    public sealed class GuestErrorReport
    {
        /// <summary><paramref name="machine"/> gives the machine whose scheduler supplies time, CPU and PC (may return null).</summary>
        public GuestErrorReport(Func<Machine?> machine)
        {
            this.machine = machine;
        }

        public long Total { get; private set; }

        public IReadOnlyList<Kind> Kinds
        {
            get
            {
                lock(sync)
                {
                    return order.ToList();
                }
            }
        }

        /// <summary>Counts <paramref name="entry"/> if it is a guest error.</summary>
        public void Record(LogEntry entry)
        {
            if(!entry.IsGuestError)
            {
                return;
            }
            lock(sync)
            {
                Total++;
                var key = (entry.Source.Length > 0 ? entry.Source + ": " : "") + Normalize(entry.Message);
                if(kinds.TryGetValue(key, out var kind))
                {
                    kind.Count++;
                    return;
                }
                kind = new Kind(key, entry.Source, entry.Message);
                var scheduler = machine()?.Runner as CpuScheduler;
                if(scheduler != null)
                {
                    var cpu = scheduler.Current;
                    kind.VirtualTimeNs = cpu?.LocalTimeNs ?? scheduler.RoundStartNs;
                    if(cpu != null)
                    {
                        kind.Cpu = cpu.Name;
                        kind.Pc = cpu.PC;
                    }
                }
                kinds[key] = kind;
                order.Add(kind);
            }
        }

        /// <summary>Writes the summary (nothing when there was no guest error).</summary>
        public void Print(TextWriter output)
        {
            lock(sync)
            {
                if(Total == 0)
                {
                    return;
                }
                output.WriteLine($"renode-gic: {Total} guest error(s) logged, {order.Count} kind(s):");
                foreach(var kind in order)
                {
                    output.WriteLine("  " + kind.Describe());
                }
            }
        }

        /// <summary>The message with every number (decimal or 0x-hexadecimal) replaced by '#'.</summary>
        public static string Normalize(string message) => Numbers.Replace(message, "#");

        public sealed class Kind
        {
            internal Kind(string key, string source, string firstMessage)
            {
                Key = key;
                Source = source;
                FirstMessage = firstMessage;
                Count = 1;
            }

            public string Key { get; }
            public string Source { get; }
            public string FirstMessage { get; }
            public long Count { get; internal set; }
            public ulong? VirtualTimeNs { get; internal set; }
            public string? Cpu { get; internal set; }
            public ulong? Pc { get; internal set; }

            /// <summary>"3x gic: &lt;first message&gt; (first at 1.234567 ms, cpu0 PC 0x40080124)".</summary>
            public string Describe()
            {
                var sb = new StringBuilder();
                sb.Append(Count.ToString(CultureInfo.InvariantCulture)).Append("x ");
                if(Source.Length > 0)
                {
                    sb.Append(Source).Append(": ");
                }
                sb.Append(FirstMessage);
                var where = new List<string>();
                if(VirtualTimeNs is ulong ns)
                {
                    where.Add("first at " + FormatTime(ns));
                }
                if(Cpu != null)
                {
                    where.Add(Cpu + (Pc is ulong pc ? $" PC 0x{pc:X}" : ""));
                }
                if(where.Count > 0)
                {
                    sb.Append(" (").Append(string.Join(", ", where)).Append(')');
                }
                return sb.ToString();
            }
        }

        /// <summary>Virtual time as "12.345678 ms" (or s / us for large and small values).</summary>
        public static string FormatTime(ulong ns)
        {
            if(ns >= 1_000_000_000)
            {
                return (ns / 1e9).ToString("0.000000000", CultureInfo.InvariantCulture) + " s";
            }
            if(ns >= 1_000_000)
            {
                return (ns / 1e6).ToString("0.000000", CultureInfo.InvariantCulture) + " ms";
            }
            return (ns / 1e3).ToString("0.000", CultureInfo.InvariantCulture) + " us";
        }

        private static readonly Regex Numbers = new Regex(@"\b(0[xX][0-9A-Fa-f]+|\d+)\b", RegexOptions.Compiled | RegexOptions.CultureInvariant);

        private readonly object sync = new object();
        private readonly Func<Machine?> machine;
        private readonly Dictionary<string, Kind> kinds = new Dictionary<string, Kind>(StringComparer.Ordinal);
        private readonly List<Kind> order = new List<Kind>();
    }
}
