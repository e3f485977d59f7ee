// Exception entry performed by the host (Arm ARM D1.10, "Exception entry"): Unicorn 2.0.1 reports
// synchronous exceptions to a hook without taking them and has no physical IRQ/FIQ input, so the host
// writes SPSR_ELx / ELR_ELx / ESR_ELx / FAR_ELx itself and changes EL with an ERET trampoline
// (notes/unicorn-aarch64.md §2-§3). PSCI (DEN0022) is served here as the machine's EL3 firmware.
using System;
using Antmicro.Renode.Logging;
using RenodeGic.Host.Cpu;

namespace Antmicro.Renode.Peripherals.CPU
{
    public sealed unsafe partial class ARMv8A
    {
        // Exception classes (ESR_ELx.EC) the host generates.
        private const uint EcUnknown = 0x00;
        private const uint EcWfiWfe = 0x01;
        private const uint EcSvc64 = 0x15;
        private const uint EcHvc64 = 0x16;
        private const uint EcSmc64 = 0x17;
        private const uint EcInstructionAbortLower = 0x20;
        private const uint EcInstructionAbortSame = 0x21;
        private const uint EcDataAbortLower = 0x24;
        private const uint EcDataAbortSame = 0x25;
        private const uint EcBrk64 = 0x3C;
        private const ulong EsrIl = 1UL << 25;

        // HCR_EL2 bits used for routing.
        private const ulong HcrFmo = 1UL << 3;
        private const ulong HcrImo = 1UL << 4;
        private const ulong HcrTge = 1UL << 27;
        private const ulong HcrTwi = 1UL << 13;

        /// <summary>Whether HVC from EL1 is a PSCI call to the host (no EL2 software) or an exception to EL2.</summary>
        private bool HvcIsPsci => BootExceptionLevel == 1;

        private void OnUnicornException(uint intno)
        {
            var pc = ReadRegister(Unicorn.RegPc);
            var el = (int)((ReadRegister(Unicorn.RegPstate) >> 2) & 3);
            switch(intno)
            {
            case 2: // SVC, PC = preferred return address (+4)
                Pend(new SyncException(el == 2 ? 2 : 1, (EcSvc64 << 26) | EsrIl | Imm16At(pc - 4), pc, null));
                break;
            case 11: // HVC
                if(Hypervisor != null && el < 2)
                {
                    Pend(new SyncException(2, (EcHvc64 << 26) | EsrIl | Imm16At(pc - 4), pc, null));
                }
                else if(HvcIsPsci && el == 1)
                {
                    Psci.Handle(this);
                }
                else
                {
                    Pend(new SyncException(2, (EcHvc64 << 26) | EsrIl | Imm16At(pc - 4), pc, null));
                }
                break;
            case 13: // SMC: the host is EL3 firmware
                Psci.Handle(this);
                break;
            case 12: // SMC trapped to EL2 by HCR_EL2.TSC (PC = the SMC)
                Pend(new SyncException(2, (EcSmc64 << 26) | EsrIl | Imm16At(pc), pc, null));
                break;
            case 1 when el < 2 && (hcrEl2 & HcrTwi) != 0 && ReadInstruction(pc) == WfiInstruction:
                // WFI trapped by HCR_EL2.TWI: EC 0x01 with CV = 1, COND = AL, TI = 0 (WFI).
                Pend(new SyncException(2, (EcWfiWfe << 26) | EsrIl | (1UL << 24) | (0xEUL << 20), pc, null));
                break;
            case 1: // undefined instruction, or a system register that does not exist / is not accessible here
                Pend(new SyncException(el == 0 ? 1 : el, (EcUnknown << 26) | EsrIl, pc, null));
                break;
            case 7: // BRK
                Pend(new SyncException(el == 0 ? 1 : el, (EcBrk64 << 26) | EsrIl | Imm16At(pc), pc, null));
                break;
            default:
                hookException ??= new InvalidOperationException($"exception {intno} at 0x{pc:X} is not supported by the host (e.g. an MMU fault)");
                RequestStop(StopReason.Machine);
                break;
            }
        }

        private void Pend(SyncException e)
        {
            pendingSync = e;
            RequestStop(StopReason.Exception);
        }

        private void HandlePendingException()
        {
            if(pendingSync is SyncException e)
            {
                pendingSync = null;
                var el = (int)((ReadRegister(Unicorn.RegPstate) >> 2) & 3);
                if(e.TargetEl == 2 && el < 2 && Hypervisor != null)
                {
                    var ec = (uint)(e.Syndrome >> 26);
                    if(ec == EcHvc64 && DispatchToHypervisor(HypervisorExit.Call, immediate: (ushort)e.Syndrome))
                    {
                        return;
                    }
                    if(ec == EcWfiWfe && DispatchToHypervisor(HypervisorExit.Wfi))
                    {
                        return;
                    }
                }
                EnterException(e.TargetEl, 0x000, e.ReturnPc, e.Syndrome, e.FaultAddress);
            }
        }

        /// <summary>Takes FIQ or IRQ if a line is raised and the routing and masking rules allow it.</summary>
        private void TryTakeInterrupt()
        {
            if(!lines[0] && !lines[1] && !lines[2] && !lines[3])
            {
                return;
            }
            var pstate = ReadRegister(Unicorn.RegPstate);
            var el = (int)((pstate >> 2) & 3);
            if(lines[1] && TryRoute(pstate, el, HcrFmo, 1UL << 6, out var fiqTarget))
            {
                InterruptsTaken++;
                if(!(fiqTarget == 2 && el < 2 && DispatchToHypervisor(HypervisorExit.Interrupt, fiq: true)))
                {
                    EnterException(fiqTarget, 0x100, ReadRegister(Unicorn.RegPc), null, null);
                }
            }
            else if(lines[0] && TryRoute(pstate, el, HcrImo, 1UL << 7, out var irqTarget))
            {
                InterruptsTaken++;
                if(!(irqTarget == 2 && el < 2 && DispatchToHypervisor(HypervisorExit.Interrupt)))
                {
                    EnterException(irqTarget, 0x080, ReadRegister(Unicorn.RegPc), null, null);
                }
            }
            else if(lines[3] && VirtualDeliverable(pstate, el, HcrFmo, 1UL << 6))
            {
                VirtualInterruptsTaken++;
                EnterException(1, 0x100, ReadRegister(Unicorn.RegPc), null, null);
            }
            else if(lines[2] && VirtualDeliverable(pstate, el, HcrImo, 1UL << 7))
            {
                VirtualInterruptsTaken++;
                EnterException(1, 0x080, ReadRegister(Unicorn.RegPc), null, null);
            }
        }

        // Arm ARM D1.3.6: a virtual IRQ/FIQ (from the GIC's virtual CPU interface) is taken at EL1 when the core
        // is at EL1 or EL0, HCR_EL2.IMO/FMO routes the physical kind to EL2, TGE is clear and PSTATE does not mask it.
        private bool VirtualDeliverable(ulong pstate, int el, ulong hcrRoutingBit, ulong maskBit)
        {
            return el <= 1 && (hcrEl2 & hcrRoutingBit) != 0 && (hcrEl2 & HcrTge) == 0 && (pstate & maskBit) == 0;
        }

        /// <summary>Whether a raised IRQ or FIQ line would be taken at the current PSTATE.</summary>
        private bool CanTakeInterruptNow()
        {
            var pstate = ReadRegister(Unicorn.RegPstate);
            var el = (int)((pstate >> 2) & 3);
            return (lines[1] && TryRoute(pstate, el, HcrFmo, 1UL << 6, out _))
                || (lines[0] && TryRoute(pstate, el, HcrImo, 1UL << 7, out _))
                || (lines[3] && VirtualDeliverable(pstate, el, HcrFmo, 1UL << 6))
                || (lines[2] && VirtualDeliverable(pstate, el, HcrImo, 1UL << 7));
        }

        // Arm ARM D1.3.6 (routing) and D1.3.7 (masking) for Non-secure state with EL2 present:
        // to EL2 when HCR_EL2.{IMO|FMO} or TGE is set, else to EL1; an interrupt for a lower EL than the
        // current one is not taken; one for a higher EL ignores PSTATE masks; one for the current EL obeys them.
        private bool TryRoute(ulong pstate, int el, ulong hcrRoutingBit, ulong maskBit, out int target)
        {
            target = (hcrEl2 & (hcrRoutingBit | HcrTge)) != 0 ? 2 : 1;
            if(target < el)
            {
                return false;
            }
            if(target == el || (target == 1 && el == 0))
            {
                return (pstate & maskBit) == 0;
            }
            return true;
        }

        /// <summary>
        /// Takes an exception to <paramref name="target"/> at VBAR_ELt + (same EL: SP0 0x000 / SPx 0x200,
        /// lower EL 0x400) + <paramref name="kindOffset"/>.
        /// </summary>
        private void EnterException(int target, ulong kindOffset, ulong returnPc, ulong? syndrome, ulong? faultAddress)
        {
            var pstate = ReadRegister(Unicorn.RegPstate);
            var cur = (int)((pstate >> 2) & 3);
            if(cur == 0)
            {
                // The trampoline's ERET is UNDEFINED when Unicorn's translator believes it is at EL0.
                hookException ??= new NotSupportedException("exception entry from EL0 is not supported by the host");
                scheduler?.Fault(this, "exception entry from EL0 is not supported by the host");
                return;
            }
            if(target == 2)
            {
                El2Entries++;
            }
            var baseOffset = target == cur ? ((pstate & 1) != 0 ? 0x200UL : 0x000UL) : 0x400UL;
            var vector = ReadRegister(Unicorn.RegVbarEl0 + target) + baseOffset + kindOffset;

            // The live SP is not banked by register writes: store it in the bank the current mode uses.
            var sp = ReadRegister(Unicorn.RegSp);
            WriteRegister(Unicorn.RegSpEl0 + ((pstate & 1) != 0 ? cur : 0), sp);

            WriteSpsr(target, pstate);
            if(syndrome.HasValue)
            {
                WriteRegister(Unicorn.RegEsrEl0 + target, syndrome.Value);
            }
            if(faultAddress.HasValue)
            {
                WriteRegister(Unicorn.RegFarEl0 + target, faultAddress.Value);
            }
            if(target != cur)
            {
                WriteRegister(Unicorn.RegElrEl0 + target, returnPc);
            }

            // The trampoline's ERET reads ELR of the EL the translator has cached (the current one).
            fixupSavedElr = ReadRegister(Unicorn.RegElrEl0 + cur);
            WriteRegister(Unicorn.RegElrEl0 + cur, vector);
            var newPstate = (pstate & 0xF0000000UL) | 0x3C0UL | ((ulong)target << 2) | 1UL;
            WriteCp(3, 6, 4, 0, 0, newPstate);
            WriteRegister(Unicorn.RegPstate, (pstate & ~0xFUL) | 0xD);
            EnsureTrampoline();
            WriteRegister(Unicorn.RegPc, trampolineAddress);

            fixupArmed = true;
            fixupAddress = vector;
            fixupCurrentEl = cur;
            fixupTargetEl = target;
            fixupReturnPc = returnPc;
        }

        /// <summary>Runs at the first block of the vector: puts back the ELR the trampoline borrowed.</summary>
        private void CompleteExceptionEntry()
        {
            fixupArmed = false;
            if(fixupCurrentEl != fixupTargetEl)
            {
                WriteRegister(Unicorn.RegElrEl0 + fixupCurrentEl, fixupSavedElr);
            }
            else
            {
                WriteRegister(Unicorn.RegElrEl0 + fixupTargetEl, fixupReturnPc);
            }
        }

        private void WriteSpsr(int el, ulong value)
        {
            WriteCp(3, el == 1 ? 0u : el == 2 ? 4u : 6u, 4, 0, 0, value);
        }

        /// <summary>An access to an address nothing is mapped at: a synchronous external abort (DFSC/IFSC 0x10).</summary>
        private void DeliverExternalAbort()
        {
            var abort = pendingAbort!.Value;
            pendingAbort = null;
            var pc = ReadRegister(Unicorn.RegPc);
            var el = (int)((ReadRegister(Unicorn.RegPstate) >> 2) & 3);
            var target = el == 0 ? 1 : el;
            this.GuestError("{0} of {1} byte(s) at unmapped address 0x{2:X} (PC 0x{3:X}): synchronous external abort to EL{4}",
                abort.Kind, abort.Size, abort.Address, pc, target);
            ulong syndrome;
            if(abort.Kind == AbortKind.Fetch)
            {
                syndrome = ((target == el ? EcInstructionAbortSame : EcInstructionAbortLower) << 26) | EsrIl | 0x10;
            }
            else
            {
                syndrome = ((target == el ? EcDataAbortSame : EcDataAbortLower) << 26) | EsrIl | 0x10
                    | (abort.Kind == AbortKind.Write ? 1UL << 6 : 0);
            }
            EnterException(target, 0x000, pc, syndrome, abort.Address);
        }

        private ulong Imm16At(ulong address)
        {
            return (ReadInstruction(address) >> 5) & 0xFFFF;
        }

        internal uint ReadInstruction(ulong address)
        {
            uint insn = 0;
            Unicorn.MemRead(engine, address, (byte*)&insn, (UIntPtr)4);
            return insn;
        }

        private enum AbortKind
        {
            Read,
            Write,
            Fetch,
        }

        private readonly record struct PendingAbort(AbortKind Kind, ulong Address, int Size);

        private readonly record struct SyncException(int TargetEl, ulong Syndrome, ulong ReturnPc, ulong? FaultAddress);

        private PendingAbort? pendingAbort;
        private SyncException? pendingSync;
        private bool fixupArmed;
        private ulong fixupAddress;
        private int fixupCurrentEl;
        private int fixupTargetEl;
        private ulong fixupReturnPc;
        private ulong fixupSavedElr;
    }
}
