/*
 * Image header (Linux arm64 boot protocol), primary and secondary start-up.
 * Runs at the EL it is entered in (EL1, or EL2 with virtualization=on).
 */
#include "asm.h"

	.section .text.head, "ax"
	.globl _head
_head:
	b	_start			/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	_image_size		/* image_size (includes .bss) */
	.quad	0xa			/* flags: LE, 4K pages, anywhere */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 (PE header offset) */

	.text
/* Common per-CPU set-up: x0 = stack index out of range -> park. Clobbers x0-x3. */
	.macro	cpu_setup
	msr	daifset, #0xf
	mrs	x1, mpidr_el1
	and	x1, x1, #0xff
	cmp	x1, #MAX_CPUS
	b.hs	park
	ldr	x2, =stacks
	add	x1, x1, #1
	lsl	x1, x1, #STACK_SHIFT
	add	x2, x2, x1
	msr	spsel, #1
	mov	sp, x2
	ldr	x3, =vectors
	mrs	x0, CurrentEL
	cmp	x0, #(2 << 2)
	b.ne	1f
	msr	vbar_el2, x3
	/* Stay at EL2: route physical IRQ/FIQ/SError to EL2, EL1 would be AArch64. */
	ldr	x0, =HCR_EL2_VALUE
	msr	hcr_el2, x0
	b	2f
1:	msr	vbar_el1, x3
2:	isb
	.endm

	.globl _start
_start:
	mov	x19, x0			/* DTB address (unused) */
	cpu_setup
	/* Zero .bss (8-byte aligned, 8-byte stores: MMU off means no unaligned accesses). */
	ldr	x1, =_bss_start
	ldr	x2, =_bss_end
3:	cmp	x1, x2
	b.hs	4f
	str	xzr, [x1], #8
	b	3b
4:	mov	x0, x19
	bl	lib_primary_main
	b	park

	.globl secondary_entry
secondary_entry:
	mov	x19, x0			/* PSCI context id */
	cpu_setup
	mov	x0, x19
	bl	lib_secondary_main
	/* fall through */
	.globl park
park:
	msr	daifset, #0xf
5:	wfi
	b	5b

	.ltorg

	.section .bss.stacks, "aw", %nobits
	.balign	16
stacks:
	.space	MAX_CPUS << STACK_SHIFT
