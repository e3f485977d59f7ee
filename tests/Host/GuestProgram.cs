// Test support: assembles a small AArch64 program with binutils at test time and runs it on a machine
// built without a .repl (RAM at 0x40000000, a PL011, N cores, optionally the GIC), so CPU, PSCI, timer and
// exception-entry tests depend on nothing but the host itself.
using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using Antmicro.Renode.Peripherals.CPU;
using Antmicro.Renode.Peripherals.IRQControllers;
using Antmicro.Renode.Peripherals.Memory;
using Antmicro.Renode.Peripherals.UART;
using Antmicro.Renode.Time;
using NUnit.Framework;
using RenodeGic.Host.Emulation;

namespace RenodeGic.Tests.Host
{
    public sealed class GuestProgram : IDisposable
    {
        public const ulong RamBase = 0x4000_0000;
        public const ulong LoadAddress = 0x4008_0000;
        /// <summary>Where programs store their results (read back with <see cref="Read64"/>).</summary>
        public const ulong ResultArea = 0x4010_0000;

        public GuestProgram(string assembly, int cpus = 1, int bootEl = 1, IGicSystemRegisterTarget? gic = null, ulong ramSize = 0x1000_0000,
            Func<Machine, IGicSystemRegisterTarget>? gicFactory = null)
        {
            Machine = new Machine();
            if(gicFactory != null)
            {
                gic = gicFactory(Machine);
            }
            var memory = new MappedMemory(Machine, (long)ramSize);
            Machine.Register("memory", memory);
            Machine.SystemBus.RegisterMemory(memory, RamBase);
            Uart = new PL011(Machine);
            Machine.Register("uart0", Uart);
            Machine.SystemBus.Register(Uart, 0x0900_0000, "uart0");
            Uart.CharReceived += b => output.Append((char)b);
            for(var i = 0; i < cpus; i++)
            {
                var cpu = new ARMv8A(Machine, "cortex-a57", (uint)i, gic, bootEl);
                Machine.Register("cpu" + i, cpu);
            }
            var image = Assemble(assembly);
            Machine.SystemBus.WriteBytes(image, LoadAddress);
            ((ARMv8A)Machine.Cpus[0]).PC = LoadAddress;
        }

        public Machine Machine { get; }

        public PL011 Uart { get; }

        public string Output => output.ToString();

        public ARMv8A Cpu(int i) => (ARMv8A)Machine.Cpus[i];

        public RunOutcome Run(double seconds = 1)
        {
            Machine.FinishLoad();
            return Machine.Runner!.RunFor(TimeInterval.FromSeconds(seconds));
        }

        public ulong Read64(int slot) => Machine.SystemBus.ReadQuadWord(ResultArea + (ulong)slot * 8);

        public void Dispose() => Machine.Dispose();

        /// <summary>Assembles <paramref name="source"/> linked at 0x40080000 into a flat binary.</summary>
        public static byte[] Assemble(string source)
        {
            var dir = Path.Combine(Path.GetTempPath(), "renodegic-asm-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                var s = Path.Combine(dir, "p.S");
                File.WriteAllText(s, ".global _start\n_start:\n" + source + "\n");
                Tool("aarch64-linux-gnu-gcc", $"-c -nostdlib -o {dir}/p.o {s}");
                Tool("aarch64-linux-gnu-ld", $"-Ttext=0x{LoadAddress:X} -o {dir}/p.elf {dir}/p.o");
                Tool("aarch64-linux-gnu-objcopy", $"-O binary {dir}/p.elf {dir}/p.bin");
                return File.ReadAllBytes(Path.Combine(dir, "p.bin"));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        private static void Tool(string exe, string args)
        {
            var psi = new ProcessStartInfo(exe, args) { RedirectStandardError = true, RedirectStandardOutput = true };
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {exe}");
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if(p.ExitCode != 0)
            {
                Assert.Fail($"{exe} {args} failed:\n{err}");
            }
        }

        private readonly StringBuilder output = new StringBuilder();
    }
}
