// Command line of the embedded host (README.md, "Commands"):
//   renode-gic                       run platforms/demo.resc
//   renode-gic run <script.resc>     run a monitor script
//   renode-gic boot [options] <img>  boot an arm64 Image-protocol binary or an ELF on a generated virt platform
//   renode-gic robot [options] <paths>  run Robot Framework suites in-process (host/Robot)
//   renode-gic robot-server --port N / renode-gic --robot-server-port N  serve the Renode keywords (Remote library)
//   renode-gic vgic-bench / vgic-guest   the VGIC host model's experiment and guest runner (vgic-host/VgicCommands.cs)
using System;
using System.CommandLine;
using System.IO;

namespace RenodeGic.Host.Cli
{
    public static class Program
    {
        public static int Main(string[] args)
        {
            var timeout = new Option<double>("--timeout")
            {
                Description = "Virtual seconds to run before giving up (exit code 2)",
                DefaultValueFactory = _ => 10.0,
            };
            var logLevel = new Option<string>("--log-level")
            {
                Description = "Lowest log level shown on stderr: noisy, debug, info, warning, error",
                DefaultValueFactory = _ => "warning",
            };

            var trace = new Option<FileInfo?>("--trace") { Description = "Write an interrupt timeline (Chrome/Perfetto trace JSON) to this file" };
            var traceText = new Option<FileInfo?>("--trace-text") { Description = "Write the interrupt timeline as text (one line per event, for diff) to this file" };

            var platform = new Option<FileInfo?>("--platform") { Description = "Platform description (.repl); default: generated QEMU-virt-like platform" };
            var smp = new Option<int>("--smp") { Description = "Number of CPUs of the generated platform (1-8)", DefaultValueFactory = _ => 4 };
            var el = new Option<int>("--el") { Description = "Exception level the image is entered at (1 or 2)", DefaultValueFactory = _ => 1 };
            var append = new Option<string?>("--append") { Description = "Kernel command line (/chosen bootargs in the generated DTB)" };
            var image = new Argument<FileInfo>("firmware") { Description = "arm64 Image-protocol binary (.bin) or ELF (.elf)" };
            var boot = new Command("boot", "Boot a firmware image or kernel, print its UART, exit 0 on PSCI SYSTEM_OFF")
            {
                platform, smp, el, append, timeout, logLevel, trace, traceText, image,
            };
            boot.SetAction(r => Runner.Boot(new BootOptions(
                r.GetValue(image)!.FullName, r.GetValue(platform)?.FullName, r.GetValue(smp), r.GetValue(el),
                r.GetValue(append), r.GetValue(timeout), r.GetValue(logLevel)!, r.GetValue(trace)?.FullName, r.GetValue(traceText)?.FullName)));

            var script = new Argument<FileInfo>("script") { Description = "Monitor script (.resc)" };
            var run = new Command("run", "Run a monitor script (.resc)") { timeout, logLevel, trace, traceText, script };
            run.SetAction(r => Runner.RunScript(r.GetValue(script)!.FullName, r.GetValue(timeout), r.GetValue(logLevel)!,
                r.GetValue(trace)?.FullName, r.GetValue(traceText)?.FullName));

            var robotPaths = new Argument<string[]>("paths") { Description = ".robot files or folders of them", Arity = ArgumentArity.OneOrMore };
            var include = new Option<string[]>("--include", "-i") { Description = "Run only tests with a tag matching this pattern (repeatable)" };
            var exclude = new Option<string[]>("--exclude", "-e") { Description = "Skip tests with a tag matching this pattern (repeatable)" };
            var testName = new Option<string[]>("--test", "-t") { Description = "Run only tests whose name matches this pattern (repeatable)" };
            var variable = new Option<string[]>("--variable", "-v") { Description = "Set a variable: NAME:value (repeatable)" };
            var outputDir = new Option<string>("--outputdir", "-d") { Description = "Where output.xml and xunit.xml go", DefaultValueFactory = _ => Path.Combine("out", "robot") };
            var robot = new Command("robot", "Run Robot Framework suites in-process; exit code = number of failed tests")
            {
                include, exclude, testName, variable, outputDir, robotPaths,
            };
            robot.SetAction(r => Robot.RobotCommand.Run(new Robot.RobotRunSettings(
                r.GetValue(robotPaths) ?? Array.Empty<string>(), r.GetValue(include) ?? Array.Empty<string>(), r.GetValue(exclude) ?? Array.Empty<string>(),
                r.GetValue(testName) ?? Array.Empty<string>(), r.GetValue(variable) ?? Array.Empty<string>(), r.GetValue(outputDir)!), Runner.RepositoryRoot));

            var serverPort = new Option<int>("--port") { Description = "TCP port on 127.0.0.1", DefaultValueFactory = _ => 9999 };
            var robotServer = new Command("robot-server", "Serve the Renode keywords to Robot Framework (Remote library, XML-RPC) until stop_remote_server")
            {
                serverPort,
            };
            robotServer.SetAction(r => Robot.RobotCommand.Serve(r.GetValue(serverPort), Runner.RepositoryRoot));
            var rootServerPort = new Option<int?>("--robot-server-port") { Description = "Serve the Renode keywords on this port instead of running the demo" };

            var root = new RootCommand("RenodeGic: an Arm GICv3/GICv4 model with its own Renode-compatible machine host")
            {
                boot, run, robot, robotServer, timeout, logLevel, rootServerPort,
            };
            foreach(var command in VgicHost.VgicCommands.Create())
            {
                root.Subcommands.Add(command); // vgic-guest, vgic-bench (vgic-host/)
            }
            root.SetAction(r => r.GetValue(rootServerPort) is int port
                ? Robot.RobotCommand.Serve(port, Runner.RepositoryRoot)
                : Runner.RunScript(Path.Combine(Runner.RepositoryRoot, "platforms", "demo.resc"), r.GetValue(timeout), r.GetValue(logLevel)!));
            return root.Parse(args).Invoke();
        }
    }
}
