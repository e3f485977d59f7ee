// One virtual interrupt of a domain (the new VGIC's struct vgic_irq): its configuration and state, the vCPU it
// targets, and the ap_list it is queued on. Every field is protected by Lock; the lock order is
// "ap_list lock of a vCPU, then the IRQ's lock" (two ap_list locks: lower vCPU id first), which is what makes a
// retarget racing with an injection safe (VgicVcpu.Queue, VgicVcpu.Prune).
namespace RenodeGic.VgicHost
{
    public sealed class VirtualIrq
    {
        public VirtualIrq(uint intid, VgicVcpu? target)
        {
            Intid = intid;
            Target = target;
            IsLevel = intid >= 16 && intid < 8192 && intid >= 32; // SPIs reset level-sensitive; SGIs edge; PPIs set by the owner
            Group = 1;
        }

        public uint Intid { get; }

        public object Lock { get; } = new object();

        /// <summary>The vCPU this interrupt is delivered to (null: an SPI routed nowhere, an unmapped LPI).</summary>
        public VgicVcpu? Target { get; set; }

        /// <summary>The vCPU whose ap_list holds this interrupt, or null.</summary>
        public VgicVcpu? QueuedOn { get; set; }

        public int Priority { get; set; }

        public int Group { get; set; }

        public bool Enabled { get; set; }

        public bool IsLevel { get; set; }

        /// <summary>Software or edge pending state (GICD_ISPENDR, an edge, an MSI).</summary>
        public bool PendingLatch { get; set; }

        /// <summary>Input level of a level-sensitive interrupt (re-sampled after the guest's EOI).</summary>
        public bool LineLevel { get; set; }

        public bool Active { get; set; }

        /// <summary>Mapped to a physical interrupt (ICH_LR.HW = 1): the guest's deactivation deactivates <see cref="HardwareIntid"/>.</summary>
        public bool Hardware { get; set; }

        public int HardwareIntid { get; set; }

        /// <summary>GICD_IROUTER value (SPIs).</summary>
        public ulong Route { get; set; }

        public bool IsLpi => Intid >= 8192;

        public bool IsPrivate => Intid < 32;

        public bool Pending => IsLevel ? LineLevel || PendingLatch : PendingLatch;

        /// <summary>Whether it belongs on an ap_list: pending and enabled, or active.</summary>
        public bool ShouldBeListed => (Pending && Enabled) || Active;

        /// <summary>Virtual time at which it was last made pending (latency accounting), 0 if unknown.</summary>
        public ulong PendingSinceNs { get; set; }

        public override string ToString() => $"vINTID {Intid}{(Pending ? " P" : "")}{(Active ? " A" : "")}{(Enabled ? "" : " disabled")} prio 0x{Priority:X2}";
    }
}
