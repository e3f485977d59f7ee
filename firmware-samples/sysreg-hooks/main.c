/*
 * sysreg-hooks: registers that are live across an MRS/MSR of a register an emulator may trap
 * (MPIDR_EL1, ICC_*, CNT*) must keep their values, also when the access is the first instruction
 * of a function (start of a translation block) and the result feeds address arithmetic.
 */
#include "lib.h"

SAMPLE("sysreg-hooks");

static volatile u32 ram[64];
static u64 table[MAX_CPUS];
static u32 errors;

/* Same shape as gic_local_enable(): MRS first, then the live argument and a table lookup. */
__attribute__((noinline)) static void store_mpidr(unsigned int n)
{
	u64 b = table[cpu_id()];
	*(volatile u32 *)(b + (n / 32) * 4) = 1u << (n % 32);
}

__attribute__((noinline)) static u64 after_mrs_rpr(u64 a, u64 b)
{
	u64 r = sysreg_read(ICC_RPR_EL1);
	return a * 3 + b + (r & 0);
}

__attribute__((noinline)) static u64 after_mrs_cntfrq(u64 a, u64 b)
{
	u64 f = sysreg_read(cntfrq_el0);
	return a * 5 + b + (f & 0);
}

__attribute__((noinline)) static u64 after_mrs_pfr0(u64 a, u64 b)
{
	u64 f = sysreg_read(id_aa64pfr0_el1);
	return a * 9 + b + (f & 0);
}

__attribute__((noinline)) static u64 after_mrs_cntvct(u64 a, u64 b)
{
	u64 f = sysreg_read(cntvct_el0);
	return a * 11 + b + (f & 0);
}

__attribute__((noinline)) static u64 after_msr_pmr(u64 a, u64 b, u64 pmr)
{
	sysreg_write(ICC_PMR_EL1, pmr);
	return a * 7 + b;
}

static void expect(const char *what, u64 got, u64 want)
{
	printf("%s: 0x%lx%s\n", what, got, got == want ? "" : " (wrong)");
	if (got != want)
		errors++;
}

int main(void)
{
	table[cpu_id()] = (u64)ram;
	gic_dist_init();
	gic_cpu_init();

	for (unsigned int n = 0; n < 64; n += 9) {
		ram[0] = ram[1] = 0;
		store_mpidr(n);
		if (ram[n / 32] != 1u << (n % 32) || ram[1 - n / 32] != 0) {
			printf("store after mrs mpidr, n=%u: ram = 0x%x 0x%x (wrong)\n", n, ram[0], ram[1]);
			errors++;
		}
	}
	printf("store after mrs mpidr: %s\n", errors ? "wrong" : "ok");
	expect("after mrs icc_rpr_el1", after_mrs_rpr(0x1111, 0x22), 0x1111 * 3 + 0x22);
	expect("after mrs cntfrq_el0", after_mrs_cntfrq(0x1111, 0x22), 0x1111 * 5 + 0x22);
	expect("after mrs id_aa64pfr0_el1", after_mrs_pfr0(0x1111, 0x22), 0x1111 * 9 + 0x22);
	expect("after mrs cntvct_el0", after_mrs_cntvct(0x1111, 0x22), 0x1111 * 11 + 0x22);
	expect("after msr icc_pmr_el1", after_msr_pmr(0x1111, 0x22, 0xf0), 0x1111 * 7 + 0x22);
	expect("icc_pmr_el1", sysreg_read(ICC_PMR_EL1) & 0xff, 0xf0);
	gic_set_pmr(0xff);
	CHECK(errors == 0, "%u register(s) corrupted around system-register accesses", errors);
	pass();
}
