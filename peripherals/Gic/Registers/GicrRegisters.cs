// GICv3 Redistributor register offsets (IHI 0069, chapter 12.10, "The GICR_* registers"), relative to the
// start of one redistributor: RD_base frame at 0x00000, SGI_base frame at 0x10000 (the SGI_base registers
// below include that 0x10000).
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal enum GicrRegisters : long
    {
        // RD_base
        GICR_CTLR = 0x0000,
        GICR_IIDR = 0x0004,
        GICR_TYPER = 0x0008,
        GICR_STATUSR = 0x0010,
        GICR_WAKER = 0x0014,
        GICR_SETLPIR = 0x0040,
        GICR_CLRLPIR = 0x0048,
        GICR_PROPBASER = 0x0070,
        GICR_PENDBASER = 0x0078,
        GICR_INVLPIR = 0x00A0,
        GICR_INVALLR = 0x00B0,
        GICR_SYNCR = 0x00C0,
        GICR_PIDR4 = 0xFFD0,
        GICR_PIDR5 = 0xFFD4,
        GICR_PIDR6 = 0xFFD8,
        GICR_PIDR7 = 0xFFDC,
        GICR_PIDR0 = 0xFFE0,
        GICR_PIDR1 = 0xFFE4,
        GICR_PIDR2 = 0xFFE8,
        GICR_PIDR3 = 0xFFEC,
        GICR_CIDR0 = 0xFFF0,
        GICR_CIDR1 = 0xFFF4,
        GICR_CIDR2 = 0xFFF8,
        GICR_CIDR3 = 0xFFFC,

        // SGI_base
        GICR_IGROUPR0 = SgiBase + 0x0080,
        GICR_ISENABLER0 = SgiBase + 0x0100,
        GICR_ICENABLER0 = SgiBase + 0x0180,
        GICR_ISPENDR0 = SgiBase + 0x0200,
        GICR_ICPENDR0 = SgiBase + 0x0280,
        GICR_ISACTIVER0 = SgiBase + 0x0300,
        GICR_ICACTIVER0 = SgiBase + 0x0380,
        GICR_IPRIORITYR0 = SgiBase + 0x0400,
        GICR_ICFGR0 = SgiBase + 0x0C00,
        GICR_ICFGR1 = SgiBase + 0x0C04,
        GICR_IGRPMODR0 = SgiBase + 0x0D00,
        GICR_NSACR = SgiBase + 0x0E00,

        SgiBase = 0x10000,
    }
}
