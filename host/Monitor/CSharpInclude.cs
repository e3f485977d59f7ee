// Run-time compilation of C# peripheral sources, as Renode's monitor does for 'include @Peripheral.cs'.
//
// Renode (renode-infrastructure src/Emulator/Main/Utilities/AdHocCompiler_NET.cs, called from
// src/Emulator/Extensions/UserInterface/Monitor.cs TryCompilePlugin) parses the files as C# 9, references every
// non-dynamic assembly loaded in the process, builds a Release DLL and hands it to its TypeManager so the new
// types can be named in platform descriptions loaded afterwards. We do the same with Roslyn and register the
// assembly with ReplLoader.AddAssembly. Differences, on purpose:
//   * errors name the file, line and column the way compilers print them: "file.cs:12:5: error CS0103: ...";
//   * the result is cached by a hash of the sources (path and content), so including the same file again is free
//     and yields the same types (a second include of unchanged sources is a no-op, as the types already exist).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace RenodeGic.Host.Monitor
{
    /// <summary>C# sources that did not compile; <see cref="Diagnostics"/> holds one "file:line:col: error ID: text" per error.</summary>
    public sealed class CSharpCompilationException : Exception
    {
        public CSharpCompilationException(IReadOnlyList<string> diagnostics)
            : base(string.Join("\n", diagnostics))
        {
            Diagnostics = diagnostics;
        }

        public IReadOnlyList<string> Diagnostics { get; }
    }

    public static class CSharpInclude
    {
        /// <summary>The language version Renode's AdHocCompiler parses with.</summary>
        public const LanguageVersion RenodeLanguageVersion = LanguageVersion.CSharp9;

        /// <summary>How many compilations actually ran (cache misses); for tests and diagnostics.</summary>
        public static int CompilationCount => compilationCount;

        /// <summary>
        /// Compiles the files into one assembly and loads it, or returns the assembly of an earlier identical include.
        /// <paramref name="displayNames"/> (same order as <paramref name="paths"/>) is how files are named in errors;
        /// default: the paths as given.
        /// </summary>
        public static Assembly CompileAndLoad(IReadOnlyList<string> paths, IReadOnlyList<string>? displayNames = null)
        {
            if(paths.Count == 0)
            {
                throw new ArgumentException("no source files", nameof(paths));
            }
            var sources = new List<(string Name, string Text)>();
            for(var i = 0; i < paths.Count; i++)
            {
                sources.Add((displayNames != null && i < displayNames.Count ? displayNames[i] : paths[i], File.ReadAllText(paths[i])));
            }
            return CompileAndLoadSources(sources);
        }

        /// <summary>Compiles in-memory sources (name used in errors, text) into one assembly and loads it (cached by content).</summary>
        public static Assembly CompileAndLoadSources(IReadOnlyList<(string Name, string Text)> sources)
        {
            var key = Hash(sources);
            lock(Cache)
            {
                if(Cache.TryGetValue(key, out var cached))
                {
                    return cached;
                }
                var assembly = Compile(sources, "RenodeInclude_" + key.Substring(0, 16));
                Cache[key] = assembly;
                return assembly;
            }
        }

        private static Assembly Compile(IReadOnlyList<(string Name, string Text)> sources, string assemblyName)
        {
            System.Threading.Interlocked.Increment(ref compilationCount);
            var options = CSharpParseOptions.Default.WithLanguageVersion(RenodeLanguageVersion);
            var trees = sources.Select(s => CSharpSyntaxTree.ParseText(SourceText.From(s.Text, Encoding.UTF8), options, s.Name)).ToList();
            var compilation = CSharpCompilation.Create(assemblyName, trees, References(),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                    optimizationLevel: OptimizationLevel.Release,
                    nullableContextOptions: NullableContextOptions.Disable,
                    assemblyIdentityComparer: DesktopAssemblyIdentityComparer.Default));
            using var image = new MemoryStream();
            var result = compilation.Emit(image);
            if(!result.Success)
            {
                var errors = result.Diagnostics
                    .Where(d => d.Severity == DiagnosticSeverity.Error || d.IsWarningAsError)
                    .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
                    .ThenBy(d => d.Location.SourceSpan.Start)
                    .Select(Format)
                    .ToList();
                throw new CSharpCompilationException(errors);
            }
            return Assembly.Load(image.ToArray());
        }

        /// <summary>"file.cs:12:5: error CS0103: The name 'x' does not exist in the current context" (1-based line and column).</summary>
        public static string Format(Diagnostic diagnostic)
        {
            var severity = diagnostic.Severity == DiagnosticSeverity.Error ? "error" : "warning";
            var message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
            if(!diagnostic.Location.IsInSource)
            {
                return $"{severity} {diagnostic.Id}: {message}";
            }
            var span = diagnostic.Location.GetMappedLineSpan();
            return $"{span.Path}:{span.StartLinePosition.Line + 1}:{span.StartLinePosition.Character + 1}: {severity} {diagnostic.Id}: {message}";
        }

        // Like Renode: every loaded, non-dynamic assembly with a file; plus the framework's reference set so that
        // System.* facades resolve even when nothing has loaded them yet. The API layer, the peripherals and the host
        // are touched first so they are always among the loaded assemblies.
        private static IReadOnlyList<MetadataReference> References()
        {
            _ = typeof(Antmicro.Renode.Peripherals.IPeripheral).Assembly;
            _ = typeof(Antmicro.Renode.Peripherals.IRQControllers.ArmGicV3).Assembly;
            _ = typeof(CSharpInclude).Assembly;
            var byFileName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach(var assembly in AppDomain.CurrentDomain.GetAssemblies())
            {
                if(assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location) || assembly.GetName().Name?.StartsWith("RenodeInclude_", StringComparison.Ordinal) == true)
                {
                    continue;
                }
                byFileName[Path.GetFileName(assembly.Location)] = assembly.Location;
            }
            if(AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string platform)
            {
                foreach(var path in platform.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
                {
                    var name = Path.GetFileName(path);
                    if(!byFileName.ContainsKey(name) && (name.StartsWith("System.", StringComparison.OrdinalIgnoreCase)
                        || name.Equals("mscorlib.dll", StringComparison.OrdinalIgnoreCase) || name.Equals("netstandard.dll", StringComparison.OrdinalIgnoreCase)))
                    {
                        byFileName[name] = path;
                    }
                }
            }
            return byFileName.Values.OrderBy(p => p, StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        }

        private static string Hash(IReadOnlyList<(string Name, string Text)> sources)
        {
            var sb = new StringBuilder();
            foreach(var (name, text) in sources)
            {
                sb.Append(name).Append('\0').Append(text).Append('\0');
            }
            return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
        }

        private static readonly Dictionary<string, Assembly> Cache = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        private static int compilationCount;
    }
}
