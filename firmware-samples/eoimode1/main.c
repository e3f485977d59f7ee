/*
 * eoimode1: ICC_CTLR_EL1.EOImode = 1 splits the end of an interrupt into priority drop (ICC_EOIR1_EL1)
 * and deactivation (ICC_DIR_EL1). After the EOI the interrupt stays active and the running priority is
 * idle again, so another interrupt of the same priority is taken; a second instance of the still-active
 * interrupt stays pending (active and pending) until ICC_DIR_EL1 deactivates it.
 */
#include "lib.h"

SAMPLE("eoimode1");

#define ICC_AP1R0_EL1 S3_0_C12_C9_0
#define CTLR_EOIMODE  BIT(1)

#define SPI_A 40	/* priority 0x80 */
#define SPI_B 41	/* priority 0x80 */

#define NEG_SPIN 200000

static volatile u32 hits_a, hits_b;
static volatile u32 a_rpr, a_active, a_pending, a_eoi_rpr, a_eoi_active, a_eoi_ap1r0, a_repend_pending,
	a_repend_active;
static volatile u32 a2_active, a2_pending, a2_rpr;
static volatile u32 b_rpr, b_a_active, b_active_after_dir;

static u32 ap1r0(void) { return sysreg_read(ICC_AP1R0_EL1) & 0xffffffff; }

static void dir(u32 intid)
{
	sysreg_write(ICC_DIR_EL1, intid);
	isb();
}

static void a_handler(unsigned int intid, unsigned int cpu)
{
	(void)cpu;
	if (hits_a == 0) {
		a_rpr = gic_rpr();
		a_active = gic_spi_is_active(intid);
		a_pending = gic_spi_is_pending(intid);
		irq_eoi_now();			/* EOImode 1: priority drop only */
		a_eoi_rpr = gic_rpr();
		a_eoi_active = gic_spi_is_active(intid);
		a_eoi_ap1r0 = ap1r0();
		gic_spi_pend(intid);		/* a second instance while the first is active */
		a_repend_pending = gic_spi_is_pending(intid);
		a_repend_active = gic_spi_is_active(intid);
		gic_spi_pend(SPI_B);		/* same priority: taken once we return */
	} else {
		a2_rpr = gic_rpr();
		a2_active = gic_spi_is_active(intid);
		a2_pending = gic_spi_is_pending(intid);
		irq_eoi_now();
		dir(intid);
	}
	dmb(sy);
	hits_a++;
}

static void b_handler(unsigned int intid, unsigned int cpu)
{
	(void)cpu;
	b_rpr = gic_rpr();
	b_a_active = gic_spi_is_active(SPI_A);
	irq_eoi_now();
	dir(intid);
	b_active_after_dir = gic_spi_is_active(intid);
	dmb(sy);
	hits_b++;
}

int main(void)
{
	gic_dist_init();
	gic_cpu_init();
	irq_register(SPI_A, a_handler);
	irq_register(SPI_B, b_handler);
	gic_spi_set_priority(SPI_A, 0x80);
	gic_spi_set_priority(SPI_B, 0x80);
	gic_spi_enable(SPI_A);
	gic_spi_enable(SPI_B);

	printf("icc_ctlr.eoimode: %lu\n", (sysreg_read(ICC_CTLR_EL1) >> 1) & 1);
	sysreg_write(ICC_CTLR_EL1, sysreg_read(ICC_CTLR_EL1) | CTLR_EOIMODE);
	isb();
	printf("icc_ctlr.eoimode set: %lu\n", (sysreg_read(ICC_CTLR_EL1) >> 1) & 1);

	irq_enable();
	gic_spi_pend(SPI_A);
	wait_eq(&hits_a, 1, WAIT_LIMIT, "spi 40");
	wait_eq(&hits_b, 1, WAIT_LIMIT, "spi 41 while spi 40 is active");
	spin(NEG_SPIN);
	printf("spi %u in handler: rpr 0x%x active %u pending %u\n", SPI_A, a_rpr, a_active, a_pending);
	printf("after eoir1 (priority drop): rpr 0x%x active %u ap1r0 0x%08x\n", a_eoi_rpr, a_eoi_active,
	       a_eoi_ap1r0);
	printf("pended again while active: pending %u active %u\n", a_repend_pending, a_repend_active);
	printf("spi %u taken while %u active: rpr 0x%x, %u active %u\n", SPI_B, SPI_A, b_rpr, SPI_A,
	       b_a_active);
	printf("spi %u after eoir1+dir: active %u\n", SPI_B, b_active_after_dir);
	printf("before dir(%u): hits %u active %u pending %u rpr 0x%x hppir1 %u\n", SPI_A, hits_a,
	       gic_spi_is_active(SPI_A), gic_spi_is_pending(SPI_A), gic_rpr(), gic_hppir1());
	CHECK(hits_a == 1, "second instance of an active interrupt was taken");
	CHECK(a_eoi_rpr == 0xff && a_eoi_active == 1, "EOIR1 with EOImode 1 did not just drop the priority");

	dir(SPI_A);
	wait_eq(&hits_a, 2, WAIT_LIMIT, "second instance of spi 40 after dir");
	printf("after dir(%u): second instance taken: rpr 0x%x active %u pending %u\n", SPI_A, a2_rpr,
	       a2_active, a2_pending);
	printf("end: active %u pending %u rpr 0x%x ap1r0 0x%08x\n", gic_spi_is_active(SPI_A),
	       gic_spi_is_pending(SPI_A), gic_rpr(), ap1r0());
	CHECK(hits_a == 2 && !gic_spi_is_active(SPI_A), "spi 40 after dir");

	irq_disable();
	sysreg_write(ICC_CTLR_EL1, sysreg_read(ICC_CTLR_EL1) & ~CTLR_EOIMODE);
	isb();
	printf("icc_ctlr.eoimode cleared: %lu\n", (sysreg_read(ICC_CTLR_EL1) >> 1) & 1);
	pass();
}
