// The time model of the embedded host (docs/ARCHITECTURE.md, "Time"): virtual time advances in rounds.
// In a round every runnable core runs, in processor-number order, for at most `budget` instructions,
// where budget = min(quantum, time to the next timer deadline, time left in the run). One instruction is
// one nanosecond of virtual time (a 1 GHz core). A round lasts as long as the longest slice; a core that
// waits in WFI stops early. When no core can run, time jumps to the next timer deadline. Nothing depends
// on wall-clock time, so a run is the same every time.
using System;
using System.Collections.Generic;
using System.Linq;
using Antmicro.Renode.Peripherals.CPU;
using Antmicro.Renode.Peripherals.Timers;
using Antmicro.Renode.Time;
using RenodeGic.Host.Emulation;

namespace RenodeGic.Host.Cpu
{
    public sealed class CpuScheduler : IMachineRunner
    {
        /// <summary>Instructions a core runs at most before the others get their turn.</summary>
        public const ulong DefaultQuantum = 10_000;

        public static CpuScheduler For(Machine machine)
        {
            if(machine.Runner is CpuScheduler existing)
            {
                return existing;
            }
            var scheduler = new CpuScheduler(machine);
            machine.Runner = scheduler;
            return scheduler;
        }

        public ulong Quantum { get; set; } = DefaultQuantum;

        /// <summary>The core running its slice right now (null between slices): whose MMIO access or trap this is.</summary>
        public ARMv8A? Current { get; private set; }

        /// <summary>Instructions per round right after cores interacted (grows by doubling back to Quantum).</summary>
        public ulong InteractionQuantum { get; set; } = 256;

        public IReadOnlyList<ARMv8A> Cpus => cpus;

        /// <summary>Virtual time at the start of the current round (ns).</summary>
        public ulong RoundStartNs { get; private set; }

        public TimeInterval ElapsedVirtualTime => TimeInterval.FromNanoseconds(RoundStartNs);

        public string? FaultDescription { get; private set; }

        public bool StopRequested => stopOutcome.HasValue || pauseRequested;

        /// <summary>Instructions executed by all cores since the machine started.</summary>
        public ulong TotalInstructions => cpus.Aggregate(0UL, (sum, c) => sum + c.ExecutedInstructions);

        public RunOutcome RunFor(TimeInterval interval)
        {
            var end = RoundStartNs + interval.TotalNanoseconds;
            if(end < RoundStartNs)
            {
                end = ulong.MaxValue;
            }
            if(stopOutcome.HasValue && stopOutcome.Value != RunOutcome.Paused)
            {
                return stopOutcome.Value; // the machine is off or faulted; it does not run again
            }
            pauseRequested = false;
            stopOutcome = null;
            while(RoundStartNs < end)
            {
                RunDueEvents();
                foreach(var t in timers)
                {
                    t.Update();
                }
                var next = Math.Min(end, NextDeadline());
                if(!cpus.Any(c => c.IsRunnable))
                {
                    RoundStartNs = next > RoundStartNs ? next : RoundStartNs + 1;
                    continue;
                }
                var budget = Math.Clamp(next > RoundStartNs ? next - RoundStartNs : 1, 1, Math.Min(Quantum, currentQuantum));
                interactionInRound = false;
                ulong round = 0;
                foreach(var cpu in cpus)
                {
                    if(!cpu.IsRunnable)
                    {
                        continue;
                    }
                    Current = cpu;
                    round = Math.Max(round, cpu.RunSlice(budget));
                    Current = null;
                    if(StopRequested)
                    {
                        break;
                    }
                }
                RoundStartNs += Math.Max(round, 1);
                // Cores that interrupt each other (IPIs, SPIs routed elsewhere) run in short rounds, so one that
                // spins waiting for another does not burn a whole quantum; without interaction the quantum grows back.
                currentQuantum = interactionInRound ? InteractionQuantum : Math.Min(Quantum, currentQuantum * 2);
                if(StopRequested)
                {
                    break;
                }
            }
            if(pauseRequested && !stopOutcome.HasValue)
            {
                pauseRequested = false;
                return RunOutcome.Paused;
            }
            return stopOutcome ?? RunOutcome.TimeElapsed;
        }

        public void RequestPause()
        {
            // May come from another thread (the monitor, a Remote-library client). The running core notices at its
            // next block boundary: stopping Unicorn asynchronously could land inside an MMIO access and repeat it.
            pauseRequested = true;
            foreach(var cpu in cpus)
            {
                cpu.Yield();
            }
        }

        internal void Add(ARMv8A cpu)
        {
            if(!cpus.Contains(cpu))
            {
                cpus.Add(cpu);
            }
        }

        internal void AddTimer(ARM_GenericTimer timer)
        {
            if(!timers.Contains(timer))
            {
                timers.Add(timer);
            }
        }

        internal ARMv8A? FindByMpidr(ulong mpidr)
        {
            var affinity = mpidr & 0xFF_00FF_FFFFUL;
            return cpus.FirstOrDefault(c => c.Affinity == affinity);
        }

        internal bool IsRam(ulong address)
        {
            foreach(var (start, memory) in machine.SystemBus.RamRegions)
            {
                if(address >= start && address - start < (ulong)memory.Size)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>A core's interrupt line rose while another core runs: that core yields at its next block.</summary>
        internal void OnInterruptRaisedFor(ARMv8A target)
        {
            interactionInRound = true;
            foreach(var cpu in cpus)
            {
                if(cpu != target && cpu.IsRunningSlice)
                {
                    cpu.Yield();
                }
            }
        }

        public void RequestSystemOff(ARMv8A cpu, bool reset)
        {
            stopOutcome ??= reset ? RunOutcome.SystemReset : RunOutcome.SystemOff;
            cpu.StopForMachine();
        }

        internal void Fault(ARMv8A cpu, string message)
        {
            if(stopOutcome == RunOutcome.Fault)
            {
                return;
            }
            stopOutcome = RunOutcome.Fault;
            FaultDescription = $"{cpu.Name} at {TimeInterval.FromNanoseconds(RoundStartNs)}: {message}\n{cpu.DescribeState()}";
            cpu.StopForMachine();
        }

        private CpuScheduler(Machine machine)
        {
            this.machine = machine;
        }

        /// <summary>
        /// Runs <paramref name="action"/> at virtual time <paramref name="ns"/> (at the first round boundary at or
        /// after it; a running slice is shortened so that the boundary falls there). Events at the same time run in
        /// the order they were scheduled.
        /// </summary>
        public void ScheduleAt(ulong ns, Action action)
        {
            var now = Current != null ? Current.LocalTimeNs : RoundStartNs;
            var at = Math.Max(ns, now);
            events.Enqueue(action, (at, eventSequence++));
            Current?.LimitSliceTo(at);
        }

        /// <summary>Runs <paramref name="action"/> <paramref name="delayNs"/> after the current core's local time.</summary>
        public void ScheduleAfter(ulong delayNs, Action action)
        {
            var now = Current != null ? Current.LocalTimeNs : RoundStartNs;
            ScheduleAt(now + delayNs, action);
        }

        private void RunDueEvents()
        {
            while(events.TryPeek(out var action, out var key) && key.Time <= RoundStartNs)
            {
                events.Dequeue();
                action();
            }
        }

        private ulong NextDeadline()
        {
            var next = events.TryPeek(out _, out var first) ? first.Time : ulong.MaxValue;
            foreach(var t in timers)
            {
                next = Math.Min(next, t.NextDeadline());
            }
            return next;
        }

        private readonly Machine machine;
        private readonly List<ARMv8A> cpus = new List<ARMv8A>();
        private readonly PriorityQueue<Action, (ulong Time, ulong Sequence)> events = new PriorityQueue<Action, (ulong Time, ulong Sequence)>();
        private ulong eventSequence;
        private readonly List<ARM_GenericTimer> timers = new List<ARM_GenericTimer>();
        private RunOutcome? stopOutcome;
        private ulong currentQuantum = DefaultQuantum;
        private bool interactionInRound;
        private volatile bool pauseRequested;
    }
}
