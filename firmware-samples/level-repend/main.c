/*
 * level-repend: a level-sensitive interrupt whose source stays asserted is pending again as soon as it is
 * deactivated, so a handler that does not quiet its device is re-entered after every EOI. Two sources:
 * the virtual timer (PPI 27; the generic timer output is a level) and the PL011 TX interrupt (SPI 1,
 * INTID 33, UARTIMSC.TXIM). Each handler leaves the source asserted twice, and quiets it (timer IMASK;
 * UART TXIM cleared and UARTICR) on the third entry. While the line is high the interrupt reads active
 * and pending in its handler; once quieted, it reads not pending.
 */
#include "lib.h"

SAMPLE("level-repend");

#define VTIMER_INTID 27
#define UART_BASE    0x09000000UL
#define UART_IMSC    0x38
#define UART_RIS     0x3C
#define UART_MIS     0x40
#define UART_ICR     0x44
#define UART_TXI     BIT(5)
#define UART_INTID   33
#define ENTRIES      3

#define NEG_SPIN 200000

struct entry { u32 pending, active, status, pending_after; };

static volatile u32 timer_hits, uart_hits;
static struct entry timer_log[ENTRIES + 1], uart_log[ENTRIES + 1];

static int local_is_active(unsigned int intid)
{
	return (mmio_read32(gicr_sgi_base() + GICR_ISACTIVER0) >> intid) & 1;
}

static void timer_handler(unsigned int intid, unsigned int cpu)
{
	u32 n = timer_hits;
	(void)cpu;
	if (n < ENTRIES) {
		timer_log[n].pending = gic_local_is_pending(intid);
		timer_log[n].active = local_is_active(intid);
		timer_log[n].status = (vtimer_ctl() & CNT_CTL_ISTATUS) ? 1 : 0;
		if (n == ENTRIES - 1)
			vtimer_set_ctl(CNT_CTL_ENABLE | CNT_CTL_IMASK);	/* quiet the source */
		timer_log[n].pending_after = gic_local_is_pending(intid);
	} else {
		vtimer_set_ctl(0);
	}
	dmb(sy);
	timer_hits = n + 1;
}

static void uart_handler(unsigned int intid, unsigned int cpu)
{
	u32 n = uart_hits;
	(void)cpu;
	if (n < ENTRIES) {
		uart_log[n].pending = gic_spi_is_pending(intid);
		uart_log[n].active = gic_spi_is_active(intid);
		uart_log[n].status = (mmio_read32(UART_BASE + UART_MIS) & UART_TXI) ? 1 : 0;
	}
	if (n >= ENTRIES - 1) {
		mmio_write32(UART_BASE + UART_IMSC, mmio_read32(UART_BASE + UART_IMSC) & ~UART_TXI);
		mmio_write32(UART_BASE + UART_ICR, UART_TXI);
	}
	if (n < ENTRIES)
		uart_log[n].pending_after = gic_spi_is_pending(intid);
	dmb(sy);
	uart_hits = n + 1;
}

static void print_log(const char *what, struct entry *log)
{
	for (u32 i = 0; i < ENTRIES; i++)
		printf("%s entry %u: pending %u active %u %s %u; after handler's work: pending %u\n", what, i + 1,
		       log[i].pending, log[i].active, log == timer_log ? "istatus" : "txmis", log[i].status,
		       log[i].pending_after);
}

int main(void)
{
	u64 freq = timer_freq();

	gic_dist_init();
	gic_cpu_init();
	printf("cntfrq: %lu\n", freq);

	/* 1. Virtual timer PPI 27, level-sensitive (GICR_ICFGR1 reads level for it). */
	irq_register(VTIMER_INTID, timer_handler);
	gic_local_set_priority(VTIMER_INTID, 0x80);
	printf("icfgr1 ppi %u edge: %u\n", VTIMER_INTID,
	       (mmio_read32(gicr_sgi_base() + GICR_ICFGR1) >> ((VTIMER_INTID - 16) * 2 + 1)) & 1);
	vtimer_set_ctl(0);
	gic_local_enable(VTIMER_INTID);
	irq_enable();
	vtimer_set_tval(freq / 10000);		/* 100 us; the handler never re-arms it */
	vtimer_set_ctl(CNT_CTL_ENABLE);
	wait_eq(&timer_hits, ENTRIES, WAIT_LIMIT, "virtual timer entries");
	spin(NEG_SPIN);
	print_log("timer", timer_log);
	printf("timer entries: %u\n", timer_hits);
	printf("timer after: ctl 0x%x ppi pending %u active %u\n", vtimer_ctl(),
	       gic_local_is_pending(VTIMER_INTID), local_is_active(VTIMER_INTID));
	CHECK(timer_hits == ENTRIES, "timer handler entered %u times", timer_hits);
	vtimer_set_ctl(0);
	gic_local_disable(VTIMER_INTID);

	/* 2. PL011 TX interrupt on SPI 33, level-sensitive: TXRIS stays set until UARTICR. */
	irq_register(UART_INTID, uart_handler);
	gic_spi_set_priority(UART_INTID, 0x80);
	gic_spi_route(UART_INTID, read_mpidr());
	gic_spi_enable(UART_INTID);
	mmio_write32(UART_BASE + UART_ICR, 0x7ff);
	printf("uart before: imsc 0x%x spi pending %u\n", mmio_read32(UART_BASE + UART_IMSC),
	       gic_spi_is_pending(UART_INTID));
	mmio_write32(UART_BASE + UART_IMSC, UART_TXI);
	printf("transmitting with txim set\n");	/* the first byte raises TXRIS */
	wait_eq(&uart_hits, ENTRIES, WAIT_LIMIT, "uart tx entries");
	spin(NEG_SPIN);
	print_log("uart", uart_log);
	printf("uart entries: %u\n", uart_hits);
	printf("uart after: imsc 0x%x spi pending %u active %u\n", mmio_read32(UART_BASE + UART_IMSC),
	       gic_spi_is_pending(UART_INTID), gic_spi_is_active(UART_INTID));
	CHECK(uart_hits == ENTRIES, "uart handler entered %u times", uart_hits);
	pass();
}
