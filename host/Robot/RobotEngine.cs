// Runs Robot Framework suites in-process: builds the suite tree from files and folders, filters tests by
// tag and name, sets up variables and imports, runs setups, bodies and teardowns with Robot's rules
// (continue-on-failure in teardowns and templates, parent setup failures, timeouts), resolves keywords
// (user keywords of the current file, the suite file, then resources; then libraries; embedded arguments)
// and records everything for output.xml.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace RenodeGic.Host.Robot
{
    public sealed class RobotOptions
    {
        public List<string> Include { get; } = new List<string>();

        public List<string> Exclude { get; } = new List<string>();

        public List<string> Tests { get; } = new List<string>();

        public List<KeyValuePair<string, string>> Variables { get; } = new List<KeyValuePair<string, string>>();

        public TextWriter Console { get; set; } = System.Console.Out;

        /// <summary>The repository root: ${RENODEKEYWORDS} and monitor '@' paths resolve against it.</summary>
        public string RootDirectory { get; set; } = Directory.GetCurrentDirectory();

        public string OutputDirectory { get; set; } = "out/robot";
    }

    public sealed partial class RobotEngine : IDisposable
    {
        public RobotEngine(RobotOptions options)
        {
            Options = options;
            Scopes = new VariableScopes();
            Resolver = new VariableResolver(Scopes);
            Renode = new RenodeLibrary(options.RootDirectory)
            {
                AbortCheck = CheckTimeout,
                LocationProvider = () => (currentLocation.File, currentLocation.Line, currentDirectory),
                Logger = (level, text) => Log(text, level),
            };
            foreach(var keyword in Renode.Keywords.Concat(BuiltInLibrary.Create(this)).Concat(CollectionsLibrary.Create()).Concat(StringLibrary.Create()))
            {
                var key = RobotParser.Normalize(keyword.Name);
                if(!libraryKeywords.TryGetValue(key, out var list))
                {
                    libraryKeywords[key] = list = new List<LibraryKeyword>();
                }
                list.Add(keyword);
            }
            Scopes.Global["renodekeywords"] = Path.Combine(options.RootDirectory, "robot-tests", "renode-keywords.robot");
            Scopes.Global["outputdir"] = Path.GetFullPath(options.OutputDirectory);
            Scopes.Global["prevteststatus"] = "";
            Scopes.Global["prevtestname"] = "";
            Scopes.Global["prevtestmessage"] = "";
            foreach(var (name, value) in options.Variables)
            {
                Scopes.Global[VariableScopes.Key(name)] = value;
                commandLineVariables.Add(VariableScopes.Key(name));
            }
        }

        public RobotOptions Options { get; }

        public VariableScopes Scopes { get; }

        public VariableResolver Resolver { get; }

        public RenodeLibrary Renode { get; }

        public TestResult? CurrentTest { get; private set; }

        public SourceLocation CurrentLocation => currentLocation;

        public string CurrentDirectory => currentDirectory;

        public void Dispose() => Renode.Dispose();

        // ---- suites ----

        private sealed class SuiteNode
        {
            public SuiteNode(string name, string source)
            {
                Name = name;
                Source = source;
            }

            public string Name { get; }

            public string Source { get; }

            public RobotFile? File { get; set; }

            public RobotFile? Init { get; set; }

            public List<SuiteNode> Children { get; } = new List<SuiteNode>();

            public List<TestCase> Tests { get; } = new List<TestCase>();

            public int TestCount => Tests.Count + Children.Sum(c => c.TestCount);
        }

        /// <summary>Parses, filters and runs the suites in <paramref name="paths"/> (files or folders).</summary>
        public RunResult Run(IReadOnlyList<string> paths)
        {
            var nodes = new List<SuiteNode>();
            foreach(var path in paths)
            {
                var full = Path.GetFullPath(path);
                if(!File.Exists(full) && !Directory.Exists(full))
                {
                    throw new RobotFailure($"{path}: no such file or folder");
                }
                var node = BuildNode(full, top: true);
                if(node != null)
                {
                    nodes.Add(node);
                }
            }
            var root = nodes.Count == 1 ? nodes[0] : new SuiteNode(string.Join(" & ", nodes.Select(n => n.Name)), "");
            if(nodes.Count != 1)
            {
                root.Children.AddRange(nodes);
            }
            Filter(root);
            var run = new RunResult(new SuiteResult(root.Name, "s1", root.Source));
            runResult = run;
            if(root.TestCount == 0)
            {
                var filters = Options.Include.Count + Options.Exclude.Count + Options.Tests.Count > 0 ? " matching the given --include/--exclude/--test options" : "";
                throw new RobotFailure($"suite '{root.Name}' contains no tests{filters}");
            }
            RunSuite(root, run.Suite, null, root.Name);
            return run;
        }

        private SuiteNode? BuildNode(string path, bool top)
        {
            if(Directory.Exists(path))
            {
                var node = new SuiteNode(SuiteName(Path.GetFileName(path.TrimEnd(Path.DirectorySeparatorChar))), path);
                var init = Path.Combine(path, "__init__.robot");
                if(File.Exists(init))
                {
                    node.Init = RobotParser.ParseFile(init);
                }
                foreach(var entry in Directory.GetFileSystemEntries(path).OrderBy(e => Path.GetFileName(e), StringComparer.OrdinalIgnoreCase))
                {
                    var name = Path.GetFileName(entry);
                    if(name.StartsWith('.') || name.StartsWith('_'))
                    {
                        continue;
                    }
                    if(Directory.Exists(entry) || entry.EndsWith(".robot", StringComparison.OrdinalIgnoreCase))
                    {
                        var child = BuildNode(entry, top: false);
                        if(child != null)
                        {
                            node.Children.Add(child);
                        }
                    }
                }
                return node.Children.Count > 0 || top ? node : null;
            }
            var file = RobotParser.ParseFile(path);
            if(!file.HasTestSection && !top && file.Errors.Count == 0)
            {
                return null; // a resource file kept next to the suites (renode-keywords.robot)
            }
            var suite = new SuiteNode(file.SuiteName ?? SuiteName(Path.GetFileNameWithoutExtension(path)), path) { File = file };
            suite.Tests.AddRange(file.Tests);
            if(!file.HasTestSection && top)
            {
                file.Errors.Add($"{file.DisplayPath}: file has no '*** Test Cases ***' section");
            }
            return suite;
        }

        /// <summary>Suite name from a file or folder name, as Robot makes it: "01__my_tests" → "My Tests", "sgi-ipi" → "Sgi-Ipi".</summary>
        public static string SuiteName(string fileName)
        {
            var name = Regex.Replace(fileName, @"^\d+__", "").Replace('_', ' ').Trim();
            if(name.Any(char.IsUpper))
            {
                return name;
            }
            var chars = name.ToCharArray();
            for(var i = 0; i < chars.Length; i++)
            {
                if(char.IsLetter(chars[i]) && (i == 0 || !char.IsLetter(chars[i - 1])))
                {
                    chars[i] = char.ToUpperInvariant(chars[i]);
                }
            }
            return new string(chars);
        }

        private void Filter(SuiteNode node, string parentName = "")
        {
            var longName = parentName.Length == 0 ? node.Name : parentName + "." + node.Name;
            if(node.File != null)
            {
                node.Tests.RemoveAll(t => !Selected(t, node.File, longName + "." + t.Name));
            }
            foreach(var child in node.Children)
            {
                Filter(child, longName);
            }
            node.Children.RemoveAll(c => c.TestCount == 0);
        }

        private bool Selected(TestCase test, RobotFile file, string longName)
        {
            var tags = TagsOf(test, file);
            if(Options.Tests.Count > 0 && !Options.Tests.Any(p => RobotValues.GlobMatch(p, test.Name, true) || RobotValues.GlobMatch(p, longName, true)))
            {
                return false;
            }
            if(Options.Include.Count > 0 && !Options.Include.Any(p => TagPatternMatches(p, tags)))
            {
                return false;
            }
            return !Options.Exclude.Any(p => TagPatternMatches(p, tags));
        }

        private static List<string> TagsOf(TestCase test, RobotFile file)
        {
            return (test.Tags ?? file.DefaultTags).Concat(file.ForceTags).Where(t => t.Length > 0 && !t.Equals("NONE", StringComparison.OrdinalIgnoreCase))
                .Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(t => RobotParser.Normalize(t), StringComparer.Ordinal).ToList();
        }

        /// <summary>Tag patterns: globs combined with AND, OR and NOT (as in "smokeANDgic", "aORb", "allNOTslow").</summary>
        public static bool TagPatternMatches(string pattern, IEnumerable<string> tags)
        {
            var list = tags.ToList();
            var ors = Regex.Split(pattern, "OR");
            if(ors.Length > 1)
            {
                return ors.Any(p => TagPatternMatches(p, list));
            }
            var nots = Regex.Split(pattern, "NOT");
            if(nots.Length > 1)
            {
                return (nots[0].Trim().Length == 0 || TagPatternMatches(nots[0], list)) && !nots.Skip(1).Any(p => TagPatternMatches(p, list));
            }
            var ands = Regex.Split(pattern, "AND|&");
            return ands.All(p => list.Any(t => RobotValues.GlobMatch(p.Trim(), t, true)));
        }

        private sealed class Namespace
        {
            public Namespace(RobotFile? file)
            {
                File = file;
            }

            public RobotFile? File { get; }

            public List<RobotFile> Resources { get; } = new List<RobotFile>();

            public HashSet<string> Libraries { get; } = new HashSet<string>(StringComparer.Ordinal) { "builtin" };

            public List<string> Errors { get; } = new List<string>();
        }

        private void RunSuite(SuiteNode node, SuiteResult result, string? parentFailure, string longName)
        {
            result.LongName = longName;
            result.Start = DateTime.Now;
            var file = node.File ?? node.Init;
            Options.Console.WriteLine($"== {longName}" + (node.Source.Length > 0 ? $" ({DisplayPath(node.Source)})" : ""));
            Scopes.PushSuite();
            var previousNamespace = currentNamespace;
            var ns = new Namespace(file);
            currentNamespace = ns;
            try
            {
                Scopes.SetSuite("SUITE NAME", longName);
                Scopes.SetSuite("SUITE SOURCE", node.Source);
                if(file != null)
                {
                    ns.Errors.AddRange(file.Errors);
                    currentDirectory = Path.GetDirectoryName(file.Path) ?? ".";
                    ImportInto(ns, file, new HashSet<string>(StringComparer.Ordinal));
                    result.Documentation = SafeResolveString(file.Documentation);
                    Scopes.SetSuite("SUITE DOCUMENTATION", result.Documentation);
                }
                var suiteFailure = parentFailure;
                if(suiteFailure == null && ns.Errors.Count > 0)
                {
                    suiteFailure = "Suite initialization failed:\n" + string.Join("\n", ns.Errors);
                    foreach(var error in ns.Errors)
                    {
                        runResult?.Errors.Add(new LogMessage(DateTime.Now, "ERROR", error));
                    }
                }
                if(suiteFailure == null && file?.SuiteSetup != null)
                {
                    result.Setup = RunFixture(file.SuiteSetup, "SETUP", file);
                    if(result.Setup != null && result.Setup.Status == Status.Fail)
                    {
                        suiteFailure = "Parent suite setup failed:\n" + result.Setup.FailureMessage;
                    }
                }
                var index = 0;
                foreach(var test in node.Tests)
                {
                    index++;
                    result.Tests.Add(RunTest(test, node.File!, result, $"{result.Id}-t{index}", suiteFailure, longName + "." + test.Name));
                }
                var childIndex = 0;
                foreach(var child in node.Children)
                {
                    childIndex++;
                    var childResult = new SuiteResult(child.Name, $"{result.Id}-s{childIndex}", child.Source);
                    result.Suites.Add(childResult);
                    RunSuite(child, childResult, suiteFailure, longName + "." + child.Name);
                    currentNamespace = ns;
                    if(file != null)
                    {
                        currentDirectory = Path.GetDirectoryName(file.Path) ?? ".";
                    }
                }
                if(parentFailure == null && ns.Errors.Count == 0 && file?.SuiteTeardown != null)
                {
                    result.Teardown = RunFixture(file.SuiteTeardown, "TEARDOWN", file);
                    if(result.Teardown != null && result.Teardown.Status == Status.Fail)
                    {
                        Options.Console.WriteLine($"| FAIL | suite teardown of {longName}: {result.Teardown.FailureMessage}");
                        foreach(var test in result.AllTests)
                        {
                            test.Message = test.Status == Status.Pass || test.Message.Length == 0
                                ? "Parent suite teardown failed:\n" + result.Teardown.FailureMessage
                                : test.Message + "\n\nAlso parent suite teardown failed:\n" + result.Teardown.FailureMessage;
                            test.Status = Status.Fail;
                        }
                    }
                }
            }
            finally
            {
                Scopes.PopSuite();
                currentNamespace = previousNamespace;
                result.End = DateTime.Now;
            }
        }

        private static string DisplayPath(string path)
        {
            var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
            return relative.StartsWith("..", StringComparison.Ordinal) ? path : relative;
        }

        /// <summary>Processes a file's imports (recursively for resources) and its variables into the current suite scope.</summary>
        private void ImportInto(Namespace ns, RobotFile file, HashSet<string> seen)
        {
            if(!seen.Add(file.Path))
            {
                return;
            }
            var directory = Path.GetDirectoryName(file.Path) ?? ".";
            foreach(var import in file.Imports)
            {
                string name;
                try
                {
                    name = Resolver.ResolveString(import.Name);
                }
                catch(RobotFailure e)
                {
                    ns.Errors.Add($"{import.At}: {e.Message}");
                    continue;
                }
                switch(import.Kind)
                {
                case "resource":
                    var path = FindFile(name, directory);
                    if(path == null)
                    {
                        ns.Errors.Add($"{import.At}: resource file '{name}' does not exist");
                        continue;
                    }
                    if(seen.Contains(path))
                    {
                        continue;
                    }
                    var resource = ParseResource(path);
                    if(resource.Tests.Count > 0)
                    {
                        ns.Errors.Add($"{import.At}: resource file '{name}' cannot contain tests or tasks");
                        continue;
                    }
                    ns.Errors.AddRange(resource.Errors);
                    ns.Resources.Add(resource);
                    ImportInto(ns, resource, seen);
                    break;
                case "library":
                    var error = ImportLibrary(ns, name);
                    if(error != null)
                    {
                        ns.Errors.Add($"{import.At}: {error}");
                    }
                    break;
                default:
                    ns.Errors.Add($"{import.At}: 'Variables' imports (Python/YAML variable files) are not supported here");
                    break;
                }
            }
            foreach(var definition in file.Variables)
            {
                try
                {
                    var key = VariableScopes.Key(definition.Name);
                    if(commandLineVariables.Contains(key))
                    {
                        continue;
                    }
                    Scopes.CurrentSuite[key] = ResolveVariableDefinition(definition);
                }
                catch(RobotFailure e)
                {
                    ns.Errors.Add($"{definition.At}: setting variable '{definition.Name}' failed: {e.Message}");
                }
            }
        }

        private string? ImportLibrary(Namespace ns, string name)
        {
            var key = RobotParser.Normalize(name);
            switch(key)
            {
            case "builtin":
            case "collections":
            case "string":
                ns.Libraries.Add(key);
                return null;
            case "remote":
                return null; // Renode's keywords are served in-process
            default:
                return $"library '{name}' is not available here (supported: BuiltIn, Collections, String, and Remote, which is served in-process)";
            }
        }

        private RobotFile ParseResource(string path)
        {
            if(!resourceCache.TryGetValue(path, out var file))
            {
                file = RobotParser.ParseFile(path);
                resourceCache[path] = file;
            }
            return file;
        }

        private string? FindFile(string name, string directory)
        {
            foreach(var candidate in new[] { name, Path.Combine(directory, name), Path.Combine(Options.RootDirectory, name), Path.Combine(Options.RootDirectory, "robot-tests", name) })
            {
                if(File.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
            return null;
        }

        private object? ResolveVariableDefinition(VariableDefinition definition)
        {
            var sigil = definition.Name[0];
            switch(sigil)
            {
            case '@':
                return Resolver.ResolveList(definition.Values);
            case '&':
                var dict = new Dictionary<string, object?>();
                foreach(var cell in definition.Values)
                {
                    if(VariableResolver.IsWholeVariable(cell, '&'))
                    {
                        foreach(var kv in VariableResolver.AsDict(Resolver.Resolve("$" + cell.Substring(1)), cell))
                        {
                            dict[kv.Key] = kv.Value;
                        }
                        continue;
                    }
                    var eq = FindUnescapedEquals(cell);
                    if(eq < 0)
                    {
                        throw new RobotFailure($"invalid dictionary item '{cell}' (expected name=value)");
                    }
                    dict[Resolver.ResolveString(cell.Substring(0, eq))] = Resolver.Resolve(cell.Substring(eq + 1));
                }
                return dict;
            default:
                if(definition.Values.Count == 1)
                {
                    return Resolver.Resolve(definition.Values[0]);
                }
                var separator = " ";
                var values = definition.Values.ToList();
                if(values.Count > 0 && values[0].StartsWith("separator=", StringComparison.Ordinal))
                {
                    separator = Resolver.ResolveString(values[0].Substring(10));
                    values.RemoveAt(0);
                }
                return string.Join(separator, values.Select(Resolver.ResolveString));
            }
        }

        internal static int FindUnescapedEquals(string cell)
        {
            for(var i = 0; i < cell.Length; i++)
            {
                if(cell[i] == '\\')
                {
                    i++;
                    continue;
                }
                if(cell[i] == '{')
                {
                    var close = RobotParser.FindClosing(cell, i, '{', '}');
                    if(close > 0)
                    {
                        i = close;
                        continue;
                    }
                }
                if(cell[i] == '=')
                {
                    return i;
                }
            }
            return -1;
        }

        private string SafeResolveString(string text)
        {
            try
            {
                return Resolver.ResolveString(text);
            }
            catch(RobotFailure)
            {
                return text;
            }
        }

        // ---- tests ----

        private TestResult RunTest(TestCase test, RobotFile file, SuiteResult suite, string id, string? parentFailure, string longName)
        {
            var result = new TestResult(test.Name, id, test.At.Line) { LongName = longName, Start = DateTime.Now };
            result.Tags.AddRange(TagsOf(test, file));
            CurrentTest = result;
            Scopes.StartTest();
            currentDirectory = Path.GetDirectoryName(file.Path) ?? ".";
            try
            {
                Scopes.SetTest("TEST NAME", test.Name);
                Scopes.SetTest("TEST TAGS", result.Tags.Select(t => (object?)t).ToList());
                result.Documentation = SafeResolveString(test.Documentation);
                Scopes.SetTest("TEST DOCUMENTATION", result.Documentation);
                if(parentFailure != null)
                {
                    Finish(result, Status.Fail, parentFailure);
                    return result;
                }
                if(test.Errors.Count > 0)
                {
                    Finish(result, Status.Fail, string.Join("\n", test.Errors));
                    return result;
                }
                var timeoutText = test.Timeout ?? file.TestTimeout;
                double? timeout = null;
                if(timeoutText != null && !timeoutText.Equals("NONE", StringComparison.OrdinalIgnoreCase) && timeoutText.Length > 0)
                {
                    try
                    {
                        timeout = RobotValues.ParseTime(Resolver.ResolveString(timeoutText));
                        result.Timeout = RobotValues.FormatTime(timeout.Value);
                    }
                    catch(RobotFailure e)
                    {
                        Finish(result, Status.Fail, $"{test.At}: invalid test timeout: {e.Message}");
                        return result;
                    }
                }
                var status = Status.Pass;
                var message = "";
                var setup = test.Setup ?? file.TestSetup;
                var setupResult = RunFixture(setup, "SETUP", file);
                if(setupResult != null)
                {
                    result.Body.Add(setupResult);
                    if(setupResult.Status == Status.Fail)
                    {
                        status = Status.Fail;
                        message = "Setup failed:\n" + setupResult.FailureMessage;
                    }
                    else if(setupResult.Status == Status.Skip)
                    {
                        status = Status.Skip;
                        message = setupResult.FailureMessage ?? "";
                    }
                    else if(setupResult.FailureMessage != null)
                    {
                        message = setupResult.FailureMessage; // Pass Execution in setup
                    }
                }
                if(status == Status.Pass && message.Length == 0)
                {
                    if(timeout.HasValue)
                    {
                        deadlines.Add((DateTime.UtcNow.AddSeconds(timeout.Value), $"Test timeout {RobotValues.FormatTime(timeout.Value)} exceeded."));
                    }
                    var template = test.Template ?? file.TestTemplate;
                    if(template != null && template.Equals("NONE", StringComparison.OrdinalIgnoreCase))
                    {
                        template = null;
                    }
                    var previousTemplate = currentTemplate;
                    currentTemplate = template;
                    var holder = new BodyResult("BODY");
                    try
                    {
                        fileStack.Add(file);
                        RunBody(test.Body, holder, continueOnFailure: template != null);
                    }
                    catch(RobotFailure e)
                    {
                        status = Status.Fail;
                        message = e.Message;
                    }
                    catch(RobotPassExecution e)
                    {
                        message = e.Message;
                    }
                    catch(RobotSkip e)
                    {
                        status = Status.Skip;
                        message = e.Message;
                    }
                    catch(ReturnSignal)
                    {
                        status = Status.Fail;
                        message = "RETURN is not allowed in a test case";
                    }
                    catch(Exception e) when(e is BreakSignal || e is ContinueSignal)
                    {
                        status = Status.Fail;
                        message = "BREAK and CONTINUE are only allowed inside loops";
                    }
                    finally
                    {
                        fileStack.RemoveAt(fileStack.Count - 1);
                        currentTemplate = previousTemplate;
                        if(timeout.HasValue)
                        {
                            deadlines.RemoveAt(deadlines.Count - 1);
                        }
                        result.Body.AddRange(holder.Children);
                    }
                }
                Scopes.SetTest("TEST STATUS", status);
                Scopes.SetTest("TEST MESSAGE", message);
                result.Status = status;
                result.Message = message;
                var teardown = test.Teardown ?? file.TestTeardown;
                var teardownResult = RunFixture(teardown, "TEARDOWN", file);
                if(teardownResult != null)
                {
                    result.Body.Add(teardownResult);
                    if(teardownResult.Status == Status.Fail)
                    {
                        if(status == Status.Fail)
                        {
                            message += "\n\nAlso teardown failed:\n" + teardownResult.FailureMessage;
                        }
                        else
                        {
                            message = "Teardown failed:\n" + teardownResult.FailureMessage;
                        }
                        status = Status.Fail;
                    }
                }
                Finish(result, status, message);
                return result;
            }
            finally
            {
                Scopes.EndTest();
                Scopes.Global["prevtestname"] = test.Name;
                Scopes.Global["prevteststatus"] = result.Status;
                Scopes.Global["prevtestmessage"] = result.Message;
                CurrentTest = null;
            }
        }

        private void Finish(TestResult result, string status, string message)
        {
            result.Status = status;
            result.Message = message;
            result.End = DateTime.Now;
            var firstLine = message.Length == 0 ? "" : ": " + message.Replace("\n", "\n       ", StringComparison.Ordinal);
            Options.Console.WriteLine($"| {status} | {result.Name}{(status == Status.Pass && message.Length == 0 ? "" : firstLine)}");
            Options.Console.Flush();
        }

        /// <summary>Runs a setup or teardown; null when there is none (or it is NONE).</summary>
        private BodyResult? RunFixture(Fixture? fixture, string type, RobotFile file)
        {
            if(fixture == null)
            {
                return null;
            }
            string name;
            try
            {
                name = Resolver.ResolveString(fixture.Name);
            }
            catch(RobotFailure e)
            {
                return new BodyResult(type, fixture.Name) { Status = Status.Fail, FailureMessage = $"{fixture.At}: {e.Message}" };
            }
            if(name.Length == 0 || name.Equals("NONE", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            var holder = new BodyResult("BODY");
            fileStack.Add(file);
            var previousLocation = currentLocation;
            try
            {
                RunKeywordStep(new KeywordStep(fixture.At, Array.Empty<string>(), fixture.Name, fixture.Args), holder, type, continueOnFailure: type == "TEARDOWN");
            }
            catch(RobotFailure)
            {
            }
            catch(RobotPassExecution e)
            {
                holder.Children[^1].FailureMessage = e.Message;
            }
            catch(RobotSkip e)
            {
                holder.Children[^1].FailureMessage = e.Message;
            }
            catch(Exception e) when(e is ReturnSignal || e is BreakSignal || e is ContinueSignal)
            {
            }
            finally
            {
                fileStack.RemoveAt(fileStack.Count - 1);
                currentLocation = previousLocation;
            }
            return holder.Children.Count > 0 ? holder.Children[^1] : null;
        }

        // ---- bodies ----

        private void RunBody(IReadOnlyList<Step> steps, BodyResult parent, bool continueOnFailure = false)
        {
            var failures = new List<RobotFailure>();
            var continuing = continueOnFailure || continueOnFailureDepth > 0;
            foreach(var step in steps)
            {
                CheckTimeout();
                try
                {
                    RunStep(step, parent, continuing);
                }
                catch(RobotFailure e) when(continuing && e is not RobotTimeout)
                {
                    failures.Add(e);
                }
            }
            if(failures.Count == 1)
            {
                throw failures[0];
            }
            if(failures.Count > 1)
            {
                throw new RobotFailure("Several failures occurred:\n\n" + string.Join("\n\n", failures.Select((f, i) => $"{i + 1}) {f.Message}")))
                {
                    IsMultiple = true,
                };
            }
        }

        private void RunStep(Step step, BodyResult parent, bool continuing)
        {
            currentLocation = step.At;
            switch(step)
            {
            case KeywordStep k:
                if(currentTemplate != null)
                {
                    RunKeywordStep(new KeywordStep(k.At, Array.Empty<string>(), currentTemplate, new[] { k.Name }.Concat(k.Args).ToList()), parent, "KW", continuing, fromTemplate: true);
                }
                else
                {
                    RunKeywordStep(k, parent, "KW", continuing);
                }
                break;
            case ForStep f:
                RunFor(f, parent, continuing);
                break;
            case IfStep i:
                RunIf(i, parent, continuing);
                break;
            case WhileStep w:
                RunWhile(w, parent, continuing);
                break;
            case TryStep t:
                RunTry(t, parent, continuing);
                break;
            case ReturnStep r:
                var ret = Record(parent, new BodyResult("RETURN"));
                ret.Values.AddRange(r.Values);
                ret.Status = Status.Pass;
                var values = Located(step.At, () => Resolver.ResolveList(r.Values));
                throw new ReturnSignal(values.Count == 0 ? null : values.Count == 1 ? values[0] : values);
            case BreakStep:
                Record(parent, new BodyResult("BREAK")).Status = Status.Pass;
                throw new BreakSignal();
            case ContinueStep:
                Record(parent, new BodyResult("CONTINUE")).Status = Status.Pass;
                throw new ContinueSignal();
            case InvalidStep invalid:
                var error = Record(parent, new BodyResult("ERROR"));
                error.Status = Status.Fail;
                error.FailureMessage = $"{invalid.At}: {invalid.Message}";
                throw new RobotFailure(error.FailureMessage, catchable: false);
            }
        }

        private static BodyResult Record(BodyResult parent, BodyResult item)
        {
            parent.Children.Add(item);
            return item;
        }

        private T Located<T>(SourceLocation at, Func<T> action)
        {
            try
            {
                return action();
            }
            catch(RobotFailure e) when(!e.Message.StartsWith(at.File + ":", StringComparison.Ordinal) && e is not RobotTimeout)
            {
                throw new RobotFailure($"{at}: {e.Message}", e.Catchable, e);
            }
            catch(ExpressionException e)
            {
                throw new RobotFailure($"{at}: {e.Message}", true, e);
            }
        }

        private void RunFor(ForStep step, BodyResult parent, bool continuing)
        {
            var result = Record(parent, new BodyResult("FOR") { Flavor = step.Flavor });
            result.Values.AddRange(step.Values);
            foreach(var v in step.Variables)
            {
                result.Variables.Add(new KeyValuePair<string, string>(v, ""));
            }
            Recorded(result, () =>
            {
                var iterations = Located(step.At, () => ForIterations(step));
                foreach(var values in iterations)
                {
                    CheckTimeout();
                    var iteration = Record(result, new BodyResult("ITERATION"));
                    for(var i = 0; i < step.Variables.Count; i++)
                    {
                        Scopes.SetLocal(step.Variables[i], values[i]);
                        iteration.Variables.Add(new KeyValuePair<string, string>(step.Variables[i], RobotValues.ToText(values[i])));
                    }
                    if(!RunIteration(step.Body, iteration, continuing))
                    {
                        break;
                    }
                }
            });
        }

        /// <summary>
        /// Runs <paramref name="body"/> as the content of <paramref name="result"/>: PASS when it returns, FAIL with the
        /// message on a failure, PASS when control leaves it otherwise (RETURN, BREAK, CONTINUE, PASS EXECUTION, SKIP);
        /// the exception goes on either way, and the end time is always recorded.
        /// </summary>
        private static void Recorded(BodyResult result, Action body)
        {
            try
            {
                body();
                result.Status = Status.Pass;
            }
            catch(RobotFailure e)
            {
                result.Status = Status.Fail;
                result.FailureMessage = e.Message;
                throw;
            }
            catch
            {
                result.Status = Status.Pass;
                throw;
            }
            finally
            {
                result.End = DateTime.Now;
            }
        }

        /// <summary>One FOR/WHILE iteration: CONTINUE ends it, BREAK ends the loop (returns false), anything else is <see cref="Recorded"/>'s.</summary>
        private bool RunIteration(IReadOnlyList<Step> body, BodyResult iteration, bool continuing)
        {
            var goOn = true;
            Recorded(iteration, () =>
            {
                try
                {
                    RunBody(body, iteration, continuing);
                }
                catch(ContinueSignal)
                {
                }
                catch(BreakSignal)
                {
                    goOn = false;
                }
            });
            return goOn;
        }

        private List<List<object?>> ForIterations(ForStep step)
        {
            var n = step.Variables.Count;
            var iterations = new List<List<object?>>();
            switch(step.Flavor)
            {
            case "IN RANGE":
                var bounds = Resolver.ResolveList(step.Values).Select(v => v is string s ? EvaluateExpression(s) : v).ToList();
                if(bounds.Count < 1 || bounds.Count > 3)
                {
                    throw new RobotFailure($"FOR IN RANGE expected 1 to 3 values, got {bounds.Count}");
                }
                if(bounds.Any(b => !RobotValues.IsNumber(b)))
                {
                    throw new RobotFailure($"FOR IN RANGE values must be numbers, got {string.Join(", ", bounds.Select(RobotValues.Repr))}");
                }
                var useDouble = bounds.Any(b => b is double);
                var start = bounds.Count > 1 ? RobotValues.ToDouble(bounds[0]) : 0;
                var stop = RobotValues.ToDouble(bounds.Count > 1 ? bounds[1] : bounds[0]);
                var stepSize = bounds.Count > 2 ? RobotValues.ToDouble(bounds[2]) : 1;
                if(stepSize == 0)
                {
                    throw new RobotFailure("FOR IN RANGE step cannot be zero");
                }
                var flat = new List<object?>();
                for(var x = start; stepSize > 0 ? x < stop : x > stop; x += stepSize)
                {
                    flat.Add(useDouble ? (object?)x : (long)x);
                }
                return Chunk(flat, n);
            case "IN ENUMERATE":
                var items = Resolver.ResolveList(step.Values.Where(v => !v.StartsWith("start=", StringComparison.Ordinal)));
                var first = step.Values.FirstOrDefault(v => v.StartsWith("start=", StringComparison.Ordinal)) is { } s0 ? RobotValues.ToLong(EvaluateExpression(s0.Substring(6))) : 0;
                var inner = Chunk(items, n == 1 ? 1 : n - 1);
                for(var i = 0; i < inner.Count; i++)
                {
                    var row = new List<object?> { first + i };
                    row.AddRange(n == 1 ? new List<object?> { inner[i].Count == 1 ? inner[i][0] : inner[i] } : inner[i]);
                    iterations.Add(n == 1 ? new List<object?> { row } : row);
                }
                return iterations;
            case "IN ZIP":
                var lists = Resolver.ResolveList(step.Values).Select(v => VariableResolver.AsList(v, RobotValues.ToText(v))).ToList();
                if(lists.Count != n && n != 1)
                {
                    throw new RobotFailure($"FOR IN ZIP expects as many lists ({lists.Count}) as loop variables ({n})");
                }
                var count = lists.Count == 0 ? 0 : lists.Min(l => l.Count);
                for(var i = 0; i < count; i++)
                {
                    var row = lists.Select(l => l[i]).ToList();
                    iterations.Add(n == 1 ? new List<object?> { row } : row);
                }
                return iterations;
            default:
                return Chunk(Resolver.ResolveList(step.Values), n);
            }
        }

        private static List<List<object?>> Chunk(List<object?> values, int n)
        {
            if(values.Count % n != 0)
            {
                throw new RobotFailure($"FOR loop has {n} variables but {values.Count} values, which is not a multiple of {n}");
            }
            var result = new List<List<object?>>();
            for(var i = 0; i < values.Count; i += n)
            {
                result.Add(values.GetRange(i, n));
            }
            return result;
        }

        private void RunIf(IfStep step, BodyResult parent, bool continuing)
        {
            var root = Record(parent, new BodyResult("IF/ELSE ROOT"));
            var taken = false;
            Recorded(root, () =>
            {
                foreach(var branch in step.Branches)
                {
                    var result = Record(root, new BodyResult(branch.Kind) { Condition = branch.Condition });
                    if(taken)
                    {
                        result.Status = Status.NotRun;
                        continue;
                    }
                    currentLocation = branch.At;
                    var run = branch.Kind == "ELSE" || Located(branch.At, () => EvaluateCondition(Resolver.ResolveString(branch.Condition!)));
                    if(!run)
                    {
                        result.Status = Status.NotRun;
                        continue;
                    }
                    taken = true;
                    Recorded(result, () => RunBody(branch.Body, result, continuing));
                }
            });
        }

        private void RunWhile(WhileStep step, BodyResult parent, bool continuing)
        {
            var result = Record(parent, new BodyResult("WHILE") { Condition = step.Condition });
            Recorded(result, () =>
            {
                var limit = 10000L;
                if(step.Limit != null)
                {
                    var text = Located(step.At, () => Resolver.ResolveString(step.Limit));
                    limit = RobotValues.TryParseInteger(text.Replace("times", "", StringComparison.OrdinalIgnoreCase).Replace("x", "", StringComparison.OrdinalIgnoreCase).Trim(), out var count)
                        ? count : throw new RobotFailure($"{step.At}: invalid WHILE limit '{text}' (expected a number of iterations)");
                }
                var iterations = 0L;
                while(Located(step.At, () => EvaluateCondition(Resolver.ResolveString(step.Condition))))
                {
                    CheckTimeout();
                    if(++iterations > limit)
                    {
                        throw new RobotFailure($"WHILE loop was aborted because it did not finish within the limit of {limit} iterations.");
                    }
                    if(!RunIteration(step.Body, Record(result, new BodyResult("ITERATION")), continuing))
                    {
                        break;
                    }
                }
            });
        }

        private void RunTry(TryStep step, BodyResult parent, bool continuing)
        {
            var root = Record(parent, new BodyResult("TRY/EXCEPT ROOT"));
            RobotFailure? pending = null;
            try
            {
                var tryResult = Record(root, new BodyResult("TRY"));
                RobotFailure? error = null;
                try
                {
                    RunBody(step.Body, tryResult, continuing);
                    tryResult.Status = Status.Pass;
                }
                catch(RobotFailure e) when(e.Catchable)
                {
                    tryResult.Status = Status.Fail;
                    tryResult.FailureMessage = e.Message;
                    error = e;
                }
                var handled = false;
                foreach(var branch in step.Excepts)
                {
                    var result = Record(root, new BodyResult("EXCEPT") { Condition = string.Join(", ", branch.Patterns) });
                    if(error == null || handled)
                    {
                        result.Status = Status.NotRun;
                        continue;
                    }
                    var patterns = Located(branch.At, () => Resolver.ResolveList(branch.Patterns).Select(RobotValues.ToText).ToList());
                    if(patterns.Count > 0 && !patterns.Any(p => ErrorMatches(branch.Type, p, error.Message)))
                    {
                        result.Status = Status.NotRun;
                        continue;
                    }
                    handled = true;
                    if(branch.Assign != null)
                    {
                        Scopes.SetLocal(branch.Assign, error.Message);
                    }
                    try
                    {
                        RunBody(branch.Body, result, continuing);
                        result.Status = Status.Pass;
                    }
                    catch(RobotFailure e)
                    {
                        result.Status = Status.Fail;
                        result.FailureMessage = e.Message;
                        pending = e;
                    }
                }
                if(error != null && !handled)
                {
                    pending = error;
                }
                if(step.ElseBody != null)
                {
                    var elseResult = Record(root, new BodyResult("ELSE"));
                    if(error == null)
                    {
                        try
                        {
                            RunBody(step.ElseBody, elseResult, continuing);
                            elseResult.Status = Status.Pass;
                        }
                        catch(RobotFailure e)
                        {
                            elseResult.Status = Status.Fail;
                            pending = e;
                        }
                    }
                }
            }
            finally
            {
                if(step.FinallyBody != null)
                {
                    var finallyResult = Record(root, new BodyResult("FINALLY"));
                    try
                    {
                        RunBody(step.FinallyBody, finallyResult, continuing);
                        finallyResult.Status = Status.Pass;
                    }
                    catch(RobotFailure e)
                    {
                        finallyResult.Status = Status.Fail;
                        pending ??= e;
                    }
                }
                root.Status = pending == null ? Status.Pass : Status.Fail;
                root.FailureMessage = pending?.Message;
                root.End = DateTime.Now;
            }
            if(pending != null)
            {
                throw pending;
            }
        }

        /// <summary>Run Keyword And Expect Error / EXCEPT matching: glob (default), EQUALS:, STARTS:, REGEXP:, GLOB: prefixes or an explicit type.</summary>
        public static bool ErrorMatches(string type, string pattern, string message)
        {
            foreach(var (prefix, kind) in new[] { ("EQUALS:", "literal"), ("STARTS:", "start"), ("REGEXP:", "regexp"), ("GLOB:", "glob") })
            {
                if(type == "glob-default" && pattern.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return ErrorMatches(kind, pattern.Substring(prefix.Length).TrimStart(), message);
                }
            }
            return type switch
            {
                "literal" => message == pattern,
                "start" => message.StartsWith(pattern, StringComparison.Ordinal),
                "regexp" => Regex.IsMatch(message, "^(?:" + pattern + ")$", RegexOptions.Singleline),
                _ => RobotValues.GlobMatch(pattern, message),
            };
        }

        // ---- keywords ----

        private void RunKeywordStep(KeywordStep step, BodyResult parent, string type, bool continueOnFailure, bool fromTemplate = false)
        {
            currentLocation = step.At;
            var result = Record(parent, new BodyResult(type, step.Name));
            result.Args.AddRange(step.Args);
            result.Assign.AddRange(step.Assign);
            resultStack.Add(result);
            var previousContinue = continueOnFailureDepth;
            if(continueOnFailure && type == "TEARDOWN")
            {
                continueOnFailureDepth++;
            }
            try
            {
                var value = CallKeyword(step.Name, step.Args, step.At, result);
                if(step.Assign.Count > 0)
                {
                    Located(step.At, () =>
                    {
                        Assign(step.Assign, value);
                        return 0;
                    });
                }
                result.Status = Status.Pass;
            }
            catch(RobotFailure e)
            {
                result.Status = Status.Fail;
                result.FailureMessage = e.Message;
                throw;
            }
            catch(RobotSkip e)
            {
                result.Status = Status.Skip;
                result.FailureMessage = e.Message;
                throw;
            }
            catch(Exception e) when(e is RobotPassExecution || e is ReturnSignal || e is BreakSignal || e is ContinueSignal)
            {
                result.Status = Status.Pass;
                throw;
            }
            finally
            {
                continueOnFailureDepth = previousContinue;
                resultStack.RemoveAt(resultStack.Count - 1);
                result.End = DateTime.Now;
            }
        }

        private void Assign(IReadOnlyList<string> targets, object? value)
        {
            var names = targets.Select(t => t.TrimEnd('=').TrimEnd()).ToList();
            if(names.Count == 1)
            {
                Scopes.SetLocal(names[0], Coerce(names[0], value));
                return;
            }
            var items = VariableResolver.AsList(value, "return value").ToList();
            var listIndex = names.FindIndex(n => n[0] == '@');
            if(listIndex < 0)
            {
                if(items.Count != names.Count)
                {
                    throw new RobotFailure($"Cannot set variables {string.Join(", ", names)}: expected {names.Count} return values, got {items.Count}.");
                }
                for(var i = 0; i < names.Count; i++)
                {
                    Scopes.SetLocal(names[i], items[i]);
                }
                return;
            }
            var after = names.Count - listIndex - 1;
            if(items.Count < names.Count - 1)
            {
                throw new RobotFailure($"Cannot set variables {string.Join(", ", names)}: expected at least {names.Count - 1} return values, got {items.Count}.");
            }
            for(var i = 0; i < listIndex; i++)
            {
                Scopes.SetLocal(names[i], items[i]);
            }
            Scopes.SetLocal(names[listIndex], items.GetRange(listIndex, items.Count - listIndex - after));
            for(var i = 0; i < after; i++)
            {
                Scopes.SetLocal(names[listIndex + 1 + i], items[items.Count - after + i]);
            }
        }

        private static object? Coerce(string name, object? value) => name[0] switch
        {
            '@' => VariableResolver.AsList(value, name).ToList(),
            '&' => VariableResolver.AsDict(value, name),
            _ => value,
        };

        private object? CallKeyword(string nameCell, IReadOnlyList<string> rawArgs, SourceLocation at, BodyResult result)
        {
            var name = Located(at, () => Resolver.ResolveString(nameCell));
            var (user, embedded, library) = Located(at, () => FindKeyword(name));
            if(library != null)
            {
                result.Name = library.Name;
                result.Owner = library.Library;
                result.Documentation = FirstLine(library.Documentation);
                KeywordArgs args;
                if(library.ResolvesOwnArguments)
                {
                    args = new KeywordArgs(library, new Dictionary<string, object?>(), new List<object?>(), new Dictionary<string, object?>(), rawArgs);
                }
                else
                {
                    args = Located(at, () =>
                    {
                        var (positional, named) = SplitNamed(rawArgs, library.AcceptsNamed);
                        return library.Bind(positional, named);
                    });
                }
                try
                {
                    return RobotValues.FromClr(library.Body(args));
                }
                catch(ExpressionException e)
                {
                    throw new RobotFailure(e.Message);
                }
                catch(Exception e) when(e is not RobotFailure && e is not RobotPassExecution && e is not RobotSkip && e is not ReturnSignal && e is not BreakSignal && e is not ContinueSignal)
                {
                    throw new RobotFailure($"{e.GetType().Name}: {e.Message}");
                }
            }
            result.Name = user!.Name;
            result.Owner = user.Owner.HasTestSection ? null : user.Owner.BaseName;
            result.Documentation = FirstLine(user.Documentation);
            return RunUserKeyword(user, embedded!, rawArgs, at, result);
        }

        private static string FirstLine(string text)
        {
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            return newline < 0 ? text : text.Substring(0, newline);
        }

        private (List<object?> Positional, List<KeyValuePair<string, object?>> Named) SplitNamed(IReadOnlyList<string> raw, Func<string, bool> acceptsNamed)
        {
            var positional = new List<object?>();
            var named = new List<KeyValuePair<string, object?>>();
            foreach(var cell in raw)
            {
                if(VariableResolver.IsWholeVariable(cell, '&'))
                {
                    foreach(var kv in VariableResolver.AsDict(Resolver.Resolve("$" + cell.Substring(1)), cell))
                    {
                        named.Add(kv);
                    }
                    continue;
                }
                if(VariableResolver.IsWholeVariable(cell, '@'))
                {
                    positional.AddRange(Resolver.ResolveList(new[] { cell }));
                    continue;
                }
                var eq = FindUnescapedEquals(cell);
                if(eq > 0)
                {
                    var argName = cell.Substring(0, eq);
                    if(!argName.Contains('$', StringComparison.Ordinal) && acceptsNamed(argName))
                    {
                        named.Add(new KeyValuePair<string, object?>(argName, Resolver.Resolve(cell.Substring(eq + 1))));
                        continue;
                    }
                }
                positional.Add(Resolver.Resolve(cell));
            }
            return (positional, named);
        }

        /// <summary>Finds a keyword: user keywords (current file, suite, resources; exact names before embedded ones), then libraries.</summary>
        private (UserKeyword? User, List<string>? Embedded, LibraryKeyword? Library) FindKeyword(string name)
        {
            if(name.Trim().Length == 0)
            {
                throw new RobotFailure("keyword name cannot be empty", catchable: false);
            }
            var ns = currentNamespace ?? new Namespace(null);
            var files = new List<RobotFile>();
            if(fileStack.Count > 0)
            {
                files.Add(fileStack[^1]);
            }
            if(ns.File != null)
            {
                files.Add(ns.File);
            }
            files.AddRange(ns.Resources);
            files = files.Distinct().ToList();
            string? prefix = null;
            var bare = name;
            var dot = name.LastIndexOf('.');
            if(dot > 0)
            {
                var candidate = RobotParser.Normalize(name.Substring(0, dot));
                if(files.Any(f => RobotParser.Normalize(f.BaseName) == candidate) || libraryKeywords.Values.SelectMany(l => l).Any(k => RobotParser.Normalize(k.Library) == candidate))
                {
                    prefix = candidate;
                    bare = name.Substring(dot + 1);
                }
            }
            var key = RobotParser.Normalize(bare);
            var searchFiles = prefix == null ? files : files.Where(f => RobotParser.Normalize(f.BaseName) == prefix).ToList();
            foreach(var file in searchFiles)
            {
                var found = file.Keywords.Where(k => k.EmbeddedPattern == null && RobotParser.Normalize(k.Name) == key).ToList();
                if(found.Count > 0)
                {
                    return (found[0], new List<string>(), null);
                }
            }
            foreach(var file in searchFiles)
            {
                foreach(var k in file.Keywords.Where(k => k.EmbeddedPattern != null))
                {
                    var match = k.EmbeddedPattern!.Match(bare);
                    if(match.Success)
                    {
                        return (k, match.Groups.Cast<System.Text.RegularExpressions.Group>().Skip(1).Select(g => g.Value).ToList(), null);
                    }
                }
            }
            if(libraryKeywords.TryGetValue(key, out var candidates))
            {
                var visible = candidates.Where(k => prefix == null || RobotParser.Normalize(k.Library) == prefix)
                    .Where(k => k.Library is "BuiltIn" or "Remote" || ns.Libraries.Contains(RobotParser.Normalize(k.Library))).ToList();
                if(visible.Count > 0)
                {
                    return (null, null, visible[0]);
                }
                var hidden = candidates.FirstOrDefault();
                if(hidden != null && prefix == null)
                {
                    throw new RobotFailure($"No keyword with name '{name}' found. It is in library '{hidden.Library}', which this suite does not import (add 'Library    {hidden.Library}' to its settings).", catchable: false);
                }
            }
            throw new RobotFailure($"No keyword with name '{name}' found.", catchable: false);
        }

        private object? RunUserKeyword(UserKeyword keyword, List<string> embedded, IReadOnlyList<string> rawArgs, SourceLocation at, BodyResult result)
        {
            if(keyword.Errors.Count > 0)
            {
                throw new RobotFailure(string.Join("\n", keyword.Errors), catchable: false);
            }
            if(callDepth >= 100)
            {
                throw new RobotFailure($"{at}: maximum keyword nesting depth (100) exceeded; is '{keyword.Name}' recursive?", catchable: false);
            }
            var specs = keyword.Arguments.Select(a =>
            {
                var eq = a.IndexOf("}=", StringComparison.Ordinal);
                return (Name: eq >= 0 ? a.Substring(0, eq + 1) : a, Default: eq >= 0 ? a.Substring(eq + 2) : null, HasDefault: eq >= 0);
            }).ToList();
            var scalars = specs.Where(s => s.Name[0] == '$').ToList();
            var varArgs = specs.FirstOrDefault(s => s.Name[0] == '@');
            var kwArgs = specs.FirstOrDefault(s => s.Name[0] == '&');
            var (positional, named) = Located(at, () => SplitNamed(rawArgs, n => kwArgs.Name != null || scalars.Any(s => VariableScopes.Key(s.Name) == RobotParser.Normalize(n))));
            var min = scalars.Count(s => !s.HasDefault);
            if(positional.Count + named.Count(n => scalars.Any(s => VariableScopes.Key(s.Name) == RobotParser.Normalize(n.Key))) < min || (varArgs.Name == null && positional.Count > scalars.Count))
            {
                var expected = varArgs.Name != null ? $"at least {min}" : min == scalars.Count ? $"{min}" : $"{min} to {scalars.Count}";
                throw new RobotFailure($"{at}: Keyword '{keyword.Name}' expected {expected} argument{(scalars.Count == 1 && varArgs.Name == null ? "" : "s")}, got {positional.Count + named.Count}.");
            }
            callDepth++;
            Scopes.PushLocal();
            fileStack.Add(keyword.Owner);
            var previousLocation = currentLocation;
            var previousTemplate = currentTemplate;
            currentTemplate = null;
            var deadlineAdded = false;
            try
            {
                for(var i = 0; i < keyword.EmbeddedNames.Count; i++)
                {
                    Scopes.SetLocal(keyword.EmbeddedNames[i], embedded[i]);
                }
                for(var i = 0; i < scalars.Count; i++)
                {
                    var key = VariableScopes.Key(scalars[i].Name);
                    var given = named.Where(n => RobotParser.Normalize(n.Key) == key).ToList();
                    if(i < positional.Count)
                    {
                        if(given.Count > 0)
                        {
                            throw new RobotFailure($"{at}: Keyword '{keyword.Name}' got multiple values for argument '{scalars[i].Name}'.");
                        }
                        Scopes.SetLocal(scalars[i].Name, positional[i]);
                    }
                    else if(given.Count > 0)
                    {
                        Scopes.SetLocal(scalars[i].Name, given[^1].Value);
                    }
                    else if(scalars[i].HasDefault)
                    {
                        Scopes.SetLocal(scalars[i].Name, Located(keyword.At, () => Resolver.Resolve(scalars[i].Default!)));
                    }
                    else
                    {
                        throw new RobotFailure($"{at}: Keyword '{keyword.Name}' missing value for argument '{scalars[i].Name}'.");
                    }
                }
                if(varArgs.Name != null)
                {
                    Scopes.SetLocal(varArgs.Name, positional.Skip(scalars.Count).ToList());
                }
                if(kwArgs.Name != null)
                {
                    Scopes.SetLocal(kwArgs.Name, named.Where(n => !scalars.Any(s => VariableScopes.Key(s.Name) == RobotParser.Normalize(n.Key))).ToDictionary(n => n.Key, n => n.Value));
                }
                if(keyword.Timeout != null && !keyword.Timeout.Equals("NONE", StringComparison.OrdinalIgnoreCase))
                {
                    var seconds = Located(keyword.At, () => RobotValues.ParseTime(Resolver.ResolveString(keyword.Timeout)));
                    deadlines.Add((DateTime.UtcNow.AddSeconds(seconds), $"Keyword timeout {RobotValues.FormatTime(seconds)} exceeded."));
                    deadlineAdded = true;
                }
                object? value = null;
                RobotFailure? failure = null;
                try
                {
                    if(keyword.Setup != null)
                    {
                        RunKeywordStep(new KeywordStep(keyword.Setup.At, Array.Empty<string>(), keyword.Setup.Name, keyword.Setup.Args), result, "SETUP", false);
                    }
                    RunBody(keyword.Body, result);
                    if(keyword.Returns != null)
                    {
                        var values = Located(keyword.At, () => Resolver.ResolveList(keyword.Returns));
                        value = values.Count == 0 ? null : values.Count == 1 ? values[0] : values;
                    }
                }
                catch(ReturnSignal r)
                {
                    value = r.Value;
                }
                catch(RobotFailure e)
                {
                    failure = e;
                }
                if(keyword.Teardown != null)
                {
                    var holder = new BodyResult("BODY");
                    try
                    {
                        RunKeywordStep(new KeywordStep(keyword.Teardown.At, Array.Empty<string>(), keyword.Teardown.Name, keyword.Teardown.Args), holder, "TEARDOWN", true);
                    }
                    catch(RobotFailure e)
                    {
                        failure = failure == null ? new RobotFailure("Keyword teardown failed:\n" + e.Message) : new RobotFailure(failure.Message + "\n\nAlso keyword teardown failed:\n" + e.Message);
                    }
                    finally
                    {
                        result.Children.AddRange(holder.Children);
                    }
                }
                if(failure != null)
                {
                    throw failure;
                }
                return value;
            }
            finally
            {
                if(deadlineAdded)
                {
                    deadlines.RemoveAt(deadlines.Count - 1);
                }
                currentLocation = previousLocation;
                currentTemplate = previousTemplate;
                fileStack.RemoveAt(fileStack.Count - 1);
                Scopes.PopLocal();
                callDepth--;
            }
        }

        // ---- services for libraries ----

        /// <summary>Runs a keyword from within another (Run Keyword and friends): <paramref name="rawArgs"/> are unresolved cells.</summary>
        public object? RunKeyword(string name, IReadOnlyList<string> rawArgs)
        {
            var parent = resultStack.Count > 0 ? resultStack[^1] : new BodyResult("BODY");
            var holder = new BodyResult("BODY");
            var step = new KeywordStep(currentLocation, Array.Empty<string>(), name, rawArgs);
            var previous = currentLocation;
            var previousTemplate = currentTemplate;
            currentTemplate = null;
            try
            {
                object? value = null;
                var result = Record(holder, new BodyResult("KW", name));
                result.Args.AddRange(rawArgs);
                resultStack.Add(result);
                try
                {
                    value = CallKeyword(name, rawArgs, step.At, result);
                    result.Status = Status.Pass;
                }
                catch(RobotFailure e)
                {
                    result.Status = Status.Fail;
                    result.FailureMessage = e.Message;
                    throw;
                }
                catch
                {
                    result.Status = Status.Pass;
                    throw;
                }
                finally
                {
                    result.End = DateTime.Now;
                    resultStack.RemoveAt(resultStack.Count - 1);
                }
                return value;
            }
            finally
            {
                currentLocation = previous;
                currentTemplate = previousTemplate;
                parent.Children.AddRange(holder.Children);
            }
        }

        /// <summary>Escapes a resolved value so that RunKeyword resolves it back to itself.</summary>
        public string Reference(object? value)
        {
            var name = "__arg" + (++argCounter).ToString(CultureInfo.InvariantCulture);
            Scopes.SetLocal(name, value);
            return "${" + name + "}";
        }

        public void Log(string message, string level = "INFO")
        {
            var target = resultStack.Count > 0 ? resultStack[^1] : null;
            var entry = new LogMessage(DateTime.Now, level, message);
            target?.Children.Add(BodyResult.ForMessage(entry));
            if(level == "WARN" || level == "ERROR")
            {
                runResult?.Errors.Add(entry);
                Options.Console.WriteLine($"[ {level} ] {message}");
            }
        }

        public object? EvaluateExpression(string expression)
        {
            try
            {
                return Expression.Evaluate(expression, n => Scopes.TryGet(n, out var v) ? (true, v) : (false, null));
            }
            catch(ExpressionException e)
            {
                throw new RobotFailure($"Evaluating expression '{expression}' failed: {e.Message}");
            }
        }

        /// <summary>A condition as Should Be True, IF and Run Keyword If take it: strings are evaluated, other values use their truth.</summary>
        public bool EvaluateCondition(object? condition)
        {
            if(condition is string s)
            {
                if(s.Trim().Length == 0)
                {
                    throw new RobotFailure("condition is empty");
                }
                return RobotValues.Truthy(EvaluateExpression(s));
            }
            return RobotValues.Truthy(condition);
        }

        public void CheckTimeout()
        {
            foreach(var (deadline, message) in deadlines)
            {
                if(DateTime.UtcNow > deadline)
                {
                    throw new RobotTimeout(message);
                }
            }
        }

        /// <summary>Import Resource at run time.</summary>
        public void ImportResource(string path)
        {
            var ns = currentNamespace ?? throw new RobotFailure("Import Resource needs a running suite");
            var full = FindFile(path, currentDirectory) ?? throw new RobotFailure($"resource file '{path}' does not exist");
            var file = ParseResource(full);
            if(file.Errors.Count > 0)
            {
                throw new RobotFailure(string.Join("\n", file.Errors));
            }
            if(!ns.Resources.Contains(file))
            {
                ns.Resources.Add(file);
                var errors = new Namespace(null);
                ImportInto(errors, file, new HashSet<string>(ns.Resources.Select(r => r.Path).Where(p => p != file.Path)));
                ns.Resources.AddRange(errors.Resources.Where(r => !ns.Resources.Contains(r)));
                if(errors.Errors.Count > 0)
                {
                    throw new RobotFailure(string.Join("\n", errors.Errors));
                }
            }
        }

        public void ImportLibraryAtRuntime(string name)
        {
            var error = ImportLibrary(currentNamespace ?? new Namespace(null), name);
            if(error != null)
            {
                throw new RobotFailure(error);
            }
        }

        public bool KeywordExists(string name)
        {
            try
            {
                FindKeyword(name);
                return true;
            }
            catch(RobotFailure)
            {
                return false;
            }
        }

        private readonly Dictionary<string, List<LibraryKeyword>> libraryKeywords = new Dictionary<string, List<LibraryKeyword>>(StringComparer.Ordinal);
        private readonly Dictionary<string, RobotFile> resourceCache = new Dictionary<string, RobotFile>(StringComparer.Ordinal);
        private readonly HashSet<string> commandLineVariables = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<(DateTime Deadline, string Message)> deadlines = new List<(DateTime, string)>();
        private readonly List<BodyResult> resultStack = new List<BodyResult>();
        private readonly List<RobotFile> fileStack = new List<RobotFile>();
        private Namespace? currentNamespace;
        private RunResult? runResult;
        private SourceLocation currentLocation = new SourceLocation("<robot>", 0);
        private string currentDirectory = Directory.GetCurrentDirectory();
        private string? currentTemplate;
        private int continueOnFailureDepth;
        private int callDepth;
        private int argCounter;
    }
}
