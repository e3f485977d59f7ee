// GICv4 direct injection for a domain (seed 000 and 004): one vPE per vCPU, mapped with VMAPP in every ITS with
// virtual support; on context switch the vPE is made resident on the physical CPU's redistributor
// (GICR_VPROPBASER, then GICR_VPENDBASER.Valid = 1, polling Dirty until the virtual pending table is parsed) and
// de-scheduled again (Valid = 0, PendingLast saved). A vPE that is not resident gets its vLPIs recorded in its
// virtual pending table and, if its doorbell is enabled, a doorbell LPI that the hypervisor takes to wake the vCPU.
//
// GICv4.0 has no way to invalidate a doorbell LPI's configuration without a device/event mapping, so doorbells are
// mapped in a "proxy device" (one event per vPE, as Linux/Xen do): enabling or disabling a doorbell is a change of
// the LPI configuration table plus INV proxy, event.
//
// GICv4.1 (as KVM does on a GICv4.1, when the physical ITS has GITS_TYPER.VMAPP = 1):
// - one vPE configuration table shared by every ITS (GITS_BASER2) and every Redistributor (GICR_VPROPBASER, 4.1
//   layout, written once at boot by PhysicalGic); VMAPP (4.1 form) gives the VPT, the vLPI configuration table
//   (VCONF: the guest's LPI configuration table once the guest has one, an all-disabled page before; a change is a
//   VMAPP again with Alloc = 0) and the vPE's default doorbell, an LPI enabled once and never touched again (INVDB
//   once after VMAPP: the LPI configuration was written after the Redistributor could have cached it);
// - VMAPTI/VMOVI give Dbell_pINTID 1023 (GITS_TYPER.nID = 1: no per-event doorbells), so no proxy device and no INV
//   when a vCPU blocks or runs: the doorbell is armed by GICR_VPENDBASER.DB = 1 when the vPE is de-scheduled and
//   disarmed by the hardware when it is scheduled again;
// - residency by vPEID: GICR_VPENDBASER = Valid | vGrp1En | vPEID (no GICR_VPROPBASER write per load);
// - VMOVP without SeqNum/ITSList (one ITS, GITS_TYPER.VMOVP = 1 is implied), with DB = 1 and the default doorbell,
//   then VSYNC; the doorbell follows the vPE's RDbase, so there is no MOVI.
//
// Moving a vPE (VMOVP), honouring the review points of seed 004:
// - GITS_TYPER.VMOVP = 1: one VMOVP to one ITS moves the vPE everywhere; = 0: the same VMOVP (one SeqNum, the
//   ITSList of the ITSes that map vPEs) goes to every ITS in the list, serialised by one lock;
// - every VMOVP is followed by VSYNC on the same ITS;
// - the vPE's column (the physical CPU the ITSes believe it is on) changes only after every VMOVP succeeded; when
//   one fails, the ITSes that already moved it get a VMOVP back to the old column (rollback) and the move fails;
// - the doorbell's proxy mapping follows the vPE (MOVI) once the move succeeded;
// - every per-vPE lock is initialised when the vPE is created.
using System;
using System.Collections.Generic;

namespace RenodeGic.VgicHost
{
    public sealed class VirtualPe
    {
        internal VirtualPe(uint id, VgicVcpu vcpu, ulong vptAddress, int doorbell, bool defaultDoorbell)
        {
            Id = id;
            HasDefaultDoorbell = defaultDoorbell;
            Vcpu = vcpu;
            VptAddress = vptAddress;
            Doorbell = doorbell;
            Column = vcpu.PhysicalCpu;
        }

        public uint Id { get; }

        public VgicVcpu Vcpu { get; }

        public ulong VptAddress { get; }

        /// <summary>The doorbell physical LPI of this vPE (GICv4.0: used by every VMAPTI of its events; GICv4.1: the default doorbell).</summary>
        public int Doorbell { get; }

        /// <summary>GICv4.1: <see cref="Doorbell"/> is the vPE's default doorbell (VMAPP), armed by GICR_VPENDBASER.DB.</summary>
        public bool HasDefaultDoorbell { get; }

        /// <summary>The Dbell_pINTID of this vPE's VMAPTI/VMOVI: the doorbell (GICv4.0) or 1023, none (GICv4.1, nID = 1).</summary>
        public uint EventDoorbell => HasDefaultDoorbell ? 1023u : (uint)Doorbell;

        /// <summary>GICv4.1: the VCONF address the vPE is mapped with (VMAPP).</summary>
        public ulong Vconf { get; internal set; }

        /// <summary>The physical CPU the ITSes route this vPE to (KVM/Xen "col_idx").</summary>
        public int Column { get; internal set; }

        public bool Resident { get; internal set; }

        public bool PendingLast { get; internal set; }

        public bool DoorbellEnabled { get; internal set; }

        /// <summary>The guest's LPI configuration table changed (LPIs enabled): reload GICR_VPROPBASER at the next entry.</summary>
        public bool ConfigurationStale { get; internal set; }

        public object Lock { get; } = new object();
    }

    public sealed class GicV4
    {
        /// <summary>DeviceID of the doorbell proxy device (outside the range guests' devices use).</summary>
        public const uint ProxyDeviceId = 0xFFFF;

        public const int VptIdBits = 16;

        public GicV4(PhysicalGic gic, CostModel costs, VgicStats stats, bool v41 = false)
        {
            V41 = v41;
            this.gic = gic;
            this.costs = costs;
            this.stats = stats;
        }

        public IReadOnlyList<VirtualPe> Vpes => vpes;

        /// <summary>The GICv4.1 path (VMAPP 4.1, default doorbells, VPENDBASER by vPEID).</summary>
        public bool V41 { get; }

        /// <summary>VMAPP in every ITS with virtual support, a doorbell LPI in the proxy device (GICv4.1: a default doorbell).</summary>
        public VirtualPe CreateVpe(VgicVcpu vcpu)
        {
            var id = (uint)vpes.Count;
            var vpt = gic.VptMemory + id * 0x1_0000UL;
            gic.Bus.WriteBytes(new byte[1 << (VptIdBits - 3)], vpt);
            var doorbell = gic.AllocateLpi(0xA0, enabled: V41);
            var vpe = new VirtualPe(id, vcpu, vpt, doorbell, V41);
            vpes.Add(vpe);
            vcpu.Vpe = vpe;
            if(V41)
            {
                vpe.Vconf = VconfOf(vpe);
                var first = true;
                foreach(var its in VirtualItses())
                {
                    its.Send(PhysicalIts.Vmapp41(id, (ulong)vpe.Column, vpt, VptIdBits, vpe.Vconf, (uint)doorbell, alloc: first, ptz: true));
                    first = false;
                }
                ProxyIts().Send(PhysicalIts.Invdb(id));
                return vpe;
            }
            foreach(var its in VirtualItses())
            {
                its.Send(PhysicalIts.Vmapp(id, (ulong)vpe.Column, vpt, VptIdBits, true));
            }
            var proxy = ProxyIts();
            if(!proxyMapped)
            {
                proxy.Send(PhysicalIts.Mapd(ProxyDeviceId, 10, proxy.AllocateItt(), true));
                proxyMapped = true;
            }
            proxy.Send(PhysicalIts.Mapti(ProxyDeviceId, id, (uint)doorbell, (uint)vpe.Column));
            return vpe;
        }

        /// <summary>Makes the vPE resident on <paramref name="port"/>'s redistributor (vgic_v4_load); moves it first if needed.</summary>
        public void Load(VirtualPe vpe, IEl2Port port)
        {
            lock(vpe.Lock)
            {
                if(vpe.Resident)
                {
                    return;
                }
            }
            if(vpe.Column != port.Processor && !Move(vpe, port.Processor))
            {
                throw new InvalidOperationException($"vPE {vpe.Id}: VMOVP to CPU {port.Processor} failed; not made resident there");
            }
            var rd = gic.RedistributorOf(port.Processor);
            if(V41)
            {
                gic.Bus.WriteQuadWord(rd + (ulong)GicOffsets.GicrVpendbaser, (1UL << 63) | Vpendbaser41Group1 | vpe.Id);
                port.Charge(costs.VpeRegisterNs);
            }
            else
            {
                LoadTables40(vpe, rd, port);
            }
            // Dirty: the redistributor is still parsing the virtual pending table.
            for(var polls = 0; polls < 1000; polls++)
            {
                var value = gic.Bus.ReadQuadWord(rd + (ulong)GicOffsets.GicrVpendbaser);
                port.Charge(costs.VpeRegisterNs);
                stats.DirtyPolls++;
                if(((value >> 60) & 1) == 0)
                {
                    break;
                }
            }
            lock(vpe.Lock)
            {
                vpe.Resident = true;
            }
            stats.VpeLoads++;
            if(!V41)
            {
                SetDoorbell(vpe, false);
            }
        }

        /// <summary>
        /// GICv4.1: the guest's LPI configuration table changed: VMAPP again (Alloc = 0: the vSGI state is kept) with the
        /// new VCONF on every ITS. The vPE must not be resident. GICv4.0: nothing (GICR_VPROPBASER is written at each load).
        /// </summary>
        public void UpdateConfiguration(VirtualPe vpe)
        {
            if(!V41 || vpe.Resident)
            {
                return;
            }
            var vconf = VconfOf(vpe);
            if(vconf == vpe.Vconf)
            {
                return;
            }
            vpe.Vconf = vconf;
            foreach(var its in VirtualItses())
            {
                its.Send(PhysicalIts.Vmapp41(vpe.Id, (ulong)vpe.Column, vpe.VptAddress, VptIdBits, vconf, (uint)vpe.Doorbell, alloc: false, ptz: false));
            }
        }

        private void LoadTables40(VirtualPe vpe, ulong rd, IEl2Port port)
        {
            var guestPropBaser = vpe.Vcpu.PropBaser;
            foreach(var other in vpe.Vcpu.Domain.Vcpus)
            {
                if(guestPropBaser == 0 && other.EnableLpis)
                {
                    guestPropBaser = other.PropBaser; // one configuration table per domain
                }
            }
            var propBaser = (guestPropBaser & 0x000F_FFFF_FFFF_F000UL) | (uint)Math.Max(13, (int)(guestPropBaser & 0x1F));
            gic.Bus.WriteQuadWord(rd + (ulong)GicOffsets.GicrVpropbaser, propBaser);
            gic.Bus.WriteQuadWord(rd + (ulong)GicOffsets.GicrVpendbaser, (1UL << 63) | (vpe.PendingLast ? 1UL << 61 : 0) | vpe.VptAddress);
            port.Charge(2 * costs.VpeRegisterNs);
        }

        /// <summary>
        /// GICv4.1 VCONF of <paramref name="vpe"/>: the domain's LPI configuration table (one per domain) once a vCPU
        /// enabled LPIs, else the hypervisor's all-disabled page. VCONF_addr is 64 KiB aligned.
        /// </summary>
        private ulong VconfOf(VirtualPe vpe)
        {
            var propBaser = vpe.Vcpu.EnableLpis ? vpe.Vcpu.PropBaser : 0;
            foreach(var other in vpe.Vcpu.Domain.Vcpus)
            {
                if(propBaser == 0 && other.EnableLpis)
                {
                    propBaser = other.PropBaser;
                }
            }
            var address = propBaser & 0x000F_FFFF_FFFF_F000UL;
            if(address == 0)
            {
                return gic.EmptyVconf;
            }
            if((address & 0xFFFF) != 0)
            {
                throw new NotSupportedException($"GICv4.1: the guest's LPI configuration table at 0x{address:X} is not 64 KiB aligned (VMAPP VCONF_addr); a shadow copy is not implemented");
            }
            return address;
        }

        /// <summary>De-schedules the vPE (vgic_v4_put); with <paramref name="doorbell"/> its doorbell is enabled first.</summary>
        public void Put(VirtualPe vpe, IEl2Port port, bool doorbell)
        {
            lock(vpe.Lock)
            {
                if(!vpe.Resident)
                {
                    return;
                }
            }
            if(doorbell && !V41)
            {
                SetDoorbell(vpe, true);
            }
            var rd = gic.RedistributorOf(port.Processor);
            // GICv4.1: Valid = 0 with DB arms the default doorbell (when nothing is pending: PendingLast reads 0).
            gic.Bus.WriteQuadWord(rd + (ulong)GicOffsets.GicrVpendbaser,
                V41 ? (doorbell ? Vpendbaser41Db : 0) | Vpendbaser41Group1 | vpe.Id : vpe.VptAddress);
            var value = gic.Bus.ReadQuadWord(rd + (ulong)GicOffsets.GicrVpendbaser);
            port.Charge(2 * costs.VpeRegisterNs);
            lock(vpe.Lock)
            {
                vpe.Resident = false;
                vpe.PendingLast = ((value >> 61) & 1) != 0;
            }
            stats.VpePuts++;
        }

        /// <summary>
        /// Moves the vPE to <paramref name="processor"/> in every ITS (VMOVP + VSYNC). Returns false, with everything
        /// rolled back and the column unchanged, when a command failed.
        /// </summary>
        public bool Move(VirtualPe vpe, int processor)
        {
            lock(vmovpLock)
            {
                lock(vpe.Lock)
                {
                    var from = vpe.Column;
                    if(from == processor)
                    {
                        return true;
                    }
                    var itses = VirtualItses();
                    var single = V41 || (itses.Count > 0 && itses[0].SingleVmovp);
                    var targets = single ? new List<PhysicalIts> { itses[0] } : itses;
                    var itsList = 0;
                    foreach(var its in itses)
                    {
                        itsList |= 1 << its.Number;
                    }
                    var done = new List<PhysicalIts>();
                    var sequence = ++vmovpSequence;
                    var ok = true;
                    foreach(var its in targets)
                    {
                        if(!its.Send(VmovpFor(vpe, sequence, single ? 0 : itsList, processor)) || !its.Send(PhysicalIts.Vsync(vpe.Id)))
                        {
                            ok = false;
                            break;
                        }
                        done.Add(its);
                    }
                    stats.Vmovps++;
                    if(!ok)
                    {
                        // Roll back: the ITSes that moved the vPE get it back; the column never changed.
                        if(done.Count > 0)
                        {
                            var back = ++vmovpSequence;
                            foreach(var its in done)
                            {
                                its.Send(VmovpFor(vpe, back, single ? 0 : itsList, from));
                                its.Send(PhysicalIts.Vsync(vpe.Id));
                            }
                        }
                        RolledBack++;
                        return false;
                    }
                    vpe.Column = processor;
                    if(V41)
                    {
                        return true; // the default doorbell follows the vPE's RDbase
                    }
                    var proxy = ProxyIts();
                    proxy.Send(PhysicalIts.Movi(ProxyDeviceId, vpe.Id, (uint)processor));
                    return true;
                }
            }
        }

        /// <summary>GICv4.1: no SeqNum/ITSList; DB = 1 with the default doorbell (as Linux sends it).</summary>
        private ulong[] VmovpFor(VirtualPe vpe, int sequence, int itsList, int processor) =>
            V41 ? PhysicalIts.Vmovp41(vpe.Id, (ulong)processor, (uint)vpe.Doorbell) : PhysicalIts.Vmovp(sequence, itsList, vpe.Id, (ulong)processor);

        // ---- GICv4.1 vSGIs (HardwareSgis.cs) ----

        /// <summary>VSGI for SGI <paramref name="sgi"/> of <paramref name="vpe"/>: its enable, priority (bits [7:4]) and group in the GIC.</summary>
        public void ConfigureVsgi(VirtualPe vpe, int sgi, int priority, bool group1, bool enable, bool clear)
        {
            VirtualItses()[0].Send(PhysicalIts.Vsgi(vpe.Id, sgi, priority, group1, enable, clear));
        }

        /// <summary>GITS_SGIR (the ITS's vSGI frame, 64 bits at +0x20020): vPEID[47:32], vINTID[3:0].</summary>
        public void SendVsgi(VirtualPe vpe, int sgi, IEl2Port? port)
        {
            var its = VirtualItses()[0];
            gic.Bus.WriteQuadWord(its.Base + GitsSgir, ((ulong)vpe.Id << 32) | (uint)sgi);
            port?.Charge(costs.VpeRegisterNs);
            stats.VsgisSent++;
        }

        /// <summary>Whether SGI <paramref name="sgi"/> is pending at <paramref name="vpe"/>: GICR_VSGIR, then GICR_VSGIPENDR until Busy clears.</summary>
        public bool IsVsgiPending(VirtualPe vpe, int sgi, IEl2Port? port)
        {
            var rd = gic.RedistributorOf(vpe.Column);
            gic.Bus.WriteDoubleWord(rd + (ulong)GicOffsets.GicrVsgir, vpe.Id);
            for(var poll = 0; poll < 64; poll++)
            {
                var value = gic.Bus.ReadDoubleWord(rd + (ulong)GicOffsets.GicrVsgipendr);
                port?.Charge(costs.VpeRegisterNs);
                if((value & (1u << 31)) == 0)
                {
                    return ((value >> sgi) & 1) != 0;
                }
            }
            // The GIC never finished the query: report not pending rather than fail the guest's access.
            stats.VsgiQueriesTimedOut++;
            return false;
        }

        private const ulong GitsSgir = 0x2_0020;

        /// <summary>Number of VMOVPs that failed and were rolled back.</summary>
        public int RolledBack { get; private set; }

        private void SetDoorbell(VirtualPe vpe, bool enabled)
        {
            if(vpe.DoorbellEnabled == enabled)
            {
                return;
            }
            vpe.DoorbellEnabled = enabled;
            gic.SetLpiConfiguration(vpe.Doorbell, 0xA0, enabled);
            ProxyIts().Send(PhysicalIts.Inv(ProxyDeviceId, vpe.Id));
        }

        private List<PhysicalIts> VirtualItses()
        {
            var list = new List<PhysicalIts>();
            foreach(var its in gic.Itses)
            {
                if(its.Virtual)
                {
                    list.Add(its);
                }
            }
            return list;
        }

        private PhysicalIts ProxyIts() => gic.Itses[0];

        private const ulong Vpendbaser41Db = 1UL << 62;
        private const ulong Vpendbaser41Group1 = 1UL << 58;

        private readonly PhysicalGic gic;
        private readonly CostModel costs;
        private readonly VgicStats stats;
        private readonly List<VirtualPe> vpes = new List<VirtualPe>();
        private readonly object vmovpLock = new object();
        private int vmovpSequence;
        private bool proxyMapped;
    }
}
