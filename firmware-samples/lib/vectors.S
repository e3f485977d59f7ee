/*
 * Exception vector table, shared by EL1 and EL2 (installed in VBAR of the current EL).
 * Only "current EL with SPx" IRQ/FIQ are expected; everything else is reported and fails.
 */
	.macro	save_regs
	sub	sp, sp, #176
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x29, [sp, #144]
	str	x30, [sp, #160]
	.endm

	.macro	restore_regs
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x29, [sp, #144]
	ldr	x30, [sp, #160]
	add	sp, sp, #176
	.endm

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
