// Syntax tree of a Renode platform description (.repl), as ReplParser produces it.
//
//   file      := (using | entry | attribute-line)*
//   using     := 'using' "path" ['prefixed' "prefix"]
//   entry     := ['local'] name ':' [Type.Name] [registration] ['as' "alias"] ['{' attribute (';' attribute)* '}']
//                 followed by indented attribute lines (one or more ';'-separated attributes each)
//   registration := '@' 'none' | '@' target [point] | '@' '{' target [point] (';' target [point])* '}'
//   attribute := name ':' value | [sources] '->' destination ('|' destination)* | [sources] '->' 'none'
//               | ('init' | 'reset') ['add'] ':' '{' monitor statements '}'
//   value     := number | "string" | '''string''' | true | false | none | empty | reference
//               | Enum.Type.Value | .Value | '<' a ',' ['+'] b '>' | '[' values ']' | 'new' Type ['{' attributes '}']
using System.Collections.Generic;

namespace RenodeGic.Host.Platform
{
    public abstract class ReplValue
    {
        protected ReplValue(SourcePosition position)
        {
            Position = position;
        }

        public SourcePosition Position { get; }

        /// <summary>How the value is written, for messages.</summary>
        public abstract string Describe();
    }

    public sealed class NumberValue : ReplValue
    {
        public NumberValue(SourcePosition position, string text)
            : base(position)
        {
            Text = text;
        }

        /// <summary>The literal without '_' separators, with its sign ("-0x10", "1.5").</summary>
        public string Text { get; }

        public override string Describe() => Text;
    }

    public sealed class StringValue : ReplValue
    {
        public StringValue(SourcePosition position, string text)
            : base(position)
        {
            Text = text;
        }

        public string Text { get; }

        public override string Describe() => "\"" + Text + "\"";
    }

    public sealed class BoolValue : ReplValue
    {
        public BoolValue(SourcePosition position, bool value)
            : base(position)
        {
            Value = value;
        }

        public bool Value { get; }

        public override string Describe() => Value ? "true" : "false";
    }

    /// <summary><c>none</c>: null.</summary>
    public sealed class NoneValue : ReplValue
    {
        public NoneValue(SourcePosition position)
            : base(position)
        {
        }

        public override string Describe() => "none";
    }

    /// <summary><c>empty</c>: drops an earlier value for the attribute, so the constructor default applies.</summary>
    public sealed class EmptyValue : ReplValue
    {
        public EmptyValue(SourcePosition position)
            : base(position)
        {
        }

        public override string Describe() => "empty";
    }

    public sealed class ReferenceValue : ReplValue
    {
        public ReferenceValue(SourcePosition position, string name)
            : base(position)
        {
            Name = name;
        }

        public string Name { get; internal set; }

        public override string Describe() => Name;
    }

    /// <summary><c>Namespace.Enum.Value</c>, or the shorthand <c>.Value</c> (TypePath empty).</summary>
    public sealed class EnumValue : ReplValue
    {
        public EnumValue(SourcePosition position, string typePath, string member)
            : base(position)
        {
            TypePath = typePath;
            Member = member;
        }

        public string TypePath { get; }

        public string Member { get; }

        public override string Describe() => TypePath + "." + Member;
    }

    /// <summary><c>&lt;start, end&gt;</c> (end exclusive) or <c>&lt;start, +size&gt;</c>.</summary>
    public sealed class RangeValue : ReplValue
    {
        public RangeValue(SourcePosition position, ulong start, ulong size)
            : base(position)
        {
            Start = start;
            Size = size;
        }

        public ulong Start { get; }

        public ulong Size { get; }

        public override string Describe() => $"<0x{Start:X}, +0x{Size:X}>";
    }

    public sealed class ListValue : ReplValue
    {
        public ListValue(SourcePosition position, IReadOnlyList<ReplValue> items)
            : base(position)
        {
            Items = items;
        }

        public IReadOnlyList<ReplValue> Items { get; }

        public override string Describe() => "[...]";
    }

    /// <summary><c>new Type.Name { attributes }</c>.</summary>
    public sealed class ObjectValue : ReplValue
    {
        public ObjectValue(SourcePosition position, string typeName, IReadOnlyList<ReplAttribute> attributes)
            : base(position)
        {
            TypeName = typeName;
            Attributes = attributes;
        }

        public string TypeName { get; }

        public IReadOnlyList<ReplAttribute> Attributes { get; }

        public override string Describe() => "new " + TypeName;
    }

    public abstract class ReplAttribute
    {
        protected ReplAttribute(SourcePosition position)
        {
            Position = position;
        }

        public SourcePosition Position { get; }
    }

    /// <summary><c>name: value</c> — a constructor parameter or a settable property.</summary>
    public sealed class PropertyAttribute : ReplAttribute
    {
        public PropertyAttribute(SourcePosition position, string name, ReplValue value)
            : base(position)
        {
            Name = name;
            Value = value;
        }

        public string Name { get; }

        public ReplValue Value { get; }
    }

    /// <summary>One GPIO end: a named GPIO property (Name set) or a number.</summary>
    public readonly record struct IrqEnd(string? Name, int Number)
    {
        public override string ToString() => Name ?? Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary><c>target[#local]@n</c> or <c>target@[a-b, c]</c>.</summary>
    public sealed class IrqDestination
    {
        public IrqDestination(string target, int? localIndex, IReadOnlyList<int> numbers)
        {
            Target = target;
            LocalIndex = localIndex;
            Numbers = numbers;
        }

        public string Target { get; internal set; }

        public int? LocalIndex { get; }

        public IReadOnlyList<int> Numbers { get; }
    }

    /// <summary><c>[sources] -> destination | destination</c>; Sources null means the peripheral's default GPIO.</summary>
    public sealed class IrqAttribute : ReplAttribute
    {
        public IrqAttribute(SourcePosition position, IReadOnlyList<IrqEnd>? sources, IReadOnlyList<IrqDestination> destinations)
            : base(position)
        {
            Sources = sources;
            Destinations = destinations;
        }

        public IReadOnlyList<IrqEnd>? Sources { get; }

        /// <summary>Empty for <c>-> none</c>.</summary>
        public IReadOnlyList<IrqDestination> Destinations { get; }

        /// <summary>Key under which a later entry's attribute replaces this one.</summary>
        public string SourceKey => Sources == null ? "<default>" : string.Join(",", Sources);
    }

    /// <summary><c>init: { ... }</c> / <c>reset add: { ... }</c>: monitor statements run with the peripheral as subject.</summary>
    public sealed class InitAttribute : ReplAttribute
    {
        public InitAttribute(SourcePosition position, bool isReset, bool add, IReadOnlyList<string> statements)
            : base(position)
        {
            IsReset = isReset;
            Add = add;
            Statements = statements;
        }

        public bool IsReset { get; }

        public bool Add { get; }

        public IReadOnlyList<string> Statements { get; }
    }

    /// <summary><c>@ target point</c>; Point null for <c>@ sysbus</c> alone.</summary>
    public sealed class Registration
    {
        public Registration(SourcePosition position, string target, ReplValue? point)
        {
            Position = position;
            Target = target;
            Point = point;
        }

        public SourcePosition Position { get; }

        public string Target { get; internal set; }

        public ReplValue? Point { get; }
    }

    public sealed class ReplEntry
    {
        public ReplEntry(SourcePosition position, string name, string? typeName, IReadOnlyList<Registration>? registrations, string? alias, bool isLocal)
        {
            Position = position;
            Name = name;
            TypeName = typeName;
            Registrations = registrations;
            Alias = alias;
            IsLocal = isLocal;
        }

        public SourcePosition Position { get; }

        public string Name { get; internal set; }

        /// <summary>Null for an entry that updates an earlier one.</summary>
        public string? TypeName { get; }

        /// <summary>Null when the entry has no '@'; empty for <c>@ none</c>.</summary>
        public IReadOnlyList<Registration>? Registrations { get; }

        public string? Alias { get; }

        public bool IsLocal { get; }

        public List<ReplAttribute> Attributes { get; } = new List<ReplAttribute>();
    }

    public sealed class UsingDirective
    {
        public UsingDirective(SourcePosition position, string path, string? prefix)
        {
            Position = position;
            Path = path;
            Prefix = prefix;
        }

        public SourcePosition Position { get; }

        public string Path { get; }

        public string? Prefix { get; }
    }

    public sealed class ReplDocument
    {
        public ReplDocument(string file, IReadOnlyList<UsingDirective> usings, IReadOnlyList<ReplEntry> entries)
        {
            File = file;
            Usings = usings;
            Entries = entries;
        }

        public string File { get; }

        public IReadOnlyList<UsingDirective> Usings { get; }

        public IReadOnlyList<ReplEntry> Entries { get; }

        /// <summary>Constructs our parser accepts but Renode's would reject (see ReplLoader: logged as warnings).</summary>
        public IReadOnlyList<SourceWarning> Warnings { get; internal set; } = new List<SourceWarning>();
    }

    /// <summary>A place in a .repl file and what Renode would not accept there.</summary>
    public readonly record struct SourceWarning(SourcePosition Position, string Message)
    {
        public override string ToString() => $"{Position}: {Message}";
    }
}
