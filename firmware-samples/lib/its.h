/* LPIs and the GICv3 ITS on the QEMU `virt` memory map: LPI tables, ITS tables and the command queue at fixed
 * RAM addresses (ITS_MEM_BASE), commands built from the architecture's field positions (IHI 0069 6.3). */
#ifndef FW_ITS_H
#define FW_ITS_H

#include "lib.h"

/* ITS_base: QEMU virt's 0x08080000 unless the sample moves it with ITS_BASE_AT(address) at file scope (a GICv4.1
 * ITS, 0x30000 with its vSGI frame, sits at 0x08040000 on platforms/virt-gicv41.repl). A weak default in its.c. */
extern u64 its_base;
#define ITS_BASE its_base
#define ITS_BASE_AT(address) u64 its_base = (address)
#define GITS_CTLR       0x0000
#define GITS_IIDR       0x0004
#define GITS_TYPER      0x0008
#define GITS_CBASER     0x0080
#define GITS_CWRITER    0x0088
#define GITS_CREADR     0x0090
#define GITS_BASER(n)   (0x0100 + 8 * (n))
#define GITS_TRANSLATER 0x10040

#define GICR_PROPBASER  0x0070
#define GICR_PENDBASER  0x0078
#define GICR_CTLR_ENABLE_LPIS BIT(0)
#define GICR_TYPER_PLPIS      BIT(0)
#define GICD_TYPER_LPIS       BIT(17)

/* RAM layout 64 MiB above the image's RAM base (0x44000000 for the default link address; clear of the image, the
 * stacks and both emulators' DTB placement). */
extern char _its_mem[];
#define ITS_MEM_BASE    ((unsigned long)_its_mem)
#define LPI_PROP_TABLE  (ITS_MEM_BASE + 0x00000)	/* 8 KiB: 14 LPI INTID bits */
#define LPI_PEND_TABLE(cpu) (ITS_MEM_BASE + 0x10000 + 0x10000UL * (cpu))	/* 64 KiB aligned, 2 KiB each */
#define ITS_DEVICE_TABLE (ITS_MEM_BASE + 0x50000)	/* 4 KiB pages */
#define ITS_COLL_TABLE   (ITS_MEM_BASE + 0x60000)
#define ITS_CMD_QUEUE    (ITS_MEM_BASE + 0x70000)	/* 4 KiB = 128 commands */
#define ITS_ITT(dev)     (ITS_MEM_BASE + 0x80000 + 0x100UL * (dev))	/* 256-byte aligned, up to 16 events */
#define ITS_L2_PAGES     (ITS_MEM_BASE + 0x90000)	/* level-2 pages of two-level tables */
#define LPI_ID_BITS     14

/* Property table entry of an LPI: priority[7:2] | enable[0]. */
void lpi_configure(unsigned int intid, u8 prio, int enabled);
void lpi_prop_write(u64 table, unsigned int intid, u8 prio, int enabled);	/* any (v)LPI property table */
u64 pending_table_bit(u64 table, unsigned int intid);			/* any (v)LPI pending table */
/* Calling CPU's redistributor: PROPBASER/PENDBASER (zeroed table, PTZ) and GICR_CTLR.EnableLPIs. */
void lpi_cpu_enable(void);

/* ITS set-up: Device table (flat, or two-level with `indirect`), Collection table, command queue; then Enabled. */
void its_init(int indirect_devices);
/* Level-1 entry `index` of the two-level Device table points at level-2 page `page` (4 KiB each). */
void its_l1_map(unsigned int index, unsigned int page);
void its_cmd(const u64 cmd[4]);	/* queue one command, then wait until GITS_CREADR reaches GITS_CWRITER */
void its_mapd(u32 dev, u32 event_bits, u64 itt, int valid);
void its_mapc(u32 icid, u32 processor, int valid);
void its_mapti(u32 dev, u32 event, u32 intid, u32 icid);
void its_int(u32 dev, u32 event);
void its_clear(u32 dev, u32 event);
void its_discard(u32 dev, u32 event);
void its_inv(u32 dev, u32 event);
void its_invall(u32 icid);
void its_movi(u32 dev, u32 event, u32 icid);
void its_sync(u32 processor);
void its_command(u64 dw0, u64 dw1, u64 dw2, u64 dw3);	/* any command, as four doublewords */
void its_vmapp(u32 vpe, u32 processor, u64 vpt, u32 id_bits);
void its_vmapti(u32 dev, u32 event, u32 vpe, u32 vintid, u32 doorbell);
void its_vmovp(u32 seq, u32 its_list, u32 vpe, u32 processor);
void its_vsync(u32 vpe);
void mem_zero64(u64 addr, u64 len);	/* 64-bit stores: safe on Device memory with the MMU off */
/* A CPU's write of GITS_TRANSLATER: DeviceID 0. */
static inline void its_translate(u32 event) { mmio_write32(ITS_BASE + GITS_TRANSLATER, event); dsb(sy); isb(); }

static inline u32 its_read32(u32 off) { return mmio_read32(ITS_BASE + off); }
static inline u64 its_read64(u32 off) { return mmio_read64(ITS_BASE + off); }

#endif
