/*
 * ppi-timer: generic-timer PPIs through the redistributor.
 * Part 1: virtual timer (CNTV_*, PPI 27). Part 2: the physical timer of the current EL:
 * CNTP_* (PPI 30) at EL1, CNTHP_* (PPI 26) at EL2. Each takes TICKS interrupts about 1 ms
 * apart (the handler reprograms TVAL, and disables the timer after the last one), then checks
 * the timer's IMASK and the level-sensitive PPI's pending state.
 */
#include "lib.h"

SAMPLE("ppi-timer");

#define TICKS 3
#define VTIMER_INTID 27
#define NEG_SPIN 200000

struct timer_ops {
	const char *name;
	unsigned int intid;
	void (*set_tval)(u32);
	void (*set_ctl)(u32);
	u32 (*ctl)(void);
	u64 (*cval)(void);
	u64 (*count)(void);
};

static u32 vctl(void) { return vtimer_ctl(); }
static void vset_tval(u32 t) { vtimer_set_tval(t); }
static void vset_ctl(u32 c) { vtimer_set_ctl(c); }
static u64 vcval(void) { return vtimer_cval(); }

static struct timer_ops timers[2];
static volatile const struct timer_ops *cur;
static u32 interval;
static volatile u32 hits, bad_istatus, early;

static void timer_handler(unsigned int intid, unsigned int cpu)
{
	const struct timer_ops *t = (const struct timer_ops *)cur;
	u32 ctl = t->ctl();
	u64 now = t->count();

	if (!(ctl & CNT_CTL_ISTATUS))
		bad_istatus++;
	if (now < t->cval())
		early++;
	hits++;
	printf("ppi: intid %u on cpu%u (%s tick %u) istatus %u\n", intid, cpu, t->name, (u32)hits,
	       (ctl >> 2) & 1);
	if (hits < TICKS)
		t->set_tval(interval);		/* re-arm: deasserts the level */
	else
		t->set_ctl(0);			/* disable: deasserts the level */
}

/* The line level may reach the redistributor a little later: poll (bounded) for `want`. */
static u32 wait_local_pending(unsigned int intid, u32 want)
{
	u32 p = gic_local_is_pending(intid);
	for (u32 n = 0; p != want && n < 1000000; n++)
		p = gic_local_is_pending(intid);
	return p;
}

static void run(const struct timer_ops *t)
{
	u64 start;
	u32 n;

	printf("%s: intid %u\n", t->name, t->intid);
	cur = t;
	hits = bad_istatus = early = 0;
	irq_register(t->intid, timer_handler);
	gic_local_set_priority(t->intid, 0x80);
	gic_local_enable(t->intid);

	start = t->count();
	t->set_tval(interval);
	t->set_ctl(CNT_CTL_ENABLE);
	wait_eq(&hits, TICKS, WAIT_LIMIT, t->name);
	printf("%s: %u ticks, elapsed >= %u intervals: %s\n", t->name, (u32)hits, TICKS,
	       t->count() - start >= (u64)TICKS * interval ? "yes" : "no");
	printf("%s: ctl after last tick 0x%x\n", t->name, t->ctl());
	CHECK(bad_istatus == 0, "%s: handler saw ISTATUS = 0", t->name);
	CHECK(early == 0, "%s: interrupt before the deadline", t->name);
	CHECK(t->count() - start >= (u64)TICKS * interval, "%s: too fast", t->name);

	/* IMASK: the condition holds (TVAL = 0) but the output stays low. */
	n = hits;
	t->set_tval(0);
	t->set_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);
	spin(NEG_SPIN);
	printf("%s: imask ctl 0x%x delivered %u ppi pending %u\n", t->name, t->ctl(), hits - n,
	       gic_local_is_pending(t->intid));
	CHECK(hits == n, "%s: interrupt delivered with IMASK", t->name);

	/* Level-sensitive PPI: pending follows the timer output while disabled in the GIC. */
	gic_local_disable(t->intid);
	t->set_ctl(CNT_CTL_ENABLE);
	printf("%s: gic-disabled, output high: ppi pending %u\n", t->name,
	       wait_local_pending(t->intid, 1));
	t->set_ctl(0);
	printf("%s: timer off: ppi pending %u\n", t->name, wait_local_pending(t->intid, 0));
	CHECK(hits == n, "%s: disabled PPI delivered", t->name);
}

int main(void)
{
	u64 freq = timer_freq();

	printf("cntfrq: %lu\n", freq);
	CHECK(freq >= 1000, "CNTFRQ_EL0 not set");
	interval = freq / 1000;		/* 1 ms */

	timers[0] = (struct timer_ops){ "cntv", VTIMER_INTID, vset_tval, vset_ctl, vctl, vcval,
					read_cntvct };
	timers[1] = (struct timer_ops){ ptimer_name(), ptimer_intid(), ptimer_set_tval,
					ptimer_set_ctl, ptimer_ctl, ptimer_cval, read_cntpct };
	vtimer_set_ctl(0);
	ptimer_set_ctl(0);

	gic_dist_init();
	gic_cpu_init();
	irq_enable();
	run(&timers[0]);
	run(&timers[1]);
	pass();
}
