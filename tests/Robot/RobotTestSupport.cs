// Helpers for the Robot runner tests: write suites into a temporary folder and run them in-process.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RenodeGic.Host.Cli;
using RenodeGic.Host.Robot;

namespace RenodeGic.Tests.Robot
{
    public sealed class RobotSandbox : IDisposable
    {
        public RobotSandbox()
        {
            Directory = Path.Combine(Path.GetTempPath(), "robot-tests-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(Directory);
        }

        public string Directory { get; }

        public string Console => console.ToString();

        public string Write(string name, string text)
        {
            var path = Path.Combine(Directory, name);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            return path;
        }

        public RunResult Run(string suiteText, Action<RobotOptions>? configure = null, string name = "suite.robot")
        {
            var path = Write(name, suiteText);
            return RunPaths(new[] { path }, configure);
        }

        public RunResult RunPaths(IReadOnlyList<string> paths, Action<RobotOptions>? configure = null)
        {
            var options = new RobotOptions { Console = console, RootDirectory = Runner.RepositoryRoot, OutputDirectory = Path.Combine(Directory, "out") };
            configure?.Invoke(options);
            using var engine = new RobotEngine(options);
            return engine.Run(paths);
        }

        public static TestResult Test(RunResult run, string name) => run.Suite.AllTests.Single(t => t.Name == name);

        public void Dispose()
        {
            try
            {
                System.IO.Directory.Delete(Directory, true);
            }
            catch(IOException)
            {
            }
        }

        private readonly StringWriter console = new StringWriter();
    }
}
