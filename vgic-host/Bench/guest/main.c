/*
 * vgic-bench guest: an I/O-like workload at queue depth 1 on every vCPU (the shape of fio 4k randread, iodepth=1,
 * numjobs=N). vCPU q owns queue q of the bench device (DeviceID 1): it submits a request by an MMIO doorbell
 * write, waits in the idle loop (WFI), and the device completes the request after its service time by an MSI
 * through the ITS (EventID q, vLPI 8192 + q, collection q). The LPI handler tells the device it was entered
 * (the latency probe), and submits the next request. A 250 Hz virtual-timer tick with a little work runs on
 * every vCPU as a kernel's would. Built with the firmware-samples library (its ITS driver), run under the VGIC
 * host model only.
 */
#include "lib.h"
#include "its.h"

SAMPLE("vgic-bench-guest");

#define DEV_BASE   0x0A000000UL
#define DEV_ID     1
#define Q_SUBMIT(q) (DEV_BASE + 0x10 * (q) + 0x0)
#define Q_ENTRY(q)  (DEV_BASE + 0x10 * (q) + 0x4)
#define DEV_STOP   (DEV_BASE + 0x800)
#define DEV_NQ     (DEV_BASE + 0x804)
#define VTIMER_INTID 27
#define TICK_HZ    250
#define TICK_WORK  800	/* loop iterations of "scheduler tick" work */

static u32 tick_period;

static void lpi_handler(unsigned int intid, unsigned int cpu)
{
	mmio_write32(Q_ENTRY(cpu), intid);
	if (!mmio_read32(DEV_STOP))
		mmio_write32(Q_SUBMIT(cpu), 1);
}

static void tick_handler(unsigned int intid, unsigned int cpu)
{
	(void)intid;
	(void)cpu;
	vtimer_set_tval(tick_period);
	spin(TICK_WORK);
}

static void vcpu_start(void)
{
	gic_cpu_init();
	lpi_cpu_enable();
	mmio_write32(gicr_sgi_base() + GICR_ISENABLER0, 1u << VTIMER_INTID);
	vtimer_set_tval(tick_period);
	vtimer_set_ctl(1);
	irq_enable();
	mmio_write32(Q_SUBMIT(cpu_id()), 1);
	for (;;)
		wfi();
}

void secondary_main(unsigned int cpu, u64 ctx)
{
	(void)cpu;
	(void)ctx;
	vcpu_start();
}

int main(void)
{
	u32 nq = mmio_read32(DEV_NQ);

	tick_period = (u32)(timer_freq() / TICK_HZ);
	gic_dist_init();
	its_init(0);
	irq_register_lpi(lpi_handler);
	irq_register(VTIMER_INTID, tick_handler);
	for (u32 q = 0; q < nq; q++) {
		lpi_configure(8192 + q, 0xa0, 1);
		its_mapc(q, q, 1);
	}
	its_mapd(DEV_ID, 4, ITS_ITT(DEV_ID), 1);
	for (u32 q = 0; q < nq; q++) {
		its_mapti(DEV_ID, q, 8192 + q, q);
		its_inv(DEV_ID, q);
	}
	its_sync(0);
	printf("queues: %u\n", nq);
	for (u32 q = 1; q < nq; q++)
		psci_cpu_on((mpidr_affinity(read_mpidr()) & ~0xffUL) | q, secondary_entry, q);
	vcpu_start();
	return 0;
}
