// Seams inside the embedded host. Peripherals never see these: they depend on renode-api/ only.
using Antmicro.Renode.Peripherals;

namespace RenodeGic.Host.Emulation
{
    /// <summary>A CPU the machine schedules. Registered with <c>cpuN: CPU.ARMv8A @ sysbus</c> in a .repl.</summary>
    public interface IHostCpu : IPeripheral
    {
        /// <summary>Position in the machine's CPU list (order of registration); the GIC's processor number.</summary>
        int Index { get; set; }

        /// <summary>Machine-visible name (e.g. "cpu0"), set on registration.</summary>
        string Name { get; set; }

        /// <summary>Sets the program counter (monitor: <c>cpu0 PC 0x40080000</c>).</summary>
        ulong PC { get; set; }

        /// <summary>Called once after the whole platform is loaded and wired, before the first run.</summary>
        void FinishPlatformLoad(Machine machine);
    }

    /// <summary>A peripheral registered at a CPU (<c>timer: Timers.ARM_GenericTimer @ cpu0</c>).</summary>
    public interface ICpuAttached : IPeripheral
    {
        void AttachTo(IHostCpu cpu);
    }
}

namespace RenodeGic.Host.Emulation
{
    using Antmicro.Renode.Time;

    /// <summary>Why a run of the machine ended.</summary>
    public enum RunOutcome
    {
        /// <summary>The requested virtual time has elapsed.</summary>
        TimeElapsed,
        /// <summary>The guest called PSCI SYSTEM_OFF.</summary>
        SystemOff,
        /// <summary>The guest called PSCI SYSTEM_RESET.</summary>
        SystemReset,
        /// <summary>A CPU hit an error the host cannot continue from (the message says which and why).</summary>
        Fault,
        /// <summary>Paused from the monitor or a tester that saw what it waited for.</summary>
        Paused,
    }

    /// <summary>Runs the machine's CPUs in virtual time. Implemented by the CPU scheduler.</summary>
    public interface IMachineRunner
    {
        /// <summary>Runs until <paramref name="interval"/> of virtual time has passed or the guest stops.</summary>
        RunOutcome RunFor(TimeInterval interval);

        /// <summary>Asks a run in progress to stop at the next quantum boundary (returns Paused).</summary>
        void RequestPause();

        /// <summary>Virtual time since the machine started.</summary>
        TimeInterval ElapsedVirtualTime { get; }

        /// <summary>Describes the last fault (CPU, PC, registers) when RunFor returned Fault.</summary>
        string? FaultDescription { get; }
    }
}
