/*
 * vmovp: GICv4.0 VMOVP, moving a resident vPE from CPU0 to CPU1 (EL2 entry only; QEMU
 * gic-version=4,virtualization=on,its=on, ours platforms/virt-gicv4.repl; built as vmovp-two-its with -DTWO_ITS for
 * a platform with two ITSes and GITS_TYPER.VMOVP = 0, see below).
 *
 * The EL2 monitor on CPU0 sets up LPIs and the ITS with a vPE table (GITS_BASER2), maps device 0 / event 0 to
 * vINTID 8224 of vPE 0 on CPU0 with doorbell LPI 8292 (MAPD, VMAPP, VMAPTI, VSYNC), makes vPE 0 resident on
 * CPU0's redistributor (GICR_VPROPBASER, GICR_VPENDBASER.Valid, polling Dirty) and enters the EL1 guest. Then:
 *   1  the guest on CPU0 writes GITS_TRANSLATER: the vLPI reaches CPU0's virtual CPU interface with no exit to EL2;
 *   2  HVC #1: the monitor moves vPE 0 to CPU1 with VMOVP + VSYNC, in the form GITS_TYPER.VMOVP selects (1: one
 *      VMOVP, the ITS updates every ITS; 0: the same VMOVP with SeqNum and ITSList to every ITS in the list, each
 *      followed by VSYNC), makes the vPE non-resident on CPU0 (PendingLast 0) and starts CPU1 at EL2 with PSCI
 *      CPU_ON; CPU1's monitor enables its LPIs, makes vPE 0 resident on CPU1's redistributor and enters the guest
 *      on CPU1 (VMPIDR_EL2 = CPU1's MPIDR);
 *   3  the guest on CPU1 writes GITS_TRANSLATER again: the vLPI follows the vPE to CPU1's virtual CPU interface,
 *      with no exit to EL2 and no doorbell; HVC #2 ends it, CPU0 prints what CPU1 recorded.
 * vmovp-two-its (-DTWO_ITS; our host only: QEMU virt has one ITS): a second ITS at 0x08040000 (GITS_CTLR.ITS_Number
 * 1 at reset, the first 0), both with GITS_TYPER.VMOVP = 0; the monitor numbers them 2 and 5 (GITS_CTLR.ITS_Number). Each ITS has its own tables and command queue; vPE 0 is mapped
 * (VMAPP) in both, and device 0 / event 0 of the second ITS is vINTID 8225 of vPE 0. The guest sends both MSIs on
 * CPU0 and again on CPU1; the move is VMOVP with SeqNum 1 and ITSList = both ITS numbers, sent to each ITS (each
 * followed by VSYNC), so the vLPIs of both ITSes follow the vPE.
 * Only CPU0 prints. HVC #0 from a guest is PSCI (forwarded by the monitor with SMC), so lib fail()/pass() work at EL1.
 * Dirty is polled but not printed: how long it stays 1 is implementation defined.
 */
#include "lib.h"
#include "its.h"

#ifdef TWO_ITS
SAMPLE("vmovp-two-its");
#define ITS1_BASE 0x08040000UL	/* the second ITS of the two-ITS platform */
#define NITS 2
#else
SAMPLE("vmovp");
#define NITS 1
#endif

#define ICH_HCR_EL2   S3_4_C12_C11_0
#define ICH_AP1R0_EL2 S3_4_C12_C9_0
#define VMPIDR_EL2    S3_4_C0_C0_5

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
#define VINTID   8224	/* ITS 0's event; ITS 1's is VINTID + 1 */
#define DOORBELL 8292
#define DEVICE   0
#define EVENT    0

/* VMOVP: SeqNum [47:32] and ITSList [15:0] only matter when GITS_TYPER.VMOVP = 0. */

/* Schedule vPE 0 on the calling CPU: VPROPBASER, then VPENDBASER.Valid; wait until Dirty reads 0. */
static u64 make_resident(void)
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
	return v;
}

/* De-schedule from the calling CPU: clear Valid; returns PendingLast. */
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

/* ---- guest (EL1, on CPU0 then on CPU1) ---------------------------------------------------------- */

static u8 guest_stack[2][8192] __attribute__((aligned(16)));
static volatile u32 taken, seen[4], seen_rpr[4], seen_cpu[4];
/* What the guest on CPU1 saw, printed by CPU0. */
static volatile u64 g1_el, g1_cpu, g1_hppir, g1_rpr, g1_unexpected, g1_spurious;

static void guest_lpi(unsigned int intid, unsigned int cpu)
{
	if (taken < 4) {
		seen[taken] = intid;
		seen_rpr[taken] = sysreg_read(ICC_RPR_EL1) & 0xff;	/* ICV_RPR_EL1 */
		seen_cpu[taken] = cpu;	/* MPIDR_EL1.Aff0 as the guest sees it (VMPIDR_EL2) */
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

/* The device's MSI through ITS n (DeviceID 0, EventID 0), then wait until the guest took it. */
static void send_msi(unsigned int n)
{
#ifdef TWO_ITS
	if (n == 1) {
		mmio_write32(ITS1_BASE + GITS_TRANSLATER, EVENT);
		dsb(sy);
		isb();
		return;
	}
#endif
	(void)n;
	its_translate(EVENT);
}

static void guest_setup(void)
{
	irq_register_lpi(guest_lpi);
	sysreg_write(ICC_PMR_EL1, 0xff);
	sysreg_write(ICC_BPR1_EL1, 0);
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	isb();
}

void guest0_main(void)
{
	printf("guest: el %u on cpu%u\n", current_el(), cpu_id());
	guest_setup();
	for (unsigned int n = 0; n < NITS; n++) {
		send_msi(n);	/* the device's MSI: DeviceID 0 */
		guest_wait(n + 1, "the direct vLPI on cpu0");
		printf("guest: vINTID %u taken directly on cpu%u (icv_rpr 0x%x in the handler)\n", seen[n], seen_cpu[n], seen_rpr[n]);
	}
	__asm__ volatile("hvc #1" ::: "memory");
	fail("guest: monitor returned from hvc 1");
}

void guest1_main(void)
{
	g1_el = current_el();
	g1_cpu = cpu_id();
	guest_setup();
	for (unsigned int n = 0; n < NITS; n++) {
		send_msi(n);	/* the same MSI: follows vPE 0 to CPU1 */
		guest_wait(NITS + n + 1, "the direct vLPI on cpu1");
	}
	g1_hppir = sysreg_read(ICC_HPPIR1_EL1) & 0xffffff;
	g1_rpr = sysreg_read(ICC_RPR_EL1) & 0xff;
	g1_unexpected = unexpected_irqs;
	g1_spurious = spurious_irqs;
	__asm__ volatile("hvc #2" ::: "memory");
	fail("guest: monitor returned from hvc 2");
}

/* ---- monitor (EL2) ------------------------------------------------------------------------------ */

static volatile u32 doorbells, cpu1_done;
static volatile u64 cpu1_vpendbaser;

void el2_lower_irq(void)
{
	u32 intid = sysreg_read(ICC_IAR1_EL1) & 0xffffff;	/* at EL2: the physical interface */

	if (intid == DOORBELL) {
		doorbells++;
		sysreg_write(ICC_EOIR1_EL1, intid);
	} else if (intid < 1020 || intid >= 8192) {
		fail("monitor: unexpected physical INTID %u on cpu%u", intid, cpu_id());
	}
	isb();
}

static void move_to_cpu1(void) __attribute__((noreturn));
static void cpu1_finish(void) __attribute__((noreturn));

void el2_lower_sync(u64 *frame)
{
	u64 esr = sysreg_read(esr_el2);
	u32 ec = (esr >> 26) & 0x3f;
	u32 imm = esr & 0xffff;

	if (ec != 0x16) {
		printf("monitor: guest exception on cpu%u: ESR 0x%lx (EC 0x%x) ELR 0x%lx\n", cpu_id(), esr, ec, sysreg_read(elr_el2));
		fail("unexpected exception from the guest");
	}
	switch (imm) {
	case 0:
		frame[0] = psci_call(frame[0], frame[1], frame[2], frame[3]);
		return;
	case 1:
		move_to_cpu1();
	case 2:
		cpu1_finish();
	default:
		fail("monitor: unknown HVC #%u", imm);
	}
}

extern char el2mon_vectors[];	/* lib/el2mon.S */
extern char vectors[];

/* The calling CPU's monitor enters guest code at EL1 (virtual interface enabled, the guest sees its own MPIDR). */
static void enter_guest(void (*entry)(void), unsigned int stack) __attribute__((noreturn));
static void enter_guest(void (*entry)(void), unsigned int stack)
{
	sysreg_write(ICH_AP1R0_EL2, 0);
	sysreg_write(ICH_HCR_EL2, 1);	/* En */
	sysreg_write(VMPIDR_EL2, read_mpidr());
	isb();
	sysreg_write(vbar_el2, (u64)el2mon_vectors);
	sysreg_write(vbar_el1, (u64)vectors);
	sysreg_write(sp_el1, (u64)(guest_stack[stack] + sizeof(guest_stack[stack])));
	sysreg_write(elr_el2, (u64)entry);
	sysreg_write(spsr_el2, 0x3c5);
	isb();
	__asm__ volatile("eret" ::: "memory");
	__builtin_unreachable();
}

/* CPU1, entered at EL2 by CPU_ON: schedule vPE 0 here and run the guest. */
void secondary_main(unsigned int cpu, u64 ctx)
{
	(void)ctx;
	if (cpu != 1)
		return;
	gic_cpu_init();
	lpi_cpu_enable();
	cpu1_vpendbaser = make_resident();
	enter_guest(guest1_main, 1);
}

static void cpu1_finish(void)
{
	dmb(sy);
	cpu1_done = 1;
	dsb(sy);
	for (;;)
		wfi();	/* IRQs masked: parked at EL2 */
}

#ifdef TWO_ITS
/* The second ITS: its own tables and command queue (lib/its.c drives the first one). */
#define ITS1_MEM        (ITS_MEM_BASE + 0x200000)
#define ITS1_DEVICE_TABLE (ITS1_MEM + 0x00000)
#define ITS1_COLL_TABLE (ITS1_MEM + 0x10000)
#define ITS1_CMD_QUEUE  (ITS1_MEM + 0x20000)
#define ITS1_ITT        (ITS1_MEM + 0x30000)
#define ITS1_VPE_TABLE  (ITS1_MEM + 0x40000)
static const u64 its_bases[NITS] = { 0x08080000UL, ITS1_BASE };

static void its1_cmd(u64 a, u64 b, u64 c, u64 d)
{
	const u64 command[4] = { a, b, c, d };
	u64 w = mmio_read64(ITS1_BASE + GITS_CWRITER) & 0xfffe0;

	for (int i = 0; i < 4; i++)
		*(volatile u64 *)(ITS1_CMD_QUEUE + w + 8 * i) = command[i];
	dsb(sy);
	w = (w + 32) % 0x1000;
	mmio_write64(ITS1_BASE + GITS_CWRITER, w);
	for (u64 n = 0; (mmio_read64(ITS1_BASE + GITS_CREADR) & 0xfffe0) != w; n++) {
		if (n >= 10000000UL)
			fail("ITS 1 command queue stuck");
		cpu_relax();
	}
	if (mmio_read64(ITS1_BASE + GITS_CREADR) & 1)
		fail("ITS 1 command queue stalled");
}

static void its1_init(void)
{
	mem_zero64(ITS1_MEM, 0x41000);
	dsb(sy);
	mmio_write64(ITS1_BASE + GITS_BASER(0), BIT(63) | ITS1_DEVICE_TABLE);
	mmio_write64(ITS1_BASE + GITS_BASER(1), BIT(63) | ITS1_COLL_TABLE);
	mmio_write64(ITS1_BASE + GITS_BASER(2), BIT(63) | ITS1_VPE_TABLE);
	mmio_write64(ITS1_BASE + GITS_CBASER, BIT(63) | ITS1_CMD_QUEUE);
	mmio_write64(ITS1_BASE + GITS_CWRITER, 0);
	mmio_write32(ITS1_BASE + GITS_CTLR, mmio_read32(ITS1_BASE + GITS_CTLR) | 1);
	dsb(sy);
	its1_cmd(0x08 | ((u64)DEVICE << 32), 4 - 1, ITS1_ITT | BIT(63), 0);	/* MAPD */
	its1_cmd(0x29, (u64)VPE << 32, BIT(63), VPT | (LPI_ID_BITS - 1));	/* VMAPP vPE 0 -> CPU0 */
	its1_cmd(0x2a | ((u64)DEVICE << 32), EVENT | ((u64)VPE << 32), (VINTID + 1) | ((u64)DOORBELL << 32), 0);	/* VMAPTI */
	its1_cmd(0x25, (u64)VPE << 32, 0, 0);	/* VSYNC */
}
#endif

static void move_to_cpu1(void)
{
	u64 vmovp_single = (its_read64(GITS_TYPER) & GITS_TYPER_VMOVP) != 0;
	u64 pending_last;
	s64 ret;

	if (vmovp_single) {
		its_vmovp(0, 0, VPE, 1);
		its_vsync(VPE);
		printf("monitor: VMOVP (single-command form) vPE %u to cpu1, VSYNC\n", VPE);
	} else {
#ifdef TWO_ITS
		/* The same VMOVP (SeqNum 1, both ITSes) to every ITS in ITSList, each followed by VSYNC. */
		u32 list = 0;
		for (unsigned int n = 0; n < NITS; n++)
			list |= 1u << ((mmio_read32(its_bases[n] + GITS_CTLR) >> 4) & 0xf);
		its_vmovp(1, list, VPE, 1);
		its_vsync(VPE);
		its1_cmd(0x22 | (1UL << 32), list | ((u64)VPE << 32), 1UL << 16, 0);	/* the same VMOVP */
		its1_cmd(0x25, (u64)VPE << 32, 0, 0);	/* VSYNC */
		printf("monitor: VMOVP (ITSList form, SeqNum 1, ITSList 0x%x) vPE %u to cpu1 on both ITSes, VSYNC\n", list, VPE);
#else
		fail("GITS_TYPER.VMOVP = 0: this image expects the single-command form");
#endif
	}
	pending_last = make_non_resident();
	printf("monitor: cpu0 de-schedules vPE %u: pendinglast %lu, VPT bit %lu\n", VPE, pending_last, pending_table_bit(VPT, VINTID));

	ret = psci_cpu_on(1, secondary_entry, 0x1234);
	printf("monitor: CPU_ON cpu1 %ld\n", ret);
	wait_eq(&cpu1_done, 1, WAIT_LIMIT, "cpu1's guest");

	printf("cpu1: vPE %u resident: vpendbaser valid %lu dirty %lu\n", VPE, cpu1_vpendbaser >> 63, (cpu1_vpendbaser >> 60) & 1);
	printf("cpu1 guest: el %lu on cpu%lu\n", g1_el, g1_cpu);
	for (unsigned int n = NITS; n < 2 * NITS; n++)
		printf("cpu1 guest: vINTID %u taken directly on cpu%u (icv_rpr 0x%x in the handler)\n", seen[n], seen_cpu[n], seen_rpr[n]);
	printf("cpu1 guest: icv_hppir1 %lu icv_rpr 0x%lx unexpected %lu spurious %lu\n", g1_hppir, g1_rpr, g1_unexpected, g1_spurious);
	printf("monitor: cpu0 vpendbaser valid %lu, VPT bit %lu, doorbells %u, vLPIs taken %u\n",
	       mmio_read64(gicr_base() + GICR_VPENDBASER) >> 63, pending_table_bit(VPT, VINTID), doorbells, taken);
	for (unsigned int n = 0; n < 2 * NITS; n++)
		CHECK(seen_cpu[n] == (n < NITS ? 0u : 1u), "vLPI %u taken on cpu%u", n, seen_cpu[n]);
	CHECK(doorbells == 0, "no doorbell expected, got %u", doorbells);
	CHECK(pending_last == 0, "PendingLast should be 0");
	pass();
}

int main(void)
{
	u64 typer;

	if (current_el() != 2)
		fail("vmovp needs EL2 (QEMU virtualization=on)");

	gic_dist_init();
	gic_cpu_init();
	printf("monitor: gicr_typer vlpis %lu, gicd_typer lpis %u\n", (mmio_read64(gicr_base() + GICR_TYPER) >> 1) & 1,
	       (gicd_read(GICD_TYPER) >> 17) & 1);
	typer = its_read64(GITS_TYPER);
	printf("monitor: gits_typer virtual %lu vmovp %lu\n", (typer & GITS_TYPER_VIRTUAL) >> 1, (typer & GITS_TYPER_VMOVP) >> 37);
	CHECK(typer & GITS_TYPER_VIRTUAL, "the ITS has no virtual LPI support");

	/* Physical LPIs: the doorbell (CPU1 enables its own redistributor's LPIs when it starts). */
	mem_zero64(LPI_PROP_TABLE, 0x2000);
	lpi_configure(DOORBELL, 0x80, 1);
	lpi_cpu_enable();

	/* Virtual LPI tables and the vPE table (before the ITS is enabled). */
	mem_zero64(VPE_TABLE, 0x1000);
	mem_zero64(VPROP_TABLE, 0x2000);
	mem_zero64(VPT, 0x800);
	lpi_prop_write(VPROP_TABLE, VINTID, 0xa0, 1);
#ifdef TWO_ITS
	lpi_prop_write(VPROP_TABLE, VINTID + 1, 0xa0, 1);
	/* GITS_CTLR.ITS_Number (RW while the ITS is disabled and GITS_TYPER.VMOVP = 0, UNKNOWN at reset): software
	 * numbers its ITSes, here 2 and 5 (ITSList 0x24). */
	mmio_write32(its_bases[0] + GITS_CTLR, 2 << 4);
	mmio_write32(ITS1_BASE + GITS_CTLR, 5 << 4);
	dsb(sy);
	printf("monitor: its1 gits_typer virtual %lu vmovp %lu; its_number %u and %u\n",
	       (mmio_read64(ITS1_BASE + GITS_TYPER) & GITS_TYPER_VIRTUAL) >> 1, (mmio_read64(ITS1_BASE + GITS_TYPER) & GITS_TYPER_VMOVP) >> 37,
	       (mmio_read32(its_bases[0] + GITS_CTLR) >> 4) & 0xf, (mmio_read32(ITS1_BASE + GITS_CTLR) >> 4) & 0xf);
#endif
	mmio_write64(ITS_BASE + GITS_BASER(2), BIT(63) | VPE_TABLE);	/* valid, 4 KiB page, one page */
	its_init(0);

	its_mapd(DEVICE, 4, ITS_ITT(DEVICE), 1);
	its_vmapp(VPE, 0, VPT, LPI_ID_BITS);
	its_vmapti(DEVICE, EVENT, VPE, VINTID, DOORBELL);
	its_vsync(VPE);
#ifdef TWO_ITS
	its1_init();
#endif

	printf("monitor: vPE %u resident on cpu0: vpendbaser valid %lu dirty %lu\n", VPE, make_resident() >> 63,
	       (mmio_read64(gicr_base() + GICR_VPENDBASER) >> 60) & 1);
	enter_guest(guest0_main, 0);
}
