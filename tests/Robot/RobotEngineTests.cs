using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NUnit.Framework;
using RenodeGic.Host.Robot;

namespace RenodeGic.Tests.Robot
{
    [TestFixture]
    [NonParallelizable]
    public sealed class RobotEngineTests
    {
        private RobotSandbox sandbox = null!;

        [SetUp]
        public void SetUp() => sandbox = new RobotSandbox();

        [TearDown]
        public void TearDown()
        {
            Antmicro.Renode.Logging.Logger.Backend = null;
            sandbox.Dispose();
        }

        private static void AssertPassed(RunResult run)
        {
            var failures = run.Suite.AllTests.Where(t => t.Status != Status.Pass).Select(t => $"{t.Name}: {t.Message}").ToList();
            Assert.That(failures, Is.Empty);
        }

        [Test]
        public void VariablesItemsAndExtendedSyntax()
        {
            var run = sandbox.Run(@"*** Variables ***
${NUM}        ${42}
${TEXT}       hello world
@{LIST}       a    b    c
&{DICT}       key=value    n=${1}
${JOINED}     x    y

*** Test Cases ***
Scalars And Collections
    Should Be Equal    ${NUM}    ${42}
    Should Be Equal As Integers    ${NUM}    0x2A
    Should Be Equal    ${TEXT}    hello world
    Should Be Equal    ${LIST}[1]    b
    Should Be Equal    ${LIST}[-1]    c
    Should Be Equal    ${DICT}[key]    value
    Should Be Equal    ${DICT.key}    value
    Should Be Equal    ${NUM + 1}    ${43}
    Should Be Equal    ${JOINED}    x y
    Length Should Be    ${LIST}    3
    Should Be Equal    ${LIST}[0:2]    ${{['a', 'b']}}
Escapes And Builtins
    Should Be Equal    \${NUM}    $\{NUM}
    Should Be Equal    a${SPACE}b    a b
    Should Be Equal    ${EMPTY}    \
    Should Be True    ${TRUE}
    Should Be Equal    ${NONE}    ${None}
    ${name}=    Set Variable    NUM
    Should Be Equal    ${${name}}    ${42}
    ${hex}=    Convert To Hex    255    prefix=0x    length=4
    Should Be Equal    ${hex}    0x00FF
    ${n}=    Convert To Integer    0x10
    Should Be Equal    ${n}    ${16}
    ${s}=    Catenate    SEPARATOR=-    a    b    c
    Should Be Equal    ${s}    a-b-c
    ${e}=    Evaluate    (0x10 + 2) * 3 // 2
    Should Be Equal    ${e}    ${27}
    ${l}=    Create List    1    2
    Append To List    ${l}    3
");
            Assert.That(RobotSandbox.Test(run, "Scalars And Collections").Message, Is.Empty);
            var second = RobotSandbox.Test(run, "Escapes And Builtins");
            Assert.That(second.Message, Does.Contain("No keyword with name 'Append To List' found").And.Contain("Collections"));
        }

        [Test]
        public void ControlStructuresAndUserKeywords()
        {
            var run = sandbox.Run(@"*** Settings ***
Library    Collections

*** Test Cases ***
Loops And Conditions
    ${items}=    Create List
    FOR    ${i}    IN RANGE    1    6
        IF    ${i} == 2
            CONTINUE
        ELSE IF    ${i} == 5
            BREAK
        END
        Append To List    ${items}    ${i}
    END
    Should Be Equal    ${items}    ${{[1, 3, 4]}}
Loops Over Lists
    @{values}=    Create List    a    b
    ${out}=    Set Variable    ${EMPTY}
    FOR    ${index}    ${value}    IN ENUMERATE    @{values}
        ${out}=    Set Variable    ${out}${index}${value}
    END
    Should Be Equal    ${out}    0a1b
    ${count}=    Set Variable    ${0}
    WHILE    ${count} < 3
        ${count}=    Evaluate    ${count} + 1
    END
    Should Be Equal As Integers    ${count}    3
User Keywords
    ${sum}=    Add Numbers    2    3
    Should Be Equal    ${sum}    ${5}
    ${sum}=    Add Numbers    2
    Should Be Equal    ${sum}    ${12}
    ${sum}=    Add Numbers    b=1    a=1
    Should Be Equal    ${sum}    ${2}
    ${r}=    Old Style Return    x
    Should Be Equal    ${r}    x-old
    Wait 5 Cycles
    Should Be Equal    ${CYCLES}    5
    ${first}    ${second}=    Two Values
    Should Be Equal    ${first}${second}    12
Try Except
    TRY
        Fail    boom 42
    EXCEPT    boom*    type=glob    AS    ${message}
        Should Be Equal    ${message}    boom 42
    END
    ${x}=    IF    ${TRUE}    Set Variable    yes    ELSE    Set Variable    no
    Should Be Equal    ${x}    yes

*** Keywords ***
Add Numbers
    [Arguments]    ${a}    ${b}=10
    ${result}=    Evaluate    ${a} + ${b}
    RETURN    ${result}
Old Style Return
    [Arguments]    ${v}
    [Return]    ${v}-old
Wait ${n} Cycles
    Set Test Variable    ${CYCLES}    ${n}
Two Values
    RETURN    1    2
");
            foreach(var name in new[] { "Loops And Conditions", "Loops Over Lists", "User Keywords", "Try Except" })
            {
                var test = RobotSandbox.Test(run, name);
                Assert.That(test.Status, Is.EqualTo(Status.Pass), $"{name}: {test.Message}");
            }
        }

        [Test]
        public void RunKeywordVariants()
        {
            var run = sandbox.Run(@"*** Test Cases ***
Variants
    ${status}=    Run Keyword And Return Status    Fail    no
    Should Be Equal    ${status}    ${FALSE}
    ${result}=    Run Keyword And Ignore Error    Fail    oops
    Should Be Equal    ${result}[0]    FAIL
    Should Be Equal    ${result}[1]    oops
    ${message}=    Run Keyword And Expect Error    *went wrong*    Fail    it went wrong here
    Should Be Equal    ${message}    it went wrong here
    Run Keyword And Expect Error    EQUALS:exact    Fail    exact
    Run Keyword If    1 > 2    Fail    not taken    ELSE IF    2 > 1    Set Test Variable    ${BRANCH}    elif    ELSE    Fail    no
    Should Be Equal    ${BRANCH}    elif
    Run Keyword    Set Test Variable    \${DYNAMIC}    set
    Should Be Equal    ${DYNAMIC}    set
    Run Keywords    Set Test Variable    ${A}    1    AND    Set Test Variable    ${B}    2
    Should Be Equal    ${A}${B}    12
    Wait Until Keyword Succeeds    3x    10ms    Should Be Equal    a    a
Expect Error Mismatch
    Run Keyword And Expect Error    nope    Fail    other
Retry Fails
    Wait Until Keyword Succeeds    2 times    1 ms    Fail    always
");
            Assert.That(RobotSandbox.Test(run, "Variants").Status, Is.EqualTo(Status.Pass), RobotSandbox.Test(run, "Variants").Message);
            Assert.That(RobotSandbox.Test(run, "Expect Error Mismatch").Message, Is.EqualTo("Expected error 'nope' but got 'other'."));
            Assert.That(RobotSandbox.Test(run, "Retry Fails").Message, Is.EqualTo("Keyword 'Fail' failed after retrying 2 times. The last error was: always"));
        }

        [Test]
        public void FailuresNameFileAndLine()
        {
            var run = sandbox.Run(@"*** Test Cases ***
Unknown Keyword
    No Such Keyword    x
Undefined Variable
    Log    ${missing}
Broken Syntax
    FOR    ${i}    IN    a
        Log    ${i}
Wrong Argument Count
    Should Be Equal    only-one
Assertion
    Should Be Equal    1    2
Unknown Keyword Cannot Be Caught
    Run Keyword And Return Status    No Such Keyword
");
            Assert.That(RobotSandbox.Test(run, "Unknown Keyword").Message, Is.EqualTo("suite.robot:3: No keyword with name 'No Such Keyword' found.").Or.EndsWith("suite.robot:3: No keyword with name 'No Such Keyword' found."));
            Assert.That(RobotSandbox.Test(run, "Undefined Variable").Message, Does.EndWith("suite.robot:5: Variable '${missing}' not found."));
            Assert.That(RobotSandbox.Test(run, "Broken Syntax").Message, Does.EndWith("suite.robot:7: FOR loop has no closing 'END'"));
            Assert.That(RobotSandbox.Test(run, "Wrong Argument Count").Message, Does.Contain("suite.robot:10: Keyword 'BuiltIn.Should Be Equal' expected"));
            Assert.That(RobotSandbox.Test(run, "Assertion").Message, Is.EqualTo("1 != 2"));
            Assert.That(RobotSandbox.Test(run, "Unknown Keyword Cannot Be Caught").Status, Is.EqualTo(Status.Fail));
            Assert.That(run.Suite.Failed, Is.EqualTo(6));
        }

        [Test]
        public void SetupsTeardownsAndSuiteErrors()
        {
            sandbox.Write("res/common.resource", @"*** Variables ***
${FROM_RESOURCE}    res
*** Keywords ***
Failing Teardown
    Fail    teardown broke
    Log    still runs
");
            var run = sandbox.Run(@"*** Settings ***
Resource    res/common.resource
Test Teardown    Failing Teardown

*** Test Cases ***
Passing Body
    Should Be Equal    ${FROM_RESOURCE}    res
Failing Body
    Fail    body broke
Pass Execution
    Pass Execution    done early
    Fail    never
");
            Assert.That(RobotSandbox.Test(run, "Passing Body").Message, Is.EqualTo("Teardown failed:\nteardown broke"));
            Assert.That(RobotSandbox.Test(run, "Failing Body").Message, Is.EqualTo("body broke\n\nAlso teardown failed:\nteardown broke"));
            var teardown = RobotSandbox.Test(run, "Passing Body").Body.Last();
            Assert.That(teardown.Type, Is.EqualTo("TEARDOWN"));
            Assert.That(teardown.Children.Count(c => c.Type == "KW"), Is.EqualTo(2), "teardowns continue after failures");

            var broken = sandbox.Run("*** Settings ***\nLibrary    NoSuchLibrary\nSuite Setup    Fail    setup broke\n*** Test Cases ***\nT\n    No Operation\n", name: "broken.robot");
            Assert.That(broken.Suite.Tests[0].Message, Does.Contain("broken.robot:2: library 'NoSuchLibrary' is not available here"));

            var setupFails = sandbox.Run("*** Settings ***\nSuite Setup    Fail    setup broke\n*** Test Cases ***\nT\n    No Operation\n", name: "setup.robot");
            Assert.That(setupFails.Suite.Tests[0].Message, Is.EqualTo("Parent suite setup failed:\nsetup broke"));
        }

        [Test]
        public void TemplatesTagsAndFilters()
        {
            const string Suite = @"*** Settings ***
Default Tags    default
*** Test Cases ***
Templated
    [Template]    Should Be Equal
    a    a
    b    c
    d    d
Tagged
    [Tags]    smoke    gic
    No Operation
Other
    No Operation
";
            var run = sandbox.Run(Suite);
            var templated = RobotSandbox.Test(run, "Templated");
            Assert.That(templated.Message, Is.EqualTo("b != c"));
            Assert.That(templated.Body.Count(b => b.Type == "KW"), Is.EqualTo(3), "templates continue after a failure");

            var included = sandbox.Run(Suite, o => o.Include.Add("smoke"));
            Assert.That(included.Suite.AllTests.Select(t => t.Name), Is.EqualTo(new[] { "Tagged" }));
            var excluded = sandbox.Run(Suite, o => o.Exclude.Add("default"));
            Assert.That(excluded.Suite.AllTests.Select(t => t.Name), Is.EqualTo(new[] { "Tagged" }));
            var byName = sandbox.Run(Suite, o => o.Tests.Add("oth*"));
            Assert.That(byName.Suite.AllTests.Select(t => t.Name), Is.EqualTo(new[] { "Other" }));
            Assert.That(RobotEngine.TagPatternMatches("smokeANDgic", new[] { "smoke", "gic" }), Is.True);
            Assert.That(RobotEngine.TagPatternMatches("smokeNOTgic", new[] { "smoke", "gic" }), Is.False);
            Assert.Throws<RobotFailure>(() => sandbox.Run(Suite, o => o.Include.Add("nothing")));
        }

        [Test]
        public void CommandLineVariablesOverrideTheVariableTable()
        {
            var run = sandbox.Run("*** Variables ***\n${WHO}    table\n*** Test Cases ***\nT\n    Should Be Equal    ${WHO}    cli\n",
                o => o.Variables.Add(new KeyValuePair<string, string>("WHO", "cli")));
            AssertPassed(run);
        }

        [Test]
        public void TestTimeoutStopsALoop()
        {
            var run = sandbox.Run("*** Test Cases ***\nT\n    [Timeout]    0.2 s\n    WHILE    True    limit=100000000\n        No Operation\n    END\n");
            Assert.That(run.Suite.Tests[0].Message, Is.EqualTo("Test timeout 200 milliseconds exceeded."));
        }

        [Test]
        public void WritesOutputXmlAndXunit()
        {
            var run = sandbox.Run("*** Test Cases ***\nGood\n    [Tags]    t\n    Log    hello\nBad\n    FOR    ${i}    IN    1\n        Fail    bad ${i}\n    END\n");
            var outputXml = Path.Combine(sandbox.Directory, "output.xml");
            var xunit = Path.Combine(sandbox.Directory, "xunit.xml");
            RobotOutput.WriteOutputXml(run, outputXml);
            RobotOutput.WriteXunit(run, xunit);
            var doc = System.Xml.Linq.XDocument.Load(outputXml);
            var robot = doc.Root!;
            Assert.That(robot.Name.LocalName, Is.EqualTo("robot"));
            Assert.That(robot.Attribute("schemaversion")!.Value, Is.EqualTo("4"));
            var suite = robot.Element("suite")!;
            Assert.That(suite.Attribute("id")!.Value, Is.EqualTo("s1"));
            var tests = suite.Elements("test").ToList();
            Assert.That(tests.Select(t => t.Attribute("id")!.Value), Is.EqualTo(new[] { "s1-t1", "s1-t2" }));
            var log = tests[0].Element("kw")!;
            Assert.That(log.Attribute("name")!.Value, Is.EqualTo("Log"));
            Assert.That(log.Attribute("library")!.Value, Is.EqualTo("BuiltIn"));
            Assert.That(log.Element("arg")!.Value, Is.EqualTo("hello"));
            Assert.That(log.Element("msg")!.Value, Is.EqualTo("hello"));
            Assert.That(log.Element("status")!.Attribute("starttime")!.Value, Does.Match(@"^\d{8} \d\d:\d\d:\d\d\.\d{3}$"));
            Assert.That(tests[0].Element("tag")!.Value, Is.EqualTo("t"));
            var status = tests[1].Elements("status").Single();
            Assert.That(status.Attribute("status")!.Value, Is.EqualTo("FAIL"));
            Assert.That(status.Value, Is.EqualTo("bad 1"));
            var loop = tests[1].Element("for")!;
            Assert.That(loop.Attribute("flavor")!.Value, Is.EqualTo("IN"));
            Assert.That(loop.Element("iter")!.Element("var")!.Attribute("name")!.Value, Is.EqualTo("${i}"));
            var total = robot.Element("statistics")!.Element("total")!.Element("stat")!;
            Assert.That((total.Attribute("pass")!.Value, total.Attribute("fail")!.Value, total.Value), Is.EqualTo(("1", "1", "All Tests")));
            Assert.That(robot.Element("statistics")!.Element("suite")!.Element("stat")!.Attribute("id")!.Value, Is.EqualTo("s1"));
            Assert.That(robot.Element("errors"), Is.Not.Null);

            var junit = System.Xml.Linq.XDocument.Load(xunit).Root!;
            Assert.That(junit.Name.LocalName, Is.EqualTo("testsuite"));
            Assert.That((junit.Attribute("tests")!.Value, junit.Attribute("failures")!.Value), Is.EqualTo(("2", "1")));
            Assert.That(junit.Elements("testcase").Last().Element("failure")!.Attribute("message")!.Value, Is.EqualTo("bad 1"));
        }

        [Test]
        public void CommandPrintsOneLinePerTestAndTheSummary()
        {
            var path = sandbox.Write("cmd.robot", "*** Test Cases ***\nOne\n    No Operation\nTwo\n    Fail    broken\n");
            var console = new StringWriter();
            var exit = RobotCommand.Run(new RobotRunSettings(new[] { path }, Array.Empty<string>(), Array.Empty<string>(), Array.Empty<string>(), Array.Empty<string>(), Path.Combine(sandbox.Directory, "cmd-out")),
                RenodeGic.Host.Cli.Runner.RepositoryRoot, console);
            var text = console.ToString();
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(text, Does.Contain("| PASS | One\n").And.Contain("| FAIL | Two: broken\n"));
            Assert.That(text, Does.Match(@"(?m)^2 tests, 1 passed, 1 failed$"));
            Assert.That(File.Exists(Path.Combine(sandbox.Directory, "cmd-out", "output.xml")), Is.True);
            Assert.That(File.Exists(Path.Combine(sandbox.Directory, "cmd-out", "xunit.xml")), Is.True);
        }
    }
}
