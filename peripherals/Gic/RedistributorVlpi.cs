// Redistributor, GICv4 side: the VLPI_base frame (the third 64 KiB frame, present when the GIC is created with
// architectureRevision = 4; the redistributor stride is then at least 0x40000) with GICR_VPROPBASER and
// GICR_VPENDBASER, and the virtual LPIs of the vPE that is resident on this Redistributor (IHI 0069 chapter 5.3
// "Virtual LPIs", 9 "GICv4 virtualization", 12.11 "The GICR_* VLPI_base registers").
//
// Residency (GICv4.0): a vPE is resident while GICR_VPENDBASER.Valid = 1. It is identified by its virtual
// Pending table (VPT): an ITS delivering a vLPI for a vPE whose VPT address (from VMAPP) equals
// GICR_VPENDBASER.PA delivers it here directly; otherwise the vLPI is recorded in the VPT in guest memory and, if
// the event has a doorbell (Dbell_pINTID != 1023), that physical LPI is made pending at this Redistributor.
//
// Valid 0 -> 1 ("schedule"): the virtual LPI Configuration table (GICR_VPROPBASER.PA, one byte per vINTID from
//   8192, as the physical one) is read into a cache and the VPT is parsed into an LpiPendingSet (the same O(log n)
//   priority-indexed set the physical LPIs use). The VPT is always parsed: PendingLast and IDAI written with
//   Valid = 1 are accepted hints (no IMPDEF area of the VPT is used, so IDAI changes nothing).
// Valid 1 -> 0 ("de-schedule"): the pending vLPIs are written back to the VPT (bits of vINTIDs 0-8191, the first
//   1 KiB, are left alone), PendingLast reads 1 if a vLPI was pending and enabled (as QEMU), the cache is dropped.
//
// IMPDEF choices here:
// - GICR_VPENDBASER.Dirty: after Valid is written 0 -> 1 the parse is complete at once, but Dirty reads 1 for the
//   next DirtyReads (2) reads of GICR_VPENDBASER (each 32-bit or 64-bit read counts), then 0. A short, bounded and
//   deterministic delay: hypervisors that poll Dirty are exercised, and every run reads the same values. (QEMU's
//   Dirty always reads 0; firmware that polls Dirty sees the same end state on both.)
// - GICR_VPROPBASER is ignored (guest error) while GICR_VPENDBASER.Valid = 1 (the architecture makes the write
//   UNPREDICTABLE). Writing GICR_VPENDBASER with Valid = 1 while Valid = 1 is ignored with a guest error too.
// - The vINTID space of the resident vPE is min(GICR_VPROPBASER.IDbits + 1, GICD_TYPER.IDbits + 1) bits; a vLPI
//   beyond it is dropped with a guest error. Fewer than 14 bits: no vLPIs.
// - Direct vLPIs are Group 1 (IHI 0069 5.3: virtual LPIs are always Group 1). They reach the guest through the
//   virtual CPU interface (VirtualCpuInterface consults TryGetHighestPendingVlpi / AcknowledgeVlpi); like LPIs
//   they have no active state: acknowledging one clears its pending state.
using System;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    /// <summary>GICR_* VLPI_base registers (offsets from RD_base: the VLPI_base frame is the third 64 KiB frame).</summary>
    internal enum GicrVlpiRegisters : long
    {
        VlpiBase = 0x20000,
        GICR_VPROPBASER = VlpiBase + 0x70,
        GICR_VPENDBASER = VlpiBase + 0x78,
    }

    internal sealed partial class Redistributor
    {
        /// <summary>Reads of GICR_VPENDBASER that still see Dirty = 1 after Valid was written 0 -> 1.</summary>
        public const int DirtyReads = 2;

        /// <summary>GICR_VPENDBASER.Valid: a vPE is resident on this Redistributor.</summary>
        public bool VpeResident => vlpis != null;

        /// <summary>GICR_VPENDBASER.PA of the resident vPE (its virtual Pending table).</summary>
        public ulong ResidentVptAddress => gic.Gicv41 ? residentVpt : vpendBaser & VpendbaserAddressMask;

        /// <summary>The vLPIs of the resident vPE, or null when none is resident.</summary>
        public LpiPendingSet? ResidentVlpis => vlpis;

        /// <summary>Whether the vPE whose virtual Pending table is at <paramref name="vptAddress"/> is resident here.</summary>
        public bool IsResident(ulong vptAddress) => vlpis != null && ResidentVptAddress == (vptAddress & VpendbaserAddressMask);

        /// <summary>The highest-priority pending and enabled vLPI of the resident vPE (for the virtual CPU interface).</summary>
        public bool TryGetHighestPendingVlpi(out int vintid, out int priority)
        {
            if(vlpis == null)
            {
                vintid = 0;
                priority = 0xFF;
                return false;
            }
            return vlpis.TryGetHighest(out vintid, out priority);
        }

        /// <summary>ICV_IAR1_EL1 returned this direct vLPI: no active state, so its pending state is cleared.</summary>
        public void AcknowledgeVlpi(int vintid)
        {
            if(vlpis != null && vlpis.Contains(vintid))
            {
                vlpis.ClearPending(vintid);
                gic.MarkVirtualInterfaceDirty(ProcessorNumber);
            }
        }

        /// <summary>
        /// Makes a vLPI pending for the vPE whose VPT is at <paramref name="vptAddress"/> (VPT_size
        /// <paramref name="vptIdBits"/> bits). Resident: pending in the cache, signalled to the virtual CPU interface.
        /// Not resident: the VPT bit is set in memory and the doorbell LPI (unless 1023) is made pending here.
        /// </summary>
        public bool SetVlpiPending(ulong vptAddress, int vptIdBits, int vintid, int doorbell, string who)
        {
            if(!CheckVintid(vptIdBits, vintid, who))
            {
                return false;
            }
            if(IsResident(vptAddress))
            {
                if(!vlpis!.Contains(vintid))
                {
                    gic.GuestError("gicr{0}: {1}: vINTID {2} is beyond the resident vPE's vINTID space (GICR_VPROPBASER.IDbits); dropped",
                        ProcessorNumber, who, vintid);
                    return false;
                }
                vlpis.SetPending(vintid);
                gic.MarkVirtualInterfaceDirty(ProcessorNumber);
                return true;
            }
            if(!WriteVptBit(vptAddress, vintid, true, who))
            {
                return false;
            }
            if(doorbell != SpuriousIntid)
            {
                gic.Trace(GicTraceKind.Doorbell, doorbell, ProcessorNumber, detail: gic.Tracing ? $"vINTID {vintid}, VPT 0x{vptAddress:X}" : null);
                SetLpiPending(doorbell, who + " doorbell");
            }
            return true;
        }

        /// <summary>Clears the pending state of a vLPI (ITS CLEAR/DISCARD/VMOVI); returns whether it was pending.</summary>
        public bool ClearVlpiPending(ulong vptAddress, int vptIdBits, int vintid, string who)
        {
            if(!CheckVintid(vptIdBits, vintid, who))
            {
                return false;
            }
            if(IsResident(vptAddress))
            {
                if(vlpis!.Contains(vintid) && vlpis.ClearPending(vintid))
                {
                    gic.MarkVirtualInterfaceDirty(ProcessorNumber);
                    return true;
                }
                return false;
            }
            var address = vptAddress + (ulong)(vintid >> 3);
            if(!gic.Memory.TryReadByte(address, out var value))
            {
                gic.GuestError("gicr{0}: {1}: virtual Pending table byte of vINTID {2} at 0x{3:X} is not readable", ProcessorNumber, who, vintid, address);
                return false;
            }
            var wasPending = (value & (1 << (vintid & 7))) != 0;
            return wasPending && WriteVptBit(vptAddress, vintid, false, who);
        }

        /// <summary>Re-reads the configuration byte of a vLPI of the resident vPE (ITS INV on a virtual event, GICR_INVLPIR V = 1).</summary>
        public void InvalidateVlpi(ulong vptAddress, int vintid, string who)
        {
            if(!IsResident(vptAddress) || !vlpis!.Contains(vintid))
            {
                return; // not cached: the next schedule reads the table anyway
            }
            var address = VirtualPropertyTableAddress + (ulong)(vintid - LpiPendingSet.FirstLpi);
            if(!gic.Memory.TryReadByte(address, out var configuration))
            {
                gic.GuestError("gicr{0}: {1}: virtual LPI Configuration table entry of vINTID {2} at 0x{3:X} is not readable; the cached configuration is kept",
                    ProcessorNumber, who, vintid, address);
                return;
            }
            if(vlpis.SetConfiguration(vintid, configuration))
            {
                gic.MarkVirtualInterfaceDirty(ProcessorNumber);
            }
        }

        /// <summary>Re-reads the whole virtual LPI Configuration table of the resident vPE (VINVALL).</summary>
        public void InvalidateAllVlpis(ulong vptAddress, string who)
        {
            if(!IsResident(vptAddress))
            {
                return;
            }
            LoadVirtualConfigurationTable(who);
            gic.MarkVirtualInterfaceDirty(ProcessorNumber);
        }

        private ulong VirtualPropertyTableAddress => gic.Gicv41 ? residentVconf : vpropBaser & 0x000F_FFFF_FFFF_F000UL;

        private void ResetVlpis()
        {
            vpropBaser = 0;
            vpendBaser = 0;
            vlpis = null;
            dirtyReadsLeft = 0;
            ResetVlpis41();
            vsgirVpeId = -1;
            vsgiBusyReadsLeft = 0;
        }

        private void DefineVlpiRegisters(QuadWordRegisterCollection quads)
        {
            // IHI 0069, GICR_VPROPBASER (GICv4.0): PA[51:12], attributes, IDbits[4:0].
            quads.DefineRegister((long)GicrVlpiRegisters.GICR_VPROPBASER).WithValueField(0, 64, name: "VPROPBASER",
                valueProviderCallback: _ => gic.Gicv41 ? ReadVpropBaser41() : vpropBaser,
                writeCallback: (_, v) =>
                {
                    if(gic.Gicv41)
                    {
                        WriteVpropBaser41(v); // RedistributorVlpi41.cs
                    }
                    else
                    {
                        WriteVpropBaser(v);
                    }
                });
            // IHI 0069, GICR_VPENDBASER (GICv4.0): Valid[63], IDAI[62], PendingLast[61], Dirty[60], PA[51:16], attributes.
            quads.DefineRegister((long)GicrVlpiRegisters.GICR_VPENDBASER).WithValueField(0, 64, name: "VPENDBASER",
                valueProviderCallback: _ => ReadVpendBaser(),
                writeCallback: (_, v) => WriteVpendBaser(v));
            if(gic.Gicv41)
            {
                DefineVlpi41Registers(quads);
            }
        }

        private void WriteVpropBaser(ulong value)
        {
            if(VpeResident)
            {
                gic.GuestError("gicr{0}: GICR_VPROPBASER written (0x{1:X}) while GICR_VPENDBASER.Valid = 1; ignored", ProcessorNumber, value);
                return;
            }
            vpropBaser = value & PropBaserMask;
        }

        private ulong ReadVpendBaser()
        {
            var value = vpendBaser;
            if(dirtyReadsLeft > 0)
            {
                dirtyReadsLeft--;
                value |= VpendbaserDirty;
            }
            return value;
        }

        // One state machine for both layouts (GICv4.0: the VPT address selects the vPE; GICv4.1: the vPEID does).
        private void WriteVpendBaser(ulong value)
        {
            var valid = (value & VpendbaserValid) != 0;
            if(VpeResident)
            {
                if(valid)
                {
                    gic.GuestError("gicr{0}: GICR_VPENDBASER written with Valid = 1 (0x{1:X}) while a vPE is resident; ignored", ProcessorNumber, value);
                    return;
                }
                if(gic.Gicv41)
                {
                    Deschedule41(value);
                }
                else
                {
                    Deschedule(value);
                }
                return;
            }
            if(!valid)
            {
                // Not resident and staying so: the fields are stored (PendingLast keeps its de-schedule value only if rewritten).
                vpendBaser = value & (gic.Gicv41 ? Vpendbaser41StoredMask : VpendbaserStoredMask) & ~VpendbaserValid;
                return;
            }
            if(gic.Gicv41)
            {
                Schedule41(value);
            }
            else
            {
                Schedule(value);
            }
        }

        private void Schedule(ulong value)
        {
            vpendBaser = (value & VpendbaserStoredMask) | VpendbaserValid;
            var idBits = Math.Min((int)(vpropBaser & 0x1F) + 1, gic.LpiIdBits);
            if(idBits < 14)
            {
                gic.GuestError("gicr{0}: vPE scheduled with GICR_VPROPBASER.IDbits = {1} (fewer than 14 vINTID bits): no vLPIs", ProcessorNumber, vpropBaser & 0x1F);
            }
            // The set of the last de-scheduled vPE is reused (no allocation per schedule); loading overwrites all of it.
            var set = spareVlpis != null && spareVlpis.IdBits == idBits ? spareVlpis : new LpiPendingSet(idBits);
            spareVlpis = null;
            vlpis = set;
            LoadVirtualConfigurationTable("GICR_VPENDBASER");
            if(set.Count > 0)
            {
                var image = VptImage(idBits);
                if(!gic.Memory.TryReadBytes(ResidentVptAddress, image))
                {
                    gic.GuestError("gicr{0}: virtual Pending table at 0x{1:X} is not (completely) readable; unreadable parts read as not pending",
                        ProcessorNumber, ResidentVptAddress);
                }
                set.LoadPending(image);
            }
            dirtyReadsLeft = DirtyReads;
            gic.TraceResidency(ProcessorNumber, true, ResidentVptAddress);
            gic.MarkVirtualInterfaceDirty(ProcessorNumber);
        }

        private void Deschedule(ulong value)
        {
            var set = vlpis!;
            if(set.Count > 0)
            {
                var image = VptImage(set.IdBits);
                set.StorePending(image);
                var address = ResidentVptAddress + PendingTableReservedBytes;
                if(!gic.Memory.TryWriteBytes(address, image.AsSpan(PendingTableReservedBytes)))
                {
                    gic.GuestError("gicr{0}: virtual Pending table at 0x{1:X} is not (completely) writable; pending vLPIs lost", ProcessorNumber, ResidentVptAddress);
                }
            }
            var pendingLast = set.EligibleCount > 0;
            gic.TraceResidency(ProcessorNumber, false, ResidentVptAddress);
            vlpis = null;
            spareVlpis = set;
            dirtyReadsLeft = 0;
            vpendBaser = (value & VpendbaserStoredMask & ~(VpendbaserValid | VpendbaserPendingLast)) | (pendingLast ? VpendbaserPendingLast : 0);
            gic.MarkVirtualInterfaceDirty(ProcessorNumber);
        }

        private void LoadVirtualConfigurationTable(string who)
        {
            var set = vlpis!;
            if(set.Count == 0)
            {
                return;
            }
            var table = new byte[set.Count];
            if(!gic.Memory.TryReadBytes(VirtualPropertyTableAddress, table))
            {
                gic.GuestError("gicr{0}: {1}: virtual LPI Configuration table at 0x{2:X} ({3} bytes) is not (completely) readable; unreadable entries read as disabled",
                    ProcessorNumber, who, VirtualPropertyTableAddress, set.Count);
            }
            set.LoadConfiguration(table);
        }

        /// <summary>A reused buffer for a whole VPT image of <paramref name="idBits"/> bits (first 1 KiB included).</summary>
        private byte[] VptImage(int idBits)
        {
            var length = (1 << idBits) / 8;
            if(vptImage == null || vptImage.Length != length)
            {
                vptImage = new byte[length];
            }
            return vptImage;
        }

        private bool CheckVintid(int vptIdBits, int vintid, string who)
        {
            if(vintid < LpiPendingSet.FirstLpi || vptIdBits < 14 || vptIdBits > 31 || vintid >= (1 << vptIdBits))
            {
                gic.GuestError("gicr{0}: {1}: vINTID {2} does not fit the vPE's virtual Pending table (VPT_size: {3} ID bits); dropped",
                    ProcessorNumber, who, vintid, vptIdBits);
                return false;
            }
            return true;
        }

        private bool WriteVptBit(ulong vptAddress, int vintid, bool pending, string who)
        {
            var address = vptAddress + (ulong)(vintid >> 3);
            if(!gic.Memory.TryReadByte(address, out var value))
            {
                gic.GuestError("gicr{0}: {1}: virtual Pending table byte of vINTID {2} at 0x{3:X} is not accessible; dropped", ProcessorNumber, who, vintid, address);
                return false;
            }
            var bit = (byte)(1 << (vintid & 7));
            var updated = pending ? (byte)(value | bit) : (byte)(value & ~bit);
            if(updated != value)
            {
                gic.Memory.TryWriteBytes(address, new[] { updated });
            }
            return true;
        }

        private const int SpuriousIntid = 1023;
        private const ulong VpendbaserValid = 1UL << 63;
        private const ulong VpendbaserIdai = 1UL << 62;
        private const ulong VpendbaserPendingLast = 1UL << 61;
        private const ulong VpendbaserDirty = 1UL << 60;
        private const ulong VpendbaserAddressMask = 0x000F_FFFF_FFFF_0000UL;
        // Valid, IDAI, PendingLast, PA[51:16], OuterCache[58:56], InnerCache[9:7], Shareability[11:10].
        private const ulong VpendbaserStoredMask = VpendbaserValid | VpendbaserIdai | VpendbaserPendingLast | 0x0700_0000_0000_0000UL
            | VpendbaserAddressMask | 0xF80UL;

        private ulong vpropBaser;
        private ulong vpendBaser;
        private LpiPendingSet? vlpis;
        private LpiPendingSet? spareVlpis; // derived state: an allocation cache, never guest-visible
        private byte[]? vptImage;
        private int dirtyReadsLeft;
    }
}
