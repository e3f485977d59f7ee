/* GICv3 helpers for the QEMU `virt` memory map. */
#ifndef FW_GIC_H
#define FW_GIC_H

#define GICD_BASE 0x08000000UL
#define GICR_BASE 0x080A0000UL

/* Distributor */
#define GICD_CTLR       0x0000
#define GICD_TYPER      0x0004
#define GICD_IIDR       0x0008
#define GICD_IGROUPR    0x0080
#define GICD_ISENABLER  0x0100
#define GICD_ICENABLER  0x0180
#define GICD_ISPENDR    0x0200
#define GICD_ICPENDR    0x0280
#define GICD_ISACTIVER  0x0300
#define GICD_ICACTIVER  0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR      0x0C00
#define GICD_IGRPMODR   0x0D00
#define GICD_IROUTER    0x6000
#define GICD_PIDR2      0xFFE8

#define GICD_CTLR_ENABLE_G0  BIT(0)
#define GICD_CTLR_ENABLE_G1  BIT(1)
#define GICD_CTLR_ARE        BIT(4)
#define GICD_CTLR_DS         BIT(6)
#define GICD_CTLR_RWP        BIT(31)

/* Redistributor, RD_base frame */
#define GICR_CTLR   0x0000
#define GICR_IIDR   0x0004
#define GICR_TYPER  0x0008
#define GICR_WAKER  0x0014
#define GICR_PIDR2  0xFFE8
#define GICR_CTLR_RWP          BIT(3)
#define GICR_WAKER_PSLEEP      BIT(1)
#define GICR_WAKER_CASLEEP     BIT(2)
#define GICR_TYPER_VLPIS       BIT(1)
#define GICR_TYPER_LAST        BIT(4)
/* Redistributor, SGI_base frame (RD_base + 64K) */
#define GICR_SGI_OFFSET 0x10000
#define GICR_IGROUPR0    0x0080
#define GICR_ISENABLER0  0x0100
#define GICR_ICENABLER0  0x0180
#define GICR_ISPENDR0    0x0200
#define GICR_ICPENDR0    0x0280
#define GICR_ISACTIVER0  0x0300
#define GICR_ICACTIVER0  0x0380
#define GICR_IPRIORITYR  0x0400
#define GICR_ICFGR0      0x0C00
#define GICR_ICFGR1      0x0C04
#define GICR_IGRPMODR0   0x0D00

/* CPU interface system registers (by encoding; the assembler need not know GICv3). */
#define ICC_PMR_EL1     S3_0_C4_C6_0
#define ICC_IAR0_EL1    S3_0_C12_C8_0
#define ICC_EOIR0_EL1   S3_0_C12_C8_1
#define ICC_HPPIR0_EL1  S3_0_C12_C8_2
#define ICC_BPR0_EL1    S3_0_C12_C8_3
#define ICC_DIR_EL1     S3_0_C12_C11_1
#define ICC_RPR_EL1     S3_0_C12_C11_3
#define ICC_SGI1R_EL1   S3_0_C12_C11_5
#define ICC_ASGI1R_EL1  S3_0_C12_C11_6
#define ICC_SGI0R_EL1   S3_0_C12_C11_7
#define ICC_IAR1_EL1    S3_0_C12_C12_0
#define ICC_EOIR1_EL1   S3_0_C12_C12_1
#define ICC_HPPIR1_EL1  S3_0_C12_C12_2
#define ICC_BPR1_EL1    S3_0_C12_C12_3
#define ICC_CTLR_EL1    S3_0_C12_C12_4
#define ICC_SRE_EL1     S3_0_C12_C12_5
#define ICC_IGRPEN0_EL1 S3_0_C12_C12_6
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SRE_EL2     S3_4_C12_C9_5

#define INTID_SPURIOUS 1023
#define DEFAULT_PRIO   0xa0

static inline u32 gicd_read(u32 off) { return mmio_read32(GICD_BASE + off); }
static inline void gicd_write(u32 off, u32 v) { mmio_write32(GICD_BASE + off, v); }

/* Distributor set-up, once, by CPU0: all SPIs Group 1, level, DEFAULT_PRIO, routed to CPU0,
 * disabled; then GICD_CTLR = ARE_NS | EnableGrp1NS. */
void gic_dist_init(void);
/* Per-CPU set-up: wake own redistributor, SGIs/PPIs Group 1 + disabled, CPU interface on. */
void gic_cpu_init(void);
/* Wait for GICD_CTLR.RWP == 0 (fails after a bounded number of polls). */
void gicd_wait_rwp(void);
/* RD_base of the calling CPU (found by walking GICR_TYPER). */
u64 gicr_base(void);
u64 gicr_sgi_base(void);
/* Frame index of the calling CPU's redistributor (0-based). */
int gicr_index(void);
u32 gicr_stride(void);

/* SPIs (INTID >= 32) */
void gic_spi_set_priority(unsigned int intid, u8 prio);
void gic_spi_set_group(unsigned int intid, int group);  /* 0 or 1 */
void gic_spi_set_edge(unsigned int intid, int edge);
void gic_spi_route(unsigned int intid, u64 mpidr);
void gic_spi_enable(unsigned int intid);
void gic_spi_disable(unsigned int intid);
void gic_spi_pend(unsigned int intid);
void gic_spi_unpend(unsigned int intid);
int gic_spi_is_pending(unsigned int intid);
int gic_spi_is_active(unsigned int intid);

/* SGIs/PPIs (INTID < 32) on the calling CPU's redistributor */
void gic_local_set_priority(unsigned int intid, u8 prio);
void gic_local_enable(unsigned int intid);
void gic_local_disable(unsigned int intid);
int gic_local_is_pending(unsigned int intid);

/* Send SGI `intid` (Group 1) to the CPU with the given MPIDR via ICC_SGI1R_EL1. */
void gic_send_sgi(unsigned int intid, u64 target_mpidr);

static inline u32 gic_rpr(void) { return sysreg_read(ICC_RPR_EL1) & 0xff; }
static inline u32 gic_hppir1(void) { return sysreg_read(ICC_HPPIR1_EL1) & 0xffffff; }
static inline void gic_set_pmr(u32 p) { sysreg_write(ICC_PMR_EL1, p); isb(); }

#endif
