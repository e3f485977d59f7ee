// What a run produced: a tree of suites, tests and body items (keywords, FOR/IF/WHILE/TRY and their
// iterations and branches, log messages) with statuses and times, from which the console lines,
// output.xml and xunit.xml are written.
using System;
using System.Collections.Generic;
using System.Linq;

namespace RenodeGic.Host.Robot
{
    public static class Status
    {
        public const string Pass = "PASS";
        public const string Fail = "FAIL";
        public const string Skip = "SKIP";
        public const string NotRun = "NOT RUN";
    }

    public sealed record LogMessage(DateTime Time, string Level, string Text);

    public sealed class BodyResult
    {
        public BodyResult(string type, string name = "")
        {
            Type = type;
            Name = name;
            Start = DateTime.Now;
            End = Start;
        }

        /// <summary>KW, SETUP, TEARDOWN, FOR, ITERATION, IF/ELSE ROOT, IF, ELSE IF, ELSE, WHILE, TRY/EXCEPT ROOT, TRY, EXCEPT, FINALLY, RETURN, BREAK, CONTINUE, ERROR or MESSAGE.</summary>
        public string Type { get; }

        public string Name { get; set; }

        /// <summary>Library or resource file name the keyword came from.</summary>
        public string? Owner { get; set; }

        public List<string> Args { get; } = new List<string>();

        public List<string> Assign { get; } = new List<string>();

        public string Documentation { get; set; } = "";

        public string? Condition { get; set; }

        public string? Flavor { get; set; }

        public List<string> Values { get; } = new List<string>();

        /// <summary>FOR iteration variables: name and value text.</summary>
        public List<KeyValuePair<string, string>> Variables { get; } = new List<KeyValuePair<string, string>>();

        public List<BodyResult> Children { get; } = new List<BodyResult>();

        public LogMessage? Message { get; set; }

        public string Status { get; set; } = Robot.Status.NotRun;

        public string? FailureMessage { get; set; }

        public DateTime Start { get; set; }

        public DateTime End { get; set; }

        public static BodyResult ForMessage(LogMessage message) => new BodyResult("MESSAGE") { Message = message, Start = message.Time, End = message.Time };
    }

    public sealed class TestResult
    {
        public TestResult(string name, string id, int line)
        {
            Name = name;
            Id = id;
            Line = line;
        }

        public string Name { get; }

        public string Id { get; }

        public int Line { get; }

        public string LongName { get; set; } = "";

        public string Documentation { get; set; } = "";

        public List<string> Tags { get; } = new List<string>();

        public string? Timeout { get; set; }

        public List<BodyResult> Body { get; } = new List<BodyResult>();

        public string Status { get; set; } = Robot.Status.Pass;

        public string Message { get; set; } = "";

        public DateTime Start { get; set; } = DateTime.Now;

        public DateTime End { get; set; } = DateTime.Now;
    }

    public sealed class SuiteResult
    {
        public SuiteResult(string name, string id, string source)
        {
            Name = name;
            Id = id;
            Source = source;
        }

        public string Name { get; }

        public string Id { get; }

        public string Source { get; }

        public string LongName { get; set; } = "";

        public string Documentation { get; set; } = "";

        public BodyResult? Setup { get; set; }

        public BodyResult? Teardown { get; set; }

        public List<TestResult> Tests { get; } = new List<TestResult>();

        public List<SuiteResult> Suites { get; } = new List<SuiteResult>();

        public string Message { get; set; } = "";

        public DateTime Start { get; set; } = DateTime.Now;

        public DateTime End { get; set; } = DateTime.Now;

        public IEnumerable<TestResult> AllTests => Tests.Concat(Suites.SelectMany(s => s.AllTests));

        public int Passed => AllTests.Count(t => t.Status == Robot.Status.Pass);

        public int Failed => AllTests.Count(t => t.Status == Robot.Status.Fail);

        public int Skipped => AllTests.Count(t => t.Status == Robot.Status.Skip);

        public string Status => Failed > 0 || (Setup?.Status == Robot.Status.Fail) || (Teardown?.Status == Robot.Status.Fail) ? Robot.Status.Fail
            : AllTests.Any() && Skipped == AllTests.Count() ? Robot.Status.Skip : Robot.Status.Pass;
    }

    /// <summary>Errors and warnings of the whole run (the &lt;errors&gt; element of output.xml).</summary>
    public sealed class RunResult
    {
        public RunResult(SuiteResult suite)
        {
            Suite = suite;
        }

        public SuiteResult Suite { get; }

        public List<LogMessage> Errors { get; } = new List<LogMessage>();
    }
}
