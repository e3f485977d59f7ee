// Virtualization system registers by MRS/MSR encoding (op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2):
// the ICH_*_EL2 control registers of the virtual CPU interface (IHI 0069 chapter 12.5, "AArch64 virtualization
// control System registers") and the ICV_*_EL1 names of the ICC_*_EL1 encodings that EL1 reaches instead of the
// physical CPU interface when HCR_EL2.IMO/FMO are set (IHI 0069 chapter 12.4, "AArch64 virtual CPU interface
// System registers"; chapter 6, "Virtual interrupt handling and prioritization").
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal enum IchSystemRegisters : uint
    {
        ICH_AP0R0_EL2 = (3 << 14) | (4 << 11) | (12 << 7) | (8 << 3) | 0,
        ICH_AP0R1_EL2 = ICH_AP0R0_EL2 + 1,
        ICH_AP0R2_EL2 = ICH_AP0R0_EL2 + 2,
        ICH_AP0R3_EL2 = ICH_AP0R0_EL2 + 3,
        ICH_AP1R0_EL2 = (3 << 14) | (4 << 11) | (12 << 7) | (9 << 3) | 0,
        ICH_AP1R1_EL2 = ICH_AP1R0_EL2 + 1,
        ICH_AP1R2_EL2 = ICH_AP1R0_EL2 + 2,
        ICH_AP1R3_EL2 = ICH_AP1R0_EL2 + 3,
        ICH_HCR_EL2 = (3 << 14) | (4 << 11) | (12 << 7) | (11 << 3) | 0,
        ICH_VTR_EL2 = (3 << 14) | (4 << 11) | (12 << 7) | (11 << 3) | 1,
        ICH_MISR_EL2 = (3 << 14) | (4 << 11) | (12 << 7) | (11 << 3) | 2,
        ICH_EISR_EL2 = (3 << 14) | (4 << 11) | (12 << 7) | (11 << 3) | 3,
        ICH_ELRSR_EL2 = (3 << 14) | (4 << 11) | (12 << 7) | (11 << 3) | 5,
        ICH_VMCR_EL2 = (3 << 14) | (4 << 11) | (12 << 7) | (11 << 3) | 7,
        // ICH_LR<n>_EL2: CRm = 12 + n / 8, op2 = n % 8, so LR0..LR15 are consecutive encodings.
        ICH_LR0_EL2 = (3 << 14) | (4 << 11) | (12 << 7) | (12 << 3) | 0,
        ICH_LR15_EL2 = ICH_LR0_EL2 + 15,
    }

    /// <summary>The ICV_* registers: the same encodings as the EL1 ICC_* registers they stand in for.</summary>
    internal enum IcvSystemRegisters : uint
    {
        ICV_PMR_EL1 = IccSystemRegisters.ICC_PMR_EL1,
        ICV_IAR0_EL1 = IccSystemRegisters.ICC_IAR0_EL1,
        ICV_EOIR0_EL1 = IccSystemRegisters.ICC_EOIR0_EL1,
        ICV_HPPIR0_EL1 = IccSystemRegisters.ICC_HPPIR0_EL1,
        ICV_BPR0_EL1 = IccSystemRegisters.ICC_BPR0_EL1,
        ICV_AP0R0_EL1 = IccSystemRegisters.ICC_AP0R0_EL1,
        ICV_AP1R0_EL1 = IccSystemRegisters.ICC_AP1R0_EL1,
        ICV_DIR_EL1 = IccSystemRegisters.ICC_DIR_EL1,
        ICV_RPR_EL1 = IccSystemRegisters.ICC_RPR_EL1,
        ICV_IAR1_EL1 = IccSystemRegisters.ICC_IAR1_EL1,
        ICV_EOIR1_EL1 = IccSystemRegisters.ICC_EOIR1_EL1,
        ICV_HPPIR1_EL1 = IccSystemRegisters.ICC_HPPIR1_EL1,
        ICV_BPR1_EL1 = IccSystemRegisters.ICC_BPR1_EL1,
        ICV_CTLR_EL1 = IccSystemRegisters.ICC_CTLR_EL1,
        ICV_IGRPEN0_EL1 = IccSystemRegisters.ICC_IGRPEN0_EL1,
        ICV_IGRPEN1_EL1 = IccSystemRegisters.ICC_IGRPEN1_EL1,
    }
}
