// ArmGicV3RenodeCpuAdapter: the two calls Renode's ARMv8A makes on its GIC (ReadSystemRegisterCPUInterface /
// WriteSystemRegisterCPUInterface), served by our GIC for one core. Our host's CPU uses the Try* forms of the same
// adapter, so every firmware sample exercises it too.
using System.Linq;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.IRQControllers;
using NUnit.Framework;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests.RenodeUse
{
    [TestFixture]
    [NonParallelizable]
    public sealed class CpuAdapterTests
    {
        [Test]
        public void RenodeShapedCallsShouldReachTheGicCpuInterface()
        {
            using var h = new GicHarness(cpuCount: 2);
            var adapter = new ArmGicV3RenodeCpuAdapter(h.Gic, 1, h.Cpus[1]);
            h.EnableAll(2);
            h.ConfigureSpi(40, cpu: 1);
            adapter.WriteSystemRegisterCPUInterface(Sys.ICC_PMR_EL1, 0xF8);
            Assert.That(adapter.ReadSystemRegisterCPUInterface(Sys.ICC_PMR_EL1), Is.EqualTo(0xF8));
            h.Gic.OnGPIO(40 - 32, true);
            Assert.That(h.Irq[1].Level, Is.True);
            Assert.That(adapter.ReadSystemRegisterCPUInterface(Sys.ICC_IAR1_EL1), Is.EqualTo(40), "the adapter's processor number selects the redistributor and CPU interface");
            Assert.That(h.Irq[1].Level, Is.False);
        }

        [Test]
        public void UnimplementedEncodingsShouldReadZeroAndBeLogged()
        {
            using var h = new GicHarness(cpuCount: 0);
            var adapter = new ArmGicV3RenodeCpuAdapter(h.Gic, 0, new FakeGicCpu(0));
            const uint NotAGicRegister = 0xC000; // MIDR_EL1's encoding
            Assert.That(adapter.TryReadSystemRegister(NotAGicRegister, out _), Is.False);
            Assert.That(adapter.ReadSystemRegisterCPUInterface(NotAGicRegister), Is.EqualTo(0));
            adapter.WriteSystemRegisterCPUInterface(NotAGicRegister, 1);
            Assert.That(h.Log.Entries.Count(e => e.Level == LogLevel.Warning && e.Message.Contains("0xC000")), Is.EqualTo(2));
        }
    }
}
