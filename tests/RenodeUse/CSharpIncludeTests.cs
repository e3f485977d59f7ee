// 'include @Peripheral.cs': Renode-style C# compiled at run time, its types usable in .repl files loaded afterwards,
// and the three example peripherals (peripherals/examples/) driven over the bus with their interrupts reaching the GIC.
using System;
using System.IO;
using System.Linq;
using Antmicro.Renode.Logging;
using NUnit.Framework;
using RenodeGic.Host.Monitor;
using RenodeGic.Host.Platform;

namespace RenodeGic.Tests.RenodeUse
{
    [TestFixture]
    [NonParallelizable]
    public sealed class CSharpIncludeTests
    {
        [SetUp]
        public void SetUp()
        {
            output = new StringWriter();
            errors = new StringWriter();
            monitor = new Monitor(output, errors) { RootDirectory = RepositoryRoot };
            directory = Path.Combine(Path.GetTempPath(), "include-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
        }

        [TearDown]
        public void TearDown()
        {
            Logger.Backend = null;
            foreach(var machine in monitor.Machines)
            {
                machine.Dispose();
            }
            output.Dispose();
            errors.Dispose();
            Directory.Delete(directory, true);
        }

        [Test]
        public void DoorbellRingShouldRaiseItsSpiInTheGic()
        {
            LoadBoard();
            Run(@"
sysbus ReadDoubleWord 0x0A000000
sysbus WriteDoubleWord 0x0A000020 0x1234
sysbus WriteDoubleWord 0x0A000004 0x1
sysbus WriteDoubleWord 0x0A000008 0x1
sysbus ReadDoubleWord 0x0A00000C
sysbus ReadDoubleWord 0x08000204
doorbell RingCount
sysbus ReadDoubleWord 0x0A000010
sysbus WriteDoubleWord 0x0A00000C 0x1
sysbus ReadDoubleWord 0x0A00000C
sysbus ReadDoubleWord 0x08000204
sysbus ReadDoubleWord 0x0A000020
");
            Assert.That(Lines(), Is.EqualTo(new[]
            {
                "0x0DB00001",            // identification, reset value given to Define(this, resetValue)
                "0x00000001",            // PENDING slot 0
                "0x00000020",            // GICD_ISPENDR1 bit 5: SPI 5 = INTID 37 pending
                "0x00000001",            // RingCount through the monitor (int, as Renode prints it)
                "0x00000101",            // STATUS: IRQ_ACTIVE, RING_COUNT = 1
                "0x00000000",            // PENDING cleared by write-one-to-clear
                "0x00000000",            // and the SPI is no longer pending (level-sensitive)
                "0x00001234",            // MESSAGE0 kept
            }));
        }

        [Test]
        public void TimerShouldExpireAfterItsTicksAndRaiseItsSpi()
        {
            LoadBoard();
            Run(@"
sysbus WriteDoubleWord 0x0A001004 10
sysbus WriteDoubleWord 0x0A001000 0x3
timer Tick 4
sysbus ReadDoubleWord 0x0A001008
sysbus ReadDoubleWord 0x08000204
timer Tick 6
sysbus ReadDoubleWord 0x0A00100C
sysbus ReadDoubleWord 0x08000204
sysbus ReadDoubleWord 0x0A001000
sysbus WriteDoubleWord 0x0A00100C 1
sysbus ReadDoubleWord 0x08000204
timer Expirations
");
            Assert.That(Lines(), Is.EqualTo(new[]
            {
                "0x00000006",            // COUNT after 4 of 10 ticks
                "0x00000000",            // nothing pending yet
                "0x00000001",            // STATUS.EXPIRED
                "0x00000040",            // SPI 6 = INTID 38 pending
                "0x00000002",            // one-shot: ENABLE dropped, IRQ_ENABLE kept
                "0x00000000",            // EXPIRED cleared: the line drops
                "0x0000000000000001",    // a ulong property prints with 16 digits, as in Renode
            }));
        }

        [Test]
        public void MsiDeviceShouldWriteItsMessageOrRaiseItsWiredInterrupt()
        {
            LoadBoard();
            Run(@"
sysbus WriteDoubleWord 0x0A002008 0x40001000
sysbus WriteDoubleWord 0x0A00200C 0
sysbus WriteDoubleWord 0x0A002010 0xCAFE
sysbus WriteDoubleWord 0x0A002004 1
sysbus WriteDoubleWord 0x0A002014 1
sysbus ReadDoubleWord 0x40001000
sysbus ReadDoubleWord 0x08000204
sysbus WriteDoubleWord 0x0A002004 0
sysbus WriteDoubleWord 0x0A002014 1
sysbus ReadDoubleWord 0x08000204
sysbus ReadDoubleWord 0x0A002000
msi MessagesSent
");
            Assert.That(Lines(), Is.EqualTo(new[]
            {
                "0x0000CAFE",            // the MSI write reached memory through machine.GetSystemBus(this)
                "0x00000000",            // no wired interrupt while MSI is enabled
                "0x00000080",            // MSI disabled: wired IRQ -> SPI 7 = INTID 39 pending
                "0x00000042",            // DEVICE_ID from the .repl constructor attribute
                "0x00000001",
            }));
        }

        [Test]
        public void CompilationErrorsShouldNameFileLineAndColumn()
        {
            var source = Path.Combine(directory, "Broken.cs");
            File.WriteAllText(source, "namespace Antmicro.Renode.Peripherals.Broken\n{\n    public class B\n    {\n        public int X() { return missingName; }\n    }\n}\n");
            var script = Path.Combine(directory, "broken.resc");
            File.WriteAllText(script, "# compile\ninclude @Broken.cs\n");
            var e = Assert.Throws<MonitorException>(() => monitor.ExecuteScript(script));
            Assert.That(e!.File, Is.EqualTo(script));
            Assert.That(e.Line, Is.EqualTo(2));
            Assert.That(e.Message, Does.Contain("Broken.cs:5:33: error CS0103: The name 'missingName' does not exist in the current context"));
        }

        [Test]
        public void IncludedTypesShouldOnlyBeKnownAfterTheIncludeAndCompileOnce()
        {
            var name = "Probe" + Guid.NewGuid().ToString("N");
            var source = Path.Combine(directory, name + ".cs");
            File.WriteAllText(source, $@"using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.Miscellaneous
{{
    public class {name} : BasicDoubleWordPeripheral, IKnownSize
    {{
        public {name}(IMachine machine, uint magic = 7) : base(machine)
        {{
            Registers.Magic.Define(this, magic);
        }}

        public long Size => 0x10;

        private enum Registers
        {{
            Magic = 0x4,
        }}
    }}
}}
");
            var platform = $"probe: Miscellaneous.{name} @ sysbus 0x0B000000\n    magic: 0x55\n";
            File.WriteAllText(Path.Combine(directory, "probe.repl"), platform);
            Run("mach create");
            var before = Assert.Throws<PlatformLoadException>(() => monitor.ExecuteLine("machine LoadPlatformDescription @probe.repl", "t.resc", 1, directory));
            Assert.That(before!.Message, Does.Contain("unknown type"));
            var compilations = CSharpInclude.CompilationCount;
            monitor.ExecuteLine($"include @{name}.cs", "t.resc", 2, directory);
            monitor.ExecuteLine($"include @{name}.cs", "t.resc", 3, directory);
            Assert.That(CSharpInclude.CompilationCount, Is.EqualTo(compilations + 1), "the second include of unchanged sources is served from the cache");
            monitor.ExecuteLine("machine LoadPlatformDescription @probe.repl", "t.resc", 4, directory);
            monitor.ExecuteLine("sysbus ReadDoubleWord 0x0B000004", "t.resc", 5, directory);
            Assert.That(Lines(), Is.EqualTo(new[] { "0x00000055" }));
        }

        [Test]
        public void ExamplesShouldCompileWithoutWarningsOfNote()
        {
            // The examples must compile as Renode compiles them: C# 9, nullable annotations off.
            var sources = Directory.GetFiles(Path.Combine(RepositoryRoot, "peripherals", "examples"), "*.cs").OrderBy(p => p, StringComparer.Ordinal).ToList();
            Assert.That(sources, Has.Count.GreaterThanOrEqualTo(3));
            var assembly = CSharpInclude.CompileAndLoad(sources);
            Assert.That(assembly.GetTypes().Where(t => t.IsPublic).Select(t => t.FullName), Is.SupersetOf(new[]
            {
                "Antmicro.Renode.Peripherals.Miscellaneous.ExampleDoorbell",
                "Antmicro.Renode.Peripherals.Timers.ExampleTimer",
                "Antmicro.Renode.Peripherals.Miscellaneous.ExampleMsiDevice",
            }));
        }

        internal static string RepositoryRoot
        {
            get
            {
                var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
                while(dir != null && !File.Exists(Path.Combine(dir.FullName, "RenodeGic.csproj")))
                {
                    dir = dir.Parent;
                }
                return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + TestContext.CurrentContext.TestDirectory);
            }
        }

        private void LoadBoard()
        {
            File.WriteAllText(Path.Combine(directory, "board.repl"), Board);
            File.WriteAllText(Path.Combine(directory, "board.resc"), @"
include @peripherals/examples/ExampleDoorbell.cs
include @peripherals/examples/ExampleTimer.cs
include @peripherals/examples/ExampleMsiDevice.cs
mach create ""examples""
machine LoadPlatformDescription $ORIGIN/board.repl
");
            monitor.ExecuteScript(Path.Combine(directory, "board.resc"));
        }

        private void Run(string script)
        {
            monitor.ExecuteScriptText(script, "test.resc", directory);
        }

        private string[] Lines()
        {
            return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        }

        private const string Board = @"memory: Memory.MappedMemory @ sysbus 0x40000000
    size: 0x100000

gic: IRQControllers.ArmGicV3 @ {
        sysbus new Bus.BusMultiRegistration { address: 0x08000000; size: 0x10000; region: ""distributor"" };
        sysbus new Bus.BusMultiRegistration { address: 0x080A0000; size: 0x20000; region: ""redistributor"" }
    }
    numberOfSPIs: 64

doorbell: Miscellaneous.ExampleDoorbell @ sysbus 0x0A000000
    IRQ -> gic@5

timer: Timers.ExampleTimer @ sysbus 0x0A001000
    initialLoad: 100
    IRQ -> gic@6

msi: Miscellaneous.ExampleMsiDevice @ sysbus 0x0A002000
    deviceId: 0x42
    IRQ -> gic@7
";

        private StringWriter output = null!;
        private StringWriter errors = null!;
        private Monitor monitor = null!;
        private string directory = null!;
    }
}
