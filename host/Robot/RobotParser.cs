// Parser for Robot Framework test data in the space-separated format (cells separated by two or more spaces
// or a tab) and the pipe format ("| cell | cell |"). Follows the Robot Framework User Guide, section 2.1
// ("Test data syntax"): sections, settings, "..." continuation, "#" comments, and the control structures
// FOR/IF/WHILE/TRY with END. ${CURDIR} is replaced when the file is read, as Robot does.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace RenodeGic.Host.Robot
{
    public static class RobotParser
    {
        public static RobotFile ParseFile(string path)
        {
            var full = System.IO.Path.GetFullPath(path);
            return Parse(File.ReadAllText(full), full);
        }

        public static RobotFile Parse(string text, string path)
        {
            var file = new RobotFile(path);
            var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";
            var sections = new List<(string Kind, List<Row> Rows)>();
            List<Row>? current = null;
            var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            for(var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                if(i == 0 && line.Length > 0 && line[0] == '\uFEFF')
                {
                    line = line.Substring(1);
                }
                var at = new SourceLocation(file.DisplayPath, i + 1);
                if(line.StartsWith('*'))
                {
                    var header = SplitRow(line).FirstOrDefault() ?? "";
                    var name = Normalize(header.Trim('*', ' '));
                    var kind = name switch
                    {
                        "settings" or "setting" => "settings",
                        "variables" or "variable" => "variables",
                        "testcases" or "testcase" or "tasks" or "task" => "tests",
                        "keywords" or "keyword" => "keywords",
                        "comments" or "comment" => "comments",
                        _ => null,
                    };
                    if(kind == null)
                    {
                        file.Errors.Add($"{at}: unrecognized section header '{line.Trim()}' (expected *** Settings ***, *** Variables ***, *** Test Cases ***, *** Keywords *** or *** Comments ***)");
                        current = null;
                        continue;
                    }
                    current = new List<Row>();
                    sections.Add((kind, current));
                    continue;
                }
                if(current == null)
                {
                    continue; // data before the first section is ignored, as in Robot
                }
                var cells = SplitRow(line);
                if(cells.Count == 0 || cells.All(c => c.Length == 0))
                {
                    continue;
                }
                for(var c = 0; c < cells.Count; c++)
                {
                    cells[c] = cells[c].Replace("${CURDIR}", directory, StringComparison.Ordinal);
                }
                // "..." continues the previous row (after any indentation).
                var first = cells.FindIndex(c => c.Length > 0);
                if(cells[first] == "...")
                {
                    if(current.Count == 0)
                    {
                        file.Errors.Add($"{at}: '...' continues nothing (there is no row before it in this section)");
                        continue;
                    }
                    current[^1].Cells.AddRange(cells.Skip(first + 1));
                    continue;
                }
                current.Add(new Row(cells, at));
            }
            foreach(var (kind, rows) in sections)
            {
                switch(kind)
                {
                case "settings":
                    ParseSettings(file, rows);
                    break;
                case "variables":
                    ParseVariables(file, rows);
                    break;
                case "tests":
                    file.HasTestSection = true;
                    ParseTests(file, rows);
                    break;
                case "keywords":
                    ParseKeywords(file, rows);
                    break;
                }
            }
            return file;
        }

        /// <summary>Lowercase, without spaces and underscores: how Robot compares keyword, setting and variable names.</summary>
        public static string Normalize(string name)
        {
            var sb = new StringBuilder(name.Length);
            foreach(var c in name)
            {
                if(c != ' ' && c != '_' && c != '\t')
                {
                    sb.Append(char.ToLowerInvariant(c));
                }
            }
            return sb.ToString();
        }

        /// <summary>Splits one line into cells; a line starting with whitespace gets an empty first cell. Comments are dropped.</summary>
        public static List<string> SplitRow(string line)
        {
            List<string> cells;
            if(line.StartsWith("| ", StringComparison.Ordinal) || line.StartsWith("|\t", StringComparison.Ordinal) || line == "|")
            {
                var inner = line.Substring(1).TrimEnd();
                if(inner.EndsWith(" |", StringComparison.Ordinal) || inner.EndsWith("\t|", StringComparison.Ordinal))
                {
                    inner = inner.Substring(0, inner.Length - 1);
                }
                cells = Regex.Split(" " + inner + " ", @"[ \t]+\|[ \t]+").Select(c => c.Trim()).ToList();
                if(cells.Count > 0 && cells[^1].Length == 0)
                {
                    cells.RemoveAt(cells.Count - 1);
                }
            }
            else
            {
                var trimmed = line.TrimEnd();
                if(trimmed.Length == 0)
                {
                    return new List<string>();
                }
                var indented = char.IsWhiteSpace(trimmed[0]);
                cells = Regex.Split(trimmed.TrimStart(), @"(?:\t| {2,}|\u00A0)[\t \u00A0]*").ToList();
                if(indented)
                {
                    cells.Insert(0, "");
                }
            }
            for(var i = 0; i < cells.Count; i++)
            {
                if(cells[i].StartsWith('#'))
                {
                    cells.RemoveRange(i, cells.Count - i);
                    break;
                }
            }
            while(cells.Count > 0 && cells[^1].Length == 0)
            {
                cells.RemoveAt(cells.Count - 1);
            }
            return cells;
        }

        public static (Regex Pattern, IReadOnlyList<string> Names) BuildEmbeddedPattern(string name)
        {
            var names = new List<string>();
            var sb = new StringBuilder("^");
            var i = 0;
            while(i < name.Length)
            {
                var start = name.IndexOf("${", i, StringComparison.Ordinal);
                if(start < 0)
                {
                    sb.Append(Regex.Escape(name.Substring(i)));
                    break;
                }
                sb.Append(Regex.Escape(name.Substring(i, start - i)));
                var end = FindClosing(name, start + 1, '{', '}');
                if(end < 0)
                {
                    sb.Append(Regex.Escape(name.Substring(start)));
                    break;
                }
                var inner = name.Substring(start + 2, end - start - 2);
                var colon = inner.IndexOf(':', StringComparison.Ordinal);
                names.Add(colon >= 0 ? inner.Substring(0, colon) : inner);
                sb.Append('(').Append(colon >= 0 ? inner.Substring(colon + 1) : ".*?").Append(')');
                i = end + 1;
            }
            sb.Append('$');
            return (new Regex(sb.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), names);
        }

        /// <summary>Index of the bracket closing the one at <paramref name="open"/>, honouring nesting and backslash escapes; -1 if none.</summary>
        public static int FindClosing(string text, int open, char opening, char closing)
        {
            var depth = 0;
            for(var i = open; i < text.Length; i++)
            {
                if(text[i] == '\\')
                {
                    i++;
                    continue;
                }
                if(text[i] == opening)
                {
                    depth++;
                }
                else if(text[i] == closing)
                {
                    depth--;
                    if(depth == 0)
                    {
                        return i;
                    }
                }
            }
            return -1;
        }

        /// <summary>True for ${name}, @{name}, &amp;{name} (optionally followed by '=' and item access) as an assignment target.</summary>
        public static bool IsAssignment(string cell)
        {
            var text = cell.EndsWith('=') ? cell.Substring(0, cell.Length - 1).TrimEnd() : cell;
            return IsVariable(text);
        }

        /// <summary>True when the whole text is one variable reference such as ${x}, @{list} or &amp;{dict}.</summary>
        public static bool IsVariable(string text, string sigils = "$@&")
        {
            if(text.Length < 3 || sigils.IndexOf(text[0], StringComparison.Ordinal) < 0 || text[1] != '{')
            {
                return false;
            }
            return FindClosing(text, 1, '{', '}') == text.Length - 1;
        }

        private sealed class Row
        {
            public Row(List<string> cells, SourceLocation at)
            {
                Cells = cells;
                At = at;
            }

            public List<string> Cells { get; }

            public SourceLocation At { get; }
        }

        private static void ParseSettings(RobotFile file, List<Row> rows)
        {
            foreach(var row in rows)
            {
                var cells = row.Cells.SkipWhile(c => c.Length == 0).ToList();
                var name = Normalize(cells[0]);
                var values = cells.Skip(1).ToList();
                switch(name)
                {
                case "documentation":
                    file.Documentation = string.Join(" ", values);
                    break;
                case "metadata":
                case "keywordtags":
                    break;
                case "name":
                    file.SuiteName = string.Join(" ", values);
                    break;
                case "suitesetup":
                    file.SuiteSetup = ToFixture(row.At, values);
                    break;
                case "suiteteardown":
                    file.SuiteTeardown = ToFixture(row.At, values);
                    break;
                case "testsetup":
                case "tasksetup":
                    file.TestSetup = ToFixture(row.At, values);
                    break;
                case "testteardown":
                case "taskteardown":
                    file.TestTeardown = ToFixture(row.At, values);
                    break;
                case "testtemplate":
                case "tasktemplate":
                    file.TestTemplate = values.Count > 0 ? string.Join(" ", values) : null;
                    break;
                case "testtimeout":
                case "tasktimeout":
                    file.TestTimeout = values.Count > 0 ? values[0] : null;
                    break;
                case "forcetags":
                case "testtags":
                case "tasktags":
                    file.ForceTags.AddRange(values);
                    break;
                case "defaulttags":
                    file.DefaultTags.AddRange(values);
                    break;
                case "library":
                case "resource":
                case "variables":
                    if(values.Count == 0)
                    {
                        file.Errors.Add($"{row.At}: setting '{cells[0]}' needs a value");
                        break;
                    }
                    file.Imports.Add(new ImportDefinition(row.At, name, values[0], values.Skip(1).ToList()));
                    break;
                default:
                    file.Errors.Add($"{row.At}: non-existing setting '{cells[0]}'");
                    break;
                }
            }
        }

        private static Fixture? ToFixture(SourceLocation at, List<string> values)
        {
            if(values.Count == 0)
            {
                return null;
            }
            return new Fixture(at, values[0], values.Skip(1).ToList());
        }

        private static void ParseVariables(RobotFile file, List<Row> rows)
        {
            foreach(var row in rows)
            {
                var cells = row.Cells.SkipWhile(c => c.Length == 0).ToList();
                var name = cells[0].EndsWith('=') ? cells[0].Substring(0, cells[0].Length - 1).TrimEnd() : cells[0];
                if(!IsVariable(name) || name.Contains('[', StringComparison.Ordinal))
                {
                    file.Errors.Add($"{row.At}: invalid variable name '{cells[0]}' (expected ${{NAME}}, @{{NAME}} or &{{NAME}})");
                    continue;
                }
                file.Variables.Add(new VariableDefinition(row.At, name, cells.Skip(1).ToList()));
            }
        }

        private static void ParseTests(RobotFile file, List<Row> rows)
        {
            TestCase? test = null;
            var body = new List<Row>();
            void Finish()
            {
                if(test != null)
                {
                    var parser = new BodyParser(body, (setting, row) => ApplyTestSetting(test, setting, row));
                    test.Body.AddRange(parser.ParseAll());
                }
                body.Clear();
            }
            foreach(var row in rows)
            {
                if(row.Cells[0].Length > 0)
                {
                    Finish();
                    test = new TestCase(row.Cells[0], row.At);
                    file.Tests.Add(test);
                    if(row.Cells.Count > 1)
                    {
                        body.Add(new Row(row.Cells.Skip(1).ToList(), row.At));
                    }
                    continue;
                }
                if(test == null)
                {
                    file.Errors.Add($"{row.At}: indented row before the first test case name");
                    continue;
                }
                body.Add(new Row(row.Cells.Skip(1).ToList(), row.At));
            }
            Finish();
        }

        private static void ApplyTestSetting(TestCase test, string setting, Row row)
        {
            var values = row.Cells.Skip(1).ToList();
            switch(Normalize(setting))
            {
            case "documentation":
                test.Documentation = string.Join(" ", values);
                break;
            case "tags":
                (test.Tags ??= new List<string>()).AddRange(values);
                break;
            case "setup":
                test.Setup = ToFixture(row.At, values) ?? new Fixture(row.At, "NONE", Array.Empty<string>());
                break;
            case "teardown":
                test.Teardown = ToFixture(row.At, values) ?? new Fixture(row.At, "NONE", Array.Empty<string>());
                break;
            case "timeout":
                test.Timeout = values.Count > 0 ? values[0] : "NONE";
                break;
            case "template":
                test.Template = values.Count > 0 ? string.Join(" ", values) : "NONE";
                break;
            default:
                test.Errors.Add($"{row.At}: non-existing setting '[{setting}]' in a test case");
                break;
            }
        }

        private static void ParseKeywords(RobotFile file, List<Row> rows)
        {
            UserKeyword? keyword = null;
            var body = new List<Row>();
            void Finish()
            {
                if(keyword != null)
                {
                    var parser = new BodyParser(body, (setting, row) => ApplyKeywordSetting(keyword, setting, row));
                    keyword.Body.AddRange(parser.ParseAll());
                }
                body.Clear();
            }
            foreach(var row in rows)
            {
                if(row.Cells[0].Length > 0)
                {
                    Finish();
                    keyword = new UserKeyword(row.Cells[0], row.At, file);
                    file.Keywords.Add(keyword);
                    if(row.Cells.Count > 1)
                    {
                        body.Add(new Row(row.Cells.Skip(1).ToList(), row.At));
                    }
                    continue;
                }
                if(keyword == null)
                {
                    file.Errors.Add($"{row.At}: indented row before the first keyword name");
                    continue;
                }
                body.Add(new Row(row.Cells.Skip(1).ToList(), row.At));
            }
            Finish();
        }

        private static void ApplyKeywordSetting(UserKeyword keyword, string setting, Row row)
        {
            var values = row.Cells.Skip(1).ToList();
            switch(Normalize(setting))
            {
            case "documentation":
                keyword.Documentation = string.Join(" ", values);
                break;
            case "arguments":
                foreach(var value in values)
                {
                    var name = value.Contains('=', StringComparison.Ordinal) ? value.Substring(0, value.IndexOf('=', StringComparison.Ordinal)) : value;
                    if(!IsVariable(name.TrimEnd()))
                    {
                        keyword.Errors.Add($"{row.At}: invalid argument '{value}' (expected ${{name}}, ${{name}}=default, @{{varargs}} or &{{kwargs}})");
                    }
                }
                keyword.Arguments.AddRange(values);
                break;
            case "return":
                keyword.Returns = values;
                break;
            case "tags":
                keyword.Tags.AddRange(values);
                break;
            case "setup":
                keyword.Setup = ToFixture(row.At, values);
                break;
            case "teardown":
                keyword.Teardown = ToFixture(row.At, values);
                break;
            case "timeout":
                keyword.Timeout = values.Count > 0 ? values[0] : null;
                break;
            default:
                keyword.Errors.Add($"{row.At}: non-existing setting '[{setting}]' in a keyword");
                break;
            }
        }

        /// <summary>Turns the rows of one test or keyword body into steps, with nested blocks.</summary>
        private sealed class BodyParser
        {
            public BodyParser(List<Row> rows, Action<string, Row> settingHandler)
            {
                this.rows = rows;
                this.settingHandler = settingHandler;
            }

            public List<Step> ParseAll()
            {
                var steps = ParseBlock(topLevel: true);
                while(index < rows.Count)
                {
                    var row = rows[index++];
                    steps.Add(new InvalidStep(row.At, $"'{row.Cells[0]}' is not allowed here (it has no matching FOR, IF, WHILE or TRY)"));
                    steps.AddRange(ParseBlock(topLevel: false));
                }
                return steps;
            }

            private List<Step> ParseBlock(bool topLevel, params string[] stopWords)
            {
                var steps = new List<Step>();
                while(index < rows.Count)
                {
                    var row = rows[index];
                    var cells = row.Cells;
                    if(cells.Count == 0)
                    {
                        index++;
                        continue;
                    }
                    var head = cells[0];
                    if(stopWords.Contains(head) || head == "END" || head == "ELSE" || head == "ELSE IF" || head == "EXCEPT" || head == "FINALLY")
                    {
                        return steps; // the caller decides whether it belongs to it
                    }
                    index++;
                    if(head.Length > 2 && head.StartsWith('[') && head.EndsWith(']'))
                    {
                        if(topLevel)
                        {
                            settingHandler(head.Substring(1, head.Length - 2), row);
                        }
                        else
                        {
                            steps.Add(new InvalidStep(row.At, $"setting '{head}' is not allowed inside a block"));
                        }
                        continue;
                    }
                    switch(head)
                    {
                    case "FOR":
                        steps.Add(ParseFor(row));
                        continue;
                    case "IF" when cells.Count <= 2:
                        steps.Add(ParseIf(row));
                        continue;
                    case "WHILE":
                        steps.Add(ParseWhile(row));
                        continue;
                    case "TRY":
                        steps.Add(ParseTry(row));
                        continue;
                    case "RETURN":
                        steps.Add(new ReturnStep(row.At, cells.Skip(1).ToList()));
                        continue;
                    case "BREAK":
                    case "CONTINUE":
                        steps.Add(cells.Count > 1 ? new InvalidStep(row.At, $"{head} does not take values")
                            : head == "BREAK" ? new BreakStep(row.At) : new ContinueStep(row.At));
                        continue;
                    case ":FOR":
                    case ": FOR":
                        steps.Add(new InvalidStep(row.At, "the old ':FOR' loop syntax is not supported; use 'FOR ... END'"));
                        continue;
                    }
                    steps.Add(ParseKeywordRow(row.At, cells));
                }
                return steps;
            }

            private static Step ParseKeywordRow(SourceLocation at, List<string> cells)
            {
                var assign = new List<string>();
                var i = 0;
                while(i < cells.Count && IsAssignment(cells[i]))
                {
                    assign.Add(cells[i]);
                    i++;
                }
                if(i >= cells.Count)
                {
                    return new InvalidStep(at, "keyword name cannot be empty");
                }
                if(cells[i] == "IF")
                {
                    return ParseInlineIf(at, assign, cells.Skip(i + 1).ToList());
                }
                if(assign.Count > 0 && assign.Take(assign.Count - 1).Any(a => a.EndsWith('=')))
                {
                    return new InvalidStep(at, "only the last assigned variable may end with '='");
                }
                return new KeywordStep(at, assign, cells[i], cells.Skip(i + 1).ToList());
            }

            private static Step ParseInlineIf(SourceLocation at, List<string> assign, List<string> cells)
            {
                var branches = new List<IfBranch>();
                var kind = "IF";
                var i = 0;
                while(true)
                {
                    string? condition = null;
                    if(kind != "ELSE")
                    {
                        if(i >= cells.Count)
                        {
                            return new InvalidStep(at, $"inline {kind} needs a condition");
                        }
                        condition = cells[i++];
                    }
                    var call = new List<string>();
                    while(i < cells.Count && cells[i] != "ELSE IF" && cells[i] != "ELSE")
                    {
                        call.Add(cells[i++]);
                    }
                    if(call.Count == 0)
                    {
                        return new InvalidStep(at, $"inline {kind} branch has no keyword");
                    }
                    if(call[0] == "END")
                    {
                        return new InvalidStep(at, "inline IF must not end with END");
                    }
                    var body = call[0] == "RETURN" ? (Step)new ReturnStep(at, call.Skip(1).ToList())
                        : call[0] == "BREAK" ? new BreakStep(at)
                        : call[0] == "CONTINUE" ? new ContinueStep(at)
                        : new KeywordStep(at, assign, call[0], call.Skip(1).ToList());
                    branches.Add(new IfBranch(at, kind, condition, new[] { body }));
                    if(i >= cells.Count)
                    {
                        break;
                    }
                    if(kind == "ELSE")
                    {
                        return new InvalidStep(at, "inline IF has something after its ELSE branch");
                    }
                    kind = cells[i++];
                }
                if(assign.Count > 0 && branches[^1].Kind != "ELSE")
                {
                    // Robot assigns None when no branch runs; add an implicit ELSE doing that.
                    branches.Add(new IfBranch(at, "ELSE", null, new Step[] { new KeywordStep(at, assign, "BuiltIn.Set Variable", new[] { "${NONE}" }) }));
                }
                return new IfStep(at, branches);
            }

            private bool ConsumeEnd(out SourceLocation endAt)
            {
                if(index < rows.Count && rows[index].Cells[0] == "END")
                {
                    endAt = rows[index].At;
                    index++;
                    return true;
                }
                endAt = default;
                return false;
            }

            private Step ParseFor(Row row)
            {
                var cells = row.Cells;
                var variables = new List<string>();
                var i = 1;
                while(i < cells.Count && !cells[i].StartsWith("IN", StringComparison.Ordinal))
                {
                    variables.Add(cells[i++]);
                }
                var body = ParseBlock(false);
                var closed = ConsumeEnd(out _);
                if(i >= cells.Count)
                {
                    return new InvalidStep(row.At, "FOR loop has no 'IN', 'IN RANGE', 'IN ENUMERATE' or 'IN ZIP'");
                }
                var flavor = cells[i];
                if(flavor != "IN" && flavor != "IN RANGE" && flavor != "IN ENUMERATE" && flavor != "IN ZIP")
                {
                    return new InvalidStep(row.At, $"FOR loop has invalid separator '{flavor}' (expected IN, IN RANGE, IN ENUMERATE or IN ZIP)");
                }
                if(variables.Count == 0 || variables.Any(v => !IsVariable(v, "$")))
                {
                    return new InvalidStep(row.At, $"FOR loop variables must be scalars like ${{i}}, found {(variables.Count == 0 ? "none" : string.Join(", ", variables))}");
                }
                if(!closed)
                {
                    return new InvalidStep(row.At, "FOR loop has no closing 'END'");
                }
                if(body.Count == 0)
                {
                    return new InvalidStep(row.At, "FOR loop cannot be empty");
                }
                return new ForStep(row.At, variables, flavor, cells.Skip(i + 1).ToList(), body);
            }

            private Step ParseIf(Row row)
            {
                var branches = new List<IfBranch>();
                string? error = null;
                var kind = "IF";
                var header = row;
                while(true)
                {
                    string? condition = null;
                    if(kind == "ELSE")
                    {
                        if(header.Cells.Count > 1)
                        {
                            error ??= $"{header.At}: ELSE does not take a condition (use ELSE IF)";
                        }
                    }
                    else if(header.Cells.Count != 2)
                    {
                        error ??= $"{header.At}: {kind} needs exactly one condition";
                    }
                    else
                    {
                        condition = header.Cells[1];
                    }
                    var body = ParseBlock(false);
                    if(body.Count == 0)
                    {
                        error ??= $"{header.At}: {kind} branch cannot be empty";
                    }
                    if(branches.Any(b => b.Kind == "ELSE"))
                    {
                        error ??= $"{header.At}: {kind} after ELSE";
                    }
                    branches.Add(new IfBranch(header.At, kind, condition, body));
                    if(index >= rows.Count)
                    {
                        return new InvalidStep(row.At, "IF has no closing 'END'");
                    }
                    var next = rows[index];
                    if(next.Cells[0] == "END")
                    {
                        index++;
                        break;
                    }
                    if(next.Cells[0] == "ELSE IF" || next.Cells[0] == "ELSE")
                    {
                        index++;
                        kind = next.Cells[0];
                        header = next;
                        continue;
                    }
                    return new InvalidStep(row.At, "IF has no closing 'END'");
                }
                return error != null ? new InvalidStep(row.At, error.Substring(error.IndexOf(": ", StringComparison.Ordinal) + 2)) : new IfStep(row.At, branches);
            }

            private Step ParseWhile(Row row)
            {
                var body = ParseBlock(false);
                if(!ConsumeEnd(out _))
                {
                    return new InvalidStep(row.At, "WHILE loop has no closing 'END'");
                }
                if(row.Cells.Count < 2)
                {
                    return new InvalidStep(row.At, "WHILE needs a condition");
                }
                string? limit = null;
                foreach(var option in row.Cells.Skip(2))
                {
                    if(option.StartsWith("limit=", StringComparison.OrdinalIgnoreCase))
                    {
                        limit = option.Substring(6);
                    }
                    else
                    {
                        return new InvalidStep(row.At, $"WHILE has an unknown option '{option}' (only limit= is supported)");
                    }
                }
                if(body.Count == 0)
                {
                    return new InvalidStep(row.At, "WHILE loop cannot be empty");
                }
                return new WhileStep(row.At, row.Cells[1], limit, body);
            }

            private Step ParseTry(Row row)
            {
                var body = ParseBlock(false);
                var excepts = new List<ExceptBranch>();
                List<Step>? elseBody = null;
                List<Step>? finallyBody = null;
                while(index < rows.Count)
                {
                    var next = rows[index];
                    var head = next.Cells[0];
                    if(head == "END")
                    {
                        index++;
                        if(excepts.Count == 0 && finallyBody == null)
                        {
                            return new InvalidStep(row.At, "TRY needs at least one EXCEPT or FINALLY");
                        }
                        return new TryStep(row.At, body, excepts, elseBody, finallyBody);
                    }
                    index++;
                    if(head == "EXCEPT")
                    {
                        var patterns = new List<string>();
                        var type = "literal";
                        string? assign = null;
                        var cells = next.Cells.Skip(1).ToList();
                        for(var i = 0; i < cells.Count; i++)
                        {
                            if(cells[i] == "AS" && i + 1 < cells.Count)
                            {
                                assign = cells[++i];
                            }
                            else if(cells[i].StartsWith("type=", StringComparison.OrdinalIgnoreCase))
                            {
                                type = cells[i].Substring(5).ToLowerInvariant();
                            }
                            else
                            {
                                patterns.Add(cells[i]);
                            }
                        }
                        excepts.Add(new ExceptBranch(next.At, patterns, type, assign, ParseBlock(false)));
                    }
                    else if(head == "ELSE")
                    {
                        elseBody = ParseBlock(false);
                    }
                    else if(head == "FINALLY")
                    {
                        finallyBody = ParseBlock(false);
                    }
                    else
                    {
                        index--;
                        break;
                    }
                }
                return new InvalidStep(row.At, "TRY has no closing 'END'");
            }

            private readonly List<Row> rows;
            private readonly Action<string, Row> settingHandler;
            private int index;
        }
    }
}
