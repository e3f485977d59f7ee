// GICv4.1 vSGIs for a guest (IHI 0069 5.4.x "vSGIs", KVM's vgic_v4_configure_vsgis): a GICv3 guest that finds
// GICD_TYPER2.nASSGIcap = 1 may set GICD_CTLR.nASSGIreq (with both groups disabled) to have SGIs without an active
// state. Then the guest's SGIs stop being emulated through the ap_list and the list registers: the hypervisor
// configures each SGI of each vPE on the physical ITS with the VSGI command (enable, priority, group) whenever the
// guest changes it, a trapped ICC_SGI1R_EL1 write becomes a GITS_SGIR write (the GIC delivers it to a resident vPE
// directly, or rings the default doorbell of a non-resident one), and the guest's GICR_ISPENDR0 reads query the GIC
// through GICR_VSGIR/GICR_VSGIPENDR. Turning nASSGIreq off moves the pending vSGIs back into the emulated state.
namespace RenodeGic.VgicHost
{
    /// <summary>What a domain needs from its hypervisor to hand its SGIs to a GICv4.1 (null: emulated SGIs only).</summary>
    public interface IVsgiHost
    {
        /// <summary>
        /// VSGI: the GIC's copy of an SGI's enable, priority and group for the vPE of its vCPU (<paramref name="clear"/>
        /// drops a pending one, <paramref name="disable"/> disables it whatever the guest's enable).
        /// </summary>
        void ConfigureVsgi(VirtualIrq sgi, bool clear = false, bool disable = false);

        /// <summary>GITS_SGIR: makes the SGI pending at its vCPU's vPE.</summary>
        void SendVsgi(VirtualIrq sgi);

        /// <summary>GICR_VSGIR + GICR_VSGIPENDR: whether the SGI is pending at its vCPU's vPE.</summary>
        bool IsVsgiPending(VirtualIrq sgi);
    }

    internal static class HardwareSgis
    {
        /// <summary>GICD_CTLR.nASSGIreq changed: hand every SGI's state to the GIC, or take it back.</summary>
        public static void Switch(VgicDomain domain, bool hardware)
        {
            var host = domain.VsgiHost;
            if(host == null || domain.HardwareSgis == hardware)
            {
                return;
            }
            domain.HardwareSgis = hardware;
            foreach(var vcpu in domain.Vcpus)
            {
                for(var intid = 0; intid < 16; intid++)
                {
                    var sgi = vcpu.Private[intid];
                    if(hardware)
                    {
                        bool pending;
                        lock(sgi.Lock)
                        {
                            pending = sgi.PendingLatch;
                            sgi.PendingLatch = false;
                            sgi.Active = false; // vSGIs have no active state
                        }
                        host.ConfigureVsgi(sgi);
                        if(pending)
                        {
                            host.SendVsgi(sgi);
                        }
                    }
                    else
                    {
                        var pending = host.IsVsgiPending(sgi);
                        host.ConfigureVsgi(sgi, clear: true, disable: true); // the GIC's copy: disabled, not pending
                        lock(sgi.Lock)
                        {
                            sgi.PendingLatch = pending;
                        }
                        domain.QueueAndKick(sgi);
                    }
                }
            }
        }

        /// <summary>The guest changed an SGI's enable, priority or group: the GIC's copy follows.</summary>
        public static void OnConfigurationChanged(VgicDomain domain, VirtualIrq sgi)
        {
            if(domain.HardwareSgis && sgi.Intid < 16)
            {
                domain.VsgiHost!.ConfigureVsgi(sgi);
            }
        }
    }
}
