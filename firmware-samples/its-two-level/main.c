/*
 * its-two-level: an indirect (two-level) ITS Device table with 4 KiB pages: GITS_BASER0.Indirect sticks,
 * level-1 entries 0 and 2 point at level-2 pages (DeviceIDs 0-511 and 1024-1535), level-1 entry 1 is left
 * invalid. MAPD/MAPTI and INT for DeviceIDs in the backed pages deliver their LPIs (DeviceID 0 also through
 * GITS_TRANSLATER); a MAPD for a DeviceID without a level-2 page is ignored, so INT for it delivers nothing and
 * the queue does not stall. The DTE lands in the level-2 page (checked in memory).
 */
#include "lib.h"
#include "its.h"

SAMPLE("its-two-level");

static volatile u32 count, lpi_log[8];

static void lpi_handler(unsigned int intid, unsigned int cpu)
{
	(void)cpu;
	if (count < 8)
		lpi_log[count] = intid;
	dmb(sy);
	count++;
}

int main(void)
{
	u64 baser0;

	gic_dist_init();
	gic_cpu_init();
	irq_register_lpi(lpi_handler);
	for (u64 a = 0; a < (1UL << LPI_ID_BITS) - 8192; a += 4)
		mmio_write32(LPI_PROP_TABLE + a, 0);
	for (unsigned int i = 0; i < 4; i++)
		lpi_configure(9000 + i, 0xa0, 1);
	lpi_cpu_enable();

	its_init(1);
	baser0 = its_read64(GITS_BASER(0));
	printf("gits_baser0: valid %lu indirect %lu page_size %lu entry_size %lu type %lu\n", baser0 >> 63, (baser0 >> 62) & 1,
	       (baser0 >> 8) & 3, ((baser0 >> 48) & 0x1f) + 1, (baser0 >> 56) & 7);
	its_l1_map(0, 0);
	its_l1_map(2, 1);
	its_mapc(0, 0, 1);
	its_mapd(0, 4, ITS_ITT(0), 1);
	its_mapd(1100, 4, ITS_ITT(1), 1);	/* level-1 entry 2 */
	its_mapd(600, 4, ITS_ITT(2), 1);	/* level-1 entry 1: no level-2 page, ignored */
	its_mapti(0, 1, 9000, 0);
	its_mapti(1100, 2, 9001, 0);
	its_mapti(600, 3, 9002, 0);		/* device not mapped: ignored */
	its_sync(0);
	printf("creadr: 0x%lx (stalled %lu)\n", its_read64(GITS_CREADR) & ~1UL, its_read64(GITS_CREADR) & 1);
	printf("dte 1100 in level-2 page: %s\n",
	       (*(volatile u64 *)(ITS_L2_PAGES + 0x1000 + 8 * (1100 - 1024)) != 0) ? "yes" : "no");
	printf("level-1 entry 1 still invalid: %s\n", (*(volatile u64 *)(ITS_DEVICE_TABLE + 8) >> 63) ? "no" : "yes");

	irq_enable();
	its_translate(1);
	wait_eq(&count, 1, WAIT_LIMIT, "lpi of device 0");
	printf("translater event 1 (device 0): intid %u\n", lpi_log[0]);
	its_int(1100, 2);
	wait_eq(&count, 2, WAIT_LIMIT, "lpi of device 1100");
	printf("int device 1100 event 2: intid %u\n", lpi_log[1]);
	its_int(600, 3);
	spin(20000);
	printf("int device 600 event 3: %u lpis\n", count - 2);
	printf("creadr stalled: %lu\n", its_read64(GITS_CREADR) & 1);

	/* Unmap device 1100 (V = 0): its events stop translating. */
	its_mapd(1100, 4, 0, 0);
	its_int(1100, 2);
	spin(20000);
	printf("after unmapping device 1100: %u lpis\n", count - 2);
	CHECK(count == 2, "unexpected LPI count %u", count);
	CHECK(unexpected_irqs == 0, "%u unexpected interrupts", unexpected_irqs);
	pass();
}
