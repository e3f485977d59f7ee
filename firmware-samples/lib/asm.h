#ifndef FW_ASM_H
#define FW_ASM_H
#define MAX_CPUS     8
#define STACK_SHIFT  14			/* 16 KiB per CPU */
/* HCR_EL2: RW (EL1 is AArch64), AMO | IMO | FMO (SError/IRQ/FIQ taken to EL2). */
#define HCR_EL2_VALUE ((1 << 31) | (1 << 5) | (1 << 4) | (1 << 3))
#endif
