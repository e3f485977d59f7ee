// Interrupt timeline trace: the GIC and its ITSes report every interrupt state change to an IGicTraceSink when
// one is set (ArmGicV3.TraceSink), and do nothing but a null check when none is. The host timestamps the events in
// virtual time and writes them as a Perfetto/Chrome trace or as text (host/Tooling/InterruptTrace.cs).
//
// What is reported (the call sites are one-line calls in the GIC and ITS sources):
//   LineAsserted/LineDeasserted   an SPI or PPI input changed level (Distributor.SetLine, Redistributor.SetPpiLine)
//   Pending/PendingCleared        the pending state of an SGI/PPI/SPI changed, whatever the cause (ArmGicV3.Requeue)
//   OutputRaised/OutputLowered    IRQ/FIQ/vIRQ/vFIQ of a CPU changed (Detail names the line, Intid the interrupt
//                                 the CPU interface signals when it is known)
//   Acknowledged, PriorityDropped, Deactivated: ICC_IAR/EOIR/DIR (and their ICV_ counterparts, Virtual* kinds)
//   LpiPending, VlpiPending       the ITS translated (DeviceID, EventID) or ran INT (Detail says which)
//   Doorbell                      a vLPI for a non-resident vPE made its doorbell LPI pending
//   VpeResident/VpeNotResident    GICR_VPENDBASER.Valid changed (VpeId when an ITS maps that VPT)
//   Maintenance                   the maintenance interrupt level changed (Priority: 1 asserted, 0 deasserted)
//   ItsCommand                    an ITS command ran (Detail: decoded command and outcome)
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    public enum GicTraceKind
    {
        LineAsserted,
        LineDeasserted,
        Pending,
        PendingCleared,
        OutputRaised,
        OutputLowered,
        Acknowledged,
        PriorityDropped,
        Deactivated,
        VirtualAcknowledged,
        VirtualPriorityDropped,
        VirtualDeactivated,
        LpiPending,
        VlpiPending,
        Doorbell,
        VpeResident,
        VpeNotResident,
        Maintenance,
        ItsCommand,
    }

    /// <summary>One interrupt state change. Fields that do not apply are -1 (Detail and Source null).</summary>
    public readonly struct GicTraceEvent
    {
        public GicTraceEvent(GicTraceKind kind, int intid, int cpu, long deviceId = -1, long eventId = -1, int vpeId = -1, int priority = -1,
            string? detail = null, object? source = null)
        {
            Kind = kind;
            Intid = intid;
            Cpu = cpu;
            DeviceId = deviceId;
            EventId = eventId;
            VpeId = vpeId;
            Priority = priority;
            Detail = detail;
            Source = source;
        }

        public GicTraceKind Kind { get; }
        public int Intid { get; }
        public int Cpu { get; }
        public long DeviceId { get; }
        public long EventId { get; }
        public int VpeId { get; }
        public int Priority { get; }
        public string? Detail { get; }

        /// <summary>The peripheral that reported the event: the ArmGicV3, or the ArmGicV3Its for ITS events.</summary>
        public object? Source { get; }
    }

    /// <summary>Receives the trace events of a GIC and its ITSes (called under the GIC lock, on the emulation thread).</summary>
    public interface IGicTraceSink
    {
        void OnGicEvent(in GicTraceEvent traceEvent);
    }

    public sealed partial class ArmGicV3
    {
        /// <summary>Where trace events go; null (the default) turns tracing off.</summary>
        public IGicTraceSink? TraceSink
        {
            get => traceSink;
            set
            {
                lock(sync)
                {
                    traceSink = value;
                    SnapshotPendingForTrace();
                }
            }
        }

        internal bool Tracing => traceSink != null;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void Trace(GicTraceKind kind, int intid, int cpu, int priority = -1, string? detail = null)
        {
            var sink = traceSink;
            if(sink != null)
            {
                sink.OnGicEvent(new GicTraceEvent(kind, intid, cpu, priority: priority, detail: detail, source: this));
            }
        }

        /// <summary>An ITS made an LPI or vLPI pending (or tried to): returns <paramref name="delivered"/> so call sites stay one line.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal bool TraceTranslation(ArmGicV3Its its, bool delivered, bool isVirtual, int intid, int cpu, uint deviceId, uint eventId, int vpeId, string how)
        {
            var sink = traceSink;
            if(sink != null)
            {
                sink.OnGicEvent(new GicTraceEvent(isVirtual ? GicTraceKind.VlpiPending : GicTraceKind.LpiPending, intid, cpu, deviceId, eventId, vpeId,
                    detail: delivered ? how : how + " (dropped)", source: its));
            }
            return delivered;
        }

        /// <summary>An input line is about to take <paramref name="level"/> (call before the bank is updated).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void TraceLine(InterruptState bank, int intid, bool level)
        {
            if(traceSink != null && bank.LineLevel[intid] != level)
            {
                Trace(level ? GicTraceKind.LineAsserted : GicTraceKind.LineDeasserted, intid, bank.OwnerCpu >= 0 ? bank.OwnerCpu : distributor.TargetOf(intid));
            }
        }

        /// <summary>Called by Requeue: reports a change of the pending state of an SGI, PPI or SPI.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void TracePendingChange(InterruptState bank, int intid)
        {
            if(traceSink != null)
            {
                TracePendingChangeSlow(bank, intid);
            }
        }

        /// <summary>Called by UpdateOutputs before output <paramref name="line"/> (0 IRQ .. 3 vFIQ) of a CPU is set.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void TraceOutput(int processor, int line, bool level)
        {
            if(traceSink != null && outputs[processor * 4 + line].IsSet != level)
            {
                var intid = -1;
                var priority = -1;
                if(level && line < 2 && cpuInterfaces[processor].TryGetSignalled(out var signalled, out var signalledPriority))
                {
                    intid = signalled;
                    priority = signalledPriority;
                }
                Trace(level ? GicTraceKind.OutputRaised : GicTraceKind.OutputLowered, intid, processor, priority, OutputNames[line]);
            }
        }

        /// <summary>GICR_VPENDBASER.Valid changed on <paramref name="processor"/>'s Redistributor.</summary>
        internal void TraceResidency(int processor, bool resident, ulong vptAddress)
        {
            var sink = traceSink;
            if(sink != null)
            {
                var vpeId = FindVpeByVpt(vptAddress, out var its);
                sink.OnGicEvent(new GicTraceEvent(resident ? GicTraceKind.VpeResident : GicTraceKind.VpeNotResident, -1, processor, vpeId: vpeId,
                    detail: $"VPT 0x{vptAddress:X}", source: (object?)its ?? this));
            }
        }

        private void TracePendingChangeSlow(InterruptState bank, int intid)
        {
            if(!pendingShadow.TryGetValue(bank, out var shadow))
            {
                return;
            }
            var pending = bank.IsPending(intid);
            if(shadow[intid] == pending)
            {
                return;
            }
            shadow[intid] = pending;
            var cpu = bank.OwnerCpu >= 0 ? bank.OwnerCpu : distributor.TargetOf(intid);
            Trace(pending ? GicTraceKind.Pending : GicTraceKind.PendingCleared, intid, cpu, bank.Priority[intid]);
        }

        private void SnapshotPendingForTrace()
        {
            pendingShadow.Clear();
            if(traceSink == null)
            {
                return;
            }
            var banks = new List<InterruptState> { distributor.Spis };
            foreach(var redistributor in redistributors)
            {
                banks.Add(redistributor.Private);
            }
            foreach(var bank in banks)
            {
                var shadow = new bool[bank.Count];
                for(var intid = 0; intid < bank.Count; intid++)
                {
                    shadow[intid] = bank.IsPending(intid);
                }
                pendingShadow[bank] = shadow;
            }
        }

        private static readonly string[] OutputNames = { "IRQ", "FIQ", "vIRQ", "vFIQ" };

        private readonly Dictionary<InterruptState, bool[]> pendingShadow = new Dictionary<InterruptState, bool[]>(ReferenceEqualityComparer.Instance);
        private IGicTraceSink? traceSink;
    }
}
