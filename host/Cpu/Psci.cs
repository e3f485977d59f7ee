// PSCI 1.1 (Arm DEN0022) served by the host as the machine's EL3 firmware, over SMC and (when no EL2
// software runs) HVC. Function IDs in x0, arguments in x1..x3, result in x0.
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.CPU;

namespace RenodeGic.Host.Cpu
{
    internal static class Psci
    {
        public const uint Version = 0x84000000;
        public const uint CpuSuspend32 = 0x84000001;
        public const uint CpuSuspend64 = 0xC4000001;
        public const uint CpuOff = 0x84000002;
        public const uint CpuOn32 = 0x84000003;
        public const uint CpuOn64 = 0xC4000003;
        public const uint AffinityInfo32 = 0x84000004;
        public const uint AffinityInfo64 = 0xC4000004;
        public const uint MigrateInfoType = 0x84000006;
        public const uint SystemOff = 0x84000008;
        public const uint SystemReset = 0x84000009;
        public const uint Features = 0x8400000A;

        public const long Success = 0;
        public const long NotSupported = -1;
        public const long InvalidParameters = -2;
        public const long AlreadyOn = -4;
        public const long OnPending = -5;
        public const long InvalidAddress = -9;

        /// <summary>PSCI version reported: 1.1, as QEMU 7.2's virt machine.</summary>
        public const uint ReportedVersion = 0x00010001;

        public static void Handle(ARMv8A cpu)
        {
            var function = (uint)cpu.ReadX(0);
            var result = Dispatch(cpu, function, cpu.ReadX(1), cpu.ReadX(2), cpu.ReadX(3));
            if(result.HasValue)
            {
                cpu.WriteX(0, (ulong)result.Value);
            }
        }

        private static long? Dispatch(ARMv8A cpu, uint function, ulong a1, ulong a2, ulong a3)
        {
            var scheduler = cpu.Scheduler;
            switch(function)
            {
            case Version:
                return ReportedVersion;
            case CpuSuspend32:
            case CpuSuspend64:
                // Standby: behave as WFI and report success when woken.
                cpu.WaitForInterrupt();
                return Success;
            case CpuOff:
                cpu.PowerOff();
                return null;
            case CpuOn32:
            case CpuOn64:
                {
                    var target = scheduler.FindByMpidr(a1);
                    if(target == null)
                    {
                        return InvalidParameters;
                    }
                    if(target.State == CpuState.Starting)
                    {
                        return OnPending;
                    }
                    if(target.State != CpuState.Off)
                    {
                        return AlreadyOn;
                    }
                    if(!scheduler.IsRam(a2))
                    {
                        return InvalidAddress;
                    }
                    target.PowerOn(a2, a3);
                    return Success;
                }
            case AffinityInfo32:
            case AffinityInfo64:
                {
                    var target = scheduler.FindByMpidr(a1);
                    if(target == null || a2 != 0)
                    {
                        return InvalidParameters;
                    }
                    return target.State switch
                    {
                        CpuState.Off => 1,
                        CpuState.Starting => 2,
                        _ => 0,
                    };
                }
            case MigrateInfoType:
                return 2; // Trusted OS not present or does not require migration
            case SystemOff:
                scheduler.RequestSystemOff(cpu, false);
                return null;
            case SystemReset:
                scheduler.RequestSystemOff(cpu, true);
                return null;
            case Features:
                return (uint)a1 switch
                {
                    Version or CpuSuspend32 or CpuSuspend64 or CpuOff or CpuOn32 or CpuOn64 or AffinityInfo32 or AffinityInfo64
                        or MigrateInfoType or SystemOff or SystemReset or Features => Success,
                    _ => NotSupported,
                };
            default:
                cpu.Log(LogLevel.Debug, "PSCI/SMCCC function 0x{0:X8} is not supported", function);
                return NotSupported;
            }
        }
    }
}
