// Renode keywords against real firmware samples (built by `make -C firmware-samples`).
using System.IO;
using System.Linq;
using NUnit.Framework;
using RenodeGic.Host.Cli;
using RenodeGic.Host.Robot;

namespace RenodeGic.Tests.Robot
{
    [TestFixture]
    [NonParallelizable]
    public sealed class RenodeKeywordTests
    {
        private RobotSandbox? sandbox;

        [SetUp]
        public void SetUp()
        {
            if(!File.Exists(Path.Combine(Runner.RepositoryRoot, "firmware-samples", "build", "uart-txirq.elf")))
            {
                Assert.Ignore("firmware samples are not built (make -C firmware-samples)");
            }
            sandbox = new RobotSandbox();
        }

        [TearDown]
        public void TearDown()
        {
            Antmicro.Renode.Logging.Logger.Backend = null;
            sandbox?.Dispose();
        }

        private const string Settings = @"*** Settings ***
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Keywords ***
Create Machine
    Execute Command           mach create
    Execute Command           machine LoadPlatformDescription @platforms/virt-gicv3.repl
    Execute Command           sysbus LoadELF @firmware-samples/build/uart-txirq.elf
    Create Terminal Tester    sysbus.uart0    timeout=2

*** Test Cases ***
";

        [Test]
        public void WaitsForUartLinesInVirtualTime()
        {
            var run = sandbox!.Run(Settings + @"Lines
    Create Machine
    Start Emulation
    ${r}=    Wait For Line On Uart    sample: (\\S+)    treatAsRegex=true
    Should Be Equal    ${r.groups}[0]    uart-txirq
    ${next}=    Wait For Next Line On Uart
    Should Be Equal    ${next}[line]    el: 1
    Wait For Line On Uart    PASS
    Should Not Be On Uart    FAIL    timeout=0.01
Timeout Shows The UART
    Create Machine
    Start Emulation
    Wait For Line On Uart    this never appears    timeout=0.05
Not Started
    Create Machine
    Wait For Line On Uart    sample
Guest Powers Off
    Create Machine
    Start Emulation
    Wait For Line On Uart    PASS
    Wait For Line On Uart    after the end
Monitor Errors
    Execute Command    mach create
    Execute Command    sysbus LoadELF @no/such/file.elf
");
            Assert.That(RobotSandbox.Test(run, "Lines").Status, Is.EqualTo(Status.Pass), RobotSandbox.Test(run, "Lines").Message);
            var timeout = RobotSandbox.Test(run, "Timeout Shows The UART").Message;
            Assert.That(timeout, Does.Contain("'this never appears' on sysbus.uart0 did not appear within 0.05 s of virtual time").Or.Contain("powered off"));
            Assert.That(timeout, Does.Contain("uart imsc before: 0x0"), "the failure shows what the UART printed");
            Assert.That(RobotSandbox.Test(run, "Not Started").Message, Does.Contain("the emulation is not started"));
            Assert.That(RobotSandbox.Test(run, "Guest Powers Off").Message, Does.Contain("the guest powered off (PSCI SYSTEM_OFF)"));
            Assert.That(RobotSandbox.Test(run, "Monitor Errors").Message, Does.Contain("suite.robot:").And.Contain("no/such/file.elf"));
        }

        [Test]
        public void LogTesterSeesPeripheralLogs()
        {
            var run = sandbox!.Run(Settings + @"Log Entries
    Execute Command           mach create
    Execute Command           machine LoadPlatformDescription @platforms/virt-gicv3.repl
    Create Log Tester         1
    Execute Command           sysbus WriteDoubleWord 0x08000000 0xffffffff
    ${entry}=    Wait For Log Entry    gic: Unhandled write
    Should Start With    ${entry}    gic: Unhandled write to offset 0x0
    Should Not Be In Log    Unhandled write    timeout=0
Missing Entry
    Execute Command           mach create
    Create Log Tester         1
    Wait For Log Entry    never logged
");
            Assert.That(RobotSandbox.Test(run, "Log Entries").Status, Is.EqualTo(Status.Pass), RobotSandbox.Test(run, "Log Entries").Message);
            Assert.That(RobotSandbox.Test(run, "Missing Entry").Message, Does.Contain("a log entry containing 'never logged'"));
        }

        [Test]
        public void ShippedSuitesPass()
        {
            var suites = Path.Combine(Runner.RepositoryRoot, "robot-tests");
            var run = sandbox!.RunPaths(new[] { suites });
            var failures = run.Suite.AllTests.Where(t => t.Status != Status.Pass).Select(t => $"{t.LongName}: {t.Message}").ToList();
            Assert.That(failures, Is.Empty);
            Assert.That(run.Suite.Suites.Select(s => s.Name), Is.SupersetOf(new[] { "Spi", "Sgi-Ipi", "Ppi-Timer", "Uart-Irq" }));
        }
    }
}
