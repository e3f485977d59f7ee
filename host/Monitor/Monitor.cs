// The Renode-style monitor: runs .resc scripts and interactive lines against one machine.
//
// How 'start' works here (the CLI relies on this):
//   * If StartHandler is set, 'start' finishes the platform load (Machine.FinishLoad) and calls
//     StartHandler(machine) synchronously; its RunOutcome is kept in LastOutcome. The CLI installs a handler
//     that runs until the guest powers off or the CLI's timeout.
//   * If StartHandler is null, 'start' only sets StartRequested; the caller acts on it after the script.
//   'emulation RunFor "0.5"' always runs synchronously through Machine.Runner. 'pause' calls
//   Runner.RequestPause(). 'quit' sets QuitRequested and stops the current script.
//
// Paths written '@file' resolve against the directory of the running script, then RootDirectory (the repo
// root), then the working directory. Variables: '$name = value', '$name ?= value' (only if unset), '$ORIGIN'
// (the running script's directory); '$name' is replaced in later lines. 'macro name """ ... """' and
// 'runMacro $name' hold and run blocks of lines.
//
// Logging: log entries go to ErrorOutput as "[LEVEL] source: message" when their level is at least the level set
// for their source ('logLevel 0 gic') or the default ('logLevel 2'); the default is Warning. Guest errors are
// counted whatever the level (GuestErrorCount). LogEntryReceived sees every entry (log testers).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Time;
using RenodeGic.Host.Emulation;
using RenodeGic.Host.Platform;

namespace RenodeGic.Host.Monitor
{
    /// <summary>A monitor command that failed; the message reads "file:line: what was wrong".</summary>
    public sealed class MonitorException : Exception
    {
        public MonitorException(string file, int line, string message, Exception? inner = null)
            : base($"{file}:{line}: {message}", inner)
        {
            File = file;
            Line = line;
        }

        public string File { get; }

        public int Line { get; }
    }

    public sealed class Monitor
    {
        public Monitor(TextWriter? output = null, TextWriter? errorOutput = null)
        {
            Output = output ?? Console.Out;
            ErrorOutput = errorOutput ?? Console.Error;
            RootDirectory = Directory.GetCurrentDirectory();
            GuestErrors = new RenodeGic.Host.Tooling.GuestErrorReport(() => Machine);
            Logger.Backend = OnLogEntry;
        }

        /// <summary>Where command results and UART analyzer output go.</summary>
        public TextWriter Output { get; }

        /// <summary>Where log lines go.</summary>
        public TextWriter ErrorOutput { get; }

        /// <summary>Fallback directory for '@' paths (the repository root).</summary>
        public string RootDirectory { get; set; }

        /// <summary>The current machine (the last created or 'mach set' one).</summary>
        public Machine? Machine { get; private set; }

        /// <summary>Every machine created, in creation order.</summary>
        public IReadOnlyList<Machine> Machines => machines;

        /// <summary>Called when 'mach create' (or the first command needing a machine) creates the machine; the CPU scheduler hooks in here.</summary>
        public event Action<Machine>? MachineCreated;

        /// <summary>Runs the machine for 'start'. See the comment at the top of this file.</summary>
        public Func<Machine, RunOutcome>? StartHandler { get; set; }

        public bool StartRequested { get; private set; }

        public bool QuitRequested { get; private set; }

        public RunOutcome? LastOutcome { get; private set; }

        public LogLevel DefaultLogLevel { get; set; } = LogLevel.Warning;

        public long GuestErrorCount => guestErrors;

        /// <summary>Guest errors by kind with their first occurrence (printed by the CLI at exit).</summary>
        public RenodeGic.Host.Tooling.GuestErrorReport GuestErrors { get; }

        /// <summary>Starts an interrupt trace (JSON and/or text; 'trace start'); it attaches to the GICs at the next run.</summary>
        public void StartTrace(string? jsonPath, string? textPath)
        {
            StopTrace();
            tracer = RenodeGic.Host.Tooling.InterruptTracer.Open(jsonPath, textPath);
            if(Machine != null)
            {
                tracer.AttachTo(Machine);
            }
        }

        /// <summary>Finishes the trace files ('trace stop'); nothing when no trace runs.</summary>
        public void StopTrace()
        {
            tracer?.Dispose();
            tracer = null;
        }

        /// <summary>Every log entry, before level filtering.</summary>
        public event Action<LogEntry>? LogEntryReceived;

        /// <summary>Bytes a UART sends after 'showAnalyzer' (default: written to Output as characters).</summary>
        public Action<string, byte>? UartSink { get; set; }

        public LogLevel LevelFor(string source)
        {
            return sourceLevels.TryGetValue(source, out var level) ? level : DefaultLogLevel;
        }

        /// <summary>Runs a .resc file. Errors throw MonitorException (or PlatformLoadException from a .repl) naming file and line.</summary>
        public void ExecuteScript(string path)
        {
            var full = Path.GetFullPath(path);
            if(!File.Exists(full))
            {
                throw new MonitorException(path, 0, "script not found");
            }
            ExecuteLines(File.ReadAllLines(full), path, Path.GetDirectoryName(full)!);
        }

        /// <summary>Runs script text (lines separated by newlines) as if read from <paramref name="fileName"/> in <paramref name="directory"/>.</summary>
        public void ExecuteScriptText(string text, string fileName = "<script>", string? directory = null)
        {
            ExecuteLines(text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'), fileName, directory ?? Directory.GetCurrentDirectory());
        }

        /// <summary>Runs one command line (interactive use). Throws MonitorException on errors.</summary>
        public void ExecuteLine(string line, string file = "<monitor>", int lineNumber = 1, string? directory = null)
        {
            ExecuteLines(new[] { line }, file, directory ?? Directory.GetCurrentDirectory(), lineNumber);
        }

        /// <summary>Interactive loop: prompt, read, execute, print errors; ends at 'quit' or end of input.</summary>
        public void RunInteractive(TextReader input)
        {
            var number = 0;
            while(!QuitRequested)
            {
                Output.Write($"({Machine?.Name ?? "monitor"}) ");
                Output.Flush();
                var line = input.ReadLine();
                if(line == null)
                {
                    break;
                }
                number++;
                try
                {
                    ExecuteLine(line, "<monitor>", number);
                }
                catch(Exception e) when(e is MonitorException || e is PlatformLoadException)
                {
                    Output.WriteLine("error: " + e.Message);
                }
            }
        }

        private void ExecuteLines(IReadOnlyList<string> lines, string file, string directory, int firstLine = 1)
        {
            var previousOrigin = variables.TryGetValue("ORIGIN", out var o) ? o : null;
            variables["ORIGIN"] = directory;
            try
            {
                for(var i = 0; i < lines.Count && !QuitRequested; i++)
                {
                    var number = firstLine + i;
                    var line = lines[i];
                    // A """ opens a block that runs to the next """ (macros, multi-line platform strings).
                    if(CountOccurrences(line, "\"\"\"") % 2 == 1)
                    {
                        var sb = new StringBuilder(line);
                        while(++i < lines.Count)
                        {
                            sb.Append('\n').Append(lines[i]);
                            if(CountOccurrences(lines[i], "\"\"\"") % 2 == 1)
                            {
                                break;
                            }
                        }
                        if(i >= lines.Count)
                        {
                            throw new MonitorException(file, number, "unterminated \"\"\" block (expected a closing \"\"\")");
                        }
                        line = sb.ToString();
                    }
                    Execute(line, new Context(file, number, directory));
                }
            }
            finally
            {
                if(previousOrigin != null)
                {
                    variables["ORIGIN"] = previousOrigin;
                }
            }
        }

        private static int CountOccurrences(string text, string what)
        {
            var count = 0;
            for(var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
            {
                count++;
            }
            return count;
        }

        private readonly record struct Context(string File, int Line, string Directory)
        {
            public MonitorException Error(string message, Exception? inner = null) => new MonitorException(File, Line, message, inner);
        }

        private void Execute(string rawLine, Context at)
        {
            var line = StripComment(rawLine).Trim();
            if(line.Length == 0)
            {
                return;
            }
            if(line.StartsWith('$'))
            {
                DefineVariable(line, at);
                return;
            }
            // A macro body keeps its variables until it runs.
            var words = Tokenize(line.StartsWith("macro ", StringComparison.Ordinal) ? line : Substitute(line, at), at);
            if(words.Count == 0)
            {
                return;
            }
            var command = words[0].Text;
            var args = words.Skip(1).ToList();
            switch(command)
            {
            case "help":
                Output.WriteLine(HelpText);
                lock(Extensions)
                {
                    foreach(var entry in Extensions.OrderBy(e => e.Key, StringComparer.Ordinal))
                    {
                        Output.WriteLine($"  {entry.Key,-12} {entry.Value.Help}");
                    }
                }
                return;
            case "quit":
            case "q":
                QuitRequested = true;
                return;
            case "mach":
                Mach(args, at);
                return;
            case "machine":
                MachineCommand(args, at);
                return;
            case "using":
                return; // 'using sysbus': names resolve with or without 'sysbus.' anyway
            case "include":
            case "i":
                Include(args, at);
                return;
            case "start":
            case "s":
                Start(at);
                return;
            case "pause":
            case "p":
                Machine?.Runner?.RequestPause();
                return;
            case "emulation":
                Emulation(args, at);
                return;
            case "logLevel":
                SetLogLevel(args, at);
                return;
            case "showAnalyzer":
                ShowAnalyzer(args, at);
                return;
            case "peripherals":
                ListPeripherals(at);
                return;
            case "trace":
                TraceCommand(args, at);
                return;
            case "macro":
                if(args.Count != 2 || args[1].Kind != WordKind.String)
                {
                    throw at.Error("expected 'macro name \"\"\" lines \"\"\"'");
                }
                macros[args[0].Text] = args[1].Text;
                return;
            case "runMacro":
                if(args.Count != 1)
                {
                    throw at.Error("expected 'runMacro $name'");
                }
                var name = args[0].Text.TrimStart('$');
                if(!macros.TryGetValue(name, out var body))
                {
                    throw at.Error($"unknown macro '{name}'");
                }
                ExecuteLines(body.Split('\n'), at.File, at.Directory, at.Line);
                return;
            }
            if(TryGetPeripheral(command, out var peripheral))
            {
                PeripheralCommand(command, peripheral, args, at);
                return;
            }
            if(Extensions.TryGetValue(command, out var extensionCommand))
            {
                try
                {
                    extensionCommand.Handler(this, args.Select(a => a.Text).ToList(), at.Directory);
                }
                catch(Exception e) when(e is ArgumentException || e is IOException || e is InvalidOperationException)
                {
                    throw at.Error($"{command}: {e.Message}", e);
                }
                return;
            }
            throw at.Error($"unknown command '{command}' (type 'help' for the list)");
        }

        private static string StripComment(string line)
        {
            var inString = false;
            for(var i = 0; i < line.Length; i++)
            {
                if(line[i] == '"')
                {
                    inString = !inString;
                }
                else if(line[i] == '#' && !inString)
                {
                    return line.Substring(0, i);
                }
            }
            return line;
        }

        // ---- variables ----

        private void DefineVariable(string line, Context at)
        {
            var conditional = line.Contains("?=", StringComparison.Ordinal);
            var separator = conditional ? line.IndexOf("?=", StringComparison.Ordinal) : line.IndexOf('=');
            if(separator < 0)
            {
                throw at.Error($"expected '$name = value' or '$name ?= value', found '{line}'");
            }
            var name = line.Substring(1, separator - 1).Trim();
            if(name.Length == 0 || !name.All(c => char.IsLetterOrDigit(c) || c == '_'))
            {
                throw at.Error($"bad variable name '{name}'");
            }
            var value = Substitute(line.Substring(separator + (conditional ? 2 : 1)).Trim(), at);
            if(value.StartsWith('@'))
            {
                value = "@" + ResolvePath(value.Substring(1), at, mustExist: false);
            }
            if(!conditional || !variables.ContainsKey(name))
            {
                variables[name] = value;
            }
        }

        private string Substitute(string line, Context at)
        {
            if(!line.Contains('$', StringComparison.Ordinal))
            {
                return line;
            }
            var sb = new StringBuilder();
            for(var i = 0; i < line.Length; i++)
            {
                if(line[i] == '$' && i + 1 < line.Length && (char.IsLetter(line[i + 1]) || line[i + 1] == '_'))
                {
                    var end = i + 1;
                    while(end < line.Length && (char.IsLetterOrDigit(line[end]) || line[end] == '_'))
                    {
                        end++;
                    }
                    var name = line.Substring(i + 1, end - i - 1);
                    if(macros.ContainsKey(name) && line.TrimStart().StartsWith("runMacro", StringComparison.Ordinal))
                    {
                        sb.Append('$').Append(name);
                    }
                    else if(variables.TryGetValue(name, out var value))
                    {
                        sb.Append(value);
                    }
                    else
                    {
                        throw at.Error($"undefined variable '${name}'");
                    }
                    i = end - 1;
                    continue;
                }
                sb.Append(line[i]);
            }
            return sb.ToString();
        }

        // ---- words ----

        private enum WordKind
        {
            Plain,
            String,
            Path,
        }

        private readonly record struct Word(WordKind Kind, string Text);

        private static List<Word> Tokenize(string line, Context at)
        {
            var words = new List<Word>();
            var i = 0;
            while(i < line.Length)
            {
                if(char.IsWhiteSpace(line[i]))
                {
                    i++;
                    continue;
                }
                if(string.CompareOrdinal(line, i, "\"\"\"", 0, 3) == 0)
                {
                    var end = line.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if(end < 0)
                    {
                        throw at.Error("unterminated \"\"\" string");
                    }
                    words.Add(new Word(WordKind.String, line.Substring(i + 3, end - i - 3)));
                    i = end + 3;
                    continue;
                }
                if(line[i] == '"' || line[i] == '\'')
                {
                    var quote = line[i];
                    var sb = new StringBuilder();
                    i++;
                    while(i < line.Length && line[i] != quote)
                    {
                        if(line[i] == '\\' && i + 1 < line.Length)
                        {
                            i++;
                            sb.Append(line[i] switch
                            {
                                'n' => '\n',
                                't' => '\t',
                                var c => c,
                            });
                        }
                        else
                        {
                            sb.Append(line[i]);
                        }
                        i++;
                    }
                    if(i >= line.Length)
                    {
                        throw at.Error($"unterminated string (expected a closing {quote})");
                    }
                    i++;
                    words.Add(new Word(WordKind.String, sb.ToString()));
                    continue;
                }
                var start = i;
                while(i < line.Length && !char.IsWhiteSpace(line[i]))
                {
                    i++;
                }
                var text = line.Substring(start, i - start);
                words.Add(text.StartsWith('@') ? new Word(WordKind.Path, text.Substring(1)) : new Word(WordKind.Plain, text));
            }
            return words;
        }

        private string ResolvePath(string path, Context at, bool mustExist = true)
        {
            if(Path.IsPathRooted(path))
            {
                if(mustExist && !File.Exists(path))
                {
                    throw at.Error($"file '{path}' not found");
                }
                return path;
            }
            var candidates = new[] { at.Directory, RootDirectory, Directory.GetCurrentDirectory() }.Distinct().Select(d => Path.GetFullPath(Path.Combine(d, path))).ToList();
            foreach(var candidate in candidates)
            {
                if(File.Exists(candidate))
                {
                    return candidate;
                }
            }
            if(!mustExist)
            {
                return candidates[0];
            }
            throw at.Error($"file '{path}' not found (looked in {string.Join(", ", candidates.Select(Path.GetDirectoryName).Distinct())})");
        }

        private string PathArgument(List<Word> args, int index, Context at, string usage)
        {
            // A plain absolute path is what '$ORIGIN/file' expands to (Renode keeps $ORIGIN as a path token).
            if(args.Count <= index || (args[index].Kind == WordKind.Plain && !Path.IsPathRooted(args[index].Text)))
            {
                throw at.Error($"expected {usage}");
            }
            return ResolvePath(args[index].Text, at);
        }

        private static ulong ParseNumber(Word word, Context at, string what)
        {
            var text = word.Text.Replace("_", "", StringComparison.Ordinal);
            ulong value;
            var ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
                : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
            if(!ok)
            {
                throw at.Error($"bad number '{word.Text}' for {what} (expected decimal or 0x-prefixed hexadecimal)");
            }
            return value;
        }

        // ---- commands ----

        private Machine RequireMachine(Context at)
        {
            return Machine ?? throw at.Error("no machine (expected 'mach create' first)");
        }

        // 'mach create' makes a new machine the current one (earlier ones stay in Machines, as in Renode);
        // 'mach set "name"' or 'mach set 0' switches back.
        private void Mach(List<Word> args, Context at)
        {
            if(args.Count >= 1 && args[0].Text == "create")
            {
                var name = args.Count > 1 ? args[1].Text : $"machine-{machines.Count}";
                if(machines.Any(m => m.Name == name))
                {
                    throw at.Error($"a machine named '{name}' already exists");
                }
                Machine = new Machine(name);
                machines.Add(Machine);
                MachineCreated?.Invoke(Machine);
                return;
            }
            if(args.Count == 2 && args[0].Text == "set")
            {
                Machine = machines.FirstOrDefault(m => m.Name == args[1].Text)
                    ?? (int.TryParse(args[1].Text, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < machines.Count ? machines[index]
                    : throw at.Error($"no machine '{args[1].Text}' (machines: {string.Join(", ", machines.Select(m => m.Name))})"));
                return;
            }
            throw at.Error("expected 'mach create [\"name\"]' or 'mach set \"name\"'");
        }

        private void MachineCommand(List<Word> args, Context at)
        {
            var machine = RequireMachine(at);
            if(args.Count == 0)
            {
                throw at.Error("expected 'machine LoadPlatformDescription @file.repl' or 'machine LoadPlatformDescriptionFromString \"...\"'");
            }
            var loader = new ReplLoader(machine) { InitStatementHandler = RunInitStatement };
            loader.SearchDirectories.Add(RootDirectory);
            switch(args[0].Text)
            {
            case "LoadPlatformDescription":
                LoadPlatform(machine, PathArgument(args, 1, at, "'machine LoadPlatformDescription @file.repl'"));
                return;
            case "LoadPlatformDescriptionFromString":
                if(args.Count < 2 || args[1].Kind != WordKind.String)
                {
                    throw at.Error("expected 'machine LoadPlatformDescriptionFromString \"...\"'");
                }
                loader.LoadString(args[1].Text, $"{at.File}:{at.Line}:string", at.Directory);
                return;
            default:
                throw at.Error($"unknown machine command '{args[0].Text}' (expected LoadPlatformDescription or LoadPlatformDescriptionFromString)");
            }
        }

        private void LoadPlatform(Machine machine, string path)
        {
            var loader = new ReplLoader(machine) { InitStatementHandler = RunInitStatement };
            loader.SearchDirectories.Add(RootDirectory);
            var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
            loader.LoadString(File.ReadAllText(path), relative.StartsWith("..", StringComparison.Ordinal) ? path : relative, Path.GetDirectoryName(path));
        }

        private void RunInitStatement(string peripheral, string statement, SourcePosition where)
        {
            Execute(peripheral + " " + statement, new Context(where.File, where.Line, Path.GetDirectoryName(Path.GetFullPath(where.File)) ?? "."));
        }

        // As Renode's IncludeFileCommand (renode-infrastructure src/Emulator/Extensions/UserInterface/Commands/IncludeFileCommand.cs):
        // *.cs compiles a plugin, *.repl loads a platform description into the current machine, *.py is Python (not
        // available here), anything else runs as a monitor script.
        private void Include(List<Word> args, Context at)
        {
            var path = PathArgument(args, 0, at, "'include @file.resc', 'include @Peripheral.cs' or 'include @platform.repl'");
            switch(Path.GetExtension(path).ToLowerInvariant())
            {
            case ".cs":
                IncludeCSharp(path, args[0].Text, at);
                return;
            case ".repl":
                LoadPlatform(RequireMachine(at), path);
                return;
            case ".py":
                throw at.Error($"'include' of Python ('{Path.GetFileName(path)}') is not supported here (no Python engine)");
            default:
                ExecuteLines(File.ReadAllLines(path), args[0].Text, Path.GetDirectoryName(path)!);
                return;
            }
        }

        private void IncludeCSharp(string path, string displayName, Context at)
        {
            System.Reflection.Assembly assembly;
            try
            {
                assembly = CSharpInclude.CompileAndLoad(new[] { path }, new[] { displayName });
            }
            catch(CSharpCompilationException e)
            {
                throw at.Error($"could not compile '{displayName}':\n{e.Message}", e);
            }
            catch(Exception e) when(e is IOException || e is BadImageFormatException)
            {
                throw at.Error($"could not load '{displayName}': {e.Message}", e);
            }
            ReplLoader.AddAssembly(assembly);
        }

        private void TraceCommand(List<Word> args, Context at)
        {
            if(args.Count == 1 && args[0].Text == "stop")
            {
                StopTrace();
                return;
            }
            if(args.Count < 2 || args.Count > 3 || args[0].Text != "start")
            {
                throw at.Error("expected 'trace start <file.json> [<file.txt>]' (a .txt file gets the text form) or 'trace stop'");
            }
            string? json = null;
            string? text = null;
            foreach(var word in args.Skip(1))
            {
                var path = word.Kind == WordKind.Path ? ResolvePath(word.Text, at, mustExist: false) : Path.GetFullPath(Path.Combine(at.Directory, word.Text));
                if(path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
                {
                    text = path;
                }
                else
                {
                    json = path;
                }
            }
            try
            {
                StartTrace(json, text);
            }
            catch(Exception e) when(e is IOException || e is UnauthorizedAccessException)
            {
                throw at.Error($"cannot write the trace: {e.Message}", e);
            }
        }

        private void Start(Context at)
        {
            var machine = RequireMachine(at);
            machine.FinishLoad();
            tracer?.AttachTo(machine);
            if(StartHandler == null)
            {
                StartRequested = true;
                return;
            }
            LastOutcome = StartHandler(machine);
        }

        private void Emulation(List<Word> args, Context at)
        {
            if(args.Count < 1 || args[0].Text != "RunFor" || args.Count != 2)
            {
                throw at.Error("expected 'emulation RunFor \"seconds\"'");
            }
            var machine = RequireMachine(at);
            var interval = ParseInterval(args[1].Text, at);
            machine.FinishLoad();
            tracer?.AttachTo(machine);
            var runner = machine.Runner ?? throw at.Error("the machine has no CPU scheduler to run it");
            LastOutcome = runner.RunFor(interval);
        }

        private static TimeInterval ParseInterval(string text, Context at)
        {
            if(double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                return TimeInterval.FromSeconds(seconds);
            }
            if(TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
            {
                return TimeInterval.FromSeconds(span.TotalSeconds);
            }
            throw at.Error($"bad time '{text}' (expected seconds such as \"0.5\" or hh:mm:ss)");
        }

        private void SetLogLevel(List<Word> args, Context at)
        {
            if(args.Count < 1 || args.Count > 2 || !LogLevel.TryParse(args[0].Text, out var level))
            {
                throw at.Error($"expected 'logLevel <level> [peripheral]' with level one of -1..3 or {string.Join(", ", LogLevel.AllLevels.Select(l => l.Name))}");
            }
            if(args.Count == 1)
            {
                DefaultLogLevel = level;
                return;
            }
            var name = args[1].Text;
            if(!TryGetPeripheral(name, out var peripheral))
            {
                throw at.Error($"unknown peripheral '{name}'");
            }
            sourceLevels[Machine!.GetName(peripheral)] = level;
        }

        private void ShowAnalyzer(List<Word> args, Context at)
        {
            if(args.Count < 1)
            {
                throw at.Error("expected 'showAnalyzer uart0'");
            }
            if(!TryGetPeripheral(args[0].Text, out var peripheral))
            {
                throw at.Error($"unknown peripheral '{args[0].Text}'");
            }
            var name = Machine!.GetName(peripheral);
            var charReceived = peripheral.GetType().GetEvent("CharReceived", BindingFlags.Public | BindingFlags.Instance);
            if(charReceived == null || charReceived.EventHandlerType != typeof(Action<byte>))
            {
                throw at.Error($"'{name}' ({peripheral.GetType().Name}) is not a UART (it has no 'event Action<byte> CharReceived')");
            }
            if(!analyzed.Add(peripheral))
            {
                return;
            }
            charReceived.AddEventHandler(peripheral, new Action<byte>(b => OnUartByte(name, b)));
        }

        private void OnUartByte(string uart, byte value)
        {
            if(UartSink != null)
            {
                UartSink(uart, value);
                return;
            }
            Output.Write((char)value);
            if(value == '\n')
            {
                Output.Flush();
            }
        }

        private void ListPeripherals(Context at)
        {
            var machine = RequireMachine(at);
            foreach(var peripheral in machine.Peripherals)
            {
                var name = machine.GetName(peripheral);
                var places = machine.SystemBus.MmioRegions.Where(r => r.Peripheral == peripheral).Select(r => $"0x{r.Address:X8}-0x{r.Address + r.Size - 1:X8}{(r.RegionName != null ? " (" + r.RegionName + ")" : "")}")
                    .Concat(machine.SystemBus.RamRegions.Where(r => r.Memory == peripheral).Select(r => $"0x{r.Address:X8}-0x{r.Address + (ulong)r.Memory.Size - 1:X8}"))
                    .ToList();
                Output.WriteLine($"  {name,-12} {peripheral.GetType().Name,-32} {(places.Count == 0 ? "-" : string.Join(", ", places))}");
            }
        }

        private bool TryGetPeripheral(string name, out IPeripheral peripheral)
        {
            if(Machine == null)
            {
                peripheral = null!;
                return false;
            }
            return Machine.TryGetByName(name, out peripheral);
        }

        // ---- '<peripheral> <member> [args]' ----

        private void PeripheralCommand(string name, IPeripheral peripheral, List<Word> args, Context at)
        {
            if(args.Count == 0 && peripheral.GetType().GetMethod("ShowSummary", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes) is { } summary)
            {
                // A bare peripheral name prints its summary when it has one ('gic').
                Output.WriteLine(FormatValue(summary.Invoke(peripheral, null)));
                return;
            }
            if(args.Count == 0)
            {
                throw at.Error($"expected '{name} <command> [arguments]'");
            }
            var member = args[0].Text;
            var rest = args.Skip(1).ToList();
            if(peripheral is SystemBus bus && TryBusCommand(bus, member, rest, at))
            {
                return;
            }
            if(peripheral is IHostCpu cpu && member == "PC")
            {
                if(rest.Count == 0)
                {
                    Output.WriteLine($"0x{cpu.PC:X}");
                }
                else
                {
                    cpu.PC = ParseNumber(rest[0], at, "the PC");
                }
                return;
            }
            ReflectiveCommand(name, peripheral, member, rest, at);
        }

        private bool TryBusCommand(SystemBus bus, string member, List<Word> args, Context at)
        {
            int width;
            switch(member)
            {
            case "LoadELF":
                LoadElf(bus, PathArgument(args, 0, at, "'sysbus LoadELF @file.elf'"), at);
                return true;
            case "LoadBinary":
                var path = PathArgument(args, 0, at, "'sysbus LoadBinary @file.bin 0xADDRESS'");
                if(args.Count < 2)
                {
                    throw at.Error("expected 'sysbus LoadBinary @file.bin 0xADDRESS'");
                }
                bus.WriteBytes(File.ReadAllBytes(path), ParseNumber(args[1], at, "the load address"));
                return true;
            case "ReadByte":
            case "ReadWord":
            case "ReadDoubleWord":
            case "ReadQuadWord":
                width = WidthOf(member.Substring(4));
                if(args.Count != 1)
                {
                    throw at.Error($"expected 'sysbus {member} 0xADDRESS'");
                }
                var value = bus.Read(ParseNumber(args[0], at, "the address"), width);
                Output.WriteLine("0x" + value.ToString("X" + (width * 2).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
                return true;
            case "WriteByte":
            case "WriteWord":
            case "WriteDoubleWord":
            case "WriteQuadWord":
                width = WidthOf(member.Substring(5));
                if(args.Count != 2)
                {
                    throw at.Error($"expected 'sysbus {member} 0xADDRESS 0xVALUE'");
                }
                var data = ParseNumber(args[1], at, "the value");
                if(width < 8 && data >> (width * 8) != 0)
                {
                    throw at.Error($"value 0x{data:X} does not fit {width} byte(s)");
                }
                bus.Write(ParseNumber(args[0], at, "the address"), width, data);
                return true;
            }
            return false;
        }

        private static int WidthOf(string name) => name switch
        {
            "Byte" => 1,
            "Word" => 2,
            "DoubleWord" => 4,
            _ => 8,
        };

        private void LoadElf(SystemBus bus, string path, Context at)
        {
            ulong entry;
            try
            {
                entry = RenodeGic.Host.Loaders.ElfLoader.Load(bus, path);
            }
            catch(Exception e) when(e is RenodeGic.Host.Loaders.ImageLoadException || e is IOException)
            {
                throw at.Error(e.Message, e);
            }
            foreach(var cpu in Machine!.Cpus)
            {
                cpu.PC = entry;
            }
        }

        private void ReflectiveCommand(string name, IPeripheral peripheral, string member, List<Word> args, Context at)
        {
            var type = peripheral.GetType();
            var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(p => p.Name == member && p.GetIndexParameters().Length == 0);
            if(property != null)
            {
                if(args.Count == 0 && property.GetMethod?.IsPublic == true)
                {
                    Output.WriteLine(FormatValue(property.GetValue(peripheral)));
                    return;
                }
                if(args.Count == 1 && property.SetMethod?.IsPublic == true)
                {
                    property.SetValue(peripheral, ConvertArgument(args[0], property.PropertyType, at));
                    return;
                }
                throw at.Error($"'{name} {member}' takes {(property.SetMethod?.IsPublic == true ? "no argument or one value" : "no argument (read-only)")}");
            }
            var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.Name == member && !m.IsSpecialName && m.GetParameters().Count(p => !p.HasDefaultValue) <= args.Count && m.GetParameters().Length >= args.Count)
                .ToList();
            if(methods.Count == 0)
            {
                throw at.Error($"'{name}' ({type.Name}) has no command '{member}' taking {args.Count} argument(s)");
            }
            var method = methods[0];
            var parameters = method.GetParameters();
            var values = new object?[parameters.Length];
            for(var i = 0; i < parameters.Length; i++)
            {
                values[i] = i < args.Count ? ConvertArgument(args[i], parameters[i].ParameterType, at) : parameters[i].DefaultValue;
            }
            object? result;
            try
            {
                result = method.Invoke(peripheral, values);
            }
            catch(TargetInvocationException e) when(e.InnerException != null)
            {
                throw at.Error($"'{name} {member}' failed: {e.InnerException.Message}", e.InnerException);
            }
            if(method.ReturnType != typeof(void))
            {
                Output.WriteLine(FormatValue(result));
            }
        }

        private object? ConvertArgument(Word word, Type target, Context at)
        {
            target = Nullable.GetUnderlyingType(target) ?? target;
            if(target == typeof(string))
            {
                return word.Kind == WordKind.Path ? ResolvePath(word.Text, at) : word.Text;
            }
            if(target == typeof(bool))
            {
                return bool.TryParse(word.Text, out var b) ? b : throw at.Error($"expected true or false, found '{word.Text}'");
            }
            if(target.IsEnum)
            {
                return Enum.TryParse(target, word.Text.Split('.').Last(), out var e) ? e : throw at.Error($"'{word.Text}' is not a {target.Name} ({string.Join(", ", Enum.GetNames(target))})");
            }
            if(target == typeof(double) || target == typeof(float))
            {
                return double.TryParse(word.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    ? System.Convert.ChangeType(d, target, CultureInfo.InvariantCulture) : throw at.Error($"bad number '{word.Text}'");
            }
            if(typeof(IPeripheral).IsAssignableFrom(target) && TryGetPeripheral(word.Text, out var p) && target.IsInstanceOfType(p))
            {
                return p;
            }
            if(Type.GetTypeCode(target) is >= TypeCode.SByte and <= TypeCode.UInt64)
            {
                var negative = word.Text.StartsWith('-');
                var magnitude = ParseNumber(negative ? new Word(word.Kind, word.Text.Substring(1)) : word, at, "the argument");
                try
                {
                    return negative ? System.Convert.ChangeType(checked(-(long)magnitude), target, CultureInfo.InvariantCulture)
                        : System.Convert.ChangeType(magnitude, target, CultureInfo.InvariantCulture);
                }
                catch(OverflowException)
                {
                    throw at.Error($"number {word.Text} does not fit a {target.Name}");
                }
            }
            throw at.Error($"cannot pass '{word.Text}' as a {target.Name}");
        }

        private static string FormatValue(object? value) => value switch
        {
            null => "(none)",
            // Renode's MonitorCommands.PrintActionResult: integers in hexadecimal, zero-padded to their size.
            byte b => "0x" + b.ToString("X2", CultureInfo.InvariantCulture),
            short h => "0x" + h.ToString("X4", CultureInfo.InvariantCulture),
            ushort w => "0x" + w.ToString("X4", CultureInfo.InvariantCulture),
            int i => "0x" + i.ToString("X8", CultureInfo.InvariantCulture),
            uint d => "0x" + d.ToString("X8", CultureInfo.InvariantCulture),
            long l => "0x" + l.ToString("X16", CultureInfo.InvariantCulture),
            ulong q => "0x" + q.ToString("X16", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };

        // ---- logging ----

        private void OnLogEntry(LogEntry entry)
        {
            if(entry.IsGuestError)
            {
                System.Threading.Interlocked.Increment(ref guestErrors);
                GuestErrors.Record(entry);
            }
            LogEntryReceived?.Invoke(entry);
            if(entry.Level >= LevelFor(entry.Source))
            {
                lock(ErrorOutput)
                {
                    RenodeGic.Host.Tooling.ProgressReporter.ClearActiveLine();
                    ErrorOutput.WriteLine(entry.Source.Length > 0 ? $"[{entry.Level.Name}] {entry.Source}: {entry.Message}" : $"[{entry.Level.Name}] {entry.Message}");
                }
            }
        }

        private const string HelpText = @"Commands:
  mach create [""name""] | mach set ""name""        create a machine (it becomes current) | switch
  machine LoadPlatformDescription @file.repl     load a platform description
  machine LoadPlatformDescriptionFromString ""..."" load one from text
  sysbus LoadELF @file.elf                       load an ELF and set every CPU's PC to its entry
  sysbus LoadBinary @file.bin 0xADDRESS          copy a file to memory
  sysbus ReadByte|ReadWord|ReadDoubleWord|ReadQuadWord 0xADDRESS
  sysbus WriteByte|WriteWord|WriteDoubleWord|WriteQuadWord 0xADDRESS 0xVALUE
  cpu0 PC [0xADDRESS]                            show or set a CPU's program counter
  <peripheral> <Property> [value] | <Method> [args]
  showAnalyzer uart0                             print what a UART sends
  logLevel <level> [peripheral]                  -1 NOISY, 0 DEBUG, 1 INFO, 2 WARNING, 3 ERROR
  start | pause | emulation RunFor ""0.5""       run the machine
  peripherals                                    list peripherals
  gic | gic ShowInterrupt <intid> [cpu]          GIC summary | one interrupt and why it is (not) delivered
  its ShowDevices|ShowEvents <devid>|ShowCollections|ShowVPEs|ShowQueue
                                                 ITS tables as the ITS reads them (several ITSes: use each one's
                                                 name from the .repl, e.g. its1 ShowDevices)
  trace start <file.json> [<file.txt>] | trace stop
                                                 interrupt timeline (Perfetto JSON; a .txt gets the text form)
  include @file.resc | @Peripheral.cs | @x.repl  run a script | compile C# peripherals | load a platform
  $name = value | $name ?= value                 variables ($ORIGIN: the script's folder)
  macro name """"""...""""""  |  runMacro $name
  quit";

        private readonly List<Machine> machines = new List<Machine>();

        /// <summary>
        /// Adds a monitor command from another part of the host (e.g. vgic-host's `vgic-guest`). The handler gets
        /// the arguments as typed (an argument written `@file` keeps its `@`; resolve it with <see cref="ResolvePath"/>)
        /// and the directory of the running script. Registered once per process, for every monitor.
        /// </summary>
        public static void RegisterExtension(string name, string help, Action<Monitor, IReadOnlyList<string>, string> handler)
        {
            lock(Extensions)
            {
                Extensions[name] = (help, handler);
            }
        }

        /// <summary>Makes a machine built elsewhere (e.g. by the VGIC host model) the current one.</summary>
        public void AdoptMachine(Machine machine)
        {
            if(!machines.Contains(machine))
            {
                machines.Add(machine);
            }
            Machine = machine;
            MachineCreated?.Invoke(machine);
        }

        /// <summary>Resolves `@file` (or a plain path) against the script directory, then RootDirectory, then the working directory.</summary>
        public string ResolvePath(string text, string scriptDirectory)
        {
            var path = text.StartsWith('@') ? text.Substring(1) : text;
            if(Path.IsPathRooted(path))
            {
                return path;
            }
            foreach(var dir in new[] { scriptDirectory, RootDirectory, Directory.GetCurrentDirectory() })
            {
                var candidate = Path.Combine(dir, path);
                if(File.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
            throw new IOException($"file not found: {path}");
        }

        private static readonly Dictionary<string, (string Help, Action<Monitor, IReadOnlyList<string>, string> Handler)> Extensions =
            new Dictionary<string, (string Help, Action<Monitor, IReadOnlyList<string>, string> Handler)>();
        private readonly Dictionary<string, string> variables = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> macros = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, LogLevel> sourceLevels = new Dictionary<string, LogLevel>(StringComparer.Ordinal);
        private readonly HashSet<IPeripheral> analyzed = new HashSet<IPeripheral>(ReferenceEqualityComparer.Instance);
        private long guestErrors;
        private RenodeGic.Host.Tooling.InterruptTracer? tracer;
    }
}
