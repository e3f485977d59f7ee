// SGI generation by the guest, emulated: the guest's MSR ICC_SGI0R_EL1 / ICC_SGI1R_EL1 / ICC_ASGI1R_EL1 at EL1 traps
// to EL2 while HCR_EL2.IMO/FMO is set (the GIC returns TrapToEl2, the core reports EC 0x18 to
// IEl2Handler.OnSystemRegisterTrap), and the hypervisor makes the SGI pending on the target vCPUs of the domain.
// Register layout (IHI 0069, 12.2 ICC_SGI0R_EL1 / ICC_SGI1R_EL1 / ICC_ASGI1R_EL1): INTID[27:24], TargetList[15:0]
// (bit n: Aff0 = RS * 16 + n), Aff1[23:16], Aff2[39:32], IRM[40] (every PE but the sender), RS[47:44], Aff3[55:48].
// The virtual distributor has one security state (GICD_CTLR.DS = 1), so (IHI 0069, "Forwarding an SGI to a target
// PE", the GICD_CTLR.DS = 1 rows) ICC_SGI1R_EL1 reaches only Group 1 SGIs, ICC_SGI0R_EL1 only Group 0 SGIs and
// ICC_ASGI1R_EL1 (Group 1 of the other security state) none, as the physical CpuInterface with DS = 1. A target
// affinity that names no vCPU is ignored. The access is an exit like a trapped MMIO access (IVgicHost.Trap: the
// sender's list registers folded before and flushed after), counted as ExitCause.SgiTrap and charged
// CostModel.MmioEmulationNs for the decoding.
using System.Collections.Generic;
using Antmicro.Renode.Peripherals.CPU;

namespace RenodeGic.VgicHost
{
    public static class VirtualSgi
    {
        /// <summary>
        /// Emulates a trapped MSR to an SGI generation register; false (the access is not one: the core enters the
        /// EL2 vector as hardware would) for any other register, a read or another exception class.
        /// </summary>
        public static bool TryEmulate(VgicHypervisor hypervisor, ARMv8A cpu, ulong syndrome)
        {
            if(!TryDecodeTrap(syndrome, out var encoding, out var rt, out var isRead) || isRead || !IsSgiRegister(encoding))
            {
                return false;
            }
            var value = rt == ZeroRegister ? 0UL : cpu.ReadX(rt);
            var port = hypervisor.PortOf(cpu.Index);
            hypervisor.Trap(ExitCause.SgiTrap, sender =>
            {
                port.Charge(hypervisor.Costs.MmioEmulationNs);
                return Generate(sender?.Domain ?? hypervisor.Domain, sender, encoding, value, port.NowNs);
            });
            cpu.SkipTrappedInstruction();
            return true;
        }

        /// <summary>
        /// Decodes the syndrome of a trapped MRS/MSR (ESR_EL2.EC 0x18; ISS: Op0[21:20], Op2[19:17], Op1[16:14],
        /// CRn[13:10], Rt[9:5], CRm[4:1], Direction[0], 1 = read) into the register's encoding in
        /// <see cref="SysReg.Encode"/>'s layout, Rt (31: XZR) and the direction. False for another exception class.
        /// </summary>
        public static bool TryDecodeTrap(ulong syndrome, out uint encoding, out int rt, out bool isRead)
        {
            encoding = 0;
            rt = 0;
            isRead = false;
            if(((syndrome >> 26) & 0x3F) != SystemRegisterTrapClass)
            {
                return false;
            }
            var op0 = (uint)(syndrome >> 20) & 0x3;
            var op2 = (uint)(syndrome >> 17) & 0x7;
            var op1 = (uint)(syndrome >> 14) & 0x7;
            var crn = (uint)(syndrome >> 10) & 0xF;
            var crm = (uint)(syndrome >> 1) & 0xF;
            encoding = SysReg.Encode(op0, op1, crn, crm, op2);
            rt = (int)(syndrome >> 5) & 0x1F;
            isRead = (syndrome & 1) != 0;
            return true;
        }

        public static bool IsSgiRegister(uint encoding) =>
            encoding == SysReg.IccSgi1rEl1 || encoding == SysReg.IccAsgi1rEl1 || encoding == SysReg.IccSgi0rEl1;

        /// <summary>
        /// The group of the SGIs a write to <paramref name="encoding"/> generates in the one-security-state virtual
        /// distributor: 1 for ICC_SGI1R_EL1, 0 for ICC_SGI0R_EL1, null for ICC_ASGI1R_EL1 (no other security state)
        /// and anything else.
        /// </summary>
        public static int? GroupOf(uint encoding)
        {
            if(encoding == SysReg.IccSgi1rEl1)
            {
                return 1;
            }
            if(encoding == SysReg.IccSgi0rEl1)
            {
                return 0;
            }
            return null;
        }

        /// <summary>
        /// The vCPUs an SGI register value names: with IRM every vCPU of the domain but <paramref name="sender"/>
        /// (every one when the sender is unknown), otherwise each TargetList bit n as Aff3.Aff2.Aff1.(RS * 16 + n),
        /// skipping affinities that name no vCPU.
        /// </summary>
        public static List<VgicVcpu> Targets(VgicDomain domain, VgicVcpu? sender, ulong value)
        {
            var targets = new List<VgicVcpu>();
            if(((value >> 40) & 1) != 0)
            {
                foreach(var vcpu in domain.Vcpus)
                {
                    if(vcpu != sender)
                    {
                        targets.Add(vcpu);
                    }
                }
                return targets;
            }
            var targetList = (uint)(value & 0xFFFF);
            var rangeSelector = (value >> 44) & 0xF;
            var upperAffinity = (((value >> 48) & 0xFF) << 32) | (((value >> 32) & 0xFF) << 16) | (((value >> 16) & 0xFF) << 8);
            for(var n = 0; n < 16; n++)
            {
                if((targetList & (1u << n)) == 0)
                {
                    continue;
                }
                var vcpu = domain.FindVcpuByAffinity(upperAffinity | (rangeSelector * 16 + (ulong)n));
                if(vcpu != null)
                {
                    targets.Add(vcpu);
                }
            }
            return targets;
        }

        /// <summary>
        /// The write of <paramref name="value"/> to the SGI register <paramref name="encoding"/> by <paramref name="sender"/>:
        /// makes SGI INTID[27:24] pending on every target whose copy of it is in the register's group. Returns how many.
        /// </summary>
        public static int Generate(VgicDomain domain, VgicVcpu? sender, uint encoding, ulong value, ulong nowNs = 0)
        {
            var group = GroupOf(encoding);
            if(group == null)
            {
                return 0;
            }
            var intid = (uint)((value >> 24) & 0xF);
            var pended = 0;
            foreach(var target in Targets(domain, sender, value))
            {
                var irq = target.Private[intid];
                int configured;
                lock(irq.Lock)
                {
                    configured = irq.Group;
                }
                if(configured != group.Value)
                {
                    continue;
                }
                if(domain.HardwareSgis)
                {
                    domain.VsgiHost!.SendVsgi(irq); // GICv4.1: GITS_SGIR, the GIC delivers it (HardwareSgis.cs)
                }
                else
                {
                    domain.InjectEdge(irq, nowNs);
                }
                pended++;
            }
            return pended;
        }

        private const ulong SystemRegisterTrapClass = 0x18;
        private const int ZeroRegister = 31;
    }
}
