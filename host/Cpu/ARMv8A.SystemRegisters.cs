// System registers the host serves instead of Unicorn (notes/unicorn-aarch64.md §5): the GIC CPU
// interface (forwarded to the GIC), the generic timer (virtual time), MPIDR/VMPIDR (one engine per core
// would otherwise report the same MPIDR everywhere) and ID_AA64PFR0_EL1.GIC. Only for registers QEMU does
// not implement (the GIC's) does the hook step over the instruction itself. Encodings use Renode's
// layout: op0 << 14 | op1 << 11 | CRn << 7 | CRm << 3 | op2.
using Antmicro.Renode.Peripherals.IRQControllers;
using RenodeGic.Host.Cpu;

namespace Antmicro.Renode.Peripherals.CPU
{
    public sealed unsafe partial class ARMv8A
    {
        public static uint Encode(uint op0, uint op1, uint crn, uint crm, uint op2) => (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;

        private static readonly uint MpidrEl1 = Encode(3, 0, 0, 0, 5);
        private static readonly uint VmpidrEl2 = Encode(3, 4, 0, 0, 5);
        private static readonly uint IdAa64Pfr0El1 = Encode(3, 0, 0, 4, 0);
        private static readonly uint HcrEl2 = Encode(3, 4, 1, 1, 0);

        private static uint Encode(Unicorn.CpReg* cp) => Encode(cp->Op0, cp->Op1, cp->Crn, cp->Crm, cp->Op2);

        // ICC_*, ICH_*, ICV_*: op0 = 3, CRn = 12, CRm 8..15 (VBAR_ELx and friends share CRn 12 with CRm 0..1),
        // plus ICC_PMR_EL1 / ICV_PMR_EL1 at op0 = 3, op1 = 0, CRn = 4, CRm = 6, op2 = 0.
        private static bool IsGicRegister(Unicorn.CpReg* cp) =>
            cp->Op0 == 3 && ((cp->Crn == 12 && cp->Crm >= 8) || (cp->Crn == 4 && cp->Crm == 6 && cp->Op1 == 0 && cp->Op2 == 0));

        private static bool IsTimerRegister(Unicorn.CpReg* cp) => cp->Op0 == 3 && cp->Crn == 14;

        private bool HandleMrs(int reg, Unicorn.CpReg* cp)
        {
            ulong value;
            var encoding = Encode(cp);
            var qemuKnowsIt = true;
            if(IsGicRegister(cp))
            {
                if(gicAdapter == null)
                {
                    return false; // UNDEFINED: Unicorn raises the exception
                }
                switch(gicAdapter.Gic.ReadSystemRegister(gicAdapter.ProcessorNumber, encoding, out value))
                {
                case GicSystemRegisterAccessResult.Undefined:
                    return false;
                case GicSystemRegisterAccessResult.TrapToEl2:
                    TrapSystemRegisterAccess(encoding, isRead: true);
                    return true;
                }
                qemuKnowsIt = false;
            }
            else if(IsTimerRegister(cp))
            {
                if(!Timer.TryRead(encoding, ExceptionLevel, out value))
                {
                    return false;
                }
            }
            else if(encoding == MpidrEl1)
            {
                value = ExceptionLevel >= 2 ? MultiprocessorId : vmpidr;
            }
            else if(encoding == VmpidrEl2)
            {
                if(ExceptionLevel < 2)
                {
                    return false;
                }
                value = vmpidr;
            }
            else if(encoding == IdAa64Pfr0El1)
            {
                // EL0..EL3 AArch64-only (0x2222), FP and AdvSIMD implemented; GIC system registers when a GIC is attached:
                // 1 (GICv3.0/4.0), 3 (GICv4.1), as the GIC says.
                var gicField = gic is ArmGicV3 armGic ? (ulong)armGic.SystemRegisterInterfaceVersion : gic != null ? 1UL : 0;
                value = 0x2222UL | (gicField << 24);
            }
            else
            {
                return false;
            }
            if(reg != Unicorn.RegXzr)
            {
                WriteRegister(reg, value);
            }
            if(!qemuKnowsIt)
            {
                SkipInstruction();
            }
            return true;
        }

        private bool HandleMsr(Unicorn.CpReg* cp)
        {
            var encoding = Encode(cp);
            if(IsGicRegister(cp))
            {
                if(gicAdapter == null)
                {
                    return false;
                }
                switch(gicAdapter.Gic.WriteSystemRegister(gicAdapter.ProcessorNumber, encoding, cp->Value))
                {
                case GicSystemRegisterAccessResult.Undefined:
                    return false;
                case GicSystemRegisterAccessResult.TrapToEl2:
                    TrapSystemRegisterAccess(encoding, isRead: false);
                    return true;
                }
                // Registers QEMU does not know would be UNDEFINED after the hook: step over the MSR ourselves.
                SkipInstruction();
                return true;
            }
            if(IsTimerRegister(cp))
            {
                if(!Timer.TryWrite(encoding, ExceptionLevel, cp->Value))
                {
                    return false;
                }
            }
            else if(encoding == HcrEl2)
            {
                if(ExceptionLevel >= 2)
                {
                    hcrEl2 = cp->Value;
                }
                return false; // let Unicorn perform the write (or raise UNDEFINED below EL2)
            }
            else if(encoding == VmpidrEl2)
            {
                if(ExceptionLevel < 2)
                {
                    return false;
                }
                vmpidr = cp->Value;
            }
            else
            {
                return false;
            }
            // QEMU implements these registers: returning 1 makes Unicorn skip its own access and step over
            // the instruction; moving PC here as well would skip the next instruction too.
            return true;
        }

        /// <summary>
        /// ICH_HCR_EL2.TC/TALL0/TALL1/TDIR trap of an ICV access (IHI 0069 §11.2), or an EL1 SGI register write under
        /// HCR_EL2.IMO/FMO: an exception to EL2 with EC 0x18 and ELR_EL2 = the MRS/MSR itself.
        /// </summary>
        private void TrapSystemRegisterAccess(uint encoding, bool isRead)
        {
            var pc = ReadRegister(Unicorn.RegPc);
            var rt = (int)(ReadInstruction(pc) & 0x1F);
            var syndrome = GicSystemRegisterTrap.Syndrome(encoding, rt, isRead);
            // Taken here, inside the hook, while the registers are those of the trapped instruction: a stop requested
            // from a hook that also moves PC is not honoured by Unicorn, so a deferred exception would see the guest's
            // later state. A C# hypervisor emulates the access (and moves PC past it); otherwise the exception enters
            // the EL2 vector through the trampoline, which Unicorn follows from a hook (notes/unicorn-aarch64.md §3).
            if(Hypervisor != null && ExceptionLevel < 2 && DispatchSystemRegisterTrap(syndrome))
            {
                return;
            }
            EnterException(2, 0x000, pc, syndrome, null);
        }

        private void SkipInstruction()
        {
            WriteRegister(Unicorn.RegPc, ReadRegister(Unicorn.RegPc) + 4);
        }
    }
}
