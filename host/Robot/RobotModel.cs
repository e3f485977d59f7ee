// The parsed form of Robot Framework test data (suite files and resource files): settings, variables,
// test cases and user keywords, whose bodies are trees of steps (keyword calls, FOR, IF, WHILE, TRY, RETURN,
// BREAK, CONTINUE). Syntax errors inside a body become InvalidStep, which fails the test or keyword that
// reaches it, naming file and line; errors in settings fail the whole suite.
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace RenodeGic.Host.Robot
{
    /// <summary>A place in test data.</summary>
    public readonly record struct SourceLocation(string File, int Line)
    {
        public override string ToString() => Line > 0 ? $"{File}:{Line}" : File;
    }

    public abstract class Step
    {
        protected Step(SourceLocation at)
        {
            At = at;
        }

        public SourceLocation At { get; }
    }

    /// <summary><c>${a}  ${b}=  Keyword Name  arg1  arg2</c>.</summary>
    public sealed class KeywordStep : Step
    {
        public KeywordStep(SourceLocation at, IReadOnlyList<string> assign, string name, IReadOnlyList<string> args)
            : base(at)
        {
            Assign = assign;
            Name = name;
            Args = args;
        }

        public IReadOnlyList<string> Assign { get; }

        public string Name { get; }

        public IReadOnlyList<string> Args { get; }
    }

    /// <summary><c>FOR  ${i}  IN|IN RANGE|IN ENUMERATE|IN ZIP  values ...  END</c>.</summary>
    public sealed class ForStep : Step
    {
        public ForStep(SourceLocation at, IReadOnlyList<string> variables, string flavor, IReadOnlyList<string> values, IReadOnlyList<Step> body)
            : base(at)
        {
            Variables = variables;
            Flavor = flavor;
            Values = values;
            Body = body;
        }

        public IReadOnlyList<string> Variables { get; }

        public string Flavor { get; }

        public IReadOnlyList<string> Values { get; }

        public IReadOnlyList<Step> Body { get; }
    }

    public sealed class IfBranch
    {
        public IfBranch(SourceLocation at, string kind, string? condition, IReadOnlyList<Step> body)
        {
            At = at;
            Kind = kind;
            Condition = condition;
            Body = body;
        }

        public SourceLocation At { get; }

        /// <summary>"IF", "ELSE IF" or "ELSE".</summary>
        public string Kind { get; }

        public string? Condition { get; }

        public IReadOnlyList<Step> Body { get; }
    }

    public sealed class IfStep : Step
    {
        public IfStep(SourceLocation at, IReadOnlyList<IfBranch> branches)
            : base(at)
        {
            Branches = branches;
        }

        public IReadOnlyList<IfBranch> Branches { get; }
    }

    public sealed class WhileStep : Step
    {
        public WhileStep(SourceLocation at, string condition, string? limit, IReadOnlyList<Step> body)
            : base(at)
        {
            Condition = condition;
            Limit = limit;
            Body = body;
        }

        public string Condition { get; }

        public string? Limit { get; }

        public IReadOnlyList<Step> Body { get; }
    }

    public sealed class ExceptBranch
    {
        public ExceptBranch(SourceLocation at, IReadOnlyList<string> patterns, string type, string? assign, IReadOnlyList<Step> body)
        {
            At = at;
            Patterns = patterns;
            Type = type;
            Assign = assign;
            Body = body;
        }

        public SourceLocation At { get; }

        public IReadOnlyList<string> Patterns { get; }

        /// <summary>"glob", "regexp", "start" or "literal".</summary>
        public string Type { get; }

        public string? Assign { get; }

        public IReadOnlyList<Step> Body { get; }
    }

    public sealed class TryStep : Step
    {
        public TryStep(SourceLocation at, IReadOnlyList<Step> body, IReadOnlyList<ExceptBranch> excepts, IReadOnlyList<Step>? elseBody, IReadOnlyList<Step>? finallyBody)
            : base(at)
        {
            Body = body;
            Excepts = excepts;
            ElseBody = elseBody;
            FinallyBody = finallyBody;
        }

        public IReadOnlyList<Step> Body { get; }

        public IReadOnlyList<ExceptBranch> Excepts { get; }

        public IReadOnlyList<Step>? ElseBody { get; }

        public IReadOnlyList<Step>? FinallyBody { get; }
    }

    public sealed class ReturnStep : Step
    {
        public ReturnStep(SourceLocation at, IReadOnlyList<string> values)
            : base(at)
        {
            Values = values;
        }

        public IReadOnlyList<string> Values { get; }
    }

    public sealed class BreakStep : Step
    {
        public BreakStep(SourceLocation at)
            : base(at)
        {
        }
    }

    public sealed class ContinueStep : Step
    {
        public ContinueStep(SourceLocation at)
            : base(at)
        {
        }
    }

    /// <summary>A row the parser could not make sense of; running it fails with the message.</summary>
    public sealed class InvalidStep : Step
    {
        public InvalidStep(SourceLocation at, string message)
            : base(at)
        {
            Message = message;
        }

        public string Message { get; }
    }

    /// <summary>A setup or teardown: a keyword name and its arguments.</summary>
    public sealed record Fixture(SourceLocation At, string Name, IReadOnlyList<string> Args);

    public sealed class TestCase
    {
        public TestCase(string name, SourceLocation at)
        {
            Name = name;
            At = at;
        }

        public string Name { get; }

        public SourceLocation At { get; }

        public string Documentation { get; set; } = "";

        /// <summary>[Tags]; null when the test has none (Default Tags apply).</summary>
        public List<string>? Tags { get; set; }

        /// <summary>[Setup]; null when not given (the suite's Test Setup applies); a fixture named NONE disables it.</summary>
        public Fixture? Setup { get; set; }

        public Fixture? Teardown { get; set; }

        public string? Timeout { get; set; }

        public string? Template { get; set; }

        public List<Step> Body { get; } = new List<Step>();

        /// <summary>Errors in the test's settings; the test fails with the first.</summary>
        public List<string> Errors { get; } = new List<string>();
    }

    public sealed class UserKeyword
    {
        public UserKeyword(string name, SourceLocation at, RobotFile owner)
        {
            Name = name;
            At = at;
            Owner = owner;
            if(name.Contains("${", System.StringComparison.Ordinal))
            {
                (EmbeddedPattern, EmbeddedNames) = RobotParser.BuildEmbeddedPattern(name);
            }
        }

        public string Name { get; }

        public SourceLocation At { get; }

        public RobotFile Owner { get; }

        /// <summary>[Arguments] cells: ${x}, ${x}=default, @{varargs}, &amp;{kwargs}.</summary>
        public List<string> Arguments { get; } = new List<string>();

        /// <summary>[Return] cells (deprecated form of RETURN); null if absent.</summary>
        public List<string>? Returns { get; set; }

        public string Documentation { get; set; } = "";

        public List<string> Tags { get; } = new List<string>();

        public Fixture? Setup { get; set; }

        public Fixture? Teardown { get; set; }

        public string? Timeout { get; set; }

        public List<Step> Body { get; } = new List<Step>();

        public List<string> Errors { get; } = new List<string>();

        /// <summary>For names like "Wait ${n} seconds": matches a call name; groups are the embedded arguments.</summary>
        public Regex? EmbeddedPattern { get; }

        public IReadOnlyList<string> EmbeddedNames { get; } = new List<string>();
    }

    public sealed record VariableDefinition(SourceLocation At, string Name, IReadOnlyList<string> Values);

    /// <summary>Library, Resource or Variables import from the settings section.</summary>
    public sealed record ImportDefinition(SourceLocation At, string Kind, string Name, IReadOnlyList<string> Args);

    /// <summary>A parsed .robot or .resource file.</summary>
    public sealed class RobotFile
    {
        public RobotFile(string path)
        {
            Path = path;
        }

        public string Path { get; }

        /// <summary>The path as shown in messages (relative to the working directory when below it).</summary>
        public string DisplayPath
        {
            get
            {
                var relative = System.IO.Path.GetRelativePath(System.IO.Directory.GetCurrentDirectory(), Path);
                return relative.StartsWith("..", System.StringComparison.Ordinal) ? Path : relative;
            }
        }

        /// <summary>File name without extension (the name of a resource in "resource.Keyword" calls).</summary>
        public string BaseName => System.IO.Path.GetFileNameWithoutExtension(Path);

        public string Documentation { get; set; } = "";

        public string? SuiteName { get; set; }

        public Fixture? SuiteSetup { get; set; }

        public Fixture? SuiteTeardown { get; set; }

        public Fixture? TestSetup { get; set; }

        public Fixture? TestTeardown { get; set; }

        public string? TestTemplate { get; set; }

        public string? TestTimeout { get; set; }

        public List<string> DefaultTags { get; } = new List<string>();

        public List<string> ForceTags { get; } = new List<string>();

        public List<ImportDefinition> Imports { get; } = new List<ImportDefinition>();

        public List<VariableDefinition> Variables { get; } = new List<VariableDefinition>();

        public List<TestCase> Tests { get; } = new List<TestCase>();

        public List<UserKeyword> Keywords { get; } = new List<UserKeyword>();

        /// <summary>File-level errors ("file:line: message"); a suite with any fails all its tests.</summary>
        public List<string> Errors { get; } = new List<string>();

        public bool HasTestSection { get; set; }
    }
}
