// ArmGicV3, virtualization part: one VirtualCpuInterface (ICH_*_EL2 and ICV_*_EL1) per processor, the choice
// between the physical and the virtual CPU interface for each system-register access, traps to EL2, and the
// virtual outputs (vIRQ = Connections[cpu * 4 + 2], vFIQ = + 3, and the maintenance interrupt on PPI INTID 25).
//
// Which bank serves an access (IHI 0069 chapter 6 and 12.4):
//   ICH_*_EL2 (op1 = 4)            -> the virtual interface, at EL2 or EL3 only (UNDEFINED at EL1);
//   ICC_* at EL1, HCR_EL2.IMO/FMO  -> the virtual interface as ICV_* (IMO for Group 1 registers, FMO for Group 0
//                                     ones, either for CTLR/PMR/RPR/DIR);
//   anything else                  -> the physical CpuInterface.
// An EL1 access that ICH_HCR_EL2.TC/TALL0/TALL1/TDIR traps, or an EL1 SGI generation under HCR_EL2.IMO/FMO, is
// reported as GicSystemRegisterAccessResult.TrapToEl2 (the CPU raises the exception; TryRead/TryWrite return
// false for it). The INTID 25 input of each redistributor is driven by the GIC itself: do not wire PPI 9 from
// outside.
using System;
using System.Diagnostics;
using System.Numerics;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    public sealed partial class ArmGicV3
    {
        public GicSystemRegisterAccessResult ReadSystemRegister(int processorNumber, uint encoding, out ulong value)
        {
            value = 0;
            lock(sync)
            {
                var result = SelectBank(processorNumber, encoding, isWrite: false, out var bank, out var access);
                if(result == GicSystemRegisterAccessResult.Done && bank is VirtualCpuInterface)
                {
                    HintVirtualDirty(processorNumber); // an ICH_/ICV_ access: vIRQ, vFIQ or maintenance may change
                }
                if(result == GicSystemRegisterAccessResult.Done && !bank.TryRead(encoding, access, out value))
                {
                    result = GicSystemRegisterAccessResult.Undefined;
                }
                UpdateOutputs();
                return result;
            }
        }

        public GicSystemRegisterAccessResult WriteSystemRegister(int processorNumber, uint encoding, ulong value)
        {
            lock(sync)
            {
                var result = SelectBank(processorNumber, encoding, isWrite: true, out var bank, out var access);
                if(result == GicSystemRegisterAccessResult.Done && bank is VirtualCpuInterface)
                {
                    HintVirtualDirty(processorNumber); // an ICH_/ICV_ access: vIRQ, vFIQ or maintenance may change
                }
                if(result == GicSystemRegisterAccessResult.Done && !bank.TryWrite(encoding, access, value))
                {
                    result = GicSystemRegisterAccessResult.Undefined;
                }
                UpdateOutputs();
                return result;
            }
        }

        /// <summary>Number of ICH_LR&lt;n&gt;_EL2 registers of each virtual CPU interface (ICH_VTR_EL2.ListRegs + 1).</summary>
        public int NumberOfListRegisters { get; private set; }

        private VirtualCpuInterface[] CreateVirtualCpuInterfaces(int maximumCPUs, int numberOfListRegisters, int architectureRevision)
        {
            if(numberOfListRegisters < 1 || numberOfListRegisters > 16)
            {
                throw new ArgumentException($"numberOfListRegisters must be between 1 and 16, got {numberOfListRegisters}.", nameof(numberOfListRegisters));
            }
            NumberOfListRegisters = numberOfListRegisters;
            maintenanceLevels = new bool[maximumCPUs];
            virtualDirtyHints = new ulong[(maximumCPUs + 63) / 64];
            var interfaces = new VirtualCpuInterface[maximumCPUs];
            for(var n = 0; n < maximumCPUs; n++)
            {
                interfaces[n] = new VirtualCpuInterface(this, n, numberOfListRegisters, architectureRevision);
            }
            return interfaces;
        }

        private void ResetVirtualCpuInterfaces()
        {
            foreach(var virtualCpuInterface in virtualCpuInterfaces)
            {
                virtualCpuInterface.Reset();
            }
            for(var processor = 0; processor < MaximumCpus; processor++)
            {
                HintVirtualDirty(processor);
            }
        }

        /// <summary>
        /// <paramref name="processor"/>'s VirtualCpuInterface may have become dirty: UpdateVirtualOutputs looks only at
        /// hinted processors. Every path that dirties a VirtualCpuInterface must hint it (a DEBUG build checks).
        /// </summary>
        private void HintVirtualDirty(int processor)
        {
            virtualDirtyHints[processor >> 6] |= 1UL << (processor & 63);
        }

        /// <summary>The lowest hinted processor at or above <paramref name="from"/>, its hint cleared; -1 when there is none.</summary>
        private int TakeNextVirtualDirtyHint(int from)
        {
            var word = from >> 6;
            if(word >= virtualDirtyHints.Length)
            {
                return -1;
            }
            var bits = virtualDirtyHints[word] & (ulong.MaxValue << (from & 63));
            while(bits == 0)
            {
                if(++word == virtualDirtyHints.Length)
                {
                    return -1;
                }
                bits = virtualDirtyHints[word];
            }
            var bit = BitOperations.TrailingZeroCount(bits);
            virtualDirtyHints[word] &= ~(1UL << bit);
            return (word << 6) | bit;
        }

        /// <summary>DEBUG builds: no CPU was left out of an output update because nobody marked it (catches a lost hint).</summary>
        [Conditional("DEBUG")]
        private void CheckDirtyTracking()
        {
            for(var processor = 0; processor < MaximumCpus; processor++)
            {
                if(virtualCpuInterfaces[processor].IsDirty && (virtualDirtyHints[processor >> 6] & (1UL << (processor & 63))) == 0)
                {
                    throw new InvalidOperationException($"cpu{processor}: the virtual CPU interface changed without HintVirtualDirty; its outputs were not recomputed");
                }
            }
        }

        private GicSystemRegisterAccessResult SelectBank(int processorNumber, uint encoding, bool isWrite, out IGicSystemRegisterBank bank, out GicAccess access)
        {
            bank = null!;
            access = default;
            if(!IsAttached(processorNumber))
            {
                return GicSystemRegisterAccessResult.Undefined;
            }
            var cpu = cpus[processorNumber]!;
            var exceptionLevel = cpu.ExceptionLevel;
            if(exceptionLevel < 1)
            {
                return GicSystemRegisterAccessResult.Undefined;
            }
            access = new GicAccess(exceptionLevel, !DisableSecurity && exceptionLevel == 3);
            var virtualCpuInterface = virtualCpuInterfaces[processorNumber];
            if(GicSystemRegisterEncoding.IsHypervisorControl(encoding))
            {
                if(exceptionLevel < 2 || !virtualCpuInterface.Implements(encoding, isWrite))
                {
                    return GicSystemRegisterAccessResult.Undefined;
                }
                bank = virtualCpuInterface;
                return GicSystemRegisterAccessResult.Done;
            }
            bank = cpuInterfaces[processorNumber];
            if(exceptionLevel != 1)
            {
                return GicSystemRegisterAccessResult.Done;
            }
            var hcr = cpu.HypervisorConfiguration;
            if((hcr & VirtualisingHcrMask) != 0 && (hcr & GicSystemRegisterEncoding.VirtualisingHcrBits(encoding)) != 0)
            {
                bank = virtualCpuInterface;
            }
            if(virtualCpuInterface.TrapsToEl2(encoding, hcr) && bank.Implements(encoding, isWrite))
            {
                return GicSystemRegisterAccessResult.TrapToEl2;
            }
            return GicSystemRegisterAccessResult.Done;
        }

        /// <summary>Recomputes vIRQ, vFIQ and the maintenance interrupt of every CPU whose virtual state was touched.</summary>
        private void UpdateVirtualOutputs()
        {
            for(var processor = TakeNextVirtualDirtyHint(0); processor >= 0; processor = TakeNextVirtualDirtyHint(processor + 1))
            {
                var virtualCpuInterface = virtualCpuInterfaces[processor];
                if(!virtualCpuInterface.TakeDirty())
                {
                    continue;
                }
                var virtualIrq = false;
                var virtualFiq = false;
                var maintenance = false;
                if(cpus[processor] != null)
                {
                    virtualCpuInterface.ComputeSignals(out virtualIrq, out virtualFiq, out maintenance);
                }
                if(maintenance != maintenanceLevels[processor])
                {
                    // A level-sensitive PPI: pending while ICH_HCR_EL2.En = 1 and ICH_MISR_EL2 != 0.
                    maintenanceLevels[processor] = maintenance;
                    Trace(GicTraceKind.Maintenance, VirtualCpuInterface.MaintenanceIntid, processor, maintenance ? 1 : 0);
                    redistributors[processor].SetPpiLine(VirtualCpuInterface.MaintenanceIntid, maintenance);
                }
                TraceOutput(processor, VirtualIrqLine, virtualIrq);
                TraceOutput(processor, VirtualFiqLine, virtualFiq);
                outputs[processor * 4 + VirtualIrqLine].Set(virtualIrq);
                outputs[processor * 4 + VirtualFiqLine].Set(virtualFiq);
            }
        }

        private const ulong VirtualisingHcrMask = (1UL << 3) | (1UL << 4); // HCR_EL2.FMO | IMO: the bits VirtualisingHcrBits returns
        private const int VirtualIrqLine = 2;
        private const int VirtualFiqLine = 3;

        private readonly VirtualCpuInterface[] virtualCpuInterfaces;
        private bool[] maintenanceLevels = Array.Empty<bool>();
        // Bit p % 64 of word p / 64: processor p's VirtualCpuInterface may be dirty (HintVirtualDirty).
        private ulong[] virtualDirtyHints = Array.Empty<ulong>();
    }
}
