// The GICv4.1 ITS (GITS_TYPER.VMAPP, SVPET = 1, nID = 1; design in Lpi/ArmGicV3.Gicv41.cs): the 4.1 forms of VMAPP
// and VMOVP, the VSGI and INVDB commands, GITS_SGIR, and vLPI delivery by vPEID.
//
// - VMAPP (4.1): Alloc DW0[8], PTZ DW0[9], VCONF_addr DW0[51:16], Default Doorbell DW1[31:0], vPEID DW1[47:32],
//   RDbase DW2[51:16], V DW2[63], VPT_addr DW3[51:16], VPT_size DW3[4:0]. V = 1 writes the whole 32-byte entry;
//   the vSGI configuration and pending state start at zero unless Alloc = 0 and the entry is already valid (the
//   vPE is being mapped by a further ITS: it keeps its state). V = 0 invalidates the entry; a resident vPE cannot
//   be unmapped (guest error, skipped). Bad RDbase, VPT_size, VCONF or doorbell: guest error, skipped.
// - VMOVP (4.1): no SeqNum/ITSList (GITS_TYPER.VMOVP = 1 always); DB DW2[63] = 1 also sets the Default Doorbell
//   from DW3[31:0] in this ITS's entry.
// - VSGI: vPEID DW1[47:32], vINTID DW0[35:32], Priority DW0[23:20] (bits [7:4] of the priority), Group DW0[10],
//   Clear DW0[9], Enable DW0[8]: sets the vSGI's configuration, and with Clear = 1 also clears its pending state.
//   A resident vPE is updated in its Redistributor, otherwise the entry in memory.
// - INVDB: vPEID DW1[47:32]: the default doorbell's configuration (enable, priority) is re-read from the LPI
//   Configuration table at the vPE's Redistributor.
// - GITS_SGIR (ITS_base + 0x20020, 64-bit write-only; vPEID[47:32], vINTID[3:0]): makes a vSGI pending. As for
//   the other 64-bit registers (IHI 0069 12.1.3), 32-bit writes to either half are accepted: the low half (vINTID)
//   is held, and the write of the high half (vPEID) sends the vSGI with the held vINTID (IMPDEF: the order a CPU
//   that splits a 64-bit store uses, low half first). An unmapped vPE or a guest-memory error is a guest error and
//   the vSGI is dropped; other widths are guest errors.
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    /// <summary>Fields of the GICv4.1 commands (IHI 0069 6.3).</summary>
    internal static class ItsVirtual41Fields
    {
        public static readonly ItsField Alloc = new ItsField(0, 8, 8);
        public static readonly ItsField Ptz = new ItsField(0, 9, 9);
        public static readonly ItsField VconfAddress = new ItsField(0, 51, 16);
        public static readonly ItsField DefaultDoorbell = new ItsField(1, 31, 0);
        public static readonly ItsField VmovpDoorbellValid = new ItsField(2, 63, 63);
        public static readonly ItsField VmovpDefaultDoorbell = new ItsField(3, 31, 0);
        public static readonly ItsField SgiIntid = new ItsField(0, 35, 32);
        public static readonly ItsField SgiPriority = new ItsField(0, 23, 20);
        public static readonly ItsField SgiGroup = new ItsField(0, 10, 10);
        public static readonly ItsField SgiClear = new ItsField(0, 9, 9);
        public static readonly ItsField SgiEnable = new ItsField(0, 8, 8);
    }

    internal sealed partial class ItsCommandProcessor
    {
        public ItsCommandResult VMapPAny(ItsCommand command) => its.Gicv41 ? VMapP41(command) : VMapP(command);

        public ItsCommandResult VMapP41(ItsCommand command)
        {
            var vpeId = (uint)command[ItsVirtualFields.VpeId];
            var processor = command.RdBase;
            var idBits = (int)command[ItsVirtualFields.VptSize] + 1;
            var vptAddress = command[ItsVirtualFields.VptAddress] << 16;
            var vconf = command[ItsVirtual41Fields.VconfAddress] << 16;
            var doorbell = (uint)command[ItsVirtual41Fields.DefaultDoorbell];
            if(command.Valid)
            {
                if(!gic.IsValidTargetProcessor((long)processor))
                {
                    return Skip("RDbase {0} is not an attached processor (GITS_TYPER.PTA = 0)", processor);
                }
                if(idBits < 14 || idBits > gic.LpiIdBits)
                {
                    return Skip("VPT_size {0} gives {1} vINTID bits (14..{2} supported)", idBits - 1, idBits, gic.LpiIdBits);
                }
                if(doorbell != SpuriousIntid && !IsLpi(doorbell))
                {
                    return Skip("Default Doorbell {0} is neither 1023 (none) nor an LPI", doorbell);
                }
            }
            else if(gic.TryGetResidentProcessor((int)vpeId, out var residentOn))
            {
                return Skip("vPEID {0} is resident on processor {1} (GICR_VPENDBASER.Valid = 1); it cannot be unmapped", vpeId, residentOn);
            }
            var result = LocateForWrite(its.VpeTable, "GITS_BASER2 (vPE table)", vpeId, out var address);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            if(!command.Valid)
            {
                return WriteEntry(address, default);
            }
            var keep = default(VpeConfigEntry);
            if(command[ItsVirtual41Fields.Alloc] == 0)
            {
                if(!gic.TryReadVpeConfig(address, out var old))
                {
                    return Stall("vPE table entry", address);
                }
                keep = old.Valid ? old : default;
            }
            var entry = keep with
            {
                Vpe = new VpeTableEntry(true, idBits, vptAddress, (int)processor),
                VconfAddress = vconf,
                DefaultDoorbell = (int)doorbell,
                DoorbellArmed = false,
            };
            return WriteEntry(address, entry);
        }

        public ItsCommandResult VSgi(ItsCommand command)
        {
            if(!CheckVirtual41())
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            var vpeId = (int)command[ItsVirtualFields.VpeId];
            var result = LookupVte((uint)vpeId, out var vte, out var address);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            var sgi = (int)command[ItsVirtual41Fields.SgiIntid];
            var priority = (int)command[ItsVirtual41Fields.SgiPriority] << 4;
            var group1 = command[ItsVirtual41Fields.SgiGroup] != 0;
            var clear = command[ItsVirtual41Fields.SgiClear] != 0;
            var enable = command[ItsVirtual41Fields.SgiEnable] != 0;
            if(gic.TryGetResidentProcessor(vpeId, out var processor))
            {
                gic.RedistributorOf(processor).ConfigureResidentVsgi(sgi, enable, priority, group1, clear);
                return ItsCommandResult.Done;
            }
            if(!gic.TryReadVpeConfig(address, out var entry))
            {
                return Stall("vPE table entry", address);
            }
            var bit = (ushort)(1 << sgi);
            entry = entry with
            {
                SgiEnabled = enable ? (ushort)(entry.SgiEnabled | bit) : (ushort)(entry.SgiEnabled & ~bit),
                SgiGroup1 = group1 ? (ushort)(entry.SgiGroup1 | bit) : (ushort)(entry.SgiGroup1 & ~bit),
                SgiPending = clear ? (ushort)(entry.SgiPending & ~bit) : entry.SgiPending,
                SgiPriorities = (entry.SgiPriorities & ~(0xFUL << (4 * sgi))) | ((ulong)(priority >> 4) << (4 * sgi)),
            };
            return WriteEntry(address, entry);
        }

        public ItsCommandResult InvDb(ItsCommand command)
        {
            if(!CheckVirtual41())
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            var result = LookupVte((uint)command[ItsVirtualFields.VpeId], out var vte, out var address);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            if(!gic.TryReadVpeConfig(address, out var entry))
            {
                return Stall("vPE table entry", address);
            }
            if(entry.DefaultDoorbell != VpeConfigEntry.NoDoorbell)
            {
                gic.RedistributorOf(vte.Processor).InvalidateLpi(entry.DefaultDoorbell, "INVDB");
            }
            return ItsCommandResult.Done;
        }

        /// <summary>GITS_SGIR: makes vSGI <paramref name="sgi"/> of <paramref name="vpeId"/> pending. False when dropped.</summary>
        public bool SendVsgi(uint vpeId, int sgi)
        {
            currentCommand = "GITS_SGIR";
            var result = LookupVte(vpeId, out var vte, out var address);
            if(result == ItsCommandResult.Stall)
            {
                its.GuestError("GITS_SGIR: guest-memory error reading the vPE table for vPEID {0}; vSGI {1} dropped", vpeId, sgi);
            }
            return result == ItsCommandResult.Done && gic.RedistributorOf(vte.Processor).SetVsgiPending41((int)vpeId, address, sgi, "GITS_SGIR");
        }

        /// <summary>A vLPI for <paramref name="vpeId"/>: GICv4.1 by vPEID (default doorbell), GICv4.0 by VPT address (event doorbell).</summary>
        private bool DeliverVlpi(uint vpeId, VpeTableEntry vte, ulong vteAddress, int vintid, int doorbell, string who)
        {
            if(its.Gicv41)
            {
                return gic.RedistributorOf(vte.Processor).SetVlpiPending41((int)vpeId, vteAddress, vte, vintid, who);
            }
            return gic.RedistributorOf(vte.Processor).SetVlpiPending(vte.VptAddress, vte.VptIdBits, vintid, doorbell, who);
        }

        private ItsCommandResult VMovP41(ItsCommand command, uint vpeId, int processor)
        {
            var result = MoveVpeEverywhere(vpeId, processor);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            var newDoorbell = command[ItsVirtual41Fields.VmovpDoorbellValid] != 0;
            var doorbell = (uint)command[ItsVirtual41Fields.VmovpDefaultDoorbell];
            if(newDoorbell && doorbell != SpuriousIntid && !IsLpi(doorbell))
            {
                return Skip("Default Doorbell {0} is neither 1023 (none) nor an LPI (the vPE was moved, its doorbell kept)", doorbell);
            }
            result = LookupVte(vpeId, out _, out var address);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            if(!gic.TryReadVpeConfig(address, out var entry))
            {
                return Stall("vPE table entry", address);
            }
            if(newDoorbell)
            {
                entry = entry with { DefaultDoorbell = (int)doorbell };
                result = Write64(address + 8, entry.EncodeDw1());
            }
            // The doorbell now rings at the new Redistributor, whose cached configuration of that LPI may predate the
            // INVDB software sent to the old one: it re-reads it (as for MOVI, Redistributor.Lpi.cs).
            var target = gic.RedistributorOf(processor);
            if(result == ItsCommandResult.Done && entry.DefaultDoorbell != VpeConfigEntry.NoDoorbell && target.LpisEnabled && target.Lpis!.Contains(entry.DefaultDoorbell))
            {
                target.InvalidateLpi(entry.DefaultDoorbell, "VMOVP");
            }
            return result;
        }

        private ItsCommandResult WriteEntry(ulong address, VpeConfigEntry entry)
        {
            var dw0 = entry.Valid ? entry.Vpe.Encode() : 0;
            var dw1 = entry.Valid ? entry.EncodeDw1() : 0;
            var dw2 = entry.Valid ? entry.SgiPriorities : 0;
            var dw3 = entry.Valid ? entry.EncodeDw3() : 0;
            // Everything but DW0 first: the entry becomes valid (DW0) only when the rest is in place.
            if(!gic.Memory.TryWriteQuadWord(address + 8, dw1) || !gic.Memory.TryWriteQuadWord(address + 16, dw2) || !gic.Memory.TryWriteQuadWord(address + 24, dw3))
            {
                return Stall("vPE table entry", address);
            }
            return Write64(address, dw0);
        }

        private bool CheckVirtual41()
        {
            if(its.Gicv41)
            {
                return true;
            }
            Skip("is a GICv4.1 command; this ITS implements {0}", its.VirtualLpis ? "GICv4.0" : "no virtual LPIs (GITS_TYPER.Virtual = 0)");
            return false;
        }
    }

    public sealed partial class ArmGicV3Its
    {
        private const long GitsSgirOffset = 0x20020;

        /// <summary>GITS_SGIR[31:0] written by a 32-bit access, waiting for the high half.</summary>
        private uint sgirLowHalf;

        private void WriteSgir(long offset, int size, ulong value)
        {
            if(size == 4 && offset == GitsSgirOffset)
            {
                sgirLowHalf = (uint)value; // vINTID: sent with the write of the high half
                return;
            }
            if(size == 4 && offset == GitsSgirOffset + 4)
            {
                value = ((ulong)(uint)value << 32) | sgirLowHalf;
                sgirLowHalf = 0;
            }
            else if(size != 8 || offset != GitsSgirOffset)
            {
                this.GuestError("GITS_SGIR (offset 0x{0:X}) takes 64-bit writes or 32-bit writes to either half, got a {1}-bit write of 0x{2:X}; ignored",
                    offset, size * 8, value);
                return;
            }
            if(!enabled)
            {
                this.GuestError("GITS_SGIR written (0x{0:X}) while GITS_CTLR.Enabled = 0; ignored", value);
                return;
            }
            busy = true;
            try
            {
                processor.SendVsgi((uint)((value >> 32) & 0xFFFF), (int)(value & 0xF));
            }
            finally
            {
                busy = false;
            }
            gic.UpdateOutputsAfterLpiChange();
        }
    }
}
