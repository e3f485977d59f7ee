// ArmGicV3, LPI side (IHI 0069 chapter 5.1 "LPIs"): configuration of the LPI INTID space, the entry points the
// ITS (ArmGicV3Its) uses to reach a Redistributor, and the guest-memory access the Redistributors share.
//
// Ctor options (ArmGicV3.cs): lpiIdBits (default 16: GICD_TYPER.IDbits = 15, as QEMU's virt) sets the LPI INTID
// space 8192 .. 2^lpiIdBits - 1 (14..24 bits); directLpi sets GICR_TYPER.DirectLPI and enables GICR_SETLPIR /
// GICR_CLRLPIR.
//
// Every entry point runs under the GIC's single lock (Sync). ITS commands take the same lock, so a command,
// the Redistributor state it changes and the output update that follows are one atomic step.
using System;
using System.Threading;
using Antmicro.Renode.Peripherals.Bus;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    public sealed partial class ArmGicV3
    {
        /// <summary>
        /// Writes the LPI pending state of every Redistributor with LPIs enabled back to its LPI Pending table
        /// (what the architecture allows at any time while GICR_CTLR.EnableLPIs = 1; the model also does it on
        /// GICR_SYNCR reads and ITS SYNC commands).
        /// </summary>
        public void FlushLpiPendingTables()
        {
            lock(sync)
            {
                foreach(var redistributor in redistributors)
                {
                    redistributor.WriteBackLpiPendingTable();
                }
            }
        }

        /// <summary>Number of LPI INTID bits (GICD_TYPER.IDbits + 1).</summary>
        internal int LpiIdBits { get; private set; }

        /// <summary>GICR_TYPER.DirectLPI: GICR_SETLPIR/GICR_CLRLPIR are implemented.</summary>
        internal bool DirectLpi { get; private set; }

        /// <summary>The lock every GIC and ITS entry point takes.</summary>
        internal Lock Sync => sync;

        /// <summary>Guest memory as the GIC and its ITSes see it (LPI tables, ITS tables and command queues).</summary>
        internal GuestMemory Memory => memory ??= new GuestMemory(() => machine.GetSystemBus(this));

        /// <summary>Whether <paramref name="processor"/> is an attached processor (a valid PTA = 0 RDbase).</summary>
        internal bool IsValidTargetProcessor(long processor) => processor >= 0 && processor < MaximumCpus && IsAttached((int)processor);

        /// <summary>Recomputes the output lines after LPI state changed outside a GIC entry point (ITS commands, MSIs).</summary>
        internal void UpdateOutputsAfterLpiChange()
        {
            UpdateOutputs();
        }

        private void ConfigureLpis(int lpiIdBits, bool directLpi)
        {
            if(lpiIdBits < 14 || lpiIdBits > LpiPendingSet.MaximumIdBits)
            {
                throw new ArgumentException($"lpiIdBits must be between 14 and {LpiPendingSet.MaximumIdBits}, got {lpiIdBits}.", nameof(lpiIdBits));
            }
            LpiIdBits = lpiIdBits;
            DirectLpi = directLpi;
        }

        private GuestMemory? memory;
    }
}
