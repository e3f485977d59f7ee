using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.HostTest;
using Antmicro.Renode.Time;
using NUnit.Framework;
using RenodeGic.Host.Emulation;
using RenodeGic.Host.Monitor;
using RenodeGic.Host.Platform;

namespace RenodeGic.Tests
{
    [TestFixture]
    [NonParallelizable]
    public sealed class MonitorTests
    {
        [SetUp]
        public void SetUp()
        {
            ReplLoader.AddAssembly(typeof(Sink).Assembly);
            output = new StringWriter();
            errors = new StringWriter();
            monitor = new Monitor(output, errors);
            directory = Path.Combine(Path.GetTempPath(), "monitor-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path.Combine(directory, "platforms"));
            File.WriteAllText(Path.Combine(directory, "platforms", "board.repl"), Platform);
            monitor.RootDirectory = directory;
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
        public void ScriptShouldCreateLoadAndAccessTheBus()
        {
            Run(@"# comment line
mach create ""board""
machine LoadPlatformDescription @platforms/board.repl
sysbus WriteDoubleWord 0x40000000 0x1234   # trailing comment
sysbus ReadDoubleWord 0x40000000
sysbus ReadByte 0x40000001
sysbus WriteQuadWord 0x40000008 0x1122334455667788
sysbus ReadQuadWord 0x40000008
sysbus ReadWord 0x4000000A
");
            Assert.That(monitor.Machine!.Name, Is.EqualTo("board"));
            Assert.That(Lines(), Is.EqualTo(new[] { "0x00001234", "0x12", "0x1122334455667788", "0x5566" }));
        }

        [Test]
        public void CpuPcShouldBeSetAndPrinted()
        {
            Run("mach create\nmachine LoadPlatformDescription @platforms/board.repl\ncpu0 PC 0x40080000\ncpu0 PC\n");
            Assert.That(monitor.Machine!.Cpus[0].PC, Is.EqualTo(0x4008_0000));
            Assert.That(Lines(), Is.EqualTo(new[] { "0x40080000" }));
        }

        [Test]
        public void UnknownCommandShouldNameFileAndLine()
        {
            var script = Path.Combine(directory, "bad.resc");
            File.WriteAllText(script, "mach create\n\nfrobnicate 3\n");
            var e = Assert.Throws<MonitorException>(() => monitor.ExecuteScript(script));
            Assert.That(e!.Message, Is.EqualTo($"{script}:3: unknown command 'frobnicate' (type 'help' for the list)"));
        }

        [Test]
        public void PlatformErrorsShouldNameTheReplFile()
        {
            File.WriteAllText(Path.Combine(directory, "platforms", "broken.repl"), "dev: HostTest.Configurable @ sysbus 0x1000\n    count: 0xZZ\n");
            var e = Assert.Throws<PlatformLoadException>(() => Run("mach create\nmachine LoadPlatformDescription @platforms/broken.repl\n"));
            Assert.That(e!.File, Does.EndWith(Path.Combine("platforms", "broken.repl")));
            Assert.That(e.Line, Is.EqualTo(2));
        }

        [Test]
        public void VariablesOriginAndPathsShouldResolveRelativeToTheScript()
        {
            Directory.CreateDirectory(Path.Combine(directory, "scripts"));
            File.WriteAllBytes(Path.Combine(directory, "scripts", "blob.bin"), new byte[] { 0xEF, 0xBE, 0xAD, 0xDE });
            var script = Path.Combine(directory, "scripts", "run.resc");
            File.WriteAllText(script, @"
$name ?= ""from-script""
$name ?= ""ignored""
$platform = @platforms/board.repl
$blob = @$ORIGIN/blob.bin
mach create $name
machine LoadPlatformDescription $platform
sysbus LoadBinary $blob 0x40000100
sysbus ReadDoubleWord 0x40000100
");
            monitor.ExecuteScript(script);
            Assert.That(monitor.Machine!.Name, Is.EqualTo("from-script"));
            Assert.That(Lines(), Is.EqualTo(new[] { "0xDEADBEEF" }));
        }

        [Test]
        public void UndefinedVariableShouldBeAnError()
        {
            var e = Assert.Throws<MonitorException>(() => monitor.ExecuteScriptText("\nmach create $nope\n", "x.resc"));
            Assert.That(e!.Message, Is.EqualTo("x.resc:2: undefined variable '$nope'"));
        }

        [Test]
        public void PlatformFromStringAndInclude()
        {
            File.WriteAllText(Path.Combine(directory, "inner.resc"), "sysbus WriteWord 0x50000000 0xBEEF\n");
            Run("mach create\nmachine LoadPlatformDescriptionFromString \"mem: Memory.MappedMemory @ sysbus 0x50000000 { size: 0x1000 }\"\ninclude @inner.resc\nsysbus ReadWord 0x50000000\n");
            Assert.That(Lines(), Is.EqualTo(new[] { "0xBEEF" }));
            File.WriteAllText(Path.Combine(directory, "x.py"), "print(1)\n");
            var e = Assert.Throws<MonitorException>(() => monitor.ExecuteLine("include @x.py", "t.resc", 1, directory));
            Assert.That(e!.Message, Does.Contain("Python"));
        }

        [Test]
        public void ShowAnalyzerShouldPrintUartOutput()
        {
            Run("mach create\nmachine LoadPlatformDescription @platforms/board.repl\nshowAnalyzer sysbus.uart0\n");
            var uart = monitor.Machine!.TryGetByName("uart0", out var p) ? (FakeUart)p : null;
            foreach(var c in "hi\n")
            {
                monitor.Machine.SystemBus.WriteDoubleWord(0x0900_0000, c);
            }
            Assert.That(uart, Is.Not.Null);
            Assert.That(output.ToString(), Is.EqualTo("hi\n"));
            var e = Assert.Throws<MonitorException>(() => monitor.ExecuteLine("showAnalyzer gic"));
            Assert.That(e!.Message, Does.Contain("is not a UART"));
        }

        [Test]
        public void LogLevelsShouldFilterPerSourceAndCountGuestErrors()
        {
            Run("mach create\nmachine LoadPlatformDescription @platforms/board.repl\n");
            Assert.That(monitor.Machine!.TryGetByName("gic", out var gic), Is.True);
            gic.InfoLog("hidden at the default level");
            monitor.ExecuteLine("logLevel 0 gic");
            gic.DebugLog("shown for gic");
            monitor.Machine.SystemBus.Read(0x1, 4);
            monitor.ExecuteLine("logLevel ERROR");
            monitor.Machine.SystemBus.Read(0x2, 4);
            Assert.That(errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
            {
                "[DEBUG] gic: shown for gic",
                "[WARNING] sysbus: Read from 0x1 (width 4): unmapped address; returning 0",
            }));
            Assert.That(monitor.GuestErrorCount, Is.EqualTo(2));
            Assert.That(monitor.LevelFor("gic"), Is.EqualTo(LogLevel.Debug));
        }

        [Test]
        public void StartShouldFinishLoadingAndCallTheHandler()
        {
            Run("mach create\nmachine LoadPlatformDescription @platforms/board.repl\nstart\n");
            Assert.That(monitor.StartRequested, Is.True);
            Assert.That(((FakeCpu)monitor.Machine!.Cpus[0]).FinishCalls, Is.EqualTo(1));

            var calls = 0;
            monitor.StartHandler = m =>
            {
                calls++;
                return RunOutcome.SystemOff;
            };
            Run("start\n");
            Assert.That(calls, Is.EqualTo(1));
            Assert.That(monitor.LastOutcome, Is.EqualTo(RunOutcome.SystemOff));
            Assert.That(((FakeCpu)monitor.Machine.Cpus[0]).FinishCalls, Is.EqualTo(1));
        }

        [Test]
        public void RunForShouldUseTheMachineRunner()
        {
            var runner = new FakeRunner();
            monitor.MachineCreated += m => m.Runner = runner;
            Run("mach create\nmachine LoadPlatformDescription @platforms/board.repl\nemulation RunFor \"0.5\"\npause\n");
            Assert.That(runner.Requested, Is.EqualTo(new[] { 500_000_000UL }));
            Assert.That(runner.Pauses, Is.EqualTo(1));
            Assert.That(monitor.LastOutcome, Is.EqualTo(RunOutcome.TimeElapsed));
            Assert.That(monitor.Machine!.ElapsedVirtualTime.TimeElapsed.TotalNanoseconds, Is.EqualTo(500_000_000UL));
        }

        [Test]
        public void PeripheralsMacrosReflectionAndQuit()
        {
            Run(@"mach create
machine LoadPlatformDescription @platforms/board.repl
macro setup """"""
sysbus WriteByte 0x40000000 0x7F
""""""
runMacro $setup
sysbus ReadByte 0x40000000
dev Frequency 25
dev Frequency
peripherals
quit
sysbus ReadByte 0x40000000
");
            var lines = Lines();
            Assert.That(lines[0], Is.EqualTo("0x7F"));
            Assert.That(lines[1], Is.EqualTo("0x00000019"), "an int prints as Renode prints it: hexadecimal, zero-padded");
            Assert.That(string.Join("\n", lines), Does.Contain("uart0").And.Contain("0x09000000-0x09000FFF"));
            Assert.That(monitor.QuitRequested, Is.True);
            Assert.That(lines[^1], Does.Not.StartWith("0x"), "nothing runs after quit");
        }

        [Test]
        public void MachCreateShouldMakeANewCurrentMachineAndMachSetSwitchBack()
        {
            Run("mach create \"one\"\nmachine LoadPlatformDescription @platforms/board.repl\nsysbus WriteByte 0x40000000 1\n"
                + "mach create \"two\"\nmachine LoadPlatformDescription @platforms/board.repl\nsysbus ReadByte 0x40000000\n"
                + "mach set \"one\"\nsysbus ReadByte 0x40000000\n");
            Assert.That(Lines(), Is.EqualTo(new[] { "0x00", "0x01" }));
            Assert.That(monitor.Machines, Has.Count.EqualTo(2));
            Assert.That(monitor.Machine!.Name, Is.EqualTo("one"));
        }

        [Test]
        public void ShippedVirtPlatformShouldLoadWithTheRealPeripherals()
        {
            var root = TestContext.CurrentContext.TestDirectory;
            while(root != null && !File.Exists(Path.Combine(root, "RenodeGic.slnx")))
            {
                root = Path.GetDirectoryName(root);
            }
            Assert.That(root, Is.Not.Null, "the repository root holds RenodeGic.slnx");
            monitor.RootDirectory = root!;
            Run("mach create\nmachine LoadPlatformDescription @platforms/virt-gicv3.repl\nperipherals\n");
            var machine = monitor.Machine!;
            Assert.That(machine.Cpus, Has.Count.EqualTo(4));
            Assert.That(machine.Cpus[3].Name, Is.EqualTo("cpu3"));
            Assert.That(machine.SystemBus.MmioRegions.Select(r => r.Name), Is.EqualTo(new[] { "gic.distributor", "gic.redistributor", "uart0" }));
            Assert.That(machine.SystemBus.RamRegions.Single().Memory.Size, Is.EqualTo(0x4000_0000));
            Assert.That(machine.SystemBus.Read(0x0800_0008, 4) & 0xFFF, Is.EqualTo(0x43B), "GICD_IIDR reads through the distributor region (JEP106 Arm)");
        }

        [Test]
        public void BadArgumentsShouldBeErrors()
        {
            Run("mach create\n");
            Assert.That(Assert.Throws<MonitorException>(() => monitor.ExecuteLine("sysbus ReadDoubleWord 0xZZ", "t.resc", 7))!.Message,
                Is.EqualTo("t.resc:7: bad number '0xZZ' for the address (expected decimal or 0x-prefixed hexadecimal)"));
            Assert.That(Assert.Throws<MonitorException>(() => monitor.ExecuteLine("machine LoadPlatformDescription @nope.repl", "t.resc", 8))!.Message,
                Does.StartWith("t.resc:8: file 'nope.repl' not found"));
            Assert.That(Assert.Throws<MonitorException>(() => monitor.ExecuteLine("logLevel loud", "t.resc", 9))!.Message,
                Does.StartWith("t.resc:9: expected 'logLevel <level> [peripheral]'"));
            Assert.That(Assert.Throws<MonitorException>(() => monitor.ExecuteLine("mach create \"machine-0\"", "t.resc", 10))!.Message,
                Is.EqualTo("t.resc:10: a machine named 'machine-0' already exists"));
        }

        private const string Platform = @"
memory: Memory.MappedMemory @ sysbus 0x40000000
    size: 0x100000
gic: HostTest.Sink @ none
cpu0: HostTest.FakeCpu @ sysbus
    genericInterruptController: gic
uart0: HostTest.FakeUart @ sysbus 0x09000000
dev: HostTest.Configurable @ sysbus 0x0A000000
    count: 1
";

        private void Run(string text)
        {
            monitor.ExecuteScriptText(text, "test.resc", directory);
        }

        private string[] Lines() => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        private sealed class FakeRunner : IMachineRunner
        {
            public List<ulong> Requested { get; } = new List<ulong>();

            public int Pauses { get; private set; }

            public TimeInterval ElapsedVirtualTime { get; private set; }

            public string? FaultDescription => null;

            public RunOutcome RunFor(TimeInterval interval)
            {
                Requested.Add(interval.TotalNanoseconds);
                ElapsedVirtualTime = interval;
                return RunOutcome.TimeElapsed;
            }

            public void RequestPause() => Pauses++;
        }

        private StringWriter output = null!;
        private StringWriter errors = null!;
        private Monitor monitor = null!;
        private string directory = null!;
    }
}
