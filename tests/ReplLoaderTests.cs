using System;
using System.IO;
using System.Linq;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.HostTest;
using Antmicro.Renode.Peripherals.Memory;
using NUnit.Framework;
using RenodeGic.Host.Emulation;
using RenodeGic.Host.Platform;

namespace RenodeGic.Tests
{
    [TestFixture]
    [NonParallelizable]
    public sealed class ReplLoaderTests
    {
        [SetUp]
        public void SetUp()
        {
            ReplLoader.AddAssembly(typeof(Sink).Assembly);
            machine = new Machine("repl-test");
            loader = new ReplLoader(machine);
            directory = Path.Combine(Path.GetTempPath(), "repl-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
        }

        [TearDown]
        public void TearDown()
        {
            Logger.Backend = null;
            machine.Dispose();
            Directory.Delete(directory, true);
        }

        [Test]
        public void ShouldLoadAPlatformWithMemoryCpusDevicesAndIrqs()
        {
            Load(@"
memory: Memory.MappedMemory @ sysbus 0x40000000
    size: 0x10000

cpu0: HostTest.FakeCpu @ sysbus
    cpuId: 0
    genericInterruptController: gic
cpu1: HostTest.FakeCpu @ sysbus
    cpuId: 1
    genericInterruptController: gic

gic: HostTest.Sink @ sysbus

multi: HostTest.MultiRegionDevice @ {
        sysbus new Bus.BusMultiRegistration { address: 0x08000000; size: 0x10000; region: ""alpha"" };
        sysbus new Bus.BusMultiRegistration { address: 0x080A0000; size: 0x20000; region: ""beta"" }
    }

dev: HostTest.Configurable @ sysbus 0x09000000
    count: 3
    -> gic@33

timer: HostTest.CpuTimer @ cpu1
");
            Assert.That(machine.Cpus.Select(c => c.Name), Is.EqualTo(new[] { "cpu0", "cpu1" }));
            Assert.That(machine.Cpus.Select(c => c.Index), Is.EqualTo(new[] { 0, 1 }));
            Assert.That(((FakeCpu)machine.Cpus[1]).Gic, Is.SameAs(Get<Sink>("gic")));
            Assert.That(machine.SystemBus.RamRegions.Single().Address, Is.EqualTo(0x4000_0000));
            Assert.That(machine.SystemBus.RamRegions.Single().Memory.Size, Is.EqualTo(0x10000));
            Assert.That(machine.SystemBus.MmioRegions.Select(r => (r.Address, r.Size, r.Name)), Is.EqualTo(new[]
            {
                (0x0800_0000UL, 0x10000UL, "multi.alpha"), (0x0809_0000UL + 0x10000, 0x20000UL, "multi.beta"), (0x0900_0000UL, 0x1000UL, "dev"),
            }));
            Assert.That(machine.SystemBus.Read(0x0800_0004, 4), Is.EqualTo(0xA000_0004));
            Assert.That(Get<CpuTimer>("timer").Cpu, Is.SameAs(machine.Cpus[1]));

            Get<Configurable>("dev").IRQ.Set(true);
            Assert.That(Get<Sink>("gic").Events, Is.EqualTo(new[] { (33, true) }));

            machine.FinishLoad();
            machine.FinishLoad();
            Assert.That(((FakeCpu)machine.Cpus[0]).FinishCalls, Is.EqualTo(1), "FinishLoad is idempotent");
            Assert.That(machine.TryGetByName("sysbus.dev", out var byLongName) && byLongName is Configurable, Is.True);
            Assert.That(machine.Peripherals.Select(machine.GetName), Does.Contain("gic").And.Contain("memory"));
        }

        [Test]
        public void ShouldConvertEveryValueKind()
        {
            Load(@"
sink: HostTest.Sink @ none
dev: HostTest.Configurable @ sysbus 0x1000_0000 // trailing comment
    count: -0x10
    label: ""a \""quoted\"" \\ label""
    flag: true
    address: 0xFFFF_FFFF_0000_0000
    mode: HostTest.Mode.Fast
    sink: sink
    list: [1, 0x2, 3_000]
    signed: -5
    ratio: 1.25
    maybe: none
    Frequency: 1_000_000
    speed: .Fast
");
            var dev = Get<Configurable>("dev");
            Assert.That(dev.Count, Is.EqualTo(-16));
            Assert.That(dev.Label, Is.EqualTo("a \"quoted\" \\ label"));
            Assert.That(dev.Flag, Is.True);
            Assert.That(dev.Address, Is.EqualTo(0xFFFF_FFFF_0000_0000));
            Assert.That(dev.Mode, Is.EqualTo(Mode.Fast));
            Assert.That(dev.SinkTarget, Is.SameAs(Get<Sink>("sink")));
            Assert.That(dev.List, Is.EqualTo(new[] { 1, 2, 3000 }));
            Assert.That(dev.Signed, Is.EqualTo(-5));
            Assert.That(dev.Ratio, Is.EqualTo(1.25));
            Assert.That(dev.Maybe, Is.Null);
            Assert.That(dev.Frequency, Is.EqualTo(1_000_000));
            Assert.That(dev.Speed, Is.EqualTo(Mode.Fast));
            Assert.That(dev.Machine, Is.SameAs(machine));
        }

        [Test]
        public void ShouldAcceptInlineAttributesBlockCommentsAndRanges()
        {
            Load(@"/* a block comment
   over two lines */
dev: HostTest.Configurable @ sysbus <0x2000_0000, +0x800> { count: 7; label: ""x"" }; sink: HostTest.Sink @ none
dev2: HostTest.DoubleWordDevice @ sysbus <0x3000_0000, 0x3000_0040>
");
            Assert.That(Get<Configurable>("dev").Count, Is.EqualTo(7));
            Assert.That(machine.SystemBus.MmioRegions.Select(r => (r.Address, r.Size)), Is.EqualTo(new[] { (0x2000_0000UL, 0x800UL), (0x3000_0000UL, 0x40UL) }));
            Assert.That(machine.TryGetByName("sink", out _), Is.True);
        }

        [Test]
        public void LaterEntryShouldUpdateAnEarlierOne()
        {
            File.WriteAllText(Path.Combine(directory, "base.repl"), "dev: HostTest.Configurable @ sysbus 0x1000\n    count: 1\n    label: \"base\"\n    flag: true\n");
            File.WriteAllText(Path.Combine(directory, "board.repl"), "using \"base.repl\"\n\ndev: @ sysbus 0x2000\n    count: 2\n    flag: empty\n");
            loader.LoadFile(Path.Combine(directory, "board.repl"));
            var dev = Get<Configurable>("dev");
            Assert.That((dev.Count, dev.Label, dev.Flag), Is.EqualTo((2, "base", false)));
            Assert.That(machine.SystemBus.MmioRegions.Single().Address, Is.EqualTo(0x2000));
        }

        [Test]
        public void UsingPrefixedShouldRenameImportedEntriesAndTheirReferences()
        {
            Directory.CreateDirectory(Path.Combine(directory, "parts"));
            File.WriteAllText(Path.Combine(directory, "parts", "cluster.repl"),
                "sink: HostTest.Sink @ none\ndev: HostTest.Configurable @ sysbus 0x1000\n    count: 1\n    sink: sink\n    -> sink@4\n");
            File.WriteAllText(Path.Combine(directory, "board.repl"), "using \"parts/cluster.repl\" prefixed \"a_\"\nusing \"parts/cluster.repl\" prefixed \"b_\"\n\nb_dev: @ sysbus 0x2000\n");
            loader.LoadFile(Path.Combine(directory, "board.repl"));
            Assert.That(Get<Configurable>("a_dev").SinkTarget, Is.SameAs(Get<Sink>("a_sink")));
            Assert.That(Get<Configurable>("b_dev").SinkTarget, Is.SameAs(Get<Sink>("b_sink")));
            Get<Configurable>("b_dev").IRQ.Set(true);
            Assert.That(Get<Sink>("b_sink").Events, Has.Count.EqualTo(1));
            Assert.That(Get<Sink>("a_sink").Events, Is.Empty);
            Assert.That(machine.SystemBus.MmioRegions.Select(r => r.Name), Is.EqualTo(new[] { "a_dev", "b_dev" }));
        }

        [Test]
        public void ShouldCreateReferencedPeripheralsFirst()
        {
            Load("cpu0: HostTest.FakeCpu @ sysbus\n    genericInterruptController: gic\ngic: HostTest.Sink @ sysbus\n");
            Assert.That(machine.Peripherals.Select(machine.GetName), Is.EqualTo(new[] { "gic", "cpu0" }));
        }

        [Test]
        public void ShouldWireEveryGpioForm()
        {
            Load(@"
gic: HostTest.Sink @ none
other: HostTest.Sink @ none
dev: HostTest.Configurable @ sysbus 0x1000 { count: 1; -> gic@1 | other@2 }
two: HostTest.TwoGpios @ none
    Tx -> gic#0@14
    Rx -> gic#3@15
numbered: HostTest.NumberedOutputs @ none
    [0-3] -> other@[3-0]
    4 -> gic@40
    [5, 6-7] -> gic@[50, 60, 70]
");
            var gic = Get<Sink>("gic");
            var other = Get<Sink>("other");
            Get<Configurable>("dev").IRQ.Set(true);
            Assert.That(gic.Events, Is.EqualTo(new[] { (1, true) }));
            Assert.That(other.Events, Is.EqualTo(new[] { (2, true) }));

            var two = Get<TwoGpios>("two");
            two.Tx.Set(true);
            two.Rx.Set(true);
            Assert.That(gic.LocalEvents, Is.EqualTo(new[] { (14, true), (3015, true) }));

            var numbered = Get<NumberedOutputs>("numbered");
            gic.Events.Clear();
            other.Events.Clear();
            for(var i = 0; i < 8; i++)
            {
                numbered.Connections[i].Set(true);
            }
            Assert.That(other.Events, Is.EqualTo(new[] { (3, true), (2, true), (1, true), (0, true) }));
            Assert.That(gic.Events, Is.EqualTo(new[] { (40, true), (50, true), (60, true), (70, true) }));
        }

        [Test]
        public void ParserShouldKeepInitStatementsAndHandThemToTheHandler()
        {
            var seen = new System.Collections.Generic.List<string>();
            loader.InitStatementHandler = (name, statement, at) => seen.Add($"{name}|{statement}|{at}");
            Load("dev: HostTest.Configurable @ sysbus 0x1000\n    count: 1\n    init:\n    {\n        Frequency 5; Speed Fast\n    }\n"
                + "dev2: HostTest.Configurable @ sysbus 0x2000\n    init:\n        Frequency 6\n\n        Speed \"Slow\"\n    count: 2\n"
                + "dev3: HostTest.Sink @ none { init: { Reset } }\n", "init.repl");
            Assert.That(seen, Is.EqualTo(new[]
            {
                "dev|Frequency 5|init.repl:3", "dev|Speed Fast|init.repl:3", "dev2|Frequency 6|init.repl:8", "dev2|Speed \"Slow\"|init.repl:8", "dev3|Reset|init.repl:13",
            }));
            Assert.That(((Configurable)machine.Peripherals[1]).Count, Is.EqualTo(2), "attributes after an indented init block still apply");
        }

        [TestCase("dev: UART.PL0111 @ sysbus 0x1000\n", 1, "unknown type 'UART.PL0111' (expected a type under Antmicro.Renode.Peripherals)")]
        [TestCase("\n\ndev: HostTest.Configurable @ sysbus 0x1000\n    count: 1\n    colour: 3\n", 5, "unknown property 'colour' of Configurable (not a constructor parameter or a settable property)")]
        [TestCase("dev: HostTest.Configurable @ sysbus 0x1000\n    count: 12z\n", 2, "bad number '12z'")]
        [TestCase("dev: HostTest.Configurable @ sysbus 0x1000\n    count: 0x\n", 2, "bad number '0x'")]
        [TestCase("dev: HostTest.Configurable @ sysbus 0x1000\n    count: 1\n    -> gicc@3\n", 3, "unknown peripheral 'gicc'")]
        [TestCase("dev: HostTest.Configurable sysbus 0x1000\n", 1, "expected '@' and a registration after the type 'HostTest.Configurable', found 'sysbus'")]
        [TestCase("dev: HostTest.Configurable @ sysbus 0x1000\n    label: \"x\"\n", 1, "'dev' (Configurable) needs constructor parameter 'count'")]
        [TestCase("dev: HostTest.Configurable @ sysbus 0x1000\n    count: 1\n    mode: HostTest.Mode.Medium\n", 3, "Mode has no value 'Medium'")]
        [TestCase("dev: HostTest.Configurable @ sysbus 0x1000\n    count: 1\n    label: \"open\n", 3, "unterminated string")]
        [TestCase("dev: HostTest.Configurable @ sysbus 0x1000\n    count: 0x1_0000_0000\n", 2, "does not fit")]
        [TestCase("dev: HostTest.Configurable @ sysbus 0x1000\n    count: 1\n    sink: nobody\n", 3, "unknown peripheral 'nobody'")]
        [TestCase("a: HostTest.DoubleWordDevice @ sysbus 0x1000\nb: HostTest.DoubleWordDevice @ sysbus 0x10F0\n", 2, "'b' at 0x10F0-0x11EF overlaps 'a'")]
        [TestCase("n: HostTest.NumberedOutputs @ none\ns: HostTest.Sink @ none\n\n    \nn:\n    [0-2] -> s@[0-1]\n", 6, "3 GPIO source(s) but 2 input(s)")]
        [TestCase("n: HostTest.NumberedOutputs @ none\ns: HostTest.Sink @ none\n    9 -> s@0\n", 3, "has no numbered GPIO outputs")]
        [TestCase("n: HostTest.NumberedOutputs @ none\n    9 -> n@0\n", 2, "has no GPIO output 9 (it has 8: 0-7)")]
        [TestCase("t: HostTest.TwoGpios @ none\ns: HostTest.Sink @ none\nt:\n    -> s@0\n", 4, "has 2 GPIO outputs (Tx, Rx)")]
        [TestCase("t: HostTest.TwoGpios @ none\ns: HostTest.Sink @ none\nt:\n    Ty -> s@0\n", 4, "has no GPIO named 'Ty'")]
        [TestCase("t: HostTest.TwoGpios @ none\nd: HostTest.DoubleWordDevice @ sysbus 0\nt:\n    Tx -> d@0\n", 4, "is not a GPIO receiver")]
        [TestCase("t: HostTest.TwoGpios @ none\ns: HostTest.Sink @ none\nt:\n    Tx -> s#9@0\n", 4, "has no local receiver #9")]
        [TestCase("    count: 1\n", 1, "an indented attribute line must follow an entry")]
        [TestCase("dev: @ sysbus 0x1000\n", 1, "'dev' has no type and no earlier definition to update")]
        [TestCase("a: HostTest.Sink @ none\na: HostTest.Sink @ none\n", 2, "'a' is already defined at test.repl:1")]
        [TestCase("c: HostTest.FakeCpu @ sysbus\n    genericInterruptController: c\n", 1, "constructor references form a cycle: c -> c")]
        [TestCase("t: HostTest.CpuTimer @ cpu7\n", 1, "unknown peripheral 'cpu7'")]
        [TestCase("s: HostTest.Sink @ none\nt: HostTest.CpuTimer @ s\n", 2, "cannot register 't' at 's'")]
        [TestCase("d: HostTest.DoubleWordDevice @ sysbus new Bus.BusMultiRegistration { address: 0; size: 0x10; region: \"x\" }\n", 1, "has no methods with [ConnectionRegion(\"x\")]")]
        [TestCase("d: HostTest.DoubleWordDevice @ sysbus new Bus.Fancy { address: 0 }\n", 1, "unsupported registration 'Bus.Fancy'")]
        [TestCase("f: HostTest.FailingDevice @ none\n    value: -1\n", 1, "creating 'f' (FailingDevice) failed: value must not be negative")]
        [TestCase("d: HostTest.DoubleWordDevice @ sysbus\n", 1, "'d' needs an address on the bus")]
        [TestCase("s: HostTest.Sink @ none\n/* open\n\n", 2, "unterminated '/*' comment")]
        [TestCase("d: HostTest.Configurable @ sysbus 0x1000\n    count: \"three\"\n", 2, "constructor parameter 'count' of Configurable needs a int, not \"three\"")]
        [TestCase("d: HostTest.Configurable @ sysbus 0x1000\n    count: 1\n    flag: none\n", 3, "'none' cannot be given for constructor parameter 'flag'")]
        [TestCase("d: HostTest.Configurable @ sysbus 0x1000\n    count: 1 2\n", 2, "unexpected '2' (expected the end of the line)")]
        [TestCase("d: HostTest.Sink @ none\n    [0-0] -> d@0\n", 2, "GPIO range 0-0 has equal ends")]
        [TestCase("d: HostTest.Sink @ none\n    = 3\n", 2, "unexpected character '='")]
        public void ErrorsShouldNameFileAndLine(string text, int line, string message)
        {
            var e = Assert.Throws<PlatformLoadException>(() => loader.LoadString(text, "test.repl", directory));
            Assert.That(e!.File, Is.EqualTo("test.repl"));
            Assert.That(e.Line, Is.EqualTo(line), e.Message);
            Assert.That(e.Message, Does.StartWith($"test.repl:{line}: "));
            Assert.That(e.Message, Does.Contain(message));
        }

        [Test]
        public void ErrorInAUsedFileShouldNameThatFile()
        {
            Directory.CreateDirectory(Path.Combine(directory, "inc"));
            File.WriteAllText(Path.Combine(directory, "inc", "bad.repl"), "// header\n\nx: HostTest.Nope @ none\n");
            File.WriteAllText(Path.Combine(directory, "top.repl"), "using \"inc/bad.repl\"\n");
            var e = Assert.Throws<PlatformLoadException>(() => loader.LoadFile(Path.Combine(directory, "top.repl")));
            Assert.That(e!.File, Does.EndWith(Path.Combine("inc", "bad.repl")));
            Assert.That(e.Line, Is.EqualTo(3));
            Assert.That(e.Reason, Is.EqualTo("unknown type 'HostTest.Nope' (expected a type under Antmicro.Renode.Peripherals)"));
        }

        [Test]
        public void MissingUsingFileAndCyclesShouldBeReported()
        {
            File.WriteAllText(Path.Combine(directory, "a.repl"), "using \"b.repl\"\n");
            File.WriteAllText(Path.Combine(directory, "b.repl"), "\nusing \"a.repl\"\n");
            var cycle = Assert.Throws<PlatformLoadException>(() => loader.LoadFile(Path.Combine(directory, "a.repl")));
            Assert.That(cycle!.Line, Is.EqualTo(2));
            Assert.That(cycle.Reason, Does.Contain("includes itself"));

            var missing = Assert.Throws<PlatformLoadException>(() => loader.LoadString("\nusing \"nowhere.repl\"\n", "top.repl", directory));
            Assert.That(missing!.Message, Does.StartWith("top.repl:2: 'using' file 'nowhere.repl' not found"));
        }

        [Test]
        public void ParserShouldReportSyntaxTree()
        {
            var document = ReplParser.Parse("using \"x.repl\" prefixed \"p_\"\nlocal a: T.U @ { sysbus 0x10; cpu0 } as \"alias\"\n    IRQ -> b#2@[1-3] | c@5\n    -> none\n", "t.repl");
            Assert.That(document.Usings.Single().Prefix, Is.EqualTo("p_"));
            var entry = document.Entries.Single();
            Assert.That((entry.Name, entry.TypeName, entry.Alias, entry.IsLocal), Is.EqualTo(("a", "T.U", "alias", true)));
            Assert.That(entry.Registrations!.Select(r => r.Target), Is.EqualTo(new[] { "sysbus", "cpu0" }));
            var irq = (IrqAttribute)entry.Attributes[0];
            Assert.That(irq.Sources!.Single().Name, Is.EqualTo("IRQ"));
            Assert.That(irq.Destinations[0].LocalIndex, Is.EqualTo(2));
            Assert.That(irq.Destinations[0].Numbers, Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(irq.Destinations[1].Target, Is.EqualTo("c"));
            Assert.That(((IrqAttribute)entry.Attributes[1]).Destinations, Is.Empty);
            Assert.That(entry.Attributes[1].Position.Line, Is.EqualTo(4));
        }

        [Test]
        public void MemoryShouldBeZeroedAndSizedFromTheRepl()
        {
            Load("memory: Memory.MappedMemory @ sysbus 0x40000000 { size: 0x40000000 }\n");
            var memory = Get<MappedMemory>("memory");
            Assert.That(memory.Size, Is.EqualTo(0x4000_0000));
            Assert.That(machine.SystemBus.Read(0x7FFF_FFF8, 8), Is.EqualTo(0));
        }

        [Test]
        public void LogLinesShouldNameThePeripheral()
        {
            var log = new System.Collections.Generic.List<LogEntry>();
            Logger.Backend = log.Add;
            Load("uart0: HostTest.DoubleWordDevice @ sysbus 0x1000\n");
            Get<DoubleWordDevice>("uart0").WarningLog("hello");
            Assert.That(log.Single().Source, Is.EqualTo("uart0"));
        }

        private void Load(string text, string file = "test.repl")
        {
            loader.LoadString(text, file, directory);
        }

        private T Get<T>(string name)
            where T : class, IPeripheral
        {
            Assert.That(machine.TryGetByName(name, out var peripheral), Is.True, $"'{name}' should exist");
            return (T)peripheral;
        }

        private Machine machine = null!;
        private ReplLoader loader = null!;
        private string directory = null!;
    }
}
