// A machine with a hypervisor-owned physical GIC and a guest that sees a virtual one, built in C#:
//   RAM 1 GiB at 0x40000000 (the hypervisor keeps 16 MiB at 0x70000000), PL011 at 0x09000000 (passed through, its
//   interrupt too: physical SPI 33 injected HW-mapped as the guest's SPI 33),
//   physical GICD 0x2F000000, ITS 0x2F020000, GICR 0x2F100000 (GICv3, or GICv4.0/GICv4.1 with 0x40000 frames),
//   the guest's virtual GICD 0x08000000, ITS 0x08080000, GICR 0x080A0000 (QEMU virt's map: the firmware samples
//   run unchanged), N cores entered at EL1 with the hypervisor on their EL2 seam, each core's EL1 virtual and
//   physical timers on PPIs 27 and 30 and its EL2 physical timer on PPI 26 of the physical GIC. The guest has as many vCPUs as there are cores
//   unless `vcpus` says otherwise (more vCPUs than cores share them through the hypervisor's scheduler).
using System;
using System.Collections.Generic;
using Antmicro.Renode.Peripherals.CPU;
using Antmicro.Renode.Peripherals.IRQControllers;
using Antmicro.Renode.Peripherals.Memory;
using Antmicro.Renode.Peripherals.UART;
using RenodeGic.Host.Emulation;

namespace RenodeGic.VgicHost
{
    public sealed class VgicPlatform : IDisposable
    {
        public const ulong RamBase = 0x4000_0000;
        public const ulong GuestGicd = 0x0800_0000;
        public const ulong GuestIts = 0x0808_0000;
        public const ulong GuestGicr = 0x080A_0000;
        public const int UartIntid = 33;

        public VgicPlatform(int cpus = 4, InjectionMode mode = InjectionMode.V3, WfiPolicy wfi = WfiPolicy.Trap, CostModel? costs = null,
            bool withIts = true, bool singleVmovp = true, int physicalItsCount = 1, int? vcpus = null)
        {
            Costs = costs ?? CostModel.Default;
            Machine = new Machine();
            var memory = new MappedMemory(Machine, 0x4000_0000);
            Machine.Register("memory", memory);
            Machine.SystemBus.RegisterMemory(memory, RamBase);
            Uart = new PL011(Machine);
            Machine.Register("uart0", Uart);
            Machine.SystemBus.Register(Uart, 0x0900_0000, "uart0");
            Uart.CharReceived += b => output.Append((char)b);

            var layout = new PhysicalGicLayout();
            var ids = new List<ulong>();
            for(var i = 0; i < physicalItsCount; i++)
            {
                ids.Add(0x2F02_0000UL + (ulong)i * (mode == InjectionMode.V41 ? 0x3_0000UL : 0x2_0000UL)); // a GICv4.1 ITS has a vSGI frame
            }
            layout = layout with { ItsBases = ids.ToArray() };
            var revision = mode == InjectionMode.V3 ? 3 : 4;
            Gic = new ArmGicV3(Machine, 224, 0x40000, false, revision, 5, Math.Max(cpus, 1), 16, gicv41: mode == InjectionMode.V41);
            Machine.Register("gic", Gic);
            Machine.SystemBus.RegisterRegion(Gic, "distributor", layout.DistributorBase, 0x10000, "gic");
            Machine.SystemBus.RegisterRegion(Gic, "redistributor", layout.RedistributorBase, 0x40000UL * (ulong)cpus, "gic");
            for(var i = 0; i < physicalItsCount; i++)
            {
                var its = new ArmGicV3Its(Machine, Gic, virtualLpis: revision == 4, itsNumber: i, singleVmovp: singleVmovp);
                Machine.Register("its" + i, its);
                Machine.SystemBus.Register(its, layout.ItsBases[i], "its" + i);
                PhysicalItses.Add(its);
            }
            for(var i = 0; i < cpus; i++)
            {
                var cpu = new ARMv8A(Machine, "cortex-a57", (uint)i, Gic, 1);
                Machine.Register("cpu" + i, cpu);
                for(var line = 0; line < 4; line++)
                {
                    Gic.Connections[i * 4 + line].Connect(cpu, line);
                }
                cpu.Timer.EL1VirtualTimerIRQ.Connect(Gic.GetLocalReceiver(i), 11);
                cpu.Timer.EL1PhysicalTimerIRQ.Connect(Gic.GetLocalReceiver(i), 14);
                cpu.Timer.NonSecureEL2PhysicalTimerIRQ.Connect(Gic.GetLocalReceiver(i), 10);
            }

            Domain = new VgicDomain("guest", vcpus ?? cpus, 224, mode, wfi);
            Distributor = new VirtualDistributor(Domain);
            Redistributor = new VirtualRedistributor(Domain);
            Machine.Register("vgicd", Distributor);
            Machine.SystemBus.Register(Distributor, GuestGicd, "vgicd");
            Machine.Register("vgicr", Redistributor);
            Machine.SystemBus.Register(Redistributor, GuestGicr, "vgicr");
            PhysicalGic = new PhysicalGic(Machine.SystemBus, layout, Costs, Domain.Stats);
            Hypervisor = new VgicHypervisor(Machine, Domain, PhysicalGic, Costs);
            if(withIts)
            {
                Its = new VirtualIts(Domain, Hypervisor, PhysicalGic, Machine.SystemBus, Costs);
                Machine.Register("vits", Its);
                Machine.SystemBus.Register(Its, GuestIts, "vits");
                Redistributor.LpisEnabled += Its.OnLpisEnabled;
            }
            Redistributor.LpisEnabled += vcpu => Hypervisor.OnLpisEnabled(vcpu);
            // The UART is the guest's device: its interrupt (SPI 1, INTID 33, as on QEMU virt) is passed through.
            Uart.IRQ.Connect(Gic, 1);
            Hypervisor.PassThroughSpi(UartIntid, Domain.Spis[UartIntid - 32]);
        }

        public Machine Machine { get; }

        public CostModel Costs { get; }

        public PL011 Uart { get; }

        public ArmGicV3 Gic { get; }

        public List<ArmGicV3Its> PhysicalItses { get; } = new List<ArmGicV3Its>();

        public VgicDomain Domain { get; }

        public VirtualDistributor Distributor { get; }

        public VirtualRedistributor Redistributor { get; }

        public VirtualIts? Its { get; }

        public PhysicalGic PhysicalGic { get; }

        public VgicHypervisor Hypervisor { get; }

        public string Output => output.ToString();

        public ARMv8A Cpu(int i) => (ARMv8A)Machine.Cpus[i];

        /// <summary>Loads a flat image at <paramref name="address"/>, finishes the platform, starts the hypervisor and vCPU 0 there.</summary>
        public void Boot(byte[] image, ulong address = 0x4008_0000)
        {
            Machine.SystemBus.WriteBytes(image, address);
            Cpu(0).PC = address;
            Machine.FinishLoad();
            Hypervisor.Start(address);
        }

        public RunOutcome Run(double seconds) => Machine.Runner!.RunFor(Antmicro.Renode.Time.TimeInterval.FromSeconds(seconds));

        public void Dispose() => Machine.Dispose();

        private readonly System.Text.StringBuilder output = new System.Text.StringBuilder();
    }
}
