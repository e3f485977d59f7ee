// ArmGicV3: an Arm GICv3 (GICv4-ready) interrupt controller as a Renode peripheral.
//
// It owns the Distributor, one Redistributor and one CPU interface per possible processor, the per-CPU
// priority arbiter, and the output lines. Every entry point (MMIO, GPIO input, system register) runs under one
// lock and ends with the "recompute outputs" step: each CPU whose candidate set or CPU-interface state changed
// recomputes its IRQ/FIQ levels (Renode's LockExecuteAndUpdate pattern).
//
// .repl wiring (Renode conventions):
//   gic: IRQControllers.ArmGicV3 @ {
//           sysbus new Bus.BusMultiRegistration { address: 0x08000000; size: 0x10000; region: "distributor" };
//           sysbus new Bus.BusMultiRegistration { address: 0x080A0000; size: 0x100000; region: "redistributor" }
//       }
//       numberOfSPIs: 224
//   uart0 -> gic@1             SPI 1 = INTID 33
//   timer -> gic#0@14          PPI 14 of CPU 0 = INTID 30
//   gic outputs: Connections[cpu * 4 + (0 IRQ, 1 FIQ, 2 vIRQ, 3 vFIQ)]
// The redistributor region covers every processor: processor n's RD_base is at n * redistributorStride and its
// SGI_base 0x10000 above; frames of processors that are not attached read as zero and ignore writes.
//
// LPIs: Lpi/ArmGicV3.Lpi.cs (options lpiIdBits, directLpi); the ITS is a separate peripheral, Its/ArmGicV3Its.cs.
// Virtualization: ArmGicV3.Virtualization.cs and VirtualCpuInterface.cs (ICH_*/ICV_*, vIRQ/vFIQ, maintenance
// interrupt on PPI 25; option numberOfListRegisters). GICv4.0 (architectureRevision = 4): VLPI_base frames and
// residency in RedistributorVlpi.cs, shared state in Lpi/ArmGicV3.Vlpi.cs, V-commands in Its/ItsVirtualCommands.cs.
using System;
using System.Collections.Generic;
using System.Threading;
using Antmicro.Renode.Core;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    public sealed partial class ArmGicV3 : IBusPeripheral, IIRQController, INumberedGPIOOutput, ILocalGPIOReceiver, IGicSystemRegisterTarget
    {
        public ArmGicV3(IMachine machine, int numberOfSPIs = 224, long redistributorStride = 0x20000, bool supportsTwoSecurityStates = false,
            int architectureRevision = 3, int priorityBits = 5, int maximumCPUs = 8, int lpiIdBits = 16, bool directLpi = false,
            int numberOfListRegisters = 4, bool gicv41 = false)
        {
            if(numberOfSPIs < 0 || numberOfSPIs > 988)
            {
                throw new ArgumentException($"numberOfSPIs must be between 0 and 988, got {numberOfSPIs}.", nameof(numberOfSPIs));
            }
            if(redistributorStride < 0x20000 || redistributorStride % 0x10000 != 0)
            {
                throw new ArgumentException($"redistributorStride must be a multiple of 0x10000 of at least 0x20000, got 0x{redistributorStride:X}.", nameof(redistributorStride));
            }
            if(architectureRevision != 3 && architectureRevision != 4)
            {
                throw new ArgumentException($"architectureRevision must be 3 or 4, got {architectureRevision}.", nameof(architectureRevision));
            }
            if(priorityBits < 4 || priorityBits > 8)
            {
                throw new ArgumentException($"priorityBits must be between 4 and 8, got {priorityBits}.", nameof(priorityBits));
            }
            if(maximumCPUs < 1 || maximumCPUs > 512)
            {
                throw new ArgumentException($"maximumCPUs must be between 1 and 512, got {maximumCPUs}.", nameof(maximumCPUs));
            }
            if(gicv41 && architectureRevision != 4)
            {
                throw new ArgumentException($"gicv41 needs architectureRevision = 4, got {architectureRevision}.", nameof(gicv41));
            }
            Gicv41 = gicv41; // GICv4.1 (Lpi/ArmGicV3.Gicv41.cs); set before the Redistributors define their registers
            ConfigureLpis(lpiIdBits, directLpi);
            this.machine = machine;
            // GICv4: RD_base, SGI_base, VLPI_base and a reserved frame (Lpi/ArmGicV3.Vlpi.cs).
            ArchitectureRevision = architectureRevision;
            RedistributorStride = architectureRevision >= 4 ? Math.Max(redistributorStride, 0x40000) : redistributorStride;
            MaximumCpus = maximumCPUs;

            Arbiter = new PriorityArbiter(maximumCPUs);
            cpus = new IGicCpu?[maximumCPUs];
            affinities = new ulong[maximumCPUs];
            redistributors = new Redistributor[maximumCPUs];
            cpuInterfaces = new CpuInterface[maximumCPUs];
            localReceivers = new PpiReceiver[maximumCPUs];
            for(var n = 0; n < maximumCPUs; n++)
            {
                redistributors[n] = new Redistributor(this, n, supportsTwoSecurityStates, architectureRevision);
                cpuInterfaces[n] = new CpuInterface(this, n, priorityBits);
                localReceivers[n] = new PpiReceiver(this, n);
            }
            distributor = new Distributor(this, numberOfSPIs, supportsTwoSecurityStates, architectureRevision);
            virtualCpuInterfaces = CreateVirtualCpuInterfaces(maximumCPUs, numberOfListRegisters, architectureRevision);

            var connections = new Dictionary<int, IGPIO>();
            outputs = new GPIO[maximumCPUs * 4];
            for(var i = 0; i < outputs.Length; i++)
            {
                outputs[i] = new GPIO();
                connections[i] = outputs[i];
            }
            Connections = connections;
            Reset();
        }

        public void Reset()
        {
            lock(sync)
            {
                distributor.Reset();
                foreach(var redistributor in redistributors)
                {
                    redistributor.Reset();
                }
                foreach(var cpuInterface in cpuInterfaces)
                {
                    cpuInterface.Reset();
                }
                ResetVirtualCpuInterfaces();
                vmovpInProgress.Clear();
                residentVpes.Clear();
                RequeueEverything();
                UpdateOutputs();
            }
        }

        public IReadOnlyDictionary<int, IGPIO> Connections { get; }

        public long RedistributorStride { get; }

        // ---- Inputs -------------------------------------------------------------------------------------------

        /// <summary>SPI input <paramref name="number"/> drives INTID 32 + number (Renode: <c>-> gic@1</c> is INTID 33).</summary>
        public void OnGPIO(int number, bool value)
        {
            lock(sync)
            {
                var intid = 32 + number;
                if(number < 0 || !distributor.IsSpi(intid))
                {
                    this.Log(LogLevel.Warning, "SPI input {0} (INTID {1}) does not exist (numberOfSPIs = {2}); ignored", number, intid, distributor.InterruptCount - 32);
                    return;
                }
                distributor.SetLine(intid, value);
                UpdateOutputs();
            }
        }

        /// <summary>The PPI inputs of processor <paramref name="index"/>: input n drives INTID 16 + n.</summary>
        public IGPIOReceiver GetLocalReceiver(int index)
        {
            if(index < 0 || index >= MaximumCpus)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"Processor {index} does not exist (maximumCPUs = {MaximumCpus}).");
            }
            return localReceivers[index];
        }

        // ---- CPU seam ------------------------------------------------------------------------------------------

        public void AttachCpu(int processorNumber, IGicCpu cpu)
        {
            if(processorNumber < 0 || processorNumber >= MaximumCpus)
            {
                throw new ArgumentOutOfRangeException(nameof(processorNumber), $"Processor {processorNumber} does not fit maximumCPUs = {MaximumCpus}.");
            }
            lock(sync)
            {
                cpus[processorNumber] = cpu;
                affinities[processorNumber] = cpu.Affinity & Distributor.AffinityMask;
                lastAttached = Math.Max(lastAttached, processorNumber);
                RequeueBank(redistributors[processorNumber].Private);
                distributor.RetargetAll();
                Arbiter.MarkAllDirty();
                UpdateOutputs();
            }
        }

        public bool TryReadSystemRegister(int processorNumber, uint encoding, out ulong value)
        {
            return ReadSystemRegister(processorNumber, encoding, out value) == GicSystemRegisterAccessResult.Done;
        }

        public bool TryWriteSystemRegister(int processorNumber, uint encoding, ulong value)
        {
            return WriteSystemRegister(processorNumber, encoding, value) == GicSystemRegisterAccessResult.Done;
        }

        // ---- Bus regions ---------------------------------------------------------------------------------------

        [ConnectionRegion("distributor")]
        public byte ReadByteFromDistributor(long offset) => (byte)DistributorRead(offset, 1);

        [ConnectionRegion("distributor")]
        public void WriteByteToDistributor(long offset, byte value) => DistributorWrite(offset, 1, value);

        [ConnectionRegion("distributor")]
        public ushort ReadWordFromDistributor(long offset) => (ushort)DistributorRead(offset, 2);

        [ConnectionRegion("distributor")]
        public void WriteWordToDistributor(long offset, ushort value) => DistributorWrite(offset, 2, value);

        [ConnectionRegion("distributor")]
        public uint ReadDoubleWordFromDistributor(long offset) => (uint)DistributorRead(offset, 4);

        [ConnectionRegion("distributor")]
        public void WriteDoubleWordToDistributor(long offset, uint value) => DistributorWrite(offset, 4, value);

        [ConnectionRegion("distributor")]
        public ulong ReadQuadWordFromDistributor(long offset) => DistributorRead(offset, 8);

        [ConnectionRegion("distributor")]
        public void WriteQuadWordToDistributor(long offset, ulong value) => DistributorWrite(offset, 8, value);

        [ConnectionRegion("redistributor")]
        public byte ReadByteFromRedistributor(long offset) => (byte)RedistributorRead(offset, 1);

        [ConnectionRegion("redistributor")]
        public void WriteByteToRedistributor(long offset, byte value) => RedistributorWrite(offset, 1, value);

        [ConnectionRegion("redistributor")]
        public ushort ReadWordFromRedistributor(long offset) => (ushort)RedistributorRead(offset, 2);

        [ConnectionRegion("redistributor")]
        public void WriteWordToRedistributor(long offset, ushort value) => RedistributorWrite(offset, 2, value);

        [ConnectionRegion("redistributor")]
        public uint ReadDoubleWordFromRedistributor(long offset) => (uint)RedistributorRead(offset, 4);

        [ConnectionRegion("redistributor")]
        public void WriteDoubleWordToRedistributor(long offset, uint value) => RedistributorWrite(offset, 4, value);

        [ConnectionRegion("redistributor")]
        public ulong ReadQuadWordFromRedistributor(long offset) => RedistributorRead(offset, 8);

        [ConnectionRegion("redistributor")]
        public void WriteQuadWordToRedistributor(long offset, ulong value) => RedistributorWrite(offset, 8, value);

        // ---- Internal API for the components -----------------------------------------------------------------

        internal const uint ImplementerIidr = 0x43B; // JEP106 Arm, ProductID 0, r0p0 (as QEMU)
        internal const uint DistributorPidr0 = 0x92;
        internal const uint RedistributorPidr0 = 0x93;

        internal int MaximumCpus { get; }

        internal PriorityArbiter Arbiter { get; }

        internal bool DisableSecurity => distributor.DisableSecurity;

        internal int DistributorGroupMask => distributor.EnabledGroupMask;

        internal bool IsAttached(int processor) => processor >= 0 && processor < MaximumCpus && cpus[processor] != null;

        internal ulong AffinityOf(int processor) => affinities[processor];

        /// <summary>GICR_TYPER.Affinity_Value: Aff3.Aff2.Aff1.Aff0.</summary>
        internal ulong AffinityValueOf(int processor)
        {
            var affinity = affinities[processor];
            return ((affinity >> 8) & 0xFF00_0000) | (affinity & 0xFF_FFFF);
        }

        internal bool IsLastAttached(int processor) => processor == lastAttached;

        internal Redistributor RedistributorOf(int processor) => redistributors[processor];

        /// <summary>The bank holding <paramref name="intid"/> as seen from <paramref name="processor"/>, or null if not implemented.</summary>
        internal InterruptState? BankFor(int processor, int intid)
        {
            if(intid >= 0 && intid < 32)
            {
                return redistributors[processor].Private;
            }
            return distributor.IsSpi(intid) ? distributor.Spis : null;
        }

        /// <summary>Re-files an interrupt in the candidate set it now belongs to (call after every state change).</summary>
        internal void Requeue(InterruptState bank, int intid)
        {
            int target;
            if(bank.OwnerCpu >= 0)
            {
                target = IsAttached(bank.OwnerCpu) ? bank.OwnerCpu : -1;
            }
            else
            {
                target = distributor.TargetOf(intid);
            }
            Arbiter.Requeue(bank, intid, target, bank.GroupOf(intid, DisableSecurity));
            TracePendingChange(bank, intid);
        }

        internal void MarkAllCpusDirty()
        {
            Arbiter.MarkAllDirty();
        }

        /// <summary>GICD_CTLR.DS changed: groups map differently, so every interrupt is re-filed.</summary>
        internal void OnSecurityModelChanged()
        {
            RequeueEverything();
        }

        /// <summary>ICC_IGRPEN*, GICR_WAKER.ProcessorSleep or GICR_CTLR.DPG* changed: 1-of-N targets may move.</summary>
        internal void OnOneOfNParticipationChanged()
        {
            distributor.RetargetOneOfN();
            Arbiter.MarkAllDirty();
        }

        /// <summary>The processor an IRM = 1 SPI of <paramref name="group"/> goes to: the lowest-numbered participant, or -1.</summary>
        internal int ChooseOneOfN(GicGroup group)
        {
            for(var processor = 0; processor < MaximumCpus; processor++)
            {
                if(cpus[processor] == null)
                {
                    continue;
                }
                var redistributor = redistributors[processor];
                if(!redistributor.ProcessorSleep && !redistributor.IsGroupSelectionDisabled(group) && cpuInterfaces[processor].IsGroupEnabled(group))
                {
                    return processor;
                }
            }
            return -1;
        }

        /// <summary>The attached processor whose MPIDR affinity is <paramref name="affinity"/> (GICD_IROUTER layout), or -1.</summary>
        internal int FindProcessorByAffinity(ulong affinity)
        {
            for(var processor = 0; processor < MaximumCpus; processor++)
            {
                if(cpus[processor] != null && affinities[processor] == affinity)
                {
                    return processor;
                }
            }
            return -1;
        }

        // ---- Private --------------------------------------------------------------------------------------

        private ulong DistributorRead(long offset, int size)
        {
            lock(sync)
            {
                var value = distributor.Read(offset, size);
                UpdateOutputs();
                return value;
            }
        }

        private void DistributorWrite(long offset, int size, ulong value)
        {
            lock(sync)
            {
                distributor.Write(offset, size, value);
                UpdateOutputs();
            }
        }

        private ulong RedistributorRead(long offset, int size)
        {
            lock(sync)
            {
                if(!TryLocateRedistributor(offset, size, out var redistributor, out var frameOffset))
                {
                    this.GuestError("gicr: {0}-bit read at offset 0x{1:X} is outside the frames of attached processors; reads as zero", size * 8, offset);
                    return 0;
                }
                var value = redistributor.Read(frameOffset, size);
                UpdateOutputs();
                return value;
            }
        }

        private void RedistributorWrite(long offset, int size, ulong value)
        {
            lock(sync)
            {
                if(!TryLocateRedistributor(offset, size, out var redistributor, out var frameOffset))
                {
                    this.GuestError("gicr: {0}-bit write of 0x{1:X} at offset 0x{2:X} is outside the frames of attached processors; ignored", size * 8, value, offset);
                    return;
                }
                redistributor.Write(frameOffset, size, value);
                UpdateOutputs();
            }
        }

        private bool TryLocateRedistributor(long offset, int size, out Redistributor redistributor, out long frameOffset)
        {
            redistributor = null!;
            frameOffset = 0;
            if(offset < 0)
            {
                return false;
            }
            var processor = offset / RedistributorStride;
            frameOffset = offset % RedistributorStride;
            var framesSize = VlpisSupported ? RedistributorFramesSize + VlpiFrameSize : RedistributorFramesSize;
            if(processor >= MaximumCpus || !IsAttached((int)processor) || frameOffset + size > framesSize)
            {
                return false;
            }
            redistributor = redistributors[processor];
            return true;
        }

        private void RequeueEverything()
        {
            foreach(var redistributor in redistributors)
            {
                RequeueBank(redistributor.Private);
            }
            distributor.RetargetAll();
            Arbiter.MarkAllDirty();
        }

        private void RequeueBank(InterruptState bank)
        {
            for(var intid = 0; intid < bank.Count; intid++)
            {
                Requeue(bank, intid);
            }
        }

        /// <summary>Recomputes the IRQ/FIQ lines of every CPU whose state changed since the last update.</summary>
        private void UpdateOutputs()
        {
            UpdateVirtualOutputs();
            for(var processor = Arbiter.TakeNextDirty(0); processor >= 0; processor = Arbiter.TakeNextDirty(processor + 1))
            {
                var irq = false;
                var fiq = false;
                if(cpus[processor] != null)
                {
                    cpuInterfaces[processor].ComputeSignals(out irq, out fiq);
                }
                TraceOutput(processor, IrqLine, irq);
                TraceOutput(processor, FiqLine, fiq);
                outputs[processor * 4 + IrqLine].Set(irq);
                outputs[processor * 4 + FiqLine].Set(fiq);
            }
            CheckDirtyTracking();
        }

        private const int IrqLine = 0;
        private const int FiqLine = 1;
        private const long RedistributorFramesSize = 0x20000; // RD_base + SGI_base
        private const long VlpiFrameSize = 0x10000; // GICv4: VLPI_base (the fourth, reserved frame stays RAZ/WI)

        private readonly Lock sync = new Lock();
        private readonly IMachine machine;
        private readonly Distributor distributor;
        private readonly Redistributor[] redistributors;
        private readonly CpuInterface[] cpuInterfaces;
        private readonly IGicCpu?[] cpus;
        private readonly ulong[] affinities;
        private readonly PpiReceiver[] localReceivers;
        private readonly GPIO[] outputs;
        private int lastAttached = -1;

        /// <summary>The PPI inputs of one processor (Renode: <c>-> gic#cpu@ppi</c>).</summary>
        private sealed class PpiReceiver : IGPIOReceiver
        {
            public PpiReceiver(ArmGicV3 gic, int processor)
            {
                this.gic = gic;
                this.processor = processor;
            }

            public void OnGPIO(int number, bool value)
            {
                lock(gic.sync)
                {
                    if(number < 0 || number >= 16)
                    {
                        gic.Log(LogLevel.Warning, "PPI input {0} of processor {1} does not exist (0-15 drive INTIDs 16-31); ignored", number, processor);
                        return;
                    }
                    gic.redistributors[processor].SetPpiLine(16 + number, value);
                    gic.UpdateOutputs();
                }
            }

            public void Reset()
            {
            }

            private readonly ArmGicV3 gic;
            private readonly int processor;
        }
    }
}
