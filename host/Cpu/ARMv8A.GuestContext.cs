// Saving and loading a guest's EL1 context, for a hypervisor model that runs several vCPUs on one core (a world
// switch, Arm ARM D1.2 / "context switching" in the Xen and KVM entry code): the general-purpose and SIMD&FP
// registers, PC and PSTATE, the EL1 system registers a guest owns (SCTLR_EL1, the translation and exception
// registers, thread IDs), the EL1 timers (CNTP_*, CNTV_*, CNTKCTL_EL1) and the MPIDR the guest sees (VMPIDR_EL2).
// The GIC's virtual CPU interface state (ICH_VMCR_EL2, ICH_AP*R*_EL2, the list registers) belongs to the
// hypervisor, which saves it through its own EL2 accesses.
//
// Loading goes back into the guest through the host's ERET trampoline (notes/unicorn-aarch64.md §2): Unicorn does
// not rebuild its cached translation flags when SCTLR_EL1 or PSTATE is written from outside, an ERET does.
using System;
using Antmicro.Renode.Peripherals.Timers;
using RenodeGic.Host.Cpu;

namespace Antmicro.Renode.Peripherals.CPU
{
    /// <summary>Everything of one vCPU that lives in the core while it runs at EL1.</summary>
    public sealed class GuestEl1Context
    {
        public ulong[] X { get; } = new ulong[31];

        /// <summary>V0..V31 as (low, high) 64-bit halves.</summary>
        public ulong[] V { get; } = new ulong[64];

        public ulong Pc { get; set; }

        /// <summary>NZCV, DAIF, EL (always 1) and SPSel, as PSTATE reads through Unicorn.</summary>
        public ulong Pstate { get; set; }

        public ulong SpEl0 { get; set; }

        public ulong SpEl1 { get; set; }

        public ulong Fpcr { get; set; }

        public ulong Fpsr { get; set; }

        /// <summary>ELR, SPSR, ESR, FAR, VBAR and the rest of the EL1 registers, in <see cref="ARMv8A.El1SystemRegisters"/> order.</summary>
        public ulong[] System { get; } = new ulong[ARMv8A.El1SystemRegisterCount];

        public El1TimerContext Timers { get; set; }

        /// <summary>The MPIDR_EL1 the guest reads (VMPIDR_EL2 while it runs).</summary>
        public ulong Vmpidr { get; set; }

        /// <summary>A vCPU that has not run yet: PSCI CPU_ON state (EL1h, DAIF masked, MMU and caches off, x0 = context).</summary>
        public static GuestEl1Context ForEntry(ulong entry, ulong contextId, ulong vmpidr)
        {
            var context = new GuestEl1Context { Pc = entry, Pstate = 0x3C5, Vmpidr = vmpidr };
            context.X[0] = contextId;
            context.System[ARMv8A.SctlrIndex] = ARMv8A.SctlrEl1ResetValue;
            return context;
        }
    }

    public sealed unsafe partial class ARMv8A
    {
        /// <summary>The number of EL1 system registers a guest context carries.</summary>
        public const int El1SystemRegisterCount = 18;

        /// <summary>SCTLR_EL1 with its RES1 bits and everything else off (MMU, caches, alignment checks).</summary>
        public const ulong SctlrEl1ResetValue = 0x30D0_0800;

        internal const int SctlrIndex = 5;

        /// <summary>(op0, op1, CRn, CRm, op2) of the EL1 registers in a context; ELR/ESR/FAR/VBAR go through Unicorn's own ids.</summary>
        internal static readonly (uint Op0, uint Op1, uint Crn, uint Crm, uint Op2, string Name)[] El1SystemRegisters =
        {
            (0, 0, 0, 0, 0, "ELR_EL1"),
            (3, 0, 4, 0, 0, "SPSR_EL1"),
            (0, 0, 0, 0, 1, "ESR_EL1"),
            (0, 0, 0, 0, 2, "FAR_EL1"),
            (0, 0, 0, 0, 3, "VBAR_EL1"),
            (3, 0, 1, 0, 0, "SCTLR_EL1"),
            (3, 0, 1, 0, 2, "CPACR_EL1"),
            (3, 0, 2, 0, 0, "TTBR0_EL1"),
            (3, 0, 2, 0, 1, "TTBR1_EL1"),
            (3, 0, 2, 0, 2, "TCR_EL1"),
            (3, 0, 5, 1, 0, "AFSR0_EL1"),
            (3, 0, 5, 1, 1, "AFSR1_EL1"),
            (3, 0, 7, 4, 0, "PAR_EL1"),
            (3, 0, 10, 2, 0, "MAIR_EL1"),
            (3, 0, 10, 3, 0, "AMAIR_EL1"),
            (3, 0, 13, 0, 1, "CONTEXTIDR_EL1"),
            (3, 0, 13, 0, 4, "TPIDR_EL1"),
            (3, 3, 13, 0, 2, "TPIDR_EL0"),
        };

        /// <summary>
        /// Captures the guest context of this core. Call it from an <see cref="IEl2Handler"/> callback (the guest is at
        /// EL1, no Unicorn run is in progress); PC is where the guest resumes.
        /// </summary>
        public GuestEl1Context SaveGuestContext()
        {
            RequireGuestAtEl1(nameof(SaveGuestContext));
            if(fixupArmed && ReadRegister(Unicorn.RegPc) == fixupAddress)
            {
                CompleteExceptionEntry(); // an entry to the guest's vector had not reached its first block yet
            }
            var context = new GuestEl1Context();
            for(var i = 0; i < 31; i++)
            {
                context.X[i] = ReadX(i);
            }
            var v = stackalloc ulong[2];
            for(var i = 0; i < 32; i++)
            {
                CheckRegister(Unicorn.RegRead(engine, Unicorn.RegV0 + i, v), "V" + i);
                context.V[2 * i] = v[0];
                context.V[2 * i + 1] = v[1];
            }
            context.Pc = ReadRegister(Unicorn.RegPc);
            context.Pstate = ReadRegister(Unicorn.RegPstate);
            // The live SP is the bank PSTATE.SPSel selects; the other bank is current in the register file.
            var live = ReadRegister(Unicorn.RegSp);
            var handlerStack = (context.Pstate & 1) != 0;
            context.SpEl0 = handlerStack ? ReadRegister(Unicorn.RegSpEl0) : live;
            context.SpEl1 = handlerStack ? live : ReadRegister(Unicorn.RegSpEl0 + 1);
            context.Fpcr = ReadChecked(Unicorn.RegFpcr, "FPCR");
            context.Fpsr = ReadChecked(Unicorn.RegFpsr, "FPSR");
            for(var i = 0; i < El1SystemRegisterCount; i++)
            {
                context.System[i] = ReadEl1SystemRegister(i);
            }
            context.Timers = Timer.SaveEl1Context();
            context.Vmpidr = vmpidr;
            return context;
        }

        /// <summary>
        /// Makes <paramref name="context"/> the guest of this core: the core resumes it at its PC and PSTATE when the
        /// hypervisor callback returns. A core parked in WFI for the previous guest runs again.
        /// </summary>
        public void LoadGuestContext(GuestEl1Context context)
        {
            if(((context.Pstate >> 2) & 3) != 1)
            {
                throw new ArgumentException($"{Name}: a guest context must be at EL1 (PSTATE 0x{context.Pstate:X})");
            }
            RequireGuestAtEl1(nameof(LoadGuestContext));
            for(var i = 0; i < 31; i++)
            {
                WriteX(i, context.X[i]);
            }
            var v = stackalloc ulong[2];
            for(var i = 0; i < 32; i++)
            {
                v[0] = context.V[2 * i];
                v[1] = context.V[2 * i + 1];
                CheckRegister(Unicorn.RegWrite(engine, Unicorn.RegV0 + i, v), "V" + i);
            }
            WriteChecked(Unicorn.RegFpcr, context.Fpcr, "FPCR");
            WriteChecked(Unicorn.RegFpsr, context.Fpsr, "FPSR");
            for(var i = 0; i < El1SystemRegisterCount; i++)
            {
                WriteEl1SystemRegister(i, context.System[i]);
            }
            // The ERET below banks the live SP of the (fake EL3) trampoline and loads the one the new PSTATE selects.
            WriteRegister(Unicorn.RegSpEl0, context.SpEl0);
            WriteRegister(Unicorn.RegSpEl0 + 1, context.SpEl1);
            Timer.RestoreEl1Context(context.Timers);
            vmpidr = context.Vmpidr;

            // ERET from the trampoline to PC with the guest's PSTATE; it rebuilds Unicorn's translation flags for the new
            // SCTLR_EL1. The trampoline's ERET takes its target from ELR_EL1 (the EL the translator has cached), so the
            // guest's own ELR_EL1 is put back at the first block, as after an exception entry.
            var pstate = ReadRegister(Unicorn.RegPstate);
            WriteRegister(Unicorn.RegElrEl0 + 1, context.Pc);
            WriteCp(3, 6, 4, 0, 0, context.Pstate);
            WriteRegister(Unicorn.RegPstate, (pstate & ~0xFUL) | 0xD);
            EnsureTrampoline();
            WriteRegister(Unicorn.RegPc, trampolineAddress);
            fixupArmed = true;
            fixupAddress = context.Pc;
            fixupCurrentEl = 1;
            fixupTargetEl = 1;
            fixupReturnPc = context.System[0];
            pendingSync = null;
            if(State == CpuState.WaitingForInterrupt || State == CpuState.Starting)
            {
                State = CpuState.Running; // the loaded context replaces a pending boot entry too
                parkedByHypervisor = false;
            }
        }

        /// <summary>Powers on a core that is off (never started, or after PSCI CPU_OFF) straight into a guest context.</summary>
        public void PowerOnGuest(GuestEl1Context context)
        {
            if(State != CpuState.Off)
            {
                throw new InvalidOperationException($"{Name}: PowerOnGuest needs a core that is off (it is {State})");
            }
            LoadGuestContext(context);
            State = CpuState.Running;
        }

        /// <summary>
        /// Powers on a core that is off straight into the hypervisor's idle loop, with no guest loaded: it waits for a
        /// physical IRQ/FIQ, which reaches the <see cref="IEl2Handler"/> (the hypervisor loads a guest from there).
        /// </summary>
        public void PowerOnParked()
        {
            if(State != CpuState.Off)
            {
                throw new InvalidOperationException($"{Name}: PowerOnParked needs a core that is off (it is {State})");
            }
            State = CpuState.WaitingForInterrupt;
            parkedByHypervisor = true;
        }

        private void RequireGuestAtEl1(string operation)
        {
            if(engine == IntPtr.Zero || running || elOverride.HasValue || ((ReadRegister(Unicorn.RegPstate) >> 2) & 3) != 1)
            {
                throw new InvalidOperationException($"{Name}: {operation} needs a started core stopped in a guest at EL1 (from a hypervisor callback)");
            }
        }

        private ulong ReadEl1SystemRegister(int index)
        {
            var r = El1SystemRegisters[index];
            return r.Op0 == 0 ? ReadRegister(UnicornIdOf(r.Op2)) : ReadCp(r.Op0, r.Op1, r.Crn, r.Crm, r.Op2);
        }

        private void WriteEl1SystemRegister(int index, ulong value)
        {
            var r = El1SystemRegisters[index];
            if(r.Op0 == 0)
            {
                WriteRegister(UnicornIdOf(r.Op2), value);
            }
            else
            {
                WriteCp(r.Op0, r.Op1, r.Crn, r.Crm, r.Op2, value);
            }
        }

        private static int UnicornIdOf(uint which) => which switch
        {
            0 => Unicorn.RegElrEl0 + 1,
            1 => Unicorn.RegEsrEl0 + 1,
            2 => Unicorn.RegFarEl0 + 1,
            _ => Unicorn.RegVbarEl0 + 1,
        };

        private ulong ReadChecked(int id, string name)
        {
            ulong value;
            CheckRegister(Unicorn.RegRead(engine, id, &value), name);
            return value;
        }

        private void WriteChecked(int id, ulong value, string name)
        {
            CheckRegister(Unicorn.RegWrite(engine, id, &value), name);
        }

        private void CheckRegister(int err, string name)
        {
            if(err != Unicorn.ErrOk)
            {
                throw new InvalidOperationException($"{Name}: Unicorn refused register {name}: {Unicorn.Describe(err)}");
            }
        }
    }
}
