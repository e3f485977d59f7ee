// Builds the vgic-bench guest (Bench/guest/main.c) with the firmware-samples library, the cross compiler and the
// flags firmware-samples/Makefile uses; the binary is cached in out/vgic-bench/ under a hash of its sources.
using System;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace RenodeGic.VgicHost.Bench
{
    public static class GuestImage
    {
        public static byte[] Build(string repositoryRoot)
        {
            var lib = Path.Combine(repositoryRoot, "firmware-samples", "lib");
            var main = Path.Combine(repositoryRoot, "vgic-host", "Bench", "guest", "main.c");
            var sources = new[] { "start.S", "vectors.S", "runtime.c", "console.c", "psci.c", "gic.c", "timer.c", "its.c" };
            var hash = new StringBuilder();
            using(var sha = SHA256.Create())
            {
                var all = new StringBuilder(File.ReadAllText(main));
                foreach(var f in Directory.GetFiles(lib))
                {
                    all.Append(Path.GetFileName(f)).Append(File.ReadAllText(f));
                }
                foreach(var b in sha.ComputeHash(Encoding.UTF8.GetBytes(all.ToString())).AsSpan(0, 8))
                {
                    hash.Append(b.ToString("x2"));
                }
            }
            var dir = Path.Combine(repositoryRoot, "out", "vgic-bench");
            Directory.CreateDirectory(dir);
            var bin = Path.Combine(dir, $"guest-{hash}.bin");
            if(File.Exists(bin))
            {
                return File.ReadAllBytes(bin);
            }
            var work = Path.Combine(dir, "build-" + hash);
            Directory.CreateDirectory(work);
            const string arch = "-march=armv8-a -mgeneral-regs-only -mstrict-align -mcmodel=small";
            var cflags = $"-O2 -std=gnu11 -ffreestanding -nostdlib -fno-builtin -fno-stack-protector -fno-pie -fno-pic -fno-common "
                + $"-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-tree-loop-distribute-patterns -Wall -Wextra -Werror {arch} -I{lib}";
            var objects = new StringBuilder();
            foreach(var s in sources)
            {
                var obj = Path.Combine(work, s + ".o");
                Tool("aarch64-linux-gnu-gcc", $"{(s.EndsWith(".S") ? $"{arch} -I{lib}" : cflags)} -c -o {obj} {Path.Combine(lib, s)}");
                objects.Append(' ').Append(obj);
            }
            var mainObj = Path.Combine(work, "main.o");
            Tool("aarch64-linux-gnu-gcc", $"{cflags} -c -o {mainObj} {main}");
            var elf = Path.Combine(work, "guest.elf");
            Tool("aarch64-linux-gnu-gcc", $"{cflags} -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-T,{Path.Combine(lib, "link.ld")} -Wl,--no-warn-rwx-segments -o {elf}{objects} {mainObj}");
            Tool("aarch64-linux-gnu-objcopy", $"-O binary {elf} {bin}");
            return File.ReadAllBytes(bin);
        }

        private static void Tool(string exe, string args)
        {
            var psi = new ProcessStartInfo(exe, args) { RedirectStandardError = true, RedirectStandardOutput = true };
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {exe}");
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if(p.ExitCode != 0)
            {
                throw new InvalidOperationException($"{exe} {args} failed:\n{err}");
            }
        }
    }
}
