// The GICv3 Distributor (IHI 0069 chapter 12, the GICD_* registers): SPI state, GICD_CTLR group enables, GICD_IROUTER routing.
//
// Affinity routing is always enabled (ARE_S/ARE_NS RAO/WI, as in QEMU): the legacy registers GICD_ITARGETSR,
// GICD_SGIR, GICD_SPENDSGIR/CPENDSGIR and the INTID 0-31 parts of the per-interrupt families are RAZ/WI
// (IHI 0069, GICD_* register descriptions: RES0 when affinity routing is enabled); SGIs and PPIs live in the Redistributors.
// IMPDEF choices here:
// - GICD_TYPER: IDbits = lpiIdBits - 1 (15 by default: 16-bit INTIDs, as QEMU), A3V = 1, RSS = 1 (ICC_SGI1R.RS is
//   honoured), No1N = 0 (1-of-N SPI routing implemented, QEMU has No1N = 1), MBIS = 0 (no GICD_SETSPI_*: a
//   write is logged as a guest error and ignored, as on QEMU), LPIS = 1 (IDbits = lpiIdBits - 1), ESPI = 0.
// - GICD_IIDR 0x43B (Arm, product 0, r0p0) and the ID registers of an Arm GIC-500-like part, as QEMU reports.
// - Priority fields keep all 8 bits (as QEMU); the CPU interface ignores bits below its PRIbits.
// - With one security state the SPIs reset to Group 1 (IGROUPR all ones; the architecture says UNKNOWN),
//   matching QEMU's virt machine without EL3, so firmware that never writes IGROUPR still receives IRQs.
// - MMIO carries no security attribute here, so in two-security-state mode every access uses the Secure view.
// - 1-of-N (IROUTER.Interrupt_Routing_Mode = 1): the target is the lowest-numbered attached processor that
//   participates (IHI 0069, "Routing SPIs and SGIs by PE affinity"): GICR_WAKER.ProcessorSleep = 0, GICR_CTLR.DPG<group> = 0 and the
//   group enabled in its ICC_IGRPEN<n>; with no participant the SPI stays pending and unforwarded.
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed class Distributor
    {
        public Distributor(ArmGicV3 gic, int numberOfSPIs, bool supportsTwoSecurityStates, int architectureRevision)
        {
            this.gic = gic;
            this.supportsTwoSecurityStates = supportsTwoSecurityStates;
            this.architectureRevision = architectureRevision;
            InterruptCount = 32 + numberOfSPIs;
            Spis = new InterruptState(InterruptCount, -1);
            router = new ulong[InterruptCount];
            target = new int[InterruptCount];
            block = new GicMmioBlock(gic, "gicd");
            DefineRegisters();
        }

        /// <summary>INTIDs 0 .. InterruptCount-1 exist (the SPIs are 32 and above).</summary>
        public int InterruptCount { get; }

        public InterruptState Spis { get; }

        /// <summary>GICD_CTLR.DS: one security state (RAO/WI without two security states).</summary>
        public bool DisableSecurity { get; private set; }

        public bool EnableGroup0 { get; private set; }

        public bool EnableGroup1NonSecure { get; private set; }

        public bool EnableGroup1Secure { get; private set; }

        /// <summary>Bit g set when group g is enabled here (GICD_CTLR.EnableGrp0/EnableGrp1S/EnableGrp1NS).</summary>
        public int EnabledGroupMask =>
            (EnableGroup0 ? 1 << (int)GicGroup.Group0 : 0)
            | (EnableGroup1Secure && !DisableSecurity ? 1 << (int)GicGroup.Group1Secure : 0)
            | (EnableGroup1NonSecure ? 1 << (int)GicGroup.Group1NonSecure : 0);

        public bool IsSpi(int intid) => intid >= 32 && intid < InterruptCount;

        /// <summary>The processor an SPI is routed to, or -1.</summary>
        public int TargetOf(int intid) => target[intid];

        public ulong Read(long offset, int size) => block.Read(offset, size);

        public void Write(long offset, int size, ulong value) => block.Write(offset, size, value);

        public void Reset()
        {
            DisableSecurity = !supportsTwoSecurityStates;
            EnableGroup0 = false;
            EnableGroup1NonSecure = false;
            EnableGroup1Secure = false;
            e1nwf = false;
            Spis.Reset(32, group1AtReset: !supportsTwoSecurityStates, edgeAtReset: false);
            for(var i = 0; i < InterruptCount; i++)
            {
                router[i] = 0;
            }
            oneOfNCount = 0;
            block.Reset();
        }

        /// <summary>Recomputes the target of every SPI (after reset, a CPU attach, a DS change, ...).</summary>
        public void RetargetAll()
        {
            for(var intid = 32; intid < InterruptCount; intid++)
            {
                Retarget(intid);
            }
        }

        /// <summary>Recomputes the target of the SPIs using 1-of-N routing (participation changed).</summary>
        public void RetargetOneOfN()
        {
            if(oneOfNCount == 0)
            {
                return;
            }
            for(var intid = 32; intid < InterruptCount; intid++)
            {
                if((router[intid] & InterruptRoutingModeBit) != 0)
                {
                    Retarget(intid);
                }
            }
        }

        /// <summary>Sets the input line of an SPI (IHI 0069 4.1.2: a rising edge latches an edge-triggered SPI).</summary>
        public void SetLine(int intid, bool level)
        {
            gic.TraceLine(Spis, intid, level);
            var wasHigh = Spis.LineLevel[intid];
            Spis.LineLevel[intid] = level;
            if(level && !wasHigh && Spis.EdgeTriggered[intid])
            {
                Spis.PendingLatch[intid] = true;
            }
            gic.Requeue(Spis, intid);
        }

        private void Retarget(int intid)
        {
            var route = router[intid];
            int newTarget;
            if((route & InterruptRoutingModeBit) != 0)
            {
                newTarget = gic.ChooseOneOfN(Spis.GroupOf(intid, DisableSecurity));
            }
            else
            {
                newTarget = gic.FindProcessorByAffinity(route & AffinityMask);
            }
            target[intid] = newTarget;
            gic.Requeue(Spis, intid);
        }

        private void DefineRegisters()
        {
            var words = block.Words;
            GicdRegisters.GICD_CTLR.Define(words)
                .WithFlag(0, name: "EnableGrp0", valueProviderCallback: _ => EnableGroup0, writeCallback: (_, v) => SetControl(0, v))
                .WithFlag(1, name: "EnableGrp1NS", valueProviderCallback: _ => EnableGroup1NonSecure, writeCallback: (_, v) => SetControl(1, v))
                .WithFlag(2, name: "EnableGrp1S", valueProviderCallback: _ => !DisableSecurity && EnableGroup1Secure, writeCallback: (_, v) => SetControl(2, v))
                .WithReservedBits(3, 1)
                .WithFlag(4, FieldMode.Read, name: "ARE_S", valueProviderCallback: _ => true)
                .WithFlag(5, FieldMode.Read, name: "ARE_NS", valueProviderCallback: _ => !DisableSecurity)
                .WithFlag(6, name: "DS", valueProviderCallback: _ => DisableSecurity, writeCallback: (_, v) => SetDisableSecurity(v))
                .WithFlag(7, name: "E1NWF", valueProviderCallback: _ => e1nwf, writeCallback: (_, v) => e1nwf = v)
                .WithReservedBits(8, 23)
                .WithFlag(31, FieldMode.Read, name: "RWP", valueProviderCallback: _ => false);

            GicdRegisters.GICD_TYPER.Define(words)
                .WithValueField(0, 5, FieldMode.Read, name: "ITLinesNumber", valueProviderCallback: _ => (ulong)((InterruptCount + 31) / 32 - 1))
                .WithValueField(5, 3, FieldMode.Read, name: "CPUNumber", valueProviderCallback: _ => 0)
                .WithFlag(8, FieldMode.Read, name: "ESPI", valueProviderCallback: _ => false)
                .WithFlag(9, FieldMode.Read, name: "NMI", valueProviderCallback: _ => false)
                .WithFlag(10, FieldMode.Read, name: "SecurityExtn", valueProviderCallback: _ => !DisableSecurity)
                .WithValueField(11, 5, FieldMode.Read, name: "num_LPIs", valueProviderCallback: _ => 0)
                .WithFlag(16, FieldMode.Read, name: "MBIS", valueProviderCallback: _ => false)
                .WithFlag(17, FieldMode.Read, name: "LPIS", valueProviderCallback: _ => true)
                .WithFlag(18, FieldMode.Read, name: "DVIS", valueProviderCallback: _ => false)
                .WithValueField(19, 5, FieldMode.Read, name: "IDbits", valueProviderCallback: _ => (ulong)(gic.LpiIdBits - 1))
                .WithFlag(24, FieldMode.Read, name: "A3V", valueProviderCallback: _ => true)
                .WithFlag(25, FieldMode.Read, name: "No1N", valueProviderCallback: _ => false)
                .WithFlag(26, FieldMode.Read, name: "RSS", valueProviderCallback: _ => true)
                .WithValueField(27, 5, FieldMode.Read, name: "ESPI_range", valueProviderCallback: _ => 0);

            GicdRegisters.GICD_IIDR.Define(words, ArmGicV3.ImplementerIidr).WithValueField(0, 32, FieldMode.Read, name: "IIDR");
            // GICD_TYPER2 (GICv4.1): VID[4:0] and VIL[7] = 0 (vPEIDs are 16 bits), nASSGIcap[8] = 0 (physical SGIs always
            // have an active state; vSGIs never do, whatever this bit says). All zero before GICv4.1.
            GicdRegisters.GICD_TYPER2.Define(words)
                .WithValueField(0, 5, FieldMode.Read, name: "VID", valueProviderCallback: _ => 0)
                .WithReservedBits(5, 2)
                .WithFlag(7, FieldMode.Read, name: "VIL", valueProviderCallback: _ => false)
                .WithFlag(8, FieldMode.Read, name: "nASSGIcap", valueProviderCallback: _ => false)
                .WithReservedBits(9, 23);
            // Optional error reporting register: not implemented, RAZ/WI (as QEMU).
            GicdRegisters.GICD_STATUSR.Define(words).WithValueField(0, 32, FieldMode.Read, valueProviderCallback: _ => 0, name: "STATUSR");

            foreach(var messageRegister in new[] { GicdRegisters.GICD_SETSPI_NSR, GicdRegisters.GICD_CLRSPI_NSR, GicdRegisters.GICD_SETSPI_SR, GicdRegisters.GICD_CLRSPI_SR })
            {
                var registerName = messageRegister.ToString();
                messageRegister.Define(words).WithValueField(0, 32, FieldMode.Read, valueProviderCallback: _ => 0, name: registerName)
                    .WithWriteCallback((_, v) => gic.GuestError("gicd: {0} written (0x{1:X}) but GICD_TYPER.MBIS = 0; ignored", registerName, v));
            }

            const int familyRegisters = 32; // INTIDs 0..1023
            PerInterruptRegisters.Define(words, (long)GicdRegisters.GICD_IGROUPR, familyRegisters, 1, IsSpi,
                i => Spis.Group[i] ? 1UL : 0UL, (i, v) => SetGroup(i, v != 0, Spis.GroupModifier[i]), "GICD_IGROUPR");
            PerInterruptRegisters.Define(words, (long)GicdRegisters.GICD_IGRPMODR, familyRegisters, 1, IsSpi,
                i => !DisableSecurity && Spis.GroupModifier[i] ? 1UL : 0UL,
                (i, v) =>
                {
                    if(!DisableSecurity)
                    {
                        SetGroup(i, Spis.Group[i], v != 0);
                    }
                }, "GICD_IGRPMODR");
            PerInterruptRegisters.Define(words, (long)GicdRegisters.GICD_ISENABLER, familyRegisters, 1, IsSpi,
                i => Spis.Enabled[i] ? 1UL : 0UL, (i, v) => SetIf(v, Spis.Enabled, i, true), "GICD_ISENABLER");
            PerInterruptRegisters.Define(words, (long)GicdRegisters.GICD_ICENABLER, familyRegisters, 1, IsSpi,
                i => Spis.Enabled[i] ? 1UL : 0UL, (i, v) => SetIf(v, Spis.Enabled, i, false), "GICD_ICENABLER");
            PerInterruptRegisters.Define(words, (long)GicdRegisters.GICD_ISPENDR, familyRegisters, 1, IsSpi,
                i => Spis.IsPending(i) ? 1UL : 0UL, (i, v) => SetIf(v, Spis.PendingLatch, i, true), "GICD_ISPENDR");
            PerInterruptRegisters.Define(words, (long)GicdRegisters.GICD_ICPENDR, familyRegisters, 1, IsSpi,
                i => Spis.IsPending(i) ? 1UL : 0UL, (i, v) => SetIf(v, Spis.PendingLatch, i, false), "GICD_ICPENDR");
            PerInterruptRegisters.Define(words, (long)GicdRegisters.GICD_ISACTIVER, familyRegisters, 1, IsSpi,
                i => Spis.Active[i] ? 1UL : 0UL, (i, v) => SetIf(v, Spis.Active, i, true), "GICD_ISACTIVER");
            PerInterruptRegisters.Define(words, (long)GicdRegisters.GICD_ICACTIVER, familyRegisters, 1, IsSpi,
                i => Spis.Active[i] ? 1UL : 0UL, (i, v) => SetIf(v, Spis.Active, i, false), "GICD_ICACTIVER");
            PerInterruptRegisters.Define(words, (long)GicdRegisters.GICD_IPRIORITYR, 256, 8, IsSpi,
                i => Spis.Priority[i],
                (i, v) =>
                {
                    Spis.Priority[i] = (byte)v;
                    gic.Requeue(Spis, i);
                }, "GICD_IPRIORITYR");
            PerInterruptRegisters.Define(words, (long)GicdRegisters.GICD_ICFGR, 64, 2, IsSpi,
                i => Spis.EdgeTriggered[i] ? 2UL : 0UL,
                (i, v) =>
                {
                    Spis.EdgeTriggered[i] = (v & 2) != 0;
                    gic.Requeue(Spis, i);
                }, "GICD_ICFGR");
            PerInterruptRegisters.Define(words, (long)GicdRegisters.GICD_NSACR, 64, 2, IsSpi,
                i => DisableSecurity ? 0UL : Spis.NonSecureAccess[i],
                (i, v) =>
                {
                    if(!DisableSecurity)
                    {
                        Spis.NonSecureAccess[i] = (byte)v;
                    }
                }, "GICD_NSACR");

            // Legacy registers, RES0 with affinity routing enabled.
            for(var n = 0; n < 256; n++)
            {
                words.DefineRegister((long)GicdRegisters.GICD_ITARGETSR + 4 * n).WithValueField(0, 32, FieldMode.Read, valueProviderCallback: _ => 0, name: "ITARGETSR (RES0, ARE = 1)");
            }
            for(var n = 0; n < 4; n++)
            {
                words.DefineRegister((long)GicdRegisters.GICD_CPENDSGIR + 4 * n).WithValueField(0, 32, FieldMode.Read, valueProviderCallback: _ => 0, name: "CPENDSGIR (RES0, ARE = 1)");
                words.DefineRegister((long)GicdRegisters.GICD_SPENDSGIR + 4 * n).WithValueField(0, 32, FieldMode.Read, valueProviderCallback: _ => 0, name: "SPENDSGIR (RES0, ARE = 1)");
            }
            GicdRegisters.GICD_SGIR.Define(words).WithValueField(0, 32, FieldMode.Read, valueProviderCallback: _ => 0, name: "SGIR")
                .WithWriteCallback((_, v) => gic.GuestError("gicd: GICD_SGIR written (0x{0:X}) with affinity routing enabled; use ICC_SGI1R_EL1. Ignored", v));

            for(var intid = 32; intid < 1020; intid++)
            {
                var id = intid;
                block.Quads.DefineRegister((long)GicdRegisters.GICD_IROUTER + 8 * intid)
                    .WithValueField(0, 64, name: "IROUTER",
                        valueProviderCallback: _ => IsSpi(id) ? router[id] : 0,
                        writeCallback: (_, v) =>
                        {
                            if(IsSpi(id))
                            {
                                SetRouter(id, v);
                            }
                        });
            }

            DefineIdRegisters(words, ArmGicV3.DistributorPidr0, architectureRevision);

            block.AllowByteAccess((long)GicdRegisters.GICD_IPRIORITYR, 0x400);
            block.AllowByteAccess((long)GicdRegisters.GICD_ITARGETSR, 0x400);
            block.AllowByteAccess((long)GicdRegisters.GICD_CPENDSGIR, 0x20);
            block.AllowByteAccess((long)GicdRegisters.GICD_IROUTER, 8 * 1020);
        }

        /// <summary>GICD_PIDR0..7 and GICD_CIDR0..3 (also used by the Redistributors, with their PIDR0).</summary>
        internal static void DefineIdRegisters(DoubleWordRegisterCollection words, uint pidr0, int architectureRevision)
        {
            var values = new (long Offset, uint Value)[]
            {
                (0xFFD0, 0x44), (0xFFD4, 0), (0xFFD8, 0), (0xFFDC, 0),
                (0xFFE0, pidr0), (0xFFE4, 0xB4), (0xFFE8, 0x0B | ((uint)architectureRevision << 4)), (0xFFEC, 0),
                (0xFFF0, 0x0D), (0xFFF4, 0xF0), (0xFFF8, 0x05), (0xFFFC, 0xB1),
            };
            foreach(var (offset, value) in values)
            {
                words.DefineRegister(offset, value).WithValueField(0, 32, FieldMode.Read, name: "ID");
            }
        }

        private void SetControl(int bit, bool value)
        {
            switch(bit)
            {
            case 0:
                EnableGroup0 = value;
                break;
            case 1:
                EnableGroup1NonSecure = value;
                break;
            case 2:
                EnableGroup1Secure = !DisableSecurity && value;
                break;
            }
            gic.MarkAllCpusDirty();
        }

        private void SetDisableSecurity(bool value)
        {
            // DS is RAO/WI with one security state; with two it can be set (from Secure state) and then stays set
            // until reset (IHI 0069, GICD_CTLR.DS).
            if(!supportsTwoSecurityStates || DisableSecurity || !value)
            {
                return;
            }
            DisableSecurity = true;
            EnableGroup1Secure = false;
            gic.OnSecurityModelChanged();
        }

        private void SetIf(ulong written, bool[] state, int intid, bool value)
        {
            if(written == 0 || state[intid] == value)
            {
                return;
            }
            state[intid] = value;
            gic.Requeue(Spis, intid);
        }

        private void SetGroup(int intid, bool group, bool modifier)
        {
            if(Spis.Group[intid] == group && Spis.GroupModifier[intid] == modifier)
            {
                return;
            }
            Spis.Group[intid] = group;
            Spis.GroupModifier[intid] = modifier;
            if((router[intid] & InterruptRoutingModeBit) != 0)
            {
                Retarget(intid);
            }
            else
            {
                gic.Requeue(Spis, intid);
            }
        }

        private void SetRouter(int intid, ulong value)
        {
            var newValue = value & RouterWritableMask;
            var wasOneOfN = (router[intid] & InterruptRoutingModeBit) != 0;
            var isOneOfN = (newValue & InterruptRoutingModeBit) != 0;
            oneOfNCount += (isOneOfN ? 1 : 0) - (wasOneOfN ? 1 : 0);
            router[intid] = newValue;
            Retarget(intid);
        }

        public const ulong InterruptRoutingModeBit = 1UL << 31;
        public const ulong AffinityMask = 0xFF_00FF_FFFFUL;
        private const ulong RouterWritableMask = AffinityMask | InterruptRoutingModeBit;

        private readonly ArmGicV3 gic;
        private readonly bool supportsTwoSecurityStates;
        private readonly int architectureRevision;
        private readonly ulong[] router;
        private readonly int[] target;
        private readonly GicMmioBlock block;
        private bool e1nwf;
        private int oneOfNCount;
    }
}
