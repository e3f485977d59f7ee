// The guest's redistributors (GICR_*), emulated: one region holding one RD_base + SGI_base frame pair per vCPU
// (stride 0x20000, GICv3 layout: the guest sees no VLPI frames even when the physical GIC is a GICv4). Every access
// is a trap like the distributor's. GICR_PROPBASER/PENDBASER/CTLR.EnableLPIs are kept for the virtual ITS (the
// guest's LPI configuration table is read from guest memory on MAPTI/INV/INVALL).
using System;
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.IRQControllers;

namespace RenodeGic.VgicHost
{
    public sealed class VirtualRedistributor : IDoubleWordPeripheral, IQuadWordPeripheral, IBytePeripheral, IKnownSize
    {
        public const long Stride = 0x20000;

        public VirtualRedistributor(VgicDomain domain)
        {
            this.domain = domain;
            blocks = new GicMmioBlock[domain.Vcpus.Count];
            for(var i = 0; i < blocks.Length; i++)
            {
                blocks[i] = new GicMmioBlock(this, $"vgicr{i}");
                DefineRegisters(blocks[i], domain.Vcpus[i]);
            }
        }

        public long Size => Stride * blocks.Length;

        /// <summary>Called when a vCPU enables LPIs (GICR_CTLR.EnableLPIs 0 -> 1): the GICv4 side maps its vPE then.</summary>
        public event Action<VgicVcpu>? LpisEnabled;

        public void Reset()
        {
        }

        public uint ReadDoubleWord(long offset) => (uint)Access(offset, 4, null);

        public void WriteDoubleWord(long offset, uint value) => Access(offset, 4, value);

        public ulong ReadQuadWord(long offset) => Access(offset, 8, null);

        public void WriteQuadWord(long offset, ulong value) => Access(offset, 8, value);

        public byte ReadByte(long offset) => (byte)Access(offset, 1, null);

        public void WriteByte(long offset, byte value) => Access(offset, 1, value);

        private ulong Access(long offset, int size, ulong? write)
        {
            var index = (int)(offset / Stride);
            if(offset < 0 || index >= blocks.Length)
            {
                return 0;
            }
            var frameOffset = offset % Stride;
            Func<VgicVcpu?, ulong> emulate = _ =>
            {
                if(write.HasValue)
                {
                    blocks[index].Write(frameOffset, size, write.Value);
                    return 0;
                }
                return blocks[index].Read(frameOffset, size);
            };
            var host = domain.Host;
            return host == null ? emulate(null) : host.Trap(ExitCause.Mmio, emulate);
        }

        private void DefineRegisters(GicMmioBlock block, VgicVcpu vcpu)
        {
            var words = block.Words;
            var last = vcpu.Id == domain.Vcpus.Count - 1;
            words.DefineRegister(0x0000).WithValueField(0, 32, name: "GICR_CTLR",
                valueProviderCallback: _ => vcpu.EnableLpis ? 1UL : 0,
                writeCallback: (_, v) =>
                {
                    var enable = (v & 1) != 0 && domain.HasLpis;
                    if(enable && !vcpu.EnableLpis)
                    {
                        vcpu.EnableLpis = true;
                        LpisEnabled?.Invoke(vcpu);
                    }
                });
            words.DefineRegister(0x0004).WithValueField(0, 32, FieldMode.Read, name: "GICR_IIDR", valueProviderCallback: _ => 0x43B);
            block.Quads.DefineRegister(0x0008).WithValueField(0, 64, FieldMode.Read, name: "GICR_TYPER",
                valueProviderCallback: _ => (((vcpu.Affinity >> 8) & 0xFF00_0000UL | (vcpu.Affinity & 0xFF_FFFF)) << 32)
                    | ((ulong)vcpu.Id << 8) | (last ? 1UL << 4 : 0) | (domain.HasLpis ? 1UL : 0));
            words.DefineRegister(0x0010).WithValueField(0, 32, name: "GICR_STATUSR", valueProviderCallback: _ => 0, writeCallback: (_, __) => { });
            words.DefineRegister(0x0014).WithValueField(0, 32, name: "GICR_WAKER",
                valueProviderCallback: _ => vcpu.ProcessorSleep ? 6UL : 0,
                writeCallback: (_, v) => vcpu.ProcessorSleep = (v & 2) != 0);
            block.Quads.DefineRegister(0x0070).WithValueField(0, 64, name: "GICR_PROPBASER",
                valueProviderCallback: _ => vcpu.PropBaser, writeCallback: (_, v) => { if(!vcpu.EnableLpis) { vcpu.PropBaser = v & 0x0FFF_FFFF_FFFF_FF9FUL; } });
            block.Quads.DefineRegister(0x0078).WithValueField(0, 64, name: "GICR_PENDBASER",
                valueProviderCallback: _ => vcpu.PendBaser & ~(1UL << 62), writeCallback: (_, v) => { if(!vcpu.EnableLpis) { vcpu.PendBaser = v; } });
            words.DefineRegister(0xFFE8).WithValueField(0, 32, FieldMode.Read, name: "GICR_PIDR2", valueProviderCallback: _ => 0x3B);

            const long sgi = 0x10000;
            VirtualIrq? P(int i) => i >= 0 && i < 32 ? vcpu.Private[i] : null;
            // With GICD_CTLR.nASSGIreq the SGIs (0-15) live in the GIC as vSGIs (HardwareSgis.cs): configuration changes
            // are forwarded, the pending state is the GIC's, and there is no active state.
            bool Hw(int i) => i < 16 && domain.HardwareSgis;
            void Configure(int i) => HardwareSgis.OnConfigurationChanged(domain, P(i)!);
            block.DefinePerInterrupt(sgi + 0x0080, 1, 1, i => P(i)!.Group == 1 ? 1UL : 0, (i, v) => { Update(P(i), irq => irq.Group = (int)v); Configure(i); }, "GICR_IGROUPR");
            block.DefinePerInterrupt(sgi + 0x0100, 1, 1, i => P(i)!.Enabled ? 1UL : 0,
                (i, v) => { if(v != 0) { Update(P(i), irq => irq.Enabled = true); Configure(i); } }, "GICR_ISENABLER");
            block.DefinePerInterrupt(sgi + 0x0180, 1, 1, i => P(i)!.Enabled ? 1UL : 0,
                (i, v) => { if(v != 0) { Update(P(i), irq => irq.Enabled = false); Configure(i); } }, "GICR_ICENABLER");
            block.DefinePerInterrupt(sgi + 0x0200, 1, 1, i => (Hw(i) ? domain.VsgiHost!.IsVsgiPending(P(i)!) : P(i)!.Pending) ? 1UL : 0,
                (i, v) =>
                {
                    if(v != 0 && Hw(i))
                    {
                        domain.VsgiHost!.SendVsgi(P(i)!);
                    }
                    else if(v != 0)
                    {
                        Update(P(i), irq => irq.PendingLatch = true);
                    }
                }, "GICR_ISPENDR");
            block.DefinePerInterrupt(sgi + 0x0280, 1, 1, i => (Hw(i) ? domain.VsgiHost!.IsVsgiPending(P(i)!) : P(i)!.Pending) ? 1UL : 0,
                (i, v) =>
                {
                    if(v != 0 && Hw(i))
                    {
                        domain.VsgiHost!.ConfigureVsgi(P(i)!, clear: true);
                    }
                    else if(v != 0)
                    {
                        Update(P(i), irq => irq.PendingLatch = false);
                    }
                }, "GICR_ICPENDR");
            block.DefinePerInterrupt(sgi + 0x0300, 1, 1, i => P(i)!.Active && !Hw(i) ? 1UL : 0,
                (i, v) => { if(v != 0 && !Hw(i)) { Update(P(i), irq => irq.Active = true); } }, "GICR_ISACTIVER");
            block.DefinePerInterrupt(sgi + 0x0380, 1, 1, i => P(i)!.Active ? 1UL : 0,
                (i, v) => { if(v != 0) { Update(P(i), irq => irq.Active = false); } }, "GICR_ICACTIVER");
            block.DefinePerInterrupt(sgi + 0x0400, 8, 8, i => (ulong)P(i)!.Priority, (i, v) => { Update(P(i), irq => irq.Priority = (int)v); Configure(i); }, "GICR_IPRIORITYR");
            block.AllowByteAccess(sgi + 0x0400, 32);
            block.DefinePerInterrupt(sgi + 0x0C00, 2, 2, i => P(i)!.IsLevel ? 0UL : 2UL,
                (i, v) => { if(i >= 16) { Update(P(i), irq => irq.IsLevel = (v & 2) == 0); } }, "GICR_ICFGR");
            block.DefinePerInterrupt(sgi + 0x0D00, 1, 1, _ => 0, null, "GICR_IGRPMODR");
        }

        private void Update(VirtualIrq? irq, Action<VirtualIrq> change)
        {
            if(irq == null)
            {
                return;
            }
            lock(irq.Lock)
            {
                change(irq);
            }
            domain.QueueAndKick(irq);
        }

        private readonly VgicDomain domain;
        private readonly GicMmioBlock[] blocks;
    }
}
