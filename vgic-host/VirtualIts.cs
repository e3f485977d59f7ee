// The guest's ITS (GITS_*), emulated: its own command queue in guest memory (GITS_CBASER/CWRITER/CREADR),
// processed when the guest writes GITS_CWRITER (a trap, charged per command), and translated into commands for
// the physical ITS, written into the hypervisor's queue through GITS_CBASER/CWRITER (PhysicalIts.Send):
//
//   guest command          GICv3 mode (injection through the ap_list)            GICv4 mode (direct injection)
//   MAPD dev               MAPD dev with a hypervisor-owned ITT                   same
//   MAPC icid, vCPU        bookkeeping only                                       same
//   MAPTI/MAPI dev,ev,vLPI allocate a physical LPI; MAPTI dev,ev,pLPI,pCPU         VMAPTI dev,ev,vLPI,vPE,doorbell
//   MOVI dev,ev,icid       retarget the vLPI; MOVI dev,ev,pCPU                     VMOVI dev,ev,vPE,doorbell
//   DISCARD                DISCARD; free the physical LPI                          DISCARD
//   INT                    inject the vLPI (no physical command)                   INT (the GIC injects it)
//   CLEAR                  clear the vLPI's pending state; CLEAR                   CLEAR
//   INV / INVALL           re-read the guest's LPI configuration table             INV / VINVALL (the GIC re-reads it)
//   MOVALL                 retarget every vLPI of the vCPU (MOVI each)             VMOVI each
//   SYNC                   nothing (emulation is synchronous)                      VSYNC
//
// The guest sees GITS_TYPER with Physical = 1, 12-byte ITT entries, 16 DeviceID/EventID/collection bits, PTA = 0
// (RDbase = vCPU number), no Virtual support. Translations are kept by the hypervisor (the guest's GITS_BASER
// tables are accepted and not used). DeviceIDs are passed through, offset by the domain's DeviceIdBase (0 for the
// first domain: its devices are assigned to it unchanged; another domain's guest DeviceID d is d + its base).
// A command with bad parameters is a guest error and is skipped; the queue never stalls.
using System;
using System.Collections.Generic;
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.IRQControllers;
using RenodeGic.Host.Emulation;

namespace RenodeGic.VgicHost
{
    public sealed class VirtualIts : IDoubleWordPeripheral, IQuadWordPeripheral, IKnownSize
    {
        public VirtualIts(VgicDomain domain, VgicHypervisor? hypervisor, PhysicalGic gic, SystemBus bus, CostModel costs)
        {
            this.domain = domain;
            this.hypervisor = hypervisor;
            this.gic = gic;
            this.bus = bus;
            this.costs = costs;
            domain.HasLpis = true;
            domain.Its = this;
            block = new GicMmioBlock(this, "vgits");
            DefineRegisters();
        }

        public long Size => 0x20000;

        /// <summary>Every guest command as decoded, with what it became (for tests and traces).</summary>
        public List<string> Log { get; } = new List<string>();

        public void Reset()
        {
        }

        public uint ReadDoubleWord(long offset) => (uint)Access(offset, 4, null);

        public void WriteDoubleWord(long offset, uint value) => Access(offset, 4, value);

        public ulong ReadQuadWord(long offset) => Access(offset, 8, null);

        public void WriteQuadWord(long offset, ulong value) => Access(offset, 8, value);

        /// <summary>The vCPU moved to another physical CPU: its physical LPIs follow it (GICv3 mode).</summary>
        internal void OnVcpuMoved(VgicVcpu vcpu, int processor)
        {
            if(domain.Mode != InjectionMode.V3)
            {
                return;
            }
            foreach(var ((device, eventId), e) in events)
            {
                if(e.Irq.Target == vcpu)
                {
                    PhysicalIts.Send(PhysicalIts.Movi(PhysicalDevice(device), eventId, (uint)processor));
                }
            }
            PhysicalIts.Send(PhysicalIts.Sync((ulong)processor));
        }

        private PhysicalIts PhysicalIts => gic.Itses[0];

        /// <summary>The physical DeviceID of the guest's <paramref name="device"/> (domains own disjoint DeviceID ranges).</summary>
        private uint PhysicalDevice(uint device) => device + domain.DeviceIdBase;

        private ulong Access(long offset, int size, ulong? write)
        {
            Func<VgicVcpu?, ulong> emulate = _ =>
            {
                if(write.HasValue)
                {
                    if(offset == GicOffsets.GitsTranslater && size == 4)
                    {
                        Translate(0, (uint)write.Value);
                        return 0;
                    }
                    block.Write(offset, size, write.Value);
                    return 0;
                }
                return block.Read(offset, size);
            };
            var host = domain.Host;
            return host == null ? emulate(null) : host.Trap(ExitCause.Mmio, emulate);
        }

        private void DefineRegisters()
        {
            block.Words.DefineRegister(GicOffsets.GitsCtlr).WithValueField(0, 32, name: "GITS_CTLR",
                valueProviderCallback: _ => (enabled ? 1UL : 0) | (1UL << 31),
                writeCallback: (_, v) =>
                {
                    enabled = (v & 1) != 0;
                    if(enabled)
                    {
                        ProcessQueue();
                    }
                });
            block.Words.DefineRegister(0x0004).WithValueField(0, 32, FieldMode.Read, name: "GITS_IIDR", valueProviderCallback: _ => 0x43B);
            // Physical, ITT_entry_size 12 (11), ID_bits 16 (15), Devbits 16 (15), PTA 0, CIDbits 16 (15), CIL.
            block.Quads.DefineRegister(GicOffsets.GitsTyper).WithValueField(0, 64, FieldMode.Read, name: "GITS_TYPER",
                valueProviderCallback: _ => 1UL | (11UL << 4) | (15UL << 8) | (15UL << 13) | (15UL << 32) | (1UL << 36));
            block.Quads.DefineRegister(GicOffsets.GitsCbaser).WithValueField(0, 64, name: "GITS_CBASER",
                valueProviderCallback: _ => cbaser,
                writeCallback: (_, v) =>
                {
                    if(!enabled)
                    {
                        cbaser = v & 0xB8FF_FFFF_FFFF_FCFFUL;
                        creadr = 0;
                        cwriter = 0;
                    }
                });
            block.Quads.DefineRegister(GicOffsets.GitsCwriter).WithValueField(0, 64, name: "GITS_CWRITER",
                valueProviderCallback: _ => cwriter,
                writeCallback: (_, v) =>
                {
                    cwriter = v & 0xF_FFE0;
                    ProcessQueue();
                });
            block.Quads.DefineRegister(GicOffsets.GitsCreadr).WithValueField(0, 64, FieldMode.Read, name: "GITS_CREADR", valueProviderCallback: _ => creadr);
            for(var n = 0; n < 8; n++)
            {
                var index = n;
                block.Quads.DefineRegister(GicOffsets.GitsBaser + 8 * n).WithValueField(0, 64, name: $"GITS_BASER{n}",
                    valueProviderCallback: _ => index > 1 ? 0 : (baser[index] | ((ulong)(index == 0 ? 1 : 4) << 56) | (7UL << 48)),
                    writeCallback: (_, v) =>
                    {
                        if(index <= 1 && !enabled)
                        {
                            baser[index] = v & 0xC000_FFFF_FFFF_F3FFUL;
                        }
                    });
            }
            block.Words.DefineRegister(0xFFE8).WithValueField(0, 32, FieldMode.Read, name: "GITS_PIDR2", valueProviderCallback: _ => 0x3B);
        }

        private void ProcessQueue()
        {
            if(!enabled || (cbaser >> 63) == 0)
            {
                return;
            }
            var size = ((cbaser & 0xFF) + 1) * 0x1000;
            var queue = cbaser & 0x000F_FFFF_FFFF_F000UL;
            var budget = size / 32;
            while(creadr != cwriter && budget-- > 0)
            {
                if(cwriter >= size)
                {
                    this.GuestError("GITS_CWRITER 0x{0:X} is beyond the command queue (0x{1:X} bytes); not processed", cwriter, size);
                    return;
                }
                var command = new ulong[4];
                for(var i = 0; i < 4; i++)
                {
                    command[i] = bus.ReadQuadWord(queue + creadr + (ulong)i * 8);
                }
                domain.Stats.VirtualItsCommands++;
                gic.Charge(costs.VirtualItsCommandNs);
                Execute(command);
                creadr = (creadr + 32) % size;
            }
        }

        private void Execute(ulong[] c)
        {
            var opcode = (byte)c[0];
            var device = (uint)(c[0] >> 32);
            var eventId = (uint)c[1];
            var icid = (uint)(c[2] & 0xFFFF);
            switch(opcode)
            {
            case 0x08: // MAPD
                {
                    var valid = (c[2] >> 63) != 0;
                    var bits = (int)(c[1] & 0x1F) + 1;
                    if(valid)
                    {
                        devices[device] = bits;
                        PhysicalIts.Send(PhysicalIts.Mapd(PhysicalDevice(device), bits, PhysicalIts.AllocateItt(), true));
                        Note($"MAPD dev {device} bits {bits} -> MAPD");
                    }
                    else
                    {
                        foreach(var key in new List<(uint, uint)>(events.Keys))
                        {
                            if(key.Item1 == device)
                            {
                                Unmap(key);
                            }
                        }
                        devices.Remove(device);
                        PhysicalIts.Send(PhysicalIts.Mapd(PhysicalDevice(device), 1, 0, false));
                        Note($"MAPD dev {device} V=0 -> MAPD V=0");
                    }
                    break;
                }
            case 0x09: // MAPC
                {
                    var valid = (c[2] >> 63) != 0;
                    var rd = (int)((c[2] >> 16) & 0xFFFF_FFFF);
                    if(valid && rd >= domain.Vcpus.Count)
                    {
                        Error($"MAPC icid {icid}: RDbase {rd} is not a vCPU");
                        return;
                    }
                    if(valid)
                    {
                        collections[icid] = domain.Vcpus[rd];
                    }
                    else
                    {
                        collections.Remove(icid);
                    }
                    Note($"MAPC icid {icid} -> {(valid ? $"vCPU{rd}" : "unmapped")}");
                    break;
                }
            case 0x0A: // MAPTI
            case 0x0B: // MAPI
                {
                    var vintid = opcode == 0x0A ? (uint)(c[1] >> 32) : eventId;
                    if(!devices.TryGetValue(device, out var bits) || (bits < 32 && eventId >> bits != 0))
                    {
                        Error($"MAPTI dev {device} event {eventId}: device not mapped or event beyond its ITT");
                        return;
                    }
                    if(vintid < 8192 || vintid >= 1 << 16)
                    {
                        Error($"MAPTI dev {device} event {eventId}: vINTID {vintid} is not an LPI");
                        return;
                    }
                    if(!collections.TryGetValue(icid, out var vcpu))
                    {
                        Error($"MAPTI dev {device} event {eventId}: collection {icid} not mapped");
                        return;
                    }
                    if(events.ContainsKey((device, eventId)))
                    {
                        Unmap((device, eventId));
                    }
                    var irq = domain.GetOrCreateLpi(vintid, vcpu);
                    ReadConfiguration(irq);
                    var entry = new EventMapping(irq, icid);
                    if(domain.Mode == InjectionMode.V3)
                    {
                        entry.PhysicalLpi = gic.AllocateLpi(0xA0);
                        hypervisor?.MapPhysicalLpi(entry.PhysicalLpi, irq, domain);
                        PhysicalIts.Send(PhysicalIts.Mapti(PhysicalDevice(device), eventId, (uint)entry.PhysicalLpi, (uint)vcpu.PhysicalCpu));
                        PhysicalIts.Send(PhysicalIts.Inv(PhysicalDevice(device), eventId)); // the hypervisor wrote the pLPI's configuration
                        Note($"MAPTI dev {device} event {eventId} vLPI {vintid} icid {icid} -> MAPTI pLPI {entry.PhysicalLpi} pCPU {vcpu.PhysicalCpu}");
                    }
                    else
                    {
                        var vpe = vcpu.Vpe ?? throw new InvalidOperationException($"{vcpu} has no vPE");
                        PhysicalIts.Send(PhysicalIts.Vmapti(PhysicalDevice(device), eventId, vintid, vpe.Id, vpe.EventDoorbell));
                        Note($"MAPTI dev {device} event {eventId} vLPI {vintid} icid {icid} -> VMAPTI vPE {vpe.Id} doorbell {vpe.EventDoorbell}");
                    }
                    events[(device, eventId)] = entry;
                    break;
                }
            case 0x01: // MOVI
                {
                    if(!events.TryGetValue((device, eventId), out var e) || !collections.TryGetValue(icid, out var vcpu))
                    {
                        Error($"MOVI dev {device} event {eventId}: not mapped, or collection {icid} not mapped");
                        return;
                    }
                    Move(device, eventId, e, vcpu);
                    e.Icid = icid;
                    break;
                }
            case 0x0E: // MOVALL
                {
                    var from = (int)((c[2] >> 16) & 0xFFFF_FFFF);
                    var to = (int)((c[3] >> 16) & 0xFFFF_FFFF);
                    if(from >= domain.Vcpus.Count || to >= domain.Vcpus.Count)
                    {
                        Error($"MOVALL {from} -> {to}: not vCPUs");
                        return;
                    }
                    foreach(var ((d, ev), e) in events)
                    {
                        if(e.Irq.Target == domain.Vcpus[from])
                        {
                            Move(d, ev, e, domain.Vcpus[to]);
                        }
                    }
                    Note($"MOVALL vCPU{from} -> vCPU{to}");
                    break;
                }
            case 0x0F: // DISCARD
                if(!events.ContainsKey((device, eventId)))
                {
                    Error($"DISCARD dev {device} event {eventId}: not mapped");
                    return;
                }
                Unmap((device, eventId));
                Note($"DISCARD dev {device} event {eventId} -> DISCARD");
                break;
            case 0x03: // INT
                if(!events.TryGetValue((device, eventId), out var intEvent))
                {
                    Error($"INT dev {device} event {eventId}: not mapped");
                    return;
                }
                if(domain.Mode == InjectionMode.V3)
                {
                    domain.InjectEdge(intEvent.Irq, gic.CurrentPort?.NowNs ?? 0);
                    Note($"INT dev {device} event {eventId} -> inject vLPI {intEvent.Irq.Intid}");
                }
                else
                {
                    PhysicalIts.Send(PhysicalIts.Int(PhysicalDevice(device), eventId));
                    Note($"INT dev {device} event {eventId} -> INT");
                }
                break;
            case 0x04: // CLEAR
                if(!events.TryGetValue((device, eventId), out var clearEvent))
                {
                    Error($"CLEAR dev {device} event {eventId}: not mapped");
                    return;
                }
                lock(clearEvent.Irq.Lock)
                {
                    clearEvent.Irq.PendingLatch = false;
                }
                PhysicalIts.Send(PhysicalIts.Clear(PhysicalDevice(device), eventId));
                Note($"CLEAR dev {device} event {eventId} -> CLEAR");
                break;
            case 0x0C: // INV
                if(!events.TryGetValue((device, eventId), out var invEvent))
                {
                    Error($"INV dev {device} event {eventId}: not mapped");
                    return;
                }
                ReadConfiguration(invEvent.Irq);
                if(domain.Mode != InjectionMode.V3)
                {
                    PhysicalIts.Send(PhysicalIts.Inv(PhysicalDevice(device), eventId));
                }
                domain.QueueAndKick(invEvent.Irq);
                Note($"INV dev {device} event {eventId}{(domain.Mode == InjectionMode.V3 ? " -> configuration re-read" : " -> INV")}");
                break;
            case 0x0D: // INVALL
                {
                    if(!collections.TryGetValue(icid, out var vcpu))
                    {
                        Error($"INVALL icid {icid}: not mapped");
                        return;
                    }
                    foreach(var e in events.Values)
                    {
                        if(e.Irq.Target == vcpu)
                        {
                            ReadConfiguration(e.Irq);
                            domain.QueueAndKick(e.Irq);
                        }
                    }
                    if(domain.Mode != InjectionMode.V3 && vcpu.Vpe != null)
                    {
                        PhysicalIts.Send(PhysicalIts.Vinvall(vcpu.Vpe.Id));
                    }
                    Note($"INVALL icid {icid}{(domain.Mode == InjectionMode.V3 ? "" : " -> VINVALL")}");
                    break;
                }
            case 0x05: // SYNC
                {
                    var rd = (int)((c[2] >> 16) & 0xFFFF_FFFF);
                    if(domain.Mode != InjectionMode.V3 && rd < domain.Vcpus.Count && domain.Vcpus[rd].Vpe is VirtualPe vpe)
                    {
                        PhysicalIts.Send(PhysicalIts.Vsync(vpe.Id));
                        Note($"SYNC vCPU{rd} -> VSYNC vPE {vpe.Id}");
                    }
                    else
                    {
                        Note($"SYNC vCPU{rd}");
                    }
                    break;
                }
            default:
                Error($"command 0x{opcode:X2} is not supported by the virtual ITS");
                break;
            }
        }

        private void Move(uint device, uint eventId, EventMapping e, VgicVcpu to)
        {
            domain.Retarget(e.Irq, to);
            if(domain.Mode == InjectionMode.V3)
            {
                PhysicalIts.Send(PhysicalIts.Movi(PhysicalDevice(device), eventId, (uint)to.PhysicalCpu));
                Note($"MOVI dev {device} event {eventId} -> vCPU{to.Id}: MOVI pCPU {to.PhysicalCpu}");
            }
            else if(to.Vpe is VirtualPe vpe)
            {
                PhysicalIts.Send(PhysicalIts.Vmovi(PhysicalDevice(device), eventId, vpe.Id, vpe.EventDoorbell, true));
                Note($"MOVI dev {device} event {eventId} -> vCPU{to.Id}: VMOVI vPE {vpe.Id}");
            }
        }

        private void Unmap((uint Device, uint Event) key)
        {
            var e = events[key];
            events.Remove(key);
            PhysicalIts.Send(PhysicalIts.Discard(PhysicalDevice(key.Device), key.Event));
            if(e.PhysicalLpi != 0)
            {
                hypervisor?.UnmapPhysicalLpi(e.PhysicalLpi);
                gic.SetLpiConfiguration(e.PhysicalLpi, 0xA0, false);
            }
            domain.RemoveLpi(e.Irq.Intid);
        }

        /// <summary>
        /// A vCPU enabled its LPIs (GICR_CTLR.EnableLPIs): the configuration table is read for every mapped vLPI, as
        /// a redistributor reads it when LPIs are enabled.
        /// </summary>
        public void OnLpisEnabled(VgicVcpu vcpu)
        {
            _ = vcpu;
            foreach(var e in events.Values)
            {
                ReadConfiguration(e.Irq);
                domain.QueueAndKick(e.Irq);
            }
        }

        /// <summary>Reads the vLPI's priority and enable bit from the guest's LPI configuration table (GICR_PROPBASER).</summary>
        private void ReadConfiguration(VirtualIrq irq)
        {
            var table = DomainPropertyTable();
            if(table == 0)
            {
                return;
            }
            var config = bus.ReadByte(table + irq.Intid - 8192);
            lock(irq.Lock)
            {
                irq.Priority = config & 0xFC;
                irq.Enabled = (config & 1) != 0;
            }
        }

        /// <summary>The guest's LPI configuration table: GICR_PROPBASER of the first vCPU that enabled LPIs (one table per domain, as Linux sets up).</summary>
        private ulong DomainPropertyTable()
        {
            foreach(var vcpu in domain.Vcpus)
            {
                if(vcpu.EnableLpis && vcpu.PropBaser != 0)
                {
                    return vcpu.PropBaser & 0x000F_FFFF_FFFF_F000UL;
                }
            }
            return 0;
        }

        private void Translate(uint device, uint eventId)
        {
            if(!events.TryGetValue((device, eventId), out var e))
            {
                this.GuestError("GITS_TRANSLATER: DeviceID {0} EventID {1} is not mapped; ignored", device, eventId);
                return;
            }
            if(domain.Mode == InjectionMode.V3)
            {
                domain.InjectEdge(e.Irq, gic.CurrentPort?.NowNs ?? 0);
            }
            else
            {
                PhysicalIts.Send(PhysicalIts.Int(PhysicalDevice(device), eventId));
            }
        }

        private void Note(string text) => Log.Add(text);

        private void Error(string text)
        {
            Log.Add("error: " + text);
            this.GuestError("virtual ITS: {0}; skipped", text);
        }

        private readonly VgicDomain domain;
        private readonly VgicHypervisor? hypervisor;
        private readonly PhysicalGic gic;
        private readonly SystemBus bus;
        private readonly CostModel costs;
        private readonly GicMmioBlock block;
        private readonly ulong[] baser = new ulong[2];
        private readonly Dictionary<uint, int> devices = new Dictionary<uint, int>();
        private readonly Dictionary<uint, VgicVcpu> collections = new Dictionary<uint, VgicVcpu>();
        private readonly SortedDictionary<(uint, uint), EventMapping> events = new SortedDictionary<(uint, uint), EventMapping>();
        private bool enabled;
        private ulong cbaser;
        private ulong cwriter;
        private ulong creadr;

        private sealed class EventMapping
        {
            public EventMapping(VirtualIrq irq, uint icid)
            {
                Irq = irq;
                Icid = icid;
            }

            public VirtualIrq Irq { get; }

            public uint Icid { get; set; }

            public int PhysicalLpi { get; set; }
        }
    }
}
