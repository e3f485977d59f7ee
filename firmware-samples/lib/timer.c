/* The physical timer of the current EL: EL1 physical (CNTP_*, PPI 30) or EL2 physical (CNTHP_*, PPI 26). */
#include "lib.h"

unsigned int ptimer_intid(void) { return current_el() == 2 ? 26 : 30; }
const char *ptimer_name(void) { return current_el() == 2 ? "cnthp" : "cntp"; }

void ptimer_set_tval(u32 t)
{
	if (current_el() == 2)
		sysreg_write(cnthp_tval_el2, t);
	else
		sysreg_write(cntp_tval_el0, t);
}

void ptimer_set_ctl(u32 c)
{
	if (current_el() == 2)
		sysreg_write(cnthp_ctl_el2, c);
	else
		sysreg_write(cntp_ctl_el0, c);
	isb();
}

u32 ptimer_ctl(void)
{
	return current_el() == 2 ? sysreg_read(cnthp_ctl_el2) : sysreg_read(cntp_ctl_el0);
}

u64 ptimer_cval(void)
{
	return current_el() == 2 ? sysreg_read(cnthp_cval_el2) : sysreg_read(cntp_cval_el0);
}
