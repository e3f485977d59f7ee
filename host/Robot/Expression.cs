// A small Python expression evaluator for Evaluate, Should Be True, IF/WHILE conditions, Run Keyword If and
// extended variable syntax (${x + 1}, ${r.line}). It covers integer and float arithmetic, bit operations,
// comparisons (chained), and/or/not, 'in', conditional expressions, string/list/dict literals, indexing and
// slicing, $var references, a few builtins (len, int, float, str, hex, bin, oct, abs, min, max, bool, ord,
// chr, round, sum, sorted, range, list) and common str/list/dict methods. Anything else is an error that
// names what is unsupported, never a silent wrong answer.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RenodeGic.Host.Robot
{
    public sealed class ExpressionException : Exception
    {
        public ExpressionException(string message)
            : base(message)
        {
        }
    }

    public sealed class Expression
    {
        /// <summary>Evaluates <paramref name="text"/>; <paramref name="lookup"/> resolves $name references (null: unknown).</summary>
        public static object? Evaluate(string text, Func<string, (bool Found, object? Value)> lookup)
        {
            var parser = new Expression(lookup);
            parser.tokens = Tokenize(text);
            var node = parser.ParseTernary();
            if(parser.Peek.Kind != TokenKind.End)
            {
                throw new ExpressionException($"unexpected '{parser.Peek.Text}' at position {parser.Peek.Position + 1}");
            }
            return node();
        }

        private Expression(Func<string, (bool Found, object? Value)> lookup)
        {
            this.lookup = lookup;
        }

        // ---- tokens ----

        private enum TokenKind
        {
            Number,
            String,
            Name,
            Variable,
            Op,
            End,
        }

        private readonly record struct Token(TokenKind Kind, string Text, object? Value, int Position);

        private static List<Token> Tokenize(string text)
        {
            var tokens = new List<Token>();
            var i = 0;
            while(i < text.Length)
            {
                var c = text[i];
                if(char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }
                var start = i;
                if(char.IsDigit(c) || (c == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
                {
                    while(i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_' || text[i] == '.'
                        || ((text[i] == '+' || text[i] == '-') && (text[i - 1] == 'e' || text[i - 1] == 'E') && !text.Substring(start, i - start).StartsWith("0x", StringComparison.OrdinalIgnoreCase))))
                    {
                        i++;
                    }
                    var literal = text.Substring(start, i - start);
                    if(!RobotValues.TryParseNumber(literal, out var number) || literal.StartsWith('+') || literal.StartsWith('-'))
                    {
                        throw new ExpressionException($"invalid number '{literal}'");
                    }
                    tokens.Add(new Token(TokenKind.Number, literal, number, start));
                    continue;
                }
                if(c == '\'' || c == '"' || ((c == 'r' || c == 'R' || c == 'b' || c == 'f') && i + 1 < text.Length && (text[i + 1] == '\'' || text[i + 1] == '"')))
                {
                    var raw = c == 'r' || c == 'R';
                    if(c == 'f')
                    {
                        throw new ExpressionException("f-strings are not supported");
                    }
                    if(c != '\'' && c != '"')
                    {
                        i++;
                    }
                    var quote = text[i];
                    var triple = i + 2 < text.Length && text[i + 1] == quote && text[i + 2] == quote;
                    i += triple ? 3 : 1;
                    var sb = new StringBuilder();
                    while(true)
                    {
                        if(i >= text.Length)
                        {
                            throw new ExpressionException("unterminated string literal");
                        }
                        if(triple ? string.CompareOrdinal(text, i, new string(quote, 3), 0, 3) == 0 : text[i] == quote)
                        {
                            i += triple ? 3 : 1;
                            break;
                        }
                        if(text[i] == '\\' && i + 1 < text.Length && !raw)
                        {
                            i++;
                            sb.Append(text[i] switch
                            {
                                'n' => "\n",
                                't' => "\t",
                                'r' => "\r",
                                '0' => "\0",
                                '\\' => "\\",
                                '\'' => "'",
                                '"' => "\"",
                                _ => "\\" + text[i],
                            });
                            i++;
                            continue;
                        }
                        sb.Append(text[i++]);
                    }
                    tokens.Add(new Token(TokenKind.String, text.Substring(start, i - start), sb.ToString(), start));
                    continue;
                }
                if(c == '$' && i + 1 < text.Length && (char.IsLetter(text[i + 1]) || text[i + 1] == '_' || text[i + 1] == '{'))
                {
                    i++;
                    string name;
                    if(text[i] == '{')
                    {
                        var end = text.IndexOf('}', i);
                        if(end < 0)
                        {
                            throw new ExpressionException("unterminated ${...} in expression");
                        }
                        name = text.Substring(i + 1, end - i - 1);
                        i = end + 1;
                    }
                    else
                    {
                        var s = i;
                        while(i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                        {
                            i++;
                        }
                        name = text.Substring(s, i - s);
                    }
                    tokens.Add(new Token(TokenKind.Variable, text.Substring(start, i - start), name, start));
                    continue;
                }
                if(char.IsLetter(c) || c == '_')
                {
                    while(i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                    {
                        i++;
                    }
                    tokens.Add(new Token(TokenKind.Name, text.Substring(start, i - start), null, start));
                    continue;
                }
                var three = i + 3 <= text.Length ? text.Substring(i, 3) : "";
                var two = i + 2 <= text.Length ? text.Substring(i, 2) : "";
                string op;
                if(three == "//=" || three == "**=")
                {
                    throw new ExpressionException($"assignment '{three}' is not supported");
                }
                if(two is "==" or "!=" or "<=" or ">=" or "//" or "**" or "<<" or ">>")
                {
                    op = two;
                }
                else if("+-*/%<>()[]{},:.&|^~".IndexOf(c, StringComparison.Ordinal) >= 0)
                {
                    op = c.ToString();
                }
                else
                {
                    throw new ExpressionException($"unsupported character '{c}' at position {i + 1}");
                }
                i += op.Length;
                tokens.Add(new Token(TokenKind.Op, op, null, start));
            }
            tokens.Add(new Token(TokenKind.End, "end of expression", null, text.Length));
            return tokens;
        }

        private Token Peek => tokens[position];

        private Token Next() => tokens[position++];

        private bool Accept(string op)
        {
            if((Peek.Kind == TokenKind.Op || Peek.Kind == TokenKind.Name) && Peek.Text == op)
            {
                position++;
                return true;
            }
            return false;
        }

        private void Expect(string op)
        {
            if(!Accept(op))
            {
                throw new ExpressionException($"expected '{op}' at position {Peek.Position + 1}, found '{Peek.Text}'");
            }
        }

        // ---- grammar (Python precedence), building closures ----

        private Func<object?> ParseTernary()
        {
            var value = ParseOr();
            if(Peek.Kind == TokenKind.Name && Peek.Text == "if")
            {
                position++;
                var condition = ParseOr();
                Expect("else");
                var otherwise = ParseTernary();
                return () => RobotValues.Truthy(condition()) ? value() : otherwise();
            }
            if(Peek.Kind == TokenKind.Name && Peek.Text == "lambda")
            {
                throw new ExpressionException("lambda is not supported");
            }
            return value;
        }

        private Func<object?> ParseOr()
        {
            var left = ParseAnd();
            while(Accept("or"))
            {
                var l = left;
                var r = ParseAnd();
                left = () =>
                {
                    var v = l();
                    return RobotValues.Truthy(v) ? v : r();
                };
            }
            return left;
        }

        private Func<object?> ParseAnd()
        {
            var left = ParseNot();
            while(Accept("and"))
            {
                var l = left;
                var r = ParseNot();
                left = () =>
                {
                    var v = l();
                    return RobotValues.Truthy(v) ? r() : v;
                };
            }
            return left;
        }

        private Func<object?> ParseNot()
        {
            if(Accept("not"))
            {
                var operand = ParseNot();
                return () => !RobotValues.Truthy(operand());
            }
            return ParseComparison();
        }

        private Func<object?> ParseComparison()
        {
            var first = ParseBitOr();
            var ops = new List<string>();
            var operands = new List<Func<object?>> { first };
            while(true)
            {
                string? op = null;
                if(Peek.Kind == TokenKind.Op && Peek.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
                {
                    op = Next().Text;
                }
                else if(Peek.Kind == TokenKind.Name && Peek.Text == "in")
                {
                    position++;
                    op = "in";
                }
                else if(Peek.Kind == TokenKind.Name && Peek.Text == "not" && tokens[position + 1].Text == "in")
                {
                    position += 2;
                    op = "not in";
                }
                else if(Peek.Kind == TokenKind.Name && Peek.Text == "is")
                {
                    position++;
                    op = Accept("not") ? "is not" : "is";
                }
                if(op == null)
                {
                    break;
                }
                ops.Add(op);
                operands.Add(ParseBitOr());
            }
            if(ops.Count == 0)
            {
                return first;
            }
            return () =>
            {
                var left = operands[0]();
                for(var i = 0; i < ops.Count; i++)
                {
                    var right = operands[i + 1]();
                    if(!Compare(ops[i], left, right))
                    {
                        return false;
                    }
                    left = right;
                }
                return true;
            };
        }

        private Func<object?> ParseBitOr() => ParseBinary(ParseBitXor, "|");

        private Func<object?> ParseBitXor() => ParseBinary(ParseBitAnd, "^");

        private Func<object?> ParseBitAnd() => ParseBinary(ParseShift, "&");

        private Func<object?> ParseShift() => ParseBinary(ParseArith, "<<", ">>");

        private Func<object?> ParseArith() => ParseBinary(ParseTerm, "+", "-");

        private Func<object?> ParseTerm() => ParseBinary(ParseUnary, "*", "/", "//", "%");

        private Func<object?> ParseBinary(Func<Func<object?>> next, params string[] ops)
        {
            var left = next();
            while(Peek.Kind == TokenKind.Op && ops.Contains(Peek.Text))
            {
                var op = Next().Text;
                var l = left;
                var r = next();
                left = () => Binary(op, l(), r());
            }
            return left;
        }

        private Func<object?> ParseUnary()
        {
            if(Peek.Kind == TokenKind.Op && (Peek.Text == "-" || Peek.Text == "+" || Peek.Text == "~"))
            {
                var op = Next().Text;
                var operand = ParseUnary();
                return () =>
                {
                    var v = operand();
                    return op switch
                    {
                        "-" => v is double d ? -d : (object)checked(-RequireInteger(v, "-")),
                        "+" => v is double ? v : RequireInteger(v, "+"),
                        _ => ~RequireInteger(v, "~"),
                    };
                };
            }
            return ParsePower();
        }

        private Func<object?> ParsePower()
        {
            var b = ParsePostfix();
            if(Accept("**"))
            {
                var e = ParseUnary();
                return () => Binary("**", b(), e());
            }
            return b;
        }

        private Func<object?> ParsePostfix()
        {
            var node = ParseAtom(out var functionName);
            while(true)
            {
                if(Peek.Kind == TokenKind.Op && Peek.Text == "(")
                {
                    position++;
                    var args = ParseArguments(")");
                    if(functionName == null)
                    {
                        throw new ExpressionException("only builtin functions and methods can be called");
                    }
                    var name = functionName;
                    functionName = null;
                    node = () => CallFunction(name, args.Select(a => a()).ToList());
                    continue;
                }
                if(Accept("["))
                {
                    var target = node;
                    Func<object?>? start = null;
                    Func<object?>? stop = null;
                    var isSlice = false;
                    if(!(Peek.Kind == TokenKind.Op && Peek.Text == ":"))
                    {
                        start = ParseTernary();
                    }
                    if(Accept(":"))
                    {
                        isSlice = true;
                        if(!(Peek.Kind == TokenKind.Op && Peek.Text == "]"))
                        {
                            stop = ParseTernary();
                        }
                    }
                    Expect("]");
                    node = isSlice
                        ? () => Slice(target(), start?.Invoke(), stop?.Invoke())
                        : () => Index(target(), start!());
                    continue;
                }
                if(Accept("."))
                {
                    var member = Next();
                    if(member.Kind != TokenKind.Name)
                    {
                        throw new ExpressionException($"expected a name after '.', found '{member.Text}'");
                    }
                    var target = node;
                    if(Peek.Kind == TokenKind.Op && Peek.Text == "(")
                    {
                        position++;
                        var args = ParseArguments(")");
                        node = () => CallMethod(target(), member.Text, args.Select(a => a()).ToList());
                    }
                    else
                    {
                        node = () => Attribute(target(), member.Text);
                    }
                    continue;
                }
                return node;
            }
        }

        private List<Func<object?>> ParseArguments(string close)
        {
            var args = new List<Func<object?>>();
            while(!Accept(close))
            {
                args.Add(ParseTernary());
                if(!Accept(","))
                {
                    Expect(close);
                    break;
                }
            }
            return args;
        }

        private Func<object?> ParseAtom(out string? functionName)
        {
            functionName = null;
            var token = Next();
            switch(token.Kind)
            {
            case TokenKind.Number:
                return () => token.Value;
            case TokenKind.String:
                var s = (string)token.Value!;
                while(Peek.Kind == TokenKind.String)
                {
                    s += (string)Next().Value!;
                }
                var literal = s;
                return () => literal;
            case TokenKind.Variable:
                var name = (string)token.Value!;
                return () =>
                {
                    var (found, value) = lookup(name);
                    return found ? value : throw new ExpressionException($"variable '${name}' not found");
                };
            case TokenKind.Name:
                switch(token.Text)
                {
                case "True":
                    return () => true;
                case "False":
                    return () => false;
                case "None":
                    return () => null;
                }
                if(Builtins.Contains(token.Text) && Peek.Kind == TokenKind.Op && Peek.Text == "(")
                {
                    functionName = token.Text;
                    return () => throw new ExpressionException($"'{token.Text}' must be called");
                }
                throw new ExpressionException($"name '{token.Text}' is not defined (a string must be quoted, e.g. '{token.Text}'; use $name for variables)");
            case TokenKind.Op:
                if(token.Text == "(")
                {
                    if(Accept(")"))
                    {
                        return () => new List<object?>();
                    }
                    var first = ParseTernary();
                    if(Accept(","))
                    {
                        var items = new List<Func<object?>> { first };
                        items.AddRange(ParseArguments(")"));
                        return () => items.Select(i => i()).ToList();
                    }
                    Expect(")");
                    return first;
                }
                if(token.Text == "[")
                {
                    var items = ParseArguments("]");
                    return () => items.Select(i => i()).ToList();
                }
                if(token.Text == "{")
                {
                    var pairs = new List<(Func<object?> Key, Func<object?> Value)>();
                    while(!Accept("}"))
                    {
                        var key = ParseTernary();
                        Expect(":");
                        pairs.Add((key, ParseTernary()));
                        if(!Accept(","))
                        {
                            Expect("}");
                            break;
                        }
                    }
                    return () => pairs.ToDictionary(p => RobotValues.ToText(p.Key()), p => p.Value());
                }
                break;
            }
            throw new ExpressionException($"unexpected '{token.Text}' at position {token.Position + 1}");
        }

        // ---- semantics ----

        private static readonly HashSet<string> Builtins = new HashSet<string>
        {
            "len", "int", "float", "str", "hex", "bin", "oct", "abs", "min", "max", "bool", "ord", "chr", "round", "sum", "sorted", "range", "list", "repr", "any", "all",
        };

        private static long RequireInteger(object? v, string op)
        {
            return v is long or int or bool ? RobotValues.ToLong(v) : throw new ExpressionException($"unsupported operand type for {op}: {RobotValues.TypeName(v)}");
        }

        private static object? Binary(string op, object? a, object? b)
        {
            try
            {
                if(a is string sa && b is string sb2 && op == "+")
                {
                    return sa + sb2;
                }
                if(op == "*" && (a is string || b is string) && (a is long or int || b is long or int))
                {
                    var str = a as string ?? (string)b!;
                    var n = RobotValues.ToLong(a is string ? b : a);
                    return n <= 0 ? "" : string.Concat(Enumerable.Repeat(str, (int)n));
                }
                if(a is IList<object?> la && b is IList<object?> lb && op == "+")
                {
                    return la.Concat(lb).ToList();
                }
                if(op == "*" && (a is IList<object?> || b is IList<object?>) && (a is long || b is long))
                {
                    var list = a as IList<object?> ?? (IList<object?>)b!;
                    var n = RobotValues.ToLong(a is IList<object?> ? b : a);
                    return Enumerable.Range(0, (int)Math.Max(0, n)).SelectMany(_ => list).ToList();
                }
                if(op == "%" && a is string)
                {
                    throw new ExpressionException("string formatting with % is not supported");
                }
                if(!RobotValues.IsNumber(a) || !RobotValues.IsNumber(b))
                {
                    throw new ExpressionException($"unsupported operand types for {op}: {RobotValues.TypeName(a)} and {RobotValues.TypeName(b)}");
                }
                if(a is double || b is double || op == "/")
                {
                    var x = RobotValues.ToDouble(a);
                    var y = RobotValues.ToDouble(b);
                    switch(op)
                    {
                    case "+":
                        return x + y;
                    case "-":
                        return x - y;
                    case "*":
                        return x * y;
                    case "/":
                        return y == 0 ? throw new ExpressionException("division by zero") : x / y;
                    case "//":
                        return y == 0 ? throw new ExpressionException("division by zero") : Math.Floor(x / y);
                    case "%":
                        return y == 0 ? throw new ExpressionException("modulo by zero") : x - y * Math.Floor(x / y);
                    case "**":
                        return Math.Pow(x, y);
                    default:
                        throw new ExpressionException($"unsupported operand type for {op}: float");
                    }
                }
                var p = RobotValues.ToLong(a);
                var q = RobotValues.ToLong(b);
                switch(op)
                {
                case "+":
                    return checked(p + q);
                case "-":
                    return checked(p - q);
                case "*":
                    return checked(p * q);
                case "//":
                    if(q == 0)
                    {
                        throw new ExpressionException("integer division by zero");
                    }
                    var div = p / q;
                    return (p % q != 0 && (p < 0) != (q < 0)) ? div - 1 : div;
                case "%":
                    if(q == 0)
                    {
                        throw new ExpressionException("integer modulo by zero");
                    }
                    var mod = p % q;
                    return mod != 0 && (mod < 0) != (q < 0) ? mod + q : mod;
                case "**":
                    if(q < 0)
                    {
                        return Math.Pow(p, q);
                    }
                    long result = 1;
                    for(long i = 0; i < q; i++)
                    {
                        result = checked(result * p);
                    }
                    return result;
                case "<<":
                    return q >= 64 ? (p == 0 ? 0L : throw new OverflowException()) : checked(p << (int)q) is var shifted && (shifted >> (int)q) == p ? shifted : throw new OverflowException();
                case ">>":
                    return q >= 64 ? (p < 0 ? -1L : 0L) : p >> (int)q;
                case "&":
                    return p & q;
                case "|":
                    return p | q;
                case "^":
                    return p ^ q;
                }
                throw new ExpressionException($"unsupported operator {op}");
            }
            catch(OverflowException)
            {
                throw new ExpressionException($"integer overflow in {RobotValues.Repr(a)} {op} {RobotValues.Repr(b)} (values are limited to 64-bit signed integers)");
            }
        }

        private static bool Compare(string op, object? a, object? b)
        {
            switch(op)
            {
            case "==":
                return RobotValues.PyEquals(a, b);
            case "!=":
                return !RobotValues.PyEquals(a, b);
            case "is":
                return (a == null && b == null) || (a is bool x && b is bool y && x == y) || (a != null && ReferenceEquals(a, b));
            case "is not":
                return !Compare("is", a, b);
            case "in":
                return Contains(b, a);
            case "not in":
                return !Contains(b, a);
            }
            int c;
            if(RobotValues.IsNumber(a) && RobotValues.IsNumber(b))
            {
                c = RobotValues.ToDouble(a).CompareTo(RobotValues.ToDouble(b));
                if(a is not double && b is not double)
                {
                    c = RobotValues.ToLong(a).CompareTo(RobotValues.ToLong(b));
                }
            }
            else if(a is string sa && b is string sb)
            {
                c = string.CompareOrdinal(sa, sb);
            }
            else
            {
                throw new ExpressionException($"'{op}' not supported between {RobotValues.TypeName(a)} and {RobotValues.TypeName(b)}");
            }
            return op switch
            {
                "<" => c < 0,
                "<=" => c <= 0,
                ">" => c > 0,
                _ => c >= 0,
            };
        }

        private static bool Contains(object? container, object? item)
        {
            switch(container)
            {
            case string s when item is string i:
                return s.Contains(i, StringComparison.Ordinal);
            case string:
                throw new ExpressionException($"'in <string>' requires string as left operand, not {RobotValues.TypeName(item)}");
            case IDictionary<string, object?> d:
                return item is string k && d.ContainsKey(k);
            case IList<object?> l:
                return l.Any(e => RobotValues.PyEquals(e, item));
            default:
                throw new ExpressionException($"argument of type {RobotValues.TypeName(container)} is not iterable");
            }
        }

        private static object? Index(object? target, object? key)
        {
            switch(target)
            {
            case IDictionary<string, object?> d:
                var k = RobotValues.ToText(key);
                return d.TryGetValue(k, out var v) ? v : throw new ExpressionException($"key {RobotValues.Repr(key)} not found");
            case IList<object?> l:
                return l[NormalizeIndex(key, l.Count)];
            case string s:
                return s[NormalizeIndex(key, s.Length)].ToString();
            default:
                throw new ExpressionException($"{RobotValues.TypeName(target)} is not subscriptable");
            }
        }

        private static int NormalizeIndex(object? key, int count)
        {
            if(key is not long and not int)
            {
                throw new ExpressionException($"indices must be integers, not {RobotValues.TypeName(key)}");
            }
            var i = RobotValues.ToLong(key);
            if(i < 0)
            {
                i += count;
            }
            if(i < 0 || i >= count)
            {
                throw new ExpressionException("index out of range");
            }
            return (int)i;
        }

        internal static (int Start, int Stop) SliceBounds(object? start, object? stop, int count)
        {
            int Bound(object? v, int fallback)
            {
                if(v == null)
                {
                    return fallback;
                }
                var i = RobotValues.ToLong(v);
                if(i < 0)
                {
                    i += count;
                }
                return (int)Math.Clamp(i, 0, count);
            }
            var a = Bound(start, 0);
            var b = Bound(stop, count);
            return (a, Math.Max(a, b));
        }

        private static object? Slice(object? target, object? start, object? stop)
        {
            switch(target)
            {
            case IList<object?> l:
                var (a, b) = SliceBounds(start, stop, l.Count);
                return l.Skip(a).Take(b - a).ToList();
            case string s:
                var (c, d) = SliceBounds(start, stop, s.Length);
                return s.Substring(c, d - c);
            default:
                throw new ExpressionException($"{RobotValues.TypeName(target)} cannot be sliced");
            }
        }

        private static object? Attribute(object? target, string name)
        {
            if(target is IDictionary<string, object?> d && d.TryGetValue(name, out var v))
            {
                return v;
            }
            throw new ExpressionException($"{RobotValues.TypeName(target)} has no attribute '{name}'");
        }

        private static IEnumerable<object?> Iterate(object? v) => v switch
        {
            IList<object?> l => l,
            IDictionary<string, object?> d => d.Keys,
            string s => s.Select(c => (object?)c.ToString()),
            _ => throw new ExpressionException($"{RobotValues.TypeName(v)} is not iterable"),
        };

        private static object? CallFunction(string name, List<object?> args)
        {
            void Arity(int min, int max)
            {
                if(args.Count < min || args.Count > max)
                {
                    throw new ExpressionException($"{name}() takes {(min == max ? min.ToString(CultureInfo.InvariantCulture) : $"{min} to {max}")} argument(s), got {args.Count}");
                }
            }
            switch(name)
            {
            case "len":
                Arity(1, 1);
                return (long)(args[0] switch
                {
                    string s => s.Length,
                    System.Collections.ICollection c => c.Count,
                    _ => throw new ExpressionException($"object of type {RobotValues.TypeName(args[0])} has no len()"),
                });
            case "int":
                Arity(1, 2);
                if(args[0] is string str)
                {
                    var numberBase = args.Count > 1 ? (int)RobotValues.ToLong(args[1]) : 10;
                    if(numberBase == 0)
                    {
                        return RobotValues.TryParseInteger(str, out var any) ? any : throw new ExpressionException($"invalid literal for int(): {RobotValues.Repr(str)}");
                    }
                    return RobotValues.TryParseInteger(str, out var parsed, numberBase) ? parsed : throw new ExpressionException($"invalid literal for int() with base {numberBase}: {RobotValues.Repr(str)}");
                }
                return args[0] is double d ? (long)Math.Truncate(d) : RobotValues.ToLong(args[0]);
            case "float":
                Arity(1, 1);
                return args[0] is string fs ? (RobotValues.TryParseNumber(fs, out var n) ? RobotValues.ToDouble(n) : throw new ExpressionException($"could not convert string to float: {RobotValues.Repr(fs)}")) : RobotValues.ToDouble(args[0]);
            case "str":
                Arity(0, 1);
                return args.Count == 0 ? "" : RobotValues.ToText(args[0]);
            case "repr":
                Arity(1, 1);
                return RobotValues.Repr(args[0]);
            case "bool":
                Arity(0, 1);
                return args.Count > 0 && RobotValues.Truthy(args[0]);
            case "hex":
            case "bin":
            case "oct":
                Arity(1, 1);
                var value = RequireInteger(args[0], name + "()");
                var numberBaseOut = name == "hex" ? 16 : name == "bin" ? 2 : 8;
                var digits = Convert.ToString(value < 0 ? -value : value, numberBaseOut);
                return (value < 0 ? "-" : "") + (name == "hex" ? "0x" : name == "bin" ? "0b" : "0o") + digits;
            case "abs":
                Arity(1, 1);
                return args[0] is double ad ? Math.Abs(ad) : Math.Abs(RobotValues.ToLong(args[0]));
            case "ord":
                Arity(1, 1);
                return args[0] is string os && os.Length == 1 ? (long)os[0] : throw new ExpressionException("ord() expected a character");
            case "chr":
                Arity(1, 1);
                return ((char)RobotValues.ToLong(args[0])).ToString();
            case "round":
                Arity(1, 2);
                var digitsCount = args.Count > 1 ? (int)RobotValues.ToLong(args[1]) : 0;
                var rounded = Math.Round(RobotValues.ToDouble(args[0]), digitsCount, MidpointRounding.ToEven);
                return args.Count > 1 ? rounded : (long)rounded;
            case "min":
            case "max":
                var items = args.Count == 1 ? Iterate(args[0]).ToList() : args;
                if(items.Count == 0)
                {
                    throw new ExpressionException($"{name}() arg is an empty sequence");
                }
                var best = items[0];
                foreach(var item in items.Skip(1))
                {
                    if(name == "min" ? Compare("<", item, best) : Compare(">", item, best))
                    {
                        best = item;
                    }
                }
                return best;
            case "sum":
                Arity(1, 2);
                object? total = args.Count > 1 ? args[1] : 0L;
                foreach(var item in Iterate(args[0]))
                {
                    total = Binary("+", total, item);
                }
                return total;
            case "sorted":
                Arity(1, 1);
                var list = Iterate(args[0]).ToList();
                list.Sort((x, y) => Compare("<", x, y) ? -1 : Compare(">", x, y) ? 1 : 0);
                return list;
            case "list":
                Arity(0, 1);
                return args.Count == 0 ? new List<object?>() : Iterate(args[0]).ToList();
            case "any":
                Arity(1, 1);
                return Iterate(args[0]).Any(RobotValues.Truthy);
            case "all":
                Arity(1, 1);
                return Iterate(args[0]).All(RobotValues.Truthy);
            case "range":
                Arity(1, 3);
                var start = args.Count > 1 ? RobotValues.ToLong(args[0]) : 0;
                var stop = RobotValues.ToLong(args.Count > 1 ? args[1] : args[0]);
                var step = args.Count > 2 ? RobotValues.ToLong(args[2]) : 1;
                if(step == 0)
                {
                    throw new ExpressionException("range() step must not be zero");
                }
                var result = new List<object?>();
                for(var i = start; step > 0 ? i < stop : i > stop; i += step)
                {
                    result.Add(i);
                    if(result.Count > 1_000_000)
                    {
                        throw new ExpressionException("range() too long");
                    }
                }
                return result;
            }
            throw new ExpressionException($"function '{name}' is not supported");
        }

        private static object? CallMethod(object? target, string name, List<object?> args)
        {
            string Arg(int i) => i < args.Count ? RobotValues.ToText(args[i]) : throw new ExpressionException($"{name}() needs {i + 1} argument(s)");
            if(target is string s)
            {
                switch(name)
                {
                case "upper":
                    return s.ToUpperInvariant();
                case "lower":
                    return s.ToLowerInvariant();
                case "strip":
                    return args.Count > 0 ? s.Trim(Arg(0).ToCharArray()) : s.Trim();
                case "lstrip":
                    return args.Count > 0 ? s.TrimStart(Arg(0).ToCharArray()) : s.TrimStart();
                case "rstrip":
                    return args.Count > 0 ? s.TrimEnd(Arg(0).ToCharArray()) : s.TrimEnd();
                case "startswith":
                    return s.StartsWith(Arg(0), StringComparison.Ordinal);
                case "endswith":
                    return s.EndsWith(Arg(0), StringComparison.Ordinal);
                case "split":
                    return (args.Count == 0 || args[0] == null
                        ? s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                        : s.Split(Arg(0))).Select(x => (object?)x).ToList();
                case "replace":
                    return s.Replace(Arg(0), Arg(1), StringComparison.Ordinal);
                case "find":
                    return (long)s.IndexOf(Arg(0), StringComparison.Ordinal);
                case "count":
                    var what = Arg(0);
                    return what.Length == 0 ? (long)(s.Length + 1) : (long)((s.Length - s.Replace(what, "", StringComparison.Ordinal).Length) / what.Length);
                case "join":
                    return string.Join(s, Iterate(args.Count > 0 ? args[0] : null).Select(RobotValues.ToText));
                case "isdigit":
                    return s.Length > 0 && s.All(char.IsDigit);
                case "isspace":
                    return s.Length > 0 && s.All(char.IsWhiteSpace);
                case "zfill":
                    return s.PadLeft((int)RobotValues.ToLong(args[0]), '0');
                case "splitlines":
                    return s.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(x => (object?)x).ToList();
                }
            }
            if(target is IList<object?> list)
            {
                switch(name)
                {
                case "index":
                    var at = list.ToList().FindIndex(e => RobotValues.PyEquals(e, args[0]));
                    return at >= 0 ? at : throw new ExpressionException($"{RobotValues.Repr(args[0])} is not in list");
                case "count":
                    return (long)list.Count(e => RobotValues.PyEquals(e, args[0]));
                }
            }
            if(target is IDictionary<string, object?> dict)
            {
                switch(name)
                {
                case "get":
                    return dict.TryGetValue(Arg(0), out var v) ? v : args.Count > 1 ? args[1] : null;
                case "keys":
                    return dict.Keys.Select(k => (object?)k).ToList();
                case "values":
                    return dict.Values.ToList();
                case "items":
                    return dict.Select(kv => (object?)new List<object?> { kv.Key, kv.Value }).ToList();
                }
            }
            throw new ExpressionException($"method '{name}' of {RobotValues.TypeName(target)} is not supported");
        }

        private readonly Func<string, (bool Found, object? Value)> lookup;
        private List<Token> tokens = new List<Token>();
        private int position;
    }
}
