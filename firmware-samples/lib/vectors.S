/*
 * Exception vector table, shared by EL1 and EL2 (installed in VBAR of the current EL).
 * Only "current EL with SPx" IRQ/FIQ are expected; everything else is reported and fails.
 */
#include "regs_asm.h"

	.macro	vent label
	.balign	0x80
	b	\label
	.endm

	.macro	bad_vector kind
	.balign	0x80
	save_regs
	mov	x0, #\kind
	mov	x1, sp
	bl	exc_unexpected
	b	park
	.endm

	.text
	.balign	2048
	.globl	vectors
vectors:
	/* Current EL with SP0 */
	bad_vector 0
	bad_vector 1
	bad_vector 2
	bad_vector 3
	/* Current EL with SPx */
	bad_vector 4		/* synchronous */
	vent	irq_entry
	vent	fiq_entry
	bad_vector 7		/* SError */
	/* Lower EL, AArch64 */
	bad_vector 8
	bad_vector 9
	bad_vector 10
	bad_vector 11
	/* Lower EL, AArch32 */
	bad_vector 12
	bad_vector 13
	bad_vector 14
	bad_vector 15

irq_entry:
	save_regs
	mov	x0, #0
	bl	irq_dispatch
	restore_regs
	eret

fiq_entry:
	save_regs
	mov	x0, #1
	bl	irq_dispatch
	restore_regs
	eret
