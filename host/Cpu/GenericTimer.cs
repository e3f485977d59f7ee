// The Arm generic timer of one core (Arm ARM D11), in virtual time: CNTPCT counts at `frequency` from the
// machine's start, CNTVCT = CNTPCT - CNTVOFF_EL2. Five timers (EL1 physical, EL1 virtual, EL2 physical,
// EL2 virtual, EL3 physical) each drive a GPIO that a .repl wires to the GIC's PPIs, Renode-style:
//   timer0: Timers.ARM_GenericTimer @ cpu0
//       frequency: 62500000
//       EL1PhysicalTimerIRQ -> gic#0@14
//       EL1VirtualTimerIRQ -> gic#0@11
//       NonSecureEL2PhysicalTimerIRQ -> gic#0@10
using System;
using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals.CPU;
using RenodeGic.Host.Cpu;
using RenodeGic.Host.Emulation;

namespace Antmicro.Renode.Peripherals.Timers
{
    public sealed class ARM_GenericTimer : ICpuAttached
    {
        public ARM_GenericTimer(IMachine machine, ulong frequency = 62500000)
        {
            _ = machine;
            if(frequency == 0 || frequency > 1_000_000_000)
            {
                throw new ArgumentException($"frequency must be between 1 Hz and 1 GHz, not {frequency}");
            }
            Frequency = frequency;
            timers = new[]
            {
                new Channel("EL1 physical", EL1PhysicalTimerIRQ, virtualCounter: false),
                new Channel("EL1 virtual", EL1VirtualTimerIRQ, virtualCounter: true),
                new Channel("EL2 physical", NonSecureEL2PhysicalTimerIRQ, virtualCounter: false),
                new Channel("EL2 virtual", NonSecureEL2VirtualTimerIRQ, virtualCounter: true),
                new Channel("EL3 physical", EL3PhysicalTimerIRQ, virtualCounter: false),
            };
        }

        public GPIO EL1PhysicalTimerIRQ { get; } = new GPIO();

        public GPIO EL1VirtualTimerIRQ { get; } = new GPIO();

        public GPIO NonSecureEL2PhysicalTimerIRQ { get; } = new GPIO();

        public GPIO NonSecureEL2VirtualTimerIRQ { get; } = new GPIO();

        public GPIO EL3PhysicalTimerIRQ { get; } = new GPIO();

        public ulong Frequency { get; private set; }

        public void Reset()
        {
            foreach(var t in timers)
            {
                t.Control = 0;
                t.Compare = 0;
                t.Output.Unset();
            }
            virtualOffset = 0;
        }

        public void AttachTo(IHostCpu cpu)
        {
            if(cpu is ARMv8A arm)
            {
                arm.AttachTimer(this);
            }
            else
            {
                throw new ArgumentException($"ARM_GenericTimer can only be attached to an ARMv8A CPU, not {cpu.GetType().Name}");
            }
        }

        /// <summary>Physical count at absolute virtual time <paramref name="ns"/>.</summary>
        public ulong CountAt(ulong ns) => (ulong)((UInt128)ns * Frequency / 1_000_000_000UL);

        /// <summary>First virtual time (ns) at which the physical count reaches <paramref name="count"/>.</summary>
        public ulong TimeOfCount(ulong count)
        {
            var ns = ((UInt128)count * 1_000_000_000UL + Frequency - 1) / Frequency;
            return ns > ulong.MaxValue ? ulong.MaxValue : (ulong)ns;
        }

        internal void Bind(ARMv8A cpu, CpuScheduler scheduler)
        {
            owner = cpu;
            scheduler.AddTimer(this);
        }

        internal bool TryRead(uint encoding, int el, out ulong value)
        {
            value = 0;
            var now = Now;
            switch(encoding)
            {
            case CNTFRQ_EL0:
                value = Frequency;
                return true;
            case CNTPCT_EL0:
            case CNTPCTSS_EL0:
                value = CountAt(now);
                return true;
            case CNTVCT_EL0:
            case CNTVCTSS_EL0:
                value = CountAt(now) - virtualOffset;
                return true;
            case CNTVOFF_EL2:
                if(el < 2)
                {
                    return false;
                }
                value = virtualOffset;
                return true;
            case CNTHCTL_EL2:
                if(el < 2)
                {
                    return false;
                }
                value = hypervisorControl;
                return true;
            case CNTKCTL_EL1:
                value = kernelControl;
                return true;
            }
            if(!TryDecodeTimer(encoding, el, out var t, out var field))
            {
                return false;
            }
            var count = CountFor(t, now);
            value = field switch
            {
                0 => (ulong)(uint)(int)(long)(t.Compare - count),
                // ISTATUS is meaningful only while ENABLE is set; it reads 0 when disabled (as QEMU).
                1 => t.Control | ((t.Control & 1) != 0 && count >= t.Compare ? 4UL : 0UL),
                _ => t.Compare,
            };
            return true;
        }

        internal bool TryWrite(uint encoding, int el, ulong value)
        {
            switch(encoding)
            {
            case CNTFRQ_EL0:
                // Writable only at the highest EL (EL3), which the host owns; UNDEFINED for software below it.
                return false;
            case CNTPCT_EL0:
            case CNTVCT_EL0:
            case CNTPCTSS_EL0:
            case CNTVCTSS_EL0:
                return false; // read-only: UNDEFINED
            case CNTVOFF_EL2:
                if(el < 2)
                {
                    return false;
                }
                virtualOffset = value;
                Update();
                return true;
            case CNTHCTL_EL2:
                if(el < 2)
                {
                    return false;
                }
                hypervisorControl = value;
                return true;
            case CNTKCTL_EL1:
                kernelControl = value;
                return true;
            }
            if(!TryDecodeTimer(encoding, el, out var t, out var field))
            {
                return false;
            }
            var now = Now;
            switch(field)
            {
            case 0: // TVAL: CVAL = count + SignExtend(TVAL[31:0])
                t.Compare = CountFor(t, now) + (ulong)(long)(int)(uint)value;
                break;
            case 1:
                t.Control = value & 3; // ENABLE, IMASK; ISTATUS is read-only
                break;
            default:
                t.Compare = value;
                break;
            }
            Update();
            return true;
        }

        /// <summary>The EL1 timers' state a hypervisor saves when it switches a vCPU out (Arm ARM D11.2: CNTP_*, CNTV_*, CNTKCTL_EL1).</summary>
        public El1TimerContext SaveEl1Context()
        {
            return new El1TimerContext(timers[0].Control, timers[0].Compare, timers[1].Control, timers[1].Compare, kernelControl);
        }

        /// <summary>Loads a vCPU's EL1 timer state (the outputs follow at once: an expired, enabled timer fires).</summary>
        public void RestoreEl1Context(El1TimerContext context)
        {
            timers[0].Control = context.PhysicalControl & 3;
            timers[0].Compare = context.PhysicalCompare;
            timers[1].Control = context.VirtualControl & 3;
            timers[1].Compare = context.VirtualCompare;
            kernelControl = context.KernelControl;
            Update();
        }

        /// <summary>The virtual time (ns) at which the first of <paramref name="context"/>'s EL1 timers fires on this core, or null (both disabled or masked).</summary>
        public ulong? El1TimerDeadline(El1TimerContext context)
        {
            ulong? deadline = null;
            if((context.PhysicalControl & 3) == 1)
            {
                deadline = TimeOfCount(context.PhysicalCompare);
            }
            if((context.VirtualControl & 3) == 1)
            {
                var physical = context.VirtualCompare + virtualOffset;
                if(physical >= context.VirtualCompare)
                {
                    var at = TimeOfCount(physical);
                    deadline = deadline.HasValue ? Math.Min(deadline.Value, at) : at;
                }
            }
            return deadline;
        }

        /// <summary>Recomputes every output at the owner's current time; returns the next time an output rises.</summary>
        internal void Update()
        {
            var now = Now;
            foreach(var t in timers)
            {
                var count = CountFor(t, now);
                var fire = (t.Control & 1) != 0 && (t.Control & 2) == 0 && count >= t.Compare;
                t.Output.Set(fire);
            }
            if(owner != null)
            {
                owner.LimitSliceTo(NextDeadline());
            }
        }

        /// <summary>The earliest virtual time at which an enabled, unmasked timer that is not yet firing will fire.</summary>
        internal ulong NextDeadline()
        {
            var next = ulong.MaxValue;
            foreach(var t in timers)
            {
                if((t.Control & 3) != 1 || t.Output.IsSet)
                {
                    continue;
                }
                var physical = t.VirtualCounter ? t.Compare + virtualOffset : t.Compare;
                if(t.VirtualCounter && physical < t.Compare)
                {
                    continue; // overflow: never
                }
                next = Math.Min(next, TimeOfCount(physical));
            }
            return next;
        }

        private ulong Now => owner?.LocalTimeNs ?? 0;

        private ulong CountFor(Channel t, ulong now) => t.VirtualCounter ? CountAt(now) - virtualOffset : CountAt(now);

        private bool TryDecodeTimer(uint encoding, int el, out Channel timer, out int field)
        {
            // op0=3, CRn=14: op1=3 CRm=2 EL1 physical, CRm=3 EL1 virtual; op1=4 CRm=2 EL2 physical,
            // CRm=3 EL2 virtual; op1=7 CRm=2 EL3 (secure) physical. op2 = 0 TVAL, 1 CTL, 2 CVAL.
            var op1 = (encoding >> 11) & 7;
            var crm = (encoding >> 3) & 15;
            field = (int)(encoding & 7);
            timer = timers[0];
            if(field > 2 || ((encoding >> 7) & 15) != 14)
            {
                return false;
            }
            int index;
            int minimumEl;
            switch(op1, crm)
            {
            case (3, 2):
                index = 0;
                minimumEl = 0;
                break;
            case (3, 3):
                index = 1;
                minimumEl = 0;
                break;
            case (4, 2):
                index = 2;
                minimumEl = 2;
                break;
            case (4, 3):
                index = 3;
                minimumEl = 2;
                break;
            case (7, 2):
                index = 4;
                minimumEl = 3; // CNTPS_*: Secure EL1 only; the host's software runs Non-secure
                break;
            default:
                return false;
            }
            if(el < minimumEl)
            {
                return false;
            }
            timer = timers[index];
            return true;
        }

        private const uint CNTFRQ_EL0 = (3 << 14) | (3 << 11) | (14 << 7) | (0 << 3) | 0;
        private const uint CNTPCT_EL0 = (3 << 14) | (3 << 11) | (14 << 7) | (0 << 3) | 1;
        private const uint CNTVCT_EL0 = (3 << 14) | (3 << 11) | (14 << 7) | (0 << 3) | 2;
        private const uint CNTPCTSS_EL0 = (3 << 14) | (3 << 11) | (14 << 7) | (0 << 3) | 5;
        private const uint CNTVCTSS_EL0 = (3 << 14) | (3 << 11) | (14 << 7) | (0 << 3) | 6;
        private const uint CNTVOFF_EL2 = (3 << 14) | (4 << 11) | (14 << 7) | (0 << 3) | 3;
        private const uint CNTHCTL_EL2 = (3 << 14) | (4 << 11) | (14 << 7) | (1 << 3) | 0;
        private const uint CNTKCTL_EL1 = (3 << 14) | (0 << 11) | (14 << 7) | (1 << 3) | 0;

        private sealed class Channel
        {
            public Channel(string name, GPIO output, bool virtualCounter)
            {
                Name = name;
                Output = output;
                VirtualCounter = virtualCounter;
            }

            public string Name { get; }

            public GPIO Output { get; }

            public bool VirtualCounter { get; }

            public ulong Control { get; set; }

            public ulong Compare { get; set; }
        }

        private readonly Channel[] timers;
        private ARMv8A? owner;
        private ulong virtualOffset;
        private ulong hypervisorControl;
        private ulong kernelControl;
    }
}

namespace Antmicro.Renode.Peripherals.Timers
{
    /// <summary>CNTP_CTL/CVAL_EL0, CNTV_CTL/CVAL_EL0 and CNTKCTL_EL1 of one vCPU (ISTATUS is recomputed, not saved).</summary>
    public readonly record struct El1TimerContext(ulong PhysicalControl, ulong PhysicalCompare, ulong VirtualControl, ulong VirtualCompare, ulong KernelControl);
}
