// GICv4 direct injection for a domain (seed 000 and 004): one vPE per vCPU, mapped with VMAPP in every ITS with
// virtual support; on context switch the vPE is made resident on the physical CPU's redistributor
// (GICR_VPROPBASER, then GICR_VPENDBASER.Valid = 1, polling Dirty until the virtual pending table is parsed) and
// de-scheduled again (Valid = 0, PendingLast saved). A vPE that is not resident gets its vLPIs recorded in its
// virtual pending table and, if its doorbell is enabled, a doorbell LPI that the hypervisor takes to wake the vCPU.
//
// GICv4.0 has no way to invalidate a doorbell LPI's configuration without a device/event mapping, so doorbells are
// mapped in a "proxy device" (one event per vPE, as Linux/Xen do): enabling or disabling a doorbell is a change of
// the LPI configuration table plus INV proxy, event. (GICv4.1 has per-vPE default doorbells and does not need it.)
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
        internal VirtualPe(uint id, VgicVcpu vcpu, ulong vptAddress, int doorbell)
        {
            Id = id;
            Vcpu = vcpu;
            VptAddress = vptAddress;
            Doorbell = doorbell;
            Column = vcpu.PhysicalCpu;
        }

        public uint Id { get; }

        public VgicVcpu Vcpu { get; }

        public ulong VptAddress { get; }

        /// <summary>The doorbell physical LPI of this vPE (one per vPE, used by every VMAPTI of its events).</summary>
        public int Doorbell { get; }

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

        public GicV4(PhysicalGic gic, CostModel costs, VgicStats stats)
        {
            this.gic = gic;
            this.costs = costs;
            this.stats = stats;
        }

        public IReadOnlyList<VirtualPe> Vpes => vpes;

        /// <summary>VMAPP in every ITS with virtual support, a doorbell LPI in the proxy device.</summary>
        public VirtualPe CreateVpe(VgicVcpu vcpu)
        {
            var id = (uint)vpes.Count;
            var vpt = gic.VptMemory + id * 0x1_0000UL;
            gic.Bus.WriteBytes(new byte[1 << (VptIdBits - 3)], vpt);
            var doorbell = gic.AllocateLpi(0xA0, enabled: false);
            var vpe = new VirtualPe(id, vcpu, vpt, doorbell);
            vpes.Add(vpe);
            vcpu.Vpe = vpe;
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
            SetDoorbell(vpe, false);
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
            if(doorbell)
            {
                SetDoorbell(vpe, true);
            }
            var rd = gic.RedistributorOf(port.Processor);
            gic.Bus.WriteQuadWord(rd + (ulong)GicOffsets.GicrVpendbaser, vpe.VptAddress);
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
                    var single = itses.Count > 0 && itses[0].SingleVmovp;
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
                        if(!its.Send(PhysicalIts.Vmovp(sequence, single ? 0 : itsList, vpe.Id, (ulong)processor)) || !its.Send(PhysicalIts.Vsync(vpe.Id)))
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
                                its.Send(PhysicalIts.Vmovp(back, single ? 0 : itsList, vpe.Id, (ulong)from));
                                its.Send(PhysicalIts.Vsync(vpe.Id));
                            }
                        }
                        RolledBack++;
                        return false;
                    }
                    vpe.Column = processor;
                    var proxy = ProxyIts();
                    proxy.Send(PhysicalIts.Movi(ProxyDeviceId, vpe.Id, (uint)processor));
                    return true;
                }
            }
        }

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

        private readonly PhysicalGic gic;
        private readonly CostModel costs;
        private readonly VgicStats stats;
        private readonly List<VirtualPe> vpes = new List<VirtualPe>();
        private readonly object vmovpLock = new object();
        private int vmovpSequence;
        private bool proxyMapped;
    }
}
