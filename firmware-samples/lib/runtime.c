/* C entry points, interrupt dispatch and unexpected-exception reporting. */
#include "lib.h"

unsigned int boot_el;
volatile u32 unexpected_irqs;
volatile u32 spurious_irqs;

static irq_handler_t handlers[1020];
static irq_handler_t lpi_handler;	/* every LPI (INTID >= 8192) */

/* Per-CPU state of the interrupt being handled. A handler that unmasks interrupts (irq_nest_save) may be
 * preempted: irq_dispatch saves the outer state on the stack and restores it when the nested one ends. */
struct cur_irq_state {
	u32 intid;
	u32 group;
	u32 eoied;
};
static struct cur_irq_state cur_irq[MAX_CPUS] __attribute__((aligned(64)));

void irq_register(unsigned int intid, irq_handler_t h)
{
	if (intid < 1020)
		handlers[intid] = h;
}

void irq_register_lpi(irq_handler_t h)
{
	lpi_handler = h;
}

static void eoi(u32 group, u32 intid)
{
	if (group)
		sysreg_write(ICC_EOIR1_EL1, intid);
	else
		sysreg_write(ICC_EOIR0_EL1, intid);
	isb();
}

void irq_eoi_now(void)
{
	unsigned int cpu = cpu_id();
	if (!cur_irq[cpu].eoied) {
		cur_irq[cpu].eoied = 1;
		eoi(cur_irq[cpu].group, cur_irq[cpu].intid);
	}
}

/* Called from the vector table: fiq = 0 for IRQ (Group 1), 1 for FIQ (Group 0). */
void irq_dispatch(u64 fiq)
{
	unsigned int cpu = cpu_id();
	u32 group = fiq ? 0 : 1;
	u32 intid = (fiq ? sysreg_read(ICC_IAR0_EL1) : sysreg_read(ICC_IAR1_EL1)) & 0xffffff;
	struct cur_irq_state outer = cur_irq[cpu];	/* the preempted handler's, when nested */

	dsb(sy);
	if (intid >= 1020 && !(intid >= 8192 && lpi_handler)) {
		spurious_irqs++;
		return;
	}
	cur_irq[cpu].intid = intid;
	cur_irq[cpu].group = group;
	cur_irq[cpu].eoied = 0;
	if (intid >= 8192)
		lpi_handler(intid, cpu);
	else if (handlers[intid])
		handlers[intid](intid, cpu);
	else
		unexpected_irqs++;
	irq_eoi_now();
	cur_irq[cpu] = outer;
}

/* Nesting: ELR/SPSR of the current exception level are overwritten by a nested exception. */
void irq_nest_save(struct irq_frame *f)
{
	if (current_el() == 2) {
		f->elr = sysreg_read(elr_el2);
		f->spsr = sysreg_read(spsr_el2);
	} else {
		f->elr = sysreg_read(elr_el1);
		f->spsr = sysreg_read(spsr_el1);
	}
}

void irq_nest_restore(const struct irq_frame *f)
{
	__asm__ volatile("msr daifset, #3" ::: "memory");
	if (current_el() == 2) {
		sysreg_write(elr_el2, f->elr);
		sysreg_write(spsr_el2, f->spsr);
	} else {
		sysreg_write(elr_el1, f->elr);
		sysreg_write(spsr_el1, f->spsr);
	}
	isb();
}

static const char *const exc_kind[16] = {
	"sync/SP0", "irq/SP0", "fiq/SP0", "serror/SP0",
	"sync/SPx", "irq/SPx", "fiq/SPx", "serror/SPx",
	"sync/lower64", "irq/lower64", "fiq/lower64", "serror/lower64",
	"sync/lower32", "irq/lower32", "fiq/lower32", "serror/lower32",
};

void exc_unexpected(u64 kind, u64 *frame)
{
	u64 esr, elr, far, spsr;
	(void)frame;
	if (current_el() == 2) {
		esr = sysreg_read(esr_el2);
		elr = sysreg_read(elr_el2);
		far = sysreg_read(far_el2);
		spsr = sysreg_read(spsr_el2);
	} else {
		esr = sysreg_read(esr_el1);
		elr = sysreg_read(elr_el1);
		far = sysreg_read(far_el1);
		spsr = sysreg_read(spsr_el1);
	}
	printf("exception: %s on cpu%u at EL%u\n", exc_kind[kind & 15], cpu_id(), current_el());
	printf("ESR 0x%lx (EC 0x%lx) ELR 0x%lx FAR 0x%lx SPSR 0x%lx\n", esr, (esr >> 26) & 0x3f,
	       elr, far, spsr);
	fail("unexpected exception (%s)", exc_kind[kind & 15]);
}

void lib_primary_main(u64 dtb)
{
	(void)dtb;
	boot_el = current_el();
	printf("sample: %s\n", sample_name);
	printf("el: %u\n", boot_el);
	main();
	fail("main returned");
}

__attribute__((weak)) void secondary_main(unsigned int cpu, u64 ctx)
{
	(void)cpu;
	(void)ctx;
	psci_cpu_off();
}

void lib_secondary_main(u64 ctx)
{
	secondary_main(cpu_id(), ctx);
	psci_cpu_off();
}

unsigned int irq_current_group(void)
{
	return cur_irq[cpu_id()].group;
}

/* Spin (interrupts as the caller left them) until *p == val; fail after `limit` polls. */
void wait_eq(volatile u32 *p, u32 val, u64 limit, const char *what)
{
	for (u64 n = 0; *p != val; n++) {
		if (n >= limit)
			fail("timeout waiting for %s (have %u, want %u)", what, *p, val);
		cpu_relax();
	}
}

/*
 * Linux idle pattern: check with IRQs masked, WFI (wakes on a pending interrupt even while
 * PSTATE.I is set), unmask so the interrupt is taken, repeat. No lost wake-up, no timeout.
 */
void wait_eq_wfi(volatile u32 *p, u32 val)
{
	for (;;) {
		irq_disable();
		if (*p == val)
			break;
		wfi();
		irq_enable();
	}
	irq_enable();
}

/* Busy delay of n polls, interrupts as the caller left them. */
void spin(u64 n)
{
	for (volatile u64 i = 0; i < n; i++)
		;
}
