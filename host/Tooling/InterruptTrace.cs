// Interrupt timeline trace (README.md, "Debugging interrupt delivery"): receives the GIC's trace events
// (peripherals/Gic/GicTrace.cs), stamps them with virtual time and writes
//   - a Chrome/Perfetto trace (JSON "traceEvents"): process "gic", one thread track per CPU, one per ITS and one for
//     the distributor (SPIs routed nowhere); every event is an instant event ("i") with its fields as args, and each
//     interrupt is an async slice ("b"/"e", category "irq" or "virq") from its acknowledge to its deactivation (LPIs
//     and vLPIs, which have no active state: to their priority drop). ts are microseconds of virtual time with
//     nanosecond precision; within one track they never decrease (an event that another core caused "in the past" of
//     this core's clock is placed at the track's last time), so the file opens in ui.perfetto.dev as is;
//   - a text form, one line per event, virtual time in ns first: identical for two runs of the same firmware, so two
//     runs (or two versions of the model) can be compared with diff.
// Time: the running core's local time (CpuScheduler.Current.LocalTimeNs), else the scheduler's round start.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Antmicro.Renode.Peripherals.IRQControllers;
using RenodeGic.Host.Cpu;
using RenodeGic.Host.Emulation;

namespace RenodeGic.Host.Tooling
{
    public sealed class InterruptTracer : IGicTraceSink, IDisposable
    {
        /// <summary>Writes JSON to <paramref name="json"/> and/or text to <paramref name="text"/> (either may be null).</summary>
        public InterruptTracer(Stream? json, TextWriter? text)
        {
            if(json != null)
            {
                jsonWriter = new Utf8JsonWriter(json, new JsonWriterOptions { Indented = false, SkipValidation = false });
                jsonStream = json;
                jsonWriter.WriteStartObject();
                jsonWriter.WriteString("displayTimeUnit", "ns");
                jsonWriter.WriteStartArray("traceEvents");
                WriteMetadata("process_name", Pid, 0, "name", "gic");
            }
            textWriter = text;
        }

        /// <summary>Opens the files (a null path skips that form).</summary>
        public static InterruptTracer Open(string? jsonPath, string? textPath)
        {
            var json = jsonPath != null ? new FileStream(jsonPath, FileMode.Create, FileAccess.Write, FileShare.Read) : null;
            var text = textPath != null ? new StreamWriter(textPath, false, new UTF8Encoding(false)) { NewLine = "\n" } : null;
            return new InterruptTracer(json, text) { ownsStreams = true };
        }

        /// <summary>Number of events received.</summary>
        public long EventCount { get; private set; }

        /// <summary>Starts tracing every GIC of <paramref name="machine"/> (again after new GICs were loaded; idempotent).</summary>
        public void AttachTo(Machine machine)
        {
            lock(sync)
            {
                this.machine = machine;
                foreach(var gic in machine.Peripherals.OfType<ArmGicV3>())
                {
                    if(!attached.Contains(gic))
                    {
                        attached.Add(gic);
                        gic.TraceSink = this;
                    }
                }
            }
        }

        public void OnGicEvent(in GicTraceEvent e)
        {
            lock(sync)
            {
                if(closed)
                {
                    return;
                }
                EventCount++;
                var now = Now();
                var (tid, trackName) = TrackOf(e);
                textWriter?.WriteLine(FormatText(now, trackName, e));
                if(jsonWriter == null)
                {
                    return;
                }
                if(!lastTs.TryGetValue(tid, out var last))
                {
                    WriteMetadata("thread_name", Pid, tid, "name", trackName);
                    WriteMetadata("thread_sort_index", Pid, tid, "sort_index", null, tid);
                    last = 0;
                }
                var ts = Math.Max(now, last);
                lastTs[tid] = ts;
                WriteInstant(ts, tid, e);
                WriteSlice(ts, tid, e);
                if(jsonWriter.BytesPending > 64 * 1024)
                {
                    jsonWriter.Flush();
                }
            }
        }

        /// <summary>Detaches from the GICs, closes the open slices and finishes the files.</summary>
        public void Dispose()
        {
            lock(sync)
            {
                if(closed)
                {
                    return;
                }
                foreach(var gic in attached)
                {
                    if(ReferenceEquals(gic.TraceSink, this))
                    {
                        gic.TraceSink = null;
                    }
                }
                if(jsonWriter != null)
                {
                    foreach(var open in openSlices.OrderBy(s => s.Key, StringComparer.Ordinal))
                    {
                        var ts = lastTs.TryGetValue(open.Value.Tid, out var last) ? last : 0;
                        WriteSliceEdge("e", open.Value.Name, open.Value.Category, open.Key, ts, open.Value.Tid, unfinished: true);
                    }
                    jsonWriter.WriteEndArray();
                    jsonWriter.WriteEndObject();
                    jsonWriter.Flush();
                    jsonWriter.Dispose();
                    if(ownsStreams)
                    {
                        jsonStream!.Dispose();
                    }
                }
                textWriter?.Flush();
                if(ownsStreams)
                {
                    textWriter?.Dispose();
                }
                closed = true;
            }
        }

        /// <summary>The text form of one event (without the newline).</summary>
        public static string FormatText(ulong ns, string track, in GicTraceEvent e)
        {
            var sb = new StringBuilder();
            sb.Append(ns.ToString("D12", CultureInfo.InvariantCulture)).Append(' ').Append(track.PadRight(6)).Append(' ').Append(e.Kind.ToString());
            if(e.Intid >= 0)
            {
                sb.Append(" intid=").Append(e.Intid.ToString(CultureInfo.InvariantCulture));
            }
            if(e.Cpu >= 0)
            {
                sb.Append(" cpu=").Append(e.Cpu.ToString(CultureInfo.InvariantCulture));
            }
            if(e.DeviceId >= 0)
            {
                sb.Append(" dev=").Append(e.DeviceId.ToString(CultureInfo.InvariantCulture));
            }
            if(e.EventId >= 0)
            {
                sb.Append(" event=").Append(e.EventId.ToString(CultureInfo.InvariantCulture));
            }
            if(e.VpeId >= 0)
            {
                sb.Append(" vpe=").Append(e.VpeId.ToString(CultureInfo.InvariantCulture));
            }
            if(e.Priority >= 0)
            {
                sb.Append(e.Kind == GicTraceKind.Maintenance ? " level=" : " prio=0x")
                    .Append(e.Kind == GicTraceKind.Maintenance ? e.Priority.ToString(CultureInfo.InvariantCulture) : e.Priority.ToString("X2", CultureInfo.InvariantCulture));
            }
            if(e.Detail != null)
            {
                sb.Append(" (").Append(e.Detail).Append(')');
            }
            return sb.ToString();
        }

        private ulong Now()
        {
            if(machine?.Runner is CpuScheduler scheduler)
            {
                return scheduler.Current?.LocalTimeNs ?? scheduler.RoundStartNs;
            }
            return 0;
        }

        private (int Tid, string Name) TrackOf(in GicTraceEvent e)
        {
            if(e.Source is ArmGicV3Its its)
            {
                if(!itsTracks.TryGetValue(its, out var track))
                {
                    var name = machine != null && machine.TryGetLocalName(its, out var n) ? n : "its" + itsTracks.Count.ToString(CultureInfo.InvariantCulture);
                    track = (ItsTidBase + itsTracks.Count, name);
                    itsTracks[its] = track;
                }
                return track;
            }
            return e.Cpu >= 0 ? (e.Cpu, "cpu" + e.Cpu.ToString(CultureInfo.InvariantCulture)) : (DistributorTid, "gicd");
        }

        private void WriteInstant(ulong ts, int tid, in GicTraceEvent e)
        {
            var w = jsonWriter!;
            w.WriteStartObject();
            w.WriteString("name", e.Intid >= 0 ? $"{e.Kind} {e.Intid}" : e.Kind.ToString());
            w.WriteString("cat", "gic");
            w.WriteString("ph", "i");
            w.WriteString("s", "t");
            WriteTimestamp(ts);
            w.WriteNumber("pid", Pid);
            w.WriteNumber("tid", tid);
            w.WriteStartObject("args");
            WriteArg("intid", e.Intid);
            WriteArg("cpu", e.Cpu);
            WriteArg("deviceId", e.DeviceId);
            WriteArg("eventId", e.EventId);
            WriteArg("vpeId", e.VpeId);
            WriteArg("priority", e.Priority);
            if(e.Detail != null)
            {
                w.WriteString("detail", e.Detail);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }

        private void WriteSlice(ulong ts, int tid, in GicTraceEvent e)
        {
            bool begin;
            bool isVirtual;
            switch(e.Kind)
            {
            case GicTraceKind.Acknowledged:
                begin = true;
                isVirtual = false;
                break;
            case GicTraceKind.VirtualAcknowledged:
                begin = true;
                isVirtual = true;
                break;
            case GicTraceKind.Deactivated:
                begin = false;
                isVirtual = false;
                break;
            case GicTraceKind.VirtualDeactivated:
                begin = false;
                isVirtual = true;
                break;
            case GicTraceKind.PriorityDropped when e.Intid >= 8192:
                begin = false;
                isVirtual = false;
                break;
            case GicTraceKind.VirtualPriorityDropped when e.Intid >= 8192:
                begin = false;
                isVirtual = true;
                break;
            default:
                return;
            }
            var category = isVirtual ? "virq" : "irq";
            var id = $"{category}-{e.Cpu}-{e.Intid}";
            var name = (isVirtual ? "vINTID " : "INTID ") + e.Intid.ToString(CultureInfo.InvariantCulture);
            if(begin)
            {
                if(openSlices.ContainsKey(id))
                {
                    return;
                }
                openSlices[id] = (tid, name, category);
                WriteSliceEdge("b", name, category, id, ts, tid, unfinished: false);
            }
            else if(openSlices.Remove(id))
            {
                WriteSliceEdge("e", name, category, id, ts, tid, unfinished: false);
            }
        }

        private void WriteSliceEdge(string phase, string name, string category, string id, ulong ts, int tid, bool unfinished)
        {
            var w = jsonWriter!;
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("cat", category);
            w.WriteString("ph", phase);
            w.WriteString("id", id);
            WriteTimestamp(ts);
            w.WriteNumber("pid", Pid);
            w.WriteNumber("tid", tid);
            if(unfinished)
            {
                w.WriteStartObject("args");
                w.WriteBoolean("unfinished", true);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }

        private void WriteMetadata(string name, int pid, int tid, string argName, string? text, int number = 0)
        {
            var w = jsonWriter!;
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("ph", "M");
            w.WriteNumber("ts", 0);
            w.WriteNumber("pid", pid);
            w.WriteNumber("tid", tid);
            w.WriteStartObject("args");
            if(text != null)
            {
                w.WriteString(argName, text);
            }
            else
            {
                w.WriteNumber(argName, number);
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }

        private void WriteTimestamp(ulong ns)
        {
            // Microseconds with exactly three decimals: the virtual nanosecond, without floating-point rounding.
            jsonWriter!.WritePropertyName("ts");
            jsonWriter.WriteRawValue((ns / 1000).ToString(CultureInfo.InvariantCulture) + "." + (ns % 1000).ToString("D3", CultureInfo.InvariantCulture));
        }

        private void WriteArg(string name, long value)
        {
            if(value >= 0)
            {
                jsonWriter!.WriteNumber(name, value);
            }
        }

        private const int Pid = 1;
        private const int DistributorTid = 1000;
        private const int ItsTidBase = 2000;

        private readonly object sync = new object();
        private readonly Utf8JsonWriter? jsonWriter;
        private readonly Stream? jsonStream;
        private readonly TextWriter? textWriter;
        private readonly List<ArmGicV3> attached = new List<ArmGicV3>();
        private readonly Dictionary<int, ulong> lastTs = new Dictionary<int, ulong>();
        private readonly Dictionary<ArmGicV3Its, (int Tid, string Name)> itsTracks = new Dictionary<ArmGicV3Its, (int, string)>();
        private readonly Dictionary<string, (int Tid, string Name, string Category)> openSlices = new Dictionary<string, (int, string, string)>(StringComparer.Ordinal);
        private Machine? machine;
        private bool closed;
        private bool ownsStreams;
    }
}
