// Moving the ap_list in and out of the list registers (seed 001/003; KVM's and Xen's new VGIC):
// - Flush (on guest entry): sort the ap_list, write only as many LRs as there are interrupts to show (at most the
//   number the GIC has), remember that count, and when more are waiting than LRs exist set ICH_HCR_EL2.UIE so the
//   underflow maintenance interrupt brings the hypervisor back when at most one LR is still in use.
//   A level-sensitive interrupt without HW also gets the LR's EOI bit: its EOI raises the maintenance interrupt
//   and the fold re-samples the line ("level re-sampling").
//   An edge interrupt's pending latch moves into the LR (it is the LR's state now); the fold brings it back if the
//   guest did not acknowledge it.
// - Fold (on exit): read ICH_ELRSR_EL2 once; read back only the used LRs that still hold state (an LR the ELRSR
//   reports empty was acknowledged and deactivated, nothing to read); update active/pending; clear those LRs;
//   prune the ap_list.
using System;
using System.Collections.Generic;

namespace RenodeGic.VgicHost
{
    public sealed class ListRegisterManager
    {
        public ListRegisterManager(int listRegisterCount, CostModel costs, VgicStats stats)
        {
            if(listRegisterCount < 1 || listRegisterCount > 16)
            {
                throw new ArgumentOutOfRangeException(nameof(listRegisterCount));
            }
            ListRegisterCount = listRegisterCount;
            this.costs = costs;
            this.stats = stats;
        }

        public int ListRegisterCount { get; }

        /// <summary>Whether the last flush asked for an underflow interrupt (more to show than LRs).</summary>
        public bool UnderflowRequested { get; private set; }

        /// <summary>Fills the list registers from the ap_list of <paramref name="vcpu"/>; returns how many were used.</summary>
        public int Flush(VgicVcpu vcpu, IEl2Port port)
        {
            if(vcpu.ListRegisterContents.Length != ListRegisterCount)
            {
                vcpu.ListRegisterContents = new VirtualIrq?[ListRegisterCount];
            }
            vcpu.SortApList();
            var used = 0;
            var more = false;
            lock(vcpu.ApListLock)
            {
                foreach(var irq in vcpu.ApList)
                {
                    lock(irq.Lock)
                    {
                        if(irq.Target != vcpu || !irq.ShouldBeListed)
                        {
                            continue; // being moved to another vCPU, or about to be pruned
                        }
                        if(used == ListRegisterCount)
                        {
                            more = true;
                            break;
                        }
                        // A HW-mapped level interrupt is never listed pending and active: its pending state is the
                        // physical one until the guest deactivates it (as KVM's vgic_v3_populate_lr).
                        var pending = irq.Pending && irq.Enabled && !(irq.Hardware && irq.IsLevel && irq.Active);
                        var lr = ListRegister.Make(irq.Intid, irq.Priority, irq.Group, pending, irq.Active, irq.Hardware, irq.HardwareIntid,
                            eoiMaintenance: irq.IsLevel && !irq.Hardware);
                        if(pending && !irq.IsLevel)
                        {
                            irq.PendingLatch = false; // the LR holds the edge now
                        }
                        port.WriteSystemRegister(SysReg.IchLrEl2(used), lr);
                        port.Charge(costs.LrWriteNs);
                        stats.LrWrites++;
                        vcpu.ListRegisterContents[used] = irq;
                        used++;
                    }
                }
            }
            var hcr = IchHcr.En | (more ? IchHcr.Uie : 0);
            port.WriteSystemRegister(SysReg.IchHcrEl2, hcr);
            port.Charge(costs.IchAccessNs);
            if(more)
            {
                stats.Underflows++;
            }
            UnderflowRequested = more;
            vcpu.UsedListRegisters = used;
            return used;
        }

        /// <summary>Reads back the used list registers of <paramref name="vcpu"/> and prunes its ap_list; returns vCPUs that got IRQs moved to them.</summary>
        public List<VgicVcpu> Fold(VgicVcpu vcpu, IEl2Port port)
        {
            var used = vcpu.UsedListRegisters;
            if(used > 0)
            {
                var empty = port.ReadSystemRegister(SysReg.IchElrsrEl2);
                port.Charge(costs.IchAccessNs);
                stats.ElrsrReads++;
                for(var n = 0; n < used; n++)
                {
                    var irq = vcpu.ListRegisterContents[n];
                    ulong lr = 0;
                    if((empty & (1UL << n)) == 0)
                    {
                        lr = port.ReadSystemRegister(SysReg.IchLrEl2(n));
                        port.Charge(costs.LrReadNs);
                        stats.LrReads++;
                    }
                    port.WriteSystemRegister(SysReg.IchLrEl2(n), 0);
                    port.Charge(costs.LrWriteNs);
                    stats.LrWrites++;
                    vcpu.ListRegisterContents[n] = null;
                    if(irq != null)
                    {
                        FoldOne(irq, lr);
                    }
                }
                vcpu.UsedListRegisters = 0;
                if(UnderflowRequested)
                {
                    port.WriteSystemRegister(SysReg.IchHcrEl2, IchHcr.En);
                    port.Charge(costs.IchAccessNs);
                    UnderflowRequested = false;
                }
            }
            return vcpu.Prune();
        }

        /// <summary>Turns the virtual interface off while no vCPU runs here (blocked or idle): nothing can be signalled.</summary>
        public void Disable(IEl2Port port)
        {
            port.WriteSystemRegister(SysReg.IchHcrEl2, 0);
            port.Charge(costs.IchAccessNs);
            UnderflowRequested = false;
        }

        private static void FoldOne(VirtualIrq irq, ulong lr)
        {
            lock(irq.Lock)
            {
                var stillPending = ListRegister.IsPending(lr);
                irq.Active = ListRegister.IsActive(lr);
                if(irq.IsLevel)
                {
                    if(!stillPending)
                    {
                        // Acknowledged: the software latch is consumed; the line level decides whether it pends again.
                        irq.PendingLatch = false;
                    }
                }
                else if(stillPending)
                {
                    irq.PendingLatch = true; // not acknowledged yet: the edge goes back to the distributor state
                }
            }
        }

        private readonly CostModel costs;
        private readonly VgicStats stats;
    }
}
