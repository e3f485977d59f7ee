// The physical ITS commands (IHI 0069 chapter 6.3) and the translation of an MSI (GITS_TRANSLATER, INT).
//
// Every handler is a guard ladder over three lookup helpers that each do range check -> read -> valid check in one
// place and return an ItsCommandResult: LookupDte (Device table), LookupIte (DTE + the event's ITT entry) and
// LookupCte (Collection table). A guest-memory error returns Stall; a bad parameter is logged once, naming the
// command and the offending value, and returns SkipAfterGuestError. Each command touches a bounded number of
// table entries; MOVALL and INVALL also walk one Redistributor's LPI state (bounded by its LPI INTID space).
//
// Commands are processed synchronously when GITS_CWRITER is written (or the ITS enabled), under the GIC lock, so
// every earlier command's effect is visible when SYNC is processed: SYNC only checks its RDbase and writes the
// target Redistributor's pending state back to its LPI Pending table.
//
// Checks (IHI 0069 6.3 "command errors", as QEMU): DeviceID < 2^Devbits and within the Device table; EventID <
// 2^(DTE.Size + 1); ICID < 2^CIDbits and within the Collection table; pINTID in 8192 .. 2^(GICD_TYPER.IDbits + 1)
// - 1 (so 1023 and every non-LPI INTID are rejected); MAPD Size <= GITS_TYPER.ID_bits; MAPC with V = 1 needs an
// attached processor as RDbase (GITS_TYPER.PTA = 0), MAPC with V = 0 does not look at RDbase.
using Antmicro.Renode.Logging;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed partial class ItsCommandProcessor
    {
        public ItsCommandProcessor(ArmGicV3Its its, ArmGicV3 gic)
        {
            this.its = its;
            this.gic = gic;
        }

        /// <summary>Runs one command read from the queue.</summary>
        public ItsCommandResult Execute(ItsCommand command)
        {
            if(!ItsCommandTable.Commands.TryGetValue(command.Opcode, out var spec))
            {
                its.GuestError("command 0x{0:X2} {1} is not an ITS command; skipped", command.Opcode, command);
                return ItsCommandResult.SkipAfterGuestError;
            }
            currentCommand = spec.Name;
            return its.RecordCommand(command, spec.Name, spec.Handler(this, command));
        }

        /// <summary>
        /// Translates (DeviceID, EventID) to an LPI and makes it pending at the collection's Redistributor
        /// (GITS_TRANSLATER, ArmGicV3Its.SendMsi). A memory error cannot stall anything here: the MSI is dropped.
        /// </summary>
        public bool Translate(uint deviceId, uint eventId)
        {
            currentCommand = "GITS_TRANSLATER";
            if(TryTranslateVirtual(deviceId, eventId, out var virtualDelivered))
            {
                return virtualDelivered; // an event mapped to a vLPI (ItsVirtualCommands.cs)
            }
            var result = LookupIte(deviceId, eventId, out _, out var ite, out _);
            if(result == ItsCommandResult.Done)
            {
                result = LookupCte(ite.Icid, out var cte);
                if(result == ItsCommandResult.Done)
                {
                    return gic.TraceTranslation(its, gic.RedistributorOf(cte.Processor).SetLpiPending(ite.Intid, "ITS translation"), false, ite.Intid, cte.Processor, deviceId, eventId, -1, "MSI");
                }
            }
            if(result == ItsCommandResult.Stall)
            {
                its.GuestError("GITS_TRANSLATER: guest-memory error translating DeviceID {0} EventID {1}; MSI dropped", deviceId, eventId);
            }
            return false;
        }

        // ---- Commands ----------------------------------------------------------------------------------------

        public ItsCommandResult MapD(ItsCommand command)
        {
            var deviceId = command.DeviceId;
            if(!CheckDeviceId(deviceId))
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            if(command.Valid && command.SizeBits + 1 > its.EventIdBits)
            {
                return Skip("Size {0} (EventID bits - 1) exceeds GITS_TYPER.ID_bits = {1}", command.SizeBits, its.EventIdBits - 1);
            }
            var result = LocateForWrite(its.DeviceTable, "GITS_BASER0 (Device table)", deviceId, out var address);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            var entry = command.Valid ? new DeviceTableEntry(true, command.SizeBits + 1, command.IttAddress) : default;
            return Write64(address, entry.Encode());
        }

        public ItsCommandResult MapC(ItsCommand command)
        {
            var icid = command.Icid;
            if(!CheckIcid(icid))
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            var processor = command.RdBase;
            if(command.Valid && !gic.IsValidTargetProcessor((long)processor))
            {
                return Skip("RDbase {0} is not an attached processor (GITS_TYPER.PTA = 0: RDbase is a processor number)", processor);
            }
            var result = LocateForWrite(its.CollectionTable, "GITS_BASER1 (Collection table)", icid, out var address);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            var entry = command.Valid ? new CollectionTableEntry(true, (int)processor) : default;
            return Write64(address, entry.Encode());
        }

        public ItsCommandResult MapTI(ItsCommand command, uint intid)
        {
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
            if(intid < LpiPendingSet.FirstLpi || intid >= (1UL << gic.LpiIdBits))
            {
                return Skip("pINTID {0} is not an LPI (8192..{1})", intid, (1UL << gic.LpiIdBits) - 1);
            }
            if(!CheckIcid(command.Icid))
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            var ite = new InterruptTranslationEntry(true, true, (int)intid, SpuriousIntid, (ushort)command.Icid, 0);
            return WriteIte(dte, eventId, ite);
        }

        public ItsCommandResult Int(ItsCommand command)
        {
            var result = LookupMapping(command, out var ite, out var cte, out _, out _);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            gic.TraceTranslation(its, gic.RedistributorOf(cte.Processor).SetLpiPending(ite.Intid, "INT"), false, ite.Intid, cte.Processor, command.DeviceId, command.EventId, -1, "INT");
            return ItsCommandResult.Done;
        }

        public ItsCommandResult Clear(ItsCommand command)
        {
            var result = LookupMapping(command, out var ite, out var cte, out _, out _);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            gic.RedistributorOf(cte.Processor).ClearLpiPending(ite.Intid, "CLEAR");
            return ItsCommandResult.Done;
        }

        public ItsCommandResult Discard(ItsCommand command)
        {
            var result = LookupMapping(command, out var ite, out var cte, out var dte, out _);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            gic.RedistributorOf(cte.Processor).ClearLpiPending(ite.Intid, "DISCARD");
            return WriteIte(dte, command.EventId, default);
        }

        public ItsCommandResult Inv(ItsCommand command)
        {
            var result = LookupMapping(command, out var ite, out var cte, out _, out _);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            gic.RedistributorOf(cte.Processor).InvalidateLpi(ite.Intid, "INV");
            return ItsCommandResult.Done;
        }

        public ItsCommandResult InvAll(ItsCommand command)
        {
            var result = LookupCte(command.Icid, out var cte);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            gic.RedistributorOf(cte.Processor).InvalidateAllLpis("INVALL");
            return ItsCommandResult.Done;
        }

        public ItsCommandResult Movi(ItsCommand command)
        {
            var result = LookupMapping(command, out var ite, out var oldCte, out var dte, out _);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            result = LookupCte(command.Icid, out var newCte);
            if(result != ItsCommandResult.Done)
            {
                return result;
            }
            // The ITE moves first; a memory error there stalls with nothing moved (the command is retried whole).
            result = WriteIte(dte, command.EventId, ite with { Icid = (ushort)command.Icid });
            if(result != ItsCommandResult.Done || oldCte.Processor == newCte.Processor)
            {
                return result;
            }
            var from = gic.RedistributorOf(oldCte.Processor);
            var to = gic.RedistributorOf(newCte.Processor);
            // The destination may hold a configuration of this LPI cached before it was last changed (the INV went to the
            // old Redistributor). Software issues no INV after MOVI (Linux does not), so the destination re-reads the
            // LPI's Configuration table entry (IMPDEF, Redistributor.Lpi.cs; QEMU reads the table at every delivery).
            if(to.LpisEnabled && to.Lpis!.Contains(ite.Intid))
            {
                to.InvalidateLpi(ite.Intid, "MOVI");
            }
            if(from.LpisEnabled && from.Lpis!.Contains(ite.Intid) && from.ClearLpiPending(ite.Intid, "MOVI"))
            {
                to.SetLpiPending(ite.Intid, "MOVI");
            }
            return ItsCommandResult.Done;
        }

        public ItsCommandResult MovAll(ItsCommand command)
        {
            var from = command.RdBase;
            var to = command.RdBase2;
            if(!gic.IsValidTargetProcessor((long)from) || !gic.IsValidTargetProcessor((long)to))
            {
                return Skip("RDbase1 {0} or RDbase2 {1} is not an attached processor", from, to);
            }
            gic.RedistributorOf((int)from).MovePendingLpisTo(gic.RedistributorOf((int)to), "MOVALL");
            return ItsCommandResult.Done;
        }

        public ItsCommandResult Sync(ItsCommand command)
        {
            // Processing is synchronous: every earlier command has taken effect already.
            var processor = command.RdBase;
            if(!gic.IsValidTargetProcessor((long)processor))
            {
                return Skip("RDbase {0} is not an attached processor", processor);
            }
            gic.RedistributorOf((int)processor).WriteBackLpiPendingTable();
            return ItsCommandResult.Done;
        }

        public ItsCommandResult Virtual(ItsCommand command)
        {
            if(!its.VirtualLpis)
            {
                return Skip("is a GICv4 command but GITS_TYPER.Virtual = 0 {0}", command);
            }
            // VSGI and INVDB: GICv4.1 commands; this ITS implements GICv4.0 (Its/ItsVirtualCommands.cs).
            return Skip("is a GICv4.1 command; this ITS implements GICv4.0 {0}", command);
        }

        // ---- Lookups -------------------------------------------------------------------------------------------

        /// <summary>The Device table entry of <paramref name="deviceId"/> (invalid when a two-level table has no page for it).</summary>
        private ItsCommandResult LookupDte(uint deviceId, out DeviceTableEntry dte)
        {
            dte = default;
            if(!CheckDeviceId(deviceId))
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            switch(its.DeviceTable.Locate(gic.Memory, deviceId, out var address))
            {
            case ItsEntryLocation.OutOfRange:
                return Skip("DeviceID {0} is beyond the Device table (GITS_BASER0: {1})", deviceId, its.DeviceTable);
            case ItsEntryLocation.MemoryError:
                return Stall("Device table level-1 entry", address);
            case ItsEntryLocation.NotBacked:
                return ItsCommandResult.Done;
            }
            if(!gic.Memory.TryReadQuadWord(address, out var value))
            {
                return Stall("Device table entry", address);
            }
            dte = DeviceTableEntry.Decode(value);
            return ItsCommandResult.Done;
        }

        /// <summary>The valid, physical ITT entry of (DeviceID, EventID), with its device's entry.</summary>
        private ItsCommandResult LookupIte(uint deviceId, uint eventId, out DeviceTableEntry dte, out InterruptTranslationEntry ite, out ulong address)
        {
            ite = default;
            address = 0;
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
            address = IteAddress(dte, eventId);
            if(!gic.Memory.TryReadQuadWord(address, out var low) || !gic.Memory.TryReadDoubleWord(address + 8, out var high))
            {
                return Stall("Interrupt translation table entry", address);
            }
            ite = InterruptTranslationEntry.Decode(low, high);
            if(!ite.Valid || !ite.Physical)
            {
                return Skip("DeviceID {0} EventID {1} is not mapped (MAPTI/MAPI)", deviceId, eventId);
            }
            return ItsCommandResult.Done;
        }

        /// <summary>The valid Collection table entry of <paramref name="icid"/>, naming an attached processor.</summary>
        private ItsCommandResult LookupCte(uint icid, out CollectionTableEntry cte)
        {
            cte = default;
            if(!CheckIcid(icid))
            {
                return ItsCommandResult.SkipAfterGuestError;
            }
            switch(its.CollectionTable.Locate(gic.Memory, icid, out var address))
            {
            case ItsEntryLocation.OutOfRange:
                return Skip("ICID {0} is beyond the Collection table (GITS_BASER1: {1})", icid, its.CollectionTable);
            case ItsEntryLocation.MemoryError:
                return Stall("Collection table level-1 entry", address);
            case ItsEntryLocation.NotBacked:
                return Skip("ICID {0} is not mapped (MAPC)", icid);
            }
            if(!gic.Memory.TryReadQuadWord(address, out var value))
            {
                return Stall("Collection table entry", address);
            }
            cte = CollectionTableEntry.Decode(value);
            if(!cte.Valid)
            {
                return Skip("ICID {0} is not mapped (MAPC)", icid);
            }
            if(!gic.IsValidTargetProcessor(cte.Processor))
            {
                return Skip("ICID {0} maps to processor {1}, which is not attached", icid, cte.Processor);
            }
            return ItsCommandResult.Done;
        }

        /// <summary>ITE and CTE of the (DeviceID, EventID) of a command.</summary>
        private ItsCommandResult LookupMapping(ItsCommand command, out InterruptTranslationEntry ite, out CollectionTableEntry cte, out DeviceTableEntry dte, out ulong iteAddress)
        {
            cte = default;
            var result = LookupIte(command.DeviceId, command.EventId, out dte, out ite, out iteAddress);
            return result != ItsCommandResult.Done ? result : LookupCte(ite.Icid, out cte);
        }

        private ItsCommandResult LocateForWrite(ItsTableDescriptor table, string tableName, uint id, out ulong address)
        {
            switch(table.Locate(gic.Memory, id, out address))
            {
            case ItsEntryLocation.OutOfRange:
                return Skip("ID {0} is beyond {1} ({2})", id, tableName, table);
            case ItsEntryLocation.NotBacked:
                return Skip("ID {0} has no level-2 page in {1} (level-1 entry not valid)", id, tableName);
            case ItsEntryLocation.MemoryError:
                return Stall(tableName + " level-1 entry", address);
            default:
                return ItsCommandResult.Done;
            }
        }

        private ItsCommandResult WriteIte(DeviceTableEntry dte, uint eventId, InterruptTranslationEntry ite)
        {
            var address = IteAddress(dte, eventId);
            if(!gic.Memory.IsAccessible(address, InterruptTranslationEntry.Size))
            {
                return Stall("Interrupt translation table entry", address);
            }
            gic.Memory.TryWriteQuadWord(address, ite.EncodeLow());
            gic.Memory.TryWriteDoubleWord(address + 8, ite.EncodeHigh());
            return ItsCommandResult.Done;
        }

        private ItsCommandResult Write64(ulong address, ulong value)
        {
            return gic.Memory.TryWriteQuadWord(address, value) ? ItsCommandResult.Done : Stall("table entry", address);
        }

        // The ITE of EventID e is at ITT_addr + e * entry size (QEMU's first ITS release got this wrong).
        private static ulong IteAddress(DeviceTableEntry dte, uint eventId) => dte.IttAddress + (ulong)eventId * InterruptTranslationEntry.Size;

        private bool CheckDeviceId(uint deviceId)
        {
            if(its.DeviceIdBits < 32 && deviceId >> its.DeviceIdBits != 0)
            {
                Skip("DeviceID {0} exceeds GITS_TYPER.Devbits ({1} bits)", deviceId, its.DeviceIdBits);
                return false;
            }
            return true;
        }

        private bool CheckEventId(uint eventId, DeviceTableEntry dte)
        {
            if(dte.EventIdBits < 32 && eventId >> dte.EventIdBits != 0)
            {
                Skip("EventID {0} exceeds the device's ITT size (MAPD Size: {1} EventID bits)", eventId, dte.EventIdBits);
                return false;
            }
            return true;
        }

        private bool CheckIcid(uint icid)
        {
            if(icid >> its.CollectionIdBits != 0)
            {
                Skip("ICID {0} exceeds GITS_TYPER.CIDbits ({1} bits)", icid, its.CollectionIdBits);
                return false;
            }
            return true;
        }

        private ItsCommandResult Skip(string message, params object?[] args)
        {
            its.GuestError(currentCommand + ": " + message + "; skipped", args);
            return ItsCommandResult.SkipAfterGuestError;
        }

        private ItsCommandResult Stall(string what, ulong address)
        {
            its.GuestError("{0}: guest-memory error accessing the {1} at 0x{2:X}", currentCommand, what, address);
            return ItsCommandResult.Stall;
        }

        private const int SpuriousIntid = 1023;

        private readonly ArmGicV3Its its;
        private readonly ArmGicV3 gic;
        private string currentCommand = "";
    }
}
