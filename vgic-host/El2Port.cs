// How the hypervisor reaches one physical CPU's GIC system registers "as EL2 code would": the real thing is
// ARMv8A.AsEl2 around the CPU's GenericInterruptController; tests may give any IGicSystemRegisterTarget whose
// CPU reports EL2. Every access is charged as virtual time to that CPU.
using System;
using Antmicro.Renode.Peripherals.CPU;
using Antmicro.Renode.Peripherals.IRQControllers;

namespace RenodeGic.VgicHost
{
    public interface IEl2Port
    {
        /// <summary>The GIC processor number (redistributor, list registers) of this physical CPU.</summary>
        int Processor { get; }

        ulong ReadSystemRegister(uint encoding);

        void WriteSystemRegister(uint encoding, ulong value);

        /// <summary>Charges hypervisor work to this physical CPU.</summary>
        void Charge(ulong nanoseconds);

        /// <summary>This CPU's current virtual time.</summary>
        ulong NowNs { get; }
    }

    /// <summary>The port of a host ARMv8A core: GIC accesses run inside <see cref="ARMv8A.AsEl2{T}"/>.</summary>
    public sealed class CpuEl2Port : IEl2Port
    {
        public CpuEl2Port(ARMv8A cpu, VgicStats stats)
        {
            Cpu = cpu;
            this.stats = stats;
            gic = cpu.GenericInterruptController ?? throw new ArgumentException($"{cpu.Name} has no GIC");
        }

        public ARMv8A Cpu { get; }

        public int Processor => Cpu.Index;

        public ulong NowNs => Cpu.LocalTimeNs;

        public ulong ReadSystemRegister(uint encoding)
        {
            return Cpu.AsEl2(() =>
            {
                var result = gic.ReadSystemRegister(Cpu.Index, encoding, out var value);
                if(result != GicSystemRegisterAccessResult.Done)
                {
                    throw new InvalidOperationException($"EL2 read of GIC register 0x{encoding:X} on {Cpu.Name}: {result}");
                }
                return value;
            });
        }

        public void WriteSystemRegister(uint encoding, ulong value)
        {
            Cpu.AsEl2(() =>
            {
                var result = gic.WriteSystemRegister(Cpu.Index, encoding, value);
                if(result != GicSystemRegisterAccessResult.Done)
                {
                    throw new InvalidOperationException($"EL2 write of GIC register 0x{encoding:X} on {Cpu.Name}: {result}");
                }
                return 0UL;
            });
        }

        public void Charge(ulong nanoseconds)
        {
            stats.ChargedNs += nanoseconds;
            Cpu.ChargeCycles(nanoseconds);
        }

        private readonly IGicSystemRegisterTarget gic;
        private readonly VgicStats stats;
    }
}
