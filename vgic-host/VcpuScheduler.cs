// Which vCPU a physical CPU runs. A small round-robin scheduler with the behaviour the seed's measurements depend
// on (Xen credit's defaults, simplified):
// - placement: the vCPUs of all domains, in domain order then id order, go round the physical CPUs (the k-th on CPU
//   k mod N);
// - a vCPU that blocks (trapped WFI) or turns itself off gives the CPU to the next runnable vCPU there, in vCPU
//   id order after it (round robin);
// - a vCPU that wakes up (interrupt for it, PSCI CPU_ON, a migration to this CPU) preempts the one running there
//   (credit's BOOST), and the hypervisor tick ends a running vCPU's time slice when others wait;
// - an idle physical CPU steals a runnable vCPU that waits on another CPU (the lowest id among those waiting
//   where most wait): the vCPU migrates, which is what makes VMOVP and MOVI happen.
// Everything is deterministic: no wall clock, ties broken by ids.
using System.Collections.Generic;

namespace RenodeGic.VgicHost
{
    internal sealed class VcpuScheduler
    {
        public VcpuScheduler(IReadOnlyList<VgicDomain> domains, int physicalCpus)
        {
            foreach(var domain in domains)
            {
                all.AddRange(domain.Vcpus);
            }
            PhysicalCpus = physicalCpus;
        }

        /// <summary>Every vCPU of every domain, in placement order.</summary>
        public IReadOnlyList<VgicVcpu> All => all;

        public int IndexOf(VgicVcpu vcpu) => all.IndexOf(vcpu);

        public int PhysicalCpus { get; }

        /// <summary>Whether idle CPUs steal waiting vCPUs from busy ones (on by default).</summary>
        public bool LoadBalancing { get; set; } = true;

        public static int HomeOf(int index, int physicalCpus) => index % physicalCpus;

        /// <summary>The next vCPU that waits for <paramref name="pcpu"/> (runnable, not loaded), after <paramref name="current"/> in placement order.</summary>
        public VgicVcpu? NextWaiting(int pcpu, VgicVcpu? current)
        {
            var vcpus = all;
            var start = current == null ? 0 : all.IndexOf(current) + 1;
            for(var k = 0; k < vcpus.Count; k++)
            {
                var vcpu = vcpus[(start + k) % vcpus.Count];
                if(vcpu != current && Waits(vcpu) && vcpu.PhysicalCpu == pcpu)
                {
                    return vcpu;
                }
            }
            return null;
        }

        /// <summary>How many runnable vCPUs are placed on <paramref name="pcpu"/> (loaded or waiting).</summary>
        public int RunnableOn(int pcpu)
        {
            var n = 0;
            foreach(var vcpu in all)
            {
                if(vcpu.PhysicalCpu == pcpu && vcpu.State == VcpuState.Running)
                {
                    n++;
                }
            }
            return n;
        }

        /// <summary>A vCPU waiting on another CPU that <paramref name="idlePcpu"/> may take over, or null.</summary>
        public VgicVcpu? FindStealable(int idlePcpu)
        {
            if(!LoadBalancing)
            {
                return null;
            }
            var waiting = new int[PhysicalCpus];
            foreach(var vcpu in all)
            {
                if(Waits(vcpu) && vcpu.MigrationTarget == null)
                {
                    waiting[vcpu.PhysicalCpu]++;
                }
            }
            var busiest = -1;
            for(var i = 0; i < PhysicalCpus; i++)
            {
                if(i != idlePcpu && waiting[i] > 0 && (busiest < 0 || waiting[i] > waiting[busiest]))
                {
                    busiest = i;
                }
            }
            if(busiest < 0)
            {
                return null;
            }
            foreach(var vcpu in all)
            {
                if(Waits(vcpu) && vcpu.PhysicalCpu == busiest && vcpu.MigrationTarget == null)
                {
                    return vcpu;
                }
            }
            return null;
        }

        /// <summary>The vCPUs placed on <paramref name="pcpu"/>.</summary>
        public IEnumerable<VgicVcpu> On(int pcpu)
        {
            foreach(var vcpu in all)
            {
                if(vcpu.PhysicalCpu == pcpu)
                {
                    yield return vcpu;
                }
            }
        }

        private static bool Waits(VgicVcpu vcpu) => vcpu.State == VcpuState.Running && !vcpu.Loaded;

        private readonly List<VgicVcpu> all = new List<VgicVcpu>();
    }
}
