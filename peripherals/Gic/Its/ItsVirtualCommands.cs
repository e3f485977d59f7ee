// The GICv4.0 ITS commands (IHI 0069 chapter 6.3: VMAPP, VMAPTI, VMAPI, VMOVI, VMOVP, VSYNC, VINVALL) and the
// virtual side of translation, INT, CLEAR, DISCARD, INV and MOVI: an ITT entry with Physical = 0 names a vPE
// (vPEID) and a vINTID instead of a collection and an LPI, plus an optional doorbell LPI (1023 = none).
//
// Path of a virtual event (as QEMU: translate -> ITE -> switch on its type):
//   ITE (virtual) -> vPE table entry (GITS_BASER2; VMAPP wrote it: Valid, target Redistributor, VPT address and
//   size) -> Redistributor.SetVlpiPending: direct to the virtual CPU interface when that vPE is resident there
//   (GICR_VPENDBASER.PA = VPT address), else recorded in the VPT and the doorbell (if any) made pending.
//
// vPE table entry (8 bytes, IMPDEF, close to QEMU's): Valid[0], VPT_size[5:1] (ID bits - 1), VPT_addr[51:16] in
// [41:6], RDbase (processor number, GITS_TYPER.PTA = 0) [57:42].
//
// Errors follow the physical commands: guest-memory error -> Stall; bad field (vPEID beyond the vPE table,
// unmapped vPE, RDbase that is not an attached processor, vINTID or doorbell that is not an LPI, VPT_size out of
// range, MOVI on a virtual event) -> guest error and skip. Never a host exception.
//
// VMOVP:
// - GITS_TYPER.VMOVP = 1 (the default, as QEMU): one VMOVP moves the vPE in every ITS with virtual support
//   attached to the GIC. All entries are looked up before any is written ("update only after success"); a
//   memory error anywhere stalls the command with nothing changed, and "Stall beats Skip": if one ITS would stall
//   and another would skip, the command stalls (it is retried whole). An ITS in which the vPE is not mapped is not
//   involved; the ITS executing the command must have it mapped (else skip). If writing an entry fails after
//   others were written, those are rolled back to their old values and the command stalls.
// - GITS_TYPER.VMOVP = 0: software sends the same VMOVP (SeqNum, ITSList, vPEID, RDbase) to every ITS in
//   ITSList; each ITS moves the vPE in its own table. ITSList must contain this ITS's GITS_CTLR.ITS_Number and
//   name only existing ITSes, and a SeqNum still in progress must not be reused for another vPEID/RDbase
//   (each a guest error, skipped).
// SYNC/VSYNC: processing is synchronous (every command has taken effect when the next one starts), so VSYNC only
// checks that its vPE is mapped. That stays true only while command processing is synchronous.
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    /// <summary>Fields of the GICv4 commands (IHI 0069 6.3), in the ItsFields style.</summary>
    internal static class ItsVirtualFields
    {
        public static readonly ItsField SequenceNumber = new ItsField(0, 47, 32);
        public static readonly ItsField ItsList = new ItsField(1, 15, 0);
        public static readonly ItsField VpeId = new ItsField(1, 47, 32);
        public static readonly ItsField VirtualIntid = new ItsField(2, 31, 0);
        public static readonly ItsField DoorbellIntid = new ItsField(2, 63, 32);
        /// <summary>VMOVI: D, the doorbell field is valid.</summary>
        public static readonly ItsField DoorbellValid = new ItsField(2, 0, 0);
        public static readonly ItsField VptAddress = new ItsField(3, 51, 16);
        /// <summary>VMAPP: VPT_size, number of vINTID bits minus one.</summary>
        public static readonly ItsField VptSize = new ItsField(3, 4, 0);
    }

    /// <summary>An entry of the vPE table (GITS_BASER2).</summary>
    internal readonly record struct VpeTableEntry(bool Valid, int VptIdBits, ulong VptAddress, int Processor)
    {
        public const int Size = 8;

        public static VpeTableEntry Decode(ulong value) =>
            new VpeTableEntry((value & 1) != 0, (int)((value >> 1) & 0x1F) + 1, ((value >> 6) & 0xF_FFFF_FFFFUL) << 16, (int)((value >> 42) & 0xFFFF));

        public ulong Encode() => !Valid ? 0
            : 1UL | ((ulong)((VptIdBits - 1) & 0x1F) << 1) | (((VptAddress >> 16) & 0xF_FFFF_FFFFUL) << 6) | ((ulong)(Processor & 0xFFFF) << 42);
    }

    internal sealed partial class ItsCommandProcessor
    {
        public ItsCommandResult VMapP(ItsCommand command)
        {
            if(!CheckVirtual())
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            var vpeId = (uint)command[ItsVirtualFields.VpeId];
            var processor = command.RdBase;
            var idBits = (int)command[ItsVirtualFields.VptSize] + 1;
            var vptAddress = command[ItsVirtualFields.VptAddress] << 16;
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
            }
            var result = LocateForWrite(its.VpeTable, "GITS_BASER2 (vPE table)", vpeId, out var address);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            var entry = command.Valid ? new VpeTableEntry(true, idBits, vptAddress, (int)processor) : default;
            return Write64(address, entry.Encode());
        }

        public ItsCommandResult VMapTI(ItsCommand command, uint vintid)
        {
            if(!CheckVirtual())
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            var result = LookupDte(command.DeviceId, out var dte);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            if(!dte.Valid)
            {
                return Skip("DeviceID {0} is not mapped (MAPD)", command.DeviceId);
            }
            var eventId = command.EventId;
            if(!CheckEventId(eventId, dte))
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            var vpeId = (uint)command[ItsVirtualFields.VpeId];
            if(vpeId >= its.VpeTable.Capacity)
            {
                return Skip("vPEID {0} is beyond the vPE table (GITS_BASER2: {1})", vpeId, its.VpeTable);
            }
            if(!IsLpi(vintid))
            {
                return Skip("vINTID {0} is not an LPI (8192..{1})", vintid, (1UL << gic.LpiIdBits) - 1);
            }
            var doorbell = (uint)command[ItsVirtualFields.DoorbellIntid];
            if(doorbell != SpuriousIntid && (!IsLpi(doorbell) || its.Gicv41))
            {
                return Skip(its.Gicv41 ? "Dbell_pINTID {0} is not 1023, but GITS_TYPER.nID = 1 (GICv4.1: only the vPE's default doorbell)"
                    : "Dbell_pINTID {0} is neither 1023 (no doorbell) nor an LPI", doorbell);
            }
            var ite = new InterruptTranslationEntry(true, false, (int)vintid, (int)doorbell, 0, (ushort)vpeId);
            return WriteIte(dte, eventId, ite);
        }

        public ItsCommandResult VMovI(ItsCommand command)
        {
            if(!CheckVirtual())
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            var result = LookupVirtualIte(command.DeviceId, command.EventId, out var dte, out var ite);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            result = LookupVte((uint)ite.VpeId, out var oldVte, out _);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            var newVpeId = (uint)command[ItsVirtualFields.VpeId];
            result = LookupVte(newVpeId, out var newVte, out _);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            var doorbell = ite.Doorbell;
            if(command[ItsVirtualFields.DoorbellValid] != 0)
            {
                var newDoorbell = (uint)command[ItsVirtualFields.DoorbellIntid];
                if(newDoorbell != SpuriousIntid && (!IsLpi(newDoorbell) || its.Gicv41))
                {
                    return Skip(its.Gicv41 ? "Dbell_pINTID {0} is not 1023, but GITS_TYPER.nID = 1 (GICv4.1: only the vPE's default doorbell)"
                        : "Dbell_pINTID {0} is neither 1023 (no doorbell) nor an LPI", newDoorbell);
                }
                doorbell = (int)newDoorbell;
            }
            if(ite.Intid >= (1L << newVte.VptIdBits))
            {
                return Skip("vINTID {0} does not fit the VPT of vPEID {1} ({2} ID bits)", ite.Intid, newVpeId, newVte.VptIdBits);
            }
            // The ITE first: a memory error there stalls with nothing moved.
            result = WriteIte(dte, command.EventId, ite with { VpeId = (ushort)newVpeId, Doorbell = doorbell });
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            if(gic.RedistributorForVpe(ite.VpeId, oldVte.Processor).ClearVlpiPending(oldVte.VptAddress, oldVte.VptIdBits, ite.Intid, "VMOVI"))
            {
                LookupVte(newVpeId, out _, out var newAddress);
                DeliverVlpi(newVpeId, newVte, newAddress, ite.Intid, doorbell, "VMOVI");
            }
            return ItsCommandResult.Done;
        }

        public ItsCommandResult VMovP(ItsCommand command)
        {
            if(!CheckVirtual())
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            var vpeId = (uint)command[ItsVirtualFields.VpeId];
            var processor = command.RdBase;
            if(!gic.IsValidTargetProcessor((long)processor))
            {
                return Skip("RDbase {0} is not an attached processor (GITS_TYPER.PTA = 0)", processor);
            }
            if(its.Gicv41)
            {
                return VMovP41(command, vpeId, (int)processor); // ItsVirtualCommands41.cs: no ITSList, default doorbell
            }
            if(its.SingleVmovp)
            {
                return MoveVpeEverywhere(vpeId, (int)processor);
            }
            var itsList = (int)command[ItsVirtualFields.ItsList];
            var sequence = (int)command[ItsVirtualFields.SequenceNumber];
            if((itsList & (1 << its.ItsNumber)) == 0)
            {
                return Skip("ITSList 0x{0:X4} does not contain this ITS (GITS_CTLR.ITS_Number = {1})", itsList, its.ItsNumber);
            }
            var known = 0;
            foreach(var other in gic.Itses)
            {
                if(other.VirtualLpis)
                {
                    known |= 1 << other.ItsNumber;
                }
            }
            if((itsList & ~known) != 0)
            {
                return Skip("ITSList 0x{0:X4} names ITS numbers that do not exist (ITSes with virtual support: 0x{1:X4})", itsList, known);
            }
            var result = LookupVte(vpeId, out var vte, out var address);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            if(!gic.RecordVmovp(sequence, itsList, (int)vpeId, processor, its.ItsNumber))
            {
                return Skip("SeqNum {0} is still in progress for another vPEID or RDbase (vPEID {1}, RDbase {2})", sequence, vpeId, processor);
            }
            return Write64(address, (vte with { Processor = (int)processor }).Encode());
        }

        public ItsCommandResult VSync(ItsCommand command)
        {
            if(!CheckVirtual())
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            // Processing is synchronous: every earlier command for this vPE has taken effect already.
            return LookupVte((uint)command[ItsVirtualFields.VpeId], out _, out _);
        }

        public ItsCommandResult VInvAll(ItsCommand command)
        {
            if(!CheckVirtual())
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            var result = LookupVte((uint)command[ItsVirtualFields.VpeId], out var vte, out _);
            if(result == ItsCommandResult.Done)
            {
                gic.RedistributorForVpe((int)command[ItsVirtualFields.VpeId], vte.Processor).InvalidateAllVlpis(vte.VptAddress, "VINVALL");
            }
            return result;
        }

        /// <summary>
        /// INT, CLEAR, DISCARD, INV and MOVI: an event mapped to a vLPI (VMAPTI/VMAPI) takes the virtual path here,
        /// any other goes to the physical handler (which reports unmapped events itself).
        /// </summary>
        public ItsCommandResult PhysicalOrVirtual(ItsCommand command, System.Func<ItsCommand, ItsCommandResult> physical)
        {
            if(!its.VirtualLpis || !TryPeekVirtualIte(command.DeviceId, command.EventId, out var dte, out var ite))
            {
                return physical(command);
            }
            var result = LookupVte(ite.VpeId, out var vte, out var vteAddress);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            var redistributor = gic.RedistributorForVpe(ite.VpeId, vte.Processor);
            switch((ItsOpcode)command.Opcode)
            {
            case ItsOpcode.INT:
                gic.TraceTranslation(its, DeliverVlpi(ite.VpeId, vte, vteAddress, ite.Intid, ite.Doorbell, "INT"), true, ite.Intid, vte.Processor, command.DeviceId, command.EventId, ite.VpeId, "INT");
                return ItsCommandResult.Done;
            case ItsOpcode.CLEAR:
                redistributor.ClearVlpiPending(vte.VptAddress, vte.VptIdBits, ite.Intid, "CLEAR");
                return ItsCommandResult.Done;
            case ItsOpcode.DISCARD:
                redistributor.ClearVlpiPending(vte.VptAddress, vte.VptIdBits, ite.Intid, "DISCARD");
                return WriteIte(dte, command.EventId, default);
            case ItsOpcode.INV:
                redistributor.InvalidateVlpi(vte.VptAddress, ite.Intid, "INV");
                return ItsCommandResult.Done;
            default:
                return Skip("DeviceID {0} EventID {1} is mapped to vINTID {2} of vPEID {3}: use VMOVI to move a virtual LPI",
                    command.DeviceId, command.EventId, ite.Intid, ite.VpeId);
            }
        }

        /// <summary>GITS_TRANSLATER / SendMsi for an event mapped to a vLPI. False when the event is not virtual.</summary>
        public bool TryTranslateVirtual(uint deviceId, uint eventId, out bool delivered)
        {
            delivered = false;
            if(!its.VirtualLpis || !TryPeekVirtualIte(deviceId, eventId, out _, out var ite))
            {
                return false;
            }
            if(LookupVte(ite.VpeId, out var vte, out var vteAddress) == ItsCommandResult.Done)
            {
                delivered = gic.TraceTranslation(its, DeliverVlpi(ite.VpeId, vte, vteAddress, ite.Intid, ite.Doorbell, "ITS translation"), true, ite.Intid, vte.Processor, deviceId, eventId, ite.VpeId, "MSI");
            }
            return true;
        }

        // ---- Helpers --------------------------------------------------------------------------------------------

        private ItsCommandResult MoveVpeEverywhere(uint vpeId, int processor)
        {
            // Phase 1: look the vPE up in every ITS with virtual support (no writes).
            var participants = new System.Collections.Generic.List<(ulong Address, VpeTableEntry Old)>();
            var aggregate = ItsCommandResult.Done;
            foreach(var other in gic.Itses)
            {
                if(!other.VirtualLpis)
                {
                    continue;
                }
                var result = other.Processor.PeekVte(vpeId, out var vte, out var address, quiet: !ReferenceEquals(other, its));
                if(result == ItsCommandResult.Stall)
                {
                    aggregate = ItsCommandResult.Stall; // Stall beats Skip: the whole command is retried
                }
                else if(result == ItsCommandResult.SkipAfterGuestError)
                {
                    if(ReferenceEquals(other, its) && aggregate == ItsCommandResult.Done)
                    {
                        aggregate = ItsCommandResult.SkipAfterGuestError;
                    }
                }
                else
                {
                    participants.Add((address, vte));
                }
            }
            if(aggregate != ItsCommandResult.Done)
            {
                return aggregate;
            }
            // Phase 2: write every entry; roll back on a failure.
            for(var n = 0; n < participants.Count; n++)
            {
                var (address, old) = participants[n];
                if(!gic.Memory.TryWriteQuadWord(address, (old with { Processor = processor }).Encode()))
                {
                    for(var done = 0; done < n; done++)
                    {
                        gic.Memory.TryWriteQuadWord(participants[done].Address, participants[done].Old.Encode());
                    }
                    return Stall("vPE table entry (VMOVP rolled back)", address);
                }
            }
            return ItsCommandResult.Done;
        }

        /// <summary>The vPE table entry of <paramref name="vpeId"/> in this ITS; with <paramref name="quiet"/> an unmapped vPE is not logged.</summary>
        internal ItsCommandResult PeekVte(uint vpeId, out VpeTableEntry vte, out ulong address, bool quiet)
        {
            vte = default;
            switch(its.VpeTable.Locate(gic.Memory, vpeId, out address))
            {
            case ItsEntryLocation.OutOfRange:
                return quiet ? ItsCommandResult.SkipAfterGuestError : Skip("vPEID {0} is beyond the vPE table (GITS_BASER2: {1})", vpeId, its.VpeTable);
            case ItsEntryLocation.NotBacked:
                return quiet ? ItsCommandResult.SkipAfterGuestError : Skip("vPEID {0} is not mapped (VMAPP)", vpeId);
            case ItsEntryLocation.MemoryError:
                return Stall("vPE table level-1 entry", address);
            }
            if(!gic.Memory.TryReadQuadWord(address, out var value))
            {
                return Stall("vPE table entry", address);
            }
            vte = VpeTableEntry.Decode(value);
            if(!vte.Valid)
            {
                return quiet ? ItsCommandResult.SkipAfterGuestError : Skip("vPEID {0} is not mapped (VMAPP)", vpeId);
            }
            if(!gic.IsValidTargetProcessor(vte.Processor))
            {
                return quiet ? ItsCommandResult.SkipAfterGuestError : Skip("vPEID {0} maps to processor {1}, which is not attached", vpeId, vte.Processor);
            }
            return ItsCommandResult.Done;
        }

        /// <summary>The valid vPE table entry of <paramref name="vpeId"/>, naming an attached processor.</summary>
        private ItsCommandResult LookupVte(uint vpeId, out VpeTableEntry vte, out ulong address) => PeekVte(vpeId, out vte, out address, quiet: false);

        /// <summary>The valid, virtual ITT entry of (DeviceID, EventID).</summary>
        private ItsCommandResult LookupVirtualIte(uint deviceId, uint eventId, out DeviceTableEntry dte, out InterruptTranslationEntry ite)
        {
            ite = default;
            var result = LookupDte(deviceId, out dte);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            if(!dte.Valid)
            {
                return Skip("DeviceID {0} is not mapped (MAPD)", deviceId);
            }
            if(!CheckEventId(eventId, dte))
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            var address = IteAddress(dte, eventId);
            if(!gic.Memory.TryReadQuadWord(address, out var low) || !gic.Memory.TryReadDoubleWord(address + 8, out var high))
            {
                return Stall("Interrupt translation table entry", address);
            }
            ite = InterruptTranslationEntry.Decode(low, high);
            if(!ite.Valid || ite.Physical)
            {
                return Skip("DeviceID {0} EventID {1} is not mapped to a virtual LPI (VMAPTI/VMAPI)", deviceId, eventId);
            }
            return ItsCommandResult.Done;
        }

        /// <summary>Reads the ITE of (DeviceID, EventID) without logging; true only for a valid virtual mapping.</summary>
        private bool TryPeekVirtualIte(uint deviceId, uint eventId, out DeviceTableEntry dte, out InterruptTranslationEntry ite)
        {
            dte = default;
            ite = default;
            if(its.DeviceIdBits < 32 && deviceId >> its.DeviceIdBits != 0)
            {
                return false;
            }
            if(its.DeviceTable.Locate(gic.Memory, deviceId, out var dteAddress) != ItsEntryLocation.Found
                || !gic.Memory.TryReadQuadWord(dteAddress, out var dteValue))
            {
                return false;
            }
            dte = DeviceTableEntry.Decode(dteValue);
            if(!dte.Valid || (dte.EventIdBits < 32 && eventId >> dte.EventIdBits != 0))
            {
                return false;
            }
            var address = IteAddress(dte, eventId);
            if(!gic.Memory.TryReadQuadWord(address, out var low) || !gic.Memory.TryReadDoubleWord(address + 8, out var high))
            {
                return false;
            }
            ite = InterruptTranslationEntry.Decode(low, high);
            return ite.Valid && !ite.Physical;
        }

        private bool CheckVirtual()
        {
            if(its.VirtualLpis)
            {
                return true;
            }
            Skip("is a GICv4 command but GITS_TYPER.Virtual = 0");
            return false;
        }

        private bool IsLpi(uint intid) => intid >= LpiPendingSet.FirstLpi && intid < (1UL << gic.LpiIdBits);
    }
}
