// ArmGicV3Its, read-only inspection for bring-up (monitor: `its ShowDevices`, `its ShowEvents <devid>`,
// `its ShowCollections`, `its ShowVPEs`, `its ShowQueue`; with several ITSes each has its own name from the .repl,
// e.g. `its1 ShowDevices`). The tables are read from guest memory exactly as the ITS reads them (GITS_BASER<n>, the
// ITT of each device), so what is shown is what a translation would find. ShowQueue lists the last commands the
// ITS processed, decoded, with their outcome (recorded by RecordCommand, called from ItsCommandProcessor.Execute).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    public sealed partial class ArmGicV3Its
    {
        /// <summary>How many processed commands ShowQueue keeps.</summary>
        public const int CommandHistoryLength = 64;

        /// <summary>Monitor `its ShowDevices`: the valid Device table entries.</summary>
        public string ShowDevices()
        {
            lock(gic.Sync)
            {
                var rows = new List<string[]>();
                foreach(var (id, value) in ReadTableEntries(DeviceTable, DeviceTableEntry.Size, MaximumListed))
                {
                    var dte = DeviceTableEntry.Decode(value);
                    if(!dte.Valid)
                    {
                        continue;
                    }
                    var mapped = 0;
                    foreach(var _ in ReadInterruptTranslations(dte))
                    {
                        mapped++;
                    }
                    rows.Add(new[] { Number(id), Number((ulong)dte.EventIdBits), Hex(dte.IttAddress), Number((ulong)mapped) });
                }
                return Header("Device table (GITS_BASER0)", DeviceTable)
                    + GicTextTable.Render(new[] { "DeviceID", "EventID bits", "ITT", "Mapped events" }, rows, "(no device mapped: MAPD)");
            }
        }

        /// <summary>Monitor `its ShowEvents <devid>`: the valid ITT entries of one device and where each goes.</summary>
        public string ShowEvents(uint deviceId)
        {
            lock(gic.Sync)
            {
                if(DeviceTable.Locate(gic.Memory, deviceId, out var address) != ItsEntryLocation.Found || !gic.Memory.TryReadQuadWord(address, out var value)
                    || !DeviceTableEntry.Decode(value).Valid)
                {
                    return $"DeviceID {deviceId} is not mapped (no valid Device table entry: MAPD)";
                }
                var dte = DeviceTableEntry.Decode(value);
                var rows = new List<string[]>();
                foreach(var (eventId, ite) in ReadInterruptTranslations(dte))
                {
                    if(ite.Physical)
                    {
                        var cpu = CollectionProcessor(ite.Icid);
                        var lpis = cpu >= 0 ? gic.RedistributorOf(cpu).Lpis : null;
                        var state = lpis == null || !lpis.Contains(ite.Intid) ? "-"
                            : $"{(lpis.IsPending(ite.Intid) ? "pending" : "idle")}, cfg 0x{lpis.ConfigurationOf(ite.Intid):X2}";
                        rows.Add(new[] { Number(eventId), "LPI", Number((ulong)ite.Intid), $"ICID {ite.Icid} -> {(cpu >= 0 ? "cpu" + cpu : "unmapped")}", "-", state });
                    }
                    else
                    {
                        var vpe = VpeProcessor(ite.VpeId, out var vpt);
                        var resident = vpe >= 0 && gic.RedistributorOf(vpe).IsResident(vpt);
                        rows.Add(new[]
                        {
                            Number(eventId), "vLPI", Number((ulong)ite.Intid), $"vPE {ite.VpeId} -> {(vpe >= 0 ? "cpu" + vpe : "unmapped")}",
                            ite.Doorbell == 1023 ? "none" : Number((ulong)ite.Doorbell), resident ? "resident" : "not resident",
                        });
                    }
                }
                return $"DeviceID {deviceId}: {dte.EventIdBits} EventID bits, ITT at 0x{dte.IttAddress:X}\n"
                    + GicTextTable.Render(new[] { "EventID", "Type", "INTID", "Target", "Doorbell", "State" }, rows, "(no event mapped: MAPTI/MAPI)");
            }
        }

        /// <summary>Monitor `its ShowCollections`: the valid Collection table entries.</summary>
        public string ShowCollections()
        {
            lock(gic.Sync)
            {
                var rows = new List<string[]>();
                foreach(var (id, value) in ReadTableEntries(CollectionTable, CollectionTableEntry.Size, MaximumListed))
                {
                    var cte = CollectionTableEntry.Decode(value);
                    if(cte.Valid)
                    {
                        var lpis = gic.IsValidTargetProcessor(cte.Processor) ? gic.RedistributorOf(cte.Processor).LpisEnabled : false;
                        rows.Add(new[]
                        {
                            Number(id), $"cpu{cte.Processor}",
                            !gic.IsValidTargetProcessor(cte.Processor) ? "not attached" : lpis ? "LPIs enabled" : "GICR_CTLR.EnableLPIs = 0",
                        });
                    }
                }
                return Header("Collection table (GITS_BASER1)", CollectionTable)
                    + GicTextTable.Render(new[] { "ICID", "Target (RDbase)", "Redistributor" }, rows, "(no collection mapped: MAPC)");
            }
        }

        /// <summary>Monitor `its ShowVPEs`: the valid vPE table entries and whether each vPE is resident.</summary>
        public string ShowVPEs()
        {
            lock(gic.Sync)
            {
                if(!VirtualLpis)
                {
                    return "this ITS has no virtual LPI support (virtualLpis: false; GITS_TYPER.Virtual = 0)";
                }
                var rows = new List<string[]>();
                foreach(var (id, value) in ReadTableEntries(VpeTable, VpeTableEntry.Size, MaximumListed))
                {
                    var vte = VpeTableEntry.Decode(value);
                    if(!vte.Valid)
                    {
                        continue;
                    }
                    var attached = gic.IsValidTargetProcessor(vte.Processor);
                    var resident = attached && gic.RedistributorOf(vte.Processor).IsResident(vte.VptAddress);
                    rows.Add(new[] { Number(id), $"cpu{vte.Processor}", Hex(vte.VptAddress), Number((ulong)vte.VptIdBits), resident ? "yes" : "no" });
                }
                return Header("vPE table (GITS_BASER2)", VpeTable)
                    + GicTextTable.Render(new[] { "vPEID", "RDbase", "VPT", "vINTID bits", "Resident" }, rows, "(no vPE mapped: VMAPP)");
            }
        }

        /// <summary>Monitor `its ShowQueue`: the command queue registers and the last commands processed, decoded, with their outcome.</summary>
        public string ShowQueue()
        {
            lock(gic.Sync)
            {
                var queueSize = ((commandQueueBase & 0xFF) + 1) * 0x1000;
                var sb = new StringBuilder();
                sb.Append(CultureInfo.InvariantCulture,
                    $"GITS_CTLR.Enabled={(enabled ? 1 : 0)} GITS_CBASER=0x{commandQueueBase:X} ({((commandQueueBase >> 63) != 0 ? "valid" : "not valid")}, 0x{queueSize:X} bytes) GITS_CREADR=0x{commandReader:X}{(stalled ? " (STALLED)" : "")} GITS_CWRITER=0x{commandWriter:X}\n");
                var rows = new List<string[]>();
                foreach(var record in commandHistory)
                {
                    rows.Add(new[] { Number(record.Sequence), $"0x{record.Offset:X}", record.Name, Describe(record.Command), OutcomeText(record.Result) });
                }
                sb.Append(GicTextTable.Render(new[] { "#", "Offset", "Command", "Fields", "Outcome" }, rows, "(no command processed yet)"));
                return sb.ToString();
            }
        }

        /// <summary>
        /// Called for every command the ITS processes: keeps the last <see cref="CommandHistoryLength"/> for ShowQueue
        /// and reports the command to the trace. Returns <paramref name="result"/> so the call site stays one expression.
        /// </summary>
        internal ItsCommandResult RecordCommand(ItsCommand command, string name, ItsCommandResult result)
        {
            if(commandHistory.Count == CommandHistoryLength)
            {
                commandHistory.Dequeue();
            }
            commandHistory.Enqueue(new CommandRecord(commandSequence++, commandReader, name, command, result));
            if(gic.Tracing)
            {
                var deviceId = HasDeviceId(command.Opcode) ? command.DeviceId : -1L;
                var eventId = HasDeviceId(command.Opcode) ? command.EventId : -1L;
                gic.TraceSink?.OnGicEvent(new GicTraceEvent(GicTraceKind.ItsCommand, -1, -1, deviceId, eventId,
                    detail: $"{name} {Describe(command)} -> {OutcomeText(result)}", source: this));
            }
            return result;
        }

        /// <summary>The entries of a table whose value is not zero (flat or two-level), at most <paramref name="limit"/> IDs scanned.</summary>
        internal IEnumerable<(uint Id, ulong Value)> ReadTableEntries(ItsTableDescriptor table, int entrySize, ulong limit)
        {
            var result = new List<(uint, ulong)>();
            if(!table.Valid || table.EntrySize < entrySize)
            {
                return result;
            }
            var memory = gic.Memory;
            if(!table.Indirect)
            {
                var count = Math.Min(table.Capacity, limit);
                ReadEntries(memory, table.Base, 0, (int)count, table.EntrySize, result);
                return result;
            }
            var perPage = (ulong)(table.PageSize / table.EntrySize);
            var level1Count = (ulong)table.Pages * (ulong)table.PageSize / ItsTableDescriptor.Level1EntrySize;
            for(ulong n = 0; n < level1Count && n * perPage < limit; n++)
            {
                if(!memory.TryReadQuadWord(table.Base + n * ItsTableDescriptor.Level1EntrySize, out var level1) || (level1 >> 63) == 0)
                {
                    continue;
                }
                var page = level1 & 0x000F_FFFF_FFFF_F000UL & ~((ulong)table.PageSize - 1);
                ReadEntries(memory, page, (uint)(n * perPage), (int)perPage, table.EntrySize, result);
            }
            return result;
        }

        private static void ReadEntries(GuestMemory memory, ulong address, uint firstId, int count, int entrySize, List<(uint, ulong)> into)
        {
            var bytes = new byte[count * entrySize];
            memory.TryReadBytes(address, bytes);
            for(var n = 0; n < count; n++)
            {
                var value = BitConverter.ToUInt64(bytes, n * entrySize);
                if(value != 0)
                {
                    into.Add((firstId + (uint)n, value));
                }
            }
        }

        private IEnumerable<(uint EventId, InterruptTranslationEntry Ite)> ReadInterruptTranslations(DeviceTableEntry dte)
        {
            var count = (int)Math.Min(1UL << Math.Min(dte.EventIdBits, 31), MaximumListed);
            var bytes = new byte[count * InterruptTranslationEntry.Size];
            gic.Memory.TryReadBytes(dte.IttAddress, bytes);
            var result = new List<(uint, InterruptTranslationEntry)>();
            for(var n = 0; n < count; n++)
            {
                var ite = InterruptTranslationEntry.Decode(BitConverter.ToUInt64(bytes, n * InterruptTranslationEntry.Size),
                    BitConverter.ToUInt32(bytes, n * InterruptTranslationEntry.Size + 8));
                if(ite.Valid)
                {
                    result.Add(((uint)n, ite));
                }
            }
            return result;
        }

        /// <summary>The processor of a valid collection, or -1.</summary>
        private int CollectionProcessor(uint icid)
        {
            if(CollectionTable.Locate(gic.Memory, icid, out var address) != ItsEntryLocation.Found || !gic.Memory.TryReadQuadWord(address, out var value))
            {
                return -1;
            }
            var cte = CollectionTableEntry.Decode(value);
            return cte.Valid && gic.IsValidTargetProcessor(cte.Processor) ? cte.Processor : -1;
        }

        /// <summary>The processor of a valid vPE (and its VPT), or -1.</summary>
        private int VpeProcessor(uint vpeId, out ulong vptAddress)
        {
            vptAddress = 0;
            if(VpeTable.Locate(gic.Memory, vpeId, out var address) != ItsEntryLocation.Found || !gic.Memory.TryReadQuadWord(address, out var value))
            {
                return -1;
            }
            var vte = VpeTableEntry.Decode(value);
            vptAddress = vte.VptAddress;
            return vte.Valid && gic.IsValidTargetProcessor(vte.Processor) ? vte.Processor : -1;
        }

        /// <summary>The fields a command uses, named as in IHI 0069 6.3.</summary>
        internal static string Describe(ItsCommand c)
        {
            string Device() => $"DeviceID={c.DeviceId} EventID={c.EventId}";
            return (ItsOpcode)c.Opcode switch
            {
                ItsOpcode.MAPD => $"DeviceID={c.DeviceId} V={(c.Valid ? 1 : 0)} Size={c.SizeBits} ITT=0x{c.IttAddress:X}",
                ItsOpcode.MAPC => $"ICID={c.Icid} RDbase={c.RdBase} V={(c.Valid ? 1 : 0)}",
                ItsOpcode.MAPTI => $"{Device()} pINTID={c.PhysicalId} ICID={c.Icid}",
                ItsOpcode.MAPI => $"{Device()} ICID={c.Icid}",
                ItsOpcode.MOVI => $"{Device()} ICID={c.Icid}",
                ItsOpcode.INT or ItsOpcode.CLEAR or ItsOpcode.DISCARD or ItsOpcode.INV => Device(),
                ItsOpcode.SYNC => $"RDbase={c.RdBase}",
                ItsOpcode.INVALL => $"ICID={c.Icid}",
                ItsOpcode.MOVALL => $"RDbase1={c.RdBase} RDbase2={c.RdBase2}",
                ItsOpcode.VMAPP => $"vPEID={c[ItsVirtualFields.VpeId]} RDbase={c.RdBase} V={(c.Valid ? 1 : 0)} VPT=0x{c[ItsVirtualFields.VptAddress] << 16:X} VPT_size={c[ItsVirtualFields.VptSize]}",
                ItsOpcode.VMAPTI => $"{Device()} vPEID={c[ItsVirtualFields.VpeId]} vINTID={c[ItsVirtualFields.VirtualIntid]} Dbell={c[ItsVirtualFields.DoorbellIntid]}",
                ItsOpcode.VMAPI => $"{Device()} vPEID={c[ItsVirtualFields.VpeId]} Dbell={c[ItsVirtualFields.DoorbellIntid]}",
                ItsOpcode.VMOVI => $"{Device()} vPEID={c[ItsVirtualFields.VpeId]} D={c[ItsVirtualFields.DoorbellValid]} Dbell={c[ItsVirtualFields.DoorbellIntid]}",
                ItsOpcode.VMOVP => $"vPEID={c[ItsVirtualFields.VpeId]} RDbase={c.RdBase} SeqNum={c[ItsVirtualFields.SequenceNumber]} ITSList=0x{c[ItsVirtualFields.ItsList]:X}",
                ItsOpcode.VSYNC or ItsOpcode.VINVALL => $"vPEID={c[ItsVirtualFields.VpeId]}",
                _ => c.ToString(),
            };
        }

        private static bool HasDeviceId(byte opcode) => (ItsOpcode)opcode is ItsOpcode.MAPTI or ItsOpcode.MAPI or ItsOpcode.MOVI or ItsOpcode.INT or ItsOpcode.CLEAR
            or ItsOpcode.DISCARD or ItsOpcode.INV or ItsOpcode.VMAPTI or ItsOpcode.VMAPI or ItsOpcode.VMOVI;

        private static string OutcomeText(ItsCommandResult result) => result switch
        {
            ItsCommandResult.Done => "done",
            ItsCommandResult.Stall => "stalled (guest-memory error; see the guest-error log)",
            _ => "skipped (bad parameter; see the guest-error log)",
        };

        private static string Header(string name, ItsTableDescriptor table) => $"{name}: {table}\n";

        private static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);

        /// <summary>Upper bound on the IDs a Show command scans (keeps an interactive command quick on huge tables).</summary>
        private const ulong MaximumListed = 1 << 16;

        private readonly Queue<CommandRecord> commandHistory = new Queue<CommandRecord>();
        private ulong commandSequence;

        private readonly record struct CommandRecord(ulong Sequence, ulong Offset, string Name, ItsCommand Command, ItsCommandResult Result);
    }
}
