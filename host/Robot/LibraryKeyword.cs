// Keywords implemented in C# (BuiltIn, Collections, String, the Renode keywords): their argument
// specifications in Robot's notation ("name", "name=default", "*args", "**kwargs") and the binding of
// positional and named arguments to them, shared by the in-process engine and the Remote-library server.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RenodeGic.Host.Robot
{
    public enum ArgKind
    {
        Positional,
        VarArgs,
        KwArgs,
    }

    public sealed record ArgSpec(string Name, ArgKind Kind, bool HasDefault, object? Default)
    {
        /// <summary>Parses "name", "name=default" ("None" is null), "*args" or "**kwargs".</summary>
        public static ArgSpec Parse(string text)
        {
            if(text.StartsWith("**", StringComparison.Ordinal))
            {
                return new ArgSpec(text.Substring(2), ArgKind.KwArgs, false, null);
            }
            if(text.StartsWith('*'))
            {
                return new ArgSpec(text.Substring(1), ArgKind.VarArgs, false, null);
            }
            var eq = text.IndexOf('=', StringComparison.Ordinal);
            if(eq < 0)
            {
                return new ArgSpec(text, ArgKind.Positional, false, null);
            }
            var value = text.Substring(eq + 1);
            return new ArgSpec(text.Substring(0, eq), ArgKind.Positional, true, value == "None" ? null : value);
        }

        public override string ToString() => Kind switch
        {
            ArgKind.VarArgs => "*" + Name,
            ArgKind.KwArgs => "**" + Name,
            _ => HasDefault ? $"{Name}={RobotValues.ToText(Default)}" : Name,
        };
    }

    /// <summary>Arguments bound to a keyword's specification.</summary>
    public sealed class KeywordArgs
    {
        public KeywordArgs(LibraryKeyword keyword, Dictionary<string, object?> values, List<object?> varArgs, Dictionary<string, object?> kwArgs, IReadOnlyList<string>? raw)
        {
            Keyword = keyword;
            Values = values;
            VarArgs = varArgs;
            KwArgs = kwArgs;
            Raw = raw ?? Array.Empty<string>();
        }

        public LibraryKeyword Keyword { get; }

        public Dictionary<string, object?> Values { get; }

        public List<object?> VarArgs { get; }

        public Dictionary<string, object?> KwArgs { get; }

        /// <summary>Unresolved cells, for keywords that resolve their own arguments (Run Keyword and friends).</summary>
        public IReadOnlyList<string> Raw { get; }

        public object? this[string name] => Values.TryGetValue(name, out var v) ? v : throw new InvalidOperationException($"keyword '{Keyword.Name}' has no argument '{name}'");

        public bool IsGiven(string name) => Values.TryGetValue(name, out var v) && v != null;

        public string Text(string name) => RobotValues.ToText(this[name]);

        public string? OptionalText(string name) => this[name] is { } v ? RobotValues.ToText(v) : null;

        public bool Bool(string name) => RobotValues.IsTrueArgument(this[name]);

        public double? Seconds(string name)
        {
            var v = this[name];
            if(v == null || (v is string s && (s.Length == 0 || s.Equals("None", StringComparison.OrdinalIgnoreCase))))
            {
                return null;
            }
            return RobotValues.ParseTime(v);
        }

        public long Integer(string name)
        {
            var v = this[name];
            if(v is string s)
            {
                return RobotValues.TryParseInteger(s, out var l) ? l : throw new RobotFailure($"argument '{name}' of '{Keyword.Name}' must be an integer, got '{s}'");
            }
            return RobotValues.ToLong(v);
        }

        public long? OptionalInteger(string name) => this[name] == null ? null : Integer(name);
    }

    public sealed class LibraryKeyword
    {
        public LibraryKeyword(string library, string name, string arguments, Func<KeywordArgs, object?> body, string documentation = "")
        {
            Library = library;
            Name = name;
            Arguments = arguments.Length == 0 ? new List<ArgSpec>() : arguments.Split(',').Select(a => ArgSpec.Parse(a.Trim())).ToList();
            Body = body;
            Documentation = documentation;
        }

        public string Library { get; }

        public string Name { get; }

        public IReadOnlyList<ArgSpec> Arguments { get; }

        public Func<KeywordArgs, object?> Body { get; }

        public string Documentation { get; }

        /// <summary>Receives its argument cells unresolved (KeywordArgs.Raw); the engine does not bind them.</summary>
        public bool ResolvesOwnArguments { get; init; }

        /// <summary>Binds resolved positional values and named values; throws RobotFailure on a mismatch.</summary>
        public KeywordArgs Bind(IReadOnlyList<object?> positional, IReadOnlyList<KeyValuePair<string, object?>> named)
        {
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            var varArgs = new List<object?>();
            var kwArgs = new Dictionary<string, object?>(StringComparer.Ordinal);
            var fixedArgs = Arguments.Where(a => a.Kind == ArgKind.Positional).ToList();
            var hasVarArgs = Arguments.Any(a => a.Kind == ArgKind.VarArgs);
            var hasKwArgs = Arguments.Any(a => a.Kind == ArgKind.KwArgs);
            for(var i = 0; i < positional.Count; i++)
            {
                if(i < fixedArgs.Count)
                {
                    values[fixedArgs[i].Name] = positional[i];
                }
                else if(hasVarArgs)
                {
                    varArgs.Add(positional[i]);
                }
                else
                {
                    throw ArgumentCountError(positional.Count);
                }
            }
            foreach(var (name, value) in named)
            {
                var spec = fixedArgs.FirstOrDefault(a => a.Name == name) ?? fixedArgs.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));
                if(spec != null)
                {
                    if(values.ContainsKey(spec.Name))
                    {
                        throw new RobotFailure($"Keyword '{Library}.{Name}' got multiple values for argument '{spec.Name}'.");
                    }
                    values[spec.Name] = value;
                }
                else if(hasKwArgs)
                {
                    kwArgs[name] = value;
                }
                else
                {
                    throw new RobotFailure($"Keyword '{Library}.{Name}' got unexpected named argument '{name}'.");
                }
            }
            foreach(var spec in fixedArgs)
            {
                if(!values.ContainsKey(spec.Name))
                {
                    if(!spec.HasDefault)
                    {
                        throw named.Count == 0 ? ArgumentCountError(positional.Count) : new RobotFailure($"Keyword '{Library}.{Name}' missing value for argument '{spec.Name}'.");
                    }
                    values[spec.Name] = spec.Default;
                }
            }
            return new KeywordArgs(this, values, varArgs, kwArgs, null);
        }

        /// <summary>Whether <paramref name="name"/> can be given as name=value.</summary>
        public bool AcceptsNamed(string name) => Arguments.Any(a => a.Kind == ArgKind.KwArgs)
            || Arguments.Any(a => a.Kind == ArgKind.Positional && string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

        private RobotFailure ArgumentCountError(int given)
        {
            var fixedArgs = Arguments.Where(a => a.Kind == ArgKind.Positional).ToList();
            var min = fixedArgs.Count(a => !a.HasDefault);
            var max = fixedArgs.Count;
            var expected = Arguments.Any(a => a.Kind == ArgKind.VarArgs) ? $"at least {min}"
                : min == max ? min.ToString(CultureInfo.InvariantCulture) : $"{min} to {max}";
            return new RobotFailure($"Keyword '{Library}.{Name}' expected {expected} argument{(max == 1 && min == 1 ? "" : "s")}, got {given}.");
        }
    }
}
