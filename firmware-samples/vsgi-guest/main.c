/*
 * vsgi-guest: a GICv3 guest that asks for SGIs without an active state (GICv4.1: GICD_TYPER2.nASSGIcap,
 * GICD_CTLR.nASSGIreq, set while both groups are disabled). Under the VGIC host model on a GICv4.1 its SGIs become
 * vSGIs: each trapped ICC_SGI1R_EL1 write turns into a GITS_SGIR write and the GIC delivers the SGI to the vPE.
 * Checked: the capability and the request bit, an SGI taken in its handler reads not active, a disabled SGI sent
 * to self reads pending and is taken once enabled (and pending no longer), and ping-pong round trips with CPU1.
 * Only CPU0 prints; CPU1 reports through memory.
 */
#include "lib.h"

SAMPLE("vsgi-guest");

#define GICD_TYPER2          0x000c
#define GICD_TYPER2_NASSGICAP BIT(8)
#define GICD_CTLR_NASSGIREQ   BIT(8)
#define SGI_SELF 3
#define SGI_PING 5	/* CPU0 -> CPU1 */
#define SGI_PONG 6	/* CPU1 -> CPU0 */
#define SGI_HELD 9	/* disabled while sent */
#define ROUNDS 200

static u64 cpu0_mpidr, cpu1_mpidr;

/* Written by CPU1 only. */
static volatile u32 cpu1_ready, pings;
/* Written by CPU0 only. */
static volatile u32 pongs, self_hits, self_active, self_pending, held_hits;

static u32 sgi_state(u32 offset, unsigned int intid)
{
	return (mmio_read32(gicr_sgi_base() + offset) >> intid) & 1;
}

static void self_handler(unsigned int intid, unsigned int cpu)
{
	(void)cpu;
	self_active = sgi_state(GICR_ISACTIVER0, intid);
	self_pending = sgi_state(GICR_ISPENDR0, intid);
	self_hits++;
}

static void held_handler(unsigned int intid, unsigned int cpu)
{
	(void)intid;
	(void)cpu;
	held_hits++;
}

static void ping_handler(unsigned int intid, unsigned int cpu)
{
	(void)intid;
	(void)cpu;
	pings++;
	gic_send_sgi(SGI_PONG, cpu0_mpidr);
}

static void pong_handler(unsigned int intid, unsigned int cpu)
{
	(void)intid;
	(void)cpu;
	pongs++;
}

void secondary_main(unsigned int cpu, u64 ctx)
{
	(void)cpu;
	(void)ctx;
	gic_cpu_init();
	gic_local_enable(SGI_PING);
	dsb(sy);
	cpu1_ready = 1;
	irq_enable();
	for (;;)
		wfi();
}

int main(void)
{
	u32 ctlr;

	cpu0_mpidr = mpidr_affinity(read_mpidr());
	cpu1_mpidr = (cpu0_mpidr & ~0xffUL) | 1;
	gic_dist_init();
	printf("gicd_typer2.nassgicap: %u\n", (gicd_read(GICD_TYPER2) & GICD_TYPER2_NASSGICAP) ? 1 : 0);

	/* nASSGIreq may change only while both groups are disabled. */
	ctlr = gicd_read(GICD_CTLR);
	gicd_write(GICD_CTLR, ctlr & ~(GICD_CTLR_ENABLE_G0 | GICD_CTLR_ENABLE_G1));
	gicd_wait_rwp();
	gicd_write(GICD_CTLR, (ctlr & ~(GICD_CTLR_ENABLE_G0 | GICD_CTLR_ENABLE_G1)) | GICD_CTLR_NASSGIREQ);
	gicd_wait_rwp();
	gicd_write(GICD_CTLR, ctlr | GICD_CTLR_NASSGIREQ);
	gicd_wait_rwp();
	printf("gicd_ctlr.nassgireq: %u\n", (gicd_read(GICD_CTLR) & GICD_CTLR_NASSGIREQ) ? 1 : 0);

	gic_cpu_init();
	irq_register(SGI_SELF, self_handler);
	irq_register(SGI_HELD, held_handler);
	irq_register(SGI_PONG, pong_handler);
	irq_register(SGI_PING, ping_handler);
	gic_local_enable(SGI_SELF);
	gic_local_enable(SGI_PONG);
	irq_enable();

	gic_send_sgi(SGI_SELF, cpu0_mpidr);
	wait_eq(&self_hits, 1, WAIT_LIMIT, "self sgi");
	printf("self sgi in its handler: active %u pending %u\n", self_active, self_pending);

	gic_send_sgi(SGI_HELD, cpu0_mpidr);
	spin(2000);
	printf("disabled sgi: pending %u taken %u\n", sgi_state(GICR_ISPENDR0, SGI_HELD), held_hits);
	gic_local_enable(SGI_HELD);
	wait_eq(&held_hits, 1, WAIT_LIMIT, "held sgi");
	printf("enabled: taken %u pending %u\n", held_hits, sgi_state(GICR_ISPENDR0, SGI_HELD));

	if (psci_cpu_on(cpu1_mpidr, secondary_entry, 0) != 0)
		fail("cpu_on(cpu1) failed");
	wait_eq(&cpu1_ready, 1, WAIT_LIMIT, "cpu1 up");
	for (u32 i = 1; i <= ROUNDS; i++) {
		gic_send_sgi(SGI_PING, cpu1_mpidr);
		wait_eq(&pongs, i, WAIT_LIMIT, "pong");
	}
	printf("round trips: %u, cpu1 pings: %u\n", pongs, pings);
	pass();
}
