using System.IO;
using System.Linq;
using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.CPU;
using Antmicro.Renode.Peripherals.Memory;
using Antmicro.Renode.Peripherals.UART;
using NUnit.Framework;
using RenodeGic.Host.DeviceTree;
using RenodeGic.Host.Emulation;
using RenodeGic.Host.Platform;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class DeviceTreeFromMachineTests
    {
        [Test]
        public void ShouldDescribeRegisteredRamCpusGicAndUart()
        {
            using var machine = BuildMachine(cpus: 4, bootExceptionLevel: 1, withIts: true);
            var spec = DeviceTreeSpec.FromMachine(machine, "console=ttyAMA0");

            Assert.That(spec.Memory, Is.EqualTo(new[] { new MemoryRange(0x4000_0000, 0x100_0000 - ARMv8A.TrampolineReservedBytes) }));
            Assert.That(spec.Cpus.Select(c => c.AffinityReg), Is.EqualTo(new ulong[] { 0, 1, 2, 3 }));
            Assert.That(spec.Cpus[0].Compatible, Is.EqualTo("arm,cortex-a57"));
            Assert.That(spec.Psci, Is.EqualTo(PsciConduit.Hvc));
            Assert.That(spec.Timer, Is.True);
            Assert.That(spec.Gic.Distributor, Is.EqualTo(new MemoryRange(0x0800_0000, 0x10000)));
            Assert.That(spec.Gic.RedistributorRegions, Is.EqualTo(new[] { new MemoryRange(0x080A_0000, 0x80000) }));
            Assert.That(spec.Gic.Its, Is.EqualTo(new[] { new GicItsSpec(0x0808_0000, 0x20000) }));
            Assert.That(spec.Uarts, Is.EqualTo(new[] { new Pl011Spec(0x0900_0000, 1, 0x1000, 24000000) }));
            Assert.That(spec.Bootargs, Is.EqualTo("console=ttyAMA0"));
        }

        [Test]
        public void ShouldUseSmcWhenBootingAtEl2AndBuildValidBlob()
        {
            DtcHelper.RequireDtc();
            using var machine = BuildMachine(cpus: 2, bootExceptionLevel: 2, withIts: false);
            var spec = DeviceTreeSpec.FromMachine(machine, null);
            Assert.That(spec.Psci, Is.EqualTo(PsciConduit.Smc));
            Assert.That(spec.Gic.Its, Is.Empty);
            var dts = DtcHelper.Decompile(PlatformDeviceTree.Build(spec), out var stderr);
            Assert.That(stderr, Is.Empty);
            Assert.That(dts, Does.Contain("method = \"smc\";"));
            Assert.That(dts, Does.Contain("cpu@1 {"));
            Assert.That(dts, Does.Not.Contain("cpu@2 {"));
        }

        [Test]
        public void ShouldDescribeShippedVirtPlatformLikeQemuVirt()
        {
            DtcHelper.RequireDtc();
            var root = TestContext.CurrentContext.TestDirectory;
            while(root != null && !File.Exists(Path.Combine(root, "RenodeGic.slnx")))
            {
                root = Path.GetDirectoryName(root);
            }
            Assert.That(root, Is.Not.Null, "the repository root holds RenodeGic.slnx");
            using var machine = new Machine("virt");
            new ReplLoader(machine).LoadFile(Path.Combine(root!, "platforms", "virt-gicv3.repl"));

            var dts = DtcHelper.Decompile(PlatformDeviceTree.Build(DeviceTreeSpec.FromMachine(machine, "earlycon")), out var stderr);

            Assert.That(stderr, Is.Empty);
            Assert.That(dts, Does.Contain("reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 0x80000>;"));
            Assert.That(dts, Does.Contain("reg = <0x00 0x40000000 0x00 0x3fff0000>;"), "RAM less the CPU trampoline page");
            Assert.That(dts, Does.Contain("interrupts = <0x00 0x01 0x04>;"), "uart0 -> gic@1 is SPI 1");
            Assert.That(dts, Does.Contain("cpu@3 {"));
            Assert.That(dts, Does.Contain("method = \"hvc\";"));
            Assert.That(dts, Does.Contain("bootargs = \"earlycon\";"));
        }

        [Test]
        public void ShouldRefuseMachineWithoutGic()
        {
            using var machine = new Machine("no-gic");
            var ram = new MappedMemory(machine, 0x10_0000);
            machine.Register("memory", ram);
            machine.SystemBus.RegisterMemory(ram, 0x4000_0000);
            var cpu = new ARMv8A(machine);
            machine.Register("cpu0", cpu);
            var ex = Assert.Throws<System.ArgumentException>(() => DeviceTreeSpec.FromMachine(machine, null));
            Assert.That(ex!.Message, Does.Contain("no GIC"));
        }

        private static Machine BuildMachine(int cpus, int bootExceptionLevel, bool withIts)
        {
            var machine = new Machine("dt-test");
            var ram = new MappedMemory(machine, 0x100_0000);
            machine.Register("memory", ram);
            machine.SystemBus.RegisterMemory(ram, 0x4000_0000);

            var gic = new FakeGic();
            machine.Register("gic", gic);
            machine.SystemBus.RegisterRegion(gic, "distributor", 0x0800_0000, 0x10000, "gic");
            machine.SystemBus.RegisterRegion(gic, "redistributor", 0x080A_0000, 0x20000UL * 4, "gic");
            if(withIts)
            {
                machine.SystemBus.RegisterRegion(gic, "its", 0x0808_0000, 0x20000, "gic");
            }

            for(var i = 0; i < cpus; i++)
            {
                machine.Register($"cpu{i}", new ARMv8A(machine, "cortex-a57", (uint)i, null, bootExceptionLevel));
            }

            var uart = new PL011(machine);
            machine.Register("uart0", uart);
            machine.SystemBus.Register(uart, 0x0900_0000, "uart0");
            uart.IRQ.Connect(gic, 1);
            return machine;
        }

        /// <summary>Stands in for the GIC: only its bus regions and GPIO inputs matter here.</summary>
        private sealed class FakeGic : IGPIOReceiver, IBusPeripheral
        {
            public void OnGPIO(int number, bool value)
            {
            }

            public void Reset()
            {
            }

            [ConnectionRegion("distributor")]
            public uint ReadDistributor(long offset) => 0;

            [ConnectionRegion("distributor")]
            public void WriteDistributor(long offset, uint value)
            {
            }

            [ConnectionRegion("redistributor")]
            public uint ReadRedistributor(long offset) => 0;

            [ConnectionRegion("redistributor")]
            public void WriteRedistributor(long offset, uint value)
            {
            }

            [ConnectionRegion("its")]
            public uint ReadIts(long offset) => 0;

            [ConnectionRegion("its")]
            public void WriteIts(long offset, uint value)
            {
            }
        }
    }
}
