// GIC CPU interface system registers by MRS/MSR encoding, as Renode's ARMv8A passes them:
// op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2 (IHI 0069, chapter 12.2 "AArch64 System register
// descriptions of the CPU interface"). ICV_* registers share the EL1 ICC_* encodings; which one an access
// reaches depends on HCR_EL2.IMO/FMO (IHI 0069 chapter 6, virtual interrupt handling).
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal enum IccSystemRegisters : uint
    {
        ICC_PMR_EL1 = (3 << 14) | (0 << 11) | (4 << 7) | (6 << 3) | 0,
        ICC_IAR0_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (8 << 3) | 0,
        ICC_EOIR0_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (8 << 3) | 1,
        ICC_HPPIR0_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (8 << 3) | 2,
        ICC_BPR0_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (8 << 3) | 3,
        ICC_AP0R0_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (8 << 3) | 4,
        ICC_AP0R1_EL1 = ICC_AP0R0_EL1 + 1,
        ICC_AP0R2_EL1 = ICC_AP0R0_EL1 + 2,
        ICC_AP0R3_EL1 = ICC_AP0R0_EL1 + 3,
        ICC_AP1R0_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (9 << 3) | 0,
        ICC_AP1R1_EL1 = ICC_AP1R0_EL1 + 1,
        ICC_AP1R2_EL1 = ICC_AP1R0_EL1 + 2,
        ICC_AP1R3_EL1 = ICC_AP1R0_EL1 + 3,
        ICC_DIR_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (11 << 3) | 1,
        ICC_RPR_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (11 << 3) | 3,
        ICC_SGI1R_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (11 << 3) | 5,
        ICC_ASGI1R_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (11 << 3) | 6,
        ICC_SGI0R_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (11 << 3) | 7,
        ICC_IAR1_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (12 << 3) | 0,
        ICC_EOIR1_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (12 << 3) | 1,
        ICC_HPPIR1_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (12 << 3) | 2,
        ICC_BPR1_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (12 << 3) | 3,
        ICC_CTLR_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (12 << 3) | 4,
        ICC_SRE_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (12 << 3) | 5,
        ICC_IGRPEN0_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (12 << 3) | 6,
        ICC_IGRPEN1_EL1 = (3 << 14) | (0 << 11) | (12 << 7) | (12 << 3) | 7,
        ICC_SRE_EL2 = (3 << 14) | (4 << 11) | (12 << 7) | (9 << 3) | 5,
        ICC_CTLR_EL3 = (3 << 14) | (6 << 11) | (12 << 7) | (12 << 3) | 4,
        ICC_SRE_EL3 = (3 << 14) | (6 << 11) | (12 << 7) | (12 << 3) | 5,
        ICC_IGRPEN1_EL3 = (3 << 14) | (6 << 11) | (12 << 7) | (12 << 3) | 7,
    }

    /// <summary>Classification of system-register encodings (which EL owns them, ICC vs ICH, ICV redirection).</summary>
    internal static class GicSystemRegisterEncoding
    {
        public static int Op1(uint encoding) => (int)((encoding >> 11) & 0x7);

        public static int CRn(uint encoding) => (int)((encoding >> 7) & 0xF);

        public static int CRm(uint encoding) => (int)((encoding >> 3) & 0xF);

        /// <summary>The lowest exception level allowed to access the register (1, 2 or 3).</summary>
        public static int MinimumExceptionLevel(uint encoding)
        {
            switch(Op1(encoding))
            {
            case 4:
                return 2;
            case 6:
                return 3;
            default:
                return 1;
            }
        }

        /// <summary>ICH_*_EL2: op1 = 4, CRn = 12, CRm 8..15, except ICC_SRE_EL2 (CRm 9, op2 5).</summary>
        public static bool IsHypervisorControl(uint encoding)
        {
            return (encoding >> 14) == 3 && Op1(encoding) == 4 && CRn(encoding) == 12 && CRm(encoding) >= 8
                && encoding != (uint)IccSystemRegisters.ICC_SRE_EL2;
        }

        /// <summary>
        /// Which HCR_EL2 routing bit makes an EL1 access to this ICC_* register reach ICV_* instead:
        /// IMO (bit 4) for Group 1 registers, FMO (bit 3) for Group 0 ones, either for the common ones; 0 when
        /// the register is never virtualised (SRE, SGI generation, EL2/EL3 registers).
        /// </summary>
        public static ulong VirtualisingHcrBits(uint encoding)
        {
            const ulong fmo = 1UL << 3;
            const ulong imo = 1UL << 4;
            switch((IccSystemRegisters)encoding)
            {
            case IccSystemRegisters.ICC_IAR0_EL1:
            case IccSystemRegisters.ICC_EOIR0_EL1:
            case IccSystemRegisters.ICC_HPPIR0_EL1:
            case IccSystemRegisters.ICC_BPR0_EL1:
            case IccSystemRegisters.ICC_AP0R0_EL1:
            case IccSystemRegisters.ICC_AP0R1_EL1:
            case IccSystemRegisters.ICC_AP0R2_EL1:
            case IccSystemRegisters.ICC_AP0R3_EL1:
            case IccSystemRegisters.ICC_IGRPEN0_EL1:
                return fmo;
            case IccSystemRegisters.ICC_IAR1_EL1:
            case IccSystemRegisters.ICC_EOIR1_EL1:
            case IccSystemRegisters.ICC_HPPIR1_EL1:
            case IccSystemRegisters.ICC_BPR1_EL1:
            case IccSystemRegisters.ICC_AP1R0_EL1:
            case IccSystemRegisters.ICC_AP1R1_EL1:
            case IccSystemRegisters.ICC_AP1R2_EL1:
            case IccSystemRegisters.ICC_AP1R3_EL1:
            case IccSystemRegisters.ICC_IGRPEN1_EL1:
                return imo;
            case IccSystemRegisters.ICC_PMR_EL1:
            case IccSystemRegisters.ICC_RPR_EL1:
            case IccSystemRegisters.ICC_CTLR_EL1:
            case IccSystemRegisters.ICC_DIR_EL1:
                return imo | fmo;
            default:
                return 0;
            }
        }
    }
}
