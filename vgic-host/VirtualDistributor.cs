// The guest's distributor (GICD_*), emulated: a Renode-style peripheral registered at the guest's GICD address.
// Every access is a trap (IVgicHost.Trap: an exit charged to the accessing CPU, the vCPU's list registers folded
// before and flushed after, so what the guest reads includes the state its list registers held). Affinity routing
// is always on (ARE RAO), one security state (DS RAO), as the physical model with supportsTwoSecurityStates = false.
// SGIs and PPIs live in the redistributor frames (GICD registers for INTIDs 0-31 are RAZ/WI). No MBIS.
using System;
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.IRQControllers;

namespace RenodeGic.VgicHost
{
    public sealed class VirtualDistributor : IDoubleWordPeripheral, IQuadWordPeripheral, IBytePeripheral, IKnownSize
    {
        public VirtualDistributor(VgicDomain domain)
        {
            this.domain = domain;
            block = new GicMmioBlock(this, "vgicd");
            DefineRegisters();
        }

        public long Size => 0x10000;

        public void Reset()
        {
        }

        public uint ReadDoubleWord(long offset) => (uint)Access(offset, 4, null);

        public void WriteDoubleWord(long offset, uint value) => Access(offset, 4, value);

        public ulong ReadQuadWord(long offset) => Access(offset, 8, null);

        public void WriteQuadWord(long offset, ulong value) => Access(offset, 8, value);

        public byte ReadByte(long offset) => (byte)Access(offset, 1, null);

        public void WriteByte(long offset, byte value) => Access(offset, 1, value);

        /// <summary>GICD_TYPER as the guest sees it: ITLinesNumber from the SPI count, IDbits 16, LPIS with a vITS.</summary>
        public uint Typer => (uint)((domain.Spis.Length + 32) / 32 - 1) | (15u << 19) | (1u << 24) /* A3V */ | (domain.HasLpis ? 1u << 17 : 0);

        private ulong Access(long offset, int size, ulong? write)
        {
            var host = domain.Host;
            if(host == null)
            {
                return Emulate(offset, size, write);
            }
            return host.Trap(ExitCause.Mmio, _ => Emulate(offset, size, write));
        }

        private ulong Emulate(long offset, int size, ulong? write)
        {
            if(write.HasValue)
            {
                block.Write(offset, size, write.Value);
                return 0;
            }
            return block.Read(offset, size);
        }

        private VirtualIrq? Spi(int intid) => intid >= 32 && intid - 32 < domain.Spis.Length ? domain.Spis[intid - 32] : null;

        private void DefineRegisters()
        {
            var words = block.Words;
            words.DefineRegister(0x0000).WithValueField(0, 32, name: "GICD_CTLR",
                valueProviderCallback: _ => (domain.Group0Enabled ? 1UL : 0) | (domain.Group1Enabled ? 2UL : 0) | (1UL << 4) | (1UL << 6)
                    | (domain.HardwareSgis ? 1UL << 8 : 0),
                writeCallback: (_, v) =>
                {
                    var nassgi = (v & (1UL << 8)) != 0 && domain.VsgiHost != null;
                    if(nassgi != domain.HardwareSgis)
                    {
                        // IHI 0069: changing nASSGIreq while a group is enabled is UNPREDICTABLE; this model ignores it.
                        if(domain.Group0Enabled || domain.Group1Enabled)
                        {
                            this.GuestError("GICD_CTLR.nASSGIreq changed while EnableGrp0/EnableGrp1 is set; ignored (disable both groups first)");
                        }
                        else
                        {
                            HardwareSgis.Switch(domain, nassgi);
                        }
                    }
                    var g0 = (v & 1) != 0;
                    var g1 = (v & 2) != 0;
                    var newlyEnabled = (g0 && !domain.Group0Enabled) || (g1 && !domain.Group1Enabled);
                    domain.Group0Enabled = g0;
                    domain.Group1Enabled = g1;
                    if(newlyEnabled)
                    {
                        foreach(var vcpu in domain.Vcpus)
                        {
                            domain.Host?.Kick(vcpu);
                        }
                    }
                });
            words.DefineRegister(0x0004).WithValueField(0, 32, FieldMode.Read, name: "GICD_TYPER", valueProviderCallback: _ => Typer);
            words.DefineRegister(0x0008).WithValueField(0, 32, FieldMode.Read, name: "GICD_IIDR", valueProviderCallback: _ => 0x43B);
            // GICD_TYPER2.nASSGIcap (bit 8): SGIs can drop their active state when the hypervisor has GICv4.1 vSGIs.
            words.DefineRegister(0x000C).WithValueField(0, 32, FieldMode.Read, name: "GICD_TYPER2", valueProviderCallback: _ => domain.VsgiHost != null ? 1UL << 8 : 0);
            words.DefineRegister(0x0010).WithValueField(0, 32, name: "GICD_STATUSR", valueProviderCallback: _ => 0, writeCallback: (_, __) => { });
            words.DefineRegister(0xFFE8).WithValueField(0, 32, FieldMode.Read, name: "GICD_PIDR2", valueProviderCallback: _ => 0x3B);

            var count = (domain.Spis.Length + 32) / 32;
            block.DefinePerInterrupt(0x0080, count, 1, i => Spi(i)?.Group == 1 ? 1UL : 0,
                (i, v) => Update(Spi(i), irq => irq.Group = (int)v), "GICD_IGROUPR");
            block.DefinePerInterrupt(0x0100, count, 1, i => Spi(i)?.Enabled == true ? 1UL : 0,
                (i, v) => { if(v != 0) { Update(Spi(i), irq => irq.Enabled = true); } }, "GICD_ISENABLER");
            block.DefinePerInterrupt(0x0180, count, 1, i => Spi(i)?.Enabled == true ? 1UL : 0,
                (i, v) => { if(v != 0) { Update(Spi(i), irq => irq.Enabled = false); } }, "GICD_ICENABLER");
            block.DefinePerInterrupt(0x0200, count, 1, i => Spi(i)?.Pending == true ? 1UL : 0,
                (i, v) => { if(v != 0) { Update(Spi(i), irq => irq.PendingLatch = true); } }, "GICD_ISPENDR");
            block.DefinePerInterrupt(0x0280, count, 1, i => Spi(i)?.Pending == true ? 1UL : 0,
                (i, v) => { if(v != 0) { Update(Spi(i), irq => irq.PendingLatch = false); } }, "GICD_ICPENDR");
            block.DefinePerInterrupt(0x0300, count, 1, i => Spi(i)?.Active == true ? 1UL : 0,
                (i, v) => { if(v != 0) { Update(Spi(i), irq => irq.Active = true); } }, "GICD_ISACTIVER");
            block.DefinePerInterrupt(0x0380, count, 1, i => Spi(i)?.Active == true ? 1UL : 0,
                (i, v) => { if(v != 0) { Update(Spi(i), irq => irq.Active = false); } }, "GICD_ICACTIVER");
            block.DefinePerInterrupt(0x0400, count * 8, 8, i => (ulong)(Spi(i)?.Priority ?? 0),
                (i, v) => Update(Spi(i), irq => irq.Priority = (int)v), "GICD_IPRIORITYR");
            block.AllowByteAccess(0x0400, count * 32);
            block.DefinePerInterrupt(0x0C00, count * 2, 2, i => Spi(i)?.IsLevel == false ? 2UL : 0,
                (i, v) => Update(Spi(i), irq => irq.IsLevel = (v & 2) == 0), "GICD_ICFGR");
            block.DefinePerInterrupt(0x0D00, count, 1, _ => 0, null, "GICD_IGRPMODR");
            for(var n = 0; n < domain.Spis.Length; n++)
            {
                var irq = domain.Spis[n];
                block.Quads.DefineRegister(0x6000 + 8 * (32 + n)).WithValueField(0, 64, name: $"GICD_IROUTER{32 + n}",
                    valueProviderCallback: _ => irq.Route,
                    writeCallback: (_, v) => domain.RouteSpi(irq, v));
            }
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
        private readonly GicMmioBlock block;
    }
}
