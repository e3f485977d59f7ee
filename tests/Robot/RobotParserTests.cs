using System.Linq;
using NUnit.Framework;
using RenodeGic.Host.Robot;

namespace RenodeGic.Tests.Robot
{
    [TestFixture]
    public sealed class RobotParserTests
    {
        [Test]
        public void SplitsCellsOnTwoSpacesOrTabsAndDropsComments()
        {
            Assert.That(RobotParser.SplitRow("    Log    hello world  # comment"), Is.EqualTo(new[] { "", "Log", "hello world" }));
            Assert.That(RobotParser.SplitRow("Keyword\targ1\t\targ2"), Is.EqualTo(new[] { "Keyword", "arg1", "arg2" }));
            Assert.That(RobotParser.SplitRow("| Test | Log | x |"), Is.EqualTo(new[] { "Test", "Log", "x" }));
            Assert.That(RobotParser.SplitRow("|    | Log | x"), Is.EqualTo(new[] { "", "Log", "x" }));
            Assert.That(RobotParser.SplitRow("    Log    \\# not a comment"), Is.EqualTo(new[] { "", "Log", "\\# not a comment" }));
        }

        [Test]
        public void ParsesSectionsSettingsVariablesTestsAndKeywords()
        {
            var file = RobotParser.Parse(@"
*** Settings ***
Documentation     Suite doc
...               continued
Suite Setup       Setup    arg
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}
Library           Remote    http://127.0.0.1:9999/
Test Timeout      1 minute
Default Tags      a    b
Force Tags        f

*** Variables ***
${X}              1
@{L}              a    b
...               c
&{D}              k=v

*** Test Cases ***
First
    [Documentation]    Does things
    [Tags]    t1
    ${v}=    Set Variable    x
    Log    ${v}
Second    Log    inline

*** Keywords ***
My Keyword
    [Arguments]    ${a}    ${b}=2
    RETURN    ${a}
Wait ${n} Seconds
    No Operation
", "/tmp/s.robot");
            Assert.That(file.Errors, Is.Empty);
            Assert.That(file.Documentation, Is.EqualTo("Suite doc continued"));
            Assert.That(file.SuiteSetup!.Name, Is.EqualTo("Setup"));
            Assert.That(file.SuiteSetup.Args, Is.EqualTo(new[] { "arg" }));
            Assert.That(file.Imports.Select(i => (i.Kind, i.Name)), Is.EqualTo(new[] { ("resource", "${RENODEKEYWORDS}"), ("library", "Remote") }));
            Assert.That(file.TestTimeout, Is.EqualTo("1 minute"));
            Assert.That(file.DefaultTags, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(file.Variables.Select(v => v.Name), Is.EqualTo(new[] { "${X}", "@{L}", "&{D}" }));
            Assert.That(file.Variables[1].Values, Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(file.Tests.Select(t => t.Name), Is.EqualTo(new[] { "First", "Second" }));
            Assert.That(file.Tests[0].Tags, Is.EqualTo(new[] { "t1" }));
            var assign = (KeywordStep)file.Tests[0].Body[0];
            Assert.That(assign.Assign, Is.EqualTo(new[] { "${v}=" }));
            Assert.That(assign.Name, Is.EqualTo("Set Variable"));
            Assert.That(assign.At.Line, Is.EqualTo(23));
            Assert.That(((KeywordStep)file.Tests[1].Body[0]).Args, Is.EqualTo(new[] { "inline" }));
            Assert.That(file.Keywords[0].Arguments, Is.EqualTo(new[] { "${a}", "${b}=2" }));
            Assert.That(file.Keywords[0].Body[0], Is.InstanceOf<ReturnStep>());
            Assert.That(file.Keywords[1].EmbeddedPattern!.IsMatch("wait 5 seconds"), Is.True);
        }

        [Test]
        public void ParsesNestedControlStructures()
        {
            var file = RobotParser.Parse(@"*** Test Cases ***
T
    FOR    ${i}    IN RANGE    3
        IF    ${i} == 1
            Log    one
        ELSE IF    ${i} == 2
            Log    two
        ELSE
            Log    other
        END
    END
    WHILE    True    limit=5
        BREAK
    END
    TRY
        Fail    x
    EXCEPT    x    AS    ${e}
        Log    ${e}
    FINALLY
        Log    done
    END
    ${r}=    IF    True    Set Variable    a    ELSE    Set Variable    b
", "/tmp/c.robot");
            var body = file.Tests[0].Body;
            Assert.That(body.Select(s => s.GetType().Name), Is.EqualTo(new[] { "ForStep", "WhileStep", "TryStep", "IfStep" }));
            var loop = (ForStep)body[0];
            Assert.That(loop.Flavor, Is.EqualTo("IN RANGE"));
            var branches = ((IfStep)loop.Body[0]).Branches;
            Assert.That(branches.Select(b => b.Kind), Is.EqualTo(new[] { "IF", "ELSE IF", "ELSE" }));
            var attempt = (TryStep)body[2];
            Assert.That(attempt.Excepts[0].Assign, Is.EqualTo("${e}"));
            Assert.That(attempt.FinallyBody, Is.Not.Null);
        }

        [Test]
        public void ReportsSyntaxErrorsWithFileAndLine()
        {
            var file = RobotParser.Parse("*** Settings ***\nSuit Setup    X\n*** Bogus ***\n*** Test Cases ***\nT\n    FOR    ${i}    IN    a\n        Log    ${i}\n", "/tmp/e.robot");
            Assert.That(file.Errors, Has.Some.Contains("e.robot:2: non-existing setting 'Suit Setup'"));
            Assert.That(file.Errors, Has.Some.Contains("e.robot:3: unrecognized section header"));
            var invalid = (InvalidStep)file.Tests[0].Body[0];
            Assert.That(invalid.At.Line, Is.EqualTo(6));
            Assert.That(invalid.Message, Does.Contain("no closing 'END'"));
        }

        [Test]
        public void NormalizesNamesAsRobotDoes()
        {
            Assert.That(RobotParser.Normalize("Wait For_Line On UART"), Is.EqualTo(RobotParser.Normalize("wait for line on uart")));
            Assert.That(RobotEngine.SuiteName("01__my_tests"), Is.EqualTo("My Tests"));
            Assert.That(RobotEngine.SuiteName("sgi-ipi"), Is.EqualTo("Sgi-Ipi"));
        }
    }
}
