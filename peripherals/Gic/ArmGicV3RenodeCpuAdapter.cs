// The CPU side of the GIC seam, in the shape Renode's CPU uses.
//
// Renode's ARMv8A (renode-infrastructure src/Emulator/Cores/Arm64/ARMv8A.cs) takes its GIC as a constructor
// parameter of the concrete type ARM_GenericInterruptController and, from the tlib callbacks
// ReadSystemRegisterInterruptCPUInterface / WriteSystemRegisterInterruptCPUInterface, calls exactly two methods on it:
//   ulong ReadSystemRegisterCPUInterface(uint offset)      void WriteSystemRegisterCPUInterface(uint offset, ulong value)
// (offset = op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2). This adapter offers those two methods, with those names and
// signatures, for one core in front of any IGicSystemRegisterTarget (our ArmGicV3). A Renode CPU whose GIC calls go
// to an adapter instead of to ARM_GenericInterruptController reaches our GIC; README.md ("CPU wiring in Renode")
// describes the change on the Renode side. Our own host's ARMv8A goes through this adapter too (the Try* forms,
// which also tell it when an encoding is not a GIC register, so that it can raise UNDEFINED).
using Antmicro.Renode.Logging;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    public sealed class ArmGicV3RenodeCpuAdapter
    {
        /// <summary>Attaches <paramref name="cpu"/> to <paramref name="gic"/> as processor <paramref name="processorNumber"/>.</summary>
        public ArmGicV3RenodeCpuAdapter(IGicSystemRegisterTarget gic, int processorNumber, IGicCpu cpu)
        {
            Gic = gic;
            ProcessorNumber = processorNumber;
            Cpu = cpu;
            gic.AttachCpu(processorNumber, cpu);
        }

        public IGicSystemRegisterTarget Gic { get; }

        public int ProcessorNumber { get; }

        public IGicCpu Cpu { get; }

        /// <summary>Renode's ARMv8A → GIC call for an MRS of an ICC_/ICH_/ICV_ register. Unknown encodings read as zero, logged.</summary>
        public ulong ReadSystemRegisterCPUInterface(uint offset)
        {
            if(!TryReadSystemRegister(offset, out var value))
            {
                Logger.Log(LogLevel.Warning, "GIC CPU interface {0}: read of unimplemented system register 0x{1:X}; returning 0", ProcessorNumber, offset);
                return 0;
            }
            return value;
        }

        /// <summary>Renode's ARMv8A → GIC call for an MSR of an ICC_/ICH_/ICV_ register. Unknown encodings are ignored, logged.</summary>
        public void WriteSystemRegisterCPUInterface(uint offset, ulong value)
        {
            if(!TryWriteSystemRegister(offset, value))
            {
                Logger.Log(LogLevel.Warning, "GIC CPU interface {0}: write of 0x{1:X} to unimplemented system register 0x{2:X}; ignored", ProcessorNumber, value, offset);
            }
        }

        /// <summary>False when <paramref name="offset"/> is not a register the GIC implements (the CPU then raises UNDEFINED).</summary>
        public bool TryReadSystemRegister(uint offset, out ulong value)
        {
            return Gic.TryReadSystemRegister(ProcessorNumber, offset, out value);
        }

        /// <summary>False when <paramref name="offset"/> is not a register the GIC implements (the CPU then raises UNDEFINED).</summary>
        public bool TryWriteSystemRegister(uint offset, ulong value)
        {
            return Gic.TryWriteSystemRegister(ProcessorNumber, offset, value);
        }
    }
}
