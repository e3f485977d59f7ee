// One GICv3 Redistributor (IHI 0069 chapter 12, the GICR_* registers): the RD_base frame (control, identity,
// power management, LPI table bases) and the SGI_base frame (the SGI and PPI state of its processor).
// IMPDEF choices here:
// - GICR_TYPER: PLPIS = 1, VLPIS = 1 with architectureRevision = 4 (VLPI_base frame: RedistributorVlpi.cs); DirectLPI = the ArmGicV3 option directLpi; DPGS = 1 (GICR_CTLR.DPG* implemented,
//   used by 1-of-N SPI routing); CommonLPIAff = 0; Last set on the highest attached processor's frame.
// - GICR_WAKER: ProcessorSleep resets to 1 and ChildrenAsleep follows it at once (no handshake delay). Like
//   QEMU, a sleeping redistributor still forwards interrupts; ProcessorSleep only removes the processor from
//   1-of-N participation.
// - PPIs are configurable edge/level in GICR_ICFGR1 (as QEMU); SGIs are always edge (GICR_ICFGR0 RAO/WI).
// - With one security state SGIs and PPIs reset to Group 1 (as QEMU's virt machine without EL3).
// - LPIs (GICR_CTLR.EnableLPIs, PROPBASER/PENDBASER, SETLPIR/CLRLPIR/INVLPIR/INVALLR/SYNCR): Lpi/Redistributor.Lpi.cs.
using Antmicro.Renode.Core.Structure.Registers;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed partial class Redistributor
    {
        public Redistributor(ArmGicV3 gic, int processorNumber, bool supportsTwoSecurityStates, int architectureRevision)
        {
            this.gic = gic;
            ProcessorNumber = processorNumber;
            this.supportsTwoSecurityStates = supportsTwoSecurityStates;
            Private = new InterruptState(32, processorNumber);
            block = new GicMmioBlock(gic, $"gicr{processorNumber}");
            DefineRegisters(architectureRevision);
        }

        public int ProcessorNumber { get; }

        /// <summary>SGIs (INTIDs 0-15) and PPIs (16-31) of this processor.</summary>
        public InterruptState Private { get; }

        public bool ProcessorSleep { get; private set; }

        /// <summary>GICR_CTLR.DPG0/DPG1S/DPG1NS: this processor does not take part in 1-of-N for that group.</summary>
        public bool IsGroupSelectionDisabled(GicGroup group)
        {
            switch(group)
            {
            case GicGroup.Group0:
                return disableGroup0Selection;
            case GicGroup.Group1Secure:
                return disableGroup1SecureSelection;
            default:
                return disableGroup1NonSecureSelection;
            }
        }

        public ulong Read(long offset, int size) => block.Read(offset, size);

        public void Write(long offset, int size, ulong value) => block.Write(offset, size, value);

        public void Reset()
        {
            Private.Reset(0, group1AtReset: !supportsTwoSecurityStates, edgeAtReset: false);
            for(var sgi = 0; sgi < 16; sgi++)
            {
                Private.EdgeTriggered[sgi] = true;
            }
            ProcessorSleep = true;
            disableGroup0Selection = false;
            disableGroup1SecureSelection = false;
            disableGroup1NonSecureSelection = false;
            propBaser = 0;
            pendBaser = 0;
            ResetLpis();
            ResetVlpis();
            block.Reset();
        }

        /// <summary>Sets the input line of a PPI (INTID 16-31).</summary>
        public void SetPpiLine(int intid, bool level)
        {
            gic.TraceLine(Private, intid, level);
            var wasHigh = Private.LineLevel[intid];
            Private.LineLevel[intid] = level;
            if(level && !wasHigh && Private.EdgeTriggered[intid])
            {
                Private.PendingLatch[intid] = true;
            }
            gic.Requeue(Private, intid);
        }

        /// <summary>
        /// Makes an SGI pending if the group the sender asked for matches its configuration (IHI 0069, ICC_SGI0R_EL1 /
        /// ICC_SGI1R_EL1 / ICC_ASGI1R_EL1 descriptions): a Secure Group 1 request also reaches a Group 0 SGI; a
        /// Non-secure request for a Secure SGI needs GICR_NSACR (>= 1 for Group 0, >= 2 for Secure Group 1).
        /// </summary>
        public void ReceiveSgi(int intid, GicGroup requested, bool fromNonSecure)
        {
            var configured = Private.GroupOf(intid, gic.DisableSecurity);
            if(requested == GicGroup.Group1Secure && configured == GicGroup.Group0)
            {
                requested = GicGroup.Group0;
            }
            if(requested != configured)
            {
                return;
            }
            if(fromNonSecure && !gic.DisableSecurity)
            {
                var access = Private.NonSecureAccess[intid];
                if((configured == GicGroup.Group0 && access < 1) || (configured == GicGroup.Group1Secure && access < 2))
                {
                    return;
                }
            }
            Private.PendingLatch[intid] = true;
            gic.Requeue(Private, intid);
        }

        private void DefineRegisters(int architectureRevision)
        {
            var words = block.Words;
            var quads = block.Quads;

            GicrRegisters.GICR_CTLR.Define(words)
                .WithFlag(0, name: "EnableLPIs", valueProviderCallback: _ => LpisEnabled, writeCallback: (_, v) => WriteEnableLpis(v))
                .WithFlag(1, FieldMode.Read, name: "CES", valueProviderCallback: _ => false)
                .WithFlag(2, FieldMode.Read, name: "IR", valueProviderCallback: _ => false)
                .WithFlag(3, FieldMode.Read, name: "RWP", valueProviderCallback: _ => false)
                .WithReservedBits(4, 20)
                .WithFlag(24, name: "DPG0", valueProviderCallback: _ => disableGroup0Selection, writeCallback: (_, v) => SetSelection(ref disableGroup0Selection, v))
                .WithFlag(25, name: "DPG1NS", valueProviderCallback: _ => disableGroup1NonSecureSelection, writeCallback: (_, v) => SetSelection(ref disableGroup1NonSecureSelection, v))
                .WithFlag(26, name: "DPG1S", valueProviderCallback: _ => !gic.DisableSecurity && disableGroup1SecureSelection,
                    writeCallback: (_, v) => SetSelection(ref disableGroup1SecureSelection, v && !gic.DisableSecurity))
                .WithReservedBits(27, 4)
                .WithFlag(31, FieldMode.Read, name: "UWP", valueProviderCallback: _ => false);

            GicrRegisters.GICR_IIDR.Define(words, ArmGicV3.ImplementerIidr).WithValueField(0, 32, FieldMode.Read, name: "IIDR");

            quads.DefineRegister((long)GicrRegisters.GICR_TYPER)
                .WithFlag(0, FieldMode.Read, name: "PLPIS", valueProviderCallback: _ => true)
                .WithFlag(1, FieldMode.Read, name: "VLPIS", valueProviderCallback: _ => gic.VlpisSupported)
                .WithFlag(2, FieldMode.Read, name: "Dirty", valueProviderCallback: _ => gic.VlpisSupported)
                .WithFlag(3, FieldMode.Read, name: "DirectLPI", valueProviderCallback: _ => gic.DirectLpi)
                .WithFlag(4, FieldMode.Read, name: "Last", valueProviderCallback: _ => gic.IsLastAttached(ProcessorNumber))
                .WithFlag(5, FieldMode.Read, name: "DPGS", valueProviderCallback: _ => true)
                .WithFlag(6, FieldMode.Read, name: "MPAM", valueProviderCallback: _ => false)
                .WithFlag(7, FieldMode.Read, name: "RVPEID", valueProviderCallback: _ => gic.Gicv41)
                .WithValueField(8, 16, FieldMode.Read, name: "Processor_Number", valueProviderCallback: _ => (ulong)ProcessorNumber)
                .WithValueField(24, 2, FieldMode.Read, name: "CommonLPIAff", valueProviderCallback: _ => 0)
                .WithFlag(26, FieldMode.Read, name: "VSGI", valueProviderCallback: _ => gic.Gicv41)
                .WithValueField(27, 5, FieldMode.Read, name: "PPInum", valueProviderCallback: _ => 0)
                .WithValueField(32, 32, FieldMode.Read, name: "Affinity_Value", valueProviderCallback: _ => gic.AffinityValueOf(ProcessorNumber));

            // Optional error reporting register: not implemented, RAZ/WI.
            GicrRegisters.GICR_STATUSR.Define(words).WithValueField(0, 32, FieldMode.Read, valueProviderCallback: _ => 0, name: "STATUSR");

            GicrRegisters.GICR_WAKER.Define(words)
                .WithFlag(0, FieldMode.Read, name: "IMPDEF", valueProviderCallback: _ => false)
                .WithFlag(1, name: "ProcessorSleep", valueProviderCallback: _ => ProcessorSleep, writeCallback: (_, v) => SetProcessorSleep(v))
                .WithFlag(2, FieldMode.Read, name: "ChildrenAsleep", valueProviderCallback: _ => ProcessorSleep)
                .WithReservedBits(3, 28)
                .WithFlag(31, FieldMode.Read, name: "IMPDEF", valueProviderCallback: _ => false);

            // IHI 0069, GICR_PROPBASER: PA[51:12], caching/shareability attributes, IDbits[4:0].
            quads.DefineRegister((long)GicrRegisters.GICR_PROPBASER).WithValueField(0, 64, name: "PROPBASER",
                valueProviderCallback: _ => propBaser, writeCallback: (_, v) => WritePropBaser(v));
            // IHI 0069, GICR_PENDBASER: PTZ[62] (write-only), PA[51:16], attributes.
            quads.DefineRegister((long)GicrRegisters.GICR_PENDBASER).WithValueField(0, 64, name: "PENDBASER",
                valueProviderCallback: _ => pendBaser, writeCallback: (_, v) => WritePendBaser(v));
            words.DefineRegister((long)GicrRegisters.GICR_SYNCR).WithFlag(0, FieldMode.Read, name: "Busy", valueProviderCallback: _ => ReadSyncBusy()).WithReservedBits(1, 31);
            DefineLpiRegisters(quads);
            if(architectureRevision >= 4)
            {
                DefineVlpiRegisters(quads);
            }

            Distributor.DefineIdRegisters(words, ArmGicV3.RedistributorPidr0, architectureRevision);

            bool All(int intid) => true;
            PerInterruptRegisters.Define(words, (long)GicrRegisters.GICR_IGROUPR0, 1, 1, All,
                i => Private.Group[i] ? 1UL : 0UL, (i, v) => SetGroup(i, v != 0, Private.GroupModifier[i]), "GICR_IGROUPR");
            PerInterruptRegisters.Define(words, (long)GicrRegisters.GICR_IGRPMODR0, 1, 1, All,
                i => !gic.DisableSecurity && Private.GroupModifier[i] ? 1UL : 0UL,
                (i, v) =>
                {
                    if(!gic.DisableSecurity)
                    {
                        SetGroup(i, Private.Group[i], v != 0);
                    }
                }, "GICR_IGRPMODR");
            PerInterruptRegisters.Define(words, (long)GicrRegisters.GICR_ISENABLER0, 1, 1, All,
                i => Private.Enabled[i] ? 1UL : 0UL, (i, v) => SetIf(v, Private.Enabled, i, true), "GICR_ISENABLER");
            PerInterruptRegisters.Define(words, (long)GicrRegisters.GICR_ICENABLER0, 1, 1, All,
                i => Private.Enabled[i] ? 1UL : 0UL, (i, v) => SetIf(v, Private.Enabled, i, false), "GICR_ICENABLER");
            PerInterruptRegisters.Define(words, (long)GicrRegisters.GICR_ISPENDR0, 1, 1, All,
                i => Private.IsPending(i) ? 1UL : 0UL, (i, v) => SetIf(v, Private.PendingLatch, i, true), "GICR_ISPENDR");
            PerInterruptRegisters.Define(words, (long)GicrRegisters.GICR_ICPENDR0, 1, 1, All,
                i => Private.IsPending(i) ? 1UL : 0UL, (i, v) => SetIf(v, Private.PendingLatch, i, false), "GICR_ICPENDR");
            PerInterruptRegisters.Define(words, (long)GicrRegisters.GICR_ISACTIVER0, 1, 1, All,
                i => Private.Active[i] ? 1UL : 0UL, (i, v) => SetIf(v, Private.Active, i, true), "GICR_ISACTIVER");
            PerInterruptRegisters.Define(words, (long)GicrRegisters.GICR_ICACTIVER0, 1, 1, All,
                i => Private.Active[i] ? 1UL : 0UL, (i, v) => SetIf(v, Private.Active, i, false), "GICR_ICACTIVER");
            PerInterruptRegisters.Define(words, (long)GicrRegisters.GICR_IPRIORITYR0, 8, 8, All,
                i => Private.Priority[i],
                (i, v) =>
                {
                    Private.Priority[i] = (byte)v;
                    gic.Requeue(Private, i);
                }, "GICR_IPRIORITYR");
            // GICR_ICFGR0 (SGIs): always edge, RAO/WI on the odd bits; GICR_ICFGR1 (PPIs): configurable.
            PerInterruptRegisters.Define(words, (long)GicrRegisters.GICR_ICFGR0, 2, 2, All,
                i => Private.EdgeTriggered[i] ? 2UL : 0UL,
                (i, v) =>
                {
                    if(i >= 16)
                    {
                        Private.EdgeTriggered[i] = (v & 2) != 0;
                        gic.Requeue(Private, i);
                    }
                }, "GICR_ICFGR");
            PerInterruptRegisters.Define(words, (long)GicrRegisters.GICR_NSACR, 1, 2, i => i < 16,
                i => gic.DisableSecurity ? 0UL : Private.NonSecureAccess[i],
                (i, v) =>
                {
                    if(!gic.DisableSecurity)
                    {
                        Private.NonSecureAccess[i] = (byte)v;
                    }
                }, "GICR_NSACR");

            block.AllowByteAccess((long)GicrRegisters.GICR_IPRIORITYR0, 0x20);
        }

        private void SetSelection(ref bool field, bool value)
        {
            if(field == value)
            {
                return;
            }
            field = value;
            gic.OnOneOfNParticipationChanged();
        }

        private void SetProcessorSleep(bool value)
        {
            if(ProcessorSleep == value)
            {
                return;
            }
            ProcessorSleep = value;
            gic.OnOneOfNParticipationChanged();
        }

        private void SetIf(ulong written, bool[] state, int intid, bool value)
        {
            if(written == 0 || state[intid] == value)
            {
                return;
            }
            state[intid] = value;
            gic.Requeue(Private, intid);
        }

        private void SetGroup(int intid, bool group, bool modifier)
        {
            Private.Group[intid] = group;
            Private.GroupModifier[intid] = modifier;
            gic.Requeue(Private, intid);
        }

        private const ulong PropBaserMask = 0x0700_0FFF_FFFF_FF9FUL;
        private const ulong PendBaserMask = 0x0700_0FFF_FFFF_0F80UL;

        private readonly ArmGicV3 gic;
        private readonly bool supportsTwoSecurityStates;
        private readonly GicMmioBlock block;
        private ulong propBaser;
        private ulong pendBaser;
        private bool disableGroup0Selection;
        private bool disableGroup1SecureSelection;
        private bool disableGroup1NonSecureSelection;
    }
}
