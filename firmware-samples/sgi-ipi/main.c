/*
 * sgi-ipi: PSCI CPU_ON of CPU1, SGIs between CPU0 and CPU1 through ICC_SGI1R_EL1, an SPI
 * routed to CPU1 with GICD_IROUTER, ROUNDS ping-pong round trips, then CPU_OFF of CPU1.
 * Only CPU0 prints; CPU1 reports through memory (each variable has one writer).
 *   -DROUNDS=n   number of round trips (sgi-ipi-bench: 100000)
 *   -DWAIT_WFI   CPU0 waits with the Linux idle pattern (mask, check, WFI, unmask)
 */
#include "lib.h"

#ifndef ROUNDS
#define ROUNDS 1000
#endif

#if defined(BENCH) && defined(WAIT_WFI)
SAMPLE("sgi-ipi-wfi-bench");
#elif defined(BENCH)
SAMPLE("sgi-ipi-bench");
#elif defined(WAIT_WFI)
SAMPLE("sgi-ipi-wfi");
#else
SAMPLE("sgi-ipi");
#endif

#define SGI_SELF 3
#define SGI_PING 5	/* CPU0 -> CPU1 */
#define SGI_PONG 6	/* CPU1 -> CPU0 */
#define SGI_STOP 7	/* CPU0 -> CPU1: CPU_OFF */
#define SPI_CPU1 42	/* routed to CPU1 */
#define CPU1_CTX 0x5a5a0001UL

static u64 cpu0_mpidr, cpu1_mpidr;

/* Written by CPU1 only. */
static volatile u32 cpu1_ready, cpu1_el, cpu1_frame;
static volatile u64 cpu1_ctx;
static volatile u32 pings, ping_intid, ping_cpu;
static volatile u32 spi_hits, spi_intid, spi_cpu;
/* Written by CPU0 only. */
static volatile u32 pongs, pong_intid, pong_cpu;
static volatile u32 self_hits, self_intid, self_cpu;

static void self_handler(unsigned int intid, unsigned int cpu)
{
	self_intid = intid;
	self_cpu = cpu;
	self_hits++;
}

static void ping_handler(unsigned int intid, unsigned int cpu)
{
	if (pings == 0) {
		ping_intid = intid;
		ping_cpu = cpu;
	}
	pings++;
	gic_send_sgi(SGI_PONG, cpu0_mpidr);	/* includes DSB: pings is visible first */
}

static void pong_handler(unsigned int intid, unsigned int cpu)
{
	if (pongs == 0) {
		pong_intid = intid;
		pong_cpu = cpu;
	}
	pongs++;
}

static void spi_handler(unsigned int intid, unsigned int cpu)
{
	spi_intid = intid;
	spi_cpu = cpu;
	dmb(sy);
	spi_hits++;
}

static void stop_handler(unsigned int intid, unsigned int cpu)
{
	(void)intid;
	(void)cpu;
	irq_eoi_now();
	psci_cpu_off();
}

void secondary_main(unsigned int cpu, u64 ctx)
{
	(void)cpu;
	cpu1_ctx = ctx;
	cpu1_el = current_el();
	gic_cpu_init();
	gic_local_enable(SGI_PING);
	gic_local_enable(SGI_STOP);
	cpu1_frame = gicr_index();
	dsb(sy);
	cpu1_ready = 1;
	irq_enable();
	/* All work happens in the handlers; WFI is the wake-up point. */
	for (;;)
		wfi();
}

static void wait_pongs(u32 n)
{
#ifdef WAIT_WFI
	wait_eq_wfi(&pongs, n);
#else
	wait_eq(&pongs, n, WAIT_LIMIT, "pong");
#endif
}

static const char *aff_state(s64 r)
{
	return r == 0 ? "ON" : r == 1 ? "OFF" : r == 2 ? "ON_PENDING" : "error";
}

int main(void)
{
	s64 v = psci_version(), r;

	printf("psci version: %ld.%ld\n", (v >> 16) & 0xffff, v & 0xffff);
	printf("rounds: %u\n", ROUNDS);
	cpu0_mpidr = mpidr_affinity(read_mpidr());
	cpu1_mpidr = (cpu0_mpidr & ~0xffUL) | 1;

	gic_dist_init();
	gic_cpu_init();
	irq_register(SGI_SELF, self_handler);
	irq_register(SGI_PING, ping_handler);
	irq_register(SGI_PONG, pong_handler);
	irq_register(SGI_STOP, stop_handler);
	irq_register(SPI_CPU1, spi_handler);
	gic_local_enable(SGI_SELF);
	gic_local_enable(SGI_PONG);
	irq_enable();

	/* SGI to self. */
	gic_send_sgi(SGI_SELF, cpu0_mpidr);
	wait_eq(&self_hits, 1, WAIT_LIMIT, "self sgi");
	printf("self sgi: intid %u on cpu%u\n", self_intid, self_cpu);

	/* Bring up CPU1. */
	r = psci_affinity_info(cpu1_mpidr);
	printf("affinity_info(cpu1) before cpu_on: %ld (%s)\n", r, aff_state(r));
	r = psci_cpu_on(cpu1_mpidr, secondary_entry, CPU1_CTX);
	printf("cpu_on(cpu1): %ld\n", r);
	CHECK(r == PSCI_RET_SUCCESS, "CPU_ON returned %ld", r);
	wait_eq(&cpu1_ready, 1, WAIT_LIMIT, "cpu1 start-up");
	printf("cpu1: el %u context 0x%lx gicr frame %u\n", cpu1_el, cpu1_ctx, cpu1_frame);
	CHECK(cpu1_ctx == CPU1_CTX, "context id not passed in x0");
	r = psci_cpu_on(cpu1_mpidr, secondary_entry, CPU1_CTX);
	printf("cpu_on(cpu1) again: %ld\n", r);
	r = psci_affinity_info(cpu1_mpidr);
	printf("affinity_info(cpu1): %ld (%s)\n", r, aff_state(r));
	CHECK(r == 0, "CPU1 not ON");

	/* SPI routed to CPU1 by affinity. */
	gic_spi_route(SPI_CPU1, cpu1_mpidr);
	gic_spi_enable(SPI_CPU1);
	gic_spi_pend(SPI_CPU1);
	wait_eq(&spi_hits, 1, WAIT_LIMIT, "spi on cpu1");
	printf("spi %u routed to cpu1: handled intid %u on cpu%u\n", SPI_CPU1, spi_intid, spi_cpu);
	CHECK(spi_cpu == 1, "SPI handled on the wrong CPU");

	/* Ping-pong: each trip waits for the previous one, so the counts are exact. */
	for (u32 i = 0; i < ROUNDS; i++) {
		gic_send_sgi(SGI_PING, cpu1_mpidr);
		wait_pongs(i + 1);
	}
	printf("first ping: intid %u on cpu%u\n", ping_intid, ping_cpu);
	printf("first pong: intid %u on cpu%u\n", pong_intid, pong_cpu);
	printf("round trips: %u\n", (u32)pongs);
	printf("cpu1 pings: %u\n", (u32)pings);
	CHECK(pings == ROUNDS && pongs == ROUNDS, "round-trip counts differ");

	/* Ask CPU1 to power itself off, then watch AFFINITY_INFO. */
	gic_send_sgi(SGI_STOP, cpu1_mpidr);
	r = -1;
	for (u32 n = 0; n < 1000000 && r != 1; n++)
		r = psci_affinity_info(cpu1_mpidr);
	printf("affinity_info(cpu1) after cpu_off: %ld (%s)\n", r, aff_state(r));
	CHECK(r == 1, "CPU1 did not turn off");
	pass();
}
