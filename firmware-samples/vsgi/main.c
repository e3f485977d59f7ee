/*
 * vsgi: GICv4.1 direct injection of virtual SGIs (EL2 entry only; platforms/virt-gicv41.repl: a GICv4.1 and its ITS
 * at 0x08040000. QEMU has no GICv4.1: expected/vsgi.el2.txt is written from the architecture, IHI 0069).
 *
 * The EL2 monitor sets up the GICv4.1 vPE configuration table, shared by the ITS (GITS_BASER2) and the
 * Redistributor (GICR_VPROPBASER, 4.1 layout), maps vPE 0 with VMAPP (4.1: VCONF, default doorbell LPI 8292),
 * configures vSGIs 1 (priority 0xa0) and 2 (0x90) with the VSGI command, makes vPE 0 resident by vPEID
 * (GICR_VPENDBASER Valid | vGrp1En | vPEID, polling Dirty) and enters an EL1 guest with EOImode = 1. Then:
 *   1  HVC #1: GITS_SGIR makes vSGIs 1 and 2 pending; the guest takes them through ICV_IAR1_EL1 with no exit to
 *      EL2, 2 first (higher priority); its EOI only drops the priority (no list register, no active state);
 *   2  HVC #2: vSGI 1 again: taken again although the guest never deactivated it (ICV_DIR_EL1): no active state;
 *   3  HVC #3: the monitor de-schedules the vPE with GICR_VPENDBASER.DB = 1 (PendingLast 0: the default doorbell is
 *      armed) and sends vSGI 1: it is kept pending for the vPE (GICR_VSGIR / GICR_VSGIPENDR read bit 1) and rings
 *      the default doorbell at EL2; the monitor makes the vPE resident again and the guest takes vSGI 1 after
 *      the ERET;
 *   4  HVC #4: the vPE is de-scheduled without DB; vSGI 3 (configured by VSGI while resident) is sent: kept
 *      pending (GICR_VSGIPENDR 0x8) with no doorbell, then removed with VSGI Clear = 1 (GICR_VSGIPENDR 0).
 * GICR_VSGIPENDR is only read for a vPE that is not resident.
 * HVC #0 from the guest is PSCI (forwarded by the monitor with SMC), so lib fail()/pass() work at EL1.
 * Dirty and GICR_VSGIPENDR.Busy are polled but not printed: how long they stay 1 is implementation defined.
 */
#include "lib.h"
#include "its.h"

SAMPLE("vsgi");
ITS_BASE_AT(0x08040000UL);

#define ID_AA64PFR0_EL1 S3_0_C0_C4_0
#define ICH_HCR_EL2  S3_4_C12_C11_0
#define ICH_AP1R0_EL2 S3_4_C12_C9_0

#define GICR_VLPI_OFFSET 0x20000
#define GICR_VPROPBASER  (GICR_VLPI_OFFSET + 0x70)
#define GICR_VPENDBASER  (GICR_VLPI_OFFSET + 0x78)
#define GICR_VSGIR       (GICR_VLPI_OFFSET + 0x80)
#define GICR_VSGIPENDR   (GICR_VLPI_OFFSET + 0x88)
#define VPENDBASER_VALID       BIT(63)
#define VPENDBASER_DB          BIT(62)
#define VPENDBASER_PENDINGLAST BIT(61)
#define VPENDBASER_DIRTY       BIT(60)
#define VPENDBASER_VGRP1EN     BIT(58)
#define VSGIPENDR_BUSY         BIT(31)

#define GITS_SGIR 0x20020

/* Virtual tables, clear of lib/its.h's physical ones. */
#define VPE_TABLE  (ITS_MEM_BASE + 0x100000)	/* GITS_BASER2 and GICR_VPROPBASER: one 4 KiB page of 32-byte entries */
#define VCONF      (ITS_MEM_BASE + 0x110000)	/* vLPI Configuration table (64 KiB aligned): all disabled */
#define VPT        (ITS_MEM_BASE + 0x120000)	/* virtual Pending table of vPE 0, 64 KiB aligned, 2 KiB */

#define VPE      0
#define DOORBELL 8292

/* ---- monitor ---------------------------------------------------------------------------------- */

#define LOG_MAX 16
static u64 mon_log[LOG_MAX][3];
static unsigned int mon_nlog;
static volatile u32 doorbells;

static void mon_record(const char *what, u64 a, u64 b)
{
	if (mon_nlog < LOG_MAX) {
		mon_log[mon_nlog][0] = (u64)what;
		mon_log[mon_nlog][1] = a;
		mon_log[mon_nlog][2] = b;
		mon_nlog++;
	}
}

/* VMAPP, GICv4.1 form: Alloc, PTZ, VCONF_addr, Default Doorbell. */
static void vmapp41(u32 vpe, u32 processor, u64 vconf, u32 doorbell, u64 vpt, u32 id_bits)
{
	its_command(0x29 | BIT(8) | BIT(9) | vconf, doorbell | ((u64)vpe << 32), BIT(63) | ((u64)processor << 16), vpt | (id_bits - 1));
}

/* VSGI: vINTID, Priority[7:4], Group, Clear, Enable. */
static void vsgi(u32 vpe, u32 sgi, u8 prio, int clear)
{
	its_command(0x23 | ((u64)sgi << 32) | ((u64)(prio >> 4) << 20) | BIT(10) | (clear ? BIT(9) : 0) | BIT(8), (u64)vpe << 32, 0, 0);
}


static void send_vsgi(u32 vpe, u32 sgi)
{
	mmio_write64(ITS_BASE + GITS_SGIR, ((u64)vpe << 32) | sgi);
	dsb(sy);
}

/* GICR_VSGIR = vPEID, then GICR_VSGIPENDR until Busy reads 0: the vPE's pending vSGIs. */
static u64 vsgi_pending(u32 vpe)
{
	u64 rd = gicr_base();
	u32 v;
	u64 polls = 0;

	mmio_write32(rd + GICR_VSGIR, vpe);
	dsb(sy);
	while ((v = mmio_read32(rd + GICR_VSGIPENDR)) & VSGIPENDR_BUSY) {
		if (++polls > 1000000)
			fail("GICR_VSGIPENDR.Busy stuck");
		cpu_relax();
	}
	return v & 0xffff;
}

/* Schedule vPE 0 here by vPEID; wait until Dirty reads 0. */
static void make_resident(void)
{
	u64 rd = gicr_base();
	u64 v;
	u64 polls = 0;

	mmio_write64(rd + GICR_VPENDBASER, VPENDBASER_VALID | VPENDBASER_VGRP1EN | VPE);
	dsb(sy);
	while ((v = mmio_read64(rd + GICR_VPENDBASER)) & VPENDBASER_DIRTY) {
		if (++polls > 1000000)
			fail("GICR_VPENDBASER.Dirty stuck");
		cpu_relax();
	}
	if (!(v & VPENDBASER_VALID))
		fail("GICR_VPENDBASER.Valid did not stick (0x%lx)", v);
}

/* De-schedule (Valid = 0), with DB = 1 to arm the default doorbell; returns PendingLast. */
static u64 make_non_resident(int db)
{
	u64 rd = gicr_base();
	u64 v;

	mmio_write64(rd + GICR_VPENDBASER, (db ? VPENDBASER_DB : 0) | VPENDBASER_VGRP1EN | VPE);
	dsb(sy);
	v = mmio_read64(rd + GICR_VPENDBASER);
	if (v & VPENDBASER_VALID)
		fail("GICR_VPENDBASER.Valid still set");
	return (v >> 61) & 1;
}

void el2_lower_irq(void)
{
	u32 intid = sysreg_read(ICC_IAR1_EL1) & 0xffffff;	/* at EL2: the physical interface */

	if (intid == DOORBELL) {
		doorbells++;
		sysreg_write(ICC_EOIR1_EL1, intid);
		isb();
		mon_record("default doorbell %lu at EL2: vsgipendr 0x%lx", intid, vsgi_pending(VPE));
		make_resident();
		mon_record("vPE resident again: vpendbaser valid %lu dirty %lu", mmio_read64(gicr_base() + GICR_VPENDBASER) >> 63,
			   (mmio_read64(gicr_base() + GICR_VPENDBASER) >> 60) & 1);
	} else if (intid < 1020 || intid >= 8192) {
		fail("monitor: unexpected physical INTID %u", intid);
	}
	isb();
}

static void el2_finish(void) __attribute__((noreturn));

void el2_lower_sync(u64 *frame)
{
	u64 esr = sysreg_read(esr_el2);
	u32 ec = (esr >> 26) & 0x3f;
	u32 imm = esr & 0xffff;
	u64 pending_last;

	if (ec != 0x16) {
		printf("monitor: guest exception ESR 0x%lx (EC 0x%x) ELR 0x%lx\n", esr, ec, sysreg_read(elr_el2));
		fail("unexpected exception from the guest");
	}
	switch (imm) {
	case 0:
		frame[0] = psci_call(frame[0], frame[1], frame[2], frame[3]);
		return;
	case 1:
		send_vsgi(VPE, 1);
		send_vsgi(VPE, 2);
		mon_record("hvc 1: GITS_SGIR vSGI 1 and 2 (vPE resident)", 0, 0);
		break;
	case 2:
		send_vsgi(VPE, 1);
		mon_record("hvc 2: GITS_SGIR vSGI 1 (vPE resident)", 0, 0);
		break;
	case 3:
		pending_last = make_non_resident(1);
		send_vsgi(VPE, 1);
		mon_record("hvc 3: vPE non-resident with DB, pendinglast %lu; GITS_SGIR vSGI 1: vsgipendr 0x%lx", pending_last, vsgi_pending(VPE));
		break;
	case 4:
		el2_finish();
	default:
		fail("monitor: unknown HVC #%u", imm);
	}
	isb();
}

extern char el2mon_vectors[];	/* lib/el2mon.S */
extern char vectors[];

/* ---- guest -------------------------------------------------------------------------------------- */

static u8 guest_stack[8192] __attribute__((aligned(16)));
static volatile u32 taken, seen[4], seen_rpr[4];

static void guest_sgi(unsigned int intid, unsigned int cpu)
{
	(void)cpu;
	if (taken < 4) {
		seen[taken] = intid;
		seen_rpr[taken] = sysreg_read(ICC_RPR_EL1) & 0xff;	/* ICV_RPR_EL1 */
	}
	dmb(sy);
	taken++;
}

static void guest_wait(u32 count, const char *what)
{
	irq_enable();
	wait_eq(&taken, count, WAIT_LIMIT, what);
	irq_disable();
}

void guest_main(void)
{
	printf("guest: el %u\n", current_el());
	irq_register(1, guest_sgi);
	irq_register(2, guest_sgi);
	sysreg_write(ICC_PMR_EL1, 0xff);
	sysreg_write(ICC_BPR1_EL1, 0);
	sysreg_write(ICC_CTLR_EL1, sysreg_read(ICC_CTLR_EL1) | BIT(1));	/* EOImode 1: EOIR only drops the priority */
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	isb();

	__asm__ volatile("hvc #1" ::: "memory");
	guest_wait(2, "the direct vSGIs");
	printf("guest: vSGI %u taken directly (icv_rpr 0x%x in the handler)\n", seen[0], seen_rpr[0]);
	printf("guest: vSGI %u taken directly (icv_rpr 0x%x in the handler)\n", seen[1], seen_rpr[1]);
	printf("guest: after EOI, no DIR: icv_rpr 0x%lx icv_hppir1 %lu\n", sysreg_read(ICC_RPR_EL1) & 0xff,
	       sysreg_read(ICC_HPPIR1_EL1) & 0xffffff);

	__asm__ volatile("hvc #2" ::: "memory");
	guest_wait(3, "vSGI 1 again without deactivation");
	printf("guest: vSGI %u taken again, never deactivated (icv_rpr 0x%x)\n", seen[2], seen_rpr[2]);

	__asm__ volatile("hvc #3" ::: "memory");	/* vPE non-resident: vSGI kept pending, doorbell at EL2 reschedules us */
	guest_wait(4, "vSGI 1 after re-residency");
	printf("guest: vSGI %u taken after re-residency (icv_rpr 0x%x)\n", seen[3], seen_rpr[3]);
	printf("guest: icv_hppir1 %lu icv_rpr 0x%lx unexpected %u spurious %u\n", sysreg_read(ICC_HPPIR1_EL1) & 0xffffff,
	       sysreg_read(ICC_RPR_EL1) & 0xff, unexpected_irqs, spurious_irqs);
	__asm__ volatile("hvc #4" ::: "memory");
	fail("guest: monitor returned from hvc 4");
}

/* ---- EL2 main ----------------------------------------------------------------------------------- */

static void el2_finish(void)
{
	u64 sent, cleared, pending_last;

	/* De-scheduled without DB: vSGI 3 is kept pending for the vPE (no doorbell), then removed by VSGI with Clear. */
	pending_last = make_non_resident(0);
	send_vsgi(VPE, 3);
	sent = vsgi_pending(VPE);
	vsgi(VPE, 3, 0xb0, 1);
	its_vsync(VPE);
	cleared = vsgi_pending(VPE);
	printf("monitor: de-schedule without DB: pendinglast %lu\n", pending_last);
	printf("monitor: vSGI 3 sent: vsgipendr 0x%lx; VSGI Clear: vsgipendr 0x%lx; doorbells %u\n", sent, cleared, doorbells);
	for (unsigned int i = 0; i < mon_nlog; i++) {
		printf("monitor: ");
		printf((const char *)mon_log[i][0], mon_log[i][1], mon_log[i][2]);
		printf("\n");
	}
	CHECK(doorbells == 1, "expected one default doorbell, got %u", doorbells);
	CHECK(sent == 0x8 && cleared == 0, "VSGI Clear should remove the pending vSGI 3");
	pass();
}

int main(void)
{
	u64 typer;

	if (current_el() != 2)
		fail("vsgi needs EL2");

	gic_dist_init();
	gic_cpu_init();
	printf("monitor: id_aa64pfr0_el1.gic %lu\n", (sysreg_read(ID_AA64PFR0_EL1) >> 24) & 0xf);
	printf("monitor: gicr_typer vlpis %lu rvpeid %lu vsgi %lu\n", (mmio_read64(gicr_base() + GICR_TYPER) >> 1) & 1,
	       (mmio_read64(gicr_base() + GICR_TYPER) >> 7) & 1, (mmio_read64(gicr_base() + GICR_TYPER) >> 26) & 1);
	typer = its_read64(GITS_TYPER);
	printf("monitor: gits_typer virtual %lu vmovp %lu vmapp %lu svpet %lu nid %lu\n", (typer >> 1) & 1, (typer >> 37) & 1,
	       (typer >> 40) & 1, (typer >> 41) & 3, (typer >> 43) & 1);
	CHECK((typer >> 40) & 1, "the ITS is not a GICv4.1 ITS (GITS_TYPER.VMAPP = 0)");
	printf("monitor: gits_baser2 type %lu entry size %lu\n", (its_read64(GITS_BASER(2)) >> 56) & 7, ((its_read64(GITS_BASER(2)) >> 48) & 0x1f) + 1);

	/* Physical LPIs: the default doorbell. */
	mem_zero64(LPI_PROP_TABLE, 0x2000);
	lpi_configure(DOORBELL, 0x80, 1);
	lpi_cpu_enable();

	/* The vPE configuration table, shared by the ITS and the Redistributor; VCONF and the VPT. */
	mem_zero64(VPE_TABLE, 0x1000);
	mem_zero64(VCONF, 0x2000);
	mem_zero64(VPT, 0x800);
	dsb(sy);
	mmio_write64(ITS_BASE + GITS_BASER(2), BIT(63) | VPE_TABLE);	/* valid, 4 KiB page, one page */
	mmio_write64(gicr_base() + GICR_VPROPBASER, BIT(63) | VPE_TABLE);	/* 4.1: valid, 4 KiB page, one page */
	its_init(0);

	vmapp41(VPE, 0, VCONF, DOORBELL, VPT, LPI_ID_BITS);
	vsgi(VPE, 1, 0xa0, 0);
	vsgi(VPE, 2, 0x90, 0);
	its_vsync(VPE);

	make_resident();
	printf("monitor: vPE %u resident: vpendbaser valid %lu dirty %lu\n", VPE, mmio_read64(gicr_base() + GICR_VPENDBASER) >> 63,
	       (mmio_read64(gicr_base() + GICR_VPENDBASER) >> 60) & 1);
	vsgi(VPE, 3, 0xb0, 0);	/* resident: configured in the Redistributor */
	its_vsync(VPE);

	sysreg_write(ICH_AP1R0_EL2, 0);
	sysreg_write(ICH_HCR_EL2, 1);	/* En */
	isb();

	sysreg_write(vbar_el2, (u64)el2mon_vectors);
	sysreg_write(vbar_el1, (u64)vectors);
	sysreg_write(sp_el1, (u64)(guest_stack + sizeof(guest_stack)));
	sysreg_write(elr_el2, (u64)guest_main);
	sysreg_write(spsr_el2, 0x3c5);
	isb();
	__asm__ volatile("eret" ::: "memory");
	fail("eret returned");
}
