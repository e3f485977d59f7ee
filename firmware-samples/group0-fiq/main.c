/*
 * group0-fiq: Group 0 interrupts are signalled as FIQ (GICD_CTLR.EnableGrp0, ICC_IGRPEN0_EL1) and
 * acknowledged through ICC_IAR0_EL1 / ended through ICC_EOIR0_EL1. While only a Group 0 interrupt is
 * pending, ICC_IAR1_EL1 and ICC_HPPIR1_EL1 read 1023 and an unmasked IRQ is not taken. Preemption goes by
 * priority, not by group: a Group 0 interrupt of higher priority preempts a Group 1 handler that unmasks
 * FIQ, a lower one waits; a higher-priority Group 1 interrupt preempts a Group 0 handler. ICC_AP0R0 and
 * ICC_AP1R0 show one active priority per group.
 */
#include "lib.h"

SAMPLE("group0-fiq");

#define ICC_AP0R0_EL1 S3_0_C12_C8_4
#define ICC_AP1R0_EL1 S3_0_C12_C9_0

#define SPI_G0     46	/* Group 0, priority 0x80 */
#define SPI_G0_LOW 47	/* Group 0, priority 0xc0 */
#define SPI_G1     40	/* Group 1, priority 0xa0 */
#define SPI_G1_TOP 41	/* Group 1, priority 0x40 */

#define NEG_SPIN 200000

static volatile u32 hits[64];
static volatile int phase;

enum { EV_ENTER, EV_EOI, EV_NOT_TAKEN };
static struct { u32 kind, intid, group, rpr, ap0r0, ap1r0, other; } events[32];
static volatile u32 nevents;

static u32 ap0r0(void) { return sysreg_read(ICC_AP0R0_EL1) & 0xffffffff; }
static u32 ap1r0(void) { return sysreg_read(ICC_AP1R0_EL1) & 0xffffffff; }
static u32 hppir0(void) { return sysreg_read(ICC_HPPIR0_EL1) & 0xffffff; }

static void log_event(u32 kind, u32 intid, u32 other)
{
	if (nevents < 32) {
		events[nevents].kind = kind;
		events[nevents].intid = intid;
		events[nevents].group = irq_current_group();
		events[nevents].rpr = gic_rpr();
		events[nevents].ap0r0 = ap0r0();
		events[nevents].ap1r0 = ap1r0();
		events[nevents].other = other;
	}
	dmb(sy);
	nevents++;
}

static void eoi_logged(unsigned int intid)
{
	u32 before = gic_rpr();
	irq_eoi_now();
	log_event(EV_EOI, intid, before);
}

static void print_events(void)
{
	for (u32 i = 0; i < nevents && i < 32; i++) {
		switch (events[i].kind) {
		case EV_ENTER:
			printf("  enter %u (%s): rpr 0x%x ap0r0 0x%08x ap1r0 0x%08x\n", events[i].intid,
			       events[i].group ? "irq, group 1" : "fiq, group 0", events[i].rpr, events[i].ap0r0,
			       events[i].ap1r0);
			break;
		case EV_EOI:
			printf("  eoi %u (eoir%u): rpr 0x%x -> 0x%x ap0r0 0x%08x ap1r0 0x%08x\n", events[i].intid,
			       events[i].group, events[i].other, events[i].rpr, events[i].ap0r0, events[i].ap1r0);
			break;
		default:
			printf("  %u pending, not taken: rpr 0x%x hppir0 %u\n", events[i].intid, events[i].rpr,
			       events[i].other);
			break;
		}
	}
	nevents = 0;
}

/* Plain handler: log entry and EOI. */
static void plain_handler(unsigned int intid, unsigned int cpu)
{
	(void)cpu;
	log_event(EV_ENTER, intid, 0);
	hits[intid]++;
	eoi_logged(intid);
}

/* Group 1, priority 0xa0: unmask FIQ only; a higher Group 0 preempts, a lower one waits. */
static void g1_handler(unsigned int intid, unsigned int cpu)
{
	struct irq_frame f;
	(void)cpu;
	log_event(EV_ENTER, intid, 0);
	irq_nest_save(&f);
	fiq_enable();
	gic_spi_pend(SPI_G0);
	wait_eq(&hits[SPI_G0], 2, WAIT_LIMIT, "group 0 spi 46 preempting group 1 spi 40");
	gic_spi_pend(SPI_G0_LOW);
	spin(NEG_SPIN);
	if (hits[SPI_G0_LOW] == 0)
		log_event(EV_NOT_TAKEN, SPI_G0_LOW, hppir0());
	irq_nest_restore(&f);
	hits[intid]++;
	eoi_logged(intid);
}

/* Group 0, priority 0x80: in phase 2 it unmasks IRQ and a Group 1 interrupt of priority 0x40 preempts it. */
static void g0_handler(unsigned int intid, unsigned int cpu)
{
	struct irq_frame f;
	(void)cpu;
	log_event(EV_ENTER, intid, 0);
	if (phase == 2) {
		irq_nest_save(&f);
		irq_enable();
		gic_spi_pend(SPI_G1_TOP);
		wait_eq(&hits[SPI_G1_TOP], 1, WAIT_LIMIT, "group 1 spi 41 preempting group 0 spi 46");
		irq_nest_restore(&f);
	}
	hits[intid]++;
	eoi_logged(intid);
}

int main(void)
{
	gic_dist_init();
	gic_cpu_init();
	irq_register(SPI_G0, g0_handler);
	irq_register(SPI_G0_LOW, plain_handler);
	irq_register(SPI_G1, g1_handler);
	irq_register(SPI_G1_TOP, plain_handler);

	gicd_write(GICD_CTLR, gicd_read(GICD_CTLR) | GICD_CTLR_ENABLE_G0);
	gicd_wait_rwp();
	sysreg_write(ICC_IGRPEN0_EL1, 1);
	isb();
	printf("gicd_ctlr: 0x%x\n", gicd_read(GICD_CTLR));
	printf("icc_igrpen0: %lu icc_igrpen1: %lu\n", sysreg_read(ICC_IGRPEN0_EL1) & 1,
	       sysreg_read(ICC_IGRPEN1_EL1) & 1);
	printf("icc_bpr0: %lu\n", sysreg_read(ICC_BPR0_EL1) & 7);
	gic_spi_set_group(SPI_G0, 0);
	gic_spi_set_group(SPI_G0_LOW, 0);
	gic_spi_set_priority(SPI_G0, 0x80);
	gic_spi_set_priority(SPI_G0_LOW, 0xc0);
	gic_spi_set_priority(SPI_G1, 0xa0);
	gic_spi_set_priority(SPI_G1_TOP, 0x40);
	printf("igroupr1: 0x%08x\n", gicd_read(GICD_IGROUPR + 4));
	gic_spi_enable(SPI_G0);
	gic_spi_enable(SPI_G0_LOW);
	gic_spi_enable(SPI_G1);
	gic_spi_enable(SPI_G1_TOP);

	/* 1. Group 0 pending while IRQ and FIQ are masked: only the Group 0 registers see it. */
	gic_spi_pend(SPI_G0);
	printf("group 0 pending, masked: hppir0 %u hppir1 %u\n", hppir0(), gic_hppir1());
	printf("icc_iar1 read: %lu\n", sysreg_read(ICC_IAR1_EL1) & 0xffffff);
	printf("after icc_iar1: pending %u active %u\n", gic_spi_is_pending(SPI_G0), gic_spi_is_active(SPI_G0));
	irq_enable();
	spin(NEG_SPIN);
	printf("irq unmasked, fiq masked: taken %u\n", hits[SPI_G0]);
	CHECK(hits[SPI_G0] == 0, "group 0 interrupt taken as IRQ");
	fiq_enable();
	wait_eq(&hits[SPI_G0], 1, WAIT_LIMIT, "group 0 spi 46 as fiq");
	printf("fiq unmasked:\n");
	print_events();

	/* 2. Group 1 handler (0xa0) unmasks FIQ: Group 0 0x80 preempts it, Group 0 0xc0 waits for its EOI. */
	phase = 1;
	gic_spi_pend(SPI_G1);
	wait_eq(&hits[SPI_G1], 1, WAIT_LIMIT, "group 1 spi 40");
	wait_eq(&hits[SPI_G0_LOW], 1, WAIT_LIMIT, "group 0 spi 47 after spi 40");
	printf("group 0 preempting group 1:\n");
	print_events();

	/* 3. Group 0 handler (0x80) unmasks IRQ: Group 1 0x40 preempts it. */
	phase = 2;
	gic_spi_pend(SPI_G0);
	wait_eq(&hits[SPI_G0], 3, WAIT_LIMIT, "group 0 spi 46 (phase 3)");
	printf("group 1 preempting group 0:\n");
	print_events();

	printf("end: rpr 0x%x ap0r0 0x%08x ap1r0 0x%08x hppir0 %u hppir1 %u\n", gic_rpr(), ap0r0(), ap1r0(),
	       hppir0(), gic_hppir1());
	CHECK(hits[SPI_G0] == 3 && hits[SPI_G1] == 1 && hits[SPI_G0_LOW] == 1 && hits[SPI_G1_TOP] == 1,
	      "hit counts");
	pass();
}
