// Robot Framework's BuiltIn library, the keywords suites commonly use, with BuiltIn's names, arguments and
// failure messages (Robot Framework User Guide and BuiltIn library documentation). Sleep advances virtual
// time: the emulation runs for the given time when it has been started, as everything else here is in
// virtual time too.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace RenodeGic.Host.Robot
{
    public static class BuiltInLibrary
    {
        public const string Name = "BuiltIn";

        public static IEnumerable<LibraryKeyword> Create(RobotEngine e)
        {
            LibraryKeyword K(string name, string args, Func<KeywordArgs, object?> body, string doc = "") => new LibraryKeyword(Name, name, args, body, doc);
            LibraryKeyword Raw(string name, Func<IReadOnlyList<string>, object?> body, string doc = "") =>
                new LibraryKeyword(Name, name, "*args", a => body(a.Raw), doc) { ResolvesOwnArguments = true };

            // ---- logging and flow ----
            yield return K("Log", "message, level=INFO, html=False, console=False, repr=False, formatter=str", a =>
            {
                var text = a.Bool("repr") || a.Text("formatter") == "repr" ? RobotValues.Repr(a["message"]) : a.Text("message");
                var level = a.Text("level").ToUpperInvariant();
                if(level is not ("TRACE" or "DEBUG" or "INFO" or "WARN" or "ERROR" or "HTML"))
                {
                    throw new RobotFailure($"Invalid log level '{a.Text("level")}'.");
                }
                e.Log(text, level == "HTML" ? "INFO" : level);
                if(a.Bool("console"))
                {
                    e.Options.Console.WriteLine(text);
                }
                return null;
            }, "Logs the given message with the given level.");
            yield return K("Log Many", "*messages", a =>
            {
                foreach(var m in a.VarArgs)
                {
                    e.Log(RobotValues.ToText(m));
                }
                return null;
            });
            yield return K("Log To Console", "message, stream=STDOUT, no_newline=False, format=", a =>
            {
                var text = a.Text("message");
                var writer = a.Text("stream").Equals("STDERR", StringComparison.OrdinalIgnoreCase) ? Console.Error : e.Options.Console;
                if(a.Bool("no_newline"))
                {
                    writer.Write(text);
                }
                else
                {
                    writer.WriteLine(text);
                }
                writer.Flush();
                return null;
            }, "Logs the given message to the console.");
            yield return K("Comment", "*messages", _ => null);
            yield return K("No Operation", "", _ => null, "Does absolutely nothing.");
            yield return K("Fail", "msg=None, *tags", a => throw new RobotFailure(a.OptionalText("msg") ?? "AssertionError"), "Fails the test with the given message.");
            yield return K("Pass Execution", "message, *tags", a =>
            {
                var message = a.Text("message");
                if(message.Trim().Length == 0)
                {
                    throw new RobotFailure("Message cannot be empty.");
                }
                throw new RobotPassExecution(message);
            });
            yield return K("Pass Execution If", "condition, message, *tags", a =>
            {
                if(e.EvaluateCondition(a["condition"]))
                {
                    throw new RobotPassExecution(a.Text("message"));
                }
                return null;
            });
            yield return K("Skip", "msg=Skipped with Skip keyword.", a => throw new RobotSkip(a.Text("msg")));
            yield return K("Skip If", "condition, msg=None", a =>
            {
                if(e.EvaluateCondition(a["condition"]))
                {
                    throw new RobotSkip(a.OptionalText("msg") ?? RobotValues.ToText(a["condition"]));
                }
                return null;
            });
            yield return K("Sleep", "time_, reason=None", a =>
            {
                var seconds = RobotValues.ParseTime(a["time_"]);
                if(seconds < 0)
                {
                    seconds = 0;
                }
                var advanced = e.Renode.AdvanceVirtualTime(seconds);
                e.Log($"Slept {RobotValues.FormatTime(seconds)}{(advanced ? " of virtual time" : "")}.");
                if(a.OptionalText("reason") is { } reason)
                {
                    e.Log(reason);
                }
                return null;
            }, "Pauses for the given time; here, runs the started emulation for that much virtual time.");
            yield return K("Set Log Level", "level", _ => "INFO");
            yield return K("Set Library Search Order", "*search_order", _ => new List<object?>());
            yield return K("Set Tags", "*tags", a =>
            {
                var test = e.CurrentTest ?? throw new RobotFailure("Set Tags can be used only in a test");
                test.Tags.AddRange(a.VarArgs.Select(RobotValues.ToText).Where(t => !test.Tags.Contains(t)));
                return null;
            });
            yield return K("Remove Tags", "*tags", a =>
            {
                var test = e.CurrentTest ?? throw new RobotFailure("Remove Tags can be used only in a test");
                test.Tags.RemoveAll(t => a.VarArgs.Any(p => RobotValues.GlobMatch(RobotValues.ToText(p), t, true)));
                return null;
            });
            yield return K("Import Resource", "path", a =>
            {
                e.ImportResource(a.Text("path"));
                return null;
            });
            yield return K("Import Library", "name, *args", a =>
            {
                e.ImportLibraryAtRuntime(a.Text("name"));
                return null;
            });
            yield return K("Keyword Should Exist", "name, msg=None", a => e.KeywordExists(a.Text("name")) ? null : throw new RobotFailure(a.OptionalText("msg") ?? $"No keyword with name '{a.Text("name")}' found."));

            // ---- variables ----
            yield return K("Set Variable", "*values", a => a.VarArgs.Count == 0 ? "" : a.VarArgs.Count == 1 ? a.VarArgs[0] : a.VarArgs.ToList());
            yield return K("Set Variable If", "condition, *values", a =>
            {
                var values = new List<object?> { a["condition"] };
                values.AddRange(a.VarArgs);
                while(values.Count > 0)
                {
                    if(values.Count == 1)
                    {
                        return values[0];
                    }
                    if(e.EvaluateCondition(values[0]))
                    {
                        return values[1];
                    }
                    values.RemoveRange(0, 2);
                }
                return null;
            });
            foreach(var scope in new[] { "Test", "Task", "Suite", "Global", "Local" })
            {
                var s = scope;
                yield return Raw($"Set {s} Variable", raw =>
                {
                    SetVariable(e, s, raw);
                    return null;
                });
            }
            yield return K("Get Variable Value", "name, default=None", a =>
            {
                var name = a.Text("name");
                return e.Scopes.TryGet(name.StartsWith('$') && !name.StartsWith("${", StringComparison.Ordinal) ? name.Substring(1) : name, out var v) ? v : a["default"];
            });
            yield return Raw("Variable Should Exist", raw =>
            {
                var name = VariableName(e, raw.Count > 0 ? raw[0] : "");
                return e.Scopes.TryGet(name, out _) ? null : throw new RobotFailure(raw.Count > 1 ? e.Resolver.ResolveString(raw[1]) : $"Variable '${{{name}}}' does not exist.");
            });
            yield return Raw("Variable Should Not Exist", raw =>
            {
                var name = VariableName(e, raw.Count > 0 ? raw[0] : "");
                return !e.Scopes.TryGet(name, out _) ? null : throw new RobotFailure(raw.Count > 1 ? e.Resolver.ResolveString(raw[1]) : $"Variable '${{{name}}}' exists.");
            });
            yield return K("Create List", "*items", a => a.VarArgs.ToList());
            yield return K("Create Dictionary", "*items, **kwargs", a =>
            {
                var dict = new Dictionary<string, object?>();
                if(a.VarArgs.Count % 2 != 0)
                {
                    throw new RobotFailure("Create Dictionary: positional items must come in key-value pairs (or use key=value).");
                }
                for(var i = 0; i < a.VarArgs.Count; i += 2)
                {
                    dict[RobotValues.ToText(a.VarArgs[i])] = a.VarArgs[i + 1];
                }
                foreach(var kv in a.KwArgs)
                {
                    dict[kv.Key] = kv.Value;
                }
                return dict;
            });
            yield return K("Catenate", "*items", a =>
            {
                var items = a.VarArgs.Select(RobotValues.ToText).ToList();
                var separator = " ";
                if(items.Count > 0 && items[0].StartsWith("SEPARATOR=", StringComparison.Ordinal))
                {
                    separator = items[0].Substring(10);
                    items.RemoveAt(0);
                }
                return string.Join(separator, items);
            });
            yield return K("Evaluate", "expression, modules=None, namespace=None", a =>
            {
                if(a["namespace"] is IDictionary<string, object?> ns)
                {
                    foreach(var kv in ns)
                    {
                        e.Scopes.SetLocal(kv.Key, kv.Value);
                    }
                }
                return e.EvaluateExpression(a.Text("expression"));
            }, "Evaluates a Python expression (a subset: numbers, strings, lists, arithmetic, comparisons, a few builtins).");
            yield return K("Get Length", "item", a => (long)Length(a["item"]));
            yield return K("Length Should Be", "item, length, msg=None", a =>
            {
                var actual = Length(a["item"]);
                var expected = a.Integer("length");
                return actual == expected ? null : throw new RobotFailure(a.OptionalText("msg") ?? $"Length of '{RobotValues.ToText(a["item"])}' should be {expected} but is {actual}.");
            });
            yield return K("Get Count", "container, item", a => (long)Count(a["container"], a["item"]));
            yield return K("Get Time", "format=timestamp, time_=NOW", _ => DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));

            // ---- conversions ----
            yield return K("Convert To Integer", "item, base=None", a => ToInteger(a["item"], a.IsGiven("base") ? (int)a.Integer("base") : null));
            yield return K("Convert To Number", "item, precision=None", a =>
            {
                var v = a["item"];
                var number = v is string s ? (RobotValues.TryParseNumber(s, out var n) ? RobotValues.ToDouble(n) : throw new RobotFailure($"'{s}' cannot be converted to a floating point number.")) : RobotValues.ToDouble(v);
                return a.IsGiven("precision") ? Math.Round(number, (int)a.Integer("precision"), MidpointRounding.ToEven) : number;
            });
            yield return K("Convert To String", "item", a => a.Text("item"));
            yield return K("Convert To Boolean", "item", a => a["item"] is string s
                ? s.Trim().ToUpperInvariant() switch
                {
                    "TRUE" => true,
                    "FALSE" => false,
                    _ => s.Length > 0,
                }
                : RobotValues.Truthy(a["item"]));
            yield return K("Convert To Hex", "item, base=None, prefix=None, length=None, lowercase=False", a => ConvertToBase(a, 16));
            yield return K("Convert To Binary", "item, base=None, prefix=None, length=None", a => ConvertToBase(a, 2));
            yield return K("Convert To Octal", "item, base=None, prefix=None, length=None", a => ConvertToBase(a, 8));

            // ---- assertions ----
            yield return K("Should Be Equal", "first, second, msg=None, values=True, ignore_case=False, formatter=str, strip_spaces=False, collapse_spaces=False", a =>
            {
                var first = a["first"];
                var second = a["second"];
                if(first is string f && second is string s2)
                {
                    first = Normalize(f, a);
                    second = Normalize(s2, a);
                }
                if(RobotValues.PyEquals(first, second))
                {
                    return null;
                }
                var firstText = a.Text("formatter") == "repr" ? RobotValues.Repr(first) : RobotValues.ToText(first);
                var secondText = a.Text("formatter") == "repr" ? RobotValues.Repr(second) : RobotValues.ToText(second);
                if(firstText == secondText)
                {
                    firstText += $" ({RobotValues.TypeName(first)})";
                    secondText += $" ({RobotValues.TypeName(second)})";
                }
                throw Failure(a, $"{firstText} != {secondText}");
            });
            yield return K("Should Not Be Equal", "first, second, msg=None, values=True, ignore_case=False, strip_spaces=False, collapse_spaces=False", a =>
            {
                var first = a["first"] is string f ? Normalize(f, a) : a["first"];
                var second = a["second"] is string s2 ? Normalize(s2, a) : a["second"];
                return !RobotValues.PyEquals(first, second) ? null : throw Failure(a, $"{RobotValues.ToText(first)} == {RobotValues.ToText(second)}");
            });
            yield return K("Should Be Equal As Strings", "first, second, msg=None, values=True, ignore_case=False, strip_spaces=False, formatter=str, collapse_spaces=False", a =>
            {
                var first = Normalize(a.Text("first"), a);
                var second = Normalize(a.Text("second"), a);
                return first == second ? null : throw Failure(a, $"{first} != {second}");
            });
            yield return K("Should Not Be Equal As Strings", "first, second, msg=None, values=True, ignore_case=False, strip_spaces=False, collapse_spaces=False", a =>
            {
                var first = Normalize(a.Text("first"), a);
                var second = Normalize(a.Text("second"), a);
                return first != second ? null : throw Failure(a, $"{first} == {second}");
            });
            yield return K("Should Be Equal As Integers", "first, second, msg=None, values=True, base=None", a =>
            {
                var numberBase = a.IsGiven("base") ? (int?)a.Integer("base") : null;
                var first = ToInteger(a["first"], numberBase);
                var second = ToInteger(a["second"], numberBase);
                return first == second ? null : throw Failure(a, $"{first} != {second}");
            });
            yield return K("Should Not Be Equal As Integers", "first, second, msg=None, values=True, base=None", a =>
            {
                var numberBase = a.IsGiven("base") ? (int?)a.Integer("base") : null;
                var first = ToInteger(a["first"], numberBase);
                var second = ToInteger(a["second"], numberBase);
                return first != second ? null : throw Failure(a, $"{first} == {second}");
            });
            yield return K("Should Be Equal As Numbers", "first, second, msg=None, values=True, precision=6", a =>
            {
                var precision = (int)a.Integer("precision");
                var first = Math.Round(ToNumber(a["first"]), precision, MidpointRounding.ToEven);
                var second = Math.Round(ToNumber(a["second"]), precision, MidpointRounding.ToEven);
                return first == second ? null : throw Failure(a, $"{RobotValues.FormatDouble(first)} != {RobotValues.FormatDouble(second)}");
            });
            yield return K("Should Not Be Equal As Numbers", "first, second, msg=None, values=True, precision=6", a =>
            {
                var precision = (int)a.Integer("precision");
                var first = Math.Round(ToNumber(a["first"]), precision, MidpointRounding.ToEven);
                var second = Math.Round(ToNumber(a["second"]), precision, MidpointRounding.ToEven);
                return first != second ? null : throw Failure(a, $"{RobotValues.FormatDouble(first)} == {RobotValues.FormatDouble(second)}");
            });
            yield return K("Should Be True", "condition, msg=None", a => e.EvaluateCondition(a["condition"]) ? null
                : throw new RobotFailure(a.OptionalText("msg") ?? $"'{RobotValues.ToText(a["condition"])}' should be true."));
            yield return K("Should Not Be True", "condition, msg=None", a => !e.EvaluateCondition(a["condition"]) ? null
                : throw new RobotFailure(a.OptionalText("msg") ?? $"'{RobotValues.ToText(a["condition"])}' should not be true."));
            yield return K("Should Contain", "container, item, msg=None, values=True, ignore_case=False, strip_spaces=False, collapse_spaces=False", a =>
                Contains(a["container"], a["item"], a) ? null : throw Failure(a, $"{Show(a["container"])} does not contain {Show(a["item"])}"));
            yield return K("Should Not Contain", "container, item, msg=None, values=True, ignore_case=False, strip_spaces=False, collapse_spaces=False", a =>
                !Contains(a["container"], a["item"], a) ? null : throw Failure(a, $"{Show(a["container"])} contains {Show(a["item"])}"));
            yield return K("Should Contain X Times", "container, item, count, msg=None, ignore_case=False", a =>
            {
                var actual = Count(a["container"], a["item"]);
                var expected = a.Integer("count");
                return actual == expected ? null : throw new RobotFailure(a.OptionalText("msg") ?? $"{Show(a["container"])} contains {Show(a["item"])} {actual} time{(actual == 1 ? "" : "s")}, not {expected} time{(expected == 1 ? "" : "s")}.");
            });
            yield return K("Should Contain Any", "container, *items", a =>
                a.VarArgs.Any(i => Contains(a["container"], i, a)) ? null : throw new RobotFailure($"{Show(a["container"])} does not contain any of {RobotValues.Repr(a.VarArgs)}"));
            yield return K("Should Start With", "str1, str2, msg=None, values=True, ignore_case=False, strip_spaces=False, collapse_spaces=False", a =>
                Normalize(a.Text("str1"), a).StartsWith(Normalize(a.Text("str2"), a), StringComparison.Ordinal) ? null : throw Failure(a, $"'{a.Text("str1")}' does not start with '{a.Text("str2")}'"));
            yield return K("Should Not Start With", "str1, str2, msg=None, values=True, ignore_case=False", a =>
                !Normalize(a.Text("str1"), a).StartsWith(Normalize(a.Text("str2"), a), StringComparison.Ordinal) ? null : throw Failure(a, $"'{a.Text("str1")}' starts with '{a.Text("str2")}'"));
            yield return K("Should End With", "str1, str2, msg=None, values=True, ignore_case=False, strip_spaces=False, collapse_spaces=False", a =>
                Normalize(a.Text("str1"), a).EndsWith(Normalize(a.Text("str2"), a), StringComparison.Ordinal) ? null : throw Failure(a, $"'{a.Text("str1")}' does not end with '{a.Text("str2")}'"));
            yield return K("Should Not End With", "str1, str2, msg=None, values=True, ignore_case=False", a =>
                !Normalize(a.Text("str1"), a).EndsWith(Normalize(a.Text("str2"), a), StringComparison.Ordinal) ? null : throw Failure(a, $"'{a.Text("str1")}' ends with '{a.Text("str2")}'"));
            yield return K("Should Match", "string, pattern, msg=None, values=True, ignore_case=False", a =>
                RobotValues.GlobToRegex(a.Text("pattern"), a.Bool("ignore_case")).IsMatch(a.Text("string")) ? null : throw Failure(a, $"'{a.Text("string")}' does not match '{a.Text("pattern")}'"));
            yield return K("Should Not Match", "string, pattern, msg=None, values=True, ignore_case=False", a =>
                !RobotValues.GlobToRegex(a.Text("pattern"), a.Bool("ignore_case")).IsMatch(a.Text("string")) ? null : throw Failure(a, $"'{a.Text("string")}' matches '{a.Text("pattern")}'"));
            yield return K("Should Match Regexp", "string, pattern, msg=None, values=True, flags=None", a =>
            {
                var match = MakeRegex(a.Text("pattern"), a.OptionalText("flags")).Match(a.Text("string"));
                if(!match.Success)
                {
                    throw Failure(a, $"'{a.Text("string")}' does not match '{a.Text("pattern")}'");
                }
                if(match.Groups.Count == 1)
                {
                    return match.Value;
                }
                var result = new List<object?> { match.Value };
                result.AddRange(match.Groups.Cast<Group>().Skip(1).Select(g => g.Success ? (object?)g.Value : null));
                return result;
            });
            yield return K("Should Not Match Regexp", "string, pattern, msg=None, values=True, flags=None", a =>
                !MakeRegex(a.Text("pattern"), a.OptionalText("flags")).IsMatch(a.Text("string")) ? null : throw Failure(a, $"'{a.Text("string")}' matches '{a.Text("pattern")}'"));
            yield return K("Should Be Empty", "item, msg=None", a => Length(a["item"]) == 0 ? null : throw new RobotFailure(a.OptionalText("msg") ?? $"'{RobotValues.ToText(a["item"])}' should be empty."));
            yield return K("Should Not Be Empty", "item, msg=None", a => Length(a["item"]) != 0 ? null : throw new RobotFailure(a.OptionalText("msg") ?? $"'{RobotValues.ToText(a["item"])}' should not be empty."));

            // ---- running keywords ----
            yield return Raw("Run Keyword", raw => e.RunKeyword(Name0(raw, "Run Keyword"), raw.Skip(1).ToList()));
            yield return Raw("Run Keywords", raw =>
            {
                var groups = new List<List<string>>();
                if(raw.Contains("AND"))
                {
                    var current = new List<string>();
                    foreach(var cell in raw)
                    {
                        if(cell == "AND")
                        {
                            groups.Add(current);
                            current = new List<string>();
                        }
                        else
                        {
                            current.Add(cell);
                        }
                    }
                    groups.Add(current);
                }
                else
                {
                    groups.AddRange(raw.Select(c => new List<string> { c }));
                }
                foreach(var group in groups)
                {
                    if(group.Count == 0)
                    {
                        throw new RobotFailure("Run Keywords: an empty keyword between AND separators", catchable: false);
                    }
                    e.RunKeyword(group[0], group.Skip(1).ToList());
                }
                return null;
            });
            yield return Raw("Run Keyword If", raw => RunKeywordIf(e, raw, negate: false));
            yield return Raw("Run Keyword Unless", raw => RunKeywordIf(e, raw, negate: true));
            yield return Raw("Run Keyword And Return Status", raw =>
            {
                try
                {
                    e.RunKeyword(Name0(raw, "Run Keyword And Return Status"), raw.Skip(1).ToList());
                    return true;
                }
                catch(RobotFailure f) when(f.Catchable)
                {
                    return false;
                }
            });
            yield return Raw("Run Keyword And Ignore Error", raw =>
            {
                try
                {
                    return new List<object?> { "PASS", e.RunKeyword(Name0(raw, "Run Keyword And Ignore Error"), raw.Skip(1).ToList()) };
                }
                catch(RobotFailure f) when(f.Catchable)
                {
                    return new List<object?> { "FAIL", f.Message };
                }
            });
            yield return Raw("Run Keyword And Expect Error", raw =>
            {
                if(raw.Count < 2)
                {
                    throw new RobotFailure("Run Keyword And Expect Error needs an expected error and a keyword", catchable: false);
                }
                var expected = e.Resolver.ResolveString(raw[0]);
                string message;
                try
                {
                    e.RunKeyword(raw[1], raw.Skip(2).ToList());
                }
                catch(RobotFailure f) when(f.Catchable)
                {
                    message = f.Message;
                    if(!RobotEngine.ErrorMatches("glob-default", expected, message))
                    {
                        throw new RobotFailure($"Expected error '{expected}' but got '{message}'.");
                    }
                    return message;
                }
                throw new RobotFailure($"Expected error '{expected}' did not occur.");
            });
            yield return Raw("Run Keyword If Test Failed", raw => RunIfTestStatus(e, raw, Status.Fail));
            yield return Raw("Run Keyword If Test Passed", raw => RunIfTestStatus(e, raw, Status.Pass));
            yield return Raw("Run Keyword If All Tests Passed", _ => null);
            yield return Raw("Repeat Keyword", raw =>
            {
                if(raw.Count < 2)
                {
                    throw new RobotFailure("Repeat Keyword needs a count (e.g. 3 times) and a keyword", catchable: false);
                }
                var times = e.Resolver.ResolveString(raw[0]).Trim();
                var trimmed = Regex.Replace(times, @"\s*(times|x)$", "", RegexOptions.IgnoreCase);
                if(!RobotValues.TryParseInteger(trimmed, out var count))
                {
                    throw new RobotFailure($"Repeat Keyword: invalid count '{times}' (only a number of repetitions is supported)");
                }
                for(var i = 0; i < count; i++)
                {
                    e.RunKeyword(raw[1], raw.Skip(2).ToList());
                }
                return null;
            });
            yield return Raw("Wait Until Keyword Succeeds", raw =>
            {
                if(raw.Count < 3)
                {
                    throw new RobotFailure("Wait Until Keyword Succeeds needs a retry (e.g. 5x or 10 s), a retry interval and a keyword", catchable: false);
                }
                var retry = e.Resolver.ResolveString(raw[0]).Trim();
                var interval = RobotValues.ParseTime(e.Resolver.Resolve(raw[1]));
                var countMatch = Regex.Match(retry, @"^(\d+)\s*(x|times?)$", RegexOptions.IgnoreCase);
                int? maxAttempts = countMatch.Success ? int.Parse(countMatch.Groups[1].Value, CultureInfo.InvariantCulture) : null;
                var maxTime = maxAttempts.HasValue ? 0 : RobotValues.ParseTime(retry);
                var started = DateTime.UtcNow;
                var slept = 0.0;
                var attempt = 0;
                while(true)
                {
                    attempt++;
                    try
                    {
                        return e.RunKeyword(raw[2], raw.Skip(3).ToList());
                    }
                    catch(RobotFailure f) when(f.Catchable)
                    {
                        var elapsed = Math.Max(slept, (DateTime.UtcNow - started).TotalSeconds);
                        var done = maxAttempts.HasValue ? attempt >= maxAttempts.Value : elapsed + interval > maxTime;
                        if(done)
                        {
                            var how = maxAttempts.HasValue ? $"{maxAttempts} time{(maxAttempts == 1 ? "" : "s")}" : $"for {RobotValues.FormatTime(maxTime)}";
                            throw new RobotFailure($"Keyword '{e.Resolver.ResolveString(raw[2])}' failed after retrying {how}. The last error was: {f.Message}");
                        }
                    }
                    e.CheckTimeout();
                    e.Renode.AdvanceVirtualTime(interval);
                    slept += interval;
                }
            });
            yield return K("Return From Keyword", "*return_values", a => throw new ReturnSignal(a.VarArgs.Count == 0 ? null : a.VarArgs.Count == 1 ? a.VarArgs[0] : a.VarArgs.ToList()));
            yield return K("Return From Keyword If", "condition, *return_values", a =>
            {
                if(e.EvaluateCondition(a["condition"]))
                {
                    throw new ReturnSignal(a.VarArgs.Count == 0 ? null : a.VarArgs.Count == 1 ? a.VarArgs[0] : a.VarArgs.ToList());
                }
                return null;
            });
        }

        private static string Name0(IReadOnlyList<string> raw, string keyword)
        {
            if(raw.Count == 0)
            {
                throw new RobotFailure($"{keyword} needs the name of a keyword to run", catchable: false);
            }
            return raw[0];
        }

        private static object? RunKeywordIf(RobotEngine e, IReadOnlyList<string> raw, bool negate)
        {
            var cells = raw.ToList();
            while(cells.Count > 0)
            {
                if(cells.Count < 2)
                {
                    throw new RobotFailure($"Run Keyword {(negate ? "Unless" : "If")} needs a condition and a keyword", catchable: false);
                }
                var condition = e.EvaluateCondition(e.Resolver.Resolve(cells[0]));
                if(negate)
                {
                    condition = !condition;
                }
                var end = cells.FindIndex(1, c => c == "ELSE IF" || c == "ELSE");
                if(negate && end >= 0)
                {
                    throw new RobotFailure("Run Keyword Unless does not support ELSE or ELSE IF", catchable: false);
                }
                var call = end < 0 ? cells.Skip(1).ToList() : cells.GetRange(1, end - 1);
                if(condition)
                {
                    return call.Count == 0 ? throw new RobotFailure("Run Keyword If: a branch has no keyword", catchable: false) : e.RunKeyword(call[0], call.Skip(1).ToList());
                }
                if(end < 0)
                {
                    return null;
                }
                if(cells[end] == "ELSE")
                {
                    var rest = cells.Skip(end + 1).ToList();
                    if(rest.Count == 0)
                    {
                        throw new RobotFailure("Run Keyword If: ELSE has no keyword", catchable: false);
                    }
                    return e.RunKeyword(rest[0], rest.Skip(1).ToList());
                }
                cells = cells.Skip(end + 1).ToList();
            }
            return null;
        }

        private static object? RunIfTestStatus(RobotEngine e, IReadOnlyList<string> raw, string status)
        {
            if(!e.Scopes.TryGet("TEST STATUS", out var current))
            {
                throw new RobotFailure($"Keyword 'Run Keyword If Test {(status == Status.Fail ? "Failed" : "Passed")}' can only be used in test teardown.");
            }
            return RobotValues.ToText(current) == status ? e.RunKeyword(Name0(raw, "Run Keyword If Test ..."), raw.Skip(1).ToList()) : null;
        }

        private static string VariableName(RobotEngine e, string raw)
        {
            var text = raw.StartsWith('\\') ? raw.Substring(1) : raw;
            if(RobotParser.IsVariable(text))
            {
                return text.Substring(2, text.Length - 3);
            }
            if(text.StartsWith('$') || text.StartsWith('@') || text.StartsWith('&'))
            {
                return text.Substring(1);
            }
            var resolved = e.Resolver.ResolveString(raw);
            if(RobotParser.IsVariable(resolved))
            {
                return resolved.Substring(2, resolved.Length - 3);
            }
            throw new RobotFailure($"Invalid variable name '{raw}' (expected ${{name}}, \\${{name}} or $name).");
        }

        private static void SetVariable(RobotEngine e, string scope, IReadOnlyList<string> raw)
        {
            if(raw.Count == 0)
            {
                throw new RobotFailure($"Set {scope} Variable needs a variable name", catchable: false);
            }
            var first = raw[0].StartsWith('\\') ? raw[0].Substring(1) : raw[0];
            var sigil = first.Length > 0 && (first[0] == '@' || first[0] == '&') ? first[0] : '$';
            var name = VariableName(e, raw[0]);
            object? value;
            if(raw.Count == 1)
            {
                if(!e.Scopes.TryGet(name, out value))
                {
                    throw new RobotFailure($"Variable '${{{name}}}' not found.");
                }
            }
            else if(sigil == '&')
            {
                var dict = new Dictionary<string, object?>();
                foreach(var cell in raw.Skip(1))
                {
                    var eq = RobotEngine.FindUnescapedEquals(cell);
                    if(eq < 0)
                    {
                        throw new RobotFailure($"invalid dictionary item '{cell}' (expected name=value)");
                    }
                    dict[e.Resolver.ResolveString(cell.Substring(0, eq))] = e.Resolver.Resolve(cell.Substring(eq + 1));
                }
                value = dict;
            }
            else
            {
                var values = e.Resolver.ResolveList(raw.Skip(1));
                value = sigil == '@' || values.Count != 1 ? values : values[0];
            }
            switch(scope)
            {
            case "Test":
            case "Task":
                e.Scopes.SetTest(name, value);
                break;
            case "Suite":
                e.Scopes.SetSuite(name, value);
                break;
            case "Global":
                e.Scopes.SetGlobal(name, value);
                break;
            default:
                e.Scopes.SetLocal(name, value);
                break;
            }
        }

        private static RobotFailure Failure(KeywordArgs a, string standard)
        {
            var msg = a.OptionalText("msg");
            if(msg == null)
            {
                return new RobotFailure(standard);
            }
            var showValues = !a.Values.ContainsKey("values") || RobotValues.IsTrueArgument(a["values"]);
            return new RobotFailure(showValues ? $"{msg}: {standard}" : msg);
        }

        private static string Normalize(string text, KeywordArgs a)
        {
            if(a.Values.ContainsKey("ignore_case") && a.Bool("ignore_case"))
            {
                text = text.ToLowerInvariant();
            }
            if(a.Values.ContainsKey("strip_spaces") && a["strip_spaces"] is { } strip && RobotValues.IsTrueArgument(strip))
            {
                var mode = RobotValues.ToText(strip).ToUpperInvariant();
                text = mode == "LEADING" ? text.TrimStart() : mode == "TRAILING" ? text.TrimEnd() : text.Trim();
            }
            if(a.Values.ContainsKey("collapse_spaces") && a.Bool("collapse_spaces"))
            {
                text = Regex.Replace(text, @"\s+", " ");
            }
            return text;
        }

        private static string Show(object? value) => value is string s ? $"'{s}'" : RobotValues.Repr(value);

        private static bool Contains(object? container, object? item, KeywordArgs a)
        {
            switch(container)
            {
            case string s:
                return Normalize(s, a).Contains(Normalize(RobotValues.ToText(item), a), StringComparison.Ordinal);
            case IDictionary<string, object?> d:
                return d.ContainsKey(RobotValues.ToText(item));
            case IList<object?> l:
                return a.Bool("ignore_case") && item is string itemText
                    ? l.Any(x => x is string xs && string.Equals(xs, itemText, StringComparison.OrdinalIgnoreCase))
                    : l.Any(x => RobotValues.PyEquals(x, item));
            default:
                throw new RobotFailure($"Converting '{RobotValues.ToText(container)}' to a container failed: it is {RobotValues.TypeName(container)}.");
            }
        }

        private static int Count(object? container, object? item)
        {
            switch(container)
            {
            case string s:
                var what = RobotValues.ToText(item);
                return what.Length == 0 ? s.Length + 1 : (s.Length - s.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;
            case IList<object?> l:
                return l.Count(x => RobotValues.PyEquals(x, item));
            case IDictionary<string, object?> d:
                return d.ContainsKey(RobotValues.ToText(item)) ? 1 : 0;
            default:
                throw new RobotFailure($"Cannot count items in {RobotValues.TypeName(container)}.");
            }
        }

        private static int Length(object? item) => item switch
        {
            string s => s.Length,
            System.Collections.ICollection c => c.Count,
            _ => throw new RobotFailure($"Could not get length of '{RobotValues.ToText(item)}'."),
        };

        public static long ToInteger(object? item, int? numberBase)
        {
            switch(item)
            {
            case string s:
                var text = s.Trim();
                if(RobotValues.TryParseInteger(text, out var value, numberBase))
                {
                    return value;
                }
                if(numberBase == null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d))
                {
                    return (long)d;
                }
                throw new RobotFailure($"'{s}' cannot be converted to an integer{(numberBase.HasValue ? $" (base {numberBase})" : "")}.");
            case double dd:
                return (long)Math.Truncate(dd);
            case null:
                throw new RobotFailure("'None' cannot be converted to an integer.");
            default:
                return RobotValues.ToLong(item);
            }
        }

        private static double ToNumber(object? item) => item is string s
            ? (RobotValues.TryParseNumber(s, out var n) ? RobotValues.ToDouble(n) : throw new RobotFailure($"'{s}' cannot be converted to a floating point number."))
            : RobotValues.ToDouble(item);

        private static string ConvertToBase(KeywordArgs a, int outputBase)
        {
            var value = ToInteger(a["item"], a.IsGiven("base") ? (int)a.Integer("base") : null);
            var digits = Convert.ToString(Math.Abs(value), outputBase);
            if(outputBase == 16 && !(a.Values.ContainsKey("lowercase") && a.Bool("lowercase")))
            {
                digits = digits.ToUpperInvariant();
            }
            if(a.IsGiven("length"))
            {
                digits = digits.PadLeft((int)a.Integer("length"), '0');
            }
            return (value < 0 ? "-" : "") + (a.OptionalText("prefix") ?? "") + digits;
        }

        public static Regex MakeRegex(string pattern, string? flags)
        {
            var options = RegexOptions.CultureInvariant;
            var inline = Regex.Match(pattern, @"^\(\?([imsx]+)\)");
            if(inline.Success)
            {
                flags = (flags ?? "") + inline.Groups[1].Value;
                pattern = pattern.Substring(inline.Length);
            }
            foreach(var flag in (flags ?? "").ToUpperInvariant().Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).SelectMany(f => f.Length == 1 || f.StartsWith("RE.", StringComparison.Ordinal) ? new[] { f.Replace("RE.", "", StringComparison.Ordinal) } : f.Select(c => c.ToString())))
            {
                options |= flag switch
                {
                    "I" or "IGNORECASE" => RegexOptions.IgnoreCase,
                    "M" or "MULTILINE" => RegexOptions.Multiline,
                    "S" or "DOTALL" => RegexOptions.Singleline,
                    "X" or "VERBOSE" => RegexOptions.IgnorePatternWhitespace,
                    _ => throw new RobotFailure($"unsupported regular expression flag '{flag}'"),
                };
            }
            try
            {
                return new Regex(pattern.Replace("(?P<", "(?<", StringComparison.Ordinal), options);
            }
            catch(ArgumentException ex)
            {
                throw new RobotFailure($"invalid regular expression '{pattern}': {ex.Message}");
            }
        }
    }
}
