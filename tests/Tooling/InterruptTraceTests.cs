// The interrupt timeline (host/Tooling/InterruptTrace.cs): the JSON of a sample run is a valid Chrome/Perfetto trace
// (traceEvents with ph/ts/pid/tid, ts never decreasing within a track, balanced async slices) holding the
// acknowledge/EOI events of the sample; the text form is identical for two runs; `trace start/stop` in the monitor.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using NUnit.Framework;
using RenodeGic.Host.Emulation;
using RenodeGic.Host.Tooling;

namespace RenodeGic.Tests.Tooling
{
    [TestFixture]
    [NonParallelizable]
    public class InterruptTraceTests
    {
        [Test]
        public void SpiSampleTraceShouldBeValidPerfettoJsonWithAcknowledgeAndEoi()
        {
            var (json, _, outcome) = ToolingRun.Traced("spi");
            Assert.That(outcome, Is.EqualTo(RunOutcome.SystemOff));
            using var document = JsonDocument.Parse(json);
            var events = document.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
            Assert.That(events, Is.Not.Empty);
            var lastTs = new Dictionary<(int, int), decimal>();
            var open = new Dictionary<string, int>();
            foreach(var e in events)
            {
                var ph = e.GetProperty("ph").GetString()!;
                var pid = e.GetProperty("pid").GetInt32();
                var tid = e.GetProperty("tid").GetInt32();
                var ts = e.GetProperty("ts").GetDecimal();
                Assert.That(ph, Is.AnyOf("M", "i", "b", "e"));
                Assert.That(e.GetProperty("name").GetString(), Is.Not.Empty);
                var track = (pid, tid);
                Assert.That(ts, Is.GreaterThanOrEqualTo(lastTs.GetValueOrDefault(track)), $"ts goes back on track {track}: {e}");
                lastTs[track] = ts;
                if(ph == "b" || ph == "e")
                {
                    var id = e.GetProperty("id").GetString()!;
                    open[id] = open.GetValueOrDefault(id) + (ph == "b" ? 1 : -1);
                    Assert.That(open[id], Is.InRange(0, 1), $"unbalanced slice {id}");
                }
            }
            Assert.That(open.Values, Is.All.EqualTo(0), "every acknowledge slice ends");
            var names = events.Where(e => e.GetProperty("ph").GetString() == "i").Select(e => e.GetProperty("name").GetString()).ToList();
            // spi.c: INTID 40 is acknowledged and EOId on cpu0 first; INTID 46 is the Group 0 (FIQ) one.
            Assert.That(names, Does.Contain("Acknowledged 40"));
            Assert.That(names, Does.Contain("PriorityDropped 40"));
            Assert.That(names, Does.Contain("Deactivated 40"));
            Assert.That(names, Does.Contain("Acknowledged 46"));
            Assert.That(events.Any(e => e.GetProperty("ph").GetString() == "b" && e.GetProperty("name").GetString() == "INTID 40"), Is.True);
            Assert.That(events.Any(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("args").TryGetProperty("name", out var n) && n.GetString() == "cpu0"), Is.True);
        }

        [Test]
        public void TextTraceShouldBeIdenticalAcrossTwoRuns()
        {
            var a = ToolingRun.Traced("sgi-ipi").Text;
            var b = ToolingRun.Traced("sgi-ipi").Text;
            Assert.That(a, Is.Not.Empty);
            Assert.That(b, Is.EqualTo(a));
            var lines = a.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines.Any(l => l.Contains("Acknowledged intid=", StringComparison.Ordinal) && l.Contains("cpu=1", StringComparison.Ordinal)), Is.True,
                "an SGI is acknowledged on cpu1");
            var times = lines.Select(l => ulong.Parse(l.Substring(0, 12), CultureInfo.InvariantCulture)).ToList();
            Assert.That(times.All(t => t < 20_000_000_000UL), Is.True);
        }

        [Test]
        public void MonitorTraceCommandsShouldWriteBothForms()
        {
            var directory = Path.Combine(Path.GetTempPath(), "renode-gic-trace-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            try
            {
                var image = Path.Combine(ToolingRun.Root, "firmware-samples", "build", "spi.bin");
                var monitor = new RenodeGic.Host.Monitor.Monitor(new StringWriter(), new StringWriter()) { RootDirectory = ToolingRun.Root };
                monitor.ExecuteScriptText(string.Join("\n",
                    "mach create",
                    "machine LoadPlatformDescription @platforms/virt-gicv3.repl",
                    $"sysbus LoadBinary @{image} 0x40080000",
                    "cpu0 PC 0x40080000",
                    $"trace start {Path.Combine(directory, "t.json")} {Path.Combine(directory, "t.txt")}",
                    "emulation RunFor \"0.01\"",
                    "trace stop"), "<test>", directory);
                monitor.Machine?.Dispose();
                using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "t.json")));
                Assert.That(document.RootElement.GetProperty("traceEvents").GetArrayLength(), Is.GreaterThan(3));
                Assert.That(File.ReadAllText(Path.Combine(directory, "t.txt")), Does.Contain("Acknowledged intid=40"));
            }
            finally
            {
                Directory.Delete(directory, true);
            }
        }
    }
}
