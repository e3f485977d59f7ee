/*
 * Shared bare-metal support for the RenodeGic AArch64 firmware samples.
 * Runs with the MMU off (identity, Device memory): aligned accesses only.
 */
#ifndef FW_LIB_H
#define FW_LIB_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long u64;
typedef signed int s32;
typedef signed long s64;
typedef unsigned long size_t;

#include "asm.h"	/* MAX_CPUS, STACK_SHIFT, HCR_EL2_VALUE (shared with start.S) */

#define NULL ((void *)0)
#define BIT(n) (1UL << (n))

/* ---- system registers ---------------------------------------------------- */
#define __str(x) #x
#define sysreg_read(reg) ({ u64 __v; __asm__ volatile("mrs %0, " __str(reg) : "=r"(__v)); __v; })
#define sysreg_write(reg, v) __asm__ volatile("msr " __str(reg) ", %0" :: "r"((u64)(v)) : "memory")

#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define dmb(opt) __asm__ volatile("dmb " #opt ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")
#define cpu_relax() __asm__ volatile("yield" ::: "memory")

static inline void irq_enable(void) { __asm__ volatile("msr daifclr, #2\n\tisb" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }
static inline void fiq_enable(void) { __asm__ volatile("msr daifclr, #1\n\tisb" ::: "memory"); }
static inline void fiq_disable(void) { __asm__ volatile("msr daifset, #1" ::: "memory"); }

static inline unsigned int current_el(void) { return (sysreg_read(CurrentEL) >> 2) & 3; }
static inline u64 read_mpidr(void) { return sysreg_read(mpidr_el1); }
/* CPU index used for per-CPU data and stacks: MPIDR_EL1.Aff0. */
static inline unsigned int cpu_id(void) { return read_mpidr() & 0xff; }
/* MPIDR affinity fields only (Aff3:Aff2:Aff1:Aff0 in the MPIDR layout). */
static inline u64 mpidr_affinity(u64 mpidr) { return mpidr & 0xff00ffffffUL; }

/* ---- MMIO (always naturally aligned) ------------------------------------ */
static inline u32 mmio_read32(u64 a) { return *(volatile u32 *)a; }
static inline void mmio_write32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline u64 mmio_read64(u64 a) { return *(volatile u64 *)a; }
static inline void mmio_write64(u64 a, u64 v) { *(volatile u64 *)a = v; }

/* ---- start-up / exceptions ---------------------------------------------- */
extern const char sample_name[];
#define SAMPLE(name) const char sample_name[] = name
int main(void);                                   /* CPU0, after lib set-up */
void secondary_main(unsigned int cpu, u64 ctx);   /* weak: a sample may override */
void secondary_entry(void);                       /* PSCI CPU_ON entry point */
extern unsigned int boot_el;                      /* EL of CPU0 at entry: 1 or 2 */

typedef void (*irq_handler_t)(unsigned int intid, unsigned int cpu);
void irq_register(unsigned int intid, irq_handler_t h);
void irq_register_lpi(irq_handler_t h);  /* one handler for every LPI (INTID >= 8192) */
/* Handlers may call this to EOI early (then the dispatcher does not EOI again). */
void irq_eoi_now(void);
extern volatile u32 unexpected_irqs;
extern volatile u32 spurious_irqs;
unsigned int irq_current_group(void);   /* inside a handler: 1 = IRQ/Group 1, 0 = FIQ/Group 0 */
/* Nested interrupts: a handler calls irq_nest_save (interrupts still masked), may then unmask IRQ/FIQ and be
 * preempted, and calls irq_nest_restore (masks IRQ and FIQ again, puts ELR/SPSR back) before it returns. */
struct irq_frame { u64 elr, spsr; };
void irq_nest_save(struct irq_frame *f);
void irq_nest_restore(const struct irq_frame *f);

/* Waiting. wait_eq spins with a poll limit (then fails); wait_eq_wfi uses the Linux idle
 * pattern (mask, check, WFI, unmask). spin() is a plain busy delay. */
#define WAIT_LIMIT 200000000UL
void wait_eq(volatile u32 *p, u32 val, u64 limit, const char *what);
void wait_eq_wfi(volatile u32 *p, u32 val);
void spin(u64 n);

/* ---- console ------------------------------------------------------------ */
void uart_putc(char c);
void uart_puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pass(void) __attribute__((noreturn));
void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* ---- PSCI ----------------------------------------------------------------- */
#define PSCI_VERSION        0x84000000u
#define PSCI_CPU_OFF        0x84000002u
#define PSCI_CPU_ON         0xC4000003u
#define PSCI_AFFINITY_INFO  0xC4000004u
#define PSCI_SYSTEM_OFF     0x84000008u
#define PSCI_FEATURES       0x8400000Au
#define PSCI_RET_SUCCESS        0
#define PSCI_RET_NOT_SUPPORTED -1
#define PSCI_RET_INVALID       -2
#define PSCI_RET_DENIED        -3
#define PSCI_RET_ALREADY_ON    -4
s64 psci_call(u64 fn, u64 a1, u64 a2, u64 a3);
static inline s64 psci_version(void) { return psci_call(PSCI_VERSION, 0, 0, 0); }
static inline s64 psci_cpu_on(u64 mpidr, void (*entry)(void), u64 ctx)
{ return psci_call(PSCI_CPU_ON, mpidr, (u64)entry, ctx); }
static inline s64 psci_affinity_info(u64 mpidr) { return psci_call(PSCI_AFFINITY_INFO, mpidr, 0, 0); }
void psci_cpu_off(void) __attribute__((noreturn));
void psci_system_off(void) __attribute__((noreturn));

/* ---- generic timer (see timer.c for the EL-dependent physical timer) ------ */
static inline u64 timer_freq(void) { return sysreg_read(cntfrq_el0); }
static inline u64 read_cntvct(void) { isb(); return sysreg_read(cntvct_el0); }
static inline u64 read_cntpct(void) { isb(); return sysreg_read(cntpct_el0); }
#define CNT_CTL_ENABLE  BIT(0)
#define CNT_CTL_IMASK   BIT(1)
#define CNT_CTL_ISTATUS BIT(2)
/* Virtual timer (PPI 27). */
static inline void vtimer_set_tval(u32 t) { sysreg_write(cntv_tval_el0, t); }
static inline void vtimer_set_ctl(u32 c) { sysreg_write(cntv_ctl_el0, c); isb(); }
static inline u32 vtimer_ctl(void) { return sysreg_read(cntv_ctl_el0); }
static inline u64 vtimer_cval(void) { return sysreg_read(cntv_cval_el0); }
/* "Physical" timer of the current EL: CNTP_* (PPI 30) at EL1, CNTHP_* (PPI 26) at EL2. */
unsigned int ptimer_intid(void);
const char *ptimer_name(void);
void ptimer_set_tval(u32 t);
void ptimer_set_ctl(u32 c);
u32 ptimer_ctl(void);
u64 ptimer_cval(void);

#include "gic.h"

#endif
