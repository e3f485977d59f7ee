// System-register encodings (op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2, the GIC seam's layout) and the
// register offsets the VGIC host model uses, named as in IHI 0069.
namespace RenodeGic.VgicHost
{
    /// <summary>GIC system registers the hypervisor touches at EL2 (ICC_* physical interface, ICH_* virtual control).</summary>
    public static class SysReg
    {
        public static uint Encode(uint op0, uint op1, uint crn, uint crm, uint op2) => (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;

        public static readonly uint IccPmrEl1 = Encode(3, 0, 4, 6, 0);
        public static readonly uint IccIar1El1 = Encode(3, 0, 12, 12, 0);
        public static readonly uint IccEoir1El1 = Encode(3, 0, 12, 12, 1);
        public static readonly uint IccDirEl1 = Encode(3, 0, 12, 11, 1);
        public static readonly uint IccSgi1rEl1 = Encode(3, 0, 12, 11, 5);
        public static readonly uint IccAsgi1rEl1 = Encode(3, 0, 12, 11, 6);
        public static readonly uint IccSgi0rEl1 = Encode(3, 0, 12, 11, 7);
        public static readonly uint IccBpr1El1 = Encode(3, 0, 12, 12, 3);
        public static readonly uint IccCtlrEl1 = Encode(3, 0, 12, 12, 4);
        public static readonly uint IccSreEl1 = Encode(3, 0, 12, 12, 5);
        public static readonly uint IccIgrpen1El1 = Encode(3, 0, 12, 12, 7);
        public static readonly uint IccSreEl2 = Encode(3, 4, 12, 9, 5);

        public static readonly uint IchAp0r0El2 = Encode(3, 4, 12, 8, 0);
        public static readonly uint IchAp1r0El2 = Encode(3, 4, 12, 9, 0);
        public static readonly uint IchHcrEl2 = Encode(3, 4, 12, 11, 0);
        public static readonly uint IchVtrEl2 = Encode(3, 4, 12, 11, 1);
        public static readonly uint IchMisrEl2 = Encode(3, 4, 12, 11, 2);
        public static readonly uint IchEisrEl2 = Encode(3, 4, 12, 11, 3);
        public static readonly uint IchElrsrEl2 = Encode(3, 4, 12, 11, 5);
        public static readonly uint IchVmcrEl2 = Encode(3, 4, 12, 11, 7);

        public static uint IchLrEl2(int n) => Encode(3, 4, 12, (uint)(12 + n / 8), (uint)(n % 8));

        // Generic timer: EL2 physical timer (the hypervisor's own tick).
        public static readonly uint CnthpCtlEl2 = Encode(3, 4, 14, 2, 1);
        public static readonly uint CnthpCvalEl2 = Encode(3, 4, 14, 2, 2);
    }

    /// <summary>ICH_LR&lt;n&gt;_EL2 fields (IHI 0069 12.5).</summary>
    public static class ListRegister
    {
        public const ulong StatePending = 1UL << 62;
        public const ulong StateActive = 1UL << 63;
        public const ulong Hw = 1UL << 61;
        public const ulong Group1 = 1UL << 60;
        public const ulong Eoi = 1UL << 41;
        public const int PriorityShift = 48;
        public const int PhysicalShift = 32;

        public static ulong Make(uint vintid, int priority, int group, bool pending, bool active, bool hw, int pintid, bool eoiMaintenance)
        {
            var lr = (ulong)vintid | ((ulong)(priority & 0xFF) << PriorityShift);
            if(group == 1)
            {
                lr |= Group1;
            }
            if(pending)
            {
                lr |= StatePending;
            }
            if(active)
            {
                lr |= StateActive;
            }
            if(hw)
            {
                lr |= Hw | ((ulong)(pintid & 0x1FFF) << PhysicalShift);
            }
            else if(eoiMaintenance)
            {
                lr |= Eoi;
            }
            return lr;
        }

        public static uint VirtualIntid(ulong lr) => (uint)lr;

        public static bool IsPending(ulong lr) => (lr & StatePending) != 0;

        public static bool IsActive(ulong lr) => (lr & StateActive) != 0;
    }

    /// <summary>ICH_HCR_EL2 and ICH_MISR_EL2 bits.</summary>
    public static class IchHcr
    {
        public const ulong En = 1UL << 0;
        public const ulong Uie = 1UL << 1;
        public const ulong Lrenpie = 1UL << 2;
        public const ulong Npie = 1UL << 3;
        public const uint MisrEoi = 1u << 0;
        public const uint MisrU = 1u << 1;
    }

    /// <summary>HCR_EL2 bits the hypervisor sets for its guests.</summary>
    public static class Hcr
    {
        public const ulong Fmo = 1UL << 3;
        public const ulong Imo = 1UL << 4;
        public const ulong Amo = 1UL << 5;
        public const ulong Twi = 1UL << 13;
        public const ulong Rw = 1UL << 31;
    }

    /// <summary>Physical GIC MMIO offsets the hypervisor programs (distributor, redistributor frames, ITS).</summary>
    public static class GicOffsets
    {
        public const long GicdCtlr = 0x0000;
        public const long GicdTyper = 0x0004;
        public const long GicdIgroupr = 0x0080;
        public const long GicdIsenabler = 0x0100;
        public const long GicdIspendr = 0x0200;
        public const long GicdIpriorityr = 0x0400;
        public const long GicdIrouter = 0x6100;

        /// <summary>GICD_IROUTER&lt;n&gt; of SPI <paramref name="intid"/>.</summary>
        public static long GicdIrouterOf(int intid) => 0x6000 + 8L * intid;

        public const long GicrCtlr = 0x0000;
        public const long GicrTyper = 0x0008;
        public const long GicrWaker = 0x0014;
        public const long GicrPropbaser = 0x0070;
        public const long GicrPendbaser = 0x0078;
        public const long SgiBase = 0x10000;
        public const long GicrIsenabler0 = SgiBase + 0x0100;
        public const long GicrIpriorityr = SgiBase + 0x0400;
        public const long GicrIsactiver0 = SgiBase + 0x0300;
        public const long GicrIcactiver0 = SgiBase + 0x0380;
        public const long VlpiBase = 0x20000;
        public const long GicrVpropbaser = VlpiBase + 0x70;
        public const long GicrVpendbaser = VlpiBase + 0x78;
        public const long GicrVsgir = VlpiBase + 0x80;
        public const long GicrVsgipendr = VlpiBase + 0x88;

        public const long GitsCtlr = 0x0000;
        public const long GitsTyper = 0x0008;
        public const long GitsCbaser = 0x0080;
        public const long GitsCwriter = 0x0088;
        public const long GitsCreadr = 0x0090;
        public const long GitsBaser = 0x0100;
        public const long GitsTranslater = 0x10040;
    }
}
