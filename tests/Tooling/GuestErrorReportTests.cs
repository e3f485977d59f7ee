// The guest-error report (host/Tooling/GuestErrorReport.cs): guest errors counted by kind with the first
// occurrence's virtual time, CPU and PC, printed by `boot` at exit; and the progress line stays off when stderr is
// redirected (host/Tooling/ProgressReporter.cs).
using System;
using System.IO;
using System.Linq;
using Antmicro.Renode.Logging;
using NUnit.Framework;
using RenodeGic.Host.Cli;
using RenodeGic.Host.Tooling;

namespace RenodeGic.Tests.Tooling
{
    [TestFixture]
    [NonParallelizable]
    public class GuestErrorReportTests
    {
        // EL1 code at 0x40080000 (raw image, text_offset 0x80000): two EOIs with nothing active (one guest-error kind,
        // twice), then PSCI SYSTEM_OFF through HVC.
        private static readonly uint[] Program =
        {
            0xD2800420, // movz x0, #33
            0xD518CC20, // msr ICC_EOIR1_EL1, x0   <- first guest error, PC 0x40080004
            0xD2800440, // movz x0, #34
            0xD518CC20, // msr ICC_EOIR1_EL1, x0
            0x52800100, // movz w0, #8
            0x72B08000, // movk w0, #0x8400, lsl #16   (PSCI SYSTEM_OFF 0x84000008)
            0xD4000002, // hvc #0
            0x14000000, // b .
        };

        [Test]
        public void BootShouldSummariseGuestErrorsByKindWithTheFirstPc()
        {
            var image = Path.Combine(Path.GetTempPath(), $"guest-errors-{Guid.NewGuid():N}.bin");
            File.WriteAllBytes(image, Program.SelectMany(BitConverter.GetBytes).ToArray());
            var previous = Console.Error;
            var error = new StringWriter();
            Console.SetError(error);
            int exit;
            try
            {
                exit = Runner.Boot(new BootOptions(image, null, 1, 1, null, 1.0, "error"));
            }
            finally
            {
                Console.SetError(previous);
                File.Delete(image);
            }
            var text = error.ToString();
            Assert.That(exit, Is.EqualTo(Runner.ExitOk), text);
            Assert.That(text, Does.Contain("2 guest error(s) logged, 1 kind(s):"));
            var line = text.Split('\n').Single(l => l.TrimStart().StartsWith("2x ", StringComparison.Ordinal));
            Assert.That(line, Does.Contain("EOI of INTID 33").And.Contain("cpu0 PC 0x40080004").And.Contain("first at"));
            Assert.That(text, Does.Not.Contain("\r"), "no progress line: stderr is redirected");
            Assert.That(text, Does.Not.Contain("MIPS"));
        }

        [Test]
        public void KindsShouldIgnoreNumbersButKeepNames()
        {
            var report = new GuestErrorReport(() => null);
            report.Record(new LogEntry(LogLevel.Warning, "gic", "gicr: 32-bit read at offset 0x40000 is outside the frames", true));
            report.Record(new LogEntry(LogLevel.Warning, "gic", "gicr: 64-bit read at offset 0x80000 is outside the frames", true));
            report.Record(new LogEntry(LogLevel.Warning, "its", "MAPTI: DeviceID 7 is not mapped (MAPD); skipped", true));
            report.Record(new LogEntry(LogLevel.Warning, "gic", "not a guest error", false));
            Assert.That(report.Total, Is.EqualTo(3));
            Assert.That(report.Kinds.Select(k => k.Count), Is.EqualTo(new[] { 2L, 1L }));
            Assert.That(report.Kinds[0].FirstMessage, Does.Contain("32-bit"));
            Assert.That(GuestErrorReport.Normalize("cpu1: ICC_EOIR1_EL1 of INTID 33 at 0x1F"), Is.EqualTo("cpu1: ICC_EOIR1_EL1 of INTID # at #"));
            var output = new StringWriter();
            report.Print(output);
            Assert.That(output.ToString(), Does.Contain("3 guest error(s) logged, 2 kind(s)").And.Contain("2x gic: gicr: 32-bit read"));
        }

        [Test]
        public void ProgressLineOnlyOnATerminal()
        {
            using var machine = ToolingRun.LoadSample(Path.Combine(ToolingRun.Root, "firmware-samples", "build", "spi.bin"), 1);
            var redirected = new StringWriter();
            Assert.That(ProgressReporter.Start(machine, redirected, isTerminal: false), Is.Null);
            var terminal = new StringWriter();
            using(var progress = ProgressReporter.Start(machine, terminal, isTerminal: true, TimeSpan.FromHours(1))!)
            {
                machine.Runner!.RunFor(Antmicro.Renode.Time.TimeInterval.FromSeconds(0.001));
                progress.Tick();
                Assert.That(terminal.ToString(), Does.StartWith("\r[virtual 0.001").And.Contain("MIPS").And.Contain("interrupts]"));
            }
            Assert.That(terminal.ToString(), Does.EndWith("\r"), "the line is erased at the end");
            Assert.That(redirected.ToString(), Is.Empty);
        }
    }
}
