// Aligned plain-text tables for the inspector commands (ArmGicV3.Inspection.cs, ArmGicV3Its.Inspection.cs): what
// the monitor prints when a `gic ...` or `its ...` command returns a string (Renode's monitor prints strings as is).
using System;
using System.Collections.Generic;
using System.Text;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal static class GicTextTable
    {
        public static string Render(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows, string? emptyText = null)
        {
            var widths = new int[headers.Count];
            for(var c = 0; c < headers.Count; c++)
            {
                widths[c] = headers[c].Length;
            }
            foreach(var row in rows)
            {
                for(var c = 0; c < Math.Min(row.Length, widths.Length); c++)
                {
                    widths[c] = Math.Max(widths[c], row[c].Length);
                }
            }
            var sb = new StringBuilder();
            AppendRow(sb, headers, widths);
            for(var c = 0; c < widths.Length; c++)
            {
                sb.Append(c == 0 ? "" : "  ").Append('-', widths[c]);
            }
            sb.Append('\n');
            foreach(var row in rows)
            {
                AppendRow(sb, row, widths);
            }
            if(rows.Count == 0 && emptyText != null)
            {
                sb.Append(emptyText).Append('\n');
            }
            return sb.ToString().TrimEnd('\n');
        }

        private static void AppendRow(StringBuilder sb, IReadOnlyList<string> cells, int[] widths)
        {
            var line = new StringBuilder();
            for(var c = 0; c < widths.Length; c++)
            {
                var cell = c < cells.Count ? cells[c] : "";
                line.Append(c == 0 ? "" : "  ").Append(cell.PadRight(widths[c]));
            }
            sb.Append(line.ToString().TrimEnd()).Append('\n');
        }
    }
}
