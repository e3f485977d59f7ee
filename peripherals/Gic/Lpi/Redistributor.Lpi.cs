// Redistributor, LPI side (IHI 0069 chapter 5.1 "LPIs" and the GICR_CTLR, GICR_PROPBASER, GICR_PENDBASER,
// GICR_SETLPIR, GICR_CLRLPIR, GICR_INVLPIR, GICR_INVALLR, GICR_SYNCR descriptions).
//
// The LPI Configuration table (priority + enable byte per LPI, INTID 8192 + n at PROPBASER.PA + n) is read into
// a cache when GICR_CTLR.EnableLPIs is set, and afterwards only when software asks for it: the ITS INV/INVALL
// commands and GICR_INVLPIR/GICR_INVALLR. A change to the table in memory is invisible until then, as the
// architecture allows (IHI 0069 5.1.1: a Redistributor may cache the configuration).
// Pending state lives in the model (LpiPendingSet). The LPI Pending table is read when EnableLPIs is set, unless
// GICR_PENDBASER.PTZ was written as 1 (then it is known to be zero), and written back on GICR_SYNCR reads, ITS
// SYNC commands targeting this Redistributor and ArmGicV3.FlushLpiPendingTables(). While EnableLPIs = 1 the table
// belongs to the Redistributor and its contents are UNKNOWN to software, so the write-back points are a choice.
//
// IMPDEF choices here:
// - GICR_CTLR.EnableLPIs cannot be cleared once set (IHI 0069 allows this; QEMU and most hardware do the same):
//   a write of 0 is logged as a guest error and ignored. So the write-back "on disable" never happens.
// - GICR_PROPBASER and GICR_PENDBASER are read-only while EnableLPIs = 1 (writes logged and ignored).
// - The LPI INTID space of this Redistributor is min(PROPBASER.IDbits + 1, GICD_TYPER.IDbits + 1) bits; with
//   fewer than 14 bits there are no LPIs (IHI 0069: IDbits below 0b01101 means LPIs are not supported).
// - An LPI moved here by ITS MOVI or MOVALL, and the GICv4.1 default doorbell of a vPE moved here by VMOVP, has its
//   configuration re-read from the table: software sends INV (INVDB) to the Redistributor the LPI was on, not to the
//   one it moves to.
// - GICR_INVLPIR and GICR_INVALLR are implemented whether or not DirectLPI is (they only refresh the cache);
//   GICR_SETLPIR/GICR_CLRLPIR only with the ArmGicV3 option directLpi (GICR_TYPER.DirectLPI = 1), otherwise a
//   write is a guest error and ignored.
// - An LPI sent to a Redistributor with EnableLPIs = 0, or beyond its LPI INTID space, is dropped with a guest
//   error (the architecture leaves it UNPREDICTABLE; QEMU drops it silently).
// - A guest-memory error reading or writing the tables is a guest error; an unreadable part of the
//   Configuration table reads as 0 (LPIs disabled), of the Pending table as 0 (not pending).
using System;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Logging;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed partial class Redistributor
    {
        /// <summary>GICR_CTLR.EnableLPIs.</summary>
        public bool LpisEnabled => lpis != null;

        /// <summary>The LPIs of this Redistributor, or null while EnableLPIs = 0.</summary>
        public LpiPendingSet? Lpis => lpis;

        /// <summary>Makes an LPI pending here (ITS translation, INT, MOVI/MOVALL, GICR_SETLPIR). False when it was dropped.</summary>
        public bool SetLpiPending(int intid, string who)
        {
            if(!CheckLpi(intid, who))
            {
                return false;
            }
            if(lpis!.SetPending(intid))
            {
                gic.Arbiter.MarkDirty(ProcessorNumber);
            }
            return true;
        }

        /// <summary>Clears the pending state of an LPI here (ITS CLEAR/DISCARD/MOVI, GICR_CLRLPIR); returns whether it was pending.</summary>
        public bool ClearLpiPending(int intid, string who)
        {
            if(!CheckLpi(intid, who))
            {
                return false;
            }
            if(!lpis!.ClearPending(intid))
            {
                return false;
            }
            gic.Arbiter.MarkDirty(ProcessorNumber);
            return true;
        }

        /// <summary>ICC_IAR1_EL1 returned this LPI: LPIs have no active state, acknowledging clears the pending state.</summary>
        public void AcknowledgeLpi(int intid)
        {
            if(lpis != null && lpis.Contains(intid) && lpis.ClearPending(intid))
            {
                gic.Arbiter.MarkDirty(ProcessorNumber);
            }
        }

        /// <summary>Re-reads the configuration byte of one LPI (ITS INV, GICR_INVLPIR).</summary>
        public void InvalidateLpi(int intid, string who)
        {
            if(!CheckLpi(intid, who))
            {
                return;
            }
            var address = PropertyTableAddress + (ulong)(intid - LpiPendingSet.FirstLpi);
            if(!gic.Memory.TryReadByte(address, out var configuration))
            {
                gic.GuestError("gicr{0}: {1}: LPI Configuration table entry of INTID {2} at 0x{3:X} is not readable; the cached configuration is kept",
                    ProcessorNumber, who, intid, address);
                return;
            }
            if(lpis!.SetConfiguration(intid, configuration))
            {
                gic.Arbiter.MarkDirty(ProcessorNumber);
            }
        }

        /// <summary>Re-reads the whole LPI Configuration table (ITS INVALL, GICR_INVALLR).</summary>
        public void InvalidateAllLpis(string who)
        {
            if(lpis == null)
            {
                gic.GuestError("gicr{0}: {1} while GICR_CTLR.EnableLPIs = 0; ignored", ProcessorNumber, who);
                return;
            }
            LoadConfigurationTable(who);
            gic.Arbiter.MarkDirty(ProcessorNumber);
        }

        /// <summary>Moves every pending LPI of this Redistributor to <paramref name="target"/> (ITS MOVALL).</summary>
        public void MovePendingLpisTo(Redistributor target, string who)
        {
            if(lpis == null || ReferenceEquals(target, this))
            {
                return;
            }
            lpis.ForEachPending(intid =>
            {
                lpis.ClearPending(intid);
                target.InvalidateLpi(intid, who); // as for MOVI: the destination's cached configuration may be stale
                target.SetLpiPending(intid, who);
            });
            gic.Arbiter.MarkDirty(ProcessorNumber);
        }

        /// <summary>Writes the pending state back to the LPI Pending table (the first 1 KiB, INTIDs 0-8191, is left alone).</summary>
        public void WriteBackLpiPendingTable()
        {
            if(lpis == null || lpis.Count == 0)
            {
                return;
            }
            var image = new byte[(1 << lpis.IdBits) / 8];
            lpis.StorePending(image);
            var address = PendingTableAddress + PendingTableReservedBytes;
            if(!gic.Memory.TryWriteBytes(address, image.AsSpan(PendingTableReservedBytes)))
            {
                gic.GuestError("gicr{0}: LPI Pending table at 0x{1:X} is not (completely) writable; pending state not written back", ProcessorNumber, PendingTableAddress);
            }
        }

        private ulong PropertyTableAddress => propBaser & 0x000F_FFFF_FFFF_F000UL;

        private ulong PendingTableAddress => pendBaser & 0x000F_FFFF_FFFF_0000UL;

        private void ResetLpis()
        {
            lpis = null;
            pendingTableZero = false;
            gic.Arbiter.SetLpiSet(ProcessorNumber, null);
        }

        private bool CheckLpi(int intid, string who)
        {
            if(lpis == null)
            {
                gic.GuestError("gicr{0}: {1}: LPI {2} for a Redistributor whose GICR_CTLR.EnableLPIs = 0; dropped", ProcessorNumber, who, intid);
                return false;
            }
            if(!lpis.Contains(intid))
            {
                gic.GuestError("gicr{0}: {1}: INTID {2} is not an LPI of this Redistributor (LPIs 8192..{3}, GICR_PROPBASER.IDbits); dropped",
                    ProcessorNumber, who, intid, LpiPendingSet.FirstLpi + lpis.Count - 1);
                return false;
            }
            return true;
        }

        private void WriteEnableLpis(bool value)
        {
            if(value == LpisEnabled)
            {
                return;
            }
            if(!value)
            {
                gic.GuestError("gicr{0}: GICR_CTLR.EnableLPIs cannot be cleared once set (IMPDEF); ignored", ProcessorNumber);
                return;
            }
            var idBits = Math.Min((int)(propBaser & 0x1F) + 1, gic.LpiIdBits);
            if(idBits < 14)
            {
                gic.GuestError("gicr{0}: LPIs enabled with GICR_PROPBASER.IDbits = {1} (fewer than 14 INTID bits): no LPIs", ProcessorNumber, propBaser & 0x1F);
            }
            var set = new LpiPendingSet(idBits);
            lpis = set;
            LoadConfigurationTable("EnableLPIs");
            if(!pendingTableZero && set.Count > 0)
            {
                var image = new byte[(1 << idBits) / 8];
                if(!gic.Memory.TryReadBytes(PendingTableAddress, image))
                {
                    gic.GuestError("gicr{0}: LPI Pending table at 0x{1:X} is not (completely) readable; unreadable parts read as not pending", ProcessorNumber, PendingTableAddress);
                }
                set.LoadPending(image);
            }
            gic.Arbiter.SetLpiSet(ProcessorNumber, set);
        }

        private void LoadConfigurationTable(string who)
        {
            var set = lpis!;
            if(set.Count == 0)
            {
                return;
            }
            var table = new byte[set.Count];
            if(!gic.Memory.TryReadBytes(PropertyTableAddress, table))
            {
                gic.GuestError("gicr{0}: {1}: LPI Configuration table at 0x{2:X} ({3} bytes) is not (completely) readable; unreadable entries read as disabled",
                    ProcessorNumber, who, PropertyTableAddress, set.Count);
            }
            set.LoadConfiguration(table);
        }

        private void WritePropBaser(ulong value)
        {
            if(LpisEnabled)
            {
                gic.GuestError("gicr{0}: GICR_PROPBASER written (0x{1:X}) while GICR_CTLR.EnableLPIs = 1; ignored", ProcessorNumber, value);
                return;
            }
            propBaser = value & PropBaserMask;
        }

        private void WritePendBaser(ulong value)
        {
            if(LpisEnabled)
            {
                gic.GuestError("gicr{0}: GICR_PENDBASER written (0x{1:X}) while GICR_CTLR.EnableLPIs = 1; ignored", ProcessorNumber, value);
                return;
            }
            pendBaser = value & PendBaserMask;
            pendingTableZero = (value & PendBaserPtz) != 0;
        }

        /// <summary>GICR_SYNCR: every LPI operation completes synchronously, so Busy reads 0; the read also writes the pending table back.</summary>
        private bool ReadSyncBusy()
        {
            WriteBackLpiPendingTable();
            return false;
        }

        private void DefineLpiRegisters(QuadWordRegisterCollection quads)
        {
            // IHI 0069, GICR_SETLPIR / GICR_CLRLPIR: pINTID[31:0] (64-bit registers; a 32-bit write of the low half works).
            quads.DefineRegister((long)GicrRegisters.GICR_SETLPIR).WithValueField(0, 32, FieldMode.Write, name: "pINTID",
                writeCallback: (_, v) => WriteDirectLpi("GICR_SETLPIR", (int)v, true)).WithReservedBits(32, 32);
            quads.DefineRegister((long)GicrRegisters.GICR_CLRLPIR).WithValueField(0, 32, FieldMode.Write, name: "pINTID",
                writeCallback: (_, v) => WriteDirectLpi("GICR_CLRLPIR", (int)v, false)).WithReservedBits(32, 32);
            // IHI 0069, GICR_INVLPIR: INTID[31:0], vPEID[47:32], V[63]; GICR_INVALLR: vPEID[47:32], V[63].
            quads.DefineRegister((long)GicrRegisters.GICR_INVLPIR).WithValueField(0, 64, FieldMode.Write, name: "INVLPIR",
                writeCallback: (_, v) =>
                {
                    if((v >> 63) != 0)
                    {
                        InvalidateVirtual41((int)((v >> 32) & 0xFFFF), (int)(uint)v, false, "GICR_INVLPIR"); // RedistributorVlpi41.cs
                        return;
                    }
                    InvalidateLpi((int)(uint)v, "GICR_INVLPIR");
                });
            quads.DefineRegister((long)GicrRegisters.GICR_INVALLR).WithValueField(0, 64, FieldMode.Write, name: "INVALLR",
                writeCallback: (_, v) =>
                {
                    if((v >> 63) != 0)
                    {
                        InvalidateVirtual41((int)((v >> 32) & 0xFFFF), 0, true, "GICR_INVALLR");
                        return;
                    }
                    InvalidateAllLpis("GICR_INVALLR");
                });
        }

        private void WriteDirectLpi(string register, int intid, bool pending)
        {
            if(!gic.DirectLpi)
            {
                gic.GuestError("gicr{0}: {1} written (INTID {2}) but GICR_TYPER.DirectLPI = 0; ignored", ProcessorNumber, register, intid);
                return;
            }
            if(pending)
            {
                SetLpiPending(intid, register);
            }
            else
            {
                ClearLpiPending(intid, register);
            }
        }

        private const int PendingTableReservedBytes = 1024; // INTIDs 0-8191
        private const ulong PendBaserPtz = 1UL << 62;

        private LpiPendingSet? lpis;
        private bool pendingTableZero;
    }
}
