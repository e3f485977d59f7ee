// The seam between a CPU core and our GIC's CPU interface.
//
// In Arm hardware the CPU interface (ICC_*, ICH_*, ICV_* system registers) sits in the core and talks to
// the redistributor over the GIC stream protocol. Renode's ARMv8A forwards system-register accesses only to
// its own ARM_GenericInterruptController class, so our GIC exposes this small interface instead; the embedded
// host's CPU calls it, and a Renode user wires it with the adapter described in README.md.
//
// System-register encoding, as in Renode's ARMv8A: op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2
// (ICC_IAR1_EL1 = 0xC660).
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    /// <summary>What the GIC CPU interface needs to know about the core it serves.</summary>
    public interface IGicCpu
    {
        /// <summary>Current exception level, 0 to 3.</summary>
        int ExceptionLevel { get; }

        /// <summary>HCR_EL2 as the guest last wrote it (IMO/FMO select ICV_* over ICC_* at EL1; TGE).</summary>
        ulong HypervisorConfiguration { get; }

        /// <summary>MPIDR_EL1 affinity: Aff3 in bits 39:32, Aff2..Aff0 in bits 23:0.</summary>
        ulong Affinity { get; }
    }

    /// <summary>Implemented by a GIC that serves system-register accesses from attached CPUs.</summary>
    public interface IGicSystemRegisterTarget
    {
        /// <summary>
        /// Attaches a core; called once per CPU, in processor-number order, before the first instruction runs.
        /// The processor number selects the redistributor frame and the output lines cpu*4 + (0 IRQ, 1 FIQ,
        /// 2 vIRQ, 3 vFIQ).
        /// </summary>
        void AttachCpu(int processorNumber, IGicCpu cpu);

        /// <summary>Reads an ICC_/ICH_/ICV_ register. False when the encoding is not a GIC register (UNDEFINED).</summary>
        bool TryReadSystemRegister(int processorNumber, uint encoding, out ulong value);

        /// <summary>Writes an ICC_/ICH_/ICV_ register. False when the encoding is not a GIC register (UNDEFINED).</summary>
        bool TryWriteSystemRegister(int processorNumber, uint encoding, ulong value);
    }
}
