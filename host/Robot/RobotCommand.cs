// The `robot` and `robot-server` commands: run .robot suites in-process and write output.xml and xunit.xml,
// or serve the Renode keywords to a real Robot Framework over the Remote-library protocol.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace RenodeGic.Host.Robot
{
    public sealed record RobotRunSettings(
        IReadOnlyList<string> Paths,
        IReadOnlyList<string> Include,
        IReadOnlyList<string> Exclude,
        IReadOnlyList<string> Tests,
        IReadOnlyList<string> Variables,
        string OutputDirectory);

    public static class RobotCommand
    {
        /// <summary>Robot's exit code for invalid data or options.</summary>
        public const int ExitDataError = 252;

        /// <summary>Runs suites; the exit code is the number of failed tests (at most 250), as Robot's.</summary>
        public static int Run(RobotRunSettings settings, string rootDirectory, TextWriter? console = null)
        {
            console ??= Console.Out;
            var options = new RobotOptions
            {
                Console = console,
                RootDirectory = rootDirectory,
                OutputDirectory = settings.OutputDirectory,
            };
            options.Include.AddRange(settings.Include);
            options.Exclude.AddRange(settings.Exclude);
            options.Tests.AddRange(settings.Tests);
            foreach(var variable in settings.Variables)
            {
                var colon = variable.IndexOf(':', StringComparison.Ordinal);
                if(colon <= 0)
                {
                    Console.Error.WriteLine($"renode-gic robot: invalid --variable '{variable}' (expected NAME:value)");
                    return ExitDataError;
                }
                options.Variables.Add(new KeyValuePair<string, string>(variable.Substring(0, colon), variable.Substring(colon + 1)));
            }
            if(settings.Paths.Count == 0)
            {
                Console.Error.WriteLine("renode-gic robot: give at least one .robot file or folder");
                return ExitDataError;
            }
            RunResult run;
            using(var engine = new RobotEngine(options))
            {
                try
                {
                    run = engine.Run(settings.Paths);
                }
                catch(RobotFailure e)
                {
                    console.Flush();
                    Console.Error.WriteLine($"renode-gic robot: {e.Message}");
                    return ExitDataError;
                }
            }
            var suite = run.Suite;
            var total = suite.AllTests.Count();
            var skipped = suite.Skipped;
            console.WriteLine(new string('=', 78));
            console.WriteLine($"{total} test{(total == 1 ? "" : "s")}, {suite.Passed} passed, {suite.Failed} failed{(skipped > 0 ? $", {skipped} skipped" : "")}");
            Directory.CreateDirectory(settings.OutputDirectory);
            var outputXml = Path.Combine(settings.OutputDirectory, "output.xml");
            var xunit = Path.Combine(settings.OutputDirectory, "xunit.xml");
            RobotOutput.WriteOutputXml(run, outputXml);
            RobotOutput.WriteXunit(run, xunit);
            console.WriteLine($"Output:  {Path.GetFullPath(outputXml)}");
            console.WriteLine($"XUnit:   {Path.GetFullPath(xunit)}");
            console.Flush();
            return Math.Min(suite.Failed, 250);
        }

        /// <summary>Serves the Renode keywords over XML-RPC on 127.0.0.1:<paramref name="port"/> until stop_remote_server.</summary>
        public static int Serve(int port, string rootDirectory)
        {
            if(port < 0 || port > 65535)
            {
                Console.Error.WriteLine($"renode-gic: invalid port {port}");
                return 1;
            }
            using var renode = new RenodeLibrary(rootDirectory)
            {
                LocationProvider = () => ("<remote>", 0, rootDirectory),
            };
            var library = new RemoteLibrary(renode.Keywords, "Renode keywords served by the RenodeGic embedded host (in-process machine, virtual time).");
            renode.Logger = (level, text) => library.Output.Append('*').Append(level).Append("* ").Append(text).Append('\n');
            renode.StopRequested = library.RequestStop;
            using var server = new RemoteServer(library, port);
            try
            {
                server.Start();
            }
            catch(System.Net.Sockets.SocketException e)
            {
                Console.Error.WriteLine($"renode-gic: cannot listen on 127.0.0.1:{port}: {e.Message}");
                return 1;
            }
            Console.WriteLine($"Robot Framework remote server started at http://127.0.0.1:{server.Port}/ (stop with stop_remote_server)");
            Console.Out.Flush();
            server.WaitForStop();
            Console.WriteLine("Robot Framework remote server stopped");
            return 0;
        }
    }
}
