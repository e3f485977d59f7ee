// Redistributor, read-only views for the inspector (ArmGicV3.Inspection.cs). Nothing here changes state.
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal sealed partial class Redistributor
    {
        /// <summary>GICR_PROPBASER.PA: the LPI Configuration table.</summary>
        public ulong InspectPropertyTableAddress => PropertyTableAddress;

        /// <summary>GICR_PENDBASER.PA: the LPI Pending table.</summary>
        public ulong InspectPendingTableAddress => PendingTableAddress;

        /// <summary>GICR_PROPBASER.IDbits + 1 (before the GICD_TYPER.IDbits limit).</summary>
        public int InspectPropertyIdBits => (int)(propBaser & 0x1F) + 1;
    }
}
