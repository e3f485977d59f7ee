/*
 * EL2 monitor vector table for the samples that run their own EL1 guest under a tiny EL2 monitor (vgic-lr,
 * vlpi-direct, vmovp, vsgi). Lower-EL AArch64 synchronous exceptions (the guest's HVCs) call
 * el2_lower_sync(frame) and lower-EL IRQs (physical interrupts while the guest runs) call el2_lower_irq(), both
 * provided by the sample; frame holds x0..x18, x29, x30. Every other entry is reported by exc_unexpected and
 * parks the CPU. The handlers are weak references so that samples without a guest still link.
 */
	.macro el2_save
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

	.macro el2_restore
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

	.macro el2_bad kind
	.balign	0x80
	el2_save
	mov	x0, #\kind
	mov	x1, sp
	bl	exc_unexpected
	b	park
	.endm

	.weak	el2_lower_sync
	.weak	el2_lower_irq

	.text
	.balign	2048
	.globl	el2mon_vectors
el2mon_vectors:
	el2_bad 0
	el2_bad 1
	el2_bad 2
	el2_bad 3
	el2_bad 4
	el2_bad 5
	el2_bad 6
	el2_bad 7
	.balign	0x80		/* lower EL, AArch64: synchronous */
	el2_save
	mov	x0, sp
	bl	el2_lower_sync
	el2_restore
	eret
	.balign	0x80		/* lower EL, AArch64: IRQ */
	el2_save
	bl	el2_lower_irq
	el2_restore
	eret
	el2_bad 10
	el2_bad 11
	el2_bad 12
	el2_bad 13
	el2_bad 14
	el2_bad 15
