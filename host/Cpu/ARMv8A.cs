// The AArch64 CPU of the embedded host: one Unicorn engine per core, run in deterministic quanta by
// CpuScheduler. What Unicorn cannot do is done here (see ../shared/notes/unicorn-aarch64.md):
// - exception entry (IRQ, FIQ, SVC, HVC, SMC, undefined instruction, external abort) is performed by the
//   host with the ERET trampoline, because Unicorn delivers no synchronous exception and has no IRQ line;
// - ICC_*/ICH_*/ICV_* and the generic timer (CNT*) are system-register hooks, forwarded to the GIC through
//   IGicSystemRegisterTarget and to the per-CPU ARM_GenericTimer, in virtual time;
// - PSCI is the host's EL3 firmware (SMC always; HVC too when no EL2 software runs).
using System;
using System.Runtime.InteropServices;
using Antmicro.Renode.Core;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.IRQControllers;
using Antmicro.Renode.Peripherals.Timers;
using RenodeGic.Host.Cpu;
using RenodeGic.Host.Emulation;

namespace Antmicro.Renode.Peripherals.CPU
{
    /// <summary>Power and wait state of a core.</summary>
    public enum CpuState
    {
        Off,
        Starting,
        Running,
        WaitingForInterrupt,
    }

    public sealed unsafe partial class ARMv8A : IHostCpu, IGPIOReceiver, IGicCpu, IDisposable
    {
        /// <param name="cpuType">Core name as in Renode ("cortex-a57", "cortex-a53", "cortex-a72").</param>
        /// <param name="cpuId">Linear CPU number; gives MPIDR affinity Aff0 = id % 16, Aff1 = id / 16 (as QEMU virt).</param>
        /// <param name="genericInterruptController">The GIC serving this core's ICC_* registers.</param>
        /// <param name="bootExceptionLevel">1 (kernel) or 2 (hypervisor): the EL the image is entered at.</param>
        /// <param name="startPoweredOff">Whether the core waits for PSCI CPU_ON (default: all but CPU 0).</param>
        public ARMv8A(IMachine machine, string cpuType = "cortex-a57", uint cpuId = 0,
            IGicSystemRegisterTarget? genericInterruptController = null, int bootExceptionLevel = 1, bool? startPoweredOff = null)
        {
            this.machine = machine;
            CpuType = cpuType;
            CpuId = cpuId;
            gic = genericInterruptController;
            if(bootExceptionLevel != 1 && bootExceptionLevel != 2)
            {
                throw new ArgumentException($"bootExceptionLevel must be 1 or 2, not {bootExceptionLevel}");
            }
            BootExceptionLevel = bootExceptionLevel;
            this.startPoweredOff = startPoweredOff;
            Name = "cpu" + cpuId;
            Affinity = ((cpuId / 16) << 8) | (cpuId % 16);
            vmpidr = MultiprocessorId;
            Timer = new ARM_GenericTimer(machine, 62500000);
        }

        public string CpuType { get; }

        public uint CpuId { get; }

        public int Index { get; set; }

        public string Name { get; set; }

        public int BootExceptionLevel { get; }

        /// <summary>MPIDR_EL1 affinity fields (Aff3 39:32, Aff2..Aff0 23:0).</summary>
        public ulong Affinity { get; }

        /// <summary>MPIDR_EL1 as the core reports it (bit 31 RES1, U = 0, MT = 0).</summary>
        public ulong MultiprocessorId => 0x80000000UL | Affinity;

        public CpuState State { get; private set; } = CpuState.Off;

        /// <summary>The generic timer of this core (Renode: <c>timer: Timers.ARM_GenericTimer @ cpu0</c>).</summary>
        public ARM_GenericTimer Timer { get; private set; }

        public IGicSystemRegisterTarget? GenericInterruptController => gic;

        /// <summary>Instructions executed since the machine started (retired blocks, counted per block).</summary>
        public ulong ExecutedInstructions { get; private set; }

        /// <summary>Count of exceptions the host delivered to this core, by kind (for tests and statistics).</summary>
        public ulong InterruptsTaken { get; private set; }

        /// <summary>Virtual IRQs/FIQs (from the GIC's vIRQ/vFIQ outputs) taken at EL1 without an exit to EL2.</summary>
        public ulong VirtualInterruptsTaken { get; private set; }

        /// <summary>Exceptions taken to EL2 (synchronous or interrupts): the "exits" of a guest under a hypervisor.</summary>
        public ulong El2Entries { get; private set; }

        public ulong PC
        {
            get => engine == IntPtr.Zero ? initialPc : ReadRegister(Unicorn.RegPc);
            set
            {
                initialPc = value;
                pcSet = true;
                if(engine != IntPtr.Zero)
                {
                    WriteRegister(Unicorn.RegPc, value);
                }
            }
        }

        public int ExceptionLevel => elOverride ?? (engine == IntPtr.Zero ? BootExceptionLevel : (int)((ReadRegister(Unicorn.RegPstate) >> 2) & 3));

        public ulong HypervisorConfiguration => hcrEl2;

        /// <summary>Current virtual time of this core: the scheduler's round start plus what it has executed since.</summary>
        public ulong LocalTimeNs => scheduler == null ? 0 : scheduler.RoundStartNs + sliceExecuted;

        public void Reset()
        {
            // A machine reset recreates the platform in this host; cores are not reset in place.
        }

        /// <summary>Sets a general-purpose register before the first run (x0 = DTB address for Linux images).</summary>
        public void SetBootRegister(int index, ulong value)
        {
            if(index < 0 || index > 3)
            {
                throw new ArgumentOutOfRangeException(nameof(index), "only x0..x3 can be preset");
            }
            bootRegisters[index] = value;
        }

        internal void AttachTimer(ARM_GenericTimer timer)
        {
            Timer = timer;
        }

        public void FinishPlatformLoad(Machine machine)
        {
            if(engine != IntPtr.Zero)
            {
                return;
            }
            this.hostMachine = machine;
            scheduler = CpuScheduler.For(machine);
            scheduler.Add(this);
            Timer.Bind(this, scheduler);
            // The same seam a Renode CPU uses (peripherals/Gic/ArmGicV3RenodeCpuAdapter.cs); attaching happens there.
            gicAdapter = gic == null ? null : new ArmGicV3RenodeCpuAdapter(gic, Index, this);
            CreateEngine(machine);
            var off = startPoweredOff ?? Index != 0;
            if(!off)
            {
                PowerOn(pcSet ? initialPc : 0, bootRegisters[0], bootRegisters);
            }
        }

        public void OnGPIO(int number, bool value)
        {
            if(number < 0 || number >= lines.Length)
            {
                this.Log(LogLevel.Warning, "GPIO {0} does not exist on a CPU (0 IRQ, 1 FIQ, 2 vIRQ, 3 vFIQ)", number);
                return;
            }
            lines[number] = value;
            // While this core runs, its block hook sees the raised line at the next block and stops there if the
            // interrupt can be taken. (Stopping Unicorn inside an MMIO or system-register callback would make it
            // re-execute the accessing instruction.)
            if(value && !running && scheduler != null)
            {
                // Another core raised our line (an SGI, an SPI it routed here): let it yield so that we can
                // respond in the next round instead of after its whole quantum.
                scheduler.OnInterruptRaisedFor(this);
            }
        }

        /// <summary>True when an interrupt line is raised (wakes the core from WFI even when masked).</summary>
        public bool HasInterruptLineRaised => lines[0] || lines[1] || lines[2] || lines[3];

        public bool IsRunnable => State == CpuState.Running || State == CpuState.Starting
            || (State == CpuState.WaitingForInterrupt && WakesFromWait);

        /// <summary>
        /// Whether a raised line ends the wait: a core the hypervisor model parked (its idle loop at EL2) wakes only for
        /// interrupts routed to EL2; a guest's own WFI wakes for any raised line, even a masked or virtual one.
        /// </summary>
        private bool WakesFromWait => parkedByHypervisor ? lines[0] || lines[1] : HasInterruptLineRaised;

        public void Dispose()
        {
            if(engine != IntPtr.Zero)
            {
                Unicorn.Close(engine);
                engine = IntPtr.Zero;
            }
            if(selfHandle.IsAllocated)
            {
                selfHandle.Free();
            }
        }

        public override string ToString() => Name;

        /// <summary>Powers the core on at <paramref name="entry"/> in the boot EL (PSCI CPU_ON, or boot).</summary>
        internal void PowerOn(ulong entry, ulong x0, ulong[]? bootRegs = null)
        {
            pendingEntry = entry;
            pendingX0 = x0;
            pendingBootRegisters = bootRegs;
            State = CpuState.Starting;
        }

        /// <summary>Ends the running slice early so other cores run (its remaining budget is not lost).</summary>
        internal void Yield()
        {
            yieldRequested = true; // honoured by the block hook at the next block boundary (cleared when a slice starts)
        }

        internal bool IsRunningSlice => running;

        public CpuScheduler Scheduler => scheduler ?? throw new InvalidOperationException($"{Name} is not part of a loaded machine");

        /// <summary>Enters the wait-for-interrupt state from the host (PSCI CPU_SUSPEND standby).</summary>
        internal void WaitForInterrupt()
        {
            State = CpuState.WaitingForInterrupt;
            if(running)
            {
                RequestStop(StopReason.PowerOff);
            }
        }

        /// <summary>Ends the running slice because the whole machine stops (SYSTEM_OFF, fault, pause).</summary>
        internal void StopForMachine()
        {
            if(running)
            {
                RequestStop(StopReason.Machine);
            }
        }

        internal void PowerOff()
        {
            State = CpuState.Off;
            parkedByHypervisor = false;
            if(running)
            {
                RequestStop(StopReason.PowerOff);
            }
        }

        /// <summary>Lowers the instruction budget of the running slice so it ends by absolute time <paramref name="ns"/>.</summary>
        internal void LimitSliceTo(ulong ns)
        {
            if(scheduler == null || !running)
            {
                return;
            }
            var limit = ns > scheduler.RoundStartNs ? ns - scheduler.RoundStartNs : 0;
            if(limit < sliceBudget)
            {
                sliceBudget = Math.Max(limit, sliceExecuted + 1);
            }
        }

        /// <summary>
        /// Runs the core for at most <paramref name="budget"/> instructions starting at round time
        /// <paramref name="roundStart"/>. Returns the instructions it executed (its share of virtual time).
        /// </summary>
        internal ulong RunSlice(ulong budget)
        {
            sliceBudget = budget;
            sliceExecuted = 0;
            yieldRequested = false;
            var faultsWithoutProgress = 0;
            while(sliceExecuted < sliceBudget && scheduler != null && !scheduler.StopRequested)
            {
                if(State == CpuState.Off)
                {
                    break;
                }
                if(State == CpuState.Starting)
                {
                    Boot();
                }
                if(State == CpuState.WaitingForInterrupt)
                {
                    if(!WakesFromWait)
                    {
                        break;
                    }
                    State = CpuState.Running;
                    parkedByHypervisor = false;
                }
                TryTakeInterrupt();
                if(State != CpuState.Running)
                {
                    continue; // a C# hypervisor parked the core (or powered it off) while handling the interrupt
                }

                stopReason = StopReason.None;
                running = true;
                var pcBefore = ReadRegister(Unicorn.RegPc);
                var err = Unicorn.EmuStart(engine, pcBefore, 0, 0, UIntPtr.Zero);
                running = false;
                if(hookException != null)
                {
                    var e = hookException;
                    hookException = null;
                    scheduler.Fault(this, $"host error in a CPU hook: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                    break;
                }
                if(err != Unicorn.ErrOk)
                {
                    if(pendingAbort.HasValue)
                    {
                        if(++faultsWithoutProgress > 4)
                        {
                            scheduler.Fault(this, $"recursive external aborts (last at 0x{pendingAbort.Value.Address:X}): the guest has no usable exception vectors");
                            break;
                        }
                        DeliverExternalAbort();
                        continue;
                    }
                    scheduler.Fault(this, $"emulation stopped: {Unicorn.Describe(err)}");
                    break;
                }
                faultsWithoutProgress = 0;
                switch(stopReason)
                {
                case StopReason.Budget:
                case StopReason.InterruptLine:
                case StopReason.PowerOff:
                case StopReason.Machine:
                    break;
                case StopReason.Exception:
                    HandlePendingException();
                    break;
                case StopReason.None:
                    // Unicorn returns by itself only after WFI (PC = WFI + 4): the guest's own wait, woken by any line.
                    State = CpuState.WaitingForInterrupt;
                    parkedByHypervisor = false;
                    break;
                }
            }
            var executed = sliceExecuted;
            ExecutedInstructions += executed;
            sliceExecuted = 0;
            return executed;
        }

        /// <summary>The state a person needs when the guest faulted.</summary>
        public string DescribeState()
        {
            if(engine == IntPtr.Zero)
            {
                return $"{Name}: not started";
            }
            var sb = new System.Text.StringBuilder();
            var pstate = ReadRegister(Unicorn.RegPstate);
            sb.AppendLine($"{Name}: PC=0x{ReadRegister(Unicorn.RegPc):X16} PSTATE=0x{pstate:X8} (EL{(pstate >> 2) & 3}{((pstate & 1) != 0 ? "h" : "t")}) SP=0x{ReadRegister(Unicorn.RegSp):X16} state={State}");
            for(var i = 0; i < 31; i += 2)
            {
                var a = ReadX(i);
                var line = $"  x{i,-2}=0x{a:X16}";
                if(i + 1 < 31)
                {
                    line += $"  x{i + 1,-2}=0x{ReadX(i + 1):X16}";
                }
                sb.AppendLine(line);
            }
            for(var el = 1; el <= 2; el++)
            {
                sb.AppendLine($"  ELR_EL{el}=0x{ReadRegister(Unicorn.RegElrEl0 + el):X16} ESR_EL{el}=0x{ReadRegister(Unicorn.RegEsrEl0 + el):X8} FAR_EL{el}=0x{ReadRegister(Unicorn.RegFarEl0 + el):X16} VBAR_EL{el}=0x{ReadRegister(Unicorn.RegVbarEl0 + el):X16}");
            }
            return sb.ToString().TrimEnd();
        }

        public ulong ReadX(int n)
        {
            return ReadRegister(XRegisterId(n));
        }

        public void WriteX(int n, ulong value)
        {
            WriteRegister(XRegisterId(n), value);
        }

        private static int XRegisterId(int n)
        {
            return n switch
            {
                29 => Unicorn.RegX29,
                30 => Unicorn.RegX30,
                _ => Unicorn.RegX0 + n,
            };
        }

        private void RequestStop(StopReason reason)
        {
            if(stopReason == StopReason.None || reason == StopReason.Exception)
            {
                stopReason = reason;
            }
            Unicorn.EmuStop(engine);
        }

        private ulong ReadRegister(int id)
        {
            ulong v;
            Unicorn.RegRead(engine, id, &v);
            return v;
        }

        private void WriteRegister(int id, ulong value)
        {
            Unicorn.RegWrite(engine, id, &value);
        }

        private ulong ReadCp(uint op0, uint op1, uint crn, uint crm, uint op2)
        {
            var cp = new Unicorn.CpReg { Op0 = op0, Op1 = op1, Crn = crn, Crm = crm, Op2 = op2 };
            Unicorn.RegReadCp(engine, Unicorn.RegCpReg, &cp);
            return cp.Value;
        }

        private void WriteCp(uint op0, uint op1, uint crn, uint crm, uint op2, ulong value)
        {
            var cp = new Unicorn.CpReg { Op0 = op0, Op1 = op1, Crn = crn, Crm = crm, Op2 = op2, Value = value };
            Unicorn.RegWriteCp(engine, Unicorn.RegCpReg, &cp);
        }

        private enum StopReason
        {
            None,
            Budget,
            InterruptLine,
            Exception,
            PowerOff,
            Machine,
        }

        private readonly IMachine machine;
        private readonly IGicSystemRegisterTarget? gic;
        private ArmGicV3RenodeCpuAdapter? gicAdapter;
        private readonly bool? startPoweredOff;
        private readonly bool[] lines = new bool[4];
        private readonly ulong[] bootRegisters = new ulong[4];
        private Machine? hostMachine;
        private CpuScheduler? scheduler;
        private IntPtr engine;
        private GCHandle selfHandle;
        private ulong initialPc;
        private bool pcSet;
        private ulong pendingEntry;
        private ulong pendingX0;
        private ulong[]? pendingBootRegisters;
        private volatile bool running;
        private volatile bool yieldRequested;
        private StopReason stopReason;
        private Exception? hookException;
        private ulong sliceBudget;
        private ulong sliceExecuted;
        private ulong hcrEl2;
        private ulong vmpidr;
        private bool parkedByHypervisor;
    }
}
