// The virtual CPU interface of one processor (IHI 0069 chapter 6, "Virtual interrupt handling and
// prioritization"): the ICH_*_EL2 registers a hypervisor at EL2 programs, and the ICV_*_EL1 registers a guest at
// EL1 reaches through the ICC_* encodings while HCR_EL2.IMO (Group 1 registers) or FMO (Group 0 registers; either
// for the common ones) is set. ArmGicV3 picks this bank instead of the physical CpuInterface for those accesses.
//
// The list registers are the whole virtual interrupt state: the guest acknowledges the highest-priority pending
// LR of an enabled group (pending -> active, its group priority set in ICH_AP0R/AP1R), EOI drops the highest
// active priority and, unless ICH_VMCR_EL2.VEOIM splits them, deactivates the matching LR (ICV_DIR then does).
// An EOI/DIR that matches no LR increments ICH_HCR_EL2.EOIcount. Deactivating an LR with HW = 1 deactivates its
// physical interrupt pINTID. The interface drives, per processor:
//   vIRQ / vFIQ  - the highest-priority pending LR of an enabled group (Group 1 -> vIRQ, Group 0 -> vFIQ) beats
//                  ICV_PMR (VMCR.VPMR) and the virtual running priority, and ICH_HCR_EL2.En = 1;
//   maintenance  - a level on PPI INTID 25 of the processor's redistributor, high while ICH_HCR_EL2.En = 1 and
//                  ICH_MISR_EL2 != 0 (QEMU's first implementation never raised it).
//
// IMPDEF here (QEMU's choices where it made one): 5 virtual priority and preemption bits (one ICH_AP0R/AP1R
// register each), 16 INTID bits, A3V = 1, SEIS = 0, TDS = 1, nV4 = 1 unless architectureRevision = 4; the number
// of list registers is a constructor parameter; ICH_VMCR_EL2 resets to VFIQEn | VBPR1 = 3 | VBPR0 = 2 with VFIQEn
// RES1; unimplemented priority bits of ICH_LR<n>_EL2.Priority and of VPMR are RAZ/WI; an EOI with no active
// virtual priority is ignored (CONSTRAINED UNPREDICTABLE whether the LRs are checked); EOIcount wraps at 32.
// vLPIs in list registers (vINTID >= 8192) have no active state: acknowledging one makes its LR invalid, and an
// EOI of an LPI that no LR holds does not count in EOIcount.
// Traps to EL2 (ICH_HCR_EL2.TC/TALL0/TALL1/TDIR, and ICC_SGI*R_EL1 at EL1 under HCR_EL2.IMO/FMO) are decided by
// TrapsToEl2; ArmGicV3 reports them as GicSystemRegisterAccessResult.TrapToEl2 and the CPU takes the exception.
using System.Numerics;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed partial class VirtualCpuInterface : IGicSystemRegisterBank
    {
        public VirtualCpuInterface(ArmGicV3 gic, int processorNumber, int numberOfListRegisters, int architectureRevision)
        {
            this.gic = gic;
            ProcessorNumber = processorNumber;
            ListRegisterCount = numberOfListRegisters;
            this.architectureRevision = architectureRevision;
            listRegisters = new ulong[numberOfListRegisters];
            registers = new QuadWordRegisterCollection(gic);
            DefineRegisters();
            Reset();
        }

        public int ProcessorNumber { get; }

        public int ListRegisterCount { get; }

        public const int MaintenanceIntid = 25;

        public void Reset()
        {
            hypervisorControl = 0;
            machineControl = VmcrResetValue;
            System.Array.Clear(listRegisters);
            System.Array.Clear(activePriorities);
            registers.Reset();
            dirty = true;
        }

        public bool TryRead(uint encoding, GicAccess access, out ulong value)
        {
            value = 0;
            if(!Implements(encoding, isWrite: false))
            {
                return false;
            }
            dirty = true;
            return registers.TryRead(encoding, out value);
        }

        public bool TryWrite(uint encoding, GicAccess access, ulong value)
        {
            if(!Implements(encoding, isWrite: true))
            {
                return false;
            }
            dirty = true;
            return registers.TryWrite(encoding, value);
        }

        /// <summary>Whether this bank has the register, accessible in that direction (else the access is UNDEFINED).</summary>
        public bool Implements(uint encoding, bool isWrite)
        {
            if(!registers.HasRegisterAtOffset(encoding))
            {
                return false;
            }
            return isWrite ? !IsReadOnly(encoding) : !IsWriteOnly(encoding);
        }

        /// <summary>Whether the vIRQ/vFIQ/maintenance levels may have changed since the last TakeDirty.</summary>
        public bool IsDirty => dirty;

        /// <summary>Returns and clears "the vIRQ/vFIQ/maintenance levels may have changed".</summary>
        public bool TakeDirty()
        {
            var wasDirty = dirty;
            dirty = false;
            return wasDirty;
        }

        /// <summary>
        /// Whether an EL1 access to the ICC_/ICV_ encoding traps to EL2 (ESR_EL2.EC = 0x18): ICH_HCR_EL2.TC for the
        /// common registers (CTLR, PMR, RPR, DIR, SGI generation), TALL0/TALL1 for the Group 0/Group 1 registers,
        /// TDIR for DIR; SGI generation also whenever HCR_EL2.IMO or FMO is set (IHI 0069 12.2, ICC_SGI1R_EL1).
        /// </summary>
        public bool TrapsToEl2(uint encoding, ulong hcrEl2)
        {
            if((hcrEl2 & (HcrEl2Imo | HcrEl2Fmo)) == 0 && (hypervisorControl & (HcrTc | HcrTall0 | HcrTall1 | HcrTdir)) == 0)
            {
                return false; // no trap bit set (the usual case): skip the per-register decision
            }
            switch((IccSystemRegisters)encoding)
            {
            case IccSystemRegisters.ICC_SGI0R_EL1:
            case IccSystemRegisters.ICC_SGI1R_EL1:
            case IccSystemRegisters.ICC_ASGI1R_EL1:
                return (hcrEl2 & (HcrEl2Imo | HcrEl2Fmo)) != 0 || HcrFlag(HcrTc);
            case IccSystemRegisters.ICC_DIR_EL1:
                return HcrFlag(HcrTc) || HcrFlag(HcrTdir);
            case IccSystemRegisters.ICC_PMR_EL1:
            case IccSystemRegisters.ICC_RPR_EL1:
            case IccSystemRegisters.ICC_CTLR_EL1:
                return HcrFlag(HcrTc);
            case IccSystemRegisters.ICC_IAR0_EL1:
            case IccSystemRegisters.ICC_EOIR0_EL1:
            case IccSystemRegisters.ICC_HPPIR0_EL1:
            case IccSystemRegisters.ICC_BPR0_EL1:
            case IccSystemRegisters.ICC_AP0R0_EL1:
            case IccSystemRegisters.ICC_AP0R1_EL1:
            case IccSystemRegisters.ICC_AP0R2_EL1:
            case IccSystemRegisters.ICC_AP0R3_EL1:
            case IccSystemRegisters.ICC_IGRPEN0_EL1:
                return HcrFlag(HcrTall0);
            case IccSystemRegisters.ICC_IAR1_EL1:
            case IccSystemRegisters.ICC_EOIR1_EL1:
            case IccSystemRegisters.ICC_HPPIR1_EL1:
            case IccSystemRegisters.ICC_BPR1_EL1:
            case IccSystemRegisters.ICC_AP1R0_EL1:
            case IccSystemRegisters.ICC_AP1R1_EL1:
            case IccSystemRegisters.ICC_AP1R2_EL1:
            case IccSystemRegisters.ICC_AP1R3_EL1:
            case IccSystemRegisters.ICC_IGRPEN1_EL1:
                return HcrFlag(HcrTall1);
            default:
                return false;
            }
        }

        /// <summary>The levels this interface drives: vIRQ, vFIQ and the maintenance interrupt (PPI 25).</summary>
        public void ComputeSignals(out bool virtualIrq, out bool virtualFiq, out bool maintenance)
        {
            virtualIrq = false;
            virtualFiq = false;
            maintenance = false;
            if(!HcrFlag(HcrEn))
            {
                return;
            }
            maintenance = MaintenanceStatus != 0;
            var index = HighestPendingIndex();
            if(TryGetDirectVlpi(index, out _, out var directPriority))
            {
                // GICv4 direct vLPI, GICv4.1 direct vSGI (Lpi/VirtualCpuInterface.Vlpi.cs)
                var signal = CanPreemptPriority(directPriority, directGroup);
                virtualIrq = directGroup == 1 && signal;
                virtualFiq = directGroup == 0 && signal;
                return;
            }
            if(index >= 0 && CanPreempt(listRegisters[index]))
            {
                if(IsGroup1(listRegisters[index]))
                {
                    virtualIrq = true;
                }
                else
                {
                    virtualFiq = true;
                }
            }
        }

        /// <summary>ICH_MISR_EL2: EOI, U, LRENP, NP, VGrp0E, VGrp0D, VGrp1E, VGrp1D (IHI 0069 12.5, ICH_MISR_EL2).</summary>
        public uint MaintenanceStatus
        {
            get
            {
                uint status = 0;
                var valid = 0;
                var anyPending = false;
                foreach(var lr in listRegisters)
                {
                    var state = StateOf(lr);
                    if(state != StateInvalid)
                    {
                        valid++;
                    }
                    anyPending |= state == StatePending;
                }
                if(EndOfInterruptStatus != 0)
                {
                    status |= MisrEoi;
                }
                if(HcrFlag(HcrUie) && valid <= 1)
                {
                    status |= MisrU;
                }
                if(HcrFlag(HcrLrenpie) && EoiCount != 0)
                {
                    status |= MisrLrenp;
                }
                if(HcrFlag(HcrNpie) && !anyPending)
                {
                    status |= MisrNp;
                }
                if(HcrFlag(HcrVGrp0Eie) && GroupEnabled(0))
                {
                    status |= MisrVGrp0E;
                }
                if(HcrFlag(HcrVGrp0Die) && !GroupEnabled(0))
                {
                    status |= MisrVGrp0D;
                }
                if(HcrFlag(HcrVGrp1Eie) && GroupEnabled(1))
                {
                    status |= MisrVGrp1E;
                }
                if(HcrFlag(HcrVGrp1Die) && !GroupEnabled(1))
                {
                    status |= MisrVGrp1D;
                }
                return status;
            }
        }

        /// <summary>ICH_EISR_EL2: bit n when LR n is invalid, HW = 0 and its EOI bit (41) asks for a maintenance interrupt.</summary>
        public uint EndOfInterruptStatus
        {
            get
            {
                uint status = 0;
                for(var n = 0; n < listRegisters.Length; n++)
                {
                    var lr = listRegisters[n];
                    if(StateOf(lr) == StateInvalid && (lr & LrHw) == 0 && (lr & LrEoi) != 0)
                    {
                        status |= 1u << n;
                    }
                }
                return status;
            }
        }

        /// <summary>ICH_ELRSR_EL2: bit n when LR n is free (invalid, and not waiting to report an EOI).</summary>
        public uint EmptyListRegisterStatus
        {
            get
            {
                uint status = 0;
                for(var n = 0; n < listRegisters.Length; n++)
                {
                    var lr = listRegisters[n];
                    if(StateOf(lr) == StateInvalid && ((lr & LrHw) != 0 || (lr & LrEoi) == 0))
                    {
                        status |= 1u << n;
                    }
                }
                return status;
            }
        }

        // ---- Register table ---------------------------------------------------------------------------------

        private void DefineRegisters()
        {
            // ICH_HCR_EL2 (IHI 0069 12.5). TSEI is RES0 (SEIS = 0); DVIM (GICv4.1) is not implemented.
            var hcr = IchSystemRegisters.ICH_HCR_EL2.Define(registers);
            HcrFlagField(hcr, HcrEn, "En");
            HcrFlagField(hcr, HcrUie, "UIE");
            HcrFlagField(hcr, HcrLrenpie, "LRENPIE");
            HcrFlagField(hcr, HcrNpie, "NPIE");
            HcrFlagField(hcr, HcrVGrp0Eie, "VGrp0EIE");
            HcrFlagField(hcr, HcrVGrp0Die, "VGrp0DIE");
            HcrFlagField(hcr, HcrVGrp1Eie, "VGrp1EIE");
            HcrFlagField(hcr, HcrVGrp1Die, "VGrp1DIE");
            hcr.WithReservedBits(8, 2);
            HcrFlagField(hcr, HcrTc, "TC");
            HcrFlagField(hcr, HcrTall0, "TALL0");
            HcrFlagField(hcr, HcrTall1, "TALL1");
            hcr.WithReservedBits(13, 1);
            HcrFlagField(hcr, HcrTdir, "TDIR");
            hcr.WithReservedBits(15, 12)
                .WithValueField(EoiCountShift, 5, name: "EOIcount",
                    valueProviderCallback: _ => (ulong)EoiCount,
                    writeCallback: (_, v) => hypervisorControl = Deposit(hypervisorControl, EoiCountShift, 5, v))
                .WithReservedBits(32, 32);

            IchSystemRegisters.ICH_VTR_EL2.Define(registers)
                .WithValueField(0, 5, FieldMode.Read, name: "ListRegs", valueProviderCallback: _ => (ulong)(ListRegisterCount - 1))
                .WithReservedBits(5, 14)
                .WithFlag(19, FieldMode.Read, name: "TDS", valueProviderCallback: _ => true)
                .WithFlag(20, FieldMode.Read, name: "nV4", valueProviderCallback: _ => architectureRevision < 4)
                .WithFlag(21, FieldMode.Read, name: "A3V", valueProviderCallback: _ => true)
                .WithFlag(22, FieldMode.Read, name: "SEIS", valueProviderCallback: _ => false)
                .WithValueField(23, 3, FieldMode.Read, name: "IDbits", valueProviderCallback: _ => IdBitsField)
                .WithValueField(26, 3, FieldMode.Read, name: "PREbits", valueProviderCallback: _ => VirtualPreemptionBits - 1)
                .WithValueField(29, 3, FieldMode.Read, name: "PRIbits", valueProviderCallback: _ => VirtualPriorityBits - 1)
                .WithReservedBits(32, 32);

            var misr = IchSystemRegisters.ICH_MISR_EL2.Define(registers);
            var misrNames = new[] { "EOI", "U", "LRENP", "NP", "VGrp0E", "VGrp0D", "VGrp1E", "VGrp1D" };
            for(var bit = 0; bit < misrNames.Length; bit++)
            {
                var mask = 1u << bit;
                misr.WithFlag(bit, FieldMode.Read, name: misrNames[bit], valueProviderCallback: _ => (MaintenanceStatus & mask) != 0);
            }
            misr.WithReservedBits(8, 56);
            IchSystemRegisters.ICH_EISR_EL2.Define(registers)
                .WithValueField(0, 16, FieldMode.Read, name: "Status", valueProviderCallback: _ => EndOfInterruptStatus)
                .WithReservedBits(16, 48);
            IchSystemRegisters.ICH_ELRSR_EL2.Define(registers)
                .WithValueField(0, 16, FieldMode.Read, name: "Status", valueProviderCallback: _ => EmptyListRegisterStatus)
                .WithReservedBits(16, 48);

            // ICH_VMCR_EL2: the guest's view of its CPU interface configuration, aliased by ICV_PMR/BPR0/BPR1/CTLR/IGRPEN.
            IchSystemRegisters.ICH_VMCR_EL2.Define(registers)
                .WithFlag(0, name: "VENG0", valueProviderCallback: _ => VmcrFlag(VmcrVeng0), writeCallback: (_, v) => SetVmcrFlag(VmcrVeng0, v))
                .WithFlag(1, name: "VENG1", valueProviderCallback: _ => VmcrFlag(VmcrVeng1), writeCallback: (_, v) => SetVmcrFlag(VmcrVeng1, v))
                .WithReservedBits(2, 1) // VAckCtl: RES0 without the legacy (memory-mapped) interface
                .WithFlag(3, FieldMode.Read, name: "VFIQEn", valueProviderCallback: _ => true) // RES1: virtual Group 0 is always vFIQ
                .WithFlag(4, name: "VCBPR", valueProviderCallback: _ => VmcrFlag(VmcrVcbpr), writeCallback: (_, v) => SetVmcrFlag(VmcrVcbpr, v))
                .WithReservedBits(5, 4)
                .WithFlag(9, name: "VEOIM", valueProviderCallback: _ => VmcrFlag(VmcrVeoim), writeCallback: (_, v) => SetVmcrFlag(VmcrVeoim, v))
                .WithReservedBits(10, 8)
                .WithValueField(VmcrVbpr1Shift, 3, name: "VBPR1", valueProviderCallback: _ => (ulong)BinaryPoint(1), writeCallback: (_, v) => SetBinaryPoint(1, (int)v))
                .WithValueField(VmcrVbpr0Shift, 3, name: "VBPR0", valueProviderCallback: _ => (ulong)BinaryPoint(0), writeCallback: (_, v) => SetBinaryPoint(0, (int)v))
                .WithValueField(VmcrVpmrShift, 8, name: "VPMR", valueProviderCallback: _ => Extract(machineControl, VmcrVpmrShift, 8),
                    writeCallback: (_, v) => machineControl = Deposit(machineControl, VmcrVpmrShift, 8, v & PriorityMask))
                .WithReservedBits(32, 32);

            for(var n = 0; n < ListRegisterCount; n++)
            {
                var index = n;
                ((IchSystemRegisters)((uint)IchSystemRegisters.ICH_LR0_EL2 + (uint)n)).Define(registers)
                    .WithValueField(0, 32, name: "vINTID", valueProviderCallback: _ => Extract(listRegisters[index], 0, 32),
                        writeCallback: (_, v) => listRegisters[index] = Deposit(listRegisters[index], 0, 32, v))
                    .WithValueField(32, 13, name: "pINTID", valueProviderCallback: _ => Extract(listRegisters[index], 32, 13),
                        writeCallback: (_, v) => listRegisters[index] = Deposit(listRegisters[index], 32, 13, v))
                    .WithValueField(45, 3, name: "RES0_47_45", valueProviderCallback: _ => Extract(listRegisters[index], 45, 3),
                        writeCallback: (_, v) => listRegisters[index] = Deposit(listRegisters[index], 45, 3, v))
                    .WithValueField(48, 8, name: "Priority", valueProviderCallback: _ => Extract(listRegisters[index], 48, 8),
                        writeCallback: (_, v) => listRegisters[index] = Deposit(listRegisters[index], 48, 8, v & PriorityMask))
                    .WithValueField(56, 3, name: "RES0_58_56", valueProviderCallback: _ => Extract(listRegisters[index], 56, 3),
                        writeCallback: (_, v) => listRegisters[index] = Deposit(listRegisters[index], 56, 3, v))
                    .WithReservedBits(59, 1) // NMI: RES0 without FEAT_GICv3_NMI
                    .WithFlag(60, name: "Group", valueProviderCallback: _ => (listRegisters[index] & LrGroup) != 0,
                        writeCallback: (_, v) => listRegisters[index] = Deposit(listRegisters[index], 60, 1, v ? 1UL : 0))
                    .WithFlag(61, name: "HW", valueProviderCallback: _ => (listRegisters[index] & LrHw) != 0,
                        writeCallback: (_, v) => listRegisters[index] = Deposit(listRegisters[index], 61, 1, v ? 1UL : 0))
                    .WithValueField(62, 2, name: "State", valueProviderCallback: _ => (ulong)StateOf(listRegisters[index]),
                        writeCallback: (_, v) => listRegisters[index] = Deposit(listRegisters[index], 62, 2, v));
            }

            for(var n = 0; n < AprRegisterCount; n++)
            {
                var index = n;
                DefineActivePriorities((uint)IchSystemRegisters.ICH_AP0R0_EL2 + (uint)n, 0, index, "ICH_AP0R");
                DefineActivePriorities((uint)IchSystemRegisters.ICH_AP1R0_EL2 + (uint)n, 1, index, "ICH_AP1R");
                DefineActivePriorities((uint)IcvSystemRegisters.ICV_AP0R0_EL1 + (uint)n, 0, index, "ICV_AP0R");
                DefineActivePriorities((uint)IcvSystemRegisters.ICV_AP1R0_EL1 + (uint)n, 1, index, "ICV_AP1R");
            }

            // ---- ICV_* (the guest's registers) ----
            IcvSystemRegisters.ICV_PMR_EL1.Define(registers).WithValueField(0, 8, name: "Priority",
                valueProviderCallback: _ => Extract(machineControl, VmcrVpmrShift, 8),
                writeCallback: (_, v) => machineControl = Deposit(machineControl, VmcrVpmrShift, 8, v & PriorityMask))
                .WithReservedBits(8, 56);
            IcvSystemRegisters.ICV_IAR0_EL1.Define(registers).WithValueField(0, 24, FieldMode.Read, name: "INTID",
                valueProviderCallback: _ => Acknowledge(0));
            IcvSystemRegisters.ICV_IAR1_EL1.Define(registers).WithValueField(0, 24, FieldMode.Read, name: "INTID",
                valueProviderCallback: _ => Acknowledge(1));
            IcvSystemRegisters.ICV_HPPIR0_EL1.Define(registers).WithValueField(0, 24, FieldMode.Read, name: "INTID",
                valueProviderCallback: _ => HighestPending(0));
            IcvSystemRegisters.ICV_HPPIR1_EL1.Define(registers).WithValueField(0, 24, FieldMode.Read, name: "INTID",
                valueProviderCallback: _ => HighestPending(1));
            IcvSystemRegisters.ICV_EOIR0_EL1.Define(registers).WithValueField(0, 24, FieldMode.Write, name: "INTID",
                writeCallback: (_, v) => EndOfInterrupt(0, (uint)v));
            IcvSystemRegisters.ICV_EOIR1_EL1.Define(registers).WithValueField(0, 24, FieldMode.Write, name: "INTID",
                writeCallback: (_, v) => EndOfInterrupt(1, (uint)v));
            IcvSystemRegisters.ICV_DIR_EL1.Define(registers).WithValueField(0, 24, FieldMode.Write, name: "INTID",
                writeCallback: (_, v) => DeactivateByDir((uint)v));
            IcvSystemRegisters.ICV_RPR_EL1.Define(registers).WithValueField(0, 8, FieldMode.Read, name: "Priority",
                valueProviderCallback: _ => (ulong)RunningPriority);

            IcvSystemRegisters.ICV_BPR0_EL1.Define(registers).WithValueField(0, 3, name: "BinaryPoint",
                valueProviderCallback: _ => (ulong)BinaryPoint(0),
                writeCallback: (_, v) => SetBinaryPoint(0, (int)v));
            IcvSystemRegisters.ICV_BPR1_EL1.Define(registers).WithValueField(0, 3, name: "BinaryPoint",
                valueProviderCallback: _ => (ulong)(VmcrFlag(VmcrVcbpr) ? System.Math.Min(BinaryPoint(0) + 1, 7) : BinaryPoint(1)),
                writeCallback: (_, v) =>
                {
                    // With VCBPR set, ICV_BPR1_EL1 reads BPR0 + 1 and ignores writes.
                    if(!VmcrFlag(VmcrVcbpr))
                    {
                        SetBinaryPoint(1, (int)v);
                    }
                });

            IcvSystemRegisters.ICV_CTLR_EL1.Define(registers)
                .WithFlag(0, name: "CBPR", valueProviderCallback: _ => VmcrFlag(VmcrVcbpr), writeCallback: (_, v) => SetVmcrFlag(VmcrVcbpr, v))
                .WithFlag(1, name: "EOImode", valueProviderCallback: _ => VmcrFlag(VmcrVeoim), writeCallback: (_, v) => SetVmcrFlag(VmcrVeoim, v))
                .WithReservedBits(2, 6)
                .WithValueField(8, 3, FieldMode.Read, name: "PRIbits", valueProviderCallback: _ => VirtualPriorityBits - 1)
                .WithValueField(11, 3, FieldMode.Read, name: "IDbits", valueProviderCallback: _ => IdBitsField)
                .WithFlag(14, FieldMode.Read, name: "SEIS", valueProviderCallback: _ => false)
                .WithFlag(15, FieldMode.Read, name: "A3V", valueProviderCallback: _ => true)
                .WithReservedBits(16, 2)
                .WithFlag(18, FieldMode.Read, name: "RSS", valueProviderCallback: _ => false)
                .WithFlag(19, FieldMode.Read, name: "ExtRange", valueProviderCallback: _ => false)
                .WithReservedBits(20, 44);

            IcvSystemRegisters.ICV_IGRPEN0_EL1.Define(registers).WithFlag(0, name: "Enable",
                valueProviderCallback: _ => VmcrFlag(VmcrVeng0), writeCallback: (_, v) => SetVmcrFlag(VmcrVeng0, v)).WithReservedBits(1, 63);
            IcvSystemRegisters.ICV_IGRPEN1_EL1.Define(registers).WithFlag(0, name: "Enable",
                valueProviderCallback: _ => VmcrFlag(VmcrVeng1), writeCallback: (_, v) => SetVmcrFlag(VmcrVeng1, v)).WithReservedBits(1, 63);
        }

        private void HcrFlagField(QuadWordRegister register, ulong bit, string name)
        {
            register.WithFlag(BitOperations.TrailingZeroCount(bit), name: name,
                valueProviderCallback: _ => HcrFlag(bit),
                writeCallback: (_, v) => hypervisorControl = v ? hypervisorControl | bit : hypervisorControl & ~bit);
        }

        private void DefineActivePriorities(uint encoding, int group, int index, string name)
        {
            ((IchSystemRegisters)encoding).Define(registers).WithValueField(0, 32, name: name,
                valueProviderCallback: _ => activePriorities[group, index],
                writeCallback: (_, v) => activePriorities[group, index] = (uint)v).WithReservedBits(32, 32);
        }

        private static bool IsReadOnly(uint encoding)
        {
            switch(encoding)
            {
            case (uint)IchSystemRegisters.ICH_VTR_EL2:
            case (uint)IchSystemRegisters.ICH_MISR_EL2:
            case (uint)IchSystemRegisters.ICH_EISR_EL2:
            case (uint)IchSystemRegisters.ICH_ELRSR_EL2:
            case (uint)IcvSystemRegisters.ICV_IAR0_EL1:
            case (uint)IcvSystemRegisters.ICV_IAR1_EL1:
            case (uint)IcvSystemRegisters.ICV_HPPIR0_EL1:
            case (uint)IcvSystemRegisters.ICV_HPPIR1_EL1:
            case (uint)IcvSystemRegisters.ICV_RPR_EL1:
                return true;
            default:
                return false;
            }
        }

        private static bool IsWriteOnly(uint encoding)
        {
            switch(encoding)
            {
            case (uint)IcvSystemRegisters.ICV_EOIR0_EL1:
            case (uint)IcvSystemRegisters.ICV_EOIR1_EL1:
            case (uint)IcvSystemRegisters.ICV_DIR_EL1:
                return true;
            default:
                return false;
            }
        }

        // ---- ICH_VMCR_EL2 fields --------------------------------------------------------------------------

        private bool VmcrFlag(ulong bit) => (machineControl & bit) != 0;

        private void SetVmcrFlag(ulong bit, bool value)
        {
            machineControl = value ? machineControl | bit : machineControl & ~bit;
        }

        private bool GroupEnabled(int group) => VmcrFlag(group == 0 ? VmcrVeng0 : VmcrVeng1);

        private int BinaryPoint(int group) => (int)Extract(machineControl, group == 0 ? VmcrVbpr0Shift : VmcrVbpr1Shift, 3);

        /// <summary>Writes VBPR0/VBPR1; a value below the minimum (7 - PREbits, one more for Group 1) sets the minimum.</summary>
        private void SetBinaryPoint(int group, int value)
        {
            var minimum = MinimumBinaryPoint + (group == 0 ? 0 : 1);
            value = System.Math.Max(value & 7, minimum);
            machineControl = Deposit(machineControl, group == 0 ? VmcrVbpr0Shift : VmcrVbpr1Shift, 3, (ulong)value);
        }

        /// <summary>Mask selecting the group priority bits for a virtual interrupt of <paramref name="group"/> (VGroupBits).</summary>
        private int GroupPriorityMask(int group)
        {
            int binaryPoint;
            if(group == 1 && !VmcrFlag(VmcrVcbpr))
            {
                binaryPoint = BinaryPoint(1) - 1;
            }
            else
            {
                binaryPoint = BinaryPoint(0);
            }
            return (0xFF << (binaryPoint + 1)) & 0xFF;
        }

        // ---- Prioritization ----------------------------------------------------------------------------------

        private bool HcrFlag(ulong bit) => (hypervisorControl & bit) != 0;

        private int EoiCount => (int)Extract(hypervisorControl, EoiCountShift, 5);

        /// <summary>The virtual running priority: the group priority of the highest active priority bit, or 0xFF.</summary>
        private int RunningPriority
        {
            get
            {
                for(var n = 0; n < AprRegisterCount; n++)
                {
                    var combined = activePriorities[0, n] | activePriorities[1, n];
                    if(combined != 0)
                    {
                        return (n * 32 + BitOperations.TrailingZeroCount(combined)) << (8 - VirtualPreemptionBits);
                    }
                }
                return IdlePriority;
            }
        }

        /// <summary>
        /// The LR holding the highest-priority pending (not active) interrupt of an enabled group, or -1
        /// (HighestPriorityVirtualInterrupt; the lowest LR index wins ties; priority 0xFF is never reported).
        /// </summary>
        private int HighestPendingIndex()
        {
            var best = -1;
            var bestPriority = IdlePriority;
            for(var n = 0; n < listRegisters.Length; n++)
            {
                var lr = listRegisters[n];
                if(StateOf(lr) != StatePending || !GroupEnabled(IsGroup1(lr) ? 1 : 0))
                {
                    continue;
                }
                var priority = PriorityOf(lr);
                if(priority < bestPriority)
                {
                    best = n;
                    bestPriority = priority;
                }
            }
            return best;
        }

        /// <summary>Whether a pending LR can be signalled: En, beats VPMR and, by group priority, the running priority.</summary>
        private bool CanPreempt(ulong lr)
        {
            if(!HcrFlag(HcrEn))
            {
                return false;
            }
            var priority = PriorityOf(lr);
            if(priority >= (int)Extract(machineControl, VmcrVpmrShift, 8))
            {
                return false;
            }
            var running = RunningPriority;
            if(running == IdlePriority)
            {
                return true;
            }
            var mask = GroupPriorityMask(IsGroup1(lr) ? 1 : 0);
            return (priority & mask) < (running & mask);
        }

        // ---- Acknowledge, EOI, deactivation ------------------------------------------------------------------

        /// <summary>ICV_IAR0/1_EL1: activates the highest-priority pending LR of the group read if it can be signalled.</summary>
        private ulong Acknowledge(int group)
        {
            var index = HighestPendingIndex();
            if(TryGetDirectVlpi(index, out var directVintid, out var directPriority))
            {
                return AcknowledgeDirectVlpi(group, directVintid, directPriority);
            }
            if(index < 0)
            {
                return SpuriousIntid;
            }
            var lr = listRegisters[index];
            if((IsGroup1(lr) ? 1 : 0) != group || !CanPreempt(lr))
            {
                return SpuriousIntid;
            }
            var intid = VirtualIntidOf(lr);
            if(intid >= 1020 && intid <= 1023)
            {
                // A special INTID in an LR: returned as read, and the LR goes from pending to invalid.
                listRegisters[index] = WithState(lr, StateInvalid);
                return intid;
            }
            var activeBit = (PriorityOf(lr) & GroupPriorityMask(group)) >> (8 - VirtualPreemptionBits);
            activePriorities[group, activeBit / 32] |= 1u << (activeBit % 32);
            // vLPIs have no active state: acknowledging one frees its LR.
            listRegisters[index] = WithState(lr, intid >= FirstLpi ? StateInvalid : StateActive);
            gic.Trace(GicTraceKind.VirtualAcknowledged, (int)intid, ProcessorNumber, PriorityOf(lr));
            return intid;
        }

        /// <summary>ICV_HPPIR0/1_EL1: the highest-priority pending LR of an enabled group, without masking.</summary>
        private ulong HighestPending(int group)
        {
            var index = HighestPendingIndex();
            if(TryGetDirectVlpi(index, out var directVintid, out _))
            {
                return group == directGroup ? (ulong)directVintid : SpuriousIntid;
            }
            if(index < 0 || (IsGroup1(listRegisters[index]) ? 1 : 0) != group)
            {
                return SpuriousIntid;
            }
            return VirtualIntidOf(listRegisters[index]);
        }

        /// <summary>
        /// ICV_EOIR0/1_EL1: drops the highest active virtual priority, then deactivates the active LR holding the
        /// INTID if its group and group priority match (and VEOIM = 0, or it is a vLPI); no such LR: EOIcount + 1.
        /// </summary>
        private void EndOfInterrupt(int group, uint intid)
        {
            if(intid >= 1020 && intid <= 1023)
            {
                return;
            }
            if(!TryDropPriority(out var droppedPriority))
            {
                // CONSTRAINED UNPREDICTABLE (IHI 0069 ICV_EOIR1_EL1): whether the LRs are checked; we do not (as QEMU).
                gic.GuestError("cpu{0}: ICV_EOIR{1}_EL1 of vINTID {2} with no active virtual priority; ignored", ProcessorNumber, group, intid);
                return;
            }
            gic.Trace(GicTraceKind.VirtualPriorityDropped, (int)intid, ProcessorNumber);
            var index = FindActive(intid);
            if(index < 0)
            {
                if(intid < FirstLpi)
                {
                    IncrementEoiCount();
                }
                return;
            }
            var lr = listRegisters[index];
            if((IsGroup1(lr) ? 1 : 0) != group || (PriorityOf(lr) & GroupPriorityMask(group)) != droppedPriority)
            {
                gic.GuestError("cpu{0}: ICV_EOIR{1}_EL1 of vINTID {2}, but LR{3} does not hold the highest active priority of that group; not deactivated",
                    ProcessorNumber, group, intid, index);
                return;
            }
            if(!VmcrFlag(VmcrVeoim) || intid >= FirstLpi)
            {
                Deactivate(index);
            }
        }

        /// <summary>ICV_DIR_EL1: deactivates the active LR holding the INTID (only with VEOIM = 1); none: EOIcount + 1.</summary>
        private void DeactivateByDir(uint intid)
        {
            if(intid >= 1020)
            {
                // Special INTIDs and LPIs (no active state) are ignored.
                return;
            }
            if(!VmcrFlag(VmcrVeoim))
            {
                // UNPREDICTABLE in the architecture (ICV_DIR_EL1 with EOImode = 0); ignored, as QEMU does.
                gic.GuestError("cpu{0}: ICV_DIR_EL1 written (vINTID {1}) while ICH_VMCR_EL2.VEOIM = 0; ignored", ProcessorNumber, intid);
                return;
            }
            var index = FindActive(intid);
            if(index < 0)
            {
                IncrementEoiCount();
                return;
            }
            Deactivate(index);
        }

        /// <summary>Clears the highest active priority bit (Group 0 first on a tie); returns its priority.</summary>
        private bool TryDropPriority(out int priority)
        {
            for(var n = 0; n < AprRegisterCount; n++)
            {
                var group0 = activePriorities[0, n];
                var group1 = activePriorities[1, n];
                if((group0 | group1) == 0)
                {
                    continue;
                }
                var bit0 = BitOperations.TrailingZeroCount(group0);
                var bit1 = BitOperations.TrailingZeroCount(group1);
                var group = bit0 <= bit1 ? 0 : 1;
                var bit = group == 0 ? bit0 : bit1;
                activePriorities[group, n] &= ~(1u << bit);
                priority = (n * 32 + bit) << (8 - VirtualPreemptionBits);
                return true;
            }
            priority = IdlePriority;
            return false;
        }

        private int FindActive(uint intid)
        {
            for(var n = 0; n < listRegisters.Length; n++)
            {
                var lr = listRegisters[n];
                if((StateOf(lr) & StateActive) != 0 && VirtualIntidOf(lr) == intid)
                {
                    return n;
                }
            }
            return -1;
        }

        /// <summary>Active -> invalid, active and pending -> pending; with HW = 1 the physical pINTID is deactivated too.</summary>
        private void Deactivate(int index)
        {
            var lr = listRegisters[index];
            if((lr & LrHw) != 0)
            {
                DeactivatePhysical((int)Extract(lr, 32, 13));
            }
            listRegisters[index] = WithState(lr, StateOf(lr) & ~StateActive);
            gic.Trace(GicTraceKind.VirtualDeactivated, (int)VirtualIntidOf(lr), ProcessorNumber);
        }

        private void DeactivatePhysical(int intid)
        {
            if(intid >= 1020)
            {
                return;
            }
            var bank = gic.BankFor(ProcessorNumber, intid);
            if(bank == null)
            {
                gic.GuestError("cpu{0}: LR with HW = 1 names pINTID {1}, which is not implemented; nothing to deactivate", ProcessorNumber, intid);
                return;
            }
            if(!bank.Active[intid])
            {
                gic.GuestError("cpu{0}: LR with HW = 1 names pINTID {1}, which is not active", ProcessorNumber, intid);
                return;
            }
            bank.Active[intid] = false;
            gic.Requeue(bank, intid);
        }

        private void IncrementEoiCount()
        {
            hypervisorControl = Deposit(hypervisorControl, EoiCountShift, 5, (ulong)(EoiCount + 1));
        }

        // ---- LR fields ------------------------------------------------------------------------------------

        private static int StateOf(ulong lr) => (int)(lr >> 62);

        private static ulong WithState(ulong lr, int state) => Deposit(lr, 62, 2, (ulong)state);

        private static int PriorityOf(ulong lr) => (int)Extract(lr, 48, 8);

        private static uint VirtualIntidOf(ulong lr) => (uint)lr;

        private static bool IsGroup1(ulong lr) => (lr & LrGroup) != 0;

        private static ulong Extract(ulong word, int position, int width) => (word >> position) & ((1UL << width) - 1);

        private static ulong Deposit(ulong word, int position, int width, ulong value)
        {
            var mask = ((1UL << width) - 1) << position;
            return (word & ~mask) | ((value << position) & mask);
        }

        private const int VirtualPriorityBits = 5;
        private const int VirtualPreemptionBits = 5;
        private const int MinimumBinaryPoint = 7 - VirtualPreemptionBits;
        private const int AprRegisterCount = 1 << (VirtualPreemptionBits - 5);
        private const ulong PriorityMask = (0xFFUL << (8 - VirtualPriorityBits)) & 0xFF;
        private const ulong IdBitsField = 0; // 16 INTID bits
        private const int IdlePriority = 0xFF;
        private const ulong SpuriousIntid = 1023;
        private const uint FirstLpi = 8192;

        private const ulong HcrEl2Fmo = 1UL << 3;
        private const ulong HcrEl2Imo = 1UL << 4;

        private const ulong HcrEn = 1UL << 0;
        private const ulong HcrUie = 1UL << 1;
        private const ulong HcrLrenpie = 1UL << 2;
        private const ulong HcrNpie = 1UL << 3;
        private const ulong HcrVGrp0Eie = 1UL << 4;
        private const ulong HcrVGrp0Die = 1UL << 5;
        private const ulong HcrVGrp1Eie = 1UL << 6;
        private const ulong HcrVGrp1Die = 1UL << 7;
        private const ulong HcrTc = 1UL << 10;
        private const ulong HcrTall0 = 1UL << 11;
        private const ulong HcrTall1 = 1UL << 12;
        private const ulong HcrTdir = 1UL << 14;
        private const int EoiCountShift = 27;

        private const uint MisrEoi = 1u << 0;
        private const uint MisrU = 1u << 1;
        private const uint MisrLrenp = 1u << 2;
        private const uint MisrNp = 1u << 3;
        private const uint MisrVGrp0E = 1u << 4;
        private const uint MisrVGrp0D = 1u << 5;
        private const uint MisrVGrp1E = 1u << 6;
        private const uint MisrVGrp1D = 1u << 7;

        private const ulong VmcrVeng0 = 1UL << 0;
        private const ulong VmcrVeng1 = 1UL << 1;
        private const ulong VmcrVfiqen = 1UL << 3;
        private const ulong VmcrVcbpr = 1UL << 4;
        private const ulong VmcrVeoim = 1UL << 9;
        private const int VmcrVbpr1Shift = 18;
        private const int VmcrVbpr0Shift = 21;
        private const int VmcrVpmrShift = 24;
        private const ulong VmcrResetValue = VmcrVfiqen | ((ulong)(MinimumBinaryPoint + 1) << VmcrVbpr1Shift) | ((ulong)MinimumBinaryPoint << VmcrVbpr0Shift);

        private const ulong LrEoi = 1UL << 41;
        private const ulong LrGroup = 1UL << 60;
        private const ulong LrHw = 1UL << 61;
        private const int StateInvalid = 0;
        private const int StatePending = 1;
        private const int StateActive = 2;

        private readonly ArmGicV3 gic;
        private readonly int architectureRevision;
        private readonly QuadWordRegisterCollection registers;
        private readonly ulong[] listRegisters;
        private readonly uint[,] activePriorities = new uint[2, 4];
        private ulong hypervisorControl;
        private ulong machineControl;
        private bool dirty;
    }
}
