// The ITS as a Renode peripheral in a platform: platforms/virt-gicv3-its.repl loads, the ITS is registered on the
// system bus at QEMU virt's address, the generated device tree describes it (arm,gic-v3-its, msi-controller), and a
// CPU's write of GITS_TRANSLATER through the bus reaches it.
using System.IO;
using System.Linq;
using Antmicro.Renode.Peripherals.IRQControllers;
using NUnit.Framework;
using RenodeGic.Host.Cli;
using RenodeGic.Host.DeviceTree;
using RenodeGic.Host.Emulation;
using RenodeGic.Host.Platform;

namespace RenodeGic.Tests.Its
{
    [TestFixture]
    public class ItsPlatformTests
    {
        [Test]
        public void TheItsPlatformShouldRegisterTheItsAndDescribeItInTheDeviceTree()
        {
            using var machine = new Machine();
            new ReplLoader(machine).LoadFile(Path.Combine(Runner.RepositoryRoot, "platforms", "virt-gicv3-its.repl"));
            var its = machine.Peripherals.OfType<ArmGicV3Its>().Single();
            var region = machine.SystemBus.MmioRegions.Single(r => ReferenceEquals(r.Peripheral, its));
            Assert.That(region.Address, Is.EqualTo(0x0808_0000ul));
            Assert.That(region.Size, Is.EqualTo(0x20000ul));
            var spec = DeviceTreeSpec.FromMachine(machine, null);
            Assert.That(spec.Gic.Its, Is.EqualTo(new[] { new GicItsSpec(0x0808_0000, 0x20000) }));
            Assert.That(machine.SystemBus.ReadQuadWord(0x0808_0008), Is.EqualTo(0x1f0001efb1ul), "GITS_TYPER through the bus");
        }

        [Test]
        public void TheGeneratedItsPlatformShouldWorkAtEveryCpuCount()
        {
            for(var cpus = 1; cpus <= VirtPlatform.MaximumCpus; cpus++)
            {
                using var machine = new Machine();
                new ReplLoader(machine).LoadString(VirtPlatform.Generate(cpus, 2, its: true), "<virt>", Runner.RepositoryRoot);
                Assert.That(machine.Peripherals.OfType<ArmGicV3Its>().Count(), Is.EqualTo(1));
            }
        }
    }
}
