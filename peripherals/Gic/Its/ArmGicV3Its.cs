// ArmGicV3Its: a GICv3 Interrupt Translation Service (IHI 0069 chapter 5.2 "The ITS", 6 "The ITS commands",
// 12.19 "The GITS_* registers") as a separate Renode peripheral attached to an ArmGicV3.
//
// .repl (QEMU virt's ITS frame; several ITSes may be declared, each with its own frames and tables):
//   its: IRQControllers.ArmGicV3Its @ sysbus 0x08080000
//       gic: gic
//       deviceIdBits: 16          // GITS_TYPER.Devbits + 1
//       eventIdBits: 16           // GITS_TYPER.ID_bits + 1
//       collectionIdBits: 16      // GITS_TYPER.CIDbits + 1 (CIL = 1)
//       itsNumber: 0              // GITS_CTLR.ITS_Number reset value
//       virtualLpis: true         // GICv4.0: GITS_TYPER.Virtual, vPE table in GITS_BASER2, V-commands
//       singleVmovp: true         // GITS_TYPER.VMOVP (false: VMOVP with SeqNum/ITSList)
//
// Frames: ITS_base (control) at +0x00000, the translation frame at +0x10000 (GITS_TRANSLATER at +0x10040).
//
// How devices send MSIs (DeviceID is the requester's identity, the EventID the data written to TRANSLATER):
// - a CPU writing GITS_TRANSLATER is DeviceID 0 (as QEMU: CPUs have no requester ID);
// - C# peripherals call SendMsi(deviceId, eventId);
// - .repl wiring: the ITS is an ILocalGPIOReceiver whose local receiver n is device n, and an IGPIOReceiver for
//   DeviceID 0; a rising edge on input e sends EventID e. `msiDevice -> its#5@3` sends DeviceID 5, EventID 3 each
//   time the line rises (use GPIO.Blink() for one MSI per event).
//
// IMPDEF choices (QEMU 7.2 where it makes one):
// - GITS_TYPER = Physical, ITT_entry_size 12 bytes, ID_bits/Devbits/CIDbits from the options, CIL = 1, PTA = 0
//   (MAPC/SYNC/MOVALL take processor numbers), HCC = 0, SEIS = 0; with virtualLpis also Virtual and, unless
//   singleVmovp = false, VMOVP (GICv4.0 commands: Its/ItsVirtualCommands.cs). 16/16/16 bits give QEMU's
//   0x1f0001efb1 (0x3f0001efb3 with virtualLpis, as QEMU's gic-version=4).
// - GITS_BASER0 is the Device table, GITS_BASER1 the Collection table (GITS_BASER2 the vPE table with
//   virtualLpis), 8-byte entries, 4K/16K/64K pages (reset: 64K), flat or two-level; the others RAZ/WI.
// - GITS_CBASER and GITS_BASER<n> are read-only while GITS_CTLR.Enabled = 1 (writes logged and ignored);
//   writing GITS_CBASER sets GITS_CREADR and GITS_CWRITER to 0 and clears Stalled.
// - GITS_CTLR.Quiescent reads 1 while the ITS is disabled (processing is synchronous, nothing is ever in flight);
//   ITS_Number is writable while disabled.
// - Commands run synchronously on GITS_CWRITER writes and when the ITS is enabled; at most one lap of the queue per
//   write (bounded work). A CWRITER offset beyond the queue is logged and not processed.
// - Errors (ItsCommandResult): a guest-memory error reading a command or a table stalls the queue
//   (GITS_CREADR.Stalled = 1) until GITS_CWRITER is written with Retry = 1 (the stalled command is retried);
//   a command with bad parameters is a guest error and is skipped (GITS_CREADR advances).
// - GITS_TRANSLATER writes and MSIs are ignored while the ITS is disabled (guest error); a memory error during a
//   translation drops the MSI.
// - A table walk that reaches this ITS's own frames reads zero and writes nothing (no re-entrant processing).
using System;
using System.Collections.Generic;
using Antmicro.Renode.Core;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    public sealed partial class ArmGicV3Its : IDoubleWordPeripheral, IQuadWordPeripheral, IKnownSize, IGPIOReceiver, ILocalGPIOReceiver
    {
        public ArmGicV3Its(IMachine machine, ArmGicV3 gic, int deviceIdBits = 16, int eventIdBits = 16, int collectionIdBits = 16,
            bool virtualLpis = false, int itsNumber = 0, bool singleVmovp = true)
        {
            if(deviceIdBits < 1 || deviceIdBits > 32)
            {
                throw new ArgumentException($"deviceIdBits must be between 1 and 32, got {deviceIdBits}.", nameof(deviceIdBits));
            }
            if(eventIdBits < 1 || eventIdBits > 32)
            {
                throw new ArgumentException($"eventIdBits must be between 1 and 32, got {eventIdBits}.", nameof(eventIdBits));
            }
            if(collectionIdBits < 1 || collectionIdBits > 16)
            {
                throw new ArgumentException($"collectionIdBits must be between 1 and 16, got {collectionIdBits}.", nameof(collectionIdBits));
            }
            if(itsNumber < 0 || itsNumber > 15)
            {
                throw new ArgumentException($"itsNumber must be between 0 and 15, got {itsNumber}.", nameof(itsNumber));
            }
            this.gic = gic ?? throw new ArgumentNullException(nameof(gic));
            _ = machine;
            DeviceIdBits = deviceIdBits;
            EventIdBits = eventIdBits;
            CollectionIdBits = collectionIdBits;
            VirtualLpis = virtualLpis;
            SingleVmovp = singleVmovp;
            resetItsNumber = itsNumber;
            processor = new ItsCommandProcessor(this, gic);
            block = new GicMmioBlock(this, "gits");
            DefineRegisters();
            Reset();
            gic.RegisterIts(this);
        }

        /// <summary>ITS_base, the translation frame and, for a GICv4.1 ITS, the vSGI frame (GITS_SGIR).</summary>
        public long Size => Gicv41 ? 0x30000 : 0x20000;

        public int DeviceIdBits { get; }

        public int EventIdBits { get; }

        public int CollectionIdBits { get; }

        public bool VirtualLpis { get; }

        /// <summary>A GICv4.1 ITS: virtualLpis on a GIC created with gicv41 (Its/ItsVirtualCommands41.cs).</summary>
        public bool Gicv41 => VirtualLpis && gic.Gicv41;

        /// <summary>GITS_TYPER.VMOVP (with virtualLpis): one VMOVP moves a vPE in every ITS; false: VMOVP takes SeqNum and ITSList.</summary>
        public bool SingleVmovp { get; }

        public void Reset()
        {
            lock(gic.Sync)
            {
                enabled = false;
                itsNumber = resetItsNumber;
                commandQueueBase = 0;
                commandWriter = 0;
                commandReader = 0;
                stalled = false;
                sgirLowHalf = 0;
                for(var n = 0; n < baser.Length; n++)
                {
                    var entrySize = TableTypeOf(n) == ItsTableType.VirtualPEs && Gicv41 ? (ulong)(VpeConfigEntry.Size - 1) << 48 : BaserEntrySize8;
                    baser[n] = TableTypeOf(n) == ItsTableType.Unimplemented ? 0 : ((ulong)TableTypeOf(n) << 56) | entrySize | BaserPageSize64K;
                }
                DeviceTable = default;
                CollectionTable = default;
                VpeTable = default;
                block.Reset();
            }
        }

        // ---- Bus ------------------------------------------------------------------------------------------------

        public uint ReadDoubleWord(long offset) => (uint)Read(offset, 4);

        public void WriteDoubleWord(long offset, uint value)
        {
            if(offset == (long)GitsRegisters.GITS_TRANSLATER)
            {
                // DeviceID 0: a CPU has no requester ID (as QEMU).
                SendMsi(0, value);
                return;
            }
            Write(offset, 4, value);
        }

        public ulong ReadQuadWord(long offset) => Read(offset, 8);

        public void WriteQuadWord(long offset, ulong value) => Write(offset, 8, value);

        // ---- MSIs ------------------------------------------------------------------------------------------------

        /// <summary>
        /// Sends a message-signalled interrupt as device <paramref name="deviceId"/> writing <paramref name="eventId"/>
        /// to GITS_TRANSLATER. Returns whether an LPI was made pending.
        /// </summary>
        public bool SendMsi(uint deviceId, uint eventId)
        {
            lock(gic.Sync)
            {
                if(busy)
                {
                    this.GuestError("MSI (DeviceID {0}, EventID {1}) from this ITS's own table walk; ignored", deviceId, eventId);
                    return false;
                }
                if(!enabled)
                {
                    this.GuestError("MSI (DeviceID {0}, EventID {1}) while GITS_CTLR.Enabled = 0; ignored", deviceId, eventId);
                    return false;
                }
                busy = true;
                bool delivered;
                try
                {
                    delivered = processor.Translate(deviceId, eventId);
                }
                finally
                {
                    busy = false;
                }
                gic.UpdateOutputsAfterLpiChange();
                return delivered;
            }
        }

        /// <summary>A rising edge on input <paramref name="number"/> sends EventID <paramref name="number"/> as DeviceID 0.</summary>
        public void OnGPIO(int number, bool value)
        {
            if(value && number >= 0)
            {
                SendMsi(0, (uint)number);
            }
        }

        /// <summary>The MSI input of device <paramref name="index"/>: a rising edge on input e sends EventID e.</summary>
        public IGPIOReceiver GetLocalReceiver(int index)
        {
            if(index < 0 || (DeviceIdBits < 31 && index >> DeviceIdBits != 0))
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"DeviceID {index} does not fit GITS_TYPER.Devbits ({DeviceIdBits} bits).");
            }
            lock(gic.Sync)
            {
                if(!devicePorts.TryGetValue(index, out var port))
                {
                    port = new MsiPort(this, (uint)index);
                    devicePorts[index] = port;
                }
                return port;
            }
        }

        // ---- Internal -------------------------------------------------------------------------------------------

        internal ItsTableDescriptor DeviceTable { get; private set; }

        internal ItsTableDescriptor CollectionTable { get; private set; }

        /// <summary>GITS_BASER2, the vPE table (invalid without virtualLpis).</summary>
        internal ItsTableDescriptor VpeTable { get; private set; }

        /// <summary>GITS_CTLR.ITS_Number (the bit of this ITS in a VMOVP ITSList).</summary>
        internal int ItsNumber => itsNumber;

        internal ItsCommandProcessor Processor => processor;

        private ulong Read(long offset, int size)
        {
            lock(gic.Sync)
            {
                if(busy)
                {
                    this.GuestError("{0}-bit read at offset 0x{1:X} from this ITS's own table walk; reads as zero", size * 8, offset);
                    return 0;
                }
                if(offset >= (long)GitsRegisters.TranslationFrame)
                {
                    if(offset != (long)GitsRegisters.GITS_TRANSLATER || size != 4)
                    {
                        this.GuestError("{0}-bit read at offset 0x{1:X} of the translation frame; reads as zero", size * 8, offset);
                    }
                    return 0; // GITS_TRANSLATER is write-only (RAZ)
                }
                return block.Read(offset, size);
            }
        }

        private void Write(long offset, int size, ulong value)
        {
            lock(gic.Sync)
            {
                if(busy)
                {
                    this.GuestError("{0}-bit write of 0x{1:X} at offset 0x{2:X} from this ITS's own table walk; ignored", size * 8, value, offset);
                    return;
                }
                if((offset & ~4L) == GitsSgirOffset && Gicv41)
                {
                    WriteSgir(offset, size, value); // Its/ItsVirtualCommands41.cs (either half, or all 64 bits)
                    return;
                }
                if(offset >= (long)GitsRegisters.TranslationFrame)
                {
                    this.GuestError("{0}-bit write of 0x{1:X} at offset 0x{2:X} of the translation frame (GITS_TRANSLATER takes 32-bit writes); ignored",
                        size * 8, value, offset);
                    return;
                }
                block.Write(offset, size, value);
            }
        }

        private void DefineRegisters()
        {
            var words = block.Words;
            var quads = block.Quads;

            GitsRegisters.GITS_CTLR.Define(words)
                .WithFlag(0, name: "Enabled", valueProviderCallback: _ => enabled, writeCallback: (_, v) => SetEnabled(v))
                .WithFlag(1, FieldMode.Read, name: "ImDe", valueProviderCallback: _ => false)
                .WithReservedBits(2, 2)
                .WithValueField(4, 4, name: "ITS_Number", valueProviderCallback: _ => (ulong)itsNumber,
                    writeCallback: (_, v) =>
                    {
                        if(!enabled)
                        {
                            itsNumber = (int)v;
                        }
                    })
                .WithFlag(8, FieldMode.Read, name: "UMSIirq", valueProviderCallback: _ => false)
                .WithReservedBits(9, 22)
                .WithFlag(31, FieldMode.Read, name: "Quiescent", valueProviderCallback: _ => !enabled);

            GitsRegisters.GITS_IIDR.Define(words, ArmGicV3.ImplementerIidr).WithValueField(0, 32, FieldMode.Read, name: "IIDR");

            quads.DefineRegister((long)GitsRegisters.GITS_TYPER)
                .WithFlag(0, FieldMode.Read, name: "Physical", valueProviderCallback: _ => true)
                .WithFlag(1, FieldMode.Read, name: "Virtual", valueProviderCallback: _ => VirtualLpis)
                .WithFlag(2, FieldMode.Read, name: "CCT", valueProviderCallback: _ => false)
                .WithFlag(3, FieldMode.Read, name: "IMPDEF", valueProviderCallback: _ => false)
                .WithValueField(4, 4, FieldMode.Read, name: "ITT_entry_size", valueProviderCallback: _ => InterruptTranslationEntry.Size - 1)
                .WithValueField(8, 5, FieldMode.Read, name: "ID_bits", valueProviderCallback: _ => (ulong)(EventIdBits - 1))
                .WithValueField(13, 5, FieldMode.Read, name: "Devbits", valueProviderCallback: _ => (ulong)(DeviceIdBits - 1))
                .WithFlag(18, FieldMode.Read, name: "SEIS", valueProviderCallback: _ => false)
                .WithFlag(19, FieldMode.Read, name: "PTA", valueProviderCallback: _ => false)
                .WithReservedBits(20, 4)
                .WithValueField(24, 8, FieldMode.Read, name: "HCC", valueProviderCallback: _ => 0)
                .WithValueField(32, 4, FieldMode.Read, name: "CIDbits", valueProviderCallback: _ => (ulong)(CollectionIdBits - 1))
                .WithFlag(36, FieldMode.Read, name: "CIL", valueProviderCallback: _ => true)
                .WithFlag(37, FieldMode.Read, name: "VMOVP", valueProviderCallback: _ => VirtualLpis && (SingleVmovp || Gicv41))
                .WithReservedBits(38, 2)
                // GICv4.1: VMAPP (the 4.1 VMAPP format), SVPET = 1 (the vPE table is shared with the Redistributors,
                // GITS_MPIDR.Aff3 = 0), nID = 1 (no individual doorbells: only the per-vPE default doorbell).
                .WithFlag(40, FieldMode.Read, name: "VMAPP", valueProviderCallback: _ => Gicv41)
                .WithValueField(41, 2, FieldMode.Read, name: "SVPET", valueProviderCallback: _ => Gicv41 ? 1UL : 0)
                .WithFlag(43, FieldMode.Read, name: "nID", valueProviderCallback: _ => Gicv41)
                .WithReservedBits(44, 20);

            // Optional registers this ITS does not implement: RAZ/WI.
            foreach(var optional in new[] { GitsRegisters.GITS_MPAMIDR, GitsRegisters.GITS_PARTIDR, GitsRegisters.GITS_MPIDR, GitsRegisters.GITS_STATUSR })
            {
                optional.Define(words).WithValueField(0, 32, FieldMode.Read, valueProviderCallback: _ => 0, name: optional.ToString());
            }
            quads.DefineRegister((long)GitsRegisters.GITS_UMSIR).WithValueField(0, 64, FieldMode.Read, valueProviderCallback: _ => 0, name: "GITS_UMSIR");

            // IHI 0069, GITS_CBASER: Valid[63], InnerCache[61:59], OuterCache[55:53], PA[51:12], Shareability[11:10], Size[7:0].
            quads.DefineRegister((long)GitsRegisters.GITS_CBASER).WithValueField(0, 64, name: "CBASER",
                valueProviderCallback: _ => commandQueueBase, writeCallback: (_, v) => WriteCommandQueueBase(v));
            // GITS_CWRITER: Offset[19:5], Retry[0]; GITS_CREADR: Offset[19:5], Stalled[0] (read-only).
            quads.DefineRegister((long)GitsRegisters.GITS_CWRITER).WithValueField(0, 64, name: "CWRITER",
                valueProviderCallback: _ => commandWriter, writeCallback: (_, v) => WriteCommandWriter(v));
            quads.DefineRegister((long)GitsRegisters.GITS_CREADR).WithValueField(0, 64, name: "CREADR",
                valueProviderCallback: _ => commandReader | (stalled ? 1UL : 0),
                writeCallback: (_, v) => this.GuestError("GITS_CREADR is read-only (written 0x{0:X}); ignored", v));

            for(var n = 0; n < baser.Length; n++)
            {
                var index = n;
                quads.DefineRegister((long)GitsRegisters.GITS_BASER0 + 8 * n).WithValueField(0, 64, name: $"GITS_BASER{n}",
                    valueProviderCallback: _ => baser[index], writeCallback: (_, v) => WriteTableBase(index, v));
            }

            Distributor.DefineIdRegisters(words, ItsPidr0, VirtualLpis ? 4 : 3);
        }

        private static ItsTableType TableTypeOfStatic(int n, bool virtualLpis) => n switch
        {
            0 => ItsTableType.Devices,
            1 => ItsTableType.InterruptCollections,
            2 when virtualLpis => ItsTableType.VirtualPEs,
            _ => ItsTableType.Unimplemented,
        };

        private ItsTableType TableTypeOf(int n) => TableTypeOfStatic(n, VirtualLpis);

        private void SetEnabled(bool value)
        {
            if(value == enabled)
            {
                return;
            }
            enabled = value;
            if(enabled)
            {
                DrainQueue();
            }
        }

        private void WriteCommandQueueBase(ulong value)
        {
            if(enabled)
            {
                this.GuestError("GITS_CBASER written (0x{0:X}) while GITS_CTLR.Enabled = 1; ignored", value);
                return;
            }
            commandQueueBase = value & CbaserWritableMask;
            commandReader = 0;
            commandWriter = 0;
            stalled = false;
        }

        private void WriteCommandWriter(ulong value)
        {
            commandWriter = value & QueueOffsetMask;
            if((value & RetryBit) != 0 && stalled)
            {
                stalled = false;
            }
            DrainQueue();
        }

        private void WriteTableBase(int n, ulong value)
        {
            if(TableTypeOf(n) == ItsTableType.Unimplemented)
            {
                return; // RAZ/WI
            }
            if(enabled)
            {
                this.GuestError("GITS_BASER{0} written (0x{1:X}) while GITS_CTLR.Enabled = 1; ignored", n, value);
                return;
            }
            baser[n] = (baser[n] & ~BaserWritableMask) | (value & BaserWritableMask);
            DeviceTable = new ItsTableDescriptor(baser[0]);
            CollectionTable = new ItsTableDescriptor(baser[1]);
            VpeTable = VirtualLpis ? new ItsTableDescriptor(baser[2]) : default;
        }

        /// <summary>Processes commands from GITS_CREADR up to GITS_CWRITER: at most one lap of the queue.</summary>
        private void DrainQueue()
        {
            if(!enabled || stalled || busy || (commandQueueBase >> 63) == 0 || commandReader == commandWriter)
            {
                return;
            }
            var queueSize = ((commandQueueBase & 0xFF) + 1) * 0x1000;
            var queueBase = commandQueueBase & 0x000F_FFFF_FFFF_F000UL;
            if(commandWriter >= queueSize)
            {
                this.GuestError("GITS_CWRITER.Offset 0x{0:X} is beyond the command queue (0x{1:X} bytes); not processed", commandWriter, queueSize);
                return;
            }
            busy = true;
            try
            {
                for(var budget = queueSize / ItsCommand.Size; budget > 0 && commandReader != commandWriter; budget--)
                {
                    var address = queueBase + commandReader;
                    var memory = gic.Memory;
                    ItsCommandResult result;
                    if(!memory.IsAccessible(address, ItsCommand.Size))
                    {
                        this.GuestError("guest-memory error reading the command at 0x{0:X} (GITS_CREADR 0x{1:X})", address, commandReader);
                        result = ItsCommandResult.Stall;
                    }
                    else
                    {
                        memory.TryReadQuadWord(address, out var dw0);
                        memory.TryReadQuadWord(address + 8, out var dw1);
                        memory.TryReadQuadWord(address + 16, out var dw2);
                        memory.TryReadQuadWord(address + 24, out var dw3);
                        result = processor.Execute(new ItsCommand(dw0, dw1, dw2, dw3));
                    }
                    if(result == ItsCommandResult.Stall)
                    {
                        stalled = true;
                        this.GuestError("command queue stalled at GITS_CREADR 0x{0:X} (write GITS_CWRITER with Retry = 1 to retry)", commandReader);
                        break;
                    }
                    commandReader = (commandReader + ItsCommand.Size) % queueSize;
                }
            }
            finally
            {
                busy = false;
            }
            gic.UpdateOutputsAfterLpiChange();
        }

        private const uint ItsPidr0 = 0x94; // as QEMU's ITS
        private const ulong RetryBit = 1;
        private const ulong QueueOffsetMask = 0xF_FFE0; // Offset[19:5]
        private const ulong CbaserWritableMask = 0xB8EF_FFFF_FFFF_FCFFUL; // Valid, InnerCache, OuterCache, PA[51:12], Shareability, Size
        private const ulong BaserWritableMask = 0xF8E0_FFFF_FFFF_FFFFUL; // all but Type[58:56] and Entry_Size[52:48]
        private const ulong BaserEntrySize8 = 7UL << 48;
        private const ulong BaserPageSize64K = 2UL << 8;

        private readonly ArmGicV3 gic;
        private readonly ItsCommandProcessor processor;
        private readonly GicMmioBlock block;
        private readonly int resetItsNumber;
        private readonly ulong[] baser = new ulong[8];
        private readonly Dictionary<int, MsiPort> devicePorts = new Dictionary<int, MsiPort>();
        private bool enabled;
        private bool stalled;
        private bool busy;
        private int itsNumber;
        private ulong commandQueueBase;
        private ulong commandWriter;
        private ulong commandReader;

        /// <summary>The MSI input of one device: a rising edge on input e sends EventID e.</summary>
        private sealed class MsiPort : IGPIOReceiver
        {
            public MsiPort(ArmGicV3Its its, uint deviceId)
            {
                this.its = its;
                this.deviceId = deviceId;
            }

            public void OnGPIO(int number, bool value)
            {
                if(value && number >= 0)
                {
                    its.SendMsi(deviceId, (uint)number);
                }
            }

            public void Reset()
            {
            }

            private readonly ArmGicV3Its its;
            private readonly uint deviceId;
        }
    }
}
