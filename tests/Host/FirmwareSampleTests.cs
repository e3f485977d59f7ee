// The firmware samples (firmware-samples/) on our host must print exactly what QEMU's virt machine prints:
// firmware-samples/expected/<name>.<el1|el2>.txt holds QEMU 7.2's transcript, and a second test re-runs
// QEMU live (when installed) to prove those files are QEMU's own output.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Antmicro.Renode.Peripherals.CPU;
using Antmicro.Renode.Peripherals.UART;
using Antmicro.Renode.Time;
using NUnit.Framework;
using RenodeGic.Host.Cli;
using RenodeGic.Host.Emulation;
using RenodeGic.Host.Platform;

namespace RenodeGic.Tests.Host
{
    [TestFixture]
    [NonParallelizable]
    public class FirmwareSampleTests
    {
        public static IEnumerable<TestCaseData> Samples()
        {
            var list = Path.Combine(Root, "tests", "FirmwareSampleList.txt");
            foreach(var raw in File.ReadAllLines(list))
            {
                var line = raw.Split('#')[0].Trim();
                if(line.Length == 0)
                {
                    continue;
                }
                var cells = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if(cells[0].EndsWith("-bench", StringComparison.Ordinal))
                {
                    continue; // benchmarks: bench/ runs them
                }
                // Optional "smp=N": the CPU count for QEMU (-smp) and for our host; 4 otherwise.
                var cpus = DefaultCpus;
                foreach(var cell in cells.Skip(1).Where(c => c.StartsWith("smp=", StringComparison.Ordinal)))
                {
                    cpus = int.Parse(cell.Substring("smp=".Length), System.Globalization.CultureInfo.InvariantCulture);
                }
                // Optional "its": the platform has the ITS (QEMU: its=on; ours: VirtPlatform.Generate(..., its: true)).
                var its = cells.Skip(1).Contains("its");
                // Optional "gic4": a GICv4.0 with the ITS's virtual LPI support (QEMU: gic-version=4; ours: VirtPlatform gicv4).
                var gic4 = cells.Skip(1).Contains("gic4");
                // Optional "gic41": a GICv4.1 (ours: platforms/virt-gicv41.repl). No QEMU has one: the live-QEMU test skips
                // it, and its expected transcript is written from the architecture.
                var gic41 = cells.Skip(1).Contains("gic41");
                // Optional "its2": a GICv4.0 with two ITSes, GITS_TYPER.VMOVP = 0 (ours: VirtPlatform twoIts). QEMU's virt has
                // one ITS: the live-QEMU test skips it, and its expected transcript is written from the architecture.
                var its2 = cells.Skip(1).Contains("its2");
                foreach(var mode in cells.Skip(1).Where(c => !c.StartsWith("smp=", StringComparison.Ordinal) && c != "its" && c != "gic4" && c != "gic41" && c != "its2"))
                {
                    yield return new TestCaseData(cells[0], mode, cpus, its, gic4, gic41, its2).SetName($"{cells[0]}.{mode}");
                }
            }
        }

        [TestCaseSource(nameof(Samples))]
        public void ShouldPrintTheSameTranscriptAsQemu(string name, string mode, int cpus, bool its, bool gic4, bool gic41, bool its2)
        {
            var expected = ReadExpected(name, mode);
            var (outcome, transcript, _) = RunOnOurHost(name, mode == "el2" ? 2 : 1, cpus, its, gic4, gic41, its2);
            Assert.That(transcript, Is.EqualTo(expected), $"{name} ({mode}) transcript differs from QEMU's");
            Assert.That(outcome, Is.EqualTo(RunOutcome.SystemOff), "the sample ends with PSCI SYSTEM_OFF");
        }

        [TestCaseSource(nameof(Samples))]
        [Category("qemu")]
        public void QemuShouldStillPrintTheRecordedTranscript(string name, string mode, int cpus, bool its, bool gic4, bool gic41, bool its2)
        {
            if(gic41)
            {
                Assert.Ignore("QEMU has no GICv4.1: the expected transcript is written from the architecture");
            }
            if(its2)
            {
                Assert.Ignore("QEMU's virt has one ITS: the expected transcript is written from the architecture");
            }
            if(!File.Exists("/usr/bin/qemu-system-aarch64"))
            {
                Assert.Ignore("qemu-system-aarch64 is not installed (scripts/setup.sh installs it)");
            }
            var psi = new ProcessStartInfo("sh", $"{Path.Combine(Root, "firmware-samples", "run-qemu.sh")} {name} {mode}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            psi.Environment["SMP"] = cpus.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if(its)
            {
                psi.Environment["ITS"] = "on";
            }
            if(gic4)
            {
                psi.Environment["GIC"] = "4";
            }
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.That(Normalize(stdout), Is.EqualTo(ReadExpected(name, mode)));
        }

        [Test]
        public void ShouldBeDeterministic()
        {
            var a = RunOnOurHost("sgi-ipi", 1);
            var b = RunOnOurHost("sgi-ipi", 1);
            Assert.That(b.Transcript, Is.EqualTo(a.Transcript));
            Assert.That(b.ElapsedNs, Is.EqualTo(a.ElapsedNs), "the same virtual time to SYSTEM_OFF");
        }

        [Test]
        public void TheVirtPlatformFileShouldEqualTheGeneratedDefault()
        {
            var file = File.ReadAllText(Path.Combine(Root, "platforms", "virt-gicv3.repl"));
            Assert.That(VirtPlatform.Generate(4, 1), Is.EqualTo(file));
        }

        [Test]
        public void TheVirtGicv4PlatformFileShouldEqualTheGeneratedOne()
        {
            var file = File.ReadAllText(Path.Combine(Root, "platforms", "virt-gicv4.repl"));
            Assert.That(VirtPlatform.Generate(4, 2, its: true, gicv4: true), Is.EqualTo(file));
        }

        [Test]
        public void TheVirtGicv41PlatformFileShouldEqualTheGeneratedOne()
        {
            var file = File.ReadAllText(Path.Combine(Root, "platforms", "virt-gicv41.repl"));
            Assert.That(VirtPlatform.Generate(4, 2, its: true, gicv41: true), Is.EqualTo(file));
        }

        [Test]
        public void TheVirtItsPlatformFileShouldEqualTheGeneratedOne()
        {
            var file = File.ReadAllText(Path.Combine(Root, "platforms", "virt-gicv3-its.repl"));
            Assert.That(VirtPlatform.Generate(4, 1, its: true), Is.EqualTo(file));
        }

        /// <summary>CPUs online for a sample without an smp=N column (QEMU's -smp in run-qemu.sh).</summary>
        public const int DefaultCpus = 4;

        public static (RunOutcome Outcome, string Transcript, ulong ElapsedNs) RunOnOurHost(string name, int el, int cpus = DefaultCpus, bool its = false, bool gic4 = false,
            bool gic41 = false, bool its2 = false)
        {
            var image = Path.Combine(Root, "firmware-samples", "build", name + ".bin");
            Assert.That(File.Exists(image), Is.True, $"{image} is missing: run make -C firmware-samples");
            using var machine = new Machine();
            new ReplLoader(machine).LoadString(VirtPlatform.Generate(cpus, el, its, gic4, gic41, its2), "<virt>", Root);
            var entry = Runner.LoadImage(machine, image);
            var dtb = Runner.PlaceDeviceTree(machine, null);
            var cpu0 = (ARMv8A)machine.Cpus[0];
            cpu0.PC = entry;
            cpu0.SetBootRegister(0, dtb);
            var output = new StringBuilder();
            foreach(var uart in machine.Peripherals.OfType<PL011>())
            {
                uart.CharReceived += b => output.Append((char)b);
            }
            machine.FinishLoad();
            var outcome = machine.Runner!.RunFor(TimeInterval.FromSeconds(20));
            if(outcome == RunOutcome.Fault)
            {
                output.Append("\n[fault] ").Append(machine.Runner.FaultDescription);
            }
            return (outcome, Normalize(output.ToString()), machine.Runner.ElapsedVirtualTime.TotalNanoseconds);
        }

        private static string ReadExpected(string name, string mode)
        {
            return Normalize(File.ReadAllText(Path.Combine(Root, "firmware-samples", "expected", $"{name}.{mode}.txt")));
        }

        private static string Normalize(string s) => s.Replace("\r", "").TrimEnd('\n') + "\n";

        public static string Root => Runner.RepositoryRoot;
    }
}
