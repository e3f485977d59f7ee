/*
 * uart-txirq: a real device interrupt. The PL011's TX interrupt (UARTIMSC.TXIM) on SPI 1
 * (INTID 33), level-sensitive, routed to CPU0; the handler masks and clears it.
 */
#include "lib.h"

SAMPLE("uart-txirq");

#define UART_BASE   0x09000000UL
#define UART_RIS    0x3C
#define UART_MIS    0x40
#define UART_IMSC   0x38
#define UART_ICR    0x44
#define UART_TXI    BIT(5)
#define UART_INTID  33

static volatile u32 hits, got_intid, got_mis, line_pending;

static void uart_handler(unsigned int intid, unsigned int cpu)
{
	(void)cpu;
	got_intid = intid;
	got_mis = mmio_read32(UART_BASE + UART_MIS);
	mmio_write32(UART_BASE + UART_IMSC, mmio_read32(UART_BASE + UART_IMSC) & ~UART_TXI);
	mmio_write32(UART_BASE + UART_ICR, UART_TXI);
	dmb(sy);
	hits++;
}

int main(void)
{
	gic_dist_init();
	gic_cpu_init();
	irq_register(UART_INTID, uart_handler);
	gic_spi_set_priority(UART_INTID, 0x80);
	gic_spi_route(UART_INTID, read_mpidr());
	gic_spi_enable(UART_INTID);

	mmio_write32(UART_BASE + UART_ICR, 0x7ff);
	printf("uart imsc before: 0x%x\n", mmio_read32(UART_BASE + UART_IMSC));
	irq_enable();
	/* Enable the TX interrupt, then transmit: the (now empty) transmitter raises TXRIS. */
	mmio_write32(UART_BASE + UART_IMSC, UART_TXI);
	printf("transmitting with txim set\n");
	wait_eq(&hits, 1, WAIT_LIMIT, "uart tx interrupt");
	printf("irq: intid %u uartmis.txmis %u\n", got_intid, (got_mis >> 5) & 1);
	printf("after handler: imsc 0x%x mis 0x%x spi pending %u\n",
	       mmio_read32(UART_BASE + UART_IMSC), mmio_read32(UART_BASE + UART_MIS),
	       gic_spi_is_pending(UART_INTID));
	CHECK(got_intid == UART_INTID && (got_mis & UART_TXI), "uart tx interrupt");
	CHECK(hits == 1, "more than one tx interrupt");
	pass();
}
