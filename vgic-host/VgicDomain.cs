// A guest ("domain"): its vCPUs, its shared interrupts (SPIs) and LPIs, the virtual distributor state, and the
// injection interface the hypervisor and the emulated devices use. Interrupt state lives here and on the
// vCPUs' ap_lists; the list registers are only a cache of the ap_list heads while a vCPU runs.
using System;
using System.Collections.Generic;

namespace RenodeGic.VgicHost
{
    /// <summary>How device MSIs reach the guest.</summary>
    public enum InjectionMode
    {
        /// <summary>GICv3: every LPI is taken by the hypervisor and injected through the ap_list and the list registers.</summary>
        V3,
        /// <summary>GICv4.0: direct injection to resident vPEs, per-event doorbells, the proxy device for doorbell invalidation.</summary>
        V40,
        /// <summary>GICv4.1: direct injection with one default doorbell per vPE (needs a GICv4.1 physical ITS).</summary>
        V41,
    }

    /// <summary>What the hypervisor does with a guest's WFI (HCR_EL2.TWI).</summary>
    public enum WfiPolicy
    {
        /// <summary>Trap every WFI and block the vCPU until an interrupt arrives for it.</summary>
        Trap,
        /// <summary>Let WFI run natively (TWI clear): the physical CPU waits in the guest.</summary>
        Native,
        /// <summary>Trap only while other vCPUs wait for this physical CPU.</summary>
        Adaptive,
    }

    /// <summary>What the domain needs from the hypervisor that runs it.</summary>
    public interface IVgicHost
    {
        /// <summary>Runs <paramref name="emulate"/> as a trapped access of the current vCPU: exit, fold, emulate, flush, entry.</summary>
        T Trap<T>(ExitCause cause, Func<VgicVcpu?, T> emulate);

        /// <summary>New interrupts were queued for <paramref name="vcpu"/>: make it look at its ap_list soon.</summary>
        void Kick(VgicVcpu vcpu);
    }

    public sealed class VgicDomain
    {
        public VgicDomain(string name, int vcpuCount, int numberOfSpis = 224, InjectionMode mode = InjectionMode.V3, WfiPolicy wfi = WfiPolicy.Trap)
        {
            if(vcpuCount < 1 || vcpuCount > 16)
            {
                throw new ArgumentOutOfRangeException(nameof(vcpuCount), "1..16 vCPUs");
            }
            if(numberOfSpis < 32 || numberOfSpis > 988 || numberOfSpis % 32 != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(numberOfSpis), "a multiple of 32 between 32 and 988");
            }
            Name = name;
            Mode = mode;
            Wfi = wfi;
            Stats = new VgicStats();
            var vcpus = new VgicVcpu[vcpuCount];
            for(var i = 0; i < vcpuCount; i++)
            {
                vcpus[i] = new VgicVcpu(this, i) { PhysicalCpu = i };
            }
            Vcpus = vcpus;
            Spis = new VirtualIrq[numberOfSpis];
            for(var i = 0; i < numberOfSpis; i++)
            {
                Spis[i] = new VirtualIrq((uint)(32 + i), vcpus[0]);
            }
        }

        public string Name { get; }

        public InjectionMode Mode { get; }

        public WfiPolicy Wfi { get; set; }

        public VgicStats Stats { get; }

        public IReadOnlyList<VgicVcpu> Vcpus { get; }

        public VirtualIrq[] Spis { get; }

        public IVgicHost? Host { get; set; }

        /// <summary>The hypervisor's GICv4.1 vSGI support (null: SGIs are always emulated; GICD_TYPER2.nASSGIcap = 0).</summary>
        public IVsgiHost? VsgiHost { get; set; }

        /// <summary>GICD_CTLR.nASSGIreq: the guest's SGIs are GICv4.1 vSGIs without an active state (HardwareSgis.cs).</summary>
        public bool HardwareSgis { get; internal set; }

        /// <summary>The guest's emulated ITS (null: no ITS).</summary>
        public VirtualIts? Its { get; set; }

        /// <summary>Added to the guest's DeviceIDs on the physical ITS (domains own disjoint DeviceID ranges).</summary>
        public uint DeviceIdBase { get; set; }

        /// <summary>Where vCPU 0 starts (every domain but the first: the first boots on CPU 0's own entry).</summary>
        public ulong EntryPoint { get; set; }

        /// <summary>Every vCPU is off (PSCI SYSTEM_OFF, or all called CPU_OFF).</summary>
        public bool IsOff
        {
            get
            {
                foreach(var vcpu in Vcpus)
                {
                    if(vcpu.State != VcpuState.Off)
                    {
                        return false;
                    }
                }
                return true;
            }
        }

        /// <summary>GICD_CTLR.EnableGrp0 / EnableGrp1 of the virtual distributor.</summary>
        public bool Group0Enabled { get; set; }

        public bool Group1Enabled { get; set; }

        public bool IsGroupEnabled(int group) => group == 0 ? Group0Enabled : Group1Enabled;

        /// <summary>Whether the guest has an ITS (GICD_TYPER.LPIS, GICR_TYPER.PLPIS).</summary>
        public bool HasLpis { get; internal set; }

        /// <summary>A virtual interrupt was made pending (edge, MSI or software pend): a probe for traces.</summary>
        public event Action<VirtualIrq>? InterruptPended;

        public IReadOnlyDictionary<uint, VirtualIrq> Lpis => lpis;

        public VgicVcpu? FindVcpuByAffinity(ulong affinity)
        {
            foreach(var vcpu in Vcpus)
            {
                if(vcpu.Affinity == (affinity & 0xFF_00FF_FFFFUL))
                {
                    return vcpu;
                }
            }
            return null;
        }

        /// <summary>The interrupt <paramref name="intid"/> as seen by <paramref name="vcpu"/> (private ones are banked), or null.</summary>
        public VirtualIrq? GetIrq(VgicVcpu? vcpu, uint intid)
        {
            if(intid < 32)
            {
                return vcpu?.Private[intid];
            }
            if(intid < 32 + (uint)Spis.Length)
            {
                return Spis[intid - 32];
            }
            if(intid >= 8192 && lpis.TryGetValue(intid, out var lpi))
            {
                return lpi;
            }
            return null;
        }

        /// <summary>Creates (or returns) the vLPI <paramref name="intid"/> targeting <paramref name="target"/>.</summary>
        public VirtualIrq GetOrCreateLpi(uint intid, VgicVcpu? target)
        {
            if(!lpis.TryGetValue(intid, out var irq))
            {
                irq = new VirtualIrq(intid, target) { IsLevel = false, Group = 1 };
                lpis[intid] = irq;
            }
            return irq;
        }

        public void RemoveLpi(uint intid)
        {
            if(lpis.TryGetValue(intid, out var irq))
            {
                lock(irq.Lock)
                {
                    irq.PendingLatch = false;
                    irq.Enabled = false;
                    irq.Target = null;
                }
                lpis.Remove(intid);
            }
        }

        /// <summary>An edge (or MSI, or software pend) of <paramref name="irq"/>: latch it pending and queue it.</summary>
        public void InjectEdge(VirtualIrq irq, ulong nowNs = 0)
        {
            lock(irq.Lock)
            {
                irq.PendingLatch = true;
                irq.PendingSinceNs = nowNs;
            }
            Stats.VirtualInterruptsInjected++;
            InterruptPended?.Invoke(irq);
            QueueAndKick(irq);
        }

        /// <summary>Drives the input level of a level-sensitive virtual interrupt.</summary>
        public void SetLevel(VirtualIrq irq, bool level)
        {
            lock(irq.Lock)
            {
                irq.LineLevel = level;
            }
            if(level)
            {
                Stats.VirtualInterruptsInjected++;
                QueueAndKick(irq);
            }
        }

        /// <summary>Queues <paramref name="irq"/> if it now belongs on an ap_list and kicks the vCPU holding it.</summary>
        public void QueueAndKick(VirtualIrq irq)
        {
            var vcpu = VgicVcpu.Queue(irq);
            if(vcpu != null)
            {
                Host?.Kick(vcpu);
            }
        }

        /// <summary>Changes the vCPU an interrupt targets; the ap_list holding it moves it at its next fold.</summary>
        public void Retarget(VirtualIrq irq, VgicVcpu? target)
        {
            VgicVcpu? holder;
            lock(irq.Lock)
            {
                if(irq.Target == target)
                {
                    return;
                }
                irq.Target = target;
                holder = irq.QueuedOn;
            }
            if(holder != null)
            {
                Host?.Kick(holder);
            }
            else
            {
                QueueAndKick(irq);
            }
        }

        /// <summary>Re-routes an SPI after GICD_IROUTER changed (IRM = 1: the first vCPU).</summary>
        internal void RouteSpi(VirtualIrq irq, ulong route)
        {
            irq.Route = route & 0xFF_80FF_FFFFUL;
            var target = (route & (1UL << 31)) != 0 ? Vcpus[0] : FindVcpuByAffinity(((route >> 8) & 0xFF_0000_0000UL) | (route & 0xFF_FFFF));
            Retarget(irq, target);
            SpiRouted?.Invoke(irq);
        }

        /// <summary>The guest routed an SPI to another vCPU (GICD_IROUTER): a passed-through one follows it physically.</summary>
        public event Action<VirtualIrq>? SpiRouted;

        private readonly Dictionary<uint, VirtualIrq> lpis = new Dictionary<uint, VirtualIrq>();
    }
}
