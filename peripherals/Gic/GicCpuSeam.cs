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

        /// <summary>
        /// Reads an ICC_/ICH_/ICV_ register, telling UNDEFINED apart from a trap to EL2 (TryReadSystemRegister
        /// returns false for both). On TrapToEl2 the CPU takes a synchronous exception to EL2 with
        /// ESR_EL2 = GicSystemRegisterTrap.Syndrome(encoding, rt, isRead: true) and ELR_EL2 = the MRS itself.
        /// </summary>
        GicSystemRegisterAccessResult ReadSystemRegister(int processorNumber, uint encoding, out ulong value);

        /// <summary>Writes an ICC_/ICH_/ICV_ register; see ReadSystemRegister for the results.</summary>
        GicSystemRegisterAccessResult WriteSystemRegister(int processorNumber, uint encoding, ulong value);
    }

    /// <summary>The outcome of a GIC system-register access.</summary>
    public enum GicSystemRegisterAccessResult
    {
        /// <summary>The access was performed (an MRS gets the value; the CPU steps over the instruction).</summary>
        Done,
        /// <summary>The encoding is not implemented, or not accessible at this EL or in this direction: UNDEFINED.</summary>
        Undefined,
        /// <summary>
        /// The access traps to EL2 (ESR_EL2.EC = 0x18): an EL1 access while ICH_HCR_EL2.TC/TALL0/TALL1/TDIR
        /// asks for it, or an EL1 write of ICC_SGI0R/SGI1R/ASGI1R_EL1 while HCR_EL2.IMO or FMO is set.
        /// Nothing was read or written.
        /// </summary>
        TrapToEl2,
    }

    /// <summary>Syndrome of a trapped MSR/MRS (Arm ARM D17.2, ESR_ELx with EC = 0x18).</summary>
    public static class GicSystemRegisterTrap
    {
        public const uint ExceptionClass = 0x18;

        /// <summary>
        /// ESR_EL2 for a trapped access: EC 0x18, IL = 1, ISS = Op0[21:20] Op2[19:17] Op1[16:14] CRn[13:10]
        /// Rt[9:5] CRm[4:1] Direction[0] (1 = MRS). <paramref name="encoding"/> uses the seam's layout
        /// op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2; <paramref name="rt"/> is the X register number (31 = XZR).
        /// </summary>
        public static ulong Syndrome(uint encoding, int rt, bool isRead)
        {
            ulong op0 = (encoding >> 14) & 0x3;
            ulong op1 = (encoding >> 11) & 0x7;
            ulong crn = (encoding >> 7) & 0xF;
            ulong crm = (encoding >> 3) & 0xF;
            ulong op2 = encoding & 0x7;
            var iss = (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | ((ulong)(rt & 0x1F) << 5) | (crm << 1) | (isRead ? 1UL : 0UL);
            return ((ulong)ExceptionClass << 26) | (1UL << 25) | iss;
        }
    }
}
