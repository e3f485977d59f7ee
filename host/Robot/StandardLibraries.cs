// The parts of Robot Framework's Collections and String libraries that suites here use; available after
// 'Library    Collections' / 'Library    String', as in Robot.
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace RenodeGic.Host.Robot
{
    public static class CollectionsLibrary
    {
        public const string Name = "Collections";

        public static IEnumerable<LibraryKeyword> Create()
        {
            LibraryKeyword K(string name, string args, Func<KeywordArgs, object?> body) => new LibraryKeyword(Name, name, args, body);
            IList<object?> L(KeywordArgs a, string n) => a[n] as IList<object?> ?? throw new RobotFailure($"Expected argument '{n}' to be a list, got {RobotValues.TypeName(a[n])}.");
            IDictionary<string, object?> D(KeywordArgs a, string n) => a[n] as IDictionary<string, object?> ?? throw new RobotFailure($"Expected argument '{n}' to be a dictionary, got {RobotValues.TypeName(a[n])}.");
            int Index(KeywordArgs a, IList<object?> list, string n)
            {
                var i = a.Integer(n);
                var at = i < 0 ? i + list.Count : i;
                return at >= 0 && at < list.Count ? (int)at : throw new RobotFailure($"Given index {i} is out of the range 0-{list.Count - 1}.");
            }

            yield return K("Append To List", "list_, *values", a =>
            {
                var list = L(a, "list_");
                foreach(var v in a.VarArgs)
                {
                    list.Add(v);
                }
                return null;
            });
            yield return K("Insert Into List", "list_, index, value", a =>
            {
                var list = L(a, "list_");
                var i = a.Integer("index");
                list.Insert((int)Math.Clamp(i < 0 ? i + list.Count : i, 0, list.Count), a["value"]);
                return null;
            });
            yield return K("Combine Lists", "*lists", a => a.VarArgs.SelectMany(l => l as IList<object?> ?? throw new RobotFailure("Combine Lists takes lists")).ToList());
            yield return K("Copy List", "list_, deepcopy=False", a => L(a, "list_").ToList());
            yield return K("Convert To List", "item", a => VariableResolver.AsList(a["item"], "item").ToList());
            yield return K("Count Values In List", "list_, value, start=0, end=None", a => (long)L(a, "list_").Count(v => RobotValues.PyEquals(v, a["value"])));
            yield return K("Get From List", "list_, index", a =>
            {
                var list = L(a, "list_");
                return list[Index(a, list, "index")];
            });
            yield return K("Get Index From List", "list_, value, start=0, end=None", a => (long)L(a, "list_").ToList().FindIndex(v => RobotValues.PyEquals(v, a["value"])));
            yield return K("Get Slice From List", "list_, start=0, end=None", a =>
            {
                var list = L(a, "list_");
                var (start, stop) = Expression.SliceBounds(a.OptionalInteger("start"), a.OptionalInteger("end"), list.Count);
                return list.Skip(start).Take(stop - start).ToList();
            });
            yield return K("Remove From List", "list_, index", a =>
            {
                var list = L(a, "list_");
                var i = Index(a, list, "index");
                var v = list[i];
                list.RemoveAt(i);
                return v;
            });
            yield return K("Remove Values From List", "list_, *values", a =>
            {
                var list = L(a, "list_");
                for(var i = list.Count - 1; i >= 0; i--)
                {
                    if(a.VarArgs.Any(v => RobotValues.PyEquals(v, list[i])))
                    {
                        list.RemoveAt(i);
                    }
                }
                return null;
            });
            yield return K("Set List Value", "list_, index, value", a =>
            {
                var list = L(a, "list_");
                list[Index(a, list, "index")] = a["value"];
                return null;
            });
            yield return K("Sort List", "list_", a =>
            {
                var list = L(a, "list_");
                var sorted = list.OrderBy(v => v is string ? 1 : 0).ThenBy(v => v is string s ? 0 : RobotValues.ToDouble(v)).ThenBy(v => v as string, StringComparer.Ordinal).ToList();
                list.Clear();
                foreach(var v in sorted)
                {
                    list.Add(v);
                }
                return null;
            });
            yield return K("List Should Contain Value", "list_, value, msg=None", a =>
                L(a, "list_").Any(v => RobotValues.PyEquals(v, a["value"])) ? null : throw new RobotFailure(a.OptionalText("msg") ?? $"{RobotValues.Repr(a["list_"])} does not contain value '{RobotValues.ToText(a["value"])}'."));
            yield return K("List Should Not Contain Value", "list_, value, msg=None", a =>
                !L(a, "list_").Any(v => RobotValues.PyEquals(v, a["value"])) ? null : throw new RobotFailure(a.OptionalText("msg") ?? $"{RobotValues.Repr(a["list_"])} contains value '{RobotValues.ToText(a["value"])}'."));
            yield return K("Lists Should Be Equal", "list1, list2, msg=None, values=True, names=None, ignore_order=False", a =>
            {
                var l1 = L(a, "list1").ToList();
                var l2 = L(a, "list2").ToList();
                if(a.Bool("ignore_order"))
                {
                    l1 = l1.OrderBy(RobotValues.Repr, StringComparer.Ordinal).ToList();
                    l2 = l2.OrderBy(RobotValues.Repr, StringComparer.Ordinal).ToList();
                }
                if(l1.Count != l2.Count)
                {
                    throw new RobotFailure(a.OptionalText("msg") ?? $"Lengths are different: {l1.Count} != {l2.Count}");
                }
                var diffs = Enumerable.Range(0, l1.Count).Where(i => !RobotValues.PyEquals(l1[i], l2[i])).Select(i => $"Index {i}: {RobotValues.ToText(l1[i])} != {RobotValues.ToText(l2[i])}").ToList();
                return diffs.Count == 0 ? null : throw new RobotFailure(a.OptionalText("msg") ?? "Lists are different:\n" + string.Join("\n", diffs));
            });
            yield return K("Get From Dictionary", "dictionary, key, default=None", a =>
            {
                var d = D(a, "dictionary");
                var key = a.Text("key");
                return d.TryGetValue(key, out var v) ? v : a.IsGiven("default") ? a["default"] : throw new RobotFailure($"Dictionary does not contain key '{key}'.");
            });
            yield return K("Set To Dictionary", "dictionary, *key_value_pairs, **items", a =>
            {
                var d = D(a, "dictionary");
                if(a.VarArgs.Count % 2 != 0)
                {
                    throw new RobotFailure("Adding data to a dictionary failed. There should be even number of key-value-pairs.");
                }
                for(var i = 0; i < a.VarArgs.Count; i += 2)
                {
                    d[RobotValues.ToText(a.VarArgs[i])] = a.VarArgs[i + 1];
                }
                foreach(var kv in a.KwArgs)
                {
                    d[kv.Key] = kv.Value;
                }
                return d;
            });
            yield return K("Remove From Dictionary", "dictionary, *keys", a =>
            {
                var d = D(a, "dictionary");
                foreach(var k in a.VarArgs)
                {
                    d.Remove(RobotValues.ToText(k));
                }
                return null;
            });
            yield return K("Get Dictionary Keys", "dictionary, sort_keys=True", a =>
            {
                var keys = D(a, "dictionary").Keys.Select(k => (object?)k);
                return (a.Bool("sort_keys") ? keys.OrderBy(k => (string)k!, StringComparer.Ordinal) : keys).ToList();
            });
            yield return K("Get Dictionary Values", "dictionary, sort_keys=True", a =>
            {
                var d = D(a, "dictionary");
                var keys = a.Bool("sort_keys") ? d.Keys.OrderBy(k => k, StringComparer.Ordinal) : d.Keys.AsEnumerable();
                return keys.Select(k => d[k]).ToList();
            });
            yield return K("Dictionary Should Contain Key", "dictionary, key, msg=None", a =>
                D(a, "dictionary").ContainsKey(a.Text("key")) ? null : throw new RobotFailure(a.OptionalText("msg") ?? $"Dictionary does not contain key '{a.Text("key")}'."));
            yield return K("Dictionary Should Not Contain Key", "dictionary, key, msg=None", a =>
                !D(a, "dictionary").ContainsKey(a.Text("key")) ? null : throw new RobotFailure(a.OptionalText("msg") ?? $"Dictionary contains key '{a.Text("key")}'."));
            yield return K("Dictionary Should Contain Value", "dictionary, value, msg=None", a =>
                D(a, "dictionary").Values.Any(v => RobotValues.PyEquals(v, a["value"])) ? null : throw new RobotFailure(a.OptionalText("msg") ?? $"Dictionary does not contain value '{RobotValues.ToText(a["value"])}'."));
        }
    }

    public static class StringLibrary
    {
        public const string Name = "String";

        public static IEnumerable<LibraryKeyword> Create()
        {
            LibraryKeyword K(string name, string args, Func<KeywordArgs, object?> body) => new LibraryKeyword(Name, name, args, body);
            List<string> Lines(string s) => s.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').ToList();

            yield return K("Convert To Upper Case", "string", a => a.Text("string").ToUpperInvariant());
            yield return K("Convert To Lower Case", "string", a => a.Text("string").ToLowerInvariant());
            yield return K("Split String", "string, separator=None, max_split=-1", a =>
            {
                var s = a.Text("string");
                var max = (int)a.Integer("max_split");
                var separator = a.OptionalText("separator");
                string[] parts = separator == null
                    ? (max < 0 ? s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) : s.Split((char[]?)null, max + 1, StringSplitOptions.RemoveEmptyEntries))
                    : (max < 0 ? s.Split(separator) : s.Split(separator, max + 1));
                return parts.Select(p => (object?)p).ToList();
            });
            yield return K("Split To Lines", "string, start=0, end=None", a =>
            {
                var lines = Lines(a.Text("string"));
                if(lines.Count > 0 && lines[^1].Length == 0)
                {
                    lines.RemoveAt(lines.Count - 1);
                }
                var (start, stop) = Expression.SliceBounds(a.OptionalInteger("start"), a.OptionalInteger("end"), lines.Count);
                return lines.Skip(start).Take(stop - start).Select(l => (object?)l).ToList();
            });
            yield return K("Get Line", "string, line_number", a =>
            {
                var lines = Lines(a.Text("string"));
                var i = a.Integer("line_number");
                var at = i < 0 ? i + lines.Count : i;
                return at >= 0 && at < lines.Count ? lines[(int)at] : throw new RobotFailure($"Line {i} does not exist (the string has {lines.Count} lines).");
            });
            yield return K("Get Line Count", "string", a => (long)Lines(a.Text("string")).Count);
            yield return K("Get Lines Containing String", "string, pattern, case_insensitive=False", a =>
                string.Join("\n", Lines(a.Text("string")).Where(l => l.Contains(a.Text("pattern"), a.Bool("case_insensitive") ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))));
            yield return K("Get Lines Matching Regexp", "string, pattern, partial_match=False", a =>
            {
                var regex = BuiltInLibrary.MakeRegex(a.Bool("partial_match") ? a.Text("pattern") : "^(?:" + a.Text("pattern") + ")$", null);
                return string.Join("\n", Lines(a.Text("string")).Where(l => regex.IsMatch(l)));
            });
            yield return K("Get Regexp Matches", "string, pattern, *groups", a =>
            {
                var matches = BuiltInLibrary.MakeRegex(a.Text("pattern"), null).Matches(a.Text("string"));
                if(a.VarArgs.Count == 0)
                {
                    return matches.Select(m => (object?)m.Value).ToList();
                }
                return matches.Select(m =>
                {
                    var values = a.VarArgs.Select(g => (object?)(RobotValues.TryParseInteger(RobotValues.ToText(g), out var n) ? m.Groups[(int)n].Value : m.Groups[RobotValues.ToText(g)].Value)).ToList();
                    return values.Count == 1 ? values[0] : values;
                }).ToList();
            });
            yield return K("Replace String", "string, search_for, replace_with, count=-1", a =>
            {
                var s = a.Text("string");
                var count = a.Integer("count");
                if(count < 0)
                {
                    return s.Replace(a.Text("search_for"), a.Text("replace_with"), StringComparison.Ordinal);
                }
                return new Regex(Regex.Escape(a.Text("search_for"))).Replace(s, a.Text("replace_with").Replace("$", "$$", StringComparison.Ordinal), (int)count);
            });
            yield return K("Replace String Using Regexp", "string, pattern, replace_with, count=-1", a =>
                BuiltInLibrary.MakeRegex(a.Text("pattern"), null).Replace(a.Text("string"), a.Text("replace_with").Replace("\\", "$", StringComparison.Ordinal), (int)a.Integer("count")));
            yield return K("Remove String", "string, *removables", a => a.VarArgs.Aggregate(a.Text("string"), (s, r) => s.Replace(RobotValues.ToText(r), "", StringComparison.Ordinal)));
            yield return K("Strip String", "string, mode=both, characters=None", a =>
            {
                var s = a.Text("string");
                var chars = a.OptionalText("characters")?.ToCharArray();
                return a.Text("mode").ToLowerInvariant() switch
                {
                    "left" => chars == null ? s.TrimStart() : s.TrimStart(chars),
                    "right" => chars == null ? s.TrimEnd() : s.TrimEnd(chars),
                    "none" => s,
                    _ => chars == null ? s.Trim() : s.Trim(chars),
                };
            });
            yield return K("Get Substring", "string, start, end=None", a =>
            {
                var s = a.Text("string");
                var (start, stop) = Expression.SliceBounds(a.OptionalInteger("start"), a.OptionalInteger("end"), s.Length);
                return s.Substring(start, stop - start);
            });
            yield return K("Fetch From Left", "string, marker", a =>
            {
                var s = a.Text("string");
                var i = s.IndexOf(a.Text("marker"), StringComparison.Ordinal);
                return i < 0 ? s : s.Substring(0, i);
            });
            yield return K("Fetch From Right", "string, marker", a =>
            {
                var s = a.Text("string");
                var marker = a.Text("marker");
                var i = s.LastIndexOf(marker, StringComparison.Ordinal);
                return i < 0 ? s : s.Substring(i + marker.Length);
            });
            yield return K("Should Be String", "item, msg=None", a => a["item"] is string ? null : throw new RobotFailure(a.OptionalText("msg") ?? $"'{RobotValues.ToText(a["item"])}' is {RobotValues.TypeName(a["item"])}, not a string."));
            yield return K("Format String", "template, *positional, **named", a =>
            {
                var template = a.Text("template");
                var index = 0;
                return Regex.Replace(template, @"\{(\w*)\}", m =>
                {
                    var key = m.Groups[1].Value;
                    if(key.Length == 0)
                    {
                        return index < a.VarArgs.Count ? RobotValues.ToText(a.VarArgs[index++]) : throw new RobotFailure("Format String: not enough positional values");
                    }
                    if(int.TryParse(key, out var n))
                    {
                        return n < a.VarArgs.Count ? RobotValues.ToText(a.VarArgs[n]) : throw new RobotFailure($"Format String: no positional value {n}");
                    }
                    return a.KwArgs.TryGetValue(key, out var v) ? RobotValues.ToText(v) : throw new RobotFailure($"Format String: no value for '{key}'");
                });
            });
        }
    }
}
