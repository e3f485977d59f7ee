using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using NUnit.Framework;
using RenodeGic.Host.DeviceTree;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class FdtBuilderTests
    {
        [Test]
        public void ShouldWriteVersion17HeaderWithAlignedBlocks()
        {
            var fdt = new FdtBuilder { BootCpuId = 3 };
            fdt.Root.SetU32("#address-cells", 2).SetString("model", "x");
            fdt.Root.AddNode("a").SetEmpty("b");
            fdt.AddMemoryReservation(0x4000_0000, 0x1000);
            var blob = fdt.Build();

            Assert.That(U32(blob, 0), Is.EqualTo(0xD00DFEED), "magic");
            Assert.That(U32(blob, 4), Is.EqualTo((uint)blob.Length), "totalsize");
            var offStruct = U32(blob, 8);
            var offStrings = U32(blob, 12);
            var offRsvmap = U32(blob, 16);
            Assert.That(U32(blob, 20), Is.EqualTo(17), "version");
            Assert.That(U32(blob, 24), Is.EqualTo(16), "last_comp_version");
            Assert.That(U32(blob, 28), Is.EqualTo(3), "boot_cpuid_phys");
            var sizeStrings = U32(blob, 32);
            var sizeStruct = U32(blob, 36);

            Assert.That(offRsvmap % 8, Is.Zero, "memory reservation block is 8-aligned");
            Assert.That(offRsvmap, Is.GreaterThanOrEqualTo(40));
            Assert.That(offStruct % 4, Is.Zero, "structure block is 4-aligned");
            Assert.That(sizeStruct % 4, Is.Zero, "structure block is whole tokens");
            Assert.That(offStruct, Is.GreaterThanOrEqualTo(offRsvmap + 2 * 16), "reservation entry plus terminator");
            Assert.That(offStrings, Is.EqualTo(offStruct + sizeStruct));
            Assert.That(offStrings + sizeStrings, Is.EqualTo((uint)blob.Length));

            Assert.That(U64(blob, (int)offRsvmap), Is.EqualTo(0x4000_0000UL));
            Assert.That(U64(blob, (int)offRsvmap + 8), Is.EqualTo(0x1000UL));
            Assert.That(U64(blob, (int)offRsvmap + 16), Is.Zero);
            Assert.That(U64(blob, (int)offRsvmap + 24), Is.Zero);

            Assert.That(U32(blob, (int)offStruct), Is.EqualTo(1), "FDT_BEGIN_NODE first");
            Assert.That(U32(blob, (int)(offStruct + sizeStruct - 4)), Is.EqualTo(9), "FDT_END last");
            Assert.That(U32(blob, (int)(offStruct + sizeStruct - 8)), Is.EqualTo(2), "root FDT_END_NODE");
        }

        [Test]
        public void ShouldStoreEachPropertyNameOnceInStringsBlock()
        {
            var fdt = new FdtBuilder();
            fdt.Root.SetU32("reg", 1);
            fdt.Root.AddNode("a").SetU32("reg", 2).SetString("compatible", "x");
            fdt.Root.AddNode("b").SetU32("reg", 3).SetString("compatible", "y");
            var blob = fdt.Build();
            var strings = Encoding.ASCII.GetString(blob, (int)U32(blob, 12), (int)U32(blob, 32));
            Assert.That(strings, Is.EqualTo("reg\0compatible\0"));
        }

        [Test]
        public void ShouldEncodeValuesBigEndianAndPadToFourBytes()
        {
            var fdt = new FdtBuilder();
            fdt.Root.SetBytes("raw", new byte[] { 1, 2, 3 }).SetU64("big", 0x0102030405060708UL);
            var blob = fdt.Build();
            var s = (int)U32(blob, 8);
            // BEGIN_NODE, "" padded to 4 bytes.
            Assert.That(U32(blob, s), Is.EqualTo(1));
            Assert.That(U32(blob, s + 4), Is.Zero);
            // PROP raw: len 3, nameoff 0, bytes + 1 pad byte.
            Assert.That(U32(blob, s + 8), Is.EqualTo(3));
            Assert.That(U32(blob, s + 12), Is.EqualTo(3));
            Assert.That(U32(blob, s + 16), Is.Zero);
            Assert.That(blob.Skip(s + 20).Take(4), Is.EqualTo(new byte[] { 1, 2, 3, 0 }));
            // PROP big: len 8, nameoff 4.
            Assert.That(U32(blob, s + 24), Is.EqualTo(3));
            Assert.That(U32(blob, s + 28), Is.EqualTo(8));
            Assert.That(U32(blob, s + 32), Is.EqualTo(4));
            Assert.That(U64(blob, s + 36), Is.EqualTo(0x0102030405060708UL));
        }

        [Test]
        public void ShouldAllocateDistinctPhandlesOnce()
        {
            var fdt = new FdtBuilder();
            var a = fdt.Root.AddNode("a");
            var b = fdt.Root.AddNode("b");
            var pa = a.Phandle;
            var pb = b.Phandle;
            Assert.That(pa, Is.Not.Zero);
            Assert.That(pb, Is.Not.EqualTo(pa));
            Assert.That(a.Phandle, Is.EqualTo(pa));
            Assert.That(a.Properties.Count(p => p.Name == "phandle"), Is.EqualTo(1));
        }

        [Test]
        public void ShouldReplacePropertyInPlace()
        {
            var fdt = new FdtBuilder();
            fdt.Root.SetU32("a", 1).SetU32("b", 2).SetU32("a", 7);
            Assert.That(fdt.Root.Properties.Select(p => p.Name), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(fdt.Root.FindProperty("a")!.Value, Is.EqualTo(new byte[] { 0, 0, 0, 7 }));
        }

        [TestCase("")]
        [TestCase("bad name")]
        [TestCase("a@")]
        [TestCase("a@1@2")]
        [TestCase("@1")]
        public void ShouldRejectInvalidNodeNames(string name)
        {
            var fdt = new FdtBuilder();
            Assert.Throws<ArgumentException>(() => fdt.Root.AddNode(name));
        }

        [Test]
        public void ShouldRejectDuplicateSiblingsAndBadPropertyNames()
        {
            var fdt = new FdtBuilder();
            fdt.Root.AddNode("x");
            Assert.Throws<ArgumentException>(() => fdt.Root.AddNode("x"));
            Assert.Throws<ArgumentException>(() => fdt.Root.SetU32("a b", 1));
            Assert.Throws<ArgumentException>(() => fdt.Root.SetString("s", "nul\0inside"));
            Assert.Throws<ArgumentOutOfRangeException>(() => fdt.Root.SetCells("reg", 1, 0x1_0000_0000UL));
        }

        [Test]
        public void ShouldFindNodesByPath()
        {
            var fdt = new FdtBuilder();
            var cpu = fdt.Root.AddNode("cpus").AddNode("cpu", 0x101);
            Assert.That(cpu.Name, Is.EqualTo("cpu@101"));
            Assert.That(fdt.FindNode("/cpus/cpu@101"), Is.SameAs(cpu));
            Assert.That(fdt.FindNode("/"), Is.SameAs(fdt.Root));
            Assert.That(fdt.FindNode("/cpus/cpu@0"), Is.Null);
        }

        [Test]
        public void ShouldProduceBlobDtcAcceptsWithAllPropertyKinds()
        {
            DtcHelper.RequireDtc();
            var fdt = new FdtBuilder();
            var clock = fdt.Root.AddNode("clk");
            fdt.Root.SetU32("#address-cells", 2).SetU32("#size-cells", 2).SetString("model", "test")
                .SetStringList("compatible", "a,b", "c")
                .SetU64("q", 0x1122334455667788UL)
                .SetEmpty("flag")
                .SetBytes("raw", new byte[] { 0xAB, 0xCD, 0xEF })
                .SetU32Array("arr", 1, 2, 3)
                .SetU32("ref", clock.Phandle);
            var dts = DtcHelper.Decompile(fdt.Build(), out var stderr);
            Assert.That(stderr, Does.Not.Contain("ERROR"));
            Assert.That(dts, Does.Contain("model = \"test\";"));
            Assert.That(dts, Does.Contain("compatible = \"a,b\\0c\";"));
            Assert.That(dts, Does.Contain("q = <0x11223344 0x55667788>;"));
            Assert.That(dts, Does.Contain("flag;"));
            Assert.That(dts, Does.Contain("raw = [ab cd ef];"));
            Assert.That(dts, Does.Contain("arr = <0x01 0x02 0x03>;"));
            Assert.That(dts, Does.Contain("ref = <0x01>;"));
            Assert.That(dts, Does.Contain("phandle = <0x01>;"));
        }

        private static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at, 4));

        private static ulong U64(byte[] b, int at) => BinaryPrimitives.ReadUInt64BigEndian(b.AsSpan(at, 8));
    }

    [TestFixture]
    public class PlatformDeviceTreeTests
    {
        [Test]
        public void ShouldDescribeFourCpuVirtLikePlatform()
        {
            DtcHelper.RequireDtc();
            var spec = DeviceTreeSpec.VirtLike(4, bootargs: "console=ttyAMA0 earlycon");
            var dts = DtcHelper.Decompile(PlatformDeviceTree.Build(spec), out var stderr);

            Assert.That(stderr, Is.Empty, "dtc's checks find nothing to warn about");
            Assert.That(dts, Does.Contain("#address-cells = <0x02>;"));
            Assert.That(dts, Does.Contain("compatible = \"linux,dummy-virt\";"));

            var gicPhandle = PhandleOf(dts, "intc@8000000");
            Assert.That(dts, Does.Contain($"interrupt-parent = <0x{gicPhandle:x2}>;"));

            var psci = Node(dts, "psci");
            Assert.That(psci, Does.Contain("compatible = \"arm,psci-1.0\\0arm,psci-0.2\";"));
            Assert.That(psci, Does.Contain("method = \"hvc\";"));

            var memory = Node(dts, "memory@40000000");
            Assert.That(memory, Does.Contain("device_type = \"memory\";"));
            Assert.That(memory, Does.Contain("reg = <0x00 0x40000000 0x00 0x40000000>;"));

            var cpus = Node(dts, "cpus");
            Assert.That(cpus, Does.Contain("#address-cells = <0x01>;"));
            Assert.That(cpus, Does.Contain("#size-cells = <0x00>;"));
            for(var i = 0; i < 4; i++)
            {
                var cpu = Node(dts, $"cpu@{i}");
                Assert.That(cpu, Does.Contain($"reg = <0x{i:x2}>;"));
                Assert.That(cpu, Does.Contain("enable-method = \"psci\";"));
                Assert.That(cpu, Does.Contain("device_type = \"cpu\";"));
                Assert.That(cpu, Does.Contain("compatible = \"arm,cortex-a57\";"));
            }

            var timer = Node(dts, "timer");
            Assert.That(timer, Does.Contain("compatible = \"arm,armv8-timer\";"));
            Assert.That(timer, Does.Contain("interrupts = <0x01 0x0d 0x04 0x01 0x0e 0x04 0x01 0x0b 0x04 0x01 0x0a 0x04>;"));
            Assert.That(timer, Does.Contain("always-on;"));

            var gic = Node(dts, "intc@8000000");
            Assert.That(gic, Does.Contain("compatible = \"arm,gic-v3\";"));
            Assert.That(gic, Does.Contain("#interrupt-cells = <0x03>;"));
            Assert.That(gic, Does.Contain("interrupt-controller;"));
            Assert.That(gic, Does.Contain("reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x80000>;"));
            Assert.That(gic, Does.Contain("interrupts = <0x01 0x09 0x04>;"));
            Assert.That(gic, Does.Not.Contain("#redistributor-regions"));
            Assert.That(gic, Does.Contain("ranges;"));

            var its = Node(dts, "its@8080000");
            Assert.That(its, Does.Contain("compatible = \"arm,gic-v3-its\";"));
            Assert.That(its, Does.Contain("msi-controller;"));
            Assert.That(its, Does.Contain("#msi-cells = <0x01>;"));
            Assert.That(its, Does.Contain("reg = <0x00 0x8080000 0x00 0x20000>;"));

            var clockPhandle = PhandleOf(dts, "apb-pclk");
            var clock = Node(dts, "apb-pclk");
            Assert.That(clock, Does.Contain("compatible = \"fixed-clock\";"));
            Assert.That(clock, Does.Contain("clock-frequency = <0x16e3600>;"));
            Assert.That(clock, Does.Contain("#clock-cells = <0x00>;"));

            var uart = Node(dts, "pl011@9000000");
            Assert.That(uart, Does.Contain("compatible = \"arm,pl011\\0arm,primecell\";"));
            Assert.That(uart, Does.Contain("reg = <0x00 0x9000000 0x00 0x1000>;"));
            Assert.That(uart, Does.Contain("interrupts = <0x00 0x01 0x04>;"));
            Assert.That(uart, Does.Contain($"clocks = <0x{clockPhandle:x2} 0x{clockPhandle:x2}>;"));
            Assert.That(uart, Does.Contain("clock-names = \"uartclk\\0apb_pclk\";"));

            var chosen = Node(dts, "chosen");
            Assert.That(chosen, Does.Contain("bootargs = \"console=ttyAMA0 earlycon\";"));
            Assert.That(chosen, Does.Contain("stdout-path = \"/pl011@9000000\";"));
            Assert.That(Node(dts, "aliases"), Does.Contain("serial0 = \"/pl011@9000000\";"));
        }

        [Test]
        public void ShouldListEveryRedistributorRegionAndSmcConduit()
        {
            DtcHelper.RequireDtc();
            var gic = new GicSpec(new MemoryRange(0x0800_0000, 0x10000), new[]
            {
                new MemoryRange(0x080A_0000, 0x40000 * 2UL),
                new MemoryRange(0x1_0000_0000, 0x40000 * 2UL),
            })
            {
                Its = Array.Empty<GicItsSpec>(),
                MaintenancePpi = null,
            };
            var cpus = new[] { new CpuSpec(0x0), new CpuSpec(0x1), new CpuSpec(0x100), new CpuSpec(0x1_0000_0000UL | 0x8000_0000UL) };
            var spec = new DeviceTreeSpec(new[] { new MemoryRange(0x4000_0000, 0x1000_0000), new MemoryRange(0x1_4000_0000, 0x1000_0000) }, cpus, gic)
            {
                Psci = PsciConduit.Smc,
                Timer = false,
                Initrd = new MemoryRange(0x4800_0000, 0x10_0000),
                Reservations = new[] { new MemoryRange(0x4000_0000, 0x1000) },
            };
            var dts = DtcHelper.Decompile(PlatformDeviceTree.Build(spec), out var stderr);
            Assert.That(stderr, Is.Empty);

            var intc = Node(dts, "intc@8000000");
            Assert.That(intc, Does.Contain("#redistributor-regions = <0x02>;"));
            Assert.That(intc, Does.Contain("reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x80000 0x01 0x00 0x00 0x80000>;"));
            Assert.That(intc, Does.Not.Contain("interrupts"));
            Assert.That(intc, Does.Not.Contain("its@"));
            Assert.That(Node(dts, "psci"), Does.Contain("method = \"smc\";"));
            Assert.That(dts, Does.Not.Contain("timer"));
            Assert.That(dts, Does.Contain("memory@140000000"));
            // Aff3 != 0 makes the CPU reg two cells wide; MPIDR bit 31 (RES1) is not part of the affinity.
            Assert.That(Node(dts, "cpus"), Does.Contain("#address-cells = <0x02>;"));
            Assert.That(Node(dts, "cpu@100000000"), Does.Contain("reg = <0x01 0x00>;"));
            Assert.That(Node(dts, "cpu@100"), Does.Contain("reg = <0x00 0x100>;"));
            Assert.That(dts, Does.Contain("/memreserve/\t0x0000000040000000 0x0000000000001000;"));
            Assert.That(Node(dts, "chosen"), Does.Contain("linux,initrd-start = <0x00 0x48000000>;"));
            Assert.That(Node(dts, "chosen"), Does.Contain("linux,initrd-end = <0x00 0x48100000>;"));
            Assert.That(dts, Does.Not.Contain("stdout-path"));
        }

        [Test]
        public void ShouldUseBootCpuAffinityInHeader()
        {
            var spec = DeviceTreeSpec.VirtLike(2) with { Cpus = new[] { new CpuSpec(0x8000_0203UL), new CpuSpec(0x0) } };
            var blob = PlatformDeviceTree.Build(spec);
            Assert.That(BinaryPrimitives.ReadUInt32BigEndian(blob.AsSpan(28, 4)), Is.EqualTo(0x203u));
        }

        [Test]
        public void ShouldRejectDuplicateCpuAffinity()
        {
            var spec = DeviceTreeSpec.VirtLike(2) with { Cpus = new[] { new CpuSpec(1), new CpuSpec(1) } };
            Assert.Throws<ArgumentException>(() => PlatformDeviceTree.Build(spec));
        }

        [Test]
        public void ShouldUseGicV4RedistributorStride()
        {
            var spec = DeviceTreeSpec.VirtLike(3, gicV4: true);
            Assert.That(spec.Gic.RedistributorRegions.Single(), Is.EqualTo(new MemoryRange(0x080A_0000, 3 * 0x40000UL)));
        }

        /// <summary>The text of one node (from its name to its closing brace), by node name.</summary>
        private static string Node(string dts, string name)
        {
            var match = Regex.Match(dts, @"(^|\n)(\t*)" + Regex.Escape(name) + @" \{\n");
            Assert.That(match.Success, Is.True, $"node {name} in\n{dts}");
            var indent = match.Groups[2].Value;
            var end = dts.IndexOf("\n" + indent + "};", match.Index + match.Length, StringComparison.Ordinal);
            return dts.Substring(match.Index, end - match.Index);
        }

        private static uint PhandleOf(string dts, string name)
        {
            var match = Regex.Match(Node(dts, name), @"\n\t*phandle = <0x([0-9a-f]+)>;");
            Assert.That(match.Success, Is.True, $"phandle of {name}");
            return Convert.ToUInt32(match.Groups[1].Value, 16);
        }
    }

    /// <summary>Runs the device tree compiler to decompile a blob.</summary>
    internal static class DtcHelper
    {
        public const string DtcPath = "/usr/bin/dtc";

        public static void RequireDtc()
        {
            if(!File.Exists(DtcPath))
            {
                Assert.Ignore($"{DtcPath} is not installed (apt-get install device-tree-compiler).");
            }
        }

        public static string Decompile(byte[] blob, out string stderr)
        {
            var path = Path.Combine(Path.GetTempPath(), $"renodegic-{Guid.NewGuid():N}.dtb");
            File.WriteAllBytes(path, blob);
            try
            {
                var info = new ProcessStartInfo(DtcPath, new List<string> { "-I", "dtb", "-O", "dts", path })
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                using var process = Process.Start(info)!;
                var errTask = process.StandardError.ReadToEndAsync();
                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                stderr = errTask.Result;
                Assert.That(process.ExitCode, Is.Zero, $"dtc failed: {stderr}");
                return output;
            }
            finally
            {
                File.Delete(path);
            }
        }
    }
}
