// Runs a firmware sample on our host with an interrupt tracer attached (as `renode-gic boot --trace` does).
using System.IO;
using System.Linq;
using System.Text;
using Antmicro.Renode.Peripherals.CPU;
using Antmicro.Renode.Time;
using NUnit.Framework;
using RenodeGic.Host.Cli;
using RenodeGic.Host.Emulation;
using RenodeGic.Host.Platform;
using RenodeGic.Host.Tooling;

namespace RenodeGic.Tests.Tooling
{
    internal static class ToolingRun
    {
        public static string Root => Runner.RepositoryRoot;

        /// <summary>Builds the generated virt platform with <paramref name="image"/> loaded, ready to run.</summary>
        public static Machine LoadSample(string image, int cpus = 4, int el = 1)
        {
            Assert.That(File.Exists(image), Is.True, $"{image} is missing: run make -C firmware-samples");
            var machine = new Machine();
            new ReplLoader(machine).LoadString(VirtPlatform.Generate(cpus, el), "<virt>", Root);
            var entry = Runner.LoadImage(machine, image);
            var dtb = Runner.PlaceDeviceTree(machine, null);
            var cpu0 = (ARMv8A)machine.Cpus[0];
            cpu0.PC = entry;
            cpu0.SetBootRegister(0, dtb);
            machine.FinishLoad();
            return machine;
        }

        /// <summary>Runs sample <paramref name="name"/> to SYSTEM_OFF with a tracer; returns (JSON, text).</summary>
        public static (string Json, string Text, RunOutcome Outcome) Traced(string name, int cpus = 4)
        {
            using var machine = LoadSample(Path.Combine(Root, "firmware-samples", "build", name + ".bin"), cpus);
            var json = new MemoryStream();
            var text = new StringWriter { NewLine = "\n" };
            RunOutcome outcome;
            using(var tracer = new InterruptTracer(json, text))
            {
                tracer.AttachTo(machine);
                outcome = machine.Runner!.RunFor(TimeInterval.FromSeconds(20));
            }
            return (Encoding.UTF8.GetString(json.ToArray()), text.ToString(), outcome);
        }
    }
}
