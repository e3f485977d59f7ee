/* LPI and ITS helpers (see its.h). */
#include "its.h"

#define POLL_LIMIT 10000000UL

/* The ITS of QEMU virt; a sample's ITS_BASE_AT(...) replaces it (its.h). */
u64 its_base __attribute__((weak)) = 0x08080000UL;

static void zero(u64 addr, u64 len)
{
	for (u64 i = 0; i < len; i += 8)
		*(volatile u64 *)(addr + i) = 0;
}

void lpi_prop_write(u64 table, unsigned int intid, u8 prio, int enabled)
{
	/* Byte-wide table entry written with a 32-bit read-modify-write (MMU off: Device memory). */
	u64 a = table + (intid - 8192);
	u32 shift = (a & 3) * 8;
	u32 w = mmio_read32(a & ~3UL);
	w = (w & ~(0xffu << shift)) | ((u32)((prio & 0xfc) | (enabled ? 1 : 0)) << shift);
	mmio_write32(a & ~3UL, w);
	dsb(sy);
}

void lpi_configure(unsigned int intid, u8 prio, int enabled) { lpi_prop_write(LPI_PROP_TABLE, intid, prio, enabled); }

u64 pending_table_bit(u64 table, unsigned int intid)
{
	dsb(sy);
	return (mmio_read32(table + (intid / 32) * 4) >> (intid % 32)) & 1;
}

void lpi_cpu_enable(void)
{
	u64 rd = gicr_base();
	u64 pend = LPI_PEND_TABLE(cpu_id());

	zero(pend, (1UL << LPI_ID_BITS) / 8);
	dsb(sy);
	mmio_write64(rd + GICR_PROPBASER, LPI_PROP_TABLE | (LPI_ID_BITS - 1));
	mmio_write64(rd + GICR_PENDBASER, pend | BIT(62));	/* PTZ: the table is zero */
	dsb(sy);
	mmio_write32(rd + GICR_CTLR, mmio_read32(rd + GICR_CTLR) | GICR_CTLR_ENABLE_LPIS);
	dsb(sy);
	isb();
}

static u64 baser(u64 addr, int indirect)
{
	/* Valid, Indirect, Entry_Size/Type read-only, 4 KiB pages (Page_Size 0), one page (Size 0). */
	return BIT(63) | (indirect ? BIT(62) : 0) | addr;
}

void its_init(int indirect_devices)
{
	zero(ITS_DEVICE_TABLE, 0x1000);
	zero(ITS_COLL_TABLE, 0x1000);
	zero(ITS_CMD_QUEUE, 0x1000);
	zero(ITS_ITT(0), 0x1000);
	zero(ITS_L2_PAGES, 0x4000);
	dsb(sy);
	mmio_write64(ITS_BASE + GITS_BASER(0), baser(ITS_DEVICE_TABLE, indirect_devices));
	mmio_write64(ITS_BASE + GITS_BASER(1), baser(ITS_COLL_TABLE, 0));
	mmio_write64(ITS_BASE + GITS_CBASER, BIT(63) | ITS_CMD_QUEUE);	/* 4 KiB queue */
	mmio_write64(ITS_BASE + GITS_CWRITER, 0);
	mmio_write32(ITS_BASE + GITS_CTLR, mmio_read32(ITS_BASE + GITS_CTLR) | 1);
	dsb(sy);
}

void its_l1_map(unsigned int index, unsigned int page)
{
	*(volatile u64 *)(ITS_DEVICE_TABLE + 8UL * index) = BIT(63) | (ITS_L2_PAGES + 0x1000UL * page);
	dsb(sy);
}

void its_cmd(const u64 cmd[4])
{
	u64 w = mmio_read64(ITS_BASE + GITS_CWRITER) & 0xfffe0;
	for (int i = 0; i < 4; i++)
		*(volatile u64 *)(ITS_CMD_QUEUE + w + 8 * i) = cmd[i];
	dsb(sy);
	w = (w + 32) % 0x1000;
	mmio_write64(ITS_BASE + GITS_CWRITER, w);
	for (u64 n = 0; (mmio_read64(ITS_BASE + GITS_CREADR) & 0xfffe0) != w; n++) {
		if (n >= POLL_LIMIT)
			fail("ITS command queue stuck (GITS_CREADR 0x%lx)", mmio_read64(ITS_BASE + GITS_CREADR));
		cpu_relax();
	}
	if (mmio_read64(ITS_BASE + GITS_CREADR) & 1)
		fail("ITS command queue stalled");
}

static void cmd4(u64 a, u64 b, u64 c, u64 d)
{
	u64 cmd[4] = { a, b, c, d };
	its_cmd(cmd);
}

void its_command(u64 dw0, u64 dw1, u64 dw2, u64 dw3) { cmd4(dw0, dw1, dw2, dw3); }

/* GICv4.0 commands (encodings: IHI 0069 5.3). */
void its_vmapp(u32 vpe, u32 processor, u64 vpt, u32 id_bits)
{
	cmd4(0x29, (u64)vpe << 32, BIT(63) | ((u64)processor << 16), vpt | (id_bits - 1));
}

void its_vmapti(u32 dev, u32 event, u32 vpe, u32 vintid, u32 doorbell)
{
	cmd4(0x2a | ((u64)dev << 32), event | ((u64)vpe << 32), vintid | ((u64)doorbell << 32), 0);
}

void its_vmovp(u32 seq, u32 its_list, u32 vpe, u32 processor)
{
	cmd4(0x22 | ((u64)seq << 32), its_list | ((u64)vpe << 32), (u64)processor << 16, 0);
}

void its_vsync(u32 vpe) { cmd4(0x25, (u64)vpe << 32, 0, 0); }

void mem_zero64(u64 addr, u64 len)
{
	for (u64 i = 0; i < len; i += 8)
		*(volatile u64 *)(addr + i) = 0;
}

#define DEV(d) ((u64)(d) << 32)
void its_mapd(u32 dev, u32 event_bits, u64 itt, int valid) { cmd4(0x08 | DEV(dev), event_bits - 1, itt | (valid ? BIT(63) : 0), 0); }
void its_mapc(u32 icid, u32 processor, int valid) { cmd4(0x09, 0, icid | ((u64)processor << 16) | (valid ? BIT(63) : 0), 0); }
void its_mapti(u32 dev, u32 event, u32 intid, u32 icid) { cmd4(0x0a | DEV(dev), event | ((u64)intid << 32), icid, 0); }
void its_int(u32 dev, u32 event) { cmd4(0x03 | DEV(dev), event, 0, 0); }
void its_clear(u32 dev, u32 event) { cmd4(0x04 | DEV(dev), event, 0, 0); }
void its_discard(u32 dev, u32 event) { cmd4(0x0f | DEV(dev), event, 0, 0); }
void its_inv(u32 dev, u32 event) { cmd4(0x0c | DEV(dev), event, 0, 0); }
void its_invall(u32 icid) { cmd4(0x0d, 0, icid, 0); }
void its_movi(u32 dev, u32 event, u32 icid) { cmd4(0x01 | DEV(dev), event, icid, 0); }
void its_sync(u32 processor) { cmd4(0x05, 0, (u64)processor << 16, 0); }
