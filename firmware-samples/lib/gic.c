/* GICv3 distributor / redistributor / CPU-interface bring-up and helpers. */
#include "lib.h"

static u64 rd_base[MAX_CPUS];
static s32 rd_index[MAX_CPUS];
static u32 rd_stride;

#define POLL_LIMIT 10000000UL

void gicd_wait_rwp(void)
{
	for (u64 n = 0; gicd_read(GICD_CTLR) & GICD_CTLR_RWP; n++) {
		if (n >= POLL_LIMIT)
			fail("GICD_CTLR.RWP stuck at 1");
		cpu_relax();
	}
}

static void gicr_wait_rwp(u64 rd)
{
	for (u64 n = 0; mmio_read32(rd + GICR_CTLR) & GICR_CTLR_RWP; n++) {
		if (n >= POLL_LIMIT)
			fail("GICR_CTLR.RWP stuck at 1");
		cpu_relax();
	}
}

/* Walk the redistributor frames until GICR_TYPER.Affinity_Value matches our MPIDR. */
static void gicr_find(unsigned int cpu)
{
	u64 mpidr = read_mpidr();
	u32 aff = ((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff);
	u64 rd = GICR_BASE;

	for (int i = 0; i < 64; i++) {
		u64 typer = mmio_read64(rd + GICR_TYPER);
		u32 stride = (typer & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
		if ((u32)(typer >> 32) == aff) {
			rd_base[cpu] = rd;
			rd_index[cpu] = i;
			rd_stride = stride;
			return;
		}
		if (typer & GICR_TYPER_LAST)
			break;
		rd += stride;
	}
	fail("no redistributor for MPIDR 0x%lx", mpidr);
}

u64 gicr_base(void) { return rd_base[cpu_id()]; }
u64 gicr_sgi_base(void) { return rd_base[cpu_id()] + GICR_SGI_OFFSET; }
int gicr_index(void) { return rd_index[cpu_id()]; }
u32 gicr_stride(void) { return rd_stride; }

void gic_dist_init(void)
{
	u32 lines = ((gicd_read(GICD_TYPER) & 0x1f) + 1) * 32;
	u64 boot_aff = mpidr_affinity(read_mpidr());

	gicd_write(GICD_CTLR, 0);
	gicd_wait_rwp();
	gicd_write(GICD_CTLR, GICD_CTLR_ARE);
	gicd_wait_rwp();
	if (lines > 1020)
		lines = 1020;
	for (u32 i = 32; i < lines; i += 32) {
		gicd_write(GICD_ICENABLER + i / 8, 0xffffffff);
		gicd_write(GICD_ICPENDR + i / 8, 0xffffffff);
		gicd_write(GICD_ICACTIVER + i / 8, 0xffffffff);
		gicd_write(GICD_IGROUPR + i / 8, 0xffffffff);
		gicd_write(GICD_IGRPMODR + i / 8, 0);
	}
	for (u32 i = 32; i < lines; i += 16)
		gicd_write(GICD_ICFGR + i / 4, 0);	/* level-sensitive */
	for (u32 i = 32; i < lines; i += 4)
		gicd_write(GICD_IPRIORITYR + i, DEFAULT_PRIO * 0x01010101u);
	for (u32 i = 32; i < lines; i++)
		mmio_write64(GICD_BASE + GICD_IROUTER + 8 * i, boot_aff);
	gicd_wait_rwp();
	gicd_write(GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
	gicd_wait_rwp();
}

void gic_cpu_init(void)
{
	unsigned int cpu = cpu_id();
	u64 rd, sgi;

	gicr_find(cpu);
	rd = rd_base[cpu];
	sgi = rd + GICR_SGI_OFFSET;

	/* Wake the redistributor. */
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_PSLEEP);
	for (u64 n = 0; mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CASLEEP; n++) {
		if (n >= POLL_LIMIT)
			fail("GICR_WAKER.ChildrenAsleep stuck at 1 on cpu%u", cpu);
		cpu_relax();
	}

	/* SGIs and PPIs: disabled, not pending, Group 1, default priority. */
	mmio_write32(sgi + GICR_ICENABLER0, 0xffffffff);
	mmio_write32(sgi + GICR_ICPENDR0, 0xffffffff);
	mmio_write32(sgi + GICR_ICACTIVER0, 0xffffffff);
	gicr_wait_rwp(rd);
	mmio_write32(sgi + GICR_IGROUPR0, 0xffffffff);
	mmio_write32(sgi + GICR_IGRPMODR0, 0);
	for (u32 i = 0; i < 32; i += 4)
		mmio_write32(sgi + GICR_IPRIORITYR + i, DEFAULT_PRIO * 0x01010101u);

	/* CPU interface: system-register access, priority mask open, Group 1 on. */
	if (current_el() == 2) {
		sysreg_write(ICC_SRE_EL2, sysreg_read(ICC_SRE_EL2) | BIT(0) | BIT(3));
		isb();
	}
	sysreg_write(ICC_SRE_EL1, sysreg_read(ICC_SRE_EL1) | BIT(0));
	isb();
	if (!(sysreg_read(ICC_SRE_EL1) & 1))
		fail("ICC_SRE_EL1.SRE did not stick on cpu%u", cpu);
	sysreg_write(ICC_PMR_EL1, 0xff);
	sysreg_write(ICC_BPR1_EL1, 0);
	sysreg_write(ICC_CTLR_EL1, sysreg_read(ICC_CTLR_EL1) & ~BIT(1));	/* EOImode = 0 */
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	isb();
}

static void bit_write(u64 base, u32 reg, unsigned int intid)
{
	mmio_write32(base + reg + (intid / 32) * 4, 1u << (intid % 32));
}

static int bit_read(u64 base, u32 reg, unsigned int intid)
{
	return (mmio_read32(base + reg + (intid / 32) * 4) >> (intid % 32)) & 1;
}

/* Byte-wide fields updated with aligned 32-bit read-modify-write. */
static void byte_write(u64 base, u32 reg, unsigned int intid, u8 v)
{
	u64 a = base + reg + (intid & ~3u);
	u32 shift = (intid & 3) * 8;
	mmio_write32(a, (mmio_read32(a) & ~(0xffu << shift)) | ((u32)v << shift));
}

void gic_spi_set_priority(unsigned int intid, u8 prio) { byte_write(GICD_BASE, GICD_IPRIORITYR, intid, prio); }

void gic_spi_set_group(unsigned int intid, int group)
{
	u64 a = GICD_BASE + GICD_IGROUPR + (intid / 32) * 4;
	u32 m = 1u << (intid % 32);
	mmio_write32(a, group ? (mmio_read32(a) | m) : (mmio_read32(a) & ~m));
}

void gic_spi_set_edge(unsigned int intid, int edge)
{
	u64 a = GICD_BASE + GICD_ICFGR + (intid / 16) * 4;
	u32 m = 2u << ((intid % 16) * 2);
	mmio_write32(a, edge ? (mmio_read32(a) | m) : (mmio_read32(a) & ~m));
}

void gic_spi_route(unsigned int intid, u64 mpidr)
{
	mmio_write64(GICD_BASE + GICD_IROUTER + 8 * intid, mpidr_affinity(mpidr));
}

void gic_spi_enable(unsigned int intid) { bit_write(GICD_BASE, GICD_ISENABLER, intid); }
void gic_spi_disable(unsigned int intid)
{
	bit_write(GICD_BASE, GICD_ICENABLER, intid);
	gicd_wait_rwp();
}
void gic_spi_pend(unsigned int intid) { bit_write(GICD_BASE, GICD_ISPENDR, intid); }
void gic_spi_unpend(unsigned int intid) { bit_write(GICD_BASE, GICD_ICPENDR, intid); }
int gic_spi_is_pending(unsigned int intid) { return bit_read(GICD_BASE, GICD_ISPENDR, intid); }
int gic_spi_is_active(unsigned int intid) { return bit_read(GICD_BASE, GICD_ISACTIVER, intid); }

void gic_local_set_priority(unsigned int intid, u8 prio)
{
	byte_write(gicr_sgi_base(), GICR_IPRIORITYR, intid, prio);
}
void gic_local_enable(unsigned int intid) { bit_write(gicr_sgi_base(), GICR_ISENABLER0, intid); }
void gic_local_disable(unsigned int intid)
{
	bit_write(gicr_sgi_base(), GICR_ICENABLER0, intid);
	gicr_wait_rwp(gicr_base());
}
int gic_local_is_pending(unsigned int intid) { return bit_read(gicr_sgi_base(), GICR_ISPENDR0, intid); }

void gic_send_sgi(unsigned int intid, u64 mpidr)
{
	u64 v = ((mpidr >> 32) & 0xff) << 48	/* Aff3 */
		| ((mpidr >> 16) & 0xff) << 32	/* Aff2 */
		| ((u64)intid & 0xf) << 24
		| ((mpidr >> 8) & 0xff) << 16	/* Aff1 */
		| (1u << (mpidr & 0xf));		/* TargetList bit for Aff0 (RS = 0: Aff0 < 16) */
	v |= ((mpidr & 0xff) >> 4) << 44;	/* RS: range selector for Aff0 >= 16 */
	dsb(ish);	/* make prior memory writes visible before the target sees the SGI */
	sysreg_write(ICC_SGI1R_EL1, v);
	isb();
}
