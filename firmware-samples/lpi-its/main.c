/*
 * lpi-its: LPIs through the ITS with every table in RAM. Identification (GICD_TYPER.LPIS, GICR_TYPER.PLPIS,
 * GITS_TYPER, GITS_BASER0/1), LPI tables on CPU0 and CPU1, the ITS tables, MAPD/MAPC/MAPTI, LPIs triggered by
 * GITS_TRANSLATER writes (a CPU is DeviceID 0) and by INT, priorities from the LPI property table (three LPIs
 * pended while IRQs are masked arrive highest priority first; HPPIR1 agrees), no active state (RPR while
 * handling, idle after EOI), CLEAR, INV after a property-table change (disable, re-enable), DISCARD (the event
 * never fires again), and MOVI of a pending LPI from CPU0 to CPU1.
 * Only CPU0 prints; CPU1 reports through memory (each variable has one writer).
 */
#include "lib.h"
#include "its.h"

SAMPLE("lpi-its");

#define LPI_A 8192	/* prio 0xa0 */
#define LPI_B 8193	/* prio 0x80 */
#define LPI_C 8194	/* prio 0x90 */
#define LPI_D 8195	/* prio 0x60, moved to CPU1 */
#define LPI_E 8300	/* INT from device 5 */

/* Written by CPU0's handler only. */
static volatile u32 cpu0_count, cpu0_log[16], cpu0_rpr[16];
/* Written by CPU1 only. */
static volatile u32 cpu1_ready, cpu1_count, cpu1_log[16];

static void lpi_handler(unsigned int intid, unsigned int cpu)
{
	if (cpu == 0) {
		u32 n = cpu0_count;
		if (n < 16) {
			cpu0_log[n] = intid;
			cpu0_rpr[n] = gic_rpr();
		}
		dmb(sy);
		cpu0_count = n + 1;
	} else {
		u32 n = cpu1_count;
		if (n < 16)
			cpu1_log[n] = intid;
		dmb(sy);
		cpu1_count = n + 1;
	}
}

void secondary_main(unsigned int cpu, u64 ctx)
{
	(void)cpu;
	(void)ctx;
	gic_cpu_init();
	lpi_cpu_enable();
	dsb(sy);
	cpu1_ready = 1;
	irq_enable();
	for (;;)
		wfi();
}

static void settle(void)
{
	/* Let a pending interrupt be taken (both emulators take it at the next instruction boundaries). */
	spin(20000);
}

int main(void)
{
	u64 cpu1_mpidr = (mpidr_affinity(read_mpidr()) & ~0xffUL) | 1;
	u64 typer;
	u32 n;
	s64 r;

	gic_dist_init();
	gic_cpu_init();
	irq_register_lpi(lpi_handler);

	printf("gicd_typer.lpis: %lu\n", (gicd_read(GICD_TYPER) & GICD_TYPER_LPIS) >> 17);
	printf("gicd_typer.idbits: %u\n", ((gicd_read(GICD_TYPER) >> 19) & 0x1f) + 1);
	printf("gicr_typer.plpis: %lu\n", mmio_read64(gicr_base() + GICR_TYPER) & GICR_TYPER_PLPIS);
	typer = its_read64(GITS_TYPER);
	printf("gits_typer: 0x%lx\n", typer);
	printf("gits_typer: physical %lu itt_entry_size %lu devbits %lu idbits %lu cidbits %lu pta %lu\n",
	       typer & 1, ((typer >> 4) & 0xf) + 1, ((typer >> 13) & 0x1f) + 1, ((typer >> 8) & 0x1f) + 1,
	       ((typer >> 32) & 0xf) + 1, (typer >> 19) & 1);
	printf("gits_baser0: type %lu entry_size %lu\n", (its_read64(GITS_BASER(0)) >> 56) & 7, ((its_read64(GITS_BASER(0)) >> 48) & 0x1f) + 1);
	printf("gits_baser1: type %lu entry_size %lu\n", (its_read64(GITS_BASER(1)) >> 56) & 7, ((its_read64(GITS_BASER(1)) >> 48) & 0x1f) + 1);
	printf("gits_ctlr.enabled before init: %u\n", its_read32(GITS_CTLR) & 1);

	/* LPI property table: all disabled, then the LPIs used here. */
	for (u64 a = 0; a < (1UL << LPI_ID_BITS) - 8192; a += 4)
		mmio_write32(LPI_PROP_TABLE + a, 0);
	lpi_configure(LPI_A, 0xa0, 1);
	lpi_configure(LPI_B, 0x80, 1);
	lpi_configure(LPI_C, 0x90, 1);
	lpi_configure(LPI_D, 0x60, 1);
	lpi_configure(LPI_E, 0x70, 1);
	lpi_cpu_enable();
	printf("gicr_ctlr.enable_lpis: %u\n", mmio_read32(gicr_base() + GICR_CTLR) & 1);

	r = psci_cpu_on(cpu1_mpidr, secondary_entry, 0);
	CHECK(r == PSCI_RET_SUCCESS, "CPU_ON returned %ld", r);
	wait_eq(&cpu1_ready, 1, WAIT_LIMIT, "cpu1 start-up");

	its_init(0);
	printf("gits_ctlr.enabled: %u\n", its_read32(GITS_CTLR) & 1);
	its_mapd(0, 4, ITS_ITT(0), 1);	/* device 0 (CPU writes of GITS_TRANSLATER), 16 events */
	its_mapd(5, 2, ITS_ITT(5), 1);	/* device 5, 4 events */
	its_mapc(0, 0, 1);		/* collection 0 -> CPU0 (PTA = 0: processor numbers) */
	its_mapc(1, 1, 1);		/* collection 1 -> CPU1 */
	its_mapti(0, 0, LPI_A, 0);
	its_mapti(0, 1, LPI_B, 0);
	its_mapti(0, 2, LPI_C, 0);
	its_mapti(0, 3, LPI_D, 0);
	its_mapti(5, 3, LPI_E, 0);
	its_sync(0);
	printf("creadr after mapping: 0x%lx\n", its_read64(GITS_CREADR));

	/* One LPI through GITS_TRANSLATER. */
	irq_enable();
	its_translate(0);
	wait_eq(&cpu0_count, 1, WAIT_LIMIT, "first lpi");
	printf("translater event 0: intid %u rpr 0x%x\n", cpu0_log[0], cpu0_rpr[0]);
	printf("rpr after eoi: 0x%x\n", gic_rpr());

	/* Priorities from the property table: three LPIs pended with IRQs masked. */
	irq_disable();
	its_translate(0);
	its_translate(1);
	its_translate(2);
	printf("hppir1 with a, b, c pending: %u\n", gic_hppir1());
	irq_enable();
	wait_eq(&cpu0_count, 4, WAIT_LIMIT, "three lpis");
	printf("order: %u %u %u\n", cpu0_log[1], cpu0_log[2], cpu0_log[3]);
	printf("rpr while handling: 0x%x 0x%x 0x%x\n", cpu0_rpr[1], cpu0_rpr[2], cpu0_rpr[3]);

	/* INT from device 5 (no CPU can write as DeviceID 5). */
	its_int(5, 3);
	wait_eq(&cpu0_count, 5, WAIT_LIMIT, "int");
	printf("int device 5 event 3: intid %u\n", cpu0_log[4]);

	/* CLEAR removes the pending state before it is taken. */
	irq_disable();
	its_translate(1);
	printf("hppir1 before clear: %u\n", gic_hppir1());
	its_clear(0, 1);
	printf("hppir1 after clear: %u\n", gic_hppir1());
	irq_enable();
	settle();
	printf("lpis taken after clear: %u\n", cpu0_count - 5);

	/* INV: disable LPI_A in the property table; a pended LPI_A waits until it is enabled again. */
	lpi_configure(LPI_A, 0xa0, 0);
	its_inv(0, 0);
	its_translate(0);
	settle();
	printf("disabled lpi taken: %u\n", cpu0_count - 5);
	lpi_configure(LPI_A, 0x50, 1);
	its_inv(0, 0);
	wait_eq(&cpu0_count, 6, WAIT_LIMIT, "re-enabled lpi");
	printf("re-enabled: intid %u rpr 0x%x\n", cpu0_log[5], cpu0_rpr[5]);

	/* DISCARD: the event is unmapped; translating it does nothing. */
	its_discard(0, 2);
	its_translate(2);
	settle();
	printf("after discard: %u lpis more\n", cpu0_count - 6);

	/* MOVI: LPI_D pended on CPU0 with IRQs masked, then moved to collection 1 (CPU1). */
	irq_disable();
	its_translate(3);
	printf("hppir1 on cpu0 before movi: %u\n", gic_hppir1());
	its_movi(0, 3, 1);
	printf("hppir1 on cpu0 after movi: %u\n", gic_hppir1());
	wait_eq(&cpu1_count, 1, WAIT_LIMIT, "moved lpi on cpu1");
	printf("cpu1: intid %u\n", cpu1_log[0]);
	its_translate(3);
	wait_eq(&cpu1_count, 2, WAIT_LIMIT, "second lpi on cpu1");
	printf("cpu1 after movi: intid %u\n", cpu1_log[1]);
	irq_enable();
	settle();
	n = cpu0_count;
	printf("cpu0 lpis: %u, cpu1 lpis: %u\n", n, (u32)cpu1_count);
	CHECK(n == 6 && cpu1_count == 2, "unexpected LPI counts");
	CHECK(unexpected_irqs == 0, "%u unexpected interrupts", unexpected_irqs);
	pass();
}
