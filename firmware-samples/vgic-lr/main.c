/*
 * vgic-lr: the GICv3 virtual CPU interface driven through list registers (EL2 entry only).
 *
 * A tiny EL2 monitor keeps HCR_EL2 = RW|AMO|IMO|FMO (lib start-up), enables ICH_HCR_EL2.En and drops to an
 * EL1 guest. The guest enables its virtual CPU interface through ICV_* (the ICC_* encodings under IMO/FMO)
 * and asks the monitor, by HVC #n, to run each phase:
 *   1  six vIRQs through four list registers: UIE (underflow) maintenance interrupt refills the free LRs;
 *   2  five vIRQs through two LRs with the EOI bit: each EOI maintenance interrupt (EISR) refills one LR;
 *   3  the guest pends physical SPI 40; the monitor takes it at EL2 (ICC EOImode = 1: priority drop only)
 *      and injects vINTID 96 with HW = 1, pINTID 40: the guest's EOI deactivates SPI 40;
 *   4  LRENPIE: a guest EOI matching no LR counts in ICH_HCR_EL2.EOIcount and raises the maintenance
 *      interrupt (LRENP), which the monitor acknowledges by clearing EOIcount.
 * The maintenance interrupt is PPI 25, a level taken at EL2 while the guest runs. Both sides record what
 * they saw; the guest prints its view after each phase, the monitor prints its log at the end.
 * HVC #0 from the guest is PSCI (forwarded by the monitor with SMC), so lib fail()/pass() work at EL1.
 */
#include "lib.h"

SAMPLE("vgic-lr");

/* ICH_* (EL2) and the ICV_* accesses the guest makes through the ICC_* encodings. */
#define ICH_AP1R0_EL2  S3_4_C12_C9_0
#define ICH_HCR_EL2    S3_4_C12_C11_0
#define ICH_VTR_EL2    S3_4_C12_C11_1
#define ICH_MISR_EL2   S3_4_C12_C11_2
#define ICH_EISR_EL2   S3_4_C12_C11_3
#define ICH_ELRSR_EL2  S3_4_C12_C11_5
#define ICH_VMCR_EL2   S3_4_C12_C11_7
#define ICH_LR0_EL2    S3_4_C12_C12_0
#define ICH_LR1_EL2    S3_4_C12_C12_1
#define ICH_LR2_EL2    S3_4_C12_C12_2
#define ICH_LR3_EL2    S3_4_C12_C12_3
#define ICC_AP1R0_EL1  S3_0_C12_C9_0

#define HCR_EN      BIT(0)
#define HCR_UIE     BIT(1)
#define HCR_LRENPIE BIT(2)
#define HCR_EOICOUNT(h) (((h) >> 27) & 0x1f)
#define MISR_EOI    BIT(0)
#define MISR_U      BIT(1)
#define MISR_LRENP  BIT(2)

#define LR_PENDING  (1UL << 62)
#define LR_HW       (1UL << 61)
#define LR_GROUP1   (1UL << 60)
#define LR_EOI      (1UL << 41)
#define LR_STATE(lr) ((lr) >> 62)

#define MAINT_INTID 25
#define HW_SPI      40
#define HW_VINTID   96
#define NLR         4

static u64 lr_read(unsigned int n)
{
	switch (n) {
	case 0: return sysreg_read(ICH_LR0_EL2);
	case 1: return sysreg_read(ICH_LR1_EL2);
	case 2: return sysreg_read(ICH_LR2_EL2);
	default: return sysreg_read(ICH_LR3_EL2);
	}
}

static void lr_write(unsigned int n, u64 v)
{
	switch (n) {
	case 0: sysreg_write(ICH_LR0_EL2, v); break;
	case 1: sysreg_write(ICH_LR1_EL2, v); break;
	case 2: sysreg_write(ICH_LR2_EL2, v); break;
	default: sysreg_write(ICH_LR3_EL2, v); break;
	}
	isb();
}

static u64 lr_value(u32 vintid, u32 prio, u64 extra)
{
	return LR_PENDING | LR_GROUP1 | ((u64)prio << 48) | extra | vintid;
}

/* ---- the monitor's pending queue and its log ------------------------------------------------- */

struct virq { u32 intid, prio; };

static const struct virq phase1[] = {
	{ 64, 0xa0 }, { 65, 0x90 }, { 66, 0xb0 }, { 67, 0x80 }, { 68, 0xc0 }, { 69, 0x88 },
};
static const struct virq phase2[] = {
	{ 80, 0xa0 }, { 81, 0x90 }, { 82, 0xb0 }, { 83, 0x98 }, { 84, 0xa8 },
};

static const struct virq *queue;
static unsigned int queue_len, queue_next;
static u64 queue_extra;		/* LR_EOI in phase 2 */
static unsigned int lr_limit;	/* LRs the monitor may use */

#define LOG_MAX 32
static u64 mon_log[LOG_MAX][4];	/* format, three arguments: printed at the end */
static unsigned int mon_nlog;
static volatile u32 maint_count;

static void mon_record(const char *what, u64 a, u64 b, u64 c)
{
	if (mon_nlog < LOG_MAX) {
		u64 *slot = mon_log[mon_nlog];
		slot[0] = (u64)what;
		slot[1] = a;
		slot[2] = b;
		slot[3] = c;
		mon_nlog++;
	}
}

/* Fill free LRs (ICH_ELRSR_EL2) from the queue; returns the LRs written as a bit mask. */
static u32 refill(void)
{
	u32 free = sysreg_read(ICH_ELRSR_EL2);
	u32 written = 0;

	for (unsigned int n = 0; n < lr_limit && queue_next < queue_len; n++) {
		if (!(free & BIT(n)))
			continue;
		lr_write(n, lr_value(queue[queue_next].intid, queue[queue_next].prio, queue_extra));
		queue_next++;
		written |= BIT(n);
	}
	return written;
}

/* ---- EL2 exception handlers (called from el2mon_vectors) ------------------------------------------ */

static void maintenance(void)
{
	u64 misr = sysreg_read(ICH_MISR_EL2);
	u64 hcr = sysreg_read(ICH_HCR_EL2);

	maint_count++;
	if (misr & MISR_EOI) {
		u32 eisr = sysreg_read(ICH_EISR_EL2);
		for (unsigned int n = 0; n < NLR; n++)
			if (eisr & BIT(n))
				lr_write(n, 0);	/* done: free the LR (clears its EOI request) */
		mon_record("maint EOI: misr 0x%lx eisr 0x%lx refilled 0x%lx", misr, eisr, refill());
	}
	if (misr & MISR_U) {
		u32 elrsr = sysreg_read(ICH_ELRSR_EL2);
		u32 written = refill();
		if (queue_next == queue_len)
			hcr &= ~HCR_UIE;
		sysreg_write(ICH_HCR_EL2, hcr);
		mon_record("maint U: misr 0x%lx elrsr 0x%lx refilled 0x%lx", misr, elrsr, written);
	}
	if (misr & MISR_LRENP) {
		mon_record("maint LRENP: misr 0x%lx eoicount %lu%s", misr, HCR_EOICOUNT(hcr), (u64)"");
		sysreg_write(ICH_HCR_EL2, hcr & ~(0x1fUL << 27));
	}
	isb();
}

static volatile u32 hw_spi_active_at_inject;

void el2_lower_irq(void)
{
	u32 intid = sysreg_read(ICC_IAR1_EL1) & 0xffffff;	/* at EL2: the physical interface */

	if (intid == MAINT_INTID) {
		maintenance();
		sysreg_write(ICC_EOIR1_EL1, intid);
		sysreg_write(ICC_DIR_EL1, intid);	/* EOImode = 1 at EL2 */
	} else if (intid == HW_SPI) {
		hw_spi_active_at_inject = gic_spi_is_active(HW_SPI);
		lr_write(0, lr_value(HW_VINTID, 0xa0, LR_HW | ((u64)HW_SPI << 32)));
		mon_record("spi %lu taken at EL2: injected vINTID %lu with HW=1, pINTID %lu", intid, HW_VINTID, HW_SPI);
		sysreg_write(ICC_EOIR1_EL1, intid);	/* priority drop only: the guest deactivates it */
	} else if (intid < 1020) {
		fail("monitor: unexpected physical INTID %u", intid);
	}
	isb();
}

static void el2_finish(void) __attribute__((noreturn));

/* frame: x0..x18, x29, x30 as saved by el2mon_vectors. */
void el2_lower_sync(u64 *frame)
{
	u64 esr = sysreg_read(esr_el2);
	u32 ec = (esr >> 26) & 0x3f;
	u32 imm = esr & 0xffff;

	if (ec != 0x16) {
		printf("monitor: guest exception ESR 0x%lx (EC 0x%x) ELR 0x%lx\n", esr, ec, sysreg_read(elr_el2));
		fail("unexpected exception from the guest");
	}
	switch (imm) {
	case 0:		/* PSCI from the guest: forward to the firmware */
		frame[0] = psci_call(frame[0], frame[1], frame[2], frame[3]);
		return;
	case 1:		/* phase 1: six vIRQs, four LRs, underflow refills */
		mon_record("hvc 1: ich_vmcr 0x%lx (guest's ICV writes)%s%s", sysreg_read(ICH_VMCR_EL2), (u64)"", (u64)"");
		queue = phase1;
		queue_len = 6;
		queue_next = 0;
		queue_extra = 0;
		lr_limit = NLR;
		refill();
		sysreg_write(ICH_HCR_EL2, HCR_EN | HCR_UIE);
		mon_record("hvc 1: filled 4 LRs, ich_elrsr 0x%lx misr 0x%lx%s", sysreg_read(ICH_ELRSR_EL2),
			   sysreg_read(ICH_MISR_EL2), (u64)"");
		break;
	case 2:		/* phase 2: five vIRQs through two LRs, EOI maintenance */
		queue = phase2;
		queue_len = 5;
		queue_next = 0;
		queue_extra = LR_EOI;
		lr_limit = 2;
		refill();
		sysreg_write(ICH_HCR_EL2, HCR_EN);
		break;
	case 3:		/* phase 3: physical SPI 40 for an HW = 1 list register */
		gic_spi_set_priority(HW_SPI, 0x90);
		gic_spi_route(HW_SPI, read_mpidr());
		gic_spi_set_edge(HW_SPI, 1);
		gic_spi_enable(HW_SPI);
		break;
	case 4:		/* phase 4: EOIcount and LRENPIE */
		mon_record("hvc 4: spi 40 active=%lu at injection, now active=%lu, lr0 state %lu", hw_spi_active_at_inject,
			   gic_spi_is_active(HW_SPI), LR_STATE(lr_read(0)));
		sysreg_write(ICH_HCR_EL2, HCR_EN | HCR_LRENPIE);
		break;
	case 5:		/* done */
		el2_finish();
	default:
		fail("monitor: unknown HVC #%u", imm);
	}
	isb();
}

extern char el2mon_vectors[];	/* lib/el2mon.S */
extern char vectors[];

/* ---- the EL1 guest ------------------------------------------------------------------------------ */

static u8 guest_stack[8192] __attribute__((aligned(16)));
static volatile u32 seen[16], nseen;
static volatile u32 seen_rpr[16];
static volatile u32 hw_active_in_handler;

static void guest_handler(unsigned int intid, unsigned int cpu)
{
	(void)cpu;
	if (nseen < 16) {
		seen[nseen] = intid;
		seen_rpr[nseen] = sysreg_read(ICC_RPR_EL1) & 0xff;	/* ICV_RPR_EL1 */
	}
	if (intid == HW_VINTID)
		hw_active_in_handler = gic_spi_is_active(HW_SPI);
	dmb(sy);
	nseen++;
}

static void hvc(unsigned int n)
{
	switch (n) {
	case 1: __asm__ volatile("hvc #1" ::: "memory"); break;
	case 2: __asm__ volatile("hvc #2" ::: "memory"); break;
	case 3: __asm__ volatile("hvc #3" ::: "memory"); break;
	case 4: __asm__ volatile("hvc #4" ::: "memory"); break;
	default: __asm__ volatile("hvc #5" ::: "memory"); break;
	}
}

static void guest_wait(u32 count, const char *what)
{
	irq_enable();
	wait_eq(&nseen, count, WAIT_LIMIT, what);
	irq_disable();
}

static void guest_print(const char *phase, u32 from, u32 to)
{
	printf("guest: %s order", phase);
	for (u32 i = from; i < to; i++)
		printf(" %u", seen[i]);
	printf(" (rpr");
	for (u32 i = from; i < to; i++)
		printf(" 0x%x", seen_rpr[i]);
	printf(")\n");
}

void guest_main(void)
{
	u64 ctlr;

	printf("guest: el %u\n", current_el());
	for (unsigned int i = 64; i < 100; i++)
		irq_register(i, guest_handler);

	ctlr = sysreg_read(ICC_CTLR_EL1);	/* ICV_CTLR_EL1 */
	printf("guest: icv_ctlr pribits %lu a3v %lu eoimode %lu\n", ((ctlr >> 8) & 7) + 1, (ctlr >> 15) & 1, (ctlr >> 1) & 1);
	printf("guest: icv_pmr 0x%lx icv_bpr0 %lu icv_bpr1 %lu icv_igrpen1 %lu icv_rpr 0x%lx\n",
	       sysreg_read(ICC_PMR_EL1), sysreg_read(ICC_BPR0_EL1), sysreg_read(ICC_BPR1_EL1),
	       sysreg_read(ICC_IGRPEN1_EL1), sysreg_read(ICC_RPR_EL1));
	sysreg_write(ICC_PMR_EL1, 0xff);
	sysreg_write(ICC_BPR1_EL1, 0);
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	isb();
	printf("guest: icv_pmr 0x%lx icv_bpr1 %lu icv_igrpen1 %lu after enabling\n",
	       sysreg_read(ICC_PMR_EL1), sysreg_read(ICC_BPR1_EL1), sysreg_read(ICC_IGRPEN1_EL1));
	printf("guest: icv_hppir1 %lu before injection\n", sysreg_read(ICC_HPPIR1_EL1) & 0xffffff);

	hvc(1);
	printf("guest: icv_hppir1 %lu after hvc 1\n", sysreg_read(ICC_HPPIR1_EL1) & 0xffffff);
	guest_wait(6, "phase 1 vIRQs");
	guest_print("phase 1", 0, 6);

	hvc(2);
	guest_wait(11, "phase 2 vIRQs");
	guest_print("phase 2", 6, 11);

	hvc(3);
	gic_spi_pend(HW_SPI);	/* physical SPI 40: taken by the monitor at EL2 */
	guest_wait(12, "the HW=1 vIRQ");
	printf("guest: vINTID %u: spi %u active in handler %u, after EOI %u\n", seen[11], HW_SPI, hw_active_in_handler,
	       gic_spi_is_active(HW_SPI));

	hvc(4);
	sysreg_write(ICC_AP1R0_EL1, BIT(0xa0 >> 3));	/* as if vINTID 100 were active at 0xa0 */
	isb();
	printf("guest: icv_rpr 0x%lx before EOI of vINTID 100 (in no LR)\n", sysreg_read(ICC_RPR_EL1) & 0xff);
	sysreg_write(ICC_EOIR1_EL1, 100);
	isb();
	printf("guest: icv_rpr 0x%lx after, icv_ap1r0 0x%lx\n", sysreg_read(ICC_RPR_EL1) & 0xff, sysreg_read(ICC_AP1R0_EL1));
	printf("guest: unexpected %u spurious %u\n", unexpected_irqs, spurious_irqs);
	hvc(5);
	fail("guest: monitor returned from hvc 5");
}

/* ---- EL2 main ----------------------------------------------------------------------------------- */

static void el2_finish(void)
{
	printf("monitor: %u maintenance interrupts\n", maint_count);
	for (unsigned int i = 0; i < mon_nlog; i++) {
		u64 *slot = mon_log[i];
		printf("monitor: ");
		printf((const char *)slot[0], slot[1], slot[2], slot[3]);
		printf("\n");
	}
	printf("monitor: ich_elrsr 0x%lx ich_eisr 0x%lx ich_misr 0x%lx eoicount %lu\n", sysreg_read(ICH_ELRSR_EL2),
	       sysreg_read(ICH_EISR_EL2), sysreg_read(ICH_MISR_EL2), HCR_EOICOUNT(sysreg_read(ICH_HCR_EL2)));
	CHECK(maint_count == 7, "expected 7 maintenance interrupts, got %u", maint_count);
	pass();
}

int main(void)
{
	u64 vtr;

	if (current_el() != 2)
		fail("vgic-lr needs EL2 (QEMU virtualization=on)");

	gic_dist_init();
	gic_cpu_init();
	sysreg_write(ICC_CTLR_EL1, sysreg_read(ICC_CTLR_EL1) | BIT(1));	/* EOImode = 1 at EL2 */
	gic_local_set_priority(MAINT_INTID, 0x80);
	gic_local_enable(MAINT_INTID);
	isb();

	vtr = sysreg_read(ICH_VTR_EL2);
	printf("monitor: ich_vtr listregs %lu pribits %lu prebits %lu a3v %lu tds %lu nv4 %lu seis %lu\n",
	       (vtr & 0x1f) + 1, ((vtr >> 29) & 7) + 1, ((vtr >> 26) & 7) + 1, (vtr >> 21) & 1, (vtr >> 19) & 1,
	       (vtr >> 20) & 1, (vtr >> 22) & 1);
	printf("monitor: ich_hcr 0x%lx ich_vmcr 0x%lx ich_elrsr 0x%lx ich_misr 0x%lx ich_eisr 0x%lx\n",
	       sysreg_read(ICH_HCR_EL2), sysreg_read(ICH_VMCR_EL2), sysreg_read(ICH_ELRSR_EL2),
	       sysreg_read(ICH_MISR_EL2), sysreg_read(ICH_EISR_EL2));
	for (unsigned int n = 0; n < NLR; n++)
		if (lr_read(n) != 0)
			fail("ICH_LR%u_EL2 is not 0 after reset", n);
	sysreg_write(ICH_AP1R0_EL2, 0);
	sysreg_write(ICH_HCR_EL2, HCR_EN);
	isb();

	/* Enter the guest: EL1h, DAIF masked, its own stack and the library's vectors. */
	sysreg_write(vbar_el2, (u64)el2mon_vectors);
	sysreg_write(vbar_el1, (u64)vectors);
	sysreg_write(sp_el1, (u64)(guest_stack + sizeof(guest_stack)));
	sysreg_write(elr_el2, (u64)guest_main);
	sysreg_write(spsr_el2, 0x3c5);
	isb();
	__asm__ volatile("eret" ::: "memory");
	fail("eret returned");
}
