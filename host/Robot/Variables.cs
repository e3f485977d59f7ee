// Variable scopes (global, suite, test, keyword-local) and substitution of ${scalar}, @{list}, &{dict} and
// %{ENV} in test data, with item access (${x}[0], ${d}[key], ${l}[1:3]), nested names (${a_${i}}), numbers
// (${1}, ${0x10}), extended syntax (${x + 1}, ${r.line}) and backslash escapes, following the Robot Framework
// User Guide, section 2.6 ("Variables").
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RenodeGic.Host.Robot
{
    public sealed class VariableScopes
    {
        public VariableScopes()
        {
            Global = new Dictionary<string, object?>();
            SetBuiltIns(Global);
        }

        public Dictionary<string, object?> Global { get; }

        public static string Key(string name)
        {
            if(name.Length >= 3 && "$@&%".IndexOf(name[0], StringComparison.Ordinal) >= 0 && name[1] == '{' && name[^1] == '}')
            {
                name = name.Substring(2, name.Length - 3);
            }
            return RobotParser.Normalize(name);
        }

        public bool TryGet(string name, out object? value)
        {
            var key = Key(name);
            if(locals.Count > 0 && locals[^1].TryGetValue(key, out value))
            {
                return true;
            }
            if(test != null && test.TryGetValue(key, out value))
            {
                return true;
            }
            for(var i = suites.Count - 1; i >= 0; i--)
            {
                if(suites[i].TryGetValue(key, out value))
                {
                    return true;
                }
            }
            return Global.TryGetValue(key, out value);
        }

        /// <summary>Assignment in the innermost scope (keyword body, test body or suite).</summary>
        public void SetLocal(string name, object? value)
        {
            var scope = locals.Count > 0 ? locals[^1] : test ?? (suites.Count > 0 ? suites[^1] : Global);
            scope[Key(name)] = value;
        }

        public void SetTest(string name, object? value)
        {
            if(test == null)
            {
                throw new RobotFailure("Set Test Variable cannot be used outside a test (e.g. in a suite setup); use Set Suite Variable");
            }
            test[Key(name)] = value;
            if(locals.Count > 0)
            {
                locals[^1][Key(name)] = value;
            }
        }

        public void SetSuite(string name, object? value)
        {
            (suites.Count > 0 ? suites[^1] : Global)[Key(name)] = value;
            if(test != null)
            {
                test[Key(name)] = value;
            }
            if(locals.Count > 0)
            {
                locals[^1][Key(name)] = value;
            }
        }

        public void SetGlobal(string name, object? value)
        {
            var key = Key(name);
            Global[key] = value;
            foreach(var scope in suites.Concat(locals).Append(test ?? new Dictionary<string, object?>()))
            {
                if(scope.ContainsKey(key))
                {
                    scope[key] = value;
                }
            }
        }

        public void PushSuite() => suites.Add(new Dictionary<string, object?>());

        public void PopSuite() => suites.RemoveAt(suites.Count - 1);

        public Dictionary<string, object?> CurrentSuite => suites.Count > 0 ? suites[^1] : Global;

        public void StartTest() => test = new Dictionary<string, object?>();

        public void EndTest() => test = null;

        public bool InTest => test != null;

        public void PushLocal() => locals.Add(new Dictionary<string, object?>());

        public void PopLocal() => locals.RemoveAt(locals.Count - 1);

        /// <summary>Saves the keyword-local stack (for a keyword running inside another keyword's arguments).</summary>
        public int LocalDepth => locals.Count;

        private static void SetBuiltIns(Dictionary<string, object?> scope)
        {
            scope["empty"] = "";
            scope["space"] = " ";
            scope["true"] = true;
            scope["false"] = false;
            scope["none"] = null;
            scope["null"] = null;
            scope["/"] = System.IO.Path.DirectorySeparatorChar.ToString();
            scope[":"] = System.IO.Path.PathSeparator.ToString();
            scope["\\n"] = "\n";
            scope["tempdir"] = System.IO.Path.GetTempPath().TrimEnd(System.IO.Path.DirectorySeparatorChar);
            scope["execdir"] = System.IO.Directory.GetCurrentDirectory();
            scope["options"] = new Dictionary<string, object?>();
        }

        private readonly List<Dictionary<string, object?>> suites = new List<Dictionary<string, object?>>();
        private readonly List<Dictionary<string, object?>> locals = new List<Dictionary<string, object?>>();
        private Dictionary<string, object?>? test;
    }

    /// <summary>Resolves variables in cells against a <see cref="VariableScopes"/>.</summary>
    public sealed class VariableResolver
    {
        public VariableResolver(VariableScopes scopes)
        {
            Scopes = scopes;
        }

        public VariableScopes Scopes { get; }

        /// <summary>A cell as a value: a cell that is exactly one variable gives the variable's object; otherwise text.</summary>
        public object? Resolve(string cell)
        {
            var pieces = Split(cell);
            if(pieces.Count == 1 && pieces[0].Variable != null)
            {
                return Lookup(pieces[0].Variable!, pieces[0].Items);
            }
            return Join(pieces);
        }

        /// <summary>A cell as text (variables replaced by their str() form, escapes processed).</summary>
        public string ResolveString(string cell) => Join(Split(cell));

        /// <summary>Resolves cells for a keyword call: @{list} cells expand to their items.</summary>
        public List<object?> ResolveList(IEnumerable<string> cells)
        {
            var values = new List<object?>();
            foreach(var cell in cells)
            {
                if(IsWholeVariable(cell, '@'))
                {
                    var value = Resolve("$" + cell.Substring(1));
                    values.AddRange(AsList(value, cell));
                }
                else
                {
                    values.Add(Resolve(cell));
                }
            }
            return values;
        }

        public static bool IsWholeVariable(string cell, char sigil)
        {
            if(cell.Length < 3 || cell[0] != sigil || cell[1] != '{')
            {
                return false;
            }
            var end = RobotParser.FindClosing(cell, 1, '{', '}');
            if(end < 0)
            {
                return false;
            }
            var i = end + 1;
            while(i < cell.Length && cell[i] == '[')
            {
                var close = RobotParser.FindClosing(cell, i, '[', ']');
                if(close < 0)
                {
                    return false;
                }
                i = close + 1;
            }
            return i == cell.Length;
        }

        public static IList<object?> AsList(object? value, string what) => value switch
        {
            IList<object?> list => list,
            string s => s.Select(c => (object?)c.ToString()).ToList(),
            IDictionary<string, object?> d => d.Keys.Select(k => (object?)k).ToList(),
            _ => throw new RobotFailure($"value of variable '{what}' is not list or list-like"),
        };

        public static IDictionary<string, object?> AsDict(object? value, string what) => value as IDictionary<string, object?>
            ?? throw new RobotFailure($"value of variable '{what}' is not dictionary or dictionary-like");

        /// <summary>Processes backslash escapes in literal text: \n \t \r \xHH \uHHHH \UHHHHHHHH, and \c for any other c.</summary>
        public static string Unescape(string text)
        {
            if(!text.Contains('\\', StringComparison.Ordinal))
            {
                return text;
            }
            var sb = new StringBuilder(text.Length);
            for(var i = 0; i < text.Length; i++)
            {
                if(text[i] != '\\')
                {
                    sb.Append(text[i]);
                    continue;
                }
                if(++i >= text.Length)
                {
                    break;
                }
                var c = text[i];
                switch(c)
                {
                case 'n':
                    sb.Append('\n');
                    break;
                case 't':
                    sb.Append('\t');
                    break;
                case 'r':
                    sb.Append('\r');
                    break;
                case 'x':
                case 'u':
                case 'U':
                    var length = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                    if(TryHex(text, i + 1, length, out var code))
                    {
                        sb.Append(char.ConvertFromUtf32(code));
                        i += length;
                    }
                    else
                    {
                        sb.Append(c);
                    }
                    break;
                default:
                    sb.Append(c);
                    break;
                }
            }
            return sb.ToString();
        }

        private static bool TryHex(string text, int start, int length, out int code)
        {
            code = 0;
            if(start + length > text.Length)
            {
                return false;
            }
            return int.TryParse(text.AsSpan(start, length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out code) && code <= 0x10FFFF;
        }

        private sealed record Piece(string? Literal, string? Variable, List<string> Items);

        /// <summary>Splits a cell into literal text (still escaped) and variable references (sigil+name, plus [item] parts).</summary>
        private static List<Piece> Split(string cell)
        {
            var pieces = new List<Piece>();
            var literal = new StringBuilder();
            var i = 0;
            while(i < cell.Length)
            {
                var c = cell[i];
                if(c == '\\' && i + 1 < cell.Length)
                {
                    literal.Append(c).Append(cell[i + 1]);
                    i += 2;
                    continue;
                }
                if((c == '$' || c == '@' || c == '&' || c == '%') && i + 1 < cell.Length && cell[i + 1] == '{')
                {
                    var end = RobotParser.FindClosing(cell, i + 1, '{', '}');
                    if(end < 0)
                    {
                        throw new RobotFailure($"variable '{cell.Substring(i)}' was not closed properly");
                    }
                    var reference = cell.Substring(i, end - i + 1);
                    var items = new List<string>();
                    var j = end + 1;
                    if(c != '%')
                    {
                        while(j < cell.Length && cell[j] == '[')
                        {
                            var close = RobotParser.FindClosing(cell, j, '[', ']');
                            if(close < 0)
                            {
                                break;
                            }
                            items.Add(cell.Substring(j + 1, close - j - 1));
                            j = close + 1;
                        }
                    }
                    if(literal.Length > 0)
                    {
                        pieces.Add(new Piece(literal.ToString(), null, new List<string>()));
                        literal.Clear();
                    }
                    pieces.Add(new Piece(null, reference, items));
                    i = j;
                    continue;
                }
                literal.Append(c);
                i++;
            }
            if(literal.Length > 0 || pieces.Count == 0)
            {
                pieces.Add(new Piece(literal.ToString(), null, new List<string>()));
            }
            return pieces;
        }

        private string Join(List<Piece> pieces)
        {
            var sb = new StringBuilder();
            foreach(var piece in pieces)
            {
                if(piece.Literal != null)
                {
                    sb.Append(Unescape(piece.Literal));
                }
                else
                {
                    sb.Append(RobotValues.ToText(Lookup(piece.Variable!, piece.Items)));
                }
            }
            return sb.ToString();
        }

        private object? Lookup(string reference, List<string> items)
        {
            var sigil = reference[0];
            var name = ResolveString(reference.Substring(2, reference.Length - 3));
            object? value;
            if(sigil == '%')
            {
                var eq = name.IndexOf('=', StringComparison.Ordinal);
                var envName = eq >= 0 ? name.Substring(0, eq) : name;
                value = Environment.GetEnvironmentVariable(envName) ?? (eq >= 0 ? name.Substring(eq + 1) : throw new RobotFailure($"environment variable '%{{{envName}}}' not found"));
                return value;
            }
            value = LookupName(sigil, name);
            foreach(var item in items)
            {
                value = Item(value, ResolveString(item), $"{sigil}{{{name}}}");
            }
            if(sigil == '@' && items.Count == 0 && value is not IList<object?>)
            {
                value = AsList(value, $"@{{{name}}}").ToList();
            }
            if(sigil == '&' && items.Count == 0)
            {
                AsDict(value, $"&{{{name}}}");
            }
            return value;
        }

        private object? LookupName(char sigil, string name)
        {
            if(sigil == '$' && name.Length >= 2 && name[0] == '{' && name[^1] == '}')
            {
                // Inline evaluation: ${{ expression }}.
                try
                {
                    return Expression.Evaluate(name.Substring(1, name.Length - 2), n => Scopes.TryGet(n, out var v) ? (true, v) : (false, null));
                }
                catch(ExpressionException e)
                {
                    throw new RobotFailure($"evaluating inline expression '{name.Substring(1, name.Length - 2)}' failed: {e.Message}");
                }
            }
            if(Scopes.TryGet(name, out var value))
            {
                return value;
            }
            if(sigil == '$' && RobotValues.TryParseNumber(name, out var number))
            {
                return number;
            }
            // Extended syntax: ${base<python expression tail>}, e.g. ${x + 1}, ${SPACE * 4}, ${result.line}.
            for(var cut = name.Length - 1; cut > 0; cut--)
            {
                var c = name[cut];
                if(char.IsLetterOrDigit(c) || c == '_' || c == ' ')
                {
                    continue;
                }
                var baseName = name.Substring(0, cut).TrimEnd();
                if(baseName.Length == 0 || !baseName.All(ch => char.IsLetterOrDigit(ch) || ch == '_' || ch == ' '))
                {
                    continue;
                }
                if(Scopes.TryGet(baseName, out var baseValue))
                {
                    try
                    {
                        return Expression.Evaluate("$__base" + name.Substring(cut), n => n == "__base" ? (true, baseValue) : Scopes.TryGet(n, out var v) ? (true, v) : (false, null));
                    }
                    catch(ExpressionException e)
                    {
                        throw new RobotFailure($"resolving variable '{sigil}{{{name}}}' failed: {e.Message}");
                    }
                }
            }
            throw new RobotFailure($"Variable '{sigil}{{{name}}}' not found.");
        }

        private static object? Item(object? container, string key, string what)
        {
            switch(container)
            {
            case IDictionary<string, object?> dict:
                if(dict.TryGetValue(key, out var v))
                {
                    return v;
                }
                throw new RobotFailure($"Dictionary '{what}' has no key '{key}'.");
            case IList<object?> or string:
                var count = container is string s ? s.Length : ((IList<object?>)container).Count;
                var colon = key.IndexOf(':', StringComparison.Ordinal);
                if(colon >= 0)
                {
                    object? Bound(string t) => t.Trim().Length == 0 ? null : RobotValues.TryParseInteger(t, out var b) ? b : throw new RobotFailure($"{what} used with invalid slice '{key}'");
                    var (start, stop) = Expression.SliceBounds(Bound(key.Substring(0, colon)), Bound(key.Substring(colon + 1)), count);
                    return container is string str ? str.Substring(start, stop - start) : ((IList<object?>)container).Skip(start).Take(stop - start).ToList();
                }
                if(!RobotValues.TryParseInteger(key, out var index))
                {
                    throw new RobotFailure($"{what} used with invalid index '{key}' (an integer is expected)");
                }
                var at = index < 0 ? index + count : index;
                if(at < 0 || at >= count)
                {
                    throw new RobotFailure($"{what} has no item in index {key} (its length is {count})");
                }
                return container is string text ? text[(int)at].ToString() : ((IList<object?>)container)[(int)at];
            default:
                throw new RobotFailure($"variable '{what}' is {RobotValues.TypeName(container)}, which is not subscriptable, and its item '{key}' cannot be accessed");
            }
        }
    }
}
