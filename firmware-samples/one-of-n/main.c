/*
 * one-of-n: an SPI with GICD_IROUTER.Interrupt_Routing_Mode = 1 ("any participating PE") while 4 CPUs are
 * online with Group 1 enabled. Each of 32 software-pended instances must be taken by exactly one CPU.
 * Which CPU is IMPLEMENTATION DEFINED, and a GIC with GICD_TYPER.No1N = 1 need not implement 1-of-N at all
 * (QEMU 7.2: No1N = 1, IRM is stored but the affinity fields route the SPI), so the sample prints only
 * counts and that no instance was taken twice or lost. Round 2: CPU0 clears ICC_IGRPEN1_EL1, so it must
 * not take any instance (it no longer participates; the affinity fields name CPU2 for a No1N GIC).
 * GICD_TYPER.No1N and the IROUTER read-back differ between GICs and are not printed.
 */
#include "lib.h"

SAMPLE("one-of-n");

#define NCPUS      4
#define SPI_ANY    40
#define INSTANCES  32
#define IROUTER_IRM BIT(31)

#define NEG_SPIN 200000

static volatile u32 cpu_ready[NCPUS];
static volatile u32 taken[NCPUS];			/* written by that CPU only */
static volatile u8 seen[NCPUS][INSTANCES];		/* written by that CPU only */
static volatile u32 instance;				/* written by CPU0 only */
static volatile u32 bad_intid;

static void any_handler(unsigned int intid, unsigned int cpu)
{
	if (intid != SPI_ANY || cpu >= NCPUS) {
		bad_intid = intid;
		return;
	}
	if (instance < INSTANCES)
		seen[cpu][instance]++;
	dmb(sy);
	taken[cpu]++;
}

void secondary_main(unsigned int cpu, u64 ctx)
{
	(void)ctx;
	gic_cpu_init();
	dsb(sy);
	cpu_ready[cpu] = 1;
	irq_enable();
	for (;;)
		wfi();
}

static u32 total_taken(void)
{
	u32 t = 0;
	for (int c = 0; c < NCPUS; c++)
		t += taken[c];
	return t;
}

/* Pend INSTANCES instances one after another (each waits for the previous one to be taken). */
static void run_round(int round)
{
	u32 base = total_taken(), cpu0_before = taken[0];

	for (u32 i = 0; i < INSTANCES; i++)
		for (int c = 0; c < NCPUS; c++)
			seen[c][i] = 0;
	for (u32 i = 0; i < INSTANCES; i++) {
		instance = i;
		dsb(sy);
		gic_spi_pend(SPI_ANY);
		for (u64 n = 0; total_taken() != base + i + 1; n++) {
			if (n >= WAIT_LIMIT)
				fail("timeout waiting for instance %u (taken %u)", i, total_taken() - base);
			cpu_relax();
		}
	}
	spin(NEG_SPIN);
	instance = INSTANCES;

	u32 twice = 0, never = 0;
	for (u32 i = 0; i < INSTANCES; i++) {
		u32 s = 0;
		for (int c = 0; c < NCPUS; c++)
			s += seen[c][i];
		twice += s > 1;
		never += s == 0;
	}
	printf("  instances pended: %u\n", INSTANCES);
	printf("  instances taken: %u\n", total_taken() - base);
	printf("  instances taken twice: %u\n", twice);
	printf("  instances never taken: %u\n", never);
	if (round == 1)
		printf("  taken by cpu0: %u\n", taken[0] - cpu0_before);
	printf("  spi after: pending %u active %u\n", gic_spi_is_pending(SPI_ANY), gic_spi_is_active(SPI_ANY));
	CHECK(total_taken() - base == INSTANCES && twice == 0 && never == 0, "1-of-N delivery (round %d)",
	      round + 1);
	CHECK(round == 0 || taken[0] == cpu0_before, "cpu0 took an instance with group 1 disabled");
}

int main(void)
{
	u64 mpidr0 = mpidr_affinity(read_mpidr());
	int online = 1;

	gic_dist_init();
	gic_cpu_init();
	irq_register(SPI_ANY, any_handler);

	for (int c = 1; c < NCPUS; c++) {
		s64 r = psci_cpu_on((mpidr0 & ~0xffUL) | c, secondary_entry, c);
		CHECK(r == PSCI_RET_SUCCESS, "CPU_ON(cpu%d) returned %ld", c, r);
	}
	for (int c = 1; c < NCPUS; c++) {
		wait_eq(&cpu_ready[c], 1, WAIT_LIMIT, "secondary start-up");
		online++;
	}
	printf("cpus online: %d\n", online);

	gic_spi_set_priority(SPI_ANY, 0x80);
	mmio_write64(GICD_BASE + GICD_IROUTER + 8 * SPI_ANY, IROUTER_IRM);
	gic_spi_enable(SPI_ANY);
	irq_enable();

	printf("round 1: all cpus participate\n");
	run_round(0);
	/* Round 2: CPU0 leaves (ICC_IGRPEN1_EL1 = 0, so it takes no Group 1 interrupt); the affinity fields
	 * name CPU2 for a GIC without 1-of-N. */
	sysreg_write(ICC_IGRPEN1_EL1, 0);
	isb();
	mmio_write64(GICD_BASE + GICD_IROUTER + 8 * SPI_ANY, IROUTER_IRM | (mpidr0 & ~0xffUL) | 2);
	printf("round 2: cpu0 icc_igrpen1 %lu\n", sysreg_read(ICC_IGRPEN1_EL1) & 1);
	run_round(1);
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	isb();
	CHECK(bad_intid == 0, "unexpected intid %u", bad_intid);
	pass();
}
