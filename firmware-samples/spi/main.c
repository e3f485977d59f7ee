/*
 * spi: shared peripheral interrupts made pending by software (GICD_ISPENDR), routed to CPU0.
 * Checks delivery, active/pending state in the handler, running priority, priority order,
 * the priority mask, enable gating, ICPENDR, and a Group 0 SPI delivered as FIQ.
 */
#include "lib.h"

SAMPLE("spi");

#define SPI_BASIC 40
#define SPI_LO    42	/* priority 0xa0 */
#define SPI_HI    43	/* priority 0x80 */
#define SPI_PMR   44
#define SPI_GATE  45
#define SPI_FIQ   46
#define SPI_EDGE  47

#define NEG_SPIN  200000	/* polls during which an interrupt must NOT arrive */

static volatile u32 got_intid, got_active, got_pending, got_rpr, got_cpu, got_group;
static volatile u32 nhits;
static volatile u32 order[4], order_rpr[4], norder;

static void basic_handler(unsigned int intid, unsigned int cpu)
{
	got_intid = intid;
	got_cpu = cpu;
	got_active = gic_spi_is_active(intid);
	got_pending = gic_spi_is_pending(intid);
	got_rpr = gic_rpr();
	got_group = irq_current_group();
	dmb(sy);
	nhits++;
}

static void order_handler(unsigned int intid, unsigned int cpu)
{
	(void)cpu;
	if (norder < 4) {
		order[norder] = intid;
		order_rpr[norder] = gic_rpr();
	}
	dmb(sy);
	norder++;
}

int main(void)
{
	u32 typer = gicd_read(GICD_TYPER);
	u32 n;

	printf("id_aa64pfr0.gic: %lu\n", (sysreg_read(id_aa64pfr0_el1) >> 24) & 0xf);
	printf("gicd_typer.itlines: %u\n", typer & 0x1f);
	printf("gicd_typer.idbits: %u\n", ((typer >> 19) & 0x1f) + 1);
	printf("gicd_pidr2.archrev: %u\n", (gicd_read(GICD_PIDR2) >> 4) & 0xf);

	gic_dist_init();
	gic_cpu_init();
	printf("gicd_ctlr: 0x%x\n", gicd_read(GICD_CTLR));
	printf("gicr_pidr2.archrev: %u\n", (mmio_read32(gicr_base() + GICR_PIDR2) >> 4) & 0xf);
	printf("gicr: cpu0 frame %d\n", gicr_index());
	printf("icc_sre_el1.sre: %lu\n", sysreg_read(ICC_SRE_EL1) & 1);
	printf("icc_pmr: 0x%lx\n", sysreg_read(ICC_PMR_EL1) & 0xff);
	printf("rpr idle: 0x%x\n", gic_rpr());
	printf("hppir1 idle: %u\n", gic_hppir1());

	/* 1. One SPI, made pending by software, routed to this CPU. */
	irq_register(SPI_BASIC, basic_handler);
	gic_spi_set_priority(SPI_BASIC, 0x80);
	gic_spi_route(SPI_BASIC, read_mpidr());
	printf("irouter(%u): 0x%lx\n", SPI_BASIC, mmio_read64(GICD_BASE + GICD_IROUTER + 8 * SPI_BASIC));
	printf("ipriorityr(%u): 0x%x\n", SPI_BASIC,
	       (gicd_read(GICD_IPRIORITYR + (SPI_BASIC & ~3u)) >> ((SPI_BASIC & 3) * 8)) & 0xff);
	gic_spi_enable(SPI_BASIC);
	irq_enable();
	gic_spi_pend(SPI_BASIC);
	wait_eq(&nhits, 1, WAIT_LIMIT, "spi 40");
	printf("irq: intid %u on cpu%u group %u\n", got_intid, got_cpu, got_group);
	printf("in handler: active %u pending %u rpr 0x%x\n", got_active, got_pending, got_rpr);
	printf("after eoi: active %u pending %u rpr 0x%x\n", gic_spi_is_active(SPI_BASIC),
	       gic_spi_is_pending(SPI_BASIC), gic_rpr());
	CHECK(got_intid == SPI_BASIC && got_active == 1 && got_pending == 0 && got_rpr == 0x80,
	      "basic spi state");

	/* 2. Priority order: pend low then high priority while PSTATE.I masks both. */
	irq_disable();
	irq_register(SPI_LO, order_handler);
	irq_register(SPI_HI, order_handler);
	gic_spi_set_priority(SPI_LO, 0xa0);
	gic_spi_set_priority(SPI_HI, 0x80);
	gic_spi_enable(SPI_LO);
	gic_spi_enable(SPI_HI);
	gic_spi_pend(SPI_LO);
	gic_spi_pend(SPI_HI);
	dsb(sy);
	printf("masked: pending %u=%u %u=%u\n", SPI_LO, gic_spi_is_pending(SPI_LO), SPI_HI,
	       gic_spi_is_pending(SPI_HI));
	printf("masked: hppir1 %u\n", gic_hppir1());
	irq_enable();
	wait_eq(&norder, 2, WAIT_LIMIT, "spis 42 and 43");
	printf("order: %u (rpr 0x%x) then %u (rpr 0x%x)\n", order[0], order_rpr[0], order[1],
	       order_rpr[1]);
	CHECK(order[0] == SPI_HI && order[1] == SPI_LO, "priority order");

	/* 3. Priority mask: priority 0x80 is not above PMR 0x80, so it must wait. */
	irq_register(SPI_PMR, basic_handler);
	gic_spi_set_priority(SPI_PMR, 0x80);
	gic_spi_enable(SPI_PMR);
	gic_set_pmr(0x80);
	n = nhits;
	gic_spi_pend(SPI_PMR);
	spin(NEG_SPIN);
	printf("pmr 0x80, prio 0x80: delivered %u pending %u hppir1 %u\n", nhits - n,
	       gic_spi_is_pending(SPI_PMR), gic_hppir1());
	CHECK(nhits == n, "interrupt at PMR priority was delivered");
	gic_set_pmr(0xff);
	wait_eq(&nhits, n + 1, WAIT_LIMIT, "spi 44 after pmr 0xff");
	printf("pmr 0xff: irq intid %u\n", got_intid);

	/* 4. Enable gating and ICPENDR. */
	irq_register(SPI_GATE, basic_handler);
	gic_spi_disable(SPI_GATE);
	n = nhits;
	gic_spi_pend(SPI_GATE);
	spin(NEG_SPIN);
	printf("disabled: delivered %u pending %u\n", nhits - n, gic_spi_is_pending(SPI_GATE));
	CHECK(nhits == n, "disabled spi was delivered");
	gic_spi_enable(SPI_GATE);
	wait_eq(&nhits, n + 1, WAIT_LIMIT, "spi 45 after enable");
	printf("enabled: irq intid %u\n", got_intid);
	irq_disable();
	gic_spi_pend(SPI_GATE);
	printf("masked: pending %u\n", gic_spi_is_pending(SPI_GATE));
	gic_spi_unpend(SPI_GATE);
	printf("after icpendr: pending %u hppir1 %u\n", gic_spi_is_pending(SPI_GATE), gic_hppir1());
	n = nhits;
	irq_enable();
	spin(NEG_SPIN);
	printf("after unmask: delivered %u\n", nhits - n);
	CHECK(nhits == n, "cleared spi was delivered");

	/* 5. Edge-triggered SPI. */
	irq_register(SPI_EDGE, basic_handler);
	gic_spi_set_edge(SPI_EDGE, 1);
	printf("icfgr(%u) edge: %u\n", SPI_EDGE,
	       (gicd_read(GICD_ICFGR + (SPI_EDGE / 16) * 4) >> ((SPI_EDGE % 16) * 2 + 1)) & 1);
	gic_spi_enable(SPI_EDGE);
	n = nhits;
	gic_spi_pend(SPI_EDGE);
	wait_eq(&nhits, n + 1, WAIT_LIMIT, "edge spi 47");
	printf("edge: irq intid %u active-in-handler %u\n", got_intid, got_active);

	/* 6. Group 0 SPI: signalled as FIQ, acknowledged through ICC_IAR0_EL1. */
	irq_register(SPI_FIQ, basic_handler);
	gicd_write(GICD_CTLR, gicd_read(GICD_CTLR) | GICD_CTLR_ENABLE_G0);
	gicd_wait_rwp();
	printf("gicd_ctlr with grp0: 0x%x\n", gicd_read(GICD_CTLR));
	sysreg_write(ICC_IGRPEN0_EL1, 1);
	isb();
	gic_spi_set_group(SPI_FIQ, 0);
	gic_spi_set_priority(SPI_FIQ, 0x80);
	gic_spi_enable(SPI_FIQ);
	fiq_enable();
	n = nhits;
	gic_spi_pend(SPI_FIQ);
	wait_eq(&nhits, n + 1, WAIT_LIMIT, "group 0 spi 46");
	printf("fiq: intid %u group %u rpr 0x%x\n", got_intid, got_group, got_rpr);
	CHECK(got_intid == SPI_FIQ && got_group == 0, "group 0 spi not taken as FIQ");

	printf("rpr idle: 0x%x\n", gic_rpr());
	pass();
}
