/*
 * sgi-broadcast: ICC_SGI1R_EL1 with IRM = 1 ("all PEs except self") from CPU0 while 8 CPUs are online
 * (QEMU -smp 8; CPUs 1-7 started with PSCI CPU_ON). Every other CPU takes the SGI exactly once per
 * broadcast and CPU0 never does, even though CPU0 has the SGI enabled. A broadcast from CPU3 then reaches
 * CPU0 and the others but not CPU3. The TargetList and affinity fields are ignored with IRM = 1.
 */
#include "lib.h"

SAMPLE("sgi-broadcast");

#define NCPUS     8
#define SGI_BCAST 9
#define SGI_GO    10	/* CPU0 -> CPU3: broadcast from there */
#define SGI1R_IRM BIT(40)

#define NEG_SPIN 200000

static volatile u32 cpu_ready[NCPUS];
static volatile u32 hits[NCPUS];		/* written by that CPU only */
static volatile u32 hit_intid[NCPUS];
static volatile u32 cpu3_sent;

static void send_broadcast(unsigned int intid, u64 junk_targets)
{
	dsb(ish);
	sysreg_write(ICC_SGI1R_EL1, SGI1R_IRM | ((u64)intid << 24) | junk_targets);
	isb();
}

static void bcast_handler(unsigned int intid, unsigned int cpu)
{
	hit_intid[cpu] = intid;
	dmb(sy);
	hits[cpu]++;
}

static void go_handler(unsigned int intid, unsigned int cpu)
{
	(void)intid;
	(void)cpu;
	send_broadcast(SGI_BCAST, 0);
	cpu3_sent = 1;
}

void secondary_main(unsigned int cpu, u64 ctx)
{
	(void)ctx;
	gic_cpu_init();
	gic_local_enable(SGI_BCAST);
	gic_local_enable(SGI_GO);
	dsb(sy);
	cpu_ready[cpu] = 1;
	irq_enable();
	for (;;)
		wfi();
}

static u32 others_hits(unsigned int except)
{
	u32 t = 0;
	for (unsigned int c = 0; c < NCPUS; c++)
		if (c != except)
			t += hits[c];
	return t;
}

static void print_hits(void)
{
	printf("  hits:");
	for (int c = 0; c < NCPUS; c++)
		printf(" cpu%d=%u", c, hits[c]);
	printf("\n");
}

static void wait_total(unsigned int except, u32 want, const char *what)
{
	for (u64 n = 0; others_hits(except) != want; n++) {
		if (n >= WAIT_LIMIT)
			fail("timeout waiting for %s (have %u, want %u)", what, others_hits(except), want);
		cpu_relax();
	}
	spin(NEG_SPIN);
}

int main(void)
{
	u64 mpidr0 = mpidr_affinity(read_mpidr());
	int online = 1;

	gic_dist_init();
	gic_cpu_init();
	irq_register(SGI_BCAST, bcast_handler);
	irq_register(SGI_GO, go_handler);
	gic_local_enable(SGI_BCAST);

	for (int c = 1; c < NCPUS; c++) {
		s64 r = psci_cpu_on((mpidr0 & ~0xffUL) | c, secondary_entry, c);
		CHECK(r == PSCI_RET_SUCCESS, "CPU_ON(cpu%d) returned %ld", c, r);
	}
	for (int c = 1; c < NCPUS; c++) {
		wait_eq(&cpu_ready[c], 1, WAIT_LIMIT, "secondary start-up");
		online++;
	}
	printf("cpus online: %d\n", online);
	irq_enable();

	/* 1. From CPU0, target fields zero. */
	send_broadcast(SGI_BCAST, 0);
	wait_total(0, NCPUS - 1, "broadcast 1");
	printf("broadcast 1 from cpu0 (sgi %u):\n", SGI_BCAST);
	print_hits();
	CHECK(hits[0] == 0, "cpu0 took its own broadcast");

	/* 2. From CPU0 again, with TargetList = cpu0 only and Aff1 = 0x12 set: both must be ignored. */
	send_broadcast(SGI_BCAST, (0x12UL << 16) | 1);
	wait_total(0, 2 * (NCPUS - 1), "broadcast 2");
	printf("broadcast 2 from cpu0 (targetlist 0x1, aff1 0x12 ignored):\n");
	print_hits();
	CHECK(hits[0] == 0, "cpu0 took its own broadcast");
	for (int c = 1; c < NCPUS; c++)
		CHECK(hits[c] == 2 && hit_intid[c] == SGI_BCAST, "cpu%d took the broadcasts %u times", c, hits[c]);

	/* 3. CPU3 broadcasts (asked by SGI 10): CPU0 takes it, CPU3 does not. */
	gic_send_sgi(SGI_GO, (mpidr0 & ~0xffUL) | 3);
	wait_eq(&cpu3_sent, 1, WAIT_LIMIT, "cpu3's broadcast");
	wait_total(3, 3 * (NCPUS - 2) + 1, "broadcast 3");	/* cpu0: 1, others but cpu3: 3 each */
	printf("broadcast 3 from cpu3:\n");
	print_hits();
	CHECK(hits[0] == 1 && hits[3] == 2, "broadcast from cpu3");
	printf("cpu0 sgi %u pending: %u\n", SGI_BCAST, gic_local_is_pending(SGI_BCAST));
	pass();
}
