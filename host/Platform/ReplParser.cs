// Parser for Renode platform descriptions (.repl). Grammar in ReplSyntax.cs.
//
// Layout: a line starting in column 1 begins an entry (or a 'using'); an indented line holds attributes of the
// entry above. Inside '{ }' and '[ ]' line breaks do not count, so a brace block may span lines. Comments are
// '//' to the end of the line and '/* ... */'. Numbers may use '_' between digits (0x0800_0000), as in Renode.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RenodeGic.Host.Platform
{
    public static class ReplParser
    {
        /// <summary>Parses one .repl text. <paramref name="file"/> is the name used in error messages.</summary>
        public static ReplDocument Parse(string text, string file)
        {
            var warnings = new List<SourceWarning>();
            var tokens = new Lexer(text, file, warnings).Run();
            var document = new Parser(tokens, file, warnings).ParseDocument();
            document.Warnings = warnings;
            return document;
        }

        /// <summary>
        /// Keywords of Renode's .repl grammar (renode src/Renode/PlatformDescription/Syntax/Grammar.cs, MakeKeyword): Renode's
        /// Identifier excludes them, so an entry, attribute or reference with one of these names does not parse there.
        /// </summary>
        public static readonly IReadOnlyCollection<string> RenodeKeywords = new HashSet<string>(StringComparer.Ordinal)
        {
            "using", "new", "as", "init", "reset", "local", "prefixed", "true", "false", "none", "empty",
        };

        internal enum TokenKind
        {
            Identifier,
            Number,
            String,
            Symbol,
            Arrow,
            Raw,
            Newline,
            End,
        }

        internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column)
        {
            public string Describe() => Kind switch
            {
                TokenKind.Newline => "end of line",
                TokenKind.End => "end of file",
                TokenKind.String => "\"" + Text + "\"",
                _ => "'" + Text + "'",
            };
        }

        private sealed class Lexer
        {
            public Lexer(string text, string file, List<SourceWarning> warnings)
            {
                this.text = text;
                this.file = file;
                this.warnings = warnings;
            }

            public List<Token> Run()
            {
                while(pos < text.Length)
                {
                    var c = text[pos];
                    if(c == '\n')
                    {
                        if(depth == 0 && tokens.Count > 0 && tokens[^1].Kind != TokenKind.Newline)
                        {
                            tokens.Add(new Token(TokenKind.Newline, "", line, 0));
                        }
                        pos++;
                        line++;
                        lineStart = pos;
                        continue;
                    }
                    if(char.IsWhiteSpace(c))
                    {
                        pos++;
                        continue;
                    }
                    if(c == '/' && Peek(1) == '/')
                    {
                        if(pos > lineStart && text[pos - 1] != ' ')
                        {
                            Warn("'//' directly after text is not a comment in Renode (it needs a space or the start of the line before it)");
                        }
                        while(pos < text.Length && text[pos] != '\n')
                        {
                            pos++;
                        }
                        continue;
                    }
                    if(c == '/' && Peek(1) == '*')
                    {
                        var startLine = line;
                        pos += 2;
                        while(pos < text.Length && !(text[pos] == '*' && Peek(1) == '/'))
                        {
                            Advance();
                        }
                        if(pos >= text.Length)
                        {
                            throw new PlatformLoadException(file, startLine, "unterminated '/*' comment (expected '*/')");
                        }
                        pos += 2;
                        continue;
                    }
                    var column = pos - lineStart;
                    if(tokens.Count == 0 || tokens[^1].Kind == TokenKind.Newline)
                    {
                        CheckIndentation();
                    }
                    if(c == '_')
                    {
                        Warn("a name starting with '_' is not an identifier in Renode (identifiers start with a letter)");
                    }
                    if(char.IsLetter(c) || c == '_')
                    {
                        var start = pos;
                        while(pos < text.Length && (char.IsLetterOrDigit(text[pos]) || text[pos] == '_'))
                        {
                            pos++;
                        }
                        Add(TokenKind.Identifier, text.Substring(start, pos - start), column);
                        continue;
                    }
                    if(char.IsDigit(c))
                    {
                        Add(TokenKind.Number, LexNumber(), column);
                        continue;
                    }
                    if(c == '\'' && Peek(1) == '\'' && Peek(2) == '\'')
                    {
                        var startLine = line;
                        pos += 3;
                        var sb = new StringBuilder();
                        while(pos < text.Length && !(text[pos] == '\'' && Peek(1) == '\'' && Peek(2) == '\''))
                        {
                            if(text[pos] == '\\' && Peek(1) == '\'' && Peek(2) == '\'' && Peek(3) == '\'')
                            {
                                sb.Append("'''");
                                pos += 4;
                                continue;
                            }
                            sb.Append(text[pos]);
                            Advance();
                        }
                        if(pos >= text.Length)
                        {
                            throw new PlatformLoadException(file, startLine, "unterminated ''' string (expected closing ''')");
                        }
                        pos += 3;
                        tokens.Add(new Token(TokenKind.String, sb.ToString(), startLine, column));
                        continue;
                    }
                    if(c == '"')
                    {
                        Add(TokenKind.String, LexString(), column);
                        continue;
                    }
                    if(c == '-' && Peek(1) == '>')
                    {
                        pos += 2;
                        Add(TokenKind.Arrow, "->", column);
                        continue;
                    }
                    if(":@{}[]<>,;|#.+-".IndexOf(c) >= 0)
                    {
                        pos++;
                        Add(TokenKind.Symbol, c.ToString(), column);
                        if(c == '{' || c == '[')
                        {
                            depth++;
                        }
                        else if((c == '}' || c == ']') && depth > 0)
                        {
                            depth--;
                        }
                        if(c == '{' && IsMonitorBlockStart())
                        {
                            LexMonitorBlock();
                        }
                        else if(c == ':' && IsMonitorBlockStart(offset: 0))
                        {
                            LexIndentedMonitorBlock();
                        }
                        continue;
                    }
                    throw new PlatformLoadException(file, line, $"unexpected character '{c}'");
                }
                if(tokens.Count > 0 && tokens[^1].Kind != TokenKind.Newline)
                {
                    tokens.Add(new Token(TokenKind.Newline, "", line, 0));
                }
                tokens.Add(new Token(TokenKind.End, "", line, 0));
                return tokens;
            }

            private void Add(TokenKind kind, string value, int column)
            {
                tokens.Add(new Token(kind, value, line, column));
            }

            private char Peek(int ahead) => pos + ahead < text.Length ? text[pos + ahead] : '\0';

            private void Advance()
            {
                if(text[pos] == '\n')
                {
                    line++;
                    lineStart = pos + 1;
                }
                pos++;
            }

            private string LexNumber()
            {
                var sb = new StringBuilder();
                var start = pos;
                bool hex = text[pos] == '0' && (Peek(1) == 'x' || Peek(1) == 'X');
                if(hex && Peek(1) == 'X')
                {
                    Warn("hexadecimal prefix '0X': Renode accepts only '0x'");
                }
                Func<char, bool> isDigit = hex ? Uri.IsHexDigit : char.IsDigit;
                if(hex)
                {
                    sb.Append("0x");
                    pos += 2;
                }
                var lastWasDigit = false;
                while(pos < text.Length && (isDigit(text[pos]) || text[pos] == '_'))
                {
                    if(text[pos] == '_')
                    {
                        if(!lastWasDigit)
                        {
                            break;
                        }
                        lastWasDigit = false;
                    }
                    else
                    {
                        sb.Append(text[pos]);
                        lastWasDigit = true;
                    }
                    pos++;
                }
                if(!hex && pos < text.Length && text[pos] == '.' && char.IsDigit(Peek(1)))
                {
                    sb.Append('.');
                    pos++;
                    while(pos < text.Length && char.IsDigit(text[pos]))
                    {
                        sb.Append(text[pos++]);
                    }
                }
                if(!lastWasDigit && !sb.ToString().Contains('.', StringComparison.Ordinal)
                    || (pos < text.Length && (char.IsLetterOrDigit(text[pos]) || text[pos] == '_')))
                {
                    var end = pos;
                    while(end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_'))
                    {
                        end++;
                    }
                    throw new PlatformLoadException(file, line, $"bad number '{text.Substring(start, end - start)}' (expected decimal digits or 0x and hexadecimal digits, '_' only between digits)");
                }
                return sb.ToString();
            }

            private string LexString()
            {
                var sb = new StringBuilder();
                pos++;
                while(true)
                {
                    if(pos >= text.Length || text[pos] == '\n')
                    {
                        throw new PlatformLoadException(file, line, "unterminated string (expected '\"' before the end of the line)");
                    }
                    var c = text[pos];
                    if(c == '"')
                    {
                        pos++;
                        return sb.ToString();
                    }
                    if(c == '\\' && (Peek(1) == '"' || Peek(1) == '\\'))
                    {
                        sb.Append(Peek(1));
                        pos += 2;
                        continue;
                    }
                    sb.Append(c);
                    pos++;
                }
            }

            // "init: {", "init add: {", "reset: {", "reset add: {" open a block of monitor statements kept as text.
            // offset 1: the last token is the '{' after the ':'; offset 0: the last token is the ':'.
            private bool IsMonitorBlockStart(int offset = 1)
            {
                var n = tokens.Count - offset;
                if(n < 2 || tokens[n - 1].Text != ":" || tokens[n - 1].Kind != TokenKind.Symbol)
                {
                    return false;
                }
                var keyword = tokens[n - 2];
                if(keyword.Kind == TokenKind.Identifier && keyword.Text == "add" && n >= 3)
                {
                    keyword = tokens[n - 3];
                }
                return keyword.Kind == TokenKind.Identifier && (keyword.Text == "init" || keyword.Text == "reset");
            }

            // "init:" at the end of a line: either a '{' block on a following line, or statements on the following,
            // more indented lines (the layout form), which become one Raw token between '{' and '}'.
            private void LexIndentedMonitorBlock()
            {
                var rest = pos;
                while(rest < text.Length && text[rest] is ' ' or '\t' or '\r')
                {
                    rest++;
                }
                if(rest < text.Length && text[rest] != '\n' && !(text[rest] == '/' && rest + 1 < text.Length && text[rest + 1] == '/'))
                {
                    return; // "init: {" on the same line, or a syntax error the parser reports
                }
                var keyword = tokens[^2].Text == "add" ? tokens[^3] : tokens[^2];
                var keywordColumn = keyword.Column;
                var startLine = line;
                var statements = new StringBuilder();
                var scan = rest;
                var scanLine = line;
                var lastConsumed = -1;
                var lastLine = line;
                while(scan < text.Length)
                {
                    // move to the start of the next line
                    while(scan < text.Length && text[scan] != '\n')
                    {
                        scan++;
                    }
                    if(scan >= text.Length)
                    {
                        break;
                    }
                    scan++;
                    scanLine++;
                    var lineBegin = scan;
                    var indent = 0;
                    while(scan < text.Length && text[scan] is ' ' or '\t')
                    {
                        scan++;
                        indent++;
                    }
                    var lineEnd = text.IndexOf('\n', scan);
                    var content = text.Substring(scan, (lineEnd < 0 ? text.Length : lineEnd) - scan).TrimEnd('\r', ' ', '\t');
                    if(content.Length == 0)
                    {
                        continue;
                    }
                    if(statements.Length == 0 && content.StartsWith('{'))
                    {
                        // brace form on a later line: skip the blank gap so '{' follows the ':' directly
                        pos = scan;
                        line = scanLine;
                        lineStart = lineBegin;
                        return;
                    }
                    if(indent <= keywordColumn)
                    {
                        break;
                    }
                    statements.Append(content).Append('\n');
                    lastConsumed = lineEnd < 0 ? text.Length : lineEnd;
                    lastLine = scanLine;
                }
                if(lastConsumed < 0)
                {
                    throw new PlatformLoadException(file, startLine, $"expected monitor statements after '{keyword.Text}:' (on more indented lines, or in '{{ }}')");
                }
                tokens.Add(new Token(TokenKind.Symbol, "{", startLine, keywordColumn));
                tokens.Add(new Token(TokenKind.Raw, statements.ToString(), startLine, keywordColumn));
                tokens.Add(new Token(TokenKind.Symbol, "}", lastLine, keywordColumn));
                pos = lastConsumed;
                line = lastLine;
            }

            private void LexMonitorBlock()
            {
                var startLine = line;
                var column = pos - lineStart;
                var sb = new StringBuilder();
                var nesting = 0;
                var inString = false;
                while(pos < text.Length)
                {
                    var c = text[pos];
                    if(c == '"')
                    {
                        inString = !inString;
                    }
                    else if(!inString && c == '{')
                    {
                        nesting++;
                    }
                    else if(!inString && c == '}')
                    {
                        if(nesting == 0)
                        {
                            CheckStatementSeparators(sb.ToString(), startLine);
                            tokens.Add(new Token(TokenKind.Raw, sb.ToString(), startLine, column));
                            return;
                        }
                        nesting--;
                    }
                    sb.Append(c);
                    Advance();
                }
                throw new PlatformLoadException(file, startLine, "unterminated monitor statement block (expected '}')");
            }

            // Inside '{ }' Renode keeps line breaks as they are: statements must be separated by ';'.
            private void CheckStatementSeparators(string raw, int firstLine)
            {
                var lines = raw.Split('\n');
                for(var i = 0; i + 1 < lines.Length; i++)
                {
                    var current = lines[i].Trim();
                    if(current.Length > 0 && !current.EndsWith(';') && lines.Skip(i + 1).Any(l => l.Trim().Length > 0))
                    {
                        warnings.Add(new SourceWarning(new SourcePosition(file, firstLine + i),
                            "monitor statements in '{ }' separated by a line break only; Renode needs ';' between them"));
                    }
                }
            }

            private void Warn(string message)
            {
                warnings.Add(new SourceWarning(new SourcePosition(file, line), message));
            }

            // Renode's PreLexer counts indentation in spaces only and needs a multiple of 4 (tabs and other widths
            // are rejected or misread there). Checked for the first token of each line outside brackets.
            private void CheckIndentation()
            {
                if(depth > 0)
                {
                    return;
                }
                var indent = text.AsSpan(lineStart, pos - lineStart);
                if(indent.Contains('\t'))
                {
                    Warn("indented with a tab; Renode's platform-description pre-lexer counts spaces only (use 4 spaces per level)");
                }
                else if(indent.Length % 4 != 0)
                {
                    Warn($"indented by {indent.Length} spaces; Renode needs a multiple of 4");
                }
            }

            private readonly List<SourceWarning> warnings;
            private readonly string text;
            private readonly string file;
            private readonly List<Token> tokens = new List<Token>();
            private int pos;
            private int line = 1;
            private int lineStart;
            private int depth;
        }

        private sealed class Parser
        {
            public Parser(List<Token> tokens, string file, List<SourceWarning> warnings)
            {
                this.tokens = tokens;
                this.file = file;
                this.warnings = warnings;
            }

            private void WarnAt(int line, string message)
            {
                warnings.Add(new SourceWarning(new SourcePosition(file, line), message));
            }

            private void CheckName(Token token, string what)
            {
                if(RenodeKeywords.Contains(token.Text))
                {
                    WarnAt(token.Line, $"{what} '{token.Text}' is a keyword in Renode's .repl grammar and cannot be used as a name there");
                }
            }

            public ReplDocument ParseDocument()
            {
                var usings = new List<UsingDirective>();
                var entries = new List<ReplEntry>();
                ReplEntry? current = null;
                while(Current.Kind != TokenKind.End)
                {
                    if(Current.Kind == TokenKind.Newline)
                    {
                        index++;
                        continue;
                    }
                    if(Current.Column > 0)
                    {
                        if(current == null)
                        {
                            throw Error("an indented attribute line must follow an entry ('name: Type @ registration' in column 1)");
                        }
                        ParseAttributeList(current.Attributes, TokenKind.Newline);
                    }
                    else if(IsIdentifier("using") && Peek(1).Kind == TokenKind.String)
                    {
                        if(entries.Count > 0)
                        {
                            throw Error("'using' must come before the first entry");
                        }
                        usings.Add(ParseUsing());
                        current = null;
                    }
                    else
                    {
                        current = ParseEntry();
                        entries.Add(current);
                        while(IsSymbol(";"))
                        {
                            index++;
                            if(Current.Kind != TokenKind.Newline && Current.Kind != TokenKind.End)
                            {
                                current = ParseEntry();
                                entries.Add(current);
                            }
                        }
                    }
                    ExpectLineEnd();
                }
                return new ReplDocument(file, usings, entries);
            }

            private UsingDirective ParseUsing()
            {
                var position = Position;
                index++;
                var path = Next().Text;
                string? prefix = null;
                if(IsIdentifier("prefixed"))
                {
                    index++;
                    prefix = Expect(TokenKind.String, "a quoted prefix after 'prefixed'").Text;
                }
                if(IsSymbol(";"))
                {
                    index++;
                }
                return new UsingDirective(position, path, prefix);
            }

            private ReplEntry ParseEntry()
            {
                var position = Position;
                var isLocal = false;
                if(IsIdentifier("local") && Peek(1).Kind == TokenKind.Identifier)
                {
                    isLocal = true;
                    index++;
                }
                CheckName(Current, "entry name");
                var name = ExpectIdentifier("an entry name ('name: Type @ registration')");
                ExpectSymbol(":", $"':' after the entry name '{name}'");
                string? typeName = null;
                if(Current.Kind == TokenKind.Identifier && Current.Text != "as")
                {
                    typeName = ParseDottedName("a type name");
                }
                List<Registration>? registrations = null;
                if(IsSymbol("@"))
                {
                    registrations = ParseRegistrations();
                }
                else if(typeName != null && Current.Kind != TokenKind.Newline && !IsSymbol("{") && !IsSymbol(";") && !IsIdentifier("as"))
                {
                    throw Error($"expected '@' and a registration after the type '{typeName}', found {Current.Describe()}");
                }
                string? alias = null;
                if(IsIdentifier("as"))
                {
                    index++;
                    alias = Expect(TokenKind.String, "a quoted alias after 'as'").Text;
                }
                var entry = new ReplEntry(position, name, typeName, registrations, alias, isLocal);
                if(IsSymbol("{"))
                {
                    entry.Attributes.AddRange(ParseAttributeBlock());
                }
                return entry;
            }

            private List<Registration> ParseRegistrations()
            {
                index++;
                var result = new List<Registration>();
                if(IsIdentifier("none"))
                {
                    index++;
                    return result;
                }
                if(IsSymbol("{"))
                {
                    index++;
                    while(true)
                    {
                        result.Add(ParseRegistration());
                        if(IsSymbol(";"))
                        {
                            index++;
                            if(IsSymbol("}"))
                            {
                                break;
                            }
                            continue;
                        }
                        break;
                    }
                    ExpectSymbol("}", "';' or '}' in the registration list");
                    return result;
                }
                result.Add(ParseRegistration());
                return result;
            }

            private Registration ParseRegistration()
            {
                var position = Position;
                var target = ExpectIdentifier("a registration target after '@' (e.g. 'sysbus 0x09000000', 'cpu0', 'none')");
                ReplValue? point = null;
                if(!(Current.Kind == TokenKind.Newline || Current.Kind == TokenKind.End || IsSymbol("{") || IsSymbol(";") || IsSymbol("}") || IsIdentifier("as")))
                {
                    point = ParseValue("a registration point (address, range or 'new Bus.BusMultiRegistration { ... }')");
                }
                return new Registration(position, target, point);
            }

            private List<ReplAttribute> ParseAttributeBlock()
            {
                ExpectSymbol("{", "'{'");
                var attributes = new List<ReplAttribute>();
                if(!IsSymbol("}"))
                {
                    ParseAttributeList(attributes, TokenKind.Symbol);
                }
                ExpectSymbol("}", "';' or '}' in the attribute list");
                return attributes;
            }

            // Attributes separated by ';' until a line end (indented lines) or a '}' (brace blocks).
            private void ParseAttributeList(List<ReplAttribute> into, TokenKind until)
            {
                while(true)
                {
                    into.Add(ParseAttribute());
                    if(!IsSymbol(";"))
                    {
                        return;
                    }
                    index++;
                    if((until == TokenKind.Newline && (Current.Kind == TokenKind.Newline || Current.Kind == TokenKind.End)) || IsSymbol("}"))
                    {
                        return;
                    }
                }
            }

            private ReplAttribute ParseAttribute()
            {
                var position = Position;
                if((IsIdentifier("init") || IsIdentifier("reset"))
                    && ((Peek(1).Text == ":" && Peek(2).Text == "{") || (Peek(1).Text == "add" && Peek(2).Text == ":")))
                {
                    var isReset = Current.Text == "reset";
                    index++;
                    var add = false;
                    if(IsIdentifier("add"))
                    {
                        add = true;
                        index++;
                    }
                    ExpectSymbol(":", "':'");
                    ExpectSymbol("{", "'{' and monitor statements");
                    var raw = Expect(TokenKind.Raw, "monitor statements").Text;
                    ExpectSymbol("}", "'}'");
                    return new InitAttribute(position, isReset, add, SplitStatements(raw));
                }
                if(Current.Kind == TokenKind.Identifier && Peek(1).Kind == TokenKind.Symbol && Peek(1).Text == ":")
                {
                    CheckName(Current, "attribute name");
                    var name = Next().Text;
                    index++;
                    if(Current.Kind == TokenKind.Newline || Current.Kind == TokenKind.End || IsSymbol(";") || IsSymbol("}"))
                    {
                        throw Error($"expected a value for '{name}', found {Current.Describe()}");
                    }
                    return new PropertyAttribute(position, name, ParseValue($"a value for '{name}'"));
                }
                List<IrqEnd>? sources = null;
                var sourcesBracketed = IsSymbol("[");
                if(Current.Kind != TokenKind.Arrow)
                {
                    if(IsSymbol("["))
                    {
                        sources = ParseIrqEndList(allowNames: true);
                    }
                    else if(Current.Kind == TokenKind.Identifier || Current.Kind == TokenKind.Number)
                    {
                        sources = ParseIrqEnd(allowNames: true);
                    }
                    else
                    {
                        throw Error($"expected an attribute ('name: value', '-> target@n', 'init: {{ ... }}'), found {Current.Describe()}");
                    }
                    if(Current.Kind != TokenKind.Arrow)
                    {
                        throw Error($"expected '->' after the GPIO source, or ':' after a property name, found {Current.Describe()}");
                    }
                }
                index++;
                var destinations = new List<IrqDestination>();
                if(IsIdentifier("none"))
                {
                    if(sourcesBracketed)
                    {
                        WarnAt(position.Line, "'[...] -> none': Renode accepts '-> none' only after a single GPIO source");
                    }
                    index++;
                    return new IrqAttribute(position, sources, destinations);
                }
                while(true)
                {
                    // Renode's grammar has two forms: 'src -> dst@n' (single ends, ranges allowed) and
                    // '[srcs] -> dst@[ends]' (both bracketed); mixing them does not parse there.
                    var destinationLine = Current.Line;
                    var destinationBracketed = false;
                    for(var ahead = 0; Peek(ahead).Kind != TokenKind.End && Peek(ahead).Kind != TokenKind.Newline; ahead++)
                    {
                        if(Peek(ahead).Kind == TokenKind.Symbol && Peek(ahead).Text == "@")
                        {
                            destinationBracketed = Peek(ahead + 1).Kind == TokenKind.Symbol && Peek(ahead + 1).Text == "[";
                            break;
                        }
                    }
                    if(destinationBracketed != sourcesBracketed)
                    {
                        WarnAt(destinationLine, sourcesBracketed
                            ? "'[sources] -> target@n': Renode needs the target inputs in brackets too ('target@[n]')"
                            : "'source -> target@[n]': Renode needs the sources in brackets too ('[source] -> target@[n]')");
                    }
                    destinations.Add(ParseIrqDestination());
                    if(!IsSymbol("|"))
                    {
                        break;
                    }
                    index++;
                }
                return new IrqAttribute(position, sources, destinations);
            }

            private IrqDestination ParseIrqDestination()
            {
                var target = ExpectIdentifier("a GPIO destination ('gic@1', 'gic#0@14', 'cpu0@[0-3]')");
                int? local = null;
                if(IsSymbol("#"))
                {
                    index++;
                    if(Current.Kind == TokenKind.Number && Current.Text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                    {
                        WarnAt(Current.Line, "a hexadecimal local receiver index after '#': Renode reads only decimal digits there");
                    }
                    local = (int)ParseSmallNumber("a local receiver index after '#'");
                }
                ExpectSymbol("@", $"'@' and an input number after the GPIO destination '{target}'");
                var ends = IsSymbol("[") ? ParseIrqEndList(allowNames: false) : ParseIrqEnd(allowNames: false);
                var numbers = new List<int>();
                foreach(var end in ends)
                {
                    numbers.Add(end.Number);
                }
                return new IrqDestination(target, local, numbers);
            }

            private List<IrqEnd> ParseIrqEndList(bool allowNames)
            {
                ExpectSymbol("[", "'['");
                var result = new List<IrqEnd>();
                while(true)
                {
                    result.AddRange(ParseIrqEnd(allowNames));
                    if(!IsSymbol(","))
                    {
                        break;
                    }
                    index++;
                }
                ExpectSymbol("]", "',' or ']' in the GPIO list");
                return result;
            }

            private List<IrqEnd> ParseIrqEnd(bool allowNames)
            {
                if(allowNames && Current.Kind == TokenKind.Identifier)
                {
                    return new List<IrqEnd> { new IrqEnd(Next().Text, 0) };
                }
                var first = ParseSmallNumber(allowNames ? "a GPIO number or GPIO property name" : "a GPIO input number");
                var result = new List<IrqEnd>();
                if(IsSymbol("-") && Peek(1).Kind == TokenKind.Number)
                {
                    index++;
                    var last = ParseSmallNumber("the end of the GPIO range");
                    if(last == first)
                    {
                        throw Error($"GPIO range {first}-{last} has equal ends (expected two different numbers)");
                    }
                    var step = last > first ? 1 : -1;
                    for(var n = first; n != last + step; n += step)
                    {
                        result.Add(new IrqEnd(null, (int)n));
                    }
                    return result;
                }
                result.Add(new IrqEnd(null, (int)first));
                return result;
            }

            private long ParseSmallNumber(string expected)
            {
                var token = Expect(TokenKind.Number, expected);
                if(!TryParseInteger(token.Text, out var value) || value > int.MaxValue)
                {
                    throw new PlatformLoadException(file, token.Line, $"bad number '{token.Text}' for {expected}");
                }
                return (long)value;
            }

            private ReplValue ParseValue(string expected)
            {
                var position = Position;
                var token = Current;
                switch(token.Kind)
                {
                case TokenKind.String:
                    index++;
                    return new StringValue(position, token.Text);
                case TokenKind.Number:
                    index++;
                    return new NumberValue(position, token.Text);
                case TokenKind.Identifier:
                    switch(token.Text)
                    {
                    case "true":
                        index++;
                        return new BoolValue(position, true);
                    case "false":
                        index++;
                        return new BoolValue(position, false);
                    case "none":
                        index++;
                        return new NoneValue(position);
                    case "empty":
                        index++;
                        return new EmptyValue(position);
                    case "new":
                        index++;
                        var typeName = ParseDottedName("a type name after 'new'");
                        var attributes = IsSymbol("{") ? ParseAttributeBlock() : new List<ReplAttribute>();
                        return new ObjectValue(position, typeName, attributes);
                    }
                    var dotted = ParseDottedName(expected);
                    var lastDot = dotted.LastIndexOf('.');
                    return lastDot < 0 ? new ReferenceValue(position, dotted) : new EnumValue(position, dotted.Substring(0, lastDot), dotted.Substring(lastDot + 1));
                case TokenKind.Symbol:
                    switch(token.Text)
                    {
                    case "-":
                        index++;
                        var number = Expect(TokenKind.Number, "a number after '-'");
                        return new NumberValue(position, "-" + number.Text);
                    case ".":
                        index++;
                        return new EnumValue(position, "", ExpectIdentifier("an enum member after '.'"));
                    case "[":
                        index++;
                        var items = new List<ReplValue>();
                        while(!IsSymbol("]"))
                        {
                            items.Add(ParseValue("a list element"));
                            if(!IsSymbol(","))
                            {
                                break;
                            }
                            index++;
                        }
                        ExpectSymbol("]", "',' or ']' in the list");
                        return new ListValue(position, items);
                    case "<":
                        index++;
                        var start = ParseUnsigned("the start of the range");
                        ExpectSymbol(",", "',' in the range");
                        var relative = false;
                        if(IsSymbol("+"))
                        {
                            relative = true;
                            index++;
                        }
                        var end = ParseUnsigned("the end or '+size' of the range");
                        ExpectSymbol(">", "'>' closing the range");
                        if(!relative && end < start)
                        {
                            throw new PlatformLoadException(file, position.Line, $"range end 0x{end:X} is below its start 0x{start:X}");
                        }
                        return new RangeValue(position, start, relative ? end : end - start);
                    }
                    break;
                }
                throw Error($"expected {expected}, found {token.Describe()}");
            }

            private ulong ParseUnsigned(string expected)
            {
                var token = Expect(TokenKind.Number, expected);
                if(!TryParseInteger(token.Text, out var value))
                {
                    throw new PlatformLoadException(file, token.Line, $"bad number '{token.Text}' for {expected}");
                }
                return value;
            }

            private string ParseDottedName(string expected)
            {
                var sb = new StringBuilder(ExpectIdentifier(expected));
                while(IsSymbol(".") && Peek(1).Kind == TokenKind.Identifier)
                {
                    index++;
                    sb.Append('.').Append(Next().Text);
                }
                return sb.ToString();
            }

            private static List<string> SplitStatements(string raw)
            {
                var result = new List<string>();
                var sb = new StringBuilder();
                var inString = false;
                foreach(var c in raw)
                {
                    if(c == '"')
                    {
                        inString = !inString;
                    }
                    if(!inString && (c == ';' || c == '\n'))
                    {
                        Flush();
                        continue;
                    }
                    sb.Append(c);
                }
                Flush();
                return result;

                void Flush()
                {
                    var statement = sb.ToString().Trim();
                    if(statement.Length > 0)
                    {
                        result.Add(statement);
                    }
                    sb.Clear();
                }
            }

            private void ExpectLineEnd()
            {
                if(Current.Kind == TokenKind.Newline || Current.Kind == TokenKind.End)
                {
                    return;
                }
                throw Error($"unexpected {Current.Describe()} (expected the end of the line)");
            }

            private Token Current => tokens[index];

            private Token Peek(int ahead) => tokens[Math.Min(index + ahead, tokens.Count - 1)];

            private Token Next() => tokens[index++];

            private SourcePosition Position => new SourcePosition(file, Current.Line);

            private bool IsSymbol(string symbol) => Current.Kind == TokenKind.Symbol && Current.Text == symbol;

            private bool IsIdentifier(string word) => Current.Kind == TokenKind.Identifier && Current.Text == word;

            private Token Expect(TokenKind kind, string expected)
            {
                if(Current.Kind != kind)
                {
                    throw Error($"expected {expected}, found {Current.Describe()}");
                }
                return Next();
            }

            private string ExpectIdentifier(string expected) => Expect(TokenKind.Identifier, expected).Text;

            private void ExpectSymbol(string symbol, string expected)
            {
                if(!IsSymbol(symbol))
                {
                    throw Error($"expected {expected}, found {Current.Describe()}");
                }
                index++;
            }

            private PlatformLoadException Error(string message) => new PlatformLoadException(file, Current.Line, message);

            private readonly List<SourceWarning> warnings;
            private readonly List<Token> tokens;
            private readonly string file;
            private int index;
        }

        /// <summary>Parses "0x1F", "31", "0x1_0000" (separators already removed by the lexer) as an unsigned integer.</summary>
        public static bool TryParseInteger(string text, out ulong value)
        {
            text = text.Replace("_", "", StringComparison.Ordinal);
            if(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
            {
                return ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && text.Length > 2;
            }
            return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }
    }
}
