// The physical GICv3 CPU interface of one processor: the ICC_* system registers (IHI 0069 chapter 12, "AArch64
// System register descriptions of the CPU interface") and the prioritization rules of IHI 0069 chapter 4
// ("Physical interrupt handling and prioritization"): priority mask, binary points and group priority,
// active priorities (ICC_AP0R/AP1R), running priority, preemption, acknowledge, priority drop and deactivation.
//
// The register map is one table (a QuadWordRegisterCollection keyed by MRS encoding). Access checks that do not
// depend on a register's value live in the table too: read-only/write-only sets (an MSR to a read-only or MRS of
// a write-only register is UNDEFINED) and the owning exception level from op1.
//
// Security: with GICD_CTLR.DS = 1 there is one (Non-secure) bank of ICC_CTLR/BPR1/IGRPEN1/AP1R. With two security
// states, an access is Secure at EL3 and Non-secure below (the host runs EL1/EL2 Non-secure); Non-secure accesses
// see the Non-secure views of ICC_PMR_EL1 and ICC_RPR_EL1 (IHI 0069 4.8, "Software accesses of interrupt
// priority": value << 1, Secure range reads as 0).
//
// IMPDEF here: PRIbits = priorityBits - 1 (5 bits by default, as QEMU: priorities step by 8); IDbits = 16;
// A3V = 1; RSS = 1; SEIS = 0; ICC_SRE_ELx.SRE/DFB/DIB (and SRE_EL2/EL3.Enable) RAO/WI (no memory-mapped CPU
// interface); ICC_BPR0/1 reset to their minimum values; an EOI whose group is not the group of the highest
// active priority, or with nothing active, is ignored with a guest error (UNPREDICTABLE in the architecture,
// QEMU ignores it too).
using System.Numerics;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    /// <summary>Who is accessing a CPU-interface register: exception level and security state.</summary>
    internal readonly record struct GicAccess(int ExceptionLevel, bool Secure);

    /// <summary>
    /// A bank of GIC system registers of one processor. CpuInterface serves ICC_*; VirtualCpuInterface serves ICH_*
    /// and ICV_* and is chosen by ArmGicV3 (ArmGicV3.Virtualization.cs) from the encoding, EL and HCR_EL2.IMO/FMO.
    /// </summary>
    internal interface IGicSystemRegisterBank
    {
        bool TryRead(uint encoding, GicAccess access, out ulong value);
        bool TryWrite(uint encoding, GicAccess access, ulong value);
        /// <summary>Whether the register exists here and may be accessed in that direction (EL checks aside).</summary>
        bool Implements(uint encoding, bool isWrite);
        void Reset();
    }

    internal sealed partial class CpuInterface : IGicSystemRegisterBank
    {
        public CpuInterface(ArmGicV3 gic, int processorNumber, int priorityBits)
        {
            this.gic = gic;
            ProcessorNumber = processorNumber;
            this.priorityBits = priorityBits;
            preemptionBits = System.Math.Min(priorityBits, 7);
            priorityMask = (byte)(0xFF << (8 - priorityBits));
            minimumBinaryPoint0 = 7 - preemptionBits;
            aprRegisterCount = System.Math.Max(1, (1 << preemptionBits) / 32);
            registers = new QuadWordRegisterCollection(gic);
            DefineRegisters();
        }

        public int ProcessorNumber { get; }

        public void Reset()
        {
            priorityMaskRegister = 0;
            binaryPoint0 = minimumBinaryPoint0;
            binaryPoint1[Secure] = binaryPoint1[NonSecure] = minimumBinaryPoint0 + 1;
            commonBinaryPoint[Secure] = commonBinaryPoint[NonSecure] = false;
            eoiMode[Secure] = eoiMode[NonSecure] = false;
            eoiModeEl3 = false;
            groupEnable0 = false;
            groupEnable1[Secure] = groupEnable1[NonSecure] = false;
            for(var g = 0; g < PriorityArbiter.GroupCount; g++)
            {
                for(var n = 0; n < 4; n++)
                {
                    activePriorities[g, n] = 0;
                }
            }
            registers.Reset();
        }

        public bool TryRead(uint encoding, GicAccess access, out ulong value)
        {
            value = 0;
            if(!IsAccessible(encoding, access) || IsWriteOnly(encoding))
            {
                return false;
            }
            currentAccess = access;
            return TryReadHotRegister(encoding, out value) || registers.TryRead(encoding, out value);
        }

        public bool TryWrite(uint encoding, GicAccess access, ulong value)
        {
            if(!IsAccessible(encoding, access) || IsReadOnly(encoding))
            {
                return false;
            }
            currentAccess = access;
            return TryWriteHotRegister(encoding, value) || registers.TryWrite(encoding, value);
        }

        public bool Implements(uint encoding, bool isWrite)
        {
            return registers.HasRegisterAtOffset(encoding) && (isWrite ? !IsReadOnly(encoding) : !IsWriteOnly(encoding));
        }

        /// <summary>Whether this CPU interface has <paramref name="group"/> enabled (ICC_IGRPEN0/1).</summary>
        public bool IsGroupEnabled(GicGroup group)
        {
            switch(group)
            {
            case GicGroup.Group0:
                return groupEnable0;
            case GicGroup.Group1Secure:
                return !gic.DisableSecurity && groupEnable1[Secure];
            default:
                return groupEnable1[NonSecure];
            }
        }

        /// <summary>Bit g set when group g is enabled here.</summary>
        public int EnabledGroupMask =>
            (groupEnable0 ? 1 << (int)GicGroup.Group0 : 0)
            | (groupEnable1[Secure] && !gic.DisableSecurity ? 1 << (int)GicGroup.Group1Secure : 0)
            | (groupEnable1[NonSecure] ? 1 << (int)GicGroup.Group1NonSecure : 0);

        /// <summary>
        /// The IRQ and FIQ levels this CPU interface drives: the highest-priority pending interrupt of an enabled
        /// group is signalled iff its priority is higher than ICC_PMR_EL1 and its group priority is higher than the
        /// running priority (IHI 0069 4.8 / 4.9: priority masking and preemption). Group 1 Non-secure uses IRQ;
        /// Group 0 and Secure Group 1 use FIQ (routing for a processor in Non-secure EL1/EL2).
        /// </summary>
        public void ComputeSignals(out bool irq, out bool fiq)
        {
            irq = false;
            fiq = false;
            if(!TryGetSignallable(out _, out _, out var group))
            {
                return;
            }
            if(group == GicGroup.Group1NonSecure)
            {
                irq = true;
            }
            else
            {
                fiq = true;
            }
        }

        /// <summary>ICC_RPR_EL1 in the Secure (raw) view: the priority of the highest active priority bit, or 0xFF.</summary>
        public int RunningPriority
        {
            get
            {
                for(var n = 0; n < aprRegisterCount; n++)
                {
                    var combined = activePriorities[0, n] | activePriorities[1, n] | activePriorities[2, n];
                    if(combined != 0)
                    {
                        var bit = n * 32 + BitOperations.TrailingZeroCount(combined);
                        return bit << (8 - preemptionBits);
                    }
                }
                return IdlePriority;
            }
        }

        private bool TryGetSignallable(out int intid, out int priority, out GicGroup group)
        {
            var mask = gic.DistributorGroupMask & EnabledGroupMask;
            if(!gic.Arbiter.TryGetHighest(ProcessorNumber, mask, out intid, out priority, out group))
            {
                return false;
            }
            return (priority & priorityMask) < priorityMaskRegister
                && (priority & GroupPriorityMask(group)) < RunningPriority;
        }

        private bool IsAccessible(uint encoding, GicAccess access)
        {
            return access.ExceptionLevel >= GicSystemRegisterEncoding.MinimumExceptionLevel(encoding);
        }

        private static bool IsReadOnly(uint encoding)
        {
            switch((IccSystemRegisters)encoding)
            {
            case IccSystemRegisters.ICC_IAR0_EL1:
            case IccSystemRegisters.ICC_IAR1_EL1:
            case IccSystemRegisters.ICC_HPPIR0_EL1:
            case IccSystemRegisters.ICC_HPPIR1_EL1:
            case IccSystemRegisters.ICC_RPR_EL1:
                return true;
            default:
                return false;
            }
        }

        private static bool IsWriteOnly(uint encoding)
        {
            switch((IccSystemRegisters)encoding)
            {
            case IccSystemRegisters.ICC_EOIR0_EL1:
            case IccSystemRegisters.ICC_EOIR1_EL1:
            case IccSystemRegisters.ICC_DIR_EL1:
            case IccSystemRegisters.ICC_SGI0R_EL1:
            case IccSystemRegisters.ICC_SGI1R_EL1:
            case IccSystemRegisters.ICC_ASGI1R_EL1:
                return true;
            default:
                return false;
            }
        }

        private int Bank => currentAccess.Secure ? Secure : NonSecure;

        private bool NonSecureView => !gic.DisableSecurity && !currentAccess.Secure;

        private GicGroup CurrentGroup1 => currentAccess.Secure ? GicGroup.Group1Secure : GicGroup.Group1NonSecure;

        /// <summary>Mask selecting the group priority bits of a priority (IHI 0069 4.8: binary point).</summary>
        private int GroupPriorityMask(GicGroup group)
        {
            int binaryPoint;
            if(group == GicGroup.Group0)
            {
                binaryPoint = binaryPoint0;
            }
            else
            {
                var bank = group == GicGroup.Group1Secure ? Secure : NonSecure;
                // With CBPR set, ICC_BPR0_EL1 defines the group priority of Group 1 too; otherwise BPR1 = n means
                // the same split as BPR0 = n - 1.
                binaryPoint = commonBinaryPoint[bank] ? binaryPoint0 : binaryPoint1[bank] - 1;
            }
            return (0xFF << (binaryPoint + 1)) & 0xFF;
        }

        private void DefineRegisters()
        {
            IccSystemRegisters.ICC_PMR_EL1.Define(registers).WithValueField(0, 8, name: "Priority",
                valueProviderCallback: _ => ReadPriorityMask(), writeCallback: (_, v) => WritePriorityMask((byte)v)).WithReservedBits(8, 56);

            IccSystemRegisters.ICC_IAR0_EL1.Define(registers).WithValueField(0, 24, FieldMode.Read, name: "INTID",
                valueProviderCallback: _ => (ulong)Acknowledge(GicGroup.Group0));
            IccSystemRegisters.ICC_IAR1_EL1.Define(registers).WithValueField(0, 24, FieldMode.Read, name: "INTID",
                valueProviderCallback: _ => (ulong)Acknowledge(CurrentGroup1));
            IccSystemRegisters.ICC_HPPIR0_EL1.Define(registers).WithValueField(0, 24, FieldMode.Read, name: "INTID",
                valueProviderCallback: _ => (ulong)HighestPending(GicGroup.Group0));
            IccSystemRegisters.ICC_HPPIR1_EL1.Define(registers).WithValueField(0, 24, FieldMode.Read, name: "INTID",
                valueProviderCallback: _ => (ulong)HighestPending(CurrentGroup1));
            IccSystemRegisters.ICC_EOIR0_EL1.Define(registers).WithValueField(0, 24, FieldMode.Write, name: "INTID",
                writeCallback: (_, v) => EndOfInterrupt(GicGroup.Group0, (int)v));
            IccSystemRegisters.ICC_EOIR1_EL1.Define(registers).WithValueField(0, 24, FieldMode.Write, name: "INTID",
                writeCallback: (_, v) => EndOfInterrupt(CurrentGroup1, (int)v));
            IccSystemRegisters.ICC_DIR_EL1.Define(registers).WithValueField(0, 24, FieldMode.Write, name: "INTID",
                writeCallback: (_, v) => DeactivateByDir((int)v));
            IccSystemRegisters.ICC_RPR_EL1.Define(registers).WithValueField(0, 8, FieldMode.Read, name: "Priority",
                valueProviderCallback: _ => ReadRunningPriority());

            IccSystemRegisters.ICC_BPR0_EL1.Define(registers).WithValueField(0, 3, name: "BinaryPoint",
                valueProviderCallback: _ => (ulong)binaryPoint0,
                writeCallback: (_, v) =>
                {
                    binaryPoint0 = System.Math.Max((int)v, minimumBinaryPoint0);
                    gic.Arbiter.MarkDirty(ProcessorNumber);
                });
            IccSystemRegisters.ICC_BPR1_EL1.Define(registers).WithValueField(0, 3, name: "BinaryPoint",
                valueProviderCallback: _ => (ulong)ReadBinaryPoint1(),
                writeCallback: (_, v) =>
                {
                    if(!commonBinaryPoint[Bank])
                    {
                        binaryPoint1[Bank] = System.Math.Max((int)v, minimumBinaryPoint0 + 1);
                        gic.Arbiter.MarkDirty(ProcessorNumber);
                    }
                });

            IccSystemRegisters.ICC_CTLR_EL1.Define(registers)
                .WithFlag(0, name: "CBPR", valueProviderCallback: _ => commonBinaryPoint[Bank], writeCallback: (_, v) => SetCommonBinaryPoint(Bank, v))
                .WithFlag(1, name: "EOImode", valueProviderCallback: _ => eoiMode[Bank], writeCallback: (_, v) => eoiMode[Bank] = v)
                .WithReservedBits(2, 4)
                .WithFlag(6, FieldMode.Read, name: "PMHE", valueProviderCallback: _ => false)
                .WithReservedBits(7, 1)
                .WithValueField(8, 3, FieldMode.Read, name: "PRIbits", valueProviderCallback: _ => (ulong)(priorityBits - 1))
                .WithValueField(11, 3, FieldMode.Read, name: "IDbits", valueProviderCallback: _ => IdBitsField)
                .WithFlag(14, FieldMode.Read, name: "SEIS", valueProviderCallback: _ => false)
                .WithFlag(15, FieldMode.Read, name: "A3V", valueProviderCallback: _ => true)
                .WithReservedBits(16, 2)
                .WithFlag(18, FieldMode.Read, name: "RSS", valueProviderCallback: _ => true)
                .WithFlag(19, FieldMode.Read, name: "ExtRange", valueProviderCallback: _ => false)
                .WithReservedBits(20, 44);

            IccSystemRegisters.ICC_CTLR_EL3.Define(registers)
                .WithFlag(0, name: "CBPR_EL1S", valueProviderCallback: _ => commonBinaryPoint[Secure], writeCallback: (_, v) => SetCommonBinaryPoint(Secure, v))
                .WithFlag(1, name: "CBPR_EL1NS", valueProviderCallback: _ => commonBinaryPoint[NonSecure], writeCallback: (_, v) => SetCommonBinaryPoint(NonSecure, v))
                .WithFlag(2, name: "EOImode_EL3", valueProviderCallback: _ => eoiModeEl3, writeCallback: (_, v) => eoiModeEl3 = v)
                .WithFlag(3, name: "EOImode_EL1S", valueProviderCallback: _ => eoiMode[Secure], writeCallback: (_, v) => eoiMode[Secure] = v)
                .WithFlag(4, name: "EOImode_EL1NS", valueProviderCallback: _ => eoiMode[NonSecure], writeCallback: (_, v) => eoiMode[NonSecure] = v)
                .WithFlag(5, FieldMode.Read, name: "RM", valueProviderCallback: _ => false)
                .WithFlag(6, FieldMode.Read, name: "PMHE", valueProviderCallback: _ => false)
                .WithReservedBits(7, 1)
                .WithValueField(8, 3, FieldMode.Read, name: "PRIbits", valueProviderCallback: _ => (ulong)(priorityBits - 1))
                .WithValueField(11, 3, FieldMode.Read, name: "IDbits", valueProviderCallback: _ => IdBitsField)
                .WithFlag(14, FieldMode.Read, name: "SEIS", valueProviderCallback: _ => false)
                .WithFlag(15, FieldMode.Read, name: "A3V", valueProviderCallback: _ => true)
                .WithReservedBits(16, 1)
                .WithFlag(17, FieldMode.Read, name: "nDS", valueProviderCallback: _ => false)
                .WithFlag(18, FieldMode.Read, name: "RSS", valueProviderCallback: _ => true)
                .WithFlag(19, FieldMode.Read, name: "ExtRange", valueProviderCallback: _ => false)
                .WithReservedBits(20, 44);

            // SRE, DFB, DIB (and Enable at EL2/EL3) RAO/WI: only the System register interface exists.
            IccSystemRegisters.ICC_SRE_EL1.Define(registers, 0x7).WithValueField(0, 3, FieldMode.Read, name: "SRE_DFB_DIB").WithIgnoredBits(3, 61);
            IccSystemRegisters.ICC_SRE_EL2.Define(registers, 0xF).WithValueField(0, 4, FieldMode.Read, name: "SRE_DFB_DIB_Enable").WithIgnoredBits(4, 60);
            IccSystemRegisters.ICC_SRE_EL3.Define(registers, 0xF).WithValueField(0, 4, FieldMode.Read, name: "SRE_DFB_DIB_Enable").WithIgnoredBits(4, 60);

            IccSystemRegisters.ICC_IGRPEN0_EL1.Define(registers).WithFlag(0, name: "Enable",
                valueProviderCallback: _ => groupEnable0, writeCallback: (_, v) => SetGroupEnable(ref groupEnable0, v)).WithReservedBits(1, 63);
            IccSystemRegisters.ICC_IGRPEN1_EL1.Define(registers).WithFlag(0, name: "Enable",
                valueProviderCallback: _ => groupEnable1[Bank], writeCallback: (_, v) => SetGroupEnable(ref groupEnable1[Bank], v)).WithReservedBits(1, 63);
            IccSystemRegisters.ICC_IGRPEN1_EL3.Define(registers)
                .WithFlag(0, name: "EnableGrp1NS", valueProviderCallback: _ => groupEnable1[NonSecure], writeCallback: (_, v) => SetGroupEnable(ref groupEnable1[NonSecure], v))
                .WithFlag(1, name: "EnableGrp1S", valueProviderCallback: _ => groupEnable1[Secure], writeCallback: (_, v) => SetGroupEnable(ref groupEnable1[Secure], v))
                .WithReservedBits(2, 62);

            for(var n = 0; n < aprRegisterCount; n++)
            {
                var index = n;
                ((IccSystemRegisters)((uint)IccSystemRegisters.ICC_AP0R0_EL1 + (uint)n)).Define(registers).WithValueField(0, 32, name: "AP0R",
                    valueProviderCallback: _ => activePriorities[(int)GicGroup.Group0, index],
                    writeCallback: (_, v) => WriteActivePriorities(GicGroup.Group0, index, (uint)v)).WithReservedBits(32, 32);
                ((IccSystemRegisters)((uint)IccSystemRegisters.ICC_AP1R0_EL1 + (uint)n)).Define(registers).WithValueField(0, 32, name: "AP1R",
                    valueProviderCallback: _ => activePriorities[(int)CurrentGroup1, index],
                    writeCallback: (_, v) => WriteActivePriorities(CurrentGroup1, index, (uint)v)).WithReservedBits(32, 32);
            }

            IccSystemRegisters.ICC_SGI0R_EL1.Define(registers).WithValueField(0, 64, FieldMode.Write, name: "SGI0R",
                writeCallback: (_, v) => GenerateSgi(v, GicGroup.Group0));
            IccSystemRegisters.ICC_SGI1R_EL1.Define(registers).WithValueField(0, 64, FieldMode.Write, name: "SGI1R",
                writeCallback: (_, v) => GenerateSgi(v, CurrentGroup1));
            IccSystemRegisters.ICC_ASGI1R_EL1.Define(registers).WithValueField(0, 64, FieldMode.Write, name: "ASGI1R",
                writeCallback: (_, v) =>
                {
                    // The Group 1 of the other security state; with DS = 1 there is no other state (ignored).
                    if(gic.DisableSecurity)
                    {
                        gic.GuestError("cpu{0}: ICC_ASGI1R_EL1 written with GICD_CTLR.DS = 1; ignored", ProcessorNumber);
                        return;
                    }
                    GenerateSgi(v, currentAccess.Secure ? GicGroup.Group1NonSecure : GicGroup.Group1Secure);
                });
        }

        /// <summary>
        /// The registers of every interrupt (IAR1, EOIR1, HPPIR1, RPR, PMR) served without the register table: the
        /// same callbacks the table's fields call, with the same field masks. A write with bits outside the field
        /// goes through the table, which logs them.
        /// </summary>
        private bool TryReadHotRegister(uint encoding, out ulong value)
        {
            switch((IccSystemRegisters)encoding)
            {
            case IccSystemRegisters.ICC_IAR1_EL1:
                value = (ulong)Acknowledge(CurrentGroup1) & IntidFieldMask;
                return true;
            case IccSystemRegisters.ICC_HPPIR1_EL1:
                value = (ulong)HighestPending(CurrentGroup1) & IntidFieldMask;
                return true;
            case IccSystemRegisters.ICC_RPR_EL1:
                value = ReadRunningPriority() & PriorityFieldMask;
                return true;
            case IccSystemRegisters.ICC_PMR_EL1:
                value = ReadPriorityMask() & PriorityFieldMask;
                return true;
            default:
                value = 0;
                return false;
            }
        }

        private bool TryWriteHotRegister(uint encoding, ulong value)
        {
            switch((IccSystemRegisters)encoding)
            {
            case IccSystemRegisters.ICC_EOIR1_EL1 when(value & ~IntidFieldMask) == 0:
                EndOfInterrupt(CurrentGroup1, (int)value);
                return true;
            case IccSystemRegisters.ICC_PMR_EL1 when(value & ~PriorityFieldMask) == 0:
                WritePriorityMask((byte)value);
                return true;
            default:
                return false;
            }
        }

        private ulong ReadPriorityMask()
        {
            if(NonSecureView)
            {
                return (priorityMaskRegister & 0x80) == 0 ? 0UL : (ulong)((priorityMaskRegister << 1) & 0xFF);
            }
            return priorityMaskRegister;
        }

        private void WritePriorityMask(byte value)
        {
            if(NonSecureView)
            {
                // A Non-secure write cannot reach the Secure half of the priority range (IHI 0069 4.8, ICC_PMR_EL1).
                if((priorityMaskRegister & 0x80) == 0)
                {
                    return;
                }
                value = (byte)(0x80 | (value >> 1));
            }
            priorityMaskRegister = (byte)(value & priorityMask);
            gic.Arbiter.MarkDirty(ProcessorNumber);
        }

        private ulong ReadRunningPriority()
        {
            var running = RunningPriority;
            if(NonSecureView)
            {
                return (running & 0x80) == 0 ? 0UL : (ulong)((running << 1) & 0xFF);
            }
            return (ulong)running;
        }

        private int ReadBinaryPoint1()
        {
            var bank = Bank;
            if(commonBinaryPoint[bank])
            {
                return bank == NonSecure ? System.Math.Min(binaryPoint0 + 1, 7) : binaryPoint0;
            }
            return binaryPoint1[bank];
        }

        private void SetCommonBinaryPoint(int bank, bool value)
        {
            commonBinaryPoint[bank] = value;
            gic.Arbiter.MarkDirty(ProcessorNumber);
        }

        private void SetGroupEnable(ref bool field, bool value)
        {
            if(field == value)
            {
                return;
            }
            field = value;
            gic.OnOneOfNParticipationChanged();
            gic.Arbiter.MarkDirty(ProcessorNumber);
        }

        private void WriteActivePriorities(GicGroup group, int index, uint value)
        {
            activePriorities[(int)group, index] = value;
            gic.Arbiter.MarkDirty(ProcessorNumber);
        }

        /// <summary>
        /// ICC_IAR0/1_EL1 (IHI 0069 chapter 4, "Interrupt lifecycle": acknowledgement): returns the INTID of the highest-priority
        /// pending interrupt if it can be signalled and belongs to the group read, and makes it active; else a
        /// special INTID.
        /// </summary>
        private int Acknowledge(GicGroup requestedGroup)
        {
            if(!TryGetSignallable(out var intid, out var priority, out var group))
            {
                return SpuriousIntid;
            }
            if(group != requestedGroup)
            {
                return SpecialIntidFor(requestedGroup, group);
            }
            if(intid >= LpiPendingSet.FirstLpi)
            {
                // LPIs have no active state: acknowledging clears the pending state (Lpi/Redistributor.Lpi.cs).
                gic.RedistributorOf(ProcessorNumber).AcknowledgeLpi(intid);
            }
            else
            {
                var bank = gic.BankFor(ProcessorNumber, intid);
                if(bank == null)
                {
                    return SpuriousIntid;
                }
                bank.Active[intid] = true;
                bank.PendingLatch[intid] = false;
                gic.Requeue(bank, intid);
            }
            var activeBit = (priority & GroupPriorityMask(group)) >> (8 - preemptionBits);
            activePriorities[(int)group, activeBit / 32] |= 1u << (activeBit % 32);
            gic.Arbiter.MarkDirty(ProcessorNumber);
            gic.Trace(GicTraceKind.Acknowledged, intid, ProcessorNumber, priority);
            return intid;
        }

        /// <summary>ICC_HPPIR0/1_EL1: the highest-priority pending interrupt of an enabled group, without masking by PMR or running priority.</summary>
        private int HighestPending(GicGroup requestedGroup)
        {
            var mask = gic.DistributorGroupMask & EnabledGroupMask;
            if(!gic.Arbiter.TryGetHighest(ProcessorNumber, mask, out var intid, out _, out var group))
            {
                return SpuriousIntid;
            }
            return group == requestedGroup ? intid : SpecialIntidFor(requestedGroup, group);
        }

        /// <summary>
        /// 1020/1021 are returned only to EL3 reading the Group 0 registers when the pending interrupt is Secure/
        /// Non-secure Group 1 (IHI 0069 2.2.1 "Special INTIDs"); everything else gets 1023.
        /// </summary>
        private int SpecialIntidFor(GicGroup requestedGroup, GicGroup pendingGroup)
        {
            if(requestedGroup == GicGroup.Group0 && currentAccess.ExceptionLevel == 3 && !gic.DisableSecurity)
            {
                return pendingGroup == GicGroup.Group1Secure ? 1020 : 1021;
            }
            return SpuriousIntid;
        }

        /// <summary>ICC_EOIR0/1_EL1: priority drop, plus deactivation unless EOImode splits them.</summary>
        private void EndOfInterrupt(GicGroup group, int intid)
        {
            if(intid >= 1020 && intid <= 1023)
            {
                return;
            }
            if(intid < LpiPendingSet.FirstLpi && gic.BankFor(ProcessorNumber, intid) == null)
            {
                gic.GuestError("cpu{0}: EOI of INTID {1}, which is not implemented; ignored", ProcessorNumber, intid);
                return;
            }
            if(!DropPriority(group, intid))
            {
                return;
            }
            gic.Trace(GicTraceKind.PriorityDropped, intid, ProcessorNumber);
            var split = currentAccess.ExceptionLevel == 3 ? eoiModeEl3 : eoiMode[Bank];
            if(!split)
            {
                Deactivate(intid);
            }
        }

        /// <summary>Clears the highest active priority bit if it belongs to <paramref name="group"/>.</summary>
        private bool DropPriority(GicGroup group, int intid)
        {
            for(var n = 0; n < aprRegisterCount; n++)
            {
                var combined = activePriorities[0, n] | activePriorities[1, n] | activePriorities[2, n];
                if(combined == 0)
                {
                    continue;
                }
                var bit = 1u << BitOperations.TrailingZeroCount(combined);
                var owner = (activePriorities[0, n] & bit) != 0 ? GicGroup.Group0
                    : (activePriorities[1, n] & bit) != 0 ? GicGroup.Group1Secure : GicGroup.Group1NonSecure;
                if(owner != group)
                {
                    gic.GuestError("cpu{0}: EOI of INTID {1} for {2}, but the highest active priority belongs to {3}; ignored",
                        ProcessorNumber, intid, group, owner);
                    return false;
                }
                activePriorities[(int)owner, n] &= ~bit;
                gic.Arbiter.MarkDirty(ProcessorNumber);
                return true;
            }
            gic.GuestError("cpu{0}: EOI of INTID {1} with no active priority; ignored", ProcessorNumber, intid);
            return false;
        }

        private void DeactivateByDir(int intid)
        {
            if(intid >= 1020 && intid <= 1023)
            {
                return;
            }
            var split = currentAccess.ExceptionLevel == 3 ? eoiModeEl3 : eoiMode[Bank];
            if(!split)
            {
                // UNPREDICTABLE in the architecture (ICC_DIR_EL1 with EOImode = 0); ignored, as QEMU does.
                gic.GuestError("cpu{0}: ICC_DIR_EL1 written (INTID {1}) while EOImode = 0; ignored", ProcessorNumber, intid);
                return;
            }
            Deactivate(intid);
        }

        private void Deactivate(int intid)
        {
            if(intid >= LpiPendingSet.FirstLpi)
            {
                return; // LPIs have no active state: an EOI only drops the running priority.
            }
            var bank = gic.BankFor(ProcessorNumber, intid);
            if(bank == null)
            {
                gic.GuestError("cpu{0}: deactivation of INTID {1}, which is not implemented; ignored", ProcessorNumber, intid);
                return;
            }
            if(NonSecureView && bank.GroupOf(intid, gic.DisableSecurity) != GicGroup.Group1NonSecure)
            {
                // Non-secure software cannot deactivate Group 0 or Secure Group 1 interrupts.
                return;
            }
            if(!bank.Active[intid])
            {
                gic.GuestError("cpu{0}: deactivation of INTID {1}, which is not active; ignored", ProcessorNumber, intid);
                return;
            }
            bank.Active[intid] = false;
            gic.Requeue(bank, intid);
            gic.Trace(GicTraceKind.Deactivated, intid, ProcessorNumber);
        }

        /// <summary>
        /// ICC_SGI0R/SGI1R/ASGI1R_EL1: INTID[27:24], TargetList[15:0], Aff1[23:16], Aff2[39:32], IRM[40],
        /// RS[47:44], Aff3[55:48]. IRM = 1 targets every processor but this one.
        /// </summary>
        private void GenerateSgi(ulong value, GicGroup group)
        {
            var intid = (int)((value >> 24) & 0xF);
            var targetList = (uint)(value & 0xFFFF);
            var affinity1 = (value >> 16) & 0xFF;
            var affinity2 = (value >> 32) & 0xFF;
            var broadcast = ((value >> 40) & 1) != 0;
            var rangeSelector = (int)((value >> 44) & 0xF);
            var affinity3 = (value >> 48) & 0xFF;
            var fromNonSecure = !currentAccess.Secure;
            var upperAffinity = (affinity3 << 32) | (affinity2 << 16) | (affinity1 << 8);
            for(var processor = 0; processor < gic.MaximumCpus; processor++)
            {
                if(!gic.IsAttached(processor))
                {
                    continue;
                }
                if(broadcast)
                {
                    if(processor != ProcessorNumber)
                    {
                        gic.RedistributorOf(processor).ReceiveSgi(intid, group, fromNonSecure);
                    }
                    continue;
                }
                var affinity = gic.AffinityOf(processor);
                if((affinity & ~0xFFUL) != upperAffinity)
                {
                    continue;
                }
                var slot = (int)(affinity & 0xFF) - 16 * rangeSelector;
                if(slot >= 0 && slot < 16 && (targetList & (1u << slot)) != 0)
                {
                    gic.RedistributorOf(processor).ReceiveSgi(intid, group, fromNonSecure);
                }
            }
        }

        private const int Secure = 0;
        private const int NonSecure = 1;
        private const int SpuriousIntid = 1023;
        private const int IdlePriority = 0xFF;
        private const ulong IntidFieldMask = 0xFF_FFFF; // INTID[23:0] of IAR/EOIR/HPPIR
        private const ulong PriorityFieldMask = 0xFF; // Priority[7:0] of PMR/RPR
        private ulong IdBitsField => gic.LpiIdBits > 16 ? 1UL : 0UL; // 0: 16 INTID bits, 1: 24 INTID bits

        private readonly ArmGicV3 gic;
        private readonly int priorityBits;
        private readonly int preemptionBits;
        private readonly byte priorityMask;
        private readonly int minimumBinaryPoint0;
        private readonly int aprRegisterCount;
        private readonly QuadWordRegisterCollection registers;
        private readonly uint[,] activePriorities = new uint[PriorityArbiter.GroupCount, 4];
        private readonly int[] binaryPoint1 = new int[2];
        private readonly bool[] commonBinaryPoint = new bool[2];
        private readonly bool[] eoiMode = new bool[2];
        private readonly bool[] groupEnable1 = new bool[2];
        private GicAccess currentAccess;
        private byte priorityMaskRegister;
        private int binaryPoint0;
        private bool eoiModeEl3;
        private bool groupEnable0;
    }
}
