/*
 * priority-preempt: nested Group 1 interrupts. A handler unmasks IRQs (after saving ELR/SPSR) and is
 * preempted by an interrupt of higher group priority, but not by one of equal priority. The log shows
 * ICC_RPR_EL1 and ICC_AP1R0_EL1 at every entry and the order of the EOIs (innermost first). A second
 * round sets ICC_BPR1_EL1 = 6 (group priority = bits [7:6]): 0xa0 and 0x80 then share a group priority
 * and do not preempt each other, and RPR shows the group priority, not the interrupt's priority.
 */
#include "lib.h"

SAMPLE("priority-preempt");

#define ICC_AP1R0_EL1 S3_0_C12_C9_0

#define SPI_LOW  40	/* priority 0xa0 */
#define SPI_MID  41	/* priority 0x80 */
#define SPI_TOP  42	/* priority 0x40 */
#define SPI_SAME 43	/* priority 0x80, the same as SPI_MID */

#define NEG_SPIN 200000	/* polls during which an interrupt must NOT arrive */

static volatile u32 hits[64];
static int bpr_round;

/* Events are logged by the handlers and printed by main afterwards (handlers must not print). */
enum { EV_ENTER, EV_EOI, EV_NOT_TAKEN };
static struct { u32 kind, intid, rpr, ap1r0, other; } events[32];
static volatile u32 nevents;

static u32 ap1r0(void) { return sysreg_read(ICC_AP1R0_EL1) & 0xffffffff; }

static void log_event(u32 kind, u32 intid, u32 other)
{
	if (nevents < 32) {
		events[nevents].kind = kind;
		events[nevents].intid = intid;
		events[nevents].rpr = gic_rpr();
		events[nevents].ap1r0 = ap1r0();
		events[nevents].other = other;
	}
	dmb(sy);
	nevents++;
}

/* EOI now and log the running priority before (in `other`) and after it. */
static void eoi_logged(unsigned int intid)
{
	u32 before = gic_rpr();
	irq_eoi_now();
	log_event(EV_EOI, intid, before);
}

static void top_handler(unsigned int intid, unsigned int cpu)
{
	(void)cpu;
	log_event(EV_ENTER, intid, 0);
	hits[intid]++;
	eoi_logged(intid);
}

static void same_handler(unsigned int intid, unsigned int cpu)
{
	(void)cpu;
	log_event(EV_ENTER, intid, 0);
	hits[intid]++;
	eoi_logged(intid);
}

/* SPI_MID (round 1): nests; an equal-priority SPI must wait, a higher one preempts. */
static void mid_handler(unsigned int intid, unsigned int cpu)
{
	struct irq_frame f;
	(void)cpu;
	log_event(EV_ENTER, intid, 0);
	if (bpr_round) {	/* taken after SPI_LOW's EOI: no nesting */
		hits[intid]++;
		eoi_logged(intid);
		return;
	}
	irq_nest_save(&f);
	irq_enable();
	gic_spi_pend(SPI_SAME);
	spin(NEG_SPIN);
	if (hits[SPI_SAME] == 0)
		log_event(EV_NOT_TAKEN, SPI_SAME, gic_hppir1());
	gic_spi_pend(SPI_TOP);
	wait_eq(&hits[SPI_TOP], 1, WAIT_LIMIT, "spi 42 preempting spi 41");
	irq_nest_restore(&f);
	hits[intid]++;
	eoi_logged(intid);
}

/* SPI_LOW: nests; SPI_MID preempts it (round 1) or must wait (BPR round). */
static void low_handler(unsigned int intid, unsigned int cpu)
{
	struct irq_frame f;
	(void)cpu;
	log_event(EV_ENTER, intid, 0);
	irq_nest_save(&f);
	irq_enable();
	gic_spi_pend(SPI_MID);
	if (!bpr_round) {
		wait_eq(&hits[SPI_MID], 1, WAIT_LIMIT, "spi 41 preempting spi 40");
		/* SPI_SAME became signallable when SPI_MID dropped its priority: it preempts us now. */
		wait_eq(&hits[SPI_SAME], 1, WAIT_LIMIT, "spi 43 after spi 41's eoi");
	} else {
		spin(NEG_SPIN);
		if (hits[SPI_MID] == 1)
			log_event(EV_NOT_TAKEN, SPI_MID, gic_hppir1());
		gic_spi_pend(SPI_TOP);
		wait_eq(&hits[SPI_TOP], 2, WAIT_LIMIT, "spi 42 preempting spi 40 (bpr round)");
	}
	irq_nest_restore(&f);
	hits[intid]++;
	eoi_logged(intid);
}

static void print_events(void)
{
	for (u32 i = 0; i < nevents && i < 32; i++) {
		switch (events[i].kind) {
		case EV_ENTER:
			printf("  enter %u: rpr 0x%x ap1r0 0x%08x\n", events[i].intid, events[i].rpr,
			       events[i].ap1r0);
			break;
		case EV_EOI:
			printf("  eoi %u: rpr 0x%x -> 0x%x ap1r0 0x%08x\n", events[i].intid, events[i].other,
			       events[i].rpr, events[i].ap1r0);
			break;
		default:
			printf("  %u pending, not taken: rpr 0x%x hppir1 %u\n", events[i].intid, events[i].rpr,
			       events[i].other);
			break;
		}
	}
	nevents = 0;
}

int main(void)
{
	gic_dist_init();
	gic_cpu_init();
	irq_register(SPI_LOW, low_handler);
	irq_register(SPI_MID, mid_handler);
	irq_register(SPI_TOP, top_handler);
	irq_register(SPI_SAME, same_handler);
	gic_spi_set_priority(SPI_LOW, 0xa0);
	gic_spi_set_priority(SPI_MID, 0x80);
	gic_spi_set_priority(SPI_TOP, 0x40);
	gic_spi_set_priority(SPI_SAME, 0x80);
	gic_spi_enable(SPI_LOW);
	gic_spi_enable(SPI_MID);
	gic_spi_enable(SPI_TOP);
	gic_spi_enable(SPI_SAME);
	printf("icc_bpr1: %lu\n", sysreg_read(ICC_BPR1_EL1) & 7);
	printf("priorities: %u=0xa0 %u=0x80 %u=0x40 %u=0x80\n", SPI_LOW, SPI_MID, SPI_TOP, SPI_SAME);
	printf("rpr idle: 0x%x ap1r0 0x%08x\n", gic_rpr(), ap1r0());

	/* Round 1: 40 <- 41 <- 42 nested; 43 (same priority as 41) waits for 41's EOI, then preempts 40. */
	irq_enable();
	gic_spi_pend(SPI_LOW);
	wait_eq(&hits[SPI_LOW], 1, WAIT_LIMIT, "spi 40");
	printf("nesting (bpr1 minimum):\n");
	print_events();
	printf("hits: %u=%u %u=%u %u=%u %u=%u\n", SPI_LOW, hits[SPI_LOW], SPI_MID, hits[SPI_MID], SPI_TOP,
	       hits[SPI_TOP], SPI_SAME, hits[SPI_SAME]);
	printf("after: rpr 0x%x ap1r0 0x%08x\n", gic_rpr(), ap1r0());
	CHECK(hits[SPI_LOW] == 1 && hits[SPI_MID] == 1 && hits[SPI_TOP] == 1 && hits[SPI_SAME] == 1,
	      "round 1 hit counts");

	/* Round 2: BPR1 = 6, group priority bits [7:6]: 0xa0 and 0x80 are both group priority 0x80. */
	irq_disable();
	bpr_round = 1;
	sysreg_write(ICC_BPR1_EL1, 6);
	isb();
	printf("icc_bpr1 written 6: %lu\n", sysreg_read(ICC_BPR1_EL1) & 7);
	irq_enable();
	gic_spi_pend(SPI_LOW);
	wait_eq(&hits[SPI_LOW], 2, WAIT_LIMIT, "spi 40 (bpr round)");
	wait_eq(&hits[SPI_MID], 2, WAIT_LIMIT, "spi 41 (bpr round)");
	printf("nesting (bpr1 6):\n");
	print_events();
	printf("after: rpr 0x%x ap1r0 0x%08x\n", gic_rpr(), ap1r0());
	CHECK(hits[SPI_TOP] == 2 && hits[SPI_MID] == 2, "round 2 hit counts");

	irq_disable();
	sysreg_write(ICC_BPR1_EL1, 0);
	isb();
	printf("icc_bpr1 written 0: %lu\n", sysreg_read(ICC_BPR1_EL1) & 7);
	pass();
}
