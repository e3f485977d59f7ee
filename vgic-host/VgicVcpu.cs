// One virtual CPU of a domain: its private interrupts (SGIs, PPIs), its ap_list and the bookkeeping of the list
// registers it last used. The ap_list (seed 001/003, the new VGIC) holds every interrupt that is pending and
// enabled, or active, for this vCPU, kept sorted: active ones first (the guest and the GIC expect them to stay
// until deactivated), then by priority (highest first, lowest INTID on a tie), so that the first N entries are
// exactly what goes into N list registers.
//
// Locking (modelled, the simulation itself is single-threaded): ApListLock, then an IRQ's Lock. Queue() takes the
// IRQ lock to find the target, drops it, takes target's ap_list lock then the IRQ lock again and re-checks that
// nothing changed (else retries); Prune() moves IRQs whose target changed by taking both ap_list locks in vCPU id
// order. That is what keeps a vCPU migration or an affinity change racing with an injection correct.
using System;
using System.Collections.Generic;
using Antmicro.Renode.Peripherals.CPU;

namespace RenodeGic.VgicHost
{
    public enum VcpuState
    {
        /// <summary>Not started (waiting for PSCI CPU_ON).</summary>
        Off,
        /// <summary>Runnable: running guest code (or in the hypervisor on its behalf), or waiting for its physical CPU.</summary>
        Running,
        /// <summary>Blocked in a trapped WFI until an interrupt arrives for it.</summary>
        Blocked,
    }

    public sealed class VgicVcpu
    {
        public VgicVcpu(VgicDomain domain, int id)
        {
            Domain = domain;
            Id = id;
            Affinity = ((ulong)(uint)(id / 16) << 8) | (uint)(id % 16);
            Private = new VirtualIrq[32];
            for(var i = 0; i < 32; i++)
            {
                Private[i] = new VirtualIrq((uint)i, this) { IsLevel = false };
            }
        }

        public VgicDomain Domain { get; }

        public int Id { get; }

        /// <summary>MPIDR affinity (Aff1 = id / 16, Aff0 = id % 16, as the host's cores).</summary>
        public ulong Affinity { get; }

        public VcpuState State { get; internal set; }

        /// <summary>The physical CPU (GIC processor number) this vCPU runs on.</summary>
        public int PhysicalCpu { get; internal set; }

        public VirtualIrq[] Private { get; }

        public object ApListLock { get; } = new object();

        public IReadOnlyList<VirtualIrq> ApList => apList;

        /// <summary>How many list registers the last flush filled (the fold reads back only these).</summary>
        public int UsedListRegisters { get; internal set; }

        /// <summary>The IRQ each used list register holds.</summary>
        internal VirtualIrq?[] ListRegisterContents { get; set; } = Array.Empty<VirtualIrq?>();

        /// <summary>GICv4: the vPE of this vCPU (null in GICv3 mode).</summary>
        public VirtualPe? Vpe { get; internal set; }

        // ---- World-switch state (saved while another vCPU runs on the physical CPU; see WorldSwitch) ----

        /// <summary>The guest's EL1 context while it is not loaded on a core (null: never started, or loaded now).</summary>
        public GuestEl1Context? SavedContext { get; internal set; }

        /// <summary>ICH_VMCR_EL2, ICH_AP0R0_EL2 and ICH_AP1R0_EL2 of this vCPU's virtual CPU interface.</summary>
        internal ulong SavedVmcr { get; set; }

        internal ulong SavedAp0r { get; set; }

        internal ulong SavedAp1r { get; set; }

        /// <summary>Which of the guest timer PPIs were physically active (the guest in its handler, HW-mapped) when switched out, by INTID bit.</summary>
        internal uint TimersPhysicallyActive { get; set; }

        /// <summary>Whether this vCPU's context is in its physical CPU's core now (running, or blocked there while the core idles).</summary>
        public bool Loaded { get; internal set; }

        /// <summary>A migration to this physical CPU is waiting for the vCPU to be switched out.</summary>
        public int? MigrationTarget { get; internal set; }

        /// <summary>Times this vCPU was switched in, and moved to another physical CPU.</summary>
        public long SwitchIns { get; internal set; }

        public long Migrations { get; internal set; }

        // ---- Virtual redistributor state ----
        internal bool ProcessorSleep { get; set; } = true;

        internal bool EnableLpis { get; set; }

        internal ulong PropBaser { get; set; }

        internal ulong PendBaser { get; set; }

        /// <summary>Whether any interrupt on the ap_list could be delivered (pending and enabled).</summary>
        public bool HasPendingInterrupt()
        {
            lock(ApListLock)
            {
                foreach(var irq in apList)
                {
                    lock(irq.Lock)
                    {
                        if(irq.Pending && irq.Enabled)
                        {
                            return true;
                        }
                    }
                }
            }
            return false;
        }

        /// <summary>
        /// Puts <paramref name="irq"/> on its target's ap_list if it should be there and is not yet (vgic_queue_irq_unlock).
        /// Returns the vCPU that got it (to be kicked), or null.
        /// </summary>
        public static VgicVcpu? Queue(VirtualIrq irq)
        {
            for(var attempt = 0; attempt < 16; attempt++)
            {
                VgicVcpu? target;
                lock(irq.Lock)
                {
                    if(irq.QueuedOn != null)
                    {
                        // Already listed: the vCPU holding it only needs a kick if the state change matters there.
                        return irq.QueuedOn;
                    }
                    if(!irq.ShouldBeListed || irq.Target == null)
                    {
                        return null;
                    }
                    target = irq.Target;
                }
                lock(target.ApListLock)
                {
                    lock(irq.Lock)
                    {
                        if(irq.QueuedOn != null || irq.Target != target || !irq.ShouldBeListed)
                        {
                            continue; // changed while no lock was held: look again
                        }
                        target.InsertSorted(irq);
                        irq.QueuedOn = target;
                        return target;
                    }
                }
            }
            throw new InvalidOperationException($"{irq}: could not be queued (target keeps changing)");
        }

        /// <summary>
        /// Drops what no longer belongs on the ap_list and moves IRQs whose target changed to the new vCPU
        /// (vgic_prune_ap_list). Returns the vCPUs that received IRQs.
        /// </summary>
        public List<VgicVcpu> Prune()
        {
            var moved = new List<(VirtualIrq Irq, VgicVcpu To)>();
            lock(ApListLock)
            {
                for(var i = apList.Count - 1; i >= 0; i--)
                {
                    var irq = apList[i];
                    lock(irq.Lock)
                    {
                        if(!irq.ShouldBeListed || irq.Target == null)
                        {
                            apList.RemoveAt(i);
                            irq.QueuedOn = null;
                        }
                        else if(irq.Target != this)
                        {
                            moved.Add((irq, irq.Target));
                        }
                    }
                }
            }
            var kicked = new List<VgicVcpu>();
            foreach(var (irq, to) in moved)
            {
                var first = Id < to.Id ? this : to;
                var second = Id < to.Id ? to : this;
                lock(first.ApListLock)
                {
                    lock(second.ApListLock)
                    {
                        lock(irq.Lock)
                        {
                            if(irq.QueuedOn != this || irq.Target != to)
                            {
                                continue; // someone else handled it meanwhile
                            }
                            apList.Remove(irq);
                            if(irq.ShouldBeListed)
                            {
                                to.InsertSorted(irq);
                                irq.QueuedOn = to;
                                if(!kicked.Contains(to))
                                {
                                    kicked.Add(to);
                                }
                            }
                            else
                            {
                                irq.QueuedOn = null;
                            }
                        }
                    }
                }
            }
            return kicked;
        }

        /// <summary>Re-sorts the ap_list after states changed (the fold can make a pending IRQ active).</summary>
        public void SortApList()
        {
            lock(ApListLock)
            {
                // Insertion sort: stable, and the list is nearly sorted (short, few changes per exit).
                for(var i = 1; i < apList.Count; i++)
                {
                    var item = apList[i];
                    var j = i - 1;
                    while(j >= 0 && Compare(apList[j], item) > 0)
                    {
                        apList[j + 1] = apList[j];
                        j--;
                    }
                    apList[j + 1] = item;
                }
            }
        }

        /// <summary>ap_list order: active first, then pending-and-enabled before the rest, then priority, then INTID.</summary>
        public static int Compare(VirtualIrq a, VirtualIrq b)
        {
            if(a.Active != b.Active)
            {
                return a.Active ? -1 : 1;
            }
            var aReady = a.Pending && a.Enabled;
            var bReady = b.Pending && b.Enabled;
            if(aReady != bReady)
            {
                return aReady ? -1 : 1;
            }
            if(a.Priority != b.Priority)
            {
                return a.Priority.CompareTo(b.Priority);
            }
            return a.Intid.CompareTo(b.Intid);
        }

        public override string ToString() => $"vCPU{Id} of {Domain.Name}";

        private void InsertSorted(VirtualIrq irq)
        {
            var index = apList.Count;
            while(index > 0 && Compare(apList[index - 1], irq) > 0)
            {
                index--;
            }
            apList.Insert(index, irq);
        }

        private readonly List<VirtualIrq> apList = new List<VirtualIrq>();
    }
}
