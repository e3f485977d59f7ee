/*
 * EL2 monitor vector table for the samples that run their own EL1 guest under a tiny EL2 monitor (vgic-lr,
 * vlpi-direct, vmovp, vsgi). Lower-EL AArch64 synchronous exceptions (the guest's HVCs) call
 * el2_lower_sync(frame) and lower-EL IRQs (physical interrupts while the guest runs) call el2_lower_irq(), both
 * provided by the sample; frame holds x0..x18, x29, x30. Every other entry is reported by exc_unexpected and
 * parks the CPU. The handlers are weak references so that samples without a guest still link.
 */
#include "regs_asm.h"

	.macro el2_bad kind
	.balign	0x80
	save_regs
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
	save_regs
	mov	x0, sp
	bl	el2_lower_sync
	restore_regs
	eret
	.balign	0x80		/* lower EL, AArch64: IRQ */
	save_regs
	bl	el2_lower_irq
	restore_regs
	eret
	el2_bad 10
	el2_bad 11
	el2_bad 12
	el2_bad 13
	el2_bad 14
	el2_bad 15
