// The hypervisor's driver of the physical GIC, through the architected interfaces only: MMIO to GICD/GICR/GITS on
// the system bus, ICC_*/ICH_* system registers at EL2 (IEl2Port), ITS commands written into a command queue in
// RAM the hypervisor owns, with GITS_CWRITER/GITS_CREADR. Nothing here depends on the GIC model's internals.
//
// Memory the hypervisor owns (HypervisorMemory, 16 MiB): the LPI configuration table, one LPI pending table per
// CPU, each ITS's Device/Collection/vPE tables and command queue, ITTs, and the vPEs' virtual pending tables.
using System;
using System.Collections.Generic;
using RenodeGic.Host.Emulation;

namespace RenodeGic.VgicHost
{
    /// <summary>Where the physical GIC and the hypervisor's memory are.</summary>
    public sealed record PhysicalGicLayout
    {
        public ulong DistributorBase { get; init; } = 0x2F00_0000;
        public ulong RedistributorBase { get; init; } = 0x2F10_0000;
        public long RedistributorStride { get; init; } = 0x40000;
        public ulong[] ItsBases { get; init; } = { 0x2F02_0000 };
        public ulong HypervisorMemory { get; init; } = 0x7000_0000;
        public int LpiIdBits { get; init; } = 16;
    }

    public sealed class PhysicalGic
    {
        public const int MaintenanceIntid = 25;
        public const int HypervisorTimerIntid = 26;
        public const int VirtualTimerIntid = 27;
        public const int PhysicalTimerIntid = 30;

        /// <summary>The guest's EL1 timers' PPIs, forwarded HW-mapped to the vCPU whose context is on the core.</summary>
        public static readonly int[] GuestTimerIntids = { VirtualTimerIntid, PhysicalTimerIntid };
        public const int KickSgi = 0;

        public PhysicalGic(SystemBus bus, PhysicalGicLayout layout, CostModel costs, VgicStats stats)
        {
            Bus = bus;
            Layout = layout;
            this.costs = costs;
            this.stats = stats;
            nextLpi = 8192;
            var memory = layout.HypervisorMemory;
            PropertyTable = memory;
            pendingTables = memory + 0x10_0000;
            itsMemory = memory + 0x20_0000;
            ittMemory = memory + 0x60_0000;
            VptMemory = memory + 0x80_0000;
            EmptyVconf = memory + 0xFE_0000;
            SharedVpeTable = memory + 0xFF_0000;
            foreach(var b in layout.ItsBases)
            {
                Itses.Add(new PhysicalIts(this, b, itsMemory + (ulong)Itses.Count * 0x10_0000));
            }
        }

        public SystemBus Bus { get; }

        public PhysicalGicLayout Layout { get; }

        public ulong PropertyTable { get; }

        public ulong VptMemory { get; }

        /// <summary>GICv4.1: an all-zero vLPI configuration table (VMAPP VCONF before the guest has one; 56 KiB, 64 KiB aligned).</summary>
        public ulong EmptyVconf { get; }

        /// <summary>GICv4.1: the vPE configuration table shared by every ITS (GITS_BASER2) and Redistributor (GICR_VPROPBASER); one 64 KiB page.</summary>
        public ulong SharedVpeTable { get; }

        public List<PhysicalIts> Itses { get; } = new List<PhysicalIts>();

        /// <summary>GICR_TYPER.VLPIS of CPU 0's redistributor: the GIC is a GICv4.</summary>
        public bool SupportsVlpis { get; private set; }

        /// <summary>Whether the physical GIC implements GICv4.1 (GICD_TYPER2.nASSGIcap / GITS_TYPER.VMAPP = bit 40).</summary>
        public bool SupportsGicV41 { get; private set; }

        public ulong RedistributorOf(int processor) => Layout.RedistributorBase + (ulong)processor * (ulong)Layout.RedistributorStride;

        /// <summary>Brings the GIC up as an EL2 hypervisor does at boot (not charged: before any guest runs).</summary>
        public void Initialize(IReadOnlyList<IEl2Port> cpus)
        {
            var d = Layout.DistributorBase;
            Bus.WriteDoubleWord(d + (ulong)GicOffsets.GicdCtlr, (1u << 4) | (1u << 1)); // ARE, EnableGrp1
            var gicdTyper = Bus.ReadDoubleWord(d + (ulong)GicOffsets.GicdTyper);
            if(((gicdTyper >> 17) & 1) == 0)
            {
                throw new InvalidOperationException("the physical GIC has no LPIs (GICD_TYPER.LPIS = 0)");
            }
            // LPI configuration table: everything disabled until allocated.
            Bus.WriteBytes(new byte[(1 << Layout.LpiIdBits) - 8192], PropertyTable);
            foreach(var port in cpus)
            {
                var rd = RedistributorOf(port.Processor);
                SupportsVlpis = ((Bus.ReadQuadWord(rd + (ulong)GicOffsets.GicrTyper) >> 1) & 1) != 0;
                Bus.WriteDoubleWord(rd + (ulong)GicOffsets.GicrWaker, 0);
                var enabled = (1u << KickSgi) | (1u << MaintenanceIntid) | (1u << HypervisorTimerIntid) | (1u << VirtualTimerIntid) | (1u << PhysicalTimerIntid);
                Bus.WriteDoubleWord(rd + (ulong)GicOffsets.GicrIsenabler0, enabled);
                for(var i = 0; i < 32; i += 4)
                {
                    Bus.WriteDoubleWord(rd + (ulong)GicOffsets.GicrIpriorityr + (ulong)i, 0xA0A0A0A0);
                }
                Bus.WriteQuadWord(rd + (ulong)GicOffsets.GicrPropbaser, PropertyTable | (uint)(Layout.LpiIdBits - 1));
                var pending = pendingTables + (ulong)port.Processor * 0x1_0000;
                Bus.WriteBytes(new byte[1 << (Layout.LpiIdBits - 3)], pending);
                Bus.WriteQuadWord(rd + (ulong)GicOffsets.GicrPendbaser, pending);
                Bus.WriteDoubleWord(rd + (ulong)GicOffsets.GicrCtlr, 1); // EnableLPIs

                port.WriteSystemRegister(SysReg.IccPmrEl1, 0xFF);
                port.WriteSystemRegister(SysReg.IccBpr1El1, 0);
                port.WriteSystemRegister(SysReg.IccCtlrEl1, 1UL << 1); // EOImode = 1: priority drop and deactivation split
                port.WriteSystemRegister(SysReg.IccIgrpen1El1, 1);
            }
            foreach(var its in Itses)
            {
                its.Initialize(cpus.Count);
                SupportsGicV41 |= its.SupportsGicV41;
            }
            if(SupportsGicV41)
            {
                // GICR_VPROPBASER (4.1 layout): Valid, Page_Size = 64 KiB, Addr, Size = 0 (one page), the same table as GITS_BASER2.
                Bus.WriteBytes(new byte[0x1_0000], EmptyVconf);
                foreach(var port in cpus)
                {
                    Bus.WriteQuadWord(RedistributorOf(port.Processor) + (ulong)GicOffsets.GicrVpropbaser, (1UL << 63) | (2UL << 53) | SharedVpeTable);
                }
            }
        }

        /// <summary>Allocates a physical LPI, enabled with <paramref name="priority"/> in the configuration table.</summary>
        public int AllocateLpi(int priority = 0xA0, bool enabled = true)
        {
            var intid = nextLpi++;
            if(intid >= 1 << Layout.LpiIdBits)
            {
                throw new InvalidOperationException("out of physical LPIs");
            }
            SetLpiConfiguration(intid, priority, enabled);
            return intid;
        }

        public void SetLpiConfiguration(int intid, int priority, bool enabled)
        {
            Bus.WriteByte(PropertyTable + (ulong)(intid - 8192), (byte)((priority & 0xFC) | (enabled ? 1 : 0)));
        }

        /// <summary>Makes SPI <paramref name="intid"/> a Group 1, priority 0xA0, enabled interrupt routed to <paramref name="processor"/> (a device passed through).</summary>
        public void ConfigureSpi(int intid, int processor)
        {
            var d = Layout.DistributorBase;
            var bit = 1u << (intid % 32);
            var group = d + (ulong)GicOffsets.GicdIgroupr + (ulong)(intid / 32 * 4);
            Bus.WriteDoubleWord(group, Bus.ReadDoubleWord(group) | bit);
            Bus.WriteByte(d + (ulong)GicOffsets.GicdIpriorityr + (ulong)intid, 0xA0);
            RouteSpi(intid, processor);
            Bus.WriteDoubleWord(d + (ulong)GicOffsets.GicdIsenabler + (ulong)(intid / 32 * 4), bit);
        }

        /// <summary>GICD_IROUTER of SPI <paramref name="intid"/> = the affinity of <paramref name="processor"/> (Aff0 = n % 16, Aff1 = n / 16).</summary>
        public void RouteSpi(int intid, int processor)
        {
            var affinity = ((ulong)(uint)(processor / 16) << 8) | (uint)(processor % 16);
            Bus.WriteQuadWord(Layout.DistributorBase + (ulong)GicOffsets.GicdIrouterOf(intid), affinity);
        }

        /// <summary>Whether SPI <paramref name="intid"/> is pending (GICD_ISPENDR): for a level source, its input level while active.</summary>
        public bool IsSpiPending(int intid)
        {
            return ((Bus.ReadDoubleWord(Layout.DistributorBase + (ulong)GicOffsets.GicdIspendr + (ulong)(intid / 32 * 4)) >> (intid % 32)) & 1) != 0;
        }

        /// <summary>Whether the private interrupt <paramref name="intid"/> of <paramref name="processor"/> is active (GICR_ISACTIVER0).</summary>
        public bool IsPrivateActive(int processor, int intid)
        {
            return ((Bus.ReadDoubleWord(RedistributorOf(processor) + (ulong)GicOffsets.GicrIsactiver0) >> intid) & 1) != 0;
        }

        /// <summary>Sets (GICR_ISACTIVER0) or clears (GICR_ICACTIVER0) the active state of a private interrupt.</summary>
        public void SetPrivateActive(int processor, int intid, bool active)
        {
            var offset = active ? GicOffsets.GicrIsactiver0 : GicOffsets.GicrIcactiver0;
            Bus.WriteDoubleWord(RedistributorOf(processor) + (ulong)offset, 1u << intid);
        }

        /// <summary>Charges <paramref name="ns"/> to the CPU doing the work (the one whose exit this is), if any.</summary>
        internal void Charge(ulong ns)
        {
            CurrentPort?.Charge(ns);
        }

        internal void CountCommand()
        {
            stats.PhysicalItsCommands++;
            Charge(costs.ItsCommandNs);
        }

        /// <summary>The port of the CPU the hypervisor runs on right now (set around each exit).</summary>
        public IEl2Port? CurrentPort { get; set; }

        internal ulong AllocateItt()
        {
            var address = ittMemory + nextItt * 0x1000UL;
            nextItt++;
            return address;
        }

        private readonly CostModel costs;
        private readonly VgicStats stats;
        private readonly ulong pendingTables;
        private readonly ulong itsMemory;
        private readonly ulong ittMemory;
        private int nextLpi;
        private ulong nextItt;
    }

    /// <summary>One physical ITS: its tables, its command queue, and the commands the hypervisor sends it.</summary>
    public sealed class PhysicalIts
    {
        public const int CommandQueueBytes = 0x1_0000;

        internal PhysicalIts(PhysicalGic gic, ulong baseAddress, ulong memory)
        {
            this.gic = gic;
            Base = baseAddress;
            this.memory = memory;
            commandQueue = memory + 0xC_0000;
        }

        public ulong Base { get; }

        /// <summary>GITS_CTLR.ITS_Number (its bit in a VMOVP ITSList).</summary>
        public int Number { get; private set; }

        public bool Virtual { get; private set; }

        /// <summary>GITS_TYPER.VMOVP: one VMOVP reaches every ITS (else SeqNum/ITSList and one VMOVP per listed ITS).</summary>
        public bool SingleVmovp { get; private set; }

        public bool SupportsGicV41 { get; private set; }

        /// <summary>Test hook: makes the next command fail as if the ITS had stalled on it (for rollback tests).</summary>
        public Func<ulong[], bool>? FailureInjector { get; set; }

        public long CommandsSent { get; private set; }

        internal void Initialize(int cpuCount)
        {
            var typer = gic.Bus.ReadQuadWord(Base + (ulong)GicOffsets.GitsTyper);
            Virtual = ((typer >> 1) & 1) != 0;
            SingleVmovp = ((typer >> 37) & 1) != 0;
            SupportsGicV41 = Virtual && ((typer >> 40) & 1) != 0;
            Number = (int)((gic.Bus.ReadDoubleWord(Base + (ulong)GicOffsets.GitsCtlr) >> 4) & 0xF);
            // 64 KiB pages: Device table 8 pages (65536 devices), Collection table 1 page, vPE table 1 page.
            const ulong page64K = 2UL << 8;
            gic.Bus.WriteBytes(new byte[0x0C_0000], memory);
            gic.Bus.WriteQuadWord(Base + (ulong)GicOffsets.GitsBaser, (1UL << 63) | memory | page64K | 7);
            gic.Bus.WriteQuadWord(Base + (ulong)GicOffsets.GitsBaser + 8, (1UL << 63) | (memory + 0x8_0000) | page64K | 0);
            if(Virtual)
            {
                // GICv4.1 (SVPET): every ITS and Redistributor shares one vPE configuration table.
                var vpeTable = SupportsGicV41 ? gic.SharedVpeTable : memory + 0x9_0000;
                gic.Bus.WriteBytes(new byte[0x1_0000], vpeTable);
                gic.Bus.WriteQuadWord(Base + (ulong)GicOffsets.GitsBaser + 16, (1UL << 63) | vpeTable | page64K | 0);
            }
            gic.Bus.WriteQuadWord(Base + (ulong)GicOffsets.GitsCbaser, (1UL << 63) | commandQueue | (CommandQueueBytes / 0x1000 - 1));
            writer = 0;
            gic.Bus.WriteDoubleWord(Base + (ulong)GicOffsets.GitsCtlr, 1);
            for(var cpu = 0; cpu < cpuCount; cpu++)
            {
                Send(Mapc((uint)cpu, (ulong)cpu, true));
            }
            Send(Sync(0));
        }

        /// <summary>
        /// Writes one command into the queue and advances GITS_CWRITER; true when GITS_CREADR moved past it without a
        /// stall. A stalled command is taken back out of the queue (CBASER is not reprogrammed: the writer is moved back).
        /// </summary>
        public bool Send(ulong[] command)
        {
            gic.CountCommand();
            CommandsSent++;
            if(FailureInjector != null && FailureInjector(command))
            {
                return false;
            }
            var slot = commandQueue + writer;
            for(var i = 0; i < 4; i++)
            {
                gic.Bus.WriteQuadWord(slot + (ulong)i * 8, command[i]);
            }
            var next = (writer + 32) % CommandQueueBytes;
            gic.Bus.WriteQuadWord(Base + (ulong)GicOffsets.GitsCwriter, next);
            var reader = gic.Bus.ReadQuadWord(Base + (ulong)GicOffsets.GitsCreadr);
            writer = next;
            return (reader & 1) == 0 && (reader & 0xF_FFE0) == next;
        }

        public ulong AllocateItt() => gic.AllocateItt();

        // ---- Command encodings (IHI 0069 chapter 6.3) ----
        public static ulong[] Mapd(uint device, int eventBits, ulong itt, bool valid) =>
            new[] { 0x08UL | ((ulong)device << 32), (ulong)((eventBits - 1) & 0x1F), (itt & 0x000F_FFFF_FFFF_FF00UL) | (valid ? 1UL << 63 : 0), 0UL };

        public static ulong[] Mapc(uint icid, ulong processor, bool valid) =>
            new[] { 0x09UL, 0UL, icid | (processor << 16) | (valid ? 1UL << 63 : 0), 0UL };

        public static ulong[] Mapti(uint device, uint eventId, uint intid, uint icid) =>
            new[] { 0x0AUL | ((ulong)device << 32), eventId | ((ulong)intid << 32), (ulong)icid, 0UL };

        public static ulong[] Movi(uint device, uint eventId, uint icid) => new[] { 0x01UL | ((ulong)device << 32), (ulong)eventId, (ulong)icid, 0UL };

        public static ulong[] Int(uint device, uint eventId) => new[] { 0x03UL | ((ulong)device << 32), (ulong)eventId, 0UL, 0UL };

        public static ulong[] Clear(uint device, uint eventId) => new[] { 0x04UL | ((ulong)device << 32), (ulong)eventId, 0UL, 0UL };

        public static ulong[] Discard(uint device, uint eventId) => new[] { 0x0FUL | ((ulong)device << 32), (ulong)eventId, 0UL, 0UL };

        public static ulong[] Inv(uint device, uint eventId) => new[] { 0x0CUL | ((ulong)device << 32), (ulong)eventId, 0UL, 0UL };

        public static ulong[] Invall(uint icid) => new[] { 0x0DUL, 0UL, (ulong)icid, 0UL };

        public static ulong[] Sync(ulong processor) => new[] { 0x05UL, 0UL, processor << 16, 0UL };

        public static ulong[] Vmapp(uint vpeId, ulong processor, ulong vpt, int vptIdBits, bool valid) =>
            new[] { 0x29UL, (ulong)vpeId << 32, (processor << 16) | (valid ? 1UL << 63 : 0), (vpt & 0x000F_FFFF_FFFF_0000UL) | (uint)((vptIdBits - 1) & 0x1F) };

        /// <summary>VMAPP, GICv4.1 form: VCONF_addr, Alloc, PTZ and the vPE's Default Doorbell.</summary>
        public static ulong[] Vmapp41(uint vpeId, ulong processor, ulong vpt, int vptIdBits, ulong vconf, uint defaultDoorbell, bool alloc, bool ptz) =>
            new[]
            {
                0x29UL | (alloc ? 1UL << 8 : 0) | (ptz ? 1UL << 9 : 0) | (vconf & 0x000F_FFFF_FFFF_0000UL),
                defaultDoorbell | ((ulong)vpeId << 32),
                (processor << 16) | (1UL << 63),
                (vpt & 0x000F_FFFF_FFFF_0000UL) | (uint)((vptIdBits - 1) & 0x1F),
            };

        /// <summary>VMOVP, GICv4.1 form: no SeqNum/ITSList; DB = 1 with the Default Doorbell.</summary>
        public static ulong[] Vmovp41(uint vpeId, ulong processor, uint defaultDoorbell) =>
            new[] { 0x22UL, (ulong)vpeId << 32, (processor << 16) | (1UL << 63), (ulong)defaultDoorbell };

        public static ulong[] Invdb(uint vpeId) => new[] { 0x2EUL, (ulong)vpeId << 32, 0UL, 0UL };

        public static ulong[] Vsgi(uint vpeId, int sgi, int priority, bool group1, bool enable, bool clear) =>
            new[]
            {
                0x23UL | ((ulong)(sgi & 0xF) << 32) | ((ulong)((priority >> 4) & 0xF) << 20) | (group1 ? 1UL << 10 : 0) | (clear ? 1UL << 9 : 0) | (enable ? 1UL << 8 : 0),
                (ulong)vpeId << 32, 0UL, 0UL,
            };

        public static ulong[] Vmapti(uint device, uint eventId, uint vintid, uint vpeId, uint doorbell) =>
            new[] { 0x2AUL | ((ulong)device << 32), eventId | ((ulong)vpeId << 32), vintid | ((ulong)doorbell << 32), 0UL };

        public static ulong[] Vmovi(uint device, uint eventId, uint vpeId, uint doorbell, bool doorbellValid) =>
            new[] { 0x21UL | ((ulong)device << 32), eventId | ((ulong)vpeId << 32), (doorbellValid ? 1UL : 0) | ((ulong)doorbell << 32), 0UL };

        public static ulong[] Vmovp(int sequence, int itsList, uint vpeId, ulong processor) =>
            new[] { 0x22UL | ((ulong)(sequence & 0xFFFF) << 32), (uint)(itsList & 0xFFFF) | ((ulong)vpeId << 32), processor << 16, 0UL };

        public static ulong[] Vsync(uint vpeId) => new[] { 0x25UL, (ulong)vpeId << 32, 0UL, 0UL };

        public static ulong[] Vinvall(uint vpeId) => new[] { 0x2DUL, (ulong)vpeId << 32, 0UL, 0UL };

        private readonly PhysicalGic gic;
        private readonly ulong memory;
        private readonly ulong commandQueue;
        private ulong writer;
    }
}
