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
using System.Globalization;
using Antmicro.Renode.Peripherals;
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

        /// <summary>The hypervisor's own memory (PhysicalGicLayout.HypervisorMemory): guest images end below it.</summary>
        public const ulong HypervisorMemory = 0x7000_0000;

        public VgicPlatform(int cpus = 4, InjectionMode mode = InjectionMode.V3, WfiPolicy wfi = WfiPolicy.Trap, CostModel? costs = null,
            bool withIts = true, bool singleVmovp = true, int physicalItsCount = 1, int? vcpus = null, int domains = 1)
        {
            if(domains < 1 || domains > 4)
            {
                throw new ArgumentOutOfRangeException(nameof(domains), "1 to 4 domains");
            }
            Costs = costs ?? CostModel.Default;
            Machine = new Machine();
            var memory = new MappedMemory(Machine, 0x4000_0000);
            Machine.Register("memory", memory);
            Machine.SystemBus.RegisterMemory(memory, RamBase);

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

            // Each domain has its own virtual GIC, virtual ITS and UART at the same guest-physical addresses; an access
            // reaches the one of the domain whose vCPU runs on the accessing core (the host has no stage 2).
            var domainList = new List<VgicDomain>();
            for(var k = 0; k < domains; k++)
            {
                var suffix = k == 0 ? "" : k.ToString(CultureInfo.InvariantCulture);
                var domain = new VgicDomain(k == 0 ? "guest" : "guest" + suffix, vcpus ?? cpus, 224, mode, wfi) { DeviceIdBase = (uint)k * DeviceIdsPerDomain };
                domainList.Add(domain);
                var uart = new PL011(Machine);
                Machine.Register("uart" + k, uart);
                var text = new System.Text.StringBuilder();
                uart.CharReceived += b => text.Append((char)b);
                outputs.Add(text);
                uarts.Add(uart);
                var distributor = new VirtualDistributor(domain);
                var redistributor = new VirtualRedistributor(domain);
                Machine.Register("vgicd" + suffix, distributor);
                Machine.Register("vgicr" + suffix, redistributor);
                distributors.Add(distributor);
                redistributors.Add(redistributor);
            }
            Domains = domainList;
            Domain = domainList[0];
            Uart = uarts[0];
            Distributor = distributors[0];
            Redistributor = redistributors[0];
            PhysicalGic = new PhysicalGic(Machine.SystemBus, layout, Costs, Domain.Stats);
            Hypervisor = new VgicHypervisor(Machine, domainList, PhysicalGic, Costs);
            var itses = new List<VirtualIts>();
            for(var k = 0; k < domains; k++)
            {
                var domain = domainList[k];
                if(withIts)
                {
                    var its = new VirtualIts(domain, Hypervisor, PhysicalGic, Machine.SystemBus, Costs);
                    Machine.Register(k == 0 ? "vits" : "vits" + k.ToString(CultureInfo.InvariantCulture), its);
                    redistributors[k].LpisEnabled += its.OnLpisEnabled;
                    itses.Add(its);
                }
                redistributors[k].LpisEnabled += vcpu => Hypervisor.OnLpisEnabled(vcpu);
                // The UART is the guest's device: its interrupt (SPI 1, INTID 33, as on QEMU virt) is passed through; the
                // k-th domain's UART raises physical SPI 1 + k.
                uarts[k].IRQ.Connect(Gic, 1 + k);
                Hypervisor.PassThroughSpi(UartIntid + k, domain.Spis[UartIntid - 32]);
            }
            Its = itses.Count > 0 ? itses[0] : null;
            RegisterPerDomain(uarts.ConvertAll(u => (IPeripheral)u), 0x0900_0000, "uart0");
            RegisterPerDomain(distributors.ConvertAll(d => (IPeripheral)d), GuestGicd, "vgicd");
            RegisterPerDomain(redistributors.ConvertAll(r => (IPeripheral)r), GuestGicr, "vgicr");
            if(itses.Count > 0)
            {
                RegisterPerDomain(itses.ConvertAll(i => (IPeripheral)i), GuestIts, "vits");
            }
        }

        /// <summary>One device per domain at <paramref name="address"/>: with one domain a plain registration (no choice per access).</summary>
        private void RegisterPerDomain(List<IPeripheral> devices, ulong address, string name)
        {
            if(devices.Count == 1)
            {
                Machine.SystemBus.Register(devices[0], address, name);
            }
            else
            {
                Machine.SystemBus.RegisterSelected(devices, Hypervisor.CurrentDomainIndex, address, name);
            }
        }

        /// <summary>Physical DeviceIDs of the k-th domain start at k times this.</summary>
        public const uint DeviceIdsPerDomain = 0x100;

        public IReadOnlyList<VgicDomain> Domains { get; }

        /// <summary>What the k-th domain printed on its UART.</summary>
        public string OutputOf(int domain) => outputs[domain].ToString();

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

        /// <summary>What the first domain printed on its UART.</summary>
        public string Output => outputs[0].ToString();

        public ARMv8A Cpu(int i) => (ARMv8A)Machine.Cpus[i];

        /// <summary>Loads a flat image at <paramref name="address"/>, finishes the platform, starts the hypervisor and vCPU 0 there.</summary>
        public void Boot(byte[] image, ulong address = 0x4008_0000)
        {
            Machine.SystemBus.WriteBytes(image, address);
            Cpu(0).PC = address;
            Machine.FinishLoad();
            Hypervisor.Start(address);
        }

        /// <summary>
        /// Loads one image per domain (each linked at its own address: domains share the physical address map), finishes
        /// the platform and starts the hypervisor: the first domain's vCPU 0 on CPU 0, the others' on their cores.
        /// </summary>
        public void Boot(IReadOnlyList<(byte[] Image, ulong Address)> images)
        {
            if(images.Count != Domains.Count)
            {
                throw new ArgumentException($"{Domains.Count} domain(s) need as many images (got {images.Count})");
            }
            for(var k = 0; k < images.Count; k++)
            {
                var (image, address) = images[k];
                if(address < RamBase || address + (ulong)image.Length > HypervisorMemory || address + (ulong)image.Length < address)
                {
                    throw new ArgumentException($"the image of domain {k} at 0x{address:X} ({image.Length} bytes) must lie in guest RAM 0x{RamBase:X}-0x{HypervisorMemory - 1:X}");
                }
                for(var other = 0; other < k; other++)
                {
                    var (otherImage, otherAddress) = images[other];
                    if(address < otherAddress + (ulong)otherImage.Length && otherAddress < address + (ulong)image.Length)
                    {
                        throw new ArgumentException($"the images of domains {other} (0x{otherAddress:X}) and {k} (0x{address:X}) overlap: link the second elsewhere (firmware-samples/build/*-d2.bin is at 0x48080000)");
                    }
                }
            }
            for(var k = 1; k < images.Count; k++)
            {
                Machine.SystemBus.WriteBytes(images[k].Image, images[k].Address);
                Domains[k].EntryPoint = images[k].Address;
            }
            Boot(images[0].Image, images[0].Address);
        }

        public RunOutcome Run(double seconds) => Machine.Runner!.RunFor(Antmicro.Renode.Time.TimeInterval.FromSeconds(seconds));

        public void Dispose() => Machine.Dispose();

        private readonly List<System.Text.StringBuilder> outputs = new List<System.Text.StringBuilder>();
        private readonly List<PL011> uarts = new List<PL011>();
        private readonly List<VirtualDistributor> distributors = new List<VirtualDistributor>();
        private readonly List<VirtualRedistributor> redistributors = new List<VirtualRedistributor>();
    }
}
