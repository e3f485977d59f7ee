// Platforms must load unchanged in Renode: the loader warns about every construct our parser accepts but Renode's
// .repl grammar (renode src/Renode/PlatformDescription/Syntax/Grammar.cs, PreLexer.cs) rejects, and no file in
// platforms/ may cause such a warning.
using System.IO;
using System.Linq;
using Antmicro.Renode.Logging;
using NUnit.Framework;
using RenodeGic.Host.Emulation;
using RenodeGic.Host.Platform;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests.RenodeUse
{
    [TestFixture]
    [NonParallelizable]
    public sealed class ReplRenodeCompatibilityTests
    {
        [Test]
        public void EveryPlatformShouldLoadWithoutRenodeCompatibilityWarnings()
        {
            var platforms = Directory.GetFiles(Path.Combine(CSharpIncludeTests.RepositoryRoot, "platforms"), "*.repl", SearchOption.AllDirectories).OrderBy(p => p).ToList();
            Assert.That(platforms, Is.Not.Empty);
            foreach(var platform in platforms)
            {
                using var log = new LogCapture();
                using(var machine = new Machine())
                {
                    var loader = new ReplLoader(machine);
                    loader.SearchDirectories.Add(CSharpIncludeTests.RepositoryRoot);
                    loader.LoadFile(platform);
                }
                var warnings = log.Entries.Where(e => e.Message.Contains(ReplLoader.RenodeCompatibilityWarning)).Select(e => e.Message).ToList();
                Assert.That(warnings, Is.Empty, platform);
            }
        }

        [TestCase("a: Memory.MappedMemory @ sysbus 0x0\n  size: 0x1000\n", 2, "multiple of 4")]
        [TestCase("a: Memory.MappedMemory @ sysbus 0x0\n\tsize: 0x1000\n", 2, "tab")]
        [TestCase("a: Memory.MappedMemory @ sysbus 0X0\n    size: 0x1000\n", 1, "'0X'")]
        [TestCase("a: Memory.MappedMemory @ sysbus 0x0\n    size: 0x1000// no space\n", 2, "'//'")]
        [TestCase("_a: Memory.MappedMemory @ sysbus 0x0\n    size: 0x1000\n", 1, "'_'")]
        [TestCase("local: Memory.MappedMemory @ sysbus 0x0\n    size: 0x1000\n", 1, "keyword")]
        [TestCase("a: Memory.MappedMemory @ sysbus 0x0\n    size: 0x1000\n    init: {\n        Reset\n        Reset\n    }\n", 4, "';'")]
        public void ConstructsRenodeRejectsShouldBeWarnedAbout(string repl, int line, string fragment)
        {
            var document = ReplParser.Parse(repl, "x.repl");
            Assert.That(document.Warnings.Select(w => w.ToString()), Has.Some.StartsWith($"x.repl:{line}: ").And.Some.Contains(fragment));
        }

        [Test]
        public void IrqFormsShouldMatchRenodesTwoForms()
        {
            var document = ReplParser.Parse("g: Sink @ none\n    [0-1] -> cpu0@0\n    2 -> cpu0@[1]\n    [3] -> none\n    4-5 -> cpu0@2-3\n    [6, 7] -> cpu0@[4-5] | cpu1#2@[0, 1]\n    8 -> gic#0x1@3\n", "i.repl");
            var lines = document.Warnings.Select(w => w.Position.Line).ToList();
            Assert.That(lines, Is.EqualTo(new[] { 2, 3, 4, 7 }), string.Join("\n", document.Warnings));
        }

        [Test]
        public void TheLoaderShouldLogTheWarningsAtWarningLevel()
        {
            using var log = new LogCapture();
            using var machine = new Machine();
            new ReplLoader(machine).LoadString("mem: Memory.MappedMemory @ sysbus 0x40000000\n  size: 0x1000\n", "odd.repl");
            var warning = log.Entries.Single(e => e.Message.Contains(ReplLoader.RenodeCompatibilityWarning));
            Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(warning.Message, Does.StartWith("odd.repl:2: not loadable in Renode: indented by 2 spaces"));
        }
    }
}
