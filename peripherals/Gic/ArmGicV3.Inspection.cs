// ArmGicV3, read-only inspection for bring-up (monitor: `gic`, `gic ShowInterrupt <intid> [cpu]`): the state of
// every CPU interface and the complete state of one interrupt, with the reasons it is or is not delivered.
// Nothing here changes GIC state (the LPI Configuration table byte is read from guest memory, not re-cached).
//
// ExplainInterrupt lists every cause that blocks delivery (GicDeliveryBlock), not only the first, in the order a
// firmware author would check them: does the interrupt exist and where is it routed, is it enabled, pending, not
// already active, is its group enabled in GICD_CTLR and in ICC_IGRPEN<n>, does it beat ICC_PMR_EL1 and the running
// priority, and is it the highest-priority candidate. When nothing blocks it, the CPU interface signals it on IRQ
// or FIQ (the CPU then takes it unless PSTATE.I/F or the exception routing hold it back: not the GIC's state).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    /// <summary>Why an interrupt is not delivered to a CPU (ArmGicV3.ExplainInterrupt).</summary>
    public enum GicDeliveryBlock
    {
        NotImplemented,
        NoSuchCpu,
        NotRouted,
        RoutedToOtherCpu,
        Disabled,
        NotPending,
        AlreadyActive,
        GroupDisabledInDistributor,
        GroupDisabledInCpuInterface,
        MaskedByPriorityMask,
        MaskedByRunningPriority,
        OutrankedByOtherInterrupt,
        LpisNotEnabled,
        LpiOutOfRange,
        LpiDisabledInPropertyTable,
    }

    /// <summary>Everything about one interrupt as seen from one CPU, and why it is (not) delivered there.</summary>
    public sealed class GicInterruptReport
    {
        public GicInterruptReport(int intid, int cpu)
        {
            Intid = intid;
            Cpu = cpu;
        }

        public int Intid { get; }

        /// <summary>The CPU the report is about (-1 when the interrupt has none).</summary>
        public int Cpu { get; internal set; }

        public IList<KeyValuePair<string, string>> Attributes { get; } = new List<KeyValuePair<string, string>>();

        public IList<GicDeliveryBlock> Blocks { get; } = new List<GicDeliveryBlock>();

        /// <summary>One sentence per entry of Blocks, in the same order (or one sentence saying where it is delivered).</summary>
        public IList<string> Reasons { get; } = new List<string>();

        public bool Delivered => Blocks.Count == 0;

        public override string ToString()
        {
            var sb = new StringBuilder();
            var rows = new List<string[]>();
            foreach(var attribute in Attributes)
            {
                rows.Add(new[] { attribute.Key, attribute.Value });
            }
            sb.Append(GicTextTable.Render(new[] { $"INTID {Intid}", Cpu >= 0 ? $"cpu{Cpu}" : "" }, rows)).Append('\n');
            sb.Append(Delivered ? "Delivered: " : "Not delivered:").Append(Delivered ? "" : "\n");
            foreach(var reason in Reasons)
            {
                sb.Append(Delivered ? "" : "  - ").Append(reason).Append('\n');
            }
            return sb.ToString().TrimEnd('\n');
        }

        internal void Add(string name, string value) => Attributes.Add(new KeyValuePair<string, string>(name, value));

        internal void Block(GicDeliveryBlock block, string reason)
        {
            Blocks.Add(block);
            Reasons.Add(reason);
        }
    }

    public sealed partial class ArmGicV3
    {
        /// <summary>Monitor `gic`: distributor state and, per CPU, group enables, PMR, running and highest pending priority.</summary>
        public string ShowSummary()
        {
            lock(sync)
            {
                var sb = new StringBuilder();
                sb.Append(CultureInfo.InvariantCulture, $"GICv{ArchitectureRevision}: GICD_CTLR EnableGrp0={Bit(distributor.EnableGroup0)} EnableGrp1NS={Bit(distributor.EnableGroup1NonSecure)}");
                if(!DisableSecurity)
                {
                    sb.Append(CultureInfo.InvariantCulture, $" EnableGrp1S={Bit(distributor.EnableGroup1Secure)}");
                }
                sb.Append(CultureInfo.InvariantCulture, $" DS={Bit(DisableSecurity)}; {distributor.InterruptCount - 32} SPIs; {itses.Count} ITS(es)\n");
                var rows = new List<string[]>();
                for(var processor = 0; processor < MaximumCpus; processor++)
                {
                    if(!IsAttached(processor))
                    {
                        continue;
                    }
                    var cpuInterface = cpuInterfaces[processor];
                    var redistributor = redistributors[processor];
                    var mask = DistributorGroupMask & cpuInterface.EnabledGroupMask;
                    var pending = Arbiter.TryGetHighest(processor, 0b111, out var intid, out var priority, out var group)
                        ? $"{intid} (prio 0x{priority:X2}, {GroupName(group)})" : "-";
                    var signalled = cpuInterface.TryGetSignalled(out var signalledIntid, out _) ? $"{signalledIntid} on {(GroupOfSignal(processor) == GicGroup.Group1NonSecure ? "IRQ" : "FIQ")}" : "-";
                    var running = cpuInterface.RunningPriority;
                    rows.Add(new[]
                    {
                        $"cpu{processor}",
                        redistributor.ProcessorSleep ? "asleep" : "awake",
                        Bit(cpuInterface.IsGroupEnabled(GicGroup.Group0)),
                        Bit(cpuInterface.IsGroupEnabled(GicGroup.Group1NonSecure)),
                        $"0x{cpuInterface.PriorityMaskValue:X2}",
                        running == 0xFF ? "idle" : $"0x{running:X2}",
                        pending,
                        (mask & (1 << (int)group)) == 0 && pending != "-" ? "(group disabled)" : signalled,
                        redistributor.LpisEnabled ? "on" : "off",
                        redistributor.VpeResident ? $"VPT 0x{redistributor.ResidentVptAddress:X}" : "-",
                    });
                }
                sb.Append(GicTextTable.Render(new[] { "CPU", "WAKER", "IGRPEN0", "IGRPEN1", "PMR", "Running", "Highest pending", "Signalled", "LPIs", "vPE" }, rows,
                    "(no CPU attached)"));
                return sb.ToString();
            }
        }

        /// <summary>Monitor `gic ShowInterrupt <intid> [cpu]`: every attribute of the interrupt and why it is or is not delivered.</summary>
        public string ShowInterrupt(int intid, int cpu = -1)
        {
            return ExplainInterrupt(intid, cpu).ToString();
        }

        /// <summary>The state of <paramref name="intid"/> as seen from <paramref name="cpu"/> (-1: its target, or cpu0 for SGIs/PPIs).</summary>
        public GicInterruptReport ExplainInterrupt(int intid, int cpu = -1)
        {
            lock(sync)
            {
                var report = new GicInterruptReport(intid, cpu);
                if(intid >= 1020 && intid < LpiPendingSet.FirstLpi)
                {
                    report.Add("Type", intid <= 1023 ? "special INTID" : "reserved");
                    report.Block(GicDeliveryBlock.NotImplemented, $"INTID {intid} is {(intid <= 1023 ? "a special INTID" : "reserved")}: not an interrupt");
                    return report;
                }
                if(intid >= LpiPendingSet.FirstLpi)
                {
                    ExplainLpi(report, intid, cpu);
                    return report;
                }
                InterruptState? bank;
                if(intid < 32)
                {
                    var processor = cpu < 0 ? 0 : cpu;
                    report.Cpu = processor;
                    report.Add("Type", intid < 16 ? "SGI" : "PPI");
                    if(!IsAttached(processor))
                    {
                        report.Block(GicDeliveryBlock.NoSuchCpu, $"cpu{processor} is not attached to the GIC");
                        return report;
                    }
                    bank = redistributors[processor].Private;
                }
                else if(distributor.IsSpi(intid))
                {
                    bank = distributor.Spis;
                    report.Add("Type", "SPI");
                    var route = distributor.Read((long)GicdRegisters.GICD_IROUTER + 8L * intid, 8);
                    var target = distributor.TargetOf(intid);
                    var oneOfN = (route & Distributor.InterruptRoutingModeBit) != 0;
                    report.Add("Route (GICD_IROUTER)", oneOfN ? $"1-of-N -> {(target >= 0 ? "cpu" + target : "no participating CPU")}"
                        : $"affinity 0x{route & Distributor.AffinityMask:X} -> {(target >= 0 ? "cpu" + target : "no attached CPU")}");
                    report.Cpu = cpu >= 0 ? cpu : target;
                    if(target < 0)
                    {
                        report.Block(GicDeliveryBlock.NotRouted, oneOfN
                            ? "1-of-N routing found no participating CPU (awake in GICR_WAKER, GICR_CTLR.DPG<n> = 0, group enabled in ICC_IGRPEN<n>)"
                            : $"GICD_IROUTER{intid} = 0x{route:X} names no attached CPU (write the target's MPIDR affinity)");
                    }
                    else if(cpu >= 0 && cpu != target)
                    {
                        report.Block(GicDeliveryBlock.RoutedToOtherCpu, $"routed to cpu{target}, not cpu{cpu} (GICD_IROUTER{intid})");
                    }
                    if(report.Cpu >= 0 && !IsAttached(report.Cpu))
                    {
                        report.Block(GicDeliveryBlock.NoSuchCpu, $"cpu{report.Cpu} is not attached to the GIC");
                        return report;
                    }
                }
                else
                {
                    report.Add("Type", "not implemented");
                    report.Block(GicDeliveryBlock.NotImplemented, $"INTID {intid} is not implemented (SPIs 32..{distributor.InterruptCount - 1}, GICD_TYPER.ITLinesNumber)");
                    return report;
                }
                ExplainBankInterrupt(report, bank, intid);
                return report;
            }
        }

        /// <summary>The vPE (and the ITS mapping it) whose virtual Pending table is at <paramref name="vptAddress"/>, or -1.</summary>
        internal int FindVpeByVpt(ulong vptAddress, out ArmGicV3Its? owner)
        {
            foreach(var its in itses)
            {
                if(!its.VirtualLpis)
                {
                    continue;
                }
                foreach(var (id, value) in its.ReadTableEntries(its.VpeTable, VpeTableEntry.Size, 1 << 16))
                {
                    var entry = VpeTableEntry.Decode(value);
                    if(entry.Valid && entry.VptAddress == (vptAddress & 0x000F_FFFF_FFFF_0000UL))
                    {
                        owner = its;
                        return (int)id;
                    }
                }
            }
            owner = null;
            return -1;
        }

        private void ExplainBankInterrupt(GicInterruptReport report, InterruptState bank, int intid)
        {
            var group = bank.GroupOf(intid, DisableSecurity);
            var register = intid < 32 ? "GICR_ISENABLER0" : $"GICD_ISENABLER{intid / 32}";
            report.Add("Group", GroupName(group));
            report.Add("Enabled", Bit(bank.Enabled[intid]) + $" ({register})");
            report.Add("Pending", bank.IsPending(intid)
                ? (bank.PendingLatch[intid] ? "yes (latched)" : "yes (input line high)") : "no");
            report.Add("Active", Bit(bank.Active[intid]));
            report.Add("Priority", $"0x{bank.Priority[intid]:X2}");
            report.Add("Config", bank.EdgeTriggered[intid] ? "edge" : "level");
            if(intid >= 16)
            {
                report.Add("Input line", bank.LineLevel[intid] ? "high" : "low");
            }
            if(!bank.Enabled[intid])
            {
                report.Block(GicDeliveryBlock.Disabled, $"disabled: set bit {intid % 32} of {register}");
            }
            if(!bank.IsPending(intid))
            {
                report.Block(GicDeliveryBlock.NotPending, "not pending" + (intid >= 16 && !bank.EdgeTriggered[intid] ? " (level-sensitive: its input line is low)" : ""));
            }
            if(bank.Active[intid])
            {
                report.Block(GicDeliveryBlock.AlreadyActive, bank.IsPending(intid)
                    ? "already active (active and pending): it is signalled again after its deactivation (EOI, or DIR with EOImode = 1)"
                    : "already active: waiting for its deactivation (EOI, or DIR with EOImode = 1)");
            }
            ExplainCpuSide(report, group, bank.Priority[intid], intid);
        }

        private void ExplainLpi(GicInterruptReport report, int intid, int cpu)
        {
            report.Add("Type", "LPI");
            var processor = cpu;
            if(processor < 0)
            {
                // The Redistributor where it is pending, else the first with LPIs enabled, else cpu0.
                for(var n = 0; n < MaximumCpus && processor < 0; n++)
                {
                    var lpis = redistributors[n].Lpis;
                    if(IsAttached(n) && lpis != null && lpis.Contains(intid) && lpis.IsPending(intid))
                    {
                        processor = n;
                    }
                }
                for(var n = 0; n < MaximumCpus && processor < 0; n++)
                {
                    if(IsAttached(n) && redistributors[n].LpisEnabled)
                    {
                        processor = n;
                    }
                }
                processor = Math.Max(processor, 0);
            }
            report.Cpu = processor;
            if(!IsAttached(processor))
            {
                report.Block(GicDeliveryBlock.NoSuchCpu, $"cpu{processor} is not attached to the GIC");
                return;
            }
            var redistributor = redistributors[processor];
            report.Add("Group", GroupName(GicGroup.Group1NonSecure) + " (always, for LPIs)");
            var set = redistributor.Lpis;
            if(set == null)
            {
                report.Add("GICR_CTLR.EnableLPIs", "0");
                report.Block(GicDeliveryBlock.LpisNotEnabled, $"LPIs are not enabled on cpu{processor}'s Redistributor (GICR_CTLR.EnableLPIs = 0)");
                return;
            }
            if(!set.Contains(intid))
            {
                report.Add("LPI INTID space", $"8192..{LpiPendingSet.FirstLpi + set.Count - 1}");
                report.Block(GicDeliveryBlock.LpiOutOfRange,
                    $"beyond the LPI INTID space of cpu{processor}'s Redistributor (GICR_PROPBASER.IDbits = {redistributor.InspectPropertyIdBits - 1}: LPIs 8192..{LpiPendingSet.FirstLpi + set.Count - 1})");
                return;
            }
            var cached = set.ConfigurationOf(intid);
            var entryAddress = redistributor.InspectPropertyTableAddress + (ulong)(intid - LpiPendingSet.FirstLpi);
            var inMemory = Memory.TryReadByte(entryAddress, out var memoryByte) ? $"0x{memoryByte:X2}" : "unreadable";
            report.Add("Property byte (cached)", $"0x{cached:X2} (enable {cached & LpiPendingSet.EnableBit}, priority 0x{cached & LpiPendingSet.PriorityMask:X2})");
            report.Add("Property byte (memory)", $"{inMemory} at 0x{entryAddress:X}");
            var pending = set.IsPending(intid);
            report.Add("Pending", Bit(pending));
            if((cached & LpiPendingSet.EnableBit) == 0)
            {
                var stale = inMemory != "unreadable" && (memoryByte & LpiPendingSet.EnableBit) != 0;
                report.Block(GicDeliveryBlock.LpiDisabledInPropertyTable, stale
                    ? "disabled in the cached LPI configuration; the table in memory enables it: issue INV/INVALL (or GICR_INVLPIR) so the GIC re-reads it"
                    : $"disabled in the LPI Configuration table (byte 0x{cached:X2} at 0x{entryAddress:X}: set bit 0, then INV)");
            }
            if(!pending)
            {
                report.Block(GicDeliveryBlock.NotPending, "not pending (no MSI/INT translated to it on this Redistributor)");
            }
            ExplainCpuSide(report, GicGroup.Group1NonSecure, cached & LpiPendingSet.PriorityMask, intid);
        }

        private void ExplainCpuSide(GicInterruptReport report, GicGroup group, int priority, int intid)
        {
            var processor = report.Cpu;
            if(processor < 0 || !IsAttached(processor))
            {
                return;
            }
            var cpuInterface = cpuInterfaces[processor];
            var running = cpuInterface.RunningPriority;
            report.Add($"cpu{processor} ICC_PMR_EL1", $"0x{cpuInterface.PriorityMaskValue:X2}");
            report.Add($"cpu{processor} running priority", running == 0xFF ? "idle (0xFF)" : $"0x{running:X2}");
            report.Add($"cpu{processor} ICC_IGRPEN{(group == GicGroup.Group0 ? 0 : 1)}", Bit(cpuInterface.IsGroupEnabled(group)));
            if((DistributorGroupMask & (1 << (int)group)) == 0)
            {
                var bit = group == GicGroup.Group0 ? "EnableGrp0" : group == GicGroup.Group1NonSecure ? "EnableGrp1NS" : "EnableGrp1S";
                report.Block(GicDeliveryBlock.GroupDisabledInDistributor, $"{GroupName(group)} is disabled in GICD_CTLR ({bit} = 0)");
            }
            if(!cpuInterface.IsGroupEnabled(group))
            {
                var register = group == GicGroup.Group0 ? "ICC_IGRPEN0_EL1" : "ICC_IGRPEN1_EL1";
                report.Block(GicDeliveryBlock.GroupDisabledInCpuInterface, $"{GroupName(group)} is disabled in cpu{processor}'s {register}");
            }
            if(cpuInterface.IsMaskedByPriorityMask(priority))
            {
                report.Block(GicDeliveryBlock.MaskedByPriorityMask,
                    $"priority 0x{priority & cpuInterface.ImplementedPriorityMask:X2} is masked by cpu{processor}'s ICC_PMR_EL1 = 0x{cpuInterface.PriorityMaskValue:X2} (only priorities below the mask are signalled)");
            }
            if(cpuInterface.IsMaskedByRunningPriority(priority, group))
            {
                report.Block(GicDeliveryBlock.MaskedByRunningPriority,
                    $"priority 0x{priority:X2} cannot preempt cpu{processor}'s running priority 0x{running:X2} (an interrupt of equal or higher priority is active: EOI it first)");
            }
            if(report.Blocks.Count == 0 && Arbiter.TryGetHighest(processor, DistributorGroupMask & cpuInterface.EnabledGroupMask, out var best, out var bestPriority, out _)
                && best != intid)
            {
                report.Block(GicDeliveryBlock.OutrankedByOtherInterrupt, $"INTID {best} (priority 0x{bestPriority:X2}) is pending on cpu{processor} with a higher priority (or the same priority and a lower INTID)");
            }
            if(report.Blocks.Count == 0)
            {
                report.Reasons.Add($"signalled to cpu{processor} on {(group == GicGroup.Group1NonSecure ? "IRQ" : "FIQ")} (taken unless the CPU masks it: PSTATE.{(group == GicGroup.Group1NonSecure ? "I" : "F")}, HCR_EL2.{(group == GicGroup.Group1NonSecure ? "IMO" : "FMO")} routing)");
            }
        }

        private GicGroup GroupOfSignal(int processor)
        {
            Arbiter.TryGetHighest(processor, DistributorGroupMask & cpuInterfaces[processor].EnabledGroupMask, out _, out _, out var group);
            return group;
        }

        private static string GroupName(GicGroup group) => group switch
        {
            GicGroup.Group0 => "Group 0",
            GicGroup.Group1Secure => "Secure Group 1",
            _ => "Non-secure Group 1",
        };

        private static string Bit(bool value) => value ? "1" : "0";
    }
}
