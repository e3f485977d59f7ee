// Redistributor, GICv4.1 side of the VLPI_base frame (gicv41 = true; the shared design is described in
// Lpi/ArmGicV3.Gicv41.cs): GICR_VPROPBASER (4.1 layout: the vPE configuration table), GICR_VPENDBASER (4.1 layout:
// residency by vPEID), GICR_VSGIR / GICR_VSGIPENDR, the vSGIs of the resident vPE, the default doorbell, and
// GICR_INVLPIR / GICR_INVALLR with V = 1.
//
// IMPDEF choices here:
// - GICR_VPROPBASER: Entry_Size reads 3 (32-byte entries, as GITS_BASER2); the other fields are stored. It is ignored
//   (guest error) while a vPE is resident. Z is accepted as a hint (nothing is cached from the table between
//   schedules). Only the low 48 bits of the table address are used.
// - Scheduling (Valid 0 -> 1) reads the vPE's entry: an invalid GICR_VPROPBASER, an unreadable or invalid entry, or a
//   vPE already resident on another Redistributor is a guest error and the write is ignored (the vPE stays
//   non-resident). As in GICv4.0, Dirty then reads 1 for the next DirtyReads reads.
// - De-scheduling (Valid 1 -> 0) writes the vLPIs back to the VPT and the vSGI state back to the entry; PendingLast
//   reads 1 if a vLPI or a vSGI of an enabled group is pending and enabled. DB = 1 with PendingLast = 0 arms the
//   default doorbell; PendingLast = 1 does not (the hypervisor sees the vPE has work and will not block).
// - GICR_VSGIR (32 bits: vPEID[15:0]) starts a query; GICR_VSGIPENDR reads Busy = 1 for VsgiBusyReads (1) read
//   after it, then Busy = 0 with Pending[15:0] of that vPE: live state when resident (anywhere), else the entry
//   read through this Redistributor's GICR_VPROPBASER. An unmapped vPE, or an unreadable entry, reads 0 (guest error).
// - GICR_INVLPIR / GICR_INVALLR with V = 1: the configuration of the vPE's vLPI(s) is re-read from its VCONF table if
//   the vPE is resident (on any Redistributor: it is the only place anything is cached); otherwise nothing is cached
//   and the write has no further effect.
using System;
using System.Numerics;
using Antmicro.Renode.Core.Structure.Registers;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    /// <summary>GICR_* VLPI_base registers added by GICv4.1 (offsets from RD_base).</summary>
    internal enum GicrVlpi41Registers : long
    {
        GICR_VSGIR = GicrVlpiRegisters.VlpiBase + 0x80,
        GICR_VSGIPENDR = GicrVlpiRegisters.VlpiBase + 0x88,
    }

    internal sealed partial class Redistributor
    {
        /// <summary>Reads of GICR_VSGIPENDR that see Busy = 1 after GICR_VSGIR was written.</summary>
        public const int VsgiBusyReads = 1;

        /// <summary>The vPEID resident here (GICv4.1), or -1.</summary>
        public int ResidentVpeId => residentVpeId;

        // ---- vLPIs and vSGIs for a vPE (called on the Redistributor the vPE is mapped to) -------------------------

        /// <summary>
        /// GICv4.1: makes vLPI <paramref name="vintid"/> of vPE <paramref name="vpeId"/> pending. Resident (anywhere):
        /// directly. Otherwise the VPT bit is set and, if armed, the default doorbell is made pending here.
        /// </summary>
        public bool SetVlpiPending41(int vpeId, ulong entryAddress, VpeTableEntry vte, int vintid, string who)
        {
            if(gic.TryGetResidentProcessor(vpeId, out var processor))
            {
                return gic.RedistributorOf(processor).SetVlpiPending(vte.VptAddress, vte.VptIdBits, vintid, SpuriousIntid, who);
            }
            if(!SetVlpiPending(vte.VptAddress, vte.VptIdBits, vintid, SpuriousIntid, who))
            {
                return false;
            }
            if(!gic.TryReadVpeConfig(entryAddress, out var entry))
            {
                gic.GuestError("gicr{0}: {1}: vPE configuration table entry of vPEID {2} at 0x{3:X} is not readable; no doorbell", ProcessorNumber, who, vpeId, entryAddress);
                return true;
            }
            if(entry.DoorbellArmed && entry.Group1Enabled && IsVlpiEnabledInTable(entry.VconfAddress, vintid))
            {
                RingDefaultDoorbell(vpeId, entryAddress, entry, $"{who} (vINTID {vintid})");
            }
            return true;
        }

        /// <summary>GICv4.1 GITS_SGIR: makes vSGI <paramref name="sgi"/> of vPE <paramref name="vpeId"/> pending.</summary>
        public bool SetVsgiPending41(int vpeId, ulong entryAddress, int sgi, string who)
        {
            if(gic.TryGetResidentProcessor(vpeId, out var processor))
            {
                gic.RedistributorOf(processor).SetResidentVsgiPending(sgi);
                return true;
            }
            if(!gic.TryReadVpeConfig(entryAddress, out var entry))
            {
                gic.GuestError("gicr{0}: {1}: vPE configuration table entry of vPEID {2} at 0x{3:X} is not readable; vSGI {4} dropped",
                    ProcessorNumber, who, vpeId, entryAddress, sgi);
                return false;
            }
            var bit = (ushort)(1 << sgi);
            if(!gic.Memory.TryWriteQuadWord(entryAddress + 24, (entry with { SgiPending = (ushort)(entry.SgiPending | bit) }).EncodeDw3()))
            {
                gic.GuestError("gicr{0}: {1}: vPE configuration table entry of vPEID {2} at 0x{3:X} is not writable; vSGI {4} dropped",
                    ProcessorNumber, who, vpeId, entryAddress, sgi);
                return false;
            }
            var groupEnabled = (entry.SgiGroup1 & bit) != 0 ? entry.Group1Enabled : entry.Group0Enabled;
            if(entry.DoorbellArmed && groupEnabled && (entry.SgiEnabled & bit) != 0)
            {
                RingDefaultDoorbell(vpeId, entryAddress, entry with { SgiPending = (ushort)(entry.SgiPending | bit) }, $"{who} (vSGI {sgi})");
            }
            return true;
        }

        /// <summary>ITS VSGI on a resident vPE: configures vSGI <paramref name="sgi"/> and optionally clears its pending state.</summary>
        public void ConfigureResidentVsgi(int sgi, bool enable, int priority, bool group1, bool clear)
        {
            var bit = (ushort)(1 << sgi);
            vsgiEnabled = enable ? (ushort)(vsgiEnabled | bit) : (ushort)(vsgiEnabled & ~bit);
            vsgiGroup1 = group1 ? (ushort)(vsgiGroup1 | bit) : (ushort)(vsgiGroup1 & ~bit);
            vsgiPriorities = (vsgiPriorities & ~(0xFUL << (4 * sgi))) | ((ulong)((priority >> 4) & 0xF) << (4 * sgi));
            if(clear)
            {
                vsgiPending = (ushort)(vsgiPending & ~bit);
            }
            gic.MarkVirtualInterfaceDirty(ProcessorNumber);
        }

        /// <summary>The highest-priority pending and enabled vSGI of the resident vPE whose group passes <paramref name="groupEnabled"/>.</summary>
        public bool TryGetHighestPendingVsgi(Func<int, bool> groupEnabled, out int sgi, out int priority, out int group)
        {
            sgi = -1;
            priority = 0xFF;
            group = 1;
            if(residentVpeId < 0)
            {
                return false;
            }
            var candidates = (uint)(vsgiPending & vsgiEnabled);
            while(candidates != 0)
            {
                var n = BitOperations.TrailingZeroCount(candidates);
                candidates &= candidates - 1;
                var g = (vsgiGroup1 >> n) & 1;
                var p = (int)((vsgiPriorities >> (4 * n)) & 0xF) << 4;
                if(p < priority && groupEnabled(g))
                {
                    sgi = n;
                    priority = p;
                    group = g;
                }
            }
            return sgi >= 0;
        }

        /// <summary>ICV_IAR0/1_EL1 returned a direct vSGI: no active state, its pending state is cleared.</summary>
        public void AcknowledgeVsgi(int sgi)
        {
            vsgiPending = (ushort)(vsgiPending & ~(1 << sgi));
            gic.MarkVirtualInterfaceDirty(ProcessorNumber);
        }

        /// <summary>GICR_INVLPIR / GICR_INVALLR with V = 1 (GICv4.1).</summary>
        public void InvalidateVirtual41(int vpeId, int vintid, bool all, string who)
        {
            if(!gic.Gicv41)
            {
                gic.GuestError("gicr{0}: {1} with V = 1 needs GICv4.1; ignored", ProcessorNumber, who);
                return;
            }
            if(!gic.TryGetResidentProcessor(vpeId, out var processor))
            {
                return; // nothing of a non-resident vPE is cached
            }
            var redistributor = gic.RedistributorOf(processor);
            if(all)
            {
                redistributor.InvalidateAllVlpis(redistributor.ResidentVptAddress, who);
            }
            else if(vintid < LpiPendingSet.FirstLpi)
            {
                gic.GuestError("gicr{0}: {1}: vINTID {2} of vPEID {3} is not an LPI; ignored", ProcessorNumber, who, vintid, vpeId);
            }
            else
            {
                redistributor.InvalidateVlpi(redistributor.ResidentVptAddress, vintid, who);
            }
        }

        // ---- Registers -------------------------------------------------------------------------------------------

        private void DefineVlpi41Registers(QuadWordRegisterCollection quads)
        {
            // GICR_VSGIR: vPEID[15:0]; GICR_VSGIPENDR: Busy[31], Pending[15:0] (32-bit registers; a 32-bit access works).
            quads.DefineRegister((long)GicrVlpi41Registers.GICR_VSGIR).WithValueField(0, 64, name: "VSGIR",
                valueProviderCallback: _ => (ulong)vsgirVpeId, writeCallback: (_, v) =>
                {
                    vsgirVpeId = (int)(v & 0xFFFF);
                    vsgiBusyReadsLeft = VsgiBusyReads;
                });
            quads.DefineRegister((long)GicrVlpi41Registers.GICR_VSGIPENDR).WithValueField(0, 64, FieldMode.Read, name: "VSGIPENDR",
                valueProviderCallback: _ => ReadVsgiPendr());
        }

        private ulong ReadVpropBaser41() => vpropBaser | (3UL << 59); // Entry_Size: 32-byte entries

        private void WriteVpropBaser41(ulong value)
        {
            if(VpeResident)
            {
                gic.GuestError("gicr{0}: GICR_VPROPBASER written (0x{1:X}) while GICR_VPENDBASER.Valid = 1; ignored", ProcessorNumber, value);
                return;
            }
            // Valid[63], OuterCache[58:56], Indirect[55], Page_Size[54:53], Z[52], Addr[51:12], Shareability[11:10], InnerCache[9:7], Size[6:0].
            vpropBaser = value & 0x87FF_FFFF_FFFF_FFFFUL;
        }

        /// <summary>The vPE configuration table as GICR_VPROPBASER (4.1) describes it, in the GITS_BASER form.</summary>
        private ItsTableDescriptor VpeConfigurationTable()
        {
            var baser = (vpropBaser & (1UL << 63)) | (((vpropBaser >> 55) & 1) << 62) | ((ulong)(VpeConfigEntry.Size - 1) << 48)
                | (((vpropBaser >> 53) & 3) << 8) | (vpropBaser & 0x7F) | (vpropBaser & 0x0000_FFFF_FFFF_F000UL);
            return new ItsTableDescriptor(baser & ~(((baser >> 8) & 3) == 2 ? 0xF000UL : 0));
        }

        private bool TryLocateVpeConfig(int vpeId, string who, out ulong address)
        {
            var table = VpeConfigurationTable();
            if(!table.Valid)
            {
                gic.GuestError("gicr{0}: {1}: GICR_VPROPBASER.Valid = 0 (no vPE configuration table) for vPEID {2}", ProcessorNumber, who, vpeId);
                address = 0;
                return false;
            }
            var location = table.Locate(gic.Memory, (uint)vpeId, out address);
            if(location != ItsEntryLocation.Found)
            {
                gic.GuestError("gicr{0}: {1}: vPEID {2} has no entry in the vPE configuration table ({3}: {4})", ProcessorNumber, who, vpeId, table, location);
                return false;
            }
            return true;
        }

        private void Schedule41(ulong value)
        {
            var vpeId = (int)(value & 0xFFFF);
            if(gic.TryGetResidentProcessor(vpeId, out var elsewhere))
            {
                gic.GuestError("gicr{0}: GICR_VPENDBASER: vPEID {1} is already resident on processor {2}; ignored", ProcessorNumber, vpeId, elsewhere);
                return;
            }
            if(!TryLocateVpeConfig(vpeId, "GICR_VPENDBASER", out var address))
            {
                return;
            }
            if(!gic.TryReadVpeConfig(address, out var entry) || !entry.Valid)
            {
                gic.GuestError("gicr{0}: GICR_VPENDBASER: vPEID {1} is not mapped (vPE configuration table entry at 0x{2:X} unreadable or invalid); ignored",
                    ProcessorNumber, vpeId, address);
                return;
            }
            residentVpeId = vpeId;
            residentEntryAddress = address;
            residentVpt = entry.Vpe.VptAddress;
            residentVconf = entry.VconfAddress;
            vsgiPending = entry.SgiPending;
            vsgiEnabled = entry.SgiEnabled;
            vsgiGroup1 = entry.SgiGroup1;
            vsgiPriorities = entry.SgiPriorities;
            vpendBaser = (value & Vpendbaser41StoredMask & ~(VpendbaserPendingLast | Vpendbaser41Db)) | VpendbaserValid;
            var idBits = Math.Min(entry.Vpe.VptIdBits, gic.LpiIdBits);
            var set = spareVlpis != null && spareVlpis.IdBits == idBits ? spareVlpis : new LpiPendingSet(idBits);
            spareVlpis = null;
            vlpis = set;
            LoadVirtualConfigurationTable("GICR_VPENDBASER");
            if(set.Count > 0)
            {
                var image = VptImage(idBits);
                if(!gic.Memory.TryReadBytes(residentVpt, image))
                {
                    gic.GuestError("gicr{0}: virtual Pending table at 0x{1:X} is not (completely) readable; unreadable parts read as not pending", ProcessorNumber, residentVpt);
                }
                set.LoadPending(image);
            }
            if(entry.DoorbellArmed)
            {
                gic.Memory.TryWriteQuadWord(address + 24, (entry with { DoorbellArmed = false }).EncodeDw3());
            }
            gic.SetVpeResidency(vpeId, ProcessorNumber, true);
            dirtyReadsLeft = DirtyReads;
            gic.TraceResidency(ProcessorNumber, true, residentVpt);
            gic.MarkVirtualInterfaceDirty(ProcessorNumber);
        }

        private void Deschedule41(ulong value)
        {
            var set = vlpis!;
            if(set.Count > 0)
            {
                var image = VptImage(set.IdBits);
                set.StorePending(image);
                if(!gic.Memory.TryWriteBytes(residentVpt + PendingTableReservedBytes, image.AsSpan(PendingTableReservedBytes)))
                {
                    gic.GuestError("gicr{0}: virtual Pending table at 0x{1:X} is not (completely) writable; pending vLPIs lost", ProcessorNumber, residentVpt);
                }
            }
            var group0 = (vpendBaser & Vpendbaser41Group0) != 0;
            var group1 = (vpendBaser & Vpendbaser41Group1) != 0;
            var eligibleSgis = vsgiPending & vsgiEnabled & ((group1 ? vsgiGroup1 : 0) | (group0 ? ~vsgiGroup1 : 0));
            var pendingLast = (group1 && set.EligibleCount > 0) || (eligibleSgis & 0xFFFF) != 0;
            var armed = (value & Vpendbaser41Db) != 0 && !pendingLast;
            var address = residentEntryAddress;
            if(gic.TryReadVpeConfig(address, out var entry))
            {
                var updated = entry with
                {
                    SgiPending = vsgiPending,
                    SgiEnabled = vsgiEnabled,
                    SgiGroup1 = vsgiGroup1,
                    SgiPriorities = vsgiPriorities,
                    DoorbellArmed = armed,
                    Group0Enabled = group0,
                    Group1Enabled = group1,
                };
                if(!gic.Memory.TryWriteQuadWord(address + 16, updated.SgiPriorities) || !gic.Memory.TryWriteQuadWord(address + 24, updated.EncodeDw3()))
                {
                    gic.GuestError("gicr{0}: vPE configuration table entry of vPEID {1} at 0x{2:X} is not writable; vSGI state lost", ProcessorNumber, residentVpeId, address);
                }
            }
            else
            {
                gic.GuestError("gicr{0}: vPE configuration table entry of vPEID {1} at 0x{2:X} is not readable; vSGI state lost", ProcessorNumber, residentVpeId, address);
            }
            gic.TraceResidency(ProcessorNumber, false, residentVpt);
            gic.SetVpeResidency(residentVpeId, ProcessorNumber, false);
            vlpis = null;
            spareVlpis = set;
            dirtyReadsLeft = 0;
            ResetVlpis41();
            vpendBaser = (value & Vpendbaser41StoredMask & ~(VpendbaserValid | VpendbaserPendingLast)) | (pendingLast ? VpendbaserPendingLast : 0);
            gic.MarkVirtualInterfaceDirty(ProcessorNumber);
        }

        private void ResetVlpis41()
        {
            residentVpeId = -1;
            residentEntryAddress = 0;
            residentVpt = 0;
            residentVconf = 0;
            vsgiPending = 0;
            vsgiEnabled = 0;
            vsgiGroup1 = 0;
            vsgiPriorities = 0;
        }

        private void SetResidentVsgiPending(int sgi)
        {
            vsgiPending = (ushort)(vsgiPending | (1 << sgi));
            gic.MarkVirtualInterfaceDirty(ProcessorNumber);
        }

        private ulong ReadVsgiPendr()
        {
            if(vsgiBusyReadsLeft > 0)
            {
                vsgiBusyReadsLeft--;
                return 1UL << 31;
            }
            if(!gic.Gicv41 || vsgirVpeId < 0)
            {
                return 0;
            }
            if(gic.TryGetResidentProcessor(vsgirVpeId, out var processor))
            {
                return gic.RedistributorOf(processor).vsgiPending;
            }
            if(!TryLocateVpeConfig(vsgirVpeId, "GICR_VSGIPENDR", out var address))
            {
                return 0;
            }
            if(!gic.TryReadVpeConfig(address, out var entry) || !entry.Valid)
            {
                gic.GuestError("gicr{0}: GICR_VSGIPENDR: vPEID {1} is not mapped; reads as 0", ProcessorNumber, vsgirVpeId);
                return 0;
            }
            return entry.SgiPending;
        }

        private bool IsVlpiEnabledInTable(ulong vconfAddress, int vintid)
        {
            return gic.Memory.TryReadByte(vconfAddress + (ulong)(vintid - LpiPendingSet.FirstLpi), out var configuration) && (configuration & 1) != 0;
        }

        private void RingDefaultDoorbell(int vpeId, ulong entryAddress, VpeConfigEntry entry, string why)
        {
            if(entry.DefaultDoorbell == VpeConfigEntry.NoDoorbell)
            {
                return;
            }
            gic.Memory.TryWriteQuadWord(entryAddress + 24, (entry with { DoorbellArmed = false }).EncodeDw3());
            gic.Trace(GicTraceKind.Doorbell, entry.DefaultDoorbell, ProcessorNumber, detail: gic.Tracing ? $"default doorbell of vPEID {vpeId}: {why}" : null);
            SetLpiPending(entry.DefaultDoorbell, "default doorbell");
        }

        private const ulong Vpendbaser41Db = 1UL << 62;
        private const ulong Vpendbaser41Group0 = 1UL << 59;
        private const ulong Vpendbaser41Group1 = 1UL << 58;
        // Valid, DB, PendingLast, vGrp0En, vGrp1En, vPEID[15:0].
        private const ulong Vpendbaser41StoredMask = VpendbaserValid | Vpendbaser41Db | VpendbaserPendingLast | Vpendbaser41Group0 | Vpendbaser41Group1 | 0xFFFFUL;

        private int residentVpeId = -1;
        private ulong residentEntryAddress;
        private ulong residentVpt;
        private ulong residentVconf;
        private ushort vsgiPending;
        private ushort vsgiEnabled;
        private ushort vsgiGroup1;
        private ulong vsgiPriorities;
        private int vsgirVpeId = -1;
        private int vsgiBusyReadsLeft;
    }
}
