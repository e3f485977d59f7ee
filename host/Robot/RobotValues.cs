// Values as Robot Framework test data sees them (strings, 64-bit integers, doubles, booleans, None, lists and
// dictionaries), their Python-like text forms, Robot's time strings and the exceptions that carry failures
// and control flow through the engine.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace RenodeGic.Host.Robot
{
    /// <summary>A keyword failed; the test fails with <see cref="Exception.Message"/>.</summary>
    public class RobotFailure : Exception
    {
        public RobotFailure(string message, bool catchable = true, Exception? inner = null)
            : base(message, inner)
        {
            Catchable = catchable;
        }

        /// <summary>False for syntax errors, unknown keywords and timeouts: Run Keyword And Ignore Error and friends do not catch them.</summary>
        public bool Catchable { get; }

        /// <summary>Set when a failure was caught by a keyword running in a teardown and others followed.</summary>
        public bool IsMultiple { get; init; }
    }

    /// <summary>A test or keyword timeout expired.</summary>
    public sealed class RobotTimeout : RobotFailure
    {
        public RobotTimeout(string message)
            : base(message, catchable: false)
        {
        }
    }

    /// <summary>Pass Execution: the test ends, passing, with a message.</summary>
    public sealed class RobotPassExecution : Exception
    {
        public RobotPassExecution(string message)
            : base(message)
        {
        }
    }

    /// <summary>Skip: the test ends with status SKIP.</summary>
    public sealed class RobotSkip : Exception
    {
        public RobotSkip(string message)
            : base(message)
        {
        }
    }

    internal sealed class ReturnSignal : Exception
    {
        public ReturnSignal(object? value)
        {
            Value = value;
        }

        public object? Value { get; }
    }

    internal sealed class BreakSignal : Exception
    {
    }

    internal sealed class ContinueSignal : Exception
    {
    }

    public static class RobotValues
    {
        /// <summary>str() of a value, as Python would print it.</summary>
        public static string ToText(object? value) => value switch
        {
            null => "None",
            string s => s,
            bool b => b ? "True" : "False",
            double d => FormatDouble(d),
            byte[] bytes => Encoding.Latin1.GetString(bytes),
            _ => Repr(value),
        };

        /// <summary>repr() of a value.</summary>
        public static string Repr(object? value)
        {
            switch(value)
            {
            case null:
                return "None";
            case string s:
                return QuoteString(s);
            case bool b:
                return b ? "True" : "False";
            case double d:
                return FormatDouble(d);
            case long or int or ulong or uint or short or ushort or byte or sbyte:
                return Convert.ToString(value, CultureInfo.InvariantCulture)!;
            case IDictionary<string, object?> dict:
                return "{" + string.Join(", ", dict.Select(kv => QuoteString(kv.Key) + ": " + Repr(kv.Value))) + "}";
            case IList<object?> list:
                return "[" + string.Join(", ", list.Select(Repr)) + "]";
            case byte[] bytes:
                return "b" + QuoteString(Encoding.Latin1.GetString(bytes));
            default:
                return value.ToString() ?? "";
            }
        }

        public static string QuoteString(string s)
        {
            var quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
            var sb = new StringBuilder().Append(quote);
            foreach(var c in s)
            {
                switch(c)
                {
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    if(c == quote)
                    {
                        sb.Append('\\');
                    }
                    sb.Append(c);
                    break;
                }
            }
            return sb.Append(quote).ToString();
        }

        public static string FormatDouble(double d)
        {
            if(double.IsPositiveInfinity(d))
            {
                return "inf";
            }
            if(double.IsNegativeInfinity(d))
            {
                return "-inf";
            }
            if(double.IsNaN(d))
            {
                return "nan";
            }
            var text = d.ToString("R", CultureInfo.InvariantCulture);
            if(text.Contains('E', StringComparison.Ordinal))
            {
                text = text.Replace("E", "e", StringComparison.Ordinal);
                var e = text.IndexOf('e', StringComparison.Ordinal);
                var mantissa = text.Substring(0, e);
                var exponent = int.Parse(text.Substring(e + 1), CultureInfo.InvariantCulture);
                if(Math.Abs(exponent) < 16)
                {
                    return d.ToString("0.0###############", CultureInfo.InvariantCulture);
                }
                return mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
            }
            return text.Contains('.', StringComparison.Ordinal) ? text : text + ".0";
        }

        /// <summary>Python truthiness; strings "false"/"no"/"off"/"0"/"none"/"" are false as Robot's boolean arguments treat them.</summary>
        public static bool IsTrueArgument(object? value)
        {
            if(value is string s)
            {
                var t = s.Trim().ToUpperInvariant();
                return !(t == "" || t == "FALSE" || t == "NO" || t == "OFF" || t == "0" || t == "NONE");
            }
            return Truthy(value);
        }

        public static bool Truthy(object? value) => value switch
        {
            null => false,
            bool b => b,
            string s => s.Length > 0,
            long l => l != 0,
            int i => i != 0,
            double d => d != 0,
            System.Collections.ICollection c => c.Count > 0,
            _ => true,
        };

        /// <summary>Parses an integer literal: decimal, or with a 0x/0b/0o prefix (and underscores), optionally signed.</summary>
        public static bool TryParseInteger(string text, out long value, int? numberBase = null)
        {
            value = 0;
            var t = text.Trim().Replace("_", "", StringComparison.Ordinal);
            var negative = false;
            if(t.StartsWith('-') || t.StartsWith('+'))
            {
                negative = t[0] == '-';
                t = t.Substring(1);
            }
            var b = numberBase ?? 10;
            if(t.Length > 2 && t[0] == '0' && (numberBase == null || numberBase == 16 || numberBase == 2 || numberBase == 8))
            {
                var prefix = char.ToLowerInvariant(t[1]);
                var prefixed = prefix switch { 'x' => 16, 'b' => 2, 'o' => 8, _ => 0 };
                if(prefixed != 0 && (numberBase == null || numberBase == prefixed))
                {
                    b = prefixed;
                    t = t.Substring(2);
                }
            }
            if(t.Length == 0)
            {
                return false;
            }
            ulong magnitude = 0;
            foreach(var c in t)
            {
                var digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'z' ? c - 'a' + 10 : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : 99;
                if(digit >= b)
                {
                    return false;
                }
                try
                {
                    magnitude = checked(magnitude * (ulong)b + (ulong)digit);
                }
                catch(OverflowException)
                {
                    return false;
                }
            }
            if(negative)
            {
                if(magnitude > 1UL << 63)
                {
                    return false;
                }
                value = magnitude == 1UL << 63 ? long.MinValue : -(long)magnitude;
                return true;
            }
            if(magnitude > long.MaxValue)
            {
                return false;
            }
            value = (long)magnitude;
            return true;
        }

        public static bool TryParseNumber(string text, out object? value)
        {
            if(TryParseInteger(text, out var l))
            {
                value = l;
                return true;
            }
            var t = text.Trim().Replace("_", "", StringComparison.Ordinal);
            if(t.Length > 0 && (char.IsDigit(t[0]) || t[0] == '.' || t[0] == '-' || t[0] == '+') && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                value = d;
                return true;
            }
            var lower = t.ToLowerInvariant();
            if(lower == "inf" || lower == "-inf" || lower == "nan")
            {
                value = lower == "inf" ? double.PositiveInfinity : lower == "-inf" ? double.NegativeInfinity : double.NaN;
                return true;
            }
            value = null;
            return false;
        }

        /// <summary>
        /// Robot time strings: "1.5", "10 s", "100ms", "1 min 30 s", "2 hours", "1d 2h", "01:02:03.5". Returns seconds.
        /// </summary>
        public static double ParseTime(object? value)
        {
            if(value is long or int or double)
            {
                return Convert.ToDouble(value, CultureInfo.InvariantCulture);
            }
            var text = ToText(value).Trim();
            if(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                return seconds;
            }
            var timer = Regex.Match(text, @"^(-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$");
            if(timer.Success)
            {
                var total = (timer.Groups[2].Success ? double.Parse(timer.Groups[2].Value, CultureInfo.InvariantCulture) * 3600 : 0)
                    + double.Parse(timer.Groups[3].Value, CultureInfo.InvariantCulture) * 60
                    + double.Parse(timer.Groups[4].Value, CultureInfo.InvariantCulture);
                return timer.Groups[1].Success ? -total : total;
            }
            var compact = text.ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
            var sign = 1.0;
            if(compact.StartsWith('-'))
            {
                sign = -1;
                compact = compact.Substring(1);
            }
            var parts = Regex.Matches(compact, @"(\d+(?:\.\d+)?)([a-z]+)");
            if(parts.Count == 0 || string.Concat(parts.Select(m => m.Value)) != compact)
            {
                throw new RobotFailure($"invalid time string '{text}' (expected e.g. 1.5, 10 s, 100 ms, 1 min 30 s or 00:01:30)");
            }
            var result = 0.0;
            foreach(Match m in parts)
            {
                var number = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                var unit = m.Groups[2].Value;
                double factor = unit switch
                {
                    "d" or "day" or "days" => 86400,
                    "h" or "hour" or "hours" => 3600,
                    "m" or "min" or "mins" or "minute" or "minutes" => 60,
                    "s" or "sec" or "secs" or "second" or "seconds" => 1,
                    "ms" or "millis" or "millisecond" or "milliseconds" => 0.001,
                    "us" or "micros" or "microsecond" or "microseconds" or "μs" => 1e-6,
                    "ns" or "nanos" or "nanosecond" or "nanoseconds" => 1e-9,
                    _ => throw new RobotFailure($"invalid time string '{text}': unknown unit '{unit}'"),
                };
                result += number * factor;
            }
            return sign * result;
        }

        /// <summary>Seconds as Robot prints them: "1 minute 30 seconds", "500 milliseconds".</summary>
        public static string FormatTime(double seconds)
        {
            if(seconds == 0)
            {
                return "0 seconds";
            }
            var parts = new List<string>();
            var ms = (long)Math.Round(Math.Abs(seconds) * 1000);
            void Add(long amount, string unit)
            {
                if(amount > 0)
                {
                    parts.Add($"{amount} {unit}{(amount == 1 ? "" : "s")}");
                }
            }
            Add(ms / 86_400_000, "day");
            Add(ms / 3_600_000 % 24, "hour");
            Add(ms / 60_000 % 60, "minute");
            Add(ms / 1000 % 60, "second");
            Add(ms % 1000, "millisecond");
            return (seconds < 0 ? "- " : "") + string.Join(" ", parts);
        }

        /// <summary>Glob match (*, ?, [chars]) of the whole text, optionally ignoring case, spaces and underscores.</summary>
        public static bool GlobMatch(string pattern, string text, bool normalize = false)
        {
            if(normalize)
            {
                pattern = RobotParser.Normalize(pattern);
                text = RobotParser.Normalize(text);
            }
            return GlobToRegex(pattern).IsMatch(text);
        }

        public static Regex GlobToRegex(string pattern, bool ignoreCase = false)
        {
            var sb = new StringBuilder("^");
            for(var i = 0; i < pattern.Length; i++)
            {
                var c = pattern[i];
                switch(c)
                {
                case '*':
                    sb.Append(".*");
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[':
                    var end = pattern.IndexOf(']', i + 1);
                    if(end > i + 1)
                    {
                        var set = pattern.Substring(i + 1, end - i - 1);
                        sb.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set.Substring(1)) : Regex.Escape(set)).Append(']');
                        i = end;
                    }
                    else
                    {
                        sb.Append("\\[");
                    }
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
                }
            }
            sb.Append('$');
            return new Regex(sb.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None));
        }

        /// <summary>Python == for the value kinds we have.</summary>
        public static bool PyEquals(object? a, object? b)
        {
            if(a is bool ba && b is bool bb)
            {
                return ba == bb;
            }
            if(IsNumber(a) && IsNumber(b))
            {
                if(a is double || b is double)
                {
                    return ToDouble(a) == ToDouble(b);
                }
                return ToLong(a) == ToLong(b);
            }
            if(a is string sa && b is string sb)
            {
                return string.Equals(sa, sb, StringComparison.Ordinal);
            }
            if(a is IList<object?> la && b is IList<object?> lb)
            {
                return la.Count == lb.Count && la.Zip(lb).All(p => PyEquals(p.First, p.Second));
            }
            if(a is IDictionary<string, object?> da && b is IDictionary<string, object?> db)
            {
                return da.Count == db.Count && da.All(kv => db.TryGetValue(kv.Key, out var v) && PyEquals(kv.Value, v));
            }
            if(a is byte[] ya && b is byte[] yb)
            {
                return ya.AsSpan().SequenceEqual(yb);
            }
            return a == null && b == null;
        }

        public static bool IsNumber(object? v) => v is long or int or double or bool;

        public static long ToLong(object? v) => v switch
        {
            bool b => b ? 1 : 0,
            long l => l,
            int i => i,
            double d => (long)d,
            _ => throw new RobotFailure($"expected an integer, got {Repr(v)}"),
        };

        public static double ToDouble(object? v) => v switch
        {
            bool b => b ? 1 : 0,
            long l => l,
            int i => i,
            double d => d,
            _ => throw new RobotFailure($"expected a number, got {Repr(v)}"),
        };

        /// <summary>Python type name, for messages like "1 (string) != 1 (integer)".</summary>
        public static string TypeName(object? v) => v switch
        {
            null => "None",
            string => "string",
            bool => "boolean",
            long or int => "integer",
            double => "float",
            IList<object?> => "list",
            IDictionary<string, object?> => "dictionary",
            byte[] => "bytes",
            _ => v.GetType().Name,
        };

        /// <summary>Converts an arbitrary .NET value (a keyword's return value) into one of ours.</summary>
        public static object? FromClr(object? value) => value switch
        {
            null => null,
            string or bool or long or double or byte[] => value,
            int or short or byte or sbyte or ushort or uint => Convert.ToInt64(value, CultureInfo.InvariantCulture),
            ulong u => u <= long.MaxValue ? (long)u : (object)u.ToString(CultureInfo.InvariantCulture),
            float f => (double)f,
            IDictionary<string, object?> d => d,
            IList<object?> l => l,
            System.Collections.IDictionary d => d.Keys.Cast<object>().ToDictionary(k => ToText(k), k => FromClr(d[k])),
            System.Collections.IEnumerable e => e.Cast<object?>().Select(FromClr).ToList(),
            _ => value.ToString(),
        };
    }
}
