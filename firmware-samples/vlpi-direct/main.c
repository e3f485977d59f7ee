/*
 * vlpi-direct: GICv4.0 direct injection of a virtual LPI (EL2 entry only; QEMU gic-version=4,virtualization=on,its=on).
 *
 * The EL2 monitor sets up LPIs and the ITS with a vPE table (GITS_BASER2), maps device 0 / event 0 to vINTID 8224
 * of vPE 0 with doorbell LPI 8292 (MAPD, VMAPP, VMAPTI, VSYNC), makes vPE 0 resident on its redistributor
 * (GICR_VPROPBASER, GICR_VPENDBASER.Valid, polling Dirty) and enters an EL1 guest. Then:
 *   1  the guest writes GITS_TRANSLATER (an MSI of device 0): the vLPI reaches the guest's virtual CPU interface
 *      with no exit to EL2 (the guest's ICC_IAR1_EL1 read is ICV_IAR1_EL1);
 *   2  HVC #1: the monitor makes the vPE non-resident (PendingLast 0: nothing pending); the guest sends the MSI
 *      again: it lands in the virtual Pending table and the doorbell LPI 8292 fires at EL2; the monitor checks the
 *      VPT bit and makes the vPE resident again, and the guest takes the vLPI after the ERET;
 *   3  HVC #2: the monitor pends the vLPI with INT while the vPE is resident (no vIRQ is taken at EL2), makes it
 *      non-resident (PendingLast 1, the VPT bit written back), removes it with CLEAR (VPT bit 0) and finishes.
 * HVC #0 from the guest is PSCI (forwarded by the monitor with SMC), so lib fail()/pass() work at EL1.
 * Dirty is polled but not printed: how long it stays 1 is implementation defined.
 */
#include "lib.h"
#include "its.h"

SAMPLE("vlpi-direct");

#define ICH_HCR_EL2  S3_4_C12_C11_0
#define ICH_VMCR_EL2 S3_4_C12_C11_7
#define ICH_AP1R0_EL2 S3_4_C12_C9_0

#define GICR_VLPI_OFFSET 0x20000
#define GICR_VPROPBASER  (GICR_VLPI_OFFSET + 0x70)
#define GICR_VPENDBASER  (GICR_VLPI_OFFSET + 0x78)
#define VPENDBASER_VALID       BIT(63)
#define VPENDBASER_PENDINGLAST BIT(61)
#define VPENDBASER_DIRTY       BIT(60)

#define GITS_TYPER_VIRTUAL BIT(1)
#define GITS_TYPER_VMOVP   (1UL << 37)

/* Virtual LPI tables, clear of lib/its.h's physical ones. */
#define VPE_TABLE   (ITS_MEM_BASE + 0x100000)	/* GITS_BASER2, 4 KiB page */
#define VPROP_TABLE (ITS_MEM_BASE + 0x110000)	/* virtual LPI Configuration table, 8 KiB */
#define VPT         (ITS_MEM_BASE + 0x120000)	/* virtual Pending table of vPE 0, 64 KiB aligned, 2 KiB */

#define VPE      0
#define VINTID   8224
#define DOORBELL 8292
#define DEVICE   0
#define EVENT    0

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


/* Schedule vPE 0 here: VPROPBASER, then VPENDBASER.Valid; wait until Dirty reads 0. */
static void make_resident(void)
{
	u64 rd = gicr_base();
	u64 v;
	u64 polls = 0;

	mmio_write64(rd + GICR_VPROPBASER, VPROP_TABLE | (LPI_ID_BITS - 1));
	mmio_write64(rd + GICR_VPENDBASER, VPENDBASER_VALID | VPT);
	dsb(sy);
	while ((v = mmio_read64(rd + GICR_VPENDBASER)) & VPENDBASER_DIRTY) {
		if (++polls > 1000000)
			fail("GICR_VPENDBASER.Dirty stuck");
		cpu_relax();
	}
	if (!(v & VPENDBASER_VALID))
		fail("GICR_VPENDBASER.Valid did not stick (0x%lx)", v);
}

/* De-schedule: clear Valid; returns PendingLast. */
static u64 make_non_resident(void)
{
	u64 rd = gicr_base();
	u64 v = mmio_read64(rd + GICR_VPENDBASER);

	mmio_write64(rd + GICR_VPENDBASER, v & ~(VPENDBASER_VALID | VPENDBASER_PENDINGLAST));
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
		mon_record("doorbell %lu at EL2: vINTID 8224 in the VPT %lu", intid, pending_table_bit(VPT, VINTID));
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

	if (ec != 0x16) {
		printf("monitor: guest exception ESR 0x%lx (EC 0x%x) ELR 0x%lx\n", esr, ec, sysreg_read(elr_el2));
		fail("unexpected exception from the guest");
	}
	switch (imm) {
	case 0:
		frame[0] = psci_call(frame[0], frame[1], frame[2], frame[3]);
		return;
	case 1:
		mon_record("hvc 1: vPE non-resident, pendinglast %lu, VPT bit %lu", make_non_resident(), pending_table_bit(VPT, VINTID));
		break;
	case 2:
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

static void guest_lpi(unsigned int intid, unsigned int cpu)
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
	irq_register_lpi(guest_lpi);
	sysreg_write(ICC_PMR_EL1, 0xff);
	sysreg_write(ICC_BPR1_EL1, 0);
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	isb();

	its_translate(EVENT);	/* the device's MSI: DeviceID 0 */
	guest_wait(1, "the direct vLPI");
	printf("guest: vINTID %u taken directly (icv_rpr 0x%x in the handler)\n", seen[0], seen_rpr[0]);

	__asm__ volatile("hvc #1" ::: "memory");
	its_translate(EVENT);	/* vPE not resident: VPT + doorbell at EL2, which reschedules us */
	guest_wait(2, "the vLPI after re-residency");
	printf("guest: vINTID %u taken after re-residency (icv_rpr 0x%x)\n", seen[1], seen_rpr[1]);
	printf("guest: icv_hppir1 %lu icv_rpr 0x%lx unexpected %u spurious %u\n", sysreg_read(ICC_HPPIR1_EL1) & 0xffffff,
	       sysreg_read(ICC_RPR_EL1) & 0xff, unexpected_irqs, spurious_irqs);
	__asm__ volatile("hvc #2" ::: "memory");
	fail("guest: monitor returned from hvc 2");
}

/* ---- EL2 main ----------------------------------------------------------------------------------- */

static void el2_finish(void)
{
	u64 pending_last;

	/* A vLPI pended while the vPE is resident but the guest does not run: written back on de-schedule. */
	its_command(0x03 | ((u64)DEVICE << 32), EVENT, 0, 0);	/* INT */
	pending_last = make_non_resident();
	printf("monitor: INT then de-schedule: pendinglast %lu, VPT bit %lu, doorbells %u\n", pending_last, pending_table_bit(VPT, VINTID), doorbells);
	its_command(0x04 | ((u64)DEVICE << 32), EVENT, 0, 0);	/* CLEAR */
	printf("monitor: CLEAR: VPT bit %lu\n", pending_table_bit(VPT, VINTID));
	for (unsigned int i = 0; i < mon_nlog; i++) {
		printf("monitor: ");
		printf((const char *)mon_log[i][0], mon_log[i][1], mon_log[i][2]);
		printf("\n");
	}
	CHECK(doorbells == 1, "expected one doorbell, got %u", doorbells);
	CHECK(pending_last == 1, "PendingLast should be 1 with a pending vLPI");
	pass();
}

int main(void)
{
	u64 typer;

	if (current_el() != 2)
		fail("vlpi-direct needs EL2 (QEMU virtualization=on)");

	gic_dist_init();
	gic_cpu_init();
	printf("monitor: gicr_typer vlpis %lu, gicd_typer lpis %u\n", (mmio_read64(gicr_base() + GICR_TYPER) >> 1) & 1,
	       (gicd_read(GICD_TYPER) >> 17) & 1);
	typer = its_read64(GITS_TYPER);
	printf("monitor: gits_typer virtual %lu vmovp %lu\n", (typer & GITS_TYPER_VIRTUAL) >> 1, (typer & GITS_TYPER_VMOVP) >> 37);
	CHECK(typer & GITS_TYPER_VIRTUAL, "the ITS has no virtual LPI support");
	printf("monitor: gits_baser2 type %lu entry size %lu\n", (its_read64(GITS_BASER(2)) >> 56) & 7, ((its_read64(GITS_BASER(2)) >> 48) & 0x1f) + 1);

	/* Physical LPIs: the doorbell. */
	mem_zero64(LPI_PROP_TABLE, 0x2000);
	lpi_configure(DOORBELL, 0x80, 1);
	lpi_cpu_enable();

	/* Virtual LPI tables and the vPE table (before the ITS is enabled). */
	mem_zero64(VPE_TABLE, 0x1000);
	mem_zero64(VPROP_TABLE, 0x2000);
	mem_zero64(VPT, 0x800);
	lpi_prop_write(VPROP_TABLE, VINTID, 0xa0, 1);
	mmio_write64(ITS_BASE + GITS_BASER(2), BIT(63) | VPE_TABLE);	/* valid, 4 KiB page, one page */
	its_init(0);

	its_mapd(DEVICE, 4, ITS_ITT(DEVICE), 1);
	its_vmapp(VPE, 0, VPT, LPI_ID_BITS);
	its_vmapti(DEVICE, EVENT, VPE, VINTID, DOORBELL);
	its_vsync(VPE);

	make_resident();
	printf("monitor: vPE %u resident: vpendbaser valid %lu dirty %lu\n", VPE, mmio_read64(gicr_base() + GICR_VPENDBASER) >> 63,
	       (mmio_read64(gicr_base() + GICR_VPENDBASER) >> 60) & 1);

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
