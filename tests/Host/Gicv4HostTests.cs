// GICv4.0 on our host: the vlpi-direct firmware sample (firmware-samples/vlpi-direct) on platforms/virt-gicv4.repl.
// Its transcript is compared with QEMU's by FirmwareSampleTests; here the host's own counters prove that the
// directly injected vLPIs reached the EL1 guest without any exit to EL2.
using System.IO;
using System.Linq;
using System.Text;
using Antmicro.Renode.Peripherals.CPU;
using Antmicro.Renode.Peripherals.UART;
using Antmicro.Renode.Time;
using NUnit.Framework;
using RenodeGic.Host.Cli;
using RenodeGic.Host.Emulation;
using RenodeGic.Host.Platform;

namespace RenodeGic.Tests.Host
{
    [TestFixture]
    [NonParallelizable]
    public class Gicv4HostTests
    {
        [Test]
        public void DirectlyInjectedVlpisShouldCauseNoExitToEl2()
        {
            var image = Path.Combine(Runner.RepositoryRoot, "firmware-samples", "build", "vlpi-direct.bin");
            Assert.That(File.Exists(image), Is.True, $"{image} is missing: run make -C firmware-samples");
            using var machine = new Machine();
            new ReplLoader(machine).LoadFile(Path.Combine(Runner.RepositoryRoot, "platforms", "virt-gicv4.repl"));
            var entry = Runner.LoadImage(machine, image);
            var dtb = Runner.PlaceDeviceTree(machine, null);
            var cpu0 = (ARMv8A)machine.Cpus[0];
            cpu0.PC = entry;
            cpu0.SetBootRegister(0, dtb);
            var output = new StringBuilder();
            foreach(var uart in machine.Peripherals.OfType<PL011>())
            {
                uart.CharReceived += b => output.Append((char)b);
            }
            machine.FinishLoad();
            var outcome = machine.Runner!.RunFor(TimeInterval.FromSeconds(20));
            var transcript = output.ToString();
            Assert.Multiple(() =>
            {
                Assert.That(outcome, Is.EqualTo(RunOutcome.SystemOff), transcript);
                Assert.That(transcript, Does.EndWith("PASS\n").Or.EndWith("PASS\r\n"), transcript);
                // Two vLPIs reach the guest as virtual IRQs (the direct one and the one after re-residency).
                Assert.That(cpu0.VirtualInterruptsTaken, Is.EqualTo(2UL));
                // The only exits are the guest's two HVCs (#1 de-schedule, #2 finish) and the doorbell while the vPE
                // was not resident: none for the two directly injected vLPIs.
                Assert.That(cpu0.El2Entries, Is.EqualTo(3UL));
            });
        }
    }
}
