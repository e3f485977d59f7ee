// Renode's Robot keywords (RobotFrameworkEngine: Execute Command, the UART terminal tester, the log tester,
// Start/Reset Emulation), with Renode's names and argument conventions, running against the embedded host's
// monitor. Renode runs the emulation continuously after Start Emulation; here time advances only inside the
// waiting keywords (Wait For ..., Should Not Be ..., Sleep), which run the machine in virtual time through
// Machine.Runner.RunFor in slices until what they wait for appears or the timeout (virtual seconds, as in
// Renode) passes. The same keywords are served to a real Robot Framework by the Remote-library server.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Time;
using RenodeGic.Host.Emulation;
using RenodeGic.Host.Platform;

namespace RenodeGic.Host.Robot
{
    public sealed class RenodeLibrary : IDisposable
    {
        public const string LibraryName = "Remote";

        /// <summary>Renode's default tester timeout, in virtual seconds.</summary>
        public const double DefaultTimeout = 8;

        /// <summary>How much virtual time one RunFor call covers while waiting.</summary>
        public static readonly TimeInterval Slice = TimeInterval.FromMilliseconds(5);

        public RenodeLibrary(string rootDirectory)
        {
            RootDirectory = rootDirectory;
            Keywords = CreateKeywords().ToList();
        }

        public string RootDirectory { get; }

        public IReadOnlyList<LibraryKeyword> Keywords { get; }

        /// <summary>Called between slices of emulation; throws to abort a wait (test timeouts).</summary>
        public Action? AbortCheck { get; set; }

        /// <summary>Where the current keyword call is (file, line, directory), for monitor messages and '@' paths.</summary>
        public Func<(string File, int Line, string Directory)>? LocationProvider { get; set; }

        /// <summary>Where the library logs (level, text): UART lines seen, monitor output.</summary>
        public Action<string, string>? Logger { get; set; }

        /// <summary>Called when a stop_remote_server / Stop Remote Server is requested.</summary>
        public Action? StopRequested { get; set; }

        public Monitor.Monitor Monitor => monitor ??= CreateMonitor();

        /// <summary>True once any machine was started ('start' or Start Emulation).</summary>
        public bool EmulationStarted => started.Count > 0;

        public void Dispose() => ResetEmulation();

        /// <summary>Disposes the machine and all testers; the next command gets a fresh monitor.</summary>
        public void ResetEmulation()
        {
            foreach(var tester in uartTesters.Values)
            {
                tester.Detach();
            }
            uartTesters.Clear();
            defaultTesterId = null;
            if(logTester != null && monitor != null)
            {
                monitor.LogEntryReceived -= logTester.OnEntry;
            }
            logTester = null;
            if(monitor != null)
            {
                foreach(var machine in monitor.Machines)
                {
                    machine.Dispose();
                }
            }
            monitor = null;
            monitorOutput.Clear();
            started.Clear();
            halted.Clear();
        }

        /// <summary>Runs the started emulation for <paramref name="seconds"/> of virtual time; false when nothing ran (not started).</summary>
        public bool AdvanceVirtualTime(double seconds)
        {
            if(!EmulationStarted || started.All(m => halted.ContainsKey(m)))
            {
                return false;
            }
            RunUntil(() => false, seconds, failOnTimeout: false, what: "");
            return true;
        }

        private Monitor.Monitor CreateMonitor()
        {
            var m = new Monitor.Monitor(new StringWriter(monitorOutput, CultureInfo.InvariantCulture), new StringWriter(monitorErrors, CultureInfo.InvariantCulture))
            {
                RootDirectory = RootDirectory,
                UartSink = (_, _) => { },
                StartHandler = machine =>
                {
                    started.Add(machine);
                    return RunOutcome.Paused;
                },
            };
            return m;
        }

        private (string File, int Line, string Directory) Where => LocationProvider?.Invoke() ?? ("<robot>", 0, Directory.GetCurrentDirectory());

        // ---- keywords ----

        private IEnumerable<LibraryKeyword> CreateKeywords()
        {
            LibraryKeyword K(string name, string args, Func<KeywordArgs, object?> body, string doc) => new LibraryKeyword(LibraryName, name, args, body, doc);

            yield return K("Execute Command", "command, machine=None", a => ExecuteCommand(a.Text("command"), a.OptionalText("machine")),
                "Runs a monitor command (as typed in a .resc) and returns what it printed.");
            yield return K("Execute Script", "path", a => ExecuteScript(a.Text("path")), "Runs a monitor script (.resc) and returns what it printed.");
            yield return K("Start Emulation", "", _ =>
            {
                StartEmulation();
                return null;
            }, "Starts every machine. Virtual time then advances inside the waiting keywords.");
            yield return K("Reset Emulation", "", _ =>
            {
                ResetEmulation();
                return null;
            }, "Disposes the machine and all testers; the next command starts from a fresh monitor.");
            yield return K("Stop Remote Server", "", _ =>
            {
                StopRequested?.Invoke();
                return null;
            }, "Stops the Remote-library server after this call (does nothing in-process).");
            yield return K("Create Terminal Tester", "uart, timeout=None, machine=None, endLineOption=None, defaultPauseEmulation=False, defaultWaitForEcho=True, defaultMatchNextLine=False", a =>
                CreateTerminalTester(a.Text("uart"), a.Seconds("timeout"), a.OptionalText("machine"), a.Bool("defaultMatchNextLine")),
                "Attaches a tester to a UART (e.g. sysbus.uart0); returns its id, which becomes the default tester.");
            yield return K("Set Default Tester", "testerId", a =>
            {
                defaultTesterId = (int)a.Integer("testerId");
                Tester(defaultTesterId);
                return null;
            }, "Makes a tester the default for keywords called without testerId.");
            yield return K("Set Default Uart Timeout", "timeout, testerId=None", a =>
            {
                Tester(TesterId(a)).Timeout = a.Seconds("timeout") ?? DefaultTimeout;
                return null;
            }, "Sets the default timeout (virtual seconds) of a tester.");
            yield return K("Wait For Line On Uart", "content, timeout=None, testerId=None, treatAsRegex=False, pauseEmulation=False, matchNextLine=False", a =>
                WaitForLine(a.Text("content"), a.Seconds("timeout"), TesterId(a), a.Bool("treatAsRegex"), a.Bool("matchNextLine")),
                "Runs the emulation until a UART line contains the text (or matches the regex); fails after the timeout in virtual seconds.");
            yield return K("Wait For Prompt On Uart", "prompt, timeout=None, testerId=None, treatAsRegex=False, pauseEmulation=False", a =>
                WaitForPrompt(a.Text("prompt"), a.Seconds("timeout"), TesterId(a), a.Bool("treatAsRegex")),
                "Like Wait For Line On Uart, but also matches the unfinished last line (a prompt).");
            yield return K("Wait For Next Line On Uart", "timeout=None, testerId=None, pauseEmulation=False", a =>
                WaitForNextLine(a.Seconds("timeout"), TesterId(a)),
                "Runs the emulation until the next complete UART line arrives and returns it.");
            yield return K("Should Not Be On Uart", "content, timeout=None, testerId=None, treatAsRegex=False", a =>
            {
                ShouldNotBeOnUart(a.Text("content"), a.Seconds("timeout"), TesterId(a), a.Bool("treatAsRegex"));
                return null;
            }, "Runs the emulation for the timeout and fails if a UART line contains the text.");
            yield return K("Write Line To Uart", "content=, testerId=None, waitForEcho=False, pauseEmulation=False", a =>
            {
                var tester = Tester(TesterId(a));
                tester.Write(a.Text("content") + "\r");
                return null;
            }, "Sends the text and a carriage return to the UART's receiver.");
            yield return K("Write To Uart", "content, testerId=None, pauseEmulation=False", a =>
            {
                Tester(TesterId(a)).Write(a.Text("content"));
                return null;
            }, "Sends the text to the UART's receiver.");
            yield return K("Write Char On Uart", "char, testerId=None, waitForEcho=False, pauseEmulation=False", a =>
            {
                var text = a.Text("char");
                if(text.Length != 1 && !(text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && RobotValues.TryParseInteger(text, out _)))
                {
                    throw new RobotFailure($"Write Char On Uart expects one character (or a 0x.. code), got '{text}'");
                }
                var tester = Tester(TesterId(a));
                if(text.Length == 1)
                {
                    tester.Write(text);
                }
                else
                {
                    RobotValues.TryParseInteger(text, out var code);
                    tester.WriteByte((byte)code);
                }
                return null;
            }, "Sends one character to the UART's receiver.");
            yield return K("Clear Terminal Tester Report", "testerId=None", a =>
            {
                Tester(TesterId(a)).Clear();
                return null;
            }, "Forgets the lines a tester has seen so far.");
            yield return K("Create Log Tester", "timeout, defaultPauseEmulation=False", a =>
            {
                CreateLogTester(a.Seconds("timeout") ?? DefaultTimeout);
                return null;
            }, "Starts collecting log entries for Wait For Log Entry and Should Not Be In Log.");
            yield return K("Wait For Log Entry", "pattern, timeout=None, keep=False, treatAsRegex=False, pauseEmulation=False, level=None", a =>
                WaitForLogEntry(a.Text("pattern"), a.Seconds("timeout"), a.Bool("keep"), a.Bool("treatAsRegex"), a.OptionalText("level")),
                "Runs the emulation until a log entry contains the text; returns the entry.");
            yield return K("Should Not Be In Log", "pattern, timeout=None, treatAsRegex=False, level=None", a =>
            {
                ShouldNotBeInLog(a.Text("pattern"), a.Seconds("timeout"), a.Bool("treatAsRegex"), a.OptionalText("level"));
                return null;
            }, "Runs the emulation for the timeout and fails if a log entry contains the text.");
        }

        private static int? TesterId(KeywordArgs a) => a.IsGiven("testerId") ? (int)a.Integer("testerId") : null;

        public string ExecuteCommand(string command, string? machine)
        {
            var where = Where;
            var start = monitorOutput.Length;
            try
            {
                if(machine != null)
                {
                    // Renode's machine= runs the command in that machine's context.
                    CheckMachine(machine);
                    Monitor.ExecuteLine($"mach set \"{machine}\"", where.File, where.Line, where.Directory);
                }
                Monitor.ExecuteLine(command, where.File, where.Line, where.Directory);
            }
            catch(Exception e) when(e is Monitor.MonitorException || e is PlatformLoadException || e is RenodeGic.Host.Loaders.ImageLoadException || e is IOException)
            {
                throw new RobotFailure(e.Message);
            }
            return TakeOutput(start);
        }

        public string ExecuteScript(string path)
        {
            var where = Where;
            var full = Path.IsPathRooted(path) ? path : new[] { Path.Combine(where.Directory, path), Path.Combine(RootDirectory, path), path }.FirstOrDefault(File.Exists) ?? path;
            var start = monitorOutput.Length;
            try
            {
                Monitor.ExecuteScript(full);
            }
            catch(Exception e) when(e is Monitor.MonitorException || e is PlatformLoadException || e is RenodeGic.Host.Loaders.ImageLoadException || e is IOException)
            {
                throw new RobotFailure(e.Message);
            }
            return TakeOutput(start);
        }

        public void StartEmulation()
        {
            if(Monitor.Machines.Count == 0)
            {
                throw new RobotFailure("there is no machine to start (create one first, e.g. Execute Command  mach create)");
            }
            foreach(var machine in Monitor.Machines)
            {
                machine.FinishLoad();
                started.Add(machine);
            }
        }

        private string TakeOutput(int start)
        {
            var text = monitorOutput.ToString(start, monitorOutput.Length - start).TrimEnd('\r', '\n');
            if(text.Length > 0)
            {
                Logger?.Invoke("INFO", text);
            }
            return text;
        }

        private void CheckMachine(string? machine)
        {
            if(machine != null)
            {
                RequireMachine(machine);
            }
        }

        /// <summary>The named machine, or the current one.</summary>
        private Machine RequireMachine(string? name = null)
        {
            if(name == null)
            {
                return Monitor.Machine ?? throw new RobotFailure("there is no machine (create one first, e.g. Execute Command  mach create)");
            }
            return Monitor.Machines.FirstOrDefault(m => m.Name == name)
                ?? throw new RobotFailure($"no machine named '{name}' (machines: {(Monitor.Machines.Count == 0 ? "none" : string.Join(", ", Monitor.Machines.Select(m => m.Name)))})");
        }

        // ---- UART testers ----

        private sealed class UartTester
        {
            public UartTester(int id, string name, Machine machine, IPeripheral uart, EventInfo charReceived, double timeout, bool matchNextLine)
            {
                Id = id;
                Machine = machine;
                Name = name;
                Uart = uart;
                Timeout = timeout;
                MatchNextLineByDefault = matchNextLine;
                this.charReceived = charReceived;
                handler = new Action<byte>(OnByte);
                charReceived.AddEventHandler(uart, handler);
                writeChar = uart.GetType().GetMethod("WriteChar", new[] { typeof(byte) });
            }

            public int Id { get; }

            public Machine Machine { get; }

            public string Name { get; }

            public IPeripheral Uart { get; }

            public double Timeout { get; set; }

            public bool MatchNextLineByDefault { get; }

            public List<(string Text, TimeInterval Time)> Lines { get; } = new List<(string, TimeInterval)>();

            /// <summary>Index of the first line not consumed by a match.</summary>
            public int Consumed { get; set; }

            /// <summary>Characters of the unfinished line already consumed by a prompt match.</summary>
            public int PartialConsumed { get; set; }

            public Func<TimeInterval>? Clock { get; set; }

            public Action? LineCompleted { get; set; }

            public string Partial => Encoding.UTF8.GetString(partial.ToArray());

            public void OnByte(byte b)
            {
                if(b == (byte)'\n')
                {
                    Lines.Add((Encoding.UTF8.GetString(partial.ToArray()).TrimEnd('\r'), Clock?.Invoke() ?? default));
                    partial.Clear();
                    PartialConsumed = 0;
                    LineCompleted?.Invoke();
                    return;
                }
                partial.Add(b);
                LineCompleted?.Invoke();
            }

            public void Write(string text)
            {
                foreach(var b in Encoding.UTF8.GetBytes(text))
                {
                    WriteByte(b);
                }
            }

            public void WriteByte(byte b)
            {
                if(writeChar == null)
                {
                    throw new RobotFailure($"'{Name}' ({Uart.GetType().Name}) cannot receive characters (it has no WriteChar(byte))");
                }
                writeChar.Invoke(Uart, new object[] { b });
            }

            public void Clear()
            {
                Consumed = Lines.Count;
                PartialConsumed = partial.Count;
            }

            public void Detach() => charReceived.RemoveEventHandler(Uart, handler);

            /// <summary>What the UART printed since the last match, for failure messages.</summary>
            public string Report(int maxLines = 40)
            {
                var pending = Lines.Skip(Consumed).Select(l => l.Text).ToList();
                var partialText = Partial;
                if(partialText.Length > 0)
                {
                    pending.Add(partialText + "  <- (unfinished line)");
                }
                if(pending.Count == 0)
                {
                    return Lines.Count == 0 ? "(the UART printed nothing)" : $"(nothing new since the last match; {Lines.Count} line(s) printed in all)";
                }
                var skipped = Math.Max(0, pending.Count - maxLines);
                var shown = pending.Skip(skipped).Select(l => "  " + l);
                return (skipped > 0 ? $"  ... {skipped} earlier line(s)\n" : "") + string.Join("\n", shown);
            }

            private readonly List<byte> partial = new List<byte>();
            private readonly EventInfo charReceived;
            private readonly Delegate handler;
            private readonly MethodInfo? writeChar;
        }

        private int CreateTerminalTester(string uartName, double? timeout, string? machine, bool matchNextLine)
        {
            var m = RequireMachine(machine);
            if(!m.TryGetByName(uartName, out var peripheral))
            {
                throw new RobotFailure($"no peripheral named '{uartName}' (see 'peripherals')");
            }
            var charReceived = peripheral.GetType().GetEvent("CharReceived", BindingFlags.Public | BindingFlags.Instance);
            if(charReceived == null || charReceived.EventHandlerType != typeof(Action<byte>))
            {
                throw new RobotFailure($"'{uartName}' ({peripheral.GetType().Name}) is not a UART (it has no 'event Action<byte> CharReceived')");
            }
            var id = nextTesterId++;
            var tester = new UartTester(id, machine == null ? uartName : $"{uartName} of {machine}", m, peripheral, charReceived, timeout ?? DefaultTimeout, matchNextLine)
            {
                Clock = () => m.Runner?.ElapsedVirtualTime ?? default,
                LineCompleted = OnActivity,
            };
            uartTesters[id] = tester;
            defaultTesterId = id;
            return id;
        }

        private UartTester Tester(int? id)
        {
            var chosen = id ?? defaultTesterId ?? throw new RobotFailure("there is no terminal tester (use Create Terminal Tester first)");
            return uartTesters.TryGetValue(chosen, out var tester) ? tester : throw new RobotFailure($"there is no terminal tester with id {chosen}");
        }

        private static Func<string, Match?> Matcher(string content, bool regex)
        {
            if(regex)
            {
                Regex compiled;
                try
                {
                    compiled = new Regex(content, RegexOptions.CultureInvariant);
                }
                catch(ArgumentException e)
                {
                    throw new RobotFailure($"invalid regular expression '{content}': {e.Message}");
                }
                return line =>
                {
                    var m = compiled.Match(line);
                    return m.Success ? m : null;
                };
            }
            return line => line.Contains(content, StringComparison.Ordinal) ? Match.Empty : null;
        }

        private Dictionary<string, object?> LineResult(string line, TimeInterval time, Match? match)
        {
            var groups = match == null || match == Match.Empty ? new List<object?>() : match.Groups.Cast<Group>().Skip(1).Select(g => (object?)g.Value).ToList();
            Logger?.Invoke("INFO", $"UART line matched: {line}");
            return new Dictionary<string, object?>
            {
                ["line"] = line,
                ["timestamp"] = time.TotalNanoseconds / 1e9,
                ["groups"] = groups,
            };
        }

        private Dictionary<string, object?> WaitForLine(string content, double? timeout, int? testerId, bool regex, bool matchNextLine)
        {
            var tester = Tester(testerId);
            var matcher = Matcher(content, regex);
            matchNextLine |= tester.MatchNextLineByDefault;
            Dictionary<string, object?>? found = null;
            string? mismatch = null;
            bool Check()
            {
                if(found != null || mismatch != null)
                {
                    return true;
                }
                for(var i = tester.Consumed; i < tester.Lines.Count; i++)
                {
                    var match = matcher(tester.Lines[i].Text);
                    if(match != null)
                    {
                        tester.Consumed = i + 1;
                        tester.PartialConsumed = 0;
                        found = LineResult(tester.Lines[i].Text, tester.Lines[i].Time, match);
                        return true;
                    }
                    if(matchNextLine)
                    {
                        mismatch = tester.Lines[i].Text;
                        tester.Consumed = i + 1;
                        return true;
                    }
                }
                return false;
            }
            var what = $"{(regex ? "a line matching" : "a line containing")} '{content}' on {tester.Name}";
            RunUntil(Check, timeout ?? tester.Timeout, failOnTimeout: true, what, tester);
            if(mismatch != null)
            {
                throw new RobotFailure($"Terminal tester failed: the next line on {tester.Name} was '{mismatch}', expected {(regex ? "a match of" : "it to contain")} '{content}'.");
            }
            return found!;
        }

        private Dictionary<string, object?> WaitForPrompt(string prompt, double? timeout, int? testerId, bool regex)
        {
            var tester = Tester(testerId);
            var matcher = Matcher(prompt, regex);
            Dictionary<string, object?>? found = null;
            bool Check()
            {
                if(found != null)
                {
                    return true;
                }
                for(var i = tester.Consumed; i < tester.Lines.Count; i++)
                {
                    var match = matcher(tester.Lines[i].Text);
                    if(match != null)
                    {
                        tester.Consumed = i + 1;
                        tester.PartialConsumed = 0;
                        found = LineResult(tester.Lines[i].Text, tester.Lines[i].Time, match);
                        return true;
                    }
                }
                var partial = tester.Partial;
                var rest = partial.Substring(Math.Min(tester.PartialConsumed, partial.Length));
                var m = matcher(rest);
                if(m != null)
                {
                    tester.Consumed = tester.Lines.Count;
                    var end = m == Match.Empty ? rest.IndexOf(prompt, StringComparison.Ordinal) + prompt.Length : m.Index + m.Length;
                    tester.PartialConsumed += end;
                    found = LineResult(partial, tester.Clock?.Invoke() ?? default, m);
                    return true;
                }
                return false;
            }
            RunUntil(Check, timeout ?? tester.Timeout, failOnTimeout: true, $"the prompt '{prompt}' on {tester.Name}", tester);
            return found!;
        }

        private Dictionary<string, object?> WaitForNextLine(double? timeout, int? testerId)
        {
            var tester = Tester(testerId);
            Dictionary<string, object?>? found = null;
            bool Check()
            {
                if(found == null && tester.Consumed < tester.Lines.Count)
                {
                    var line = tester.Lines[tester.Consumed++];
                    tester.PartialConsumed = 0;
                    found = LineResult(line.Text, line.Time, null);
                }
                return found != null;
            }
            RunUntil(Check, timeout ?? tester.Timeout, failOnTimeout: true, $"the next line on {tester.Name}", tester);
            return found!;
        }

        private void ShouldNotBeOnUart(string content, double? timeout, int? testerId, bool regex)
        {
            var tester = Tester(testerId);
            var matcher = Matcher(content, regex);
            string? seen = null;
            bool Check()
            {
                for(var i = tester.Consumed; i < tester.Lines.Count && seen == null; i++)
                {
                    if(matcher(tester.Lines[i].Text) != null)
                    {
                        seen = tester.Lines[i].Text;
                        tester.Consumed = i + 1;
                    }
                }
                return seen != null;
            }
            RunUntil(Check, timeout ?? tester.Timeout, failOnTimeout: false, "", tester);
            if(seen != null)
            {
                throw new RobotFailure($"Terminal tester failed: {tester.Name} printed '{seen}', which should not appear (it {(regex ? "matches" : "contains")} '{content}').");
            }
        }

        // ---- log tester ----

        private sealed class LogTester
        {
            public LogTester(double timeout)
            {
                Timeout = timeout;
            }

            public double Timeout { get; }

            public List<LogEntry> Entries { get; } = new List<LogEntry>();

            public Action? EntryAdded { get; set; }

            public void OnEntry(LogEntry entry)
            {
                lock(Entries)
                {
                    Entries.Add(entry);
                }
                EntryAdded?.Invoke();
            }

            public static string Format(LogEntry e) => e.Source.Length > 0 ? $"{e.Source}: {e.Message}" : e.Message;
        }

        private void CreateLogTester(double timeout)
        {
            if(logTester != null)
            {
                Monitor.LogEntryReceived -= logTester.OnEntry;
            }
            logTester = new LogTester(timeout) { EntryAdded = OnActivity };
            Monitor.LogEntryReceived += logTester.OnEntry;
        }

        private LogTester RequireLogTester() => logTester ?? throw new RobotFailure("there is no log tester (use Create Log Tester first)");

        private Func<LogEntry, bool> LogMatcher(string pattern, bool regex, string? level)
        {
            var matcher = Matcher(pattern, regex);
            LogLevel? wanted = null;
            if(level != null)
            {
                if(!LogLevel.TryParse(level, out var parsed))
                {
                    throw new RobotFailure($"unknown log level '{level}' (expected Noisy, Debug, Info, Warning or Error)");
                }
                wanted = parsed;
            }
            return entry => (wanted == null || entry.Level == wanted) && matcher(LogTester.Format(entry)) != null;
        }

        private string WaitForLogEntry(string pattern, double? timeout, bool keep, bool regex, string? level)
        {
            var tester = RequireLogTester();
            var matches = LogMatcher(pattern, regex, level);
            string? found = null;
            bool Check()
            {
                if(found != null)
                {
                    return true;
                }
                lock(tester.Entries)
                {
                    var index = tester.Entries.FindIndex(e => matches(e));
                    if(index < 0)
                    {
                        return false;
                    }
                    found = LogTester.Format(tester.Entries[index]);
                    if(!keep)
                    {
                        tester.Entries.RemoveRange(0, index + 1);
                    }
                    return true;
                }
            }
            try
            {
                RunUntil(Check, timeout ?? tester.Timeout, failOnTimeout: true, $"a log entry {(regex ? "matching" : "containing")} '{pattern}'");
            }
            catch(RobotFailure e) when(e is not RobotTimeout)
            {
                List<string> recent;
                lock(tester.Entries)
                {
                    recent = tester.Entries.TakeLast(20).Select(x => $"  [{x.Level}] {LogTester.Format(x)}").ToList();
                }
                throw new RobotFailure(e.Message + (recent.Count == 0 ? "\nNo log entries were collected." : "\nRecent log entries:\n" + string.Join("\n", recent)));
            }
            return found!;
        }

        private void ShouldNotBeInLog(string pattern, double? timeout, bool regex, string? level)
        {
            var tester = RequireLogTester();
            var matches = LogMatcher(pattern, regex, level);
            string? seen = null;
            bool Check()
            {
                lock(tester.Entries)
                {
                    var hit = tester.Entries.FirstOrDefault(e => matches(e));
                    if(hit.Message != null)
                    {
                        seen = LogTester.Format(hit);
                    }
                }
                return seen != null;
            }
            RunUntil(Check, timeout ?? tester.Timeout, failOnTimeout: false, "");
            if(seen != null)
            {
                throw new RobotFailure($"Unexpected line detected in the log: '{seen}' ({(regex ? "matches" : "contains")} '{pattern}').");
            }
        }

        // ---- running the emulation ----

        private void OnActivity()
        {
            // Deliberately no Runner.RequestPause() here: stopping a CPU from inside its own MMIO write (the UART
            // byte that completed a line) can make the host replay that store, duplicating the byte. Waits stop
            // at the end of the current slice instead, which is short.
        }

        /// <summary>
        /// Runs the machine in slices of virtual time until <paramref name="done"/> holds or <paramref name="timeoutSeconds"/>
        /// of virtual time have passed. Fails (when asked to) on timeout, and always when the guest stops or faults first.
        /// </summary>
        private void RunUntil(Func<bool> done, double timeoutSeconds, bool failOnTimeout, string what, UartTester? tester = null)
        {
            if(done())
            {
                return;
            }
            string Report() => tester != null ? $"\n{tester.Name} printed since the last match:\n{tester.Report()}" : "";
            if(!EmulationStarted)
            {
                if(failOnTimeout)
                {
                    throw new RobotFailure($"Waiting for {what} failed: the emulation is not started (use Start Emulation or 'start').{Report()}");
                }
                return;
            }
            var reference = tester?.Machine ?? started.First();
            if(tester != null && !started.Contains(tester.Machine))
            {
                throw new RobotFailure($"Waiting for {what} failed: machine '{tester.Machine.Name}' is not started.{Report()}");
            }
            var clock = reference.Runner ?? throw new RobotFailure($"machine '{reference.Name}' has no CPU to run");
            var startNs = clock.ElapsedVirtualTime.TotalNanoseconds;
            var endNs = startNs + (ulong)Math.Max(0, Math.Round(timeoutSeconds * 1e9));
            activeCondition = done;
            try
            {
                while(true)
                {
                    if(done())
                    {
                        return;
                    }
                    if(halted.TryGetValue(reference, out var why))
                    {
                        if(!failOnTimeout)
                        {
                            return;
                        }
                        throw new RobotFailure($"Waiting for {what} failed: {why}.{Report()}");
                    }
                    var now = clock.ElapsedVirtualTime.TotalNanoseconds;
                    if(now >= endNs)
                    {
                        if(!failOnTimeout)
                        {
                            return;
                        }
                        throw new RobotFailure($"Terminal tester failed: {what} did not appear within {FormatSeconds(timeoutSeconds)} of virtual time (now at {FormatSeconds(now / 1e9)}).{Report()}");
                    }
                    AbortCheck?.Invoke();
                    var slice = TimeInterval.FromNanoseconds(Math.Min(endNs - now, Slice.TotalNanoseconds));
                    foreach(var machine in started.ToList())
                    {
                        if(halted.ContainsKey(machine) || machine.Runner == null)
                        {
                            continue;
                        }
                        var runner = machine.Runner;
                        var prefix = started.Count > 1 ? $"machine '{machine.Name}': " : "";
                        switch(runner.RunFor(slice))
                        {
                        case RunOutcome.SystemOff:
                            halted[machine] = prefix + "the guest powered off (PSCI SYSTEM_OFF)";
                            break;
                        case RunOutcome.SystemReset:
                            halted[machine] = prefix + "the guest requested a reset (PSCI SYSTEM_RESET), which this host does not perform";
                            break;
                        case RunOutcome.Fault:
                            halted[machine] = prefix + $"the guest faulted: {runner.FaultDescription}";
                            break;
                        }
                        if(done())
                        {
                            break;
                        }
                    }
                }
            }
            finally
            {
                activeCondition = null;
            }
        }

        private static string FormatSeconds(double seconds) => seconds.ToString("0.######", CultureInfo.InvariantCulture) + " s";

        private readonly StringBuilder monitorOutput = new StringBuilder();
        private readonly StringBuilder monitorErrors = new StringBuilder();
        private readonly Dictionary<int, UartTester> uartTesters = new Dictionary<int, UartTester>();
        private Monitor.Monitor? monitor;
        private LogTester? logTester;
        private int nextTesterId;
        private int? defaultTesterId;
        private readonly HashSet<Machine> started = new HashSet<Machine>(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<Machine, string> halted = new Dictionary<Machine, string>(ReferenceEqualityComparer.Instance);
        private Func<bool>? activeCondition;
    }
}
