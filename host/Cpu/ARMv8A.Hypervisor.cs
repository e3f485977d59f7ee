// The seam for a hypervisor written in C# (vgic-host/): when ARMv8A.Hypervisor is set, exceptions that target
// EL2 while the guest runs at EL1/EL0 are handed to it instead of entering EL2 vectors, the way a hypervisor's
// exception handlers would receive them. The guest runs at EL1 with HCR_EL2 set by the hypervisor (IMO/FMO
// route physical interrupts to "EL2", TWI traps WFI), and the GIC's virtual CPU interface (ICH_*/ICV_*) serves
// the guest's ICC_* accesses. The hypervisor's own work is charged to the core as virtual time.
using System;
using RenodeGic.Host.Cpu;

namespace Antmicro.Renode.Peripherals.CPU
{
    /// <summary>What a C# hypervisor model receives from a core whose guest runs at EL1.</summary>
    public interface IEl2Handler
    {
        /// <summary>A physical IRQ (or FIQ) routed to EL2. Acknowledge it through the GIC inside <see cref="ARMv8A.AsEl2{T}"/>.</summary>
        void OnPhysicalInterrupt(ARMv8A cpu, bool fiq);

        /// <summary>HVC #imm from the guest; PC already points after it. x0..x7 are the arguments and results.</summary>
        void OnHypervisorCall(ARMv8A cpu, ushort immediate);

        /// <summary>WFI trapped by HCR_EL2.TWI; PC points at the WFI. Call <see cref="ARMv8A.SkipTrappedInstruction"/> and optionally <see cref="ARMv8A.BlockUntilInterrupt"/>.</summary>
        void OnWfiTrap(ARMv8A cpu);

        /// <summary>
        /// A system-register access trapped to EL2 (EC 0x18, e.g. ICC_SGI1R_EL1 or ICV_DIR_EL1 under ICH_HCR_EL2.TC/TDIR);
        /// PC points at the MRS/MSR. Return true when handled (emulate it and call <see cref="ARMv8A.SkipTrappedInstruction"/>);
        /// false enters the EL2 vector as hardware would.
        /// </summary>
        bool OnSystemRegisterTrap(ARMv8A cpu, ulong syndrome) => false;
    }

    public sealed unsafe partial class ARMv8A
    {
        /// <summary>A C# hypervisor playing EL2 for this core (null: EL2 exceptions enter the guest's EL2 vectors).</summary>
        public IEl2Handler? Hypervisor { get; set; }

        /// <summary>Exits to the hypervisor model, by cause.</summary>
        public ulong HypervisorInterruptExits { get; private set; }

        public ulong HypervisorCallExits { get; private set; }

        public ulong HypervisorWfiExits { get; private set; }

        /// <summary>Virtual time (ns) charged by the hypervisor model for its own work.</summary>
        public ulong HypervisorChargedNs { get; private set; }

        /// <summary>Sets HCR_EL2 on behalf of the hypervisor model (e.g. RW | IMO | FMO | TWI).</summary>
        public void SetHypervisorConfiguration(ulong value)
        {
            hcrEl2 = value;
            if(engine != IntPtr.Zero)
            {
                WriteCp(3, 4, 1, 1, 0, value);
            }
        }

        /// <summary>Runs <paramref name="access"/> with the core seen as executing at EL2 (GIC system registers as ICC_/ICH_).</summary>
        public T AsEl2<T>(Func<T> access)
        {
            var saved = elOverride;
            elOverride = 2;
            try
            {
                return access();
            }
            finally
            {
                elOverride = saved;
            }
        }

        /// <summary>Charges the hypervisor's work to this core: virtual time passes, the guest runs that much later.</summary>
        public void ChargeCycles(ulong nanoseconds)
        {
            HypervisorChargedNs += nanoseconds;
            sliceExecuted += nanoseconds;
        }

        /// <summary>Steps over the trapped instruction (a WFI the hypervisor emulated).</summary>
        public void SkipTrappedInstruction()
        {
            WriteRegister(Unicorn.RegPc, ReadRegister(Unicorn.RegPc) + 4);
        }

        /// <summary>Parks the core (the hypervisor's idle loop) until a physical IRQ or FIQ, which is taken at EL2, arrives.</summary>
        public void BlockUntilInterrupt()
        {
            State = CpuState.WaitingForInterrupt;
            parkedByHypervisor = true;
        }

        /// <summary>Hands an exception that targets EL2 to the hypervisor model; false when there is none.</summary>
        private bool DispatchToHypervisor(HypervisorExit exit, bool fiq = false, ushort immediate = 0)
        {
            var handler = Hypervisor;
            if(handler == null)
            {
                return false;
            }
            switch(exit)
            {
            case HypervisorExit.Interrupt:
                HypervisorInterruptExits++;
                handler.OnPhysicalInterrupt(this, fiq);
                break;
            case HypervisorExit.Call:
                HypervisorCallExits++;
                handler.OnHypervisorCall(this, immediate);
                break;
            case HypervisorExit.Wfi:
                HypervisorWfiExits++;
                handler.OnWfiTrap(this);
                break;
            }
            return true;
        }

        /// <summary>Offers a trapped system-register access to the hypervisor model; false when it declines.</summary>
        private bool DispatchSystemRegisterTrap(ulong syndrome)
        {
            var handler = Hypervisor;
            if(handler == null || !handler.OnSystemRegisterTrap(this, syndrome))
            {
                return false;
            }
            HypervisorSystemRegisterExits++;
            return true;
        }

        public ulong HypervisorSystemRegisterExits { get; private set; }

        private enum HypervisorExit
        {
            Interrupt,
            Call,
            Wfi,
        }

        private int? elOverride;
    }
}
