// ArmGicV3, GICv4.1 side (option gicv41 = true, only with architectureRevision = 4). What changes from GICv4.0
// (IHI 0069 chapters 5.3 and 9, and the GICR_VPROPBASER / GICR_VPENDBASER / GICR_VSGIR / GICR_VSGIPENDR, GITS_SGIR,
// GICR_INVLPIR / GICR_INVALLR descriptions):
//
// - Residency is by vPEID: GICR_VPENDBASER holds Valid, Doorbell (DB), PendingLast, Dirty, vGrp0En, vGrp1En and
//   vPEID; the vPE's tables come from the vPE configuration table that GICR_VPROPBASER describes (Valid, Entry_Size,
//   Indirect, Page_Size, Z, Addr, Size). The ITS (GITS_BASER2) and every Redistributor share that table
//   (GITS_TYPER.SVPET = 1 with GITS_MPIDR.Aff3 = 0, GICR_TYPER.CommonLPIAff = 0): software points both at the same
//   memory, and the ITS's VMAPP/VMOVP/VSGI write entries that the Redistributors read when a vPE is scheduled.
// - One default doorbell per vPE (VMAPP's Default Doorbell, VMOVP with DB = 1 changes it); per-event doorbells are
//   not supported (GITS_TYPER.nID = 1: VMAPTI/VMAPI/VMOVI must give 1023). When a vPE is made non-resident with
//   GICR_VPENDBASER.DB = 1 and nothing is pending (PendingLast reads 0), the next vLPI or vSGI that becomes pending
//   for it, enabled and of a group the vPE had enabled (vGrp0En/vGrp1En), makes the default doorbell pending at the
//   vPE's Redistributor (the RDbase of VMAPP/VMOVP) once; scheduling the vPE again disarms it.
// - vSGIs (INTIDs 0-15 of a vPE): configured by the ITS VSGI command (enable, priority, group, clear), made
//   pending by GITS_SGIR; for a resident vPE they reach the virtual CPU interface directly, with no list register
//   and no active state (acknowledge clears pending); for a non-resident vPE the pending state is kept in the vPE
//   configuration table entry. GICR_VSGIR / GICR_VSGIPENDR read a vPE's pending vSGIs.
// - A vPE is resident on at most one Redistributor at a time (hypervisors may schedule it on any Redistributor
//   sharing the table without VMOVP): the GIC keeps a vPEID -> processor map of resident vPEs (derived state,
//   rebuilt by scheduling; cleared on reset).
//
// vPE configuration table entry (32 bytes, IMPDEF; GITS_BASER2.Entry_Size = 31, GICR_VPROPBASER.Entry_Size = 3):
//   DW0  as the GICv4.0 vPE table entry: Valid[0], VPT_size[5:1], VPT_addr[51:16] in [41:6], RDbase (processor)[57:42]
//   DW1  VCONF_addr[51:16] in [35:0], Default Doorbell pINTID[59:36] (1023: none)
//   DW2  vSGI n priority[7:4] in [4n+3:4n]
//   DW3  vSGI pending[15:0], enable[31:16], group[47:32], doorbell armed[48], vGrp0En[49], vGrp1En[50]
using System.Collections.Generic;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    public sealed partial class ArmGicV3
    {
        /// <summary>The GIC is a GICv4.1 (constructor option gicv41).</summary>
        internal bool Gicv41 { get; }

        /// <summary>
        /// ID_AA64PFR0_EL1.GIC of a PE whose CPU interface this GIC implements: 3 with GICv4.1 (the GICv4.1 system
        /// registers), else 1 (GICv3.0/GICv4.0 system registers).
        /// </summary>
        public int SystemRegisterInterfaceVersion => Gicv41 ? 3 : 1;

        /// <summary>The processor on which vPE <paramref name="vpeId"/> is resident (GICv4.1), if any.</summary>
        internal bool TryGetResidentProcessor(int vpeId, out int processor) => residentVpes.TryGetValue(vpeId, out processor);

        internal void SetVpeResidency(int vpeId, int processor, bool resident)
        {
            if(resident)
            {
                residentVpes[vpeId] = processor;
            }
            else
            {
                residentVpes.Remove(vpeId);
            }
        }

        /// <summary>The Redistributor holding vPE <paramref name="vpeId"/>: where it is resident, else the one it is mapped to.</summary>
        internal Redistributor RedistributorForVpe(int vpeId, int mappedProcessor)
        {
            return Gicv41 && residentVpes.TryGetValue(vpeId, out var processor) ? redistributors[processor] : redistributors[mappedProcessor];
        }

        /// <summary>Reads a whole vPE configuration table entry; false on a guest-memory error.</summary>
        internal bool TryReadVpeConfig(ulong address, out VpeConfigEntry entry)
        {
            entry = default;
            if(!Memory.TryReadQuadWord(address, out var dw0) || !Memory.TryReadQuadWord(address + 8, out var dw1)
                || !Memory.TryReadQuadWord(address + 16, out var dw2) || !Memory.TryReadQuadWord(address + 24, out var dw3))
            {
                return false;
            }
            entry = VpeConfigEntry.Decode(dw0, dw1, dw2, dw3);
            return true;
        }

        private readonly Dictionary<int, int> residentVpes = new Dictionary<int, int>();
    }

    /// <summary>A GICv4.1 vPE configuration table entry (layout in Lpi/ArmGicV3.Gicv41.cs).</summary>
    internal readonly record struct VpeConfigEntry(VpeTableEntry Vpe, ulong VconfAddress, int DefaultDoorbell, ulong SgiPriorities,
        ushort SgiPending, ushort SgiEnabled, ushort SgiGroup1, bool DoorbellArmed, bool Group0Enabled, bool Group1Enabled)
    {
        public const int Size = 32;
        public const int NoDoorbell = 1023;

        public bool Valid => Vpe.Valid;

        public static VpeConfigEntry Decode(ulong dw0, ulong dw1, ulong dw2, ulong dw3) =>
            new VpeConfigEntry(VpeTableEntry.Decode(dw0), (dw1 & 0xF_FFFF_FFFFUL) << 16, (int)((dw1 >> 36) & 0xFF_FFFF), dw2,
                (ushort)dw3, (ushort)(dw3 >> 16), (ushort)(dw3 >> 32), ((dw3 >> 48) & 1) != 0, ((dw3 >> 49) & 1) != 0, ((dw3 >> 50) & 1) != 0);

        public ulong EncodeDw1() => ((VconfAddress >> 16) & 0xF_FFFF_FFFFUL) | ((ulong)(DefaultDoorbell & 0xFF_FFFF) << 36);

        public ulong EncodeDw3() => SgiPending | ((ulong)SgiEnabled << 16) | ((ulong)SgiGroup1 << 32)
            | (DoorbellArmed ? 1UL << 48 : 0) | (Group0Enabled ? 1UL << 49 : 0) | (Group1Enabled ? 1UL << 50 : 0);

        /// <summary>The 8-bit priority of vSGI <paramref name="sgi"/> (4 bits kept, in [7:4]).</summary>
        public int SgiPriority(int sgi) => (int)((SgiPriorities >> (4 * sgi)) & 0xF) << 4;
    }
}
