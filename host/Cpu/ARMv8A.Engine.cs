// Unicorn engine set-up and the native hooks of ARMv8A: block counting (the instruction budget of a
// slice), system registers, exceptions Unicorn reports, MMIO windows and unmapped accesses.
// Hooks run inside uc_emu_start; they must never let a managed exception escape into native code.
using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Antmicro.Renode.Logging;
using RenodeGic.Host.Cpu;
using RenodeGic.Host.Emulation;

namespace Antmicro.Renode.Peripherals.CPU
{
    public sealed unsafe partial class ARMv8A
    {
        /// <summary>Bytes at the end of the first RAM region kept for the host's ERET trampoline (not in the DTB).</summary>
        public const ulong TrampolineReservedBytes = 0x10000;

        private const uint EretInstruction = 0xD69F03E0;
        private const uint WfiInstruction = 0xD503207F;

        private void CreateEngine(Machine m)
        {
            Unicorn.Check(Unicorn.Open(Unicorn.ArchArm64, Unicorn.ModeArm, out engine), $"{Name}: uc_open");
            var model = CpuType.ToLowerInvariant() switch
            {
                "cortex-a57" => 0,
                "cortex-a53" => 1,
                "cortex-a72" => 2,
                "max" => 3,
                _ => 2,
            };
            Unicorn.Check(Unicorn.Ctl(engine, Unicorn.CtlWriteCpuModel, model), $"{Name}: select CPU model");
            selfHandle = GCHandle.Alloc(this);
            var self = GCHandle.ToIntPtr(selfHandle);

            if(m.SystemBus.RamRegions.Count == 0)
            {
                throw new InvalidOperationException("the platform has no RAM (Memory.MappedMemory) for the CPU to run from");
            }
            foreach(var (address, memory) in m.SystemBus.RamRegions)
            {
                Unicorn.Check(Unicorn.MemMapPtr(engine, address, (UIntPtr)(ulong)memory.Size, Unicorn.ProtAll, memory.Pointer), $"{Name}: map RAM at 0x{address:X}");
            }
            var (ramBase, ram) = m.SystemBus.RamRegions[0];
            trampolineAddress = ramBase + (ulong)ram.Size - TrampolineReservedBytes;
            trampolineHost = (uint*)((byte*)ram.Pointer + ((ulong)ram.Size - TrampolineReservedBytes));
            *trampolineHost = EretInstruction;

            foreach(var region in m.SystemBus.MmioRegions)
            {
                var window = GCHandle.Alloc(region);
                mmioHandles.Add(window);
                var size = (region.Size + 0xFFF) & ~0xFFFUL;
                Unicorn.Check(Unicorn.MmioMap(engine, region.Address, (UIntPtr)size,
                    (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, ulong, uint, IntPtr, ulong>)&OnMmioRead, GCHandle.ToIntPtr(window),
                    (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, ulong, uint, ulong, IntPtr, void>)&OnMmioWrite, GCHandle.ToIntPtr(window)),
                    $"{Name}: map {region}");
            }

            Unicorn.Check(Unicorn.HookAdd(engine, out _, Unicorn.HookBlock,
                (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, ulong, uint, IntPtr, void>)&OnBlock, self, 1, 0), $"{Name}: block hook");
            Unicorn.Check(Unicorn.HookAdd(engine, out _, Unicorn.HookIntr,
                (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, uint, IntPtr, void>)&OnInterrupt, self, 1, 0), $"{Name}: interrupt hook");
            Unicorn.Check(Unicorn.HookAdd(engine, out _, Unicorn.HookMemUnmapped,
                (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, int, ulong, int, long, IntPtr, byte>)&OnUnmapped, self, 1, 0), $"{Name}: unmapped-access hook");
            Unicorn.Check(Unicorn.HookAddInsn(engine, out _, Unicorn.HookInsn,
                (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, int, Unicorn.CpReg*, IntPtr, uint>)&OnMrs, self, 1, 0, Unicorn.Arm64InsMrs), $"{Name}: MRS hook");
            Unicorn.Check(Unicorn.HookAddInsn(engine, out _, Unicorn.HookInsn,
                (IntPtr)(delegate* unmanaged[Cdecl]<IntPtr, int, Unicorn.CpReg*, IntPtr, uint>)&OnMsr, self, 1, 0, Unicorn.Arm64InsMsr), $"{Name}: MSR hook");

            // Leave Unicorn's reset state (Secure EL1, SCR_EL3 = 0) for Non-secure with EL2 and AArch64 below
            // EL3: SCR_EL3 = NS | RES1(5:4) | HCE | RW. HCR_EL2.RW = 1 so that EL1 is AArch64.
            WriteCp(3, 6, 1, 1, 0, 0x531);
            hcrEl2 = 1UL << 31;
            WriteCp(3, 4, 1, 1, 0, hcrEl2);
        }

        /// <summary>Enters the image at the boot EL with PSCI CPU_ON semantics (MMU off, DAIF masked, x0 = context).</summary>
        private void Boot()
        {
            var target = BootExceptionLevel;
            if(pendingBootRegisters != null)
            {
                for(var i = 1; i < pendingBootRegisters.Length; i++)
                {
                    WriteX(i, pendingBootRegisters[i]);
                }
            }
            WriteX(0, pendingX0);
            var pstate = ReadRegister(Unicorn.RegPstate);
            var cur = (int)((pstate >> 2) & 3);
            WriteRegister(Unicorn.RegElrEl0 + cur, pendingEntry);
            WriteCp(3, 6, 4, 0, 0, (ulong)((target << 2) | 1 | 0x3C0));
            WriteRegister(Unicorn.RegPstate, (pstate & ~0xFUL) | 0xD);
            EnsureTrampoline();
            WriteRegister(Unicorn.RegPc, trampolineAddress);
            fixupArmed = false;
            State = CpuState.Running;
        }

        private void EnsureTrampoline()
        {
            // RAM is guest-writable: restore the ERET if a guest overwrote it, and drop stale translations.
            if(*trampolineHost != EretInstruction)
            {
                *trampolineHost = EretInstruction;
                foreach(var cpu in scheduler!.Cpus)
                {
                    cpu.RemoveCachedCode(trampolineAddress, trampolineAddress + 4);
                }
            }
        }

        /// <summary>Drops translated code for [start, end) (after the host or another core rewrote it).</summary>
        internal void RemoveCachedCode(ulong start, ulong end)
        {
            if(engine != IntPtr.Zero)
            {
                Unicorn.Ctl(engine, Unicorn.CtlWriteRemoveCache, start, end);
            }
        }

        private static ARMv8A Self(IntPtr userData) => (ARMv8A)GCHandle.FromIntPtr(userData).Target!;

        [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
        private static void OnBlock(IntPtr uc, ulong address, uint size, IntPtr userData)
        {
            var cpu = Self(userData);
            try
            {
                if(cpu.fixupArmed && address == cpu.fixupAddress)
                {
                    cpu.CompleteExceptionEntry();
                }
                var n = size >= 4 ? size / 4 : 1u;
                cpu.sliceExecuted += n;
                if(cpu.sliceExecuted >= cpu.sliceBudget || cpu.yieldRequested)
                {
                    cpu.RequestStop(StopReason.Budget);
                }
                else if((cpu.lines[0] || cpu.lines[1] || cpu.lines[2] || cpu.lines[3]) && cpu.CanTakeInterruptNow())
                {
                    // A raised line became deliverable (QEMU ends a block after a DAIF write, so an unmask is
                    // seen at the next block): stop so the host enters the exception now.
                    cpu.RequestStop(StopReason.InterruptLine);
                }
            }
            catch(Exception e)
            {
                cpu.OnHookException(e);
            }
        }

        [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
        private static void OnInterrupt(IntPtr uc, uint intno, IntPtr userData)
        {
            var cpu = Self(userData);
            try
            {
                cpu.OnUnicornException(intno);
            }
            catch(Exception e)
            {
                cpu.OnHookException(e);
            }
        }

        [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
        private static byte OnUnmapped(IntPtr uc, int type, ulong address, int size, long value, IntPtr userData)
        {
            var cpu = Self(userData);
            try
            {
                // 19/20/21 = read/write/fetch of unmapped memory (uc_mem_type UC_MEM_*_UNMAPPED).
                var kind = type switch
                {
                    20 => AbortKind.Write,
                    21 => AbortKind.Fetch,
                    _ => AbortKind.Read,
                };
                cpu.pendingAbort = new PendingAbort(kind, address, size);
            }
            catch(Exception e)
            {
                cpu.OnHookException(e);
            }
            return 0;
        }

        [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
        private static uint OnMrs(IntPtr uc, int reg, Unicorn.CpReg* cp, IntPtr userData)
        {
            var cpu = Self(userData);
            try
            {
                return cpu.HandleMrs(reg, cp) ? 1u : 0u;
            }
            catch(Exception e)
            {
                cpu.OnHookException(e);
                return 0;
            }
        }

        [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
        private static uint OnMsr(IntPtr uc, int reg, Unicorn.CpReg* cp, IntPtr userData)
        {
            var cpu = Self(userData);
            try
            {
                return cpu.HandleMsr(cp) ? 1u : 0u;
            }
            catch(Exception e)
            {
                cpu.OnHookException(e);
                return 0;
            }
        }

        [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
        private static ulong OnMmioRead(IntPtr uc, ulong offset, uint size, IntPtr userData)
        {
            var region = (MmioRegion)GCHandle.FromIntPtr(userData).Target!;
            try
            {
                return region.Read(offset, (int)size);
            }
            catch(Exception e)
            {
                Logger.Log(LogLevel.Error, "host error reading {0} at offset 0x{1:X}: {2}", region.Name, offset, e);
                return 0;
            }
        }

        [UnmanagedCallersOnly(CallConvs = new[] { typeof(CallConvCdecl) })]
        private static void OnMmioWrite(IntPtr uc, ulong offset, uint size, ulong value, IntPtr userData)
        {
            var region = (MmioRegion)GCHandle.FromIntPtr(userData).Target!;
            try
            {
                region.Write(offset, (int)size, value);
            }
            catch(Exception e)
            {
                Logger.Log(LogLevel.Error, "host error writing {0} at offset 0x{1:X}: {2}", region.Name, offset, e);
            }
        }

        private void OnHookException(Exception e)
        {
            hookException ??= e;
            RequestStop(StopReason.Machine);
        }

        private readonly List<GCHandle> mmioHandles = new List<GCHandle>();
        private ulong trampolineAddress;
        private uint* trampolineHost;
    }
}
