// Renode-shaped API layer: Antmicro.Renode.Core.Structure.Registers.FieldMode, the access behaviour of one
// register field. Write modes are mutually exclusive (at most one per field); Read and ReadToClear/ReadToSet
// are the read modes.
using System;

namespace Antmicro.Renode.Core.Structure.Registers
{
    [Flags]
    public enum FieldMode
    {
        Read = 1 << 0,
        Write = 1 << 1,
        Set = 1 << 2,
        Toggle = 1 << 3,
        WriteOneToClear = 1 << 4,
        WriteZeroToClear = 1 << 5,
        ReadToClear = 1 << 6,
        WriteZeroToSet = 1 << 7,
        WriteZeroToToggle = 1 << 8,
        WriteToClear = 1 << 9,
        WriteToSet = 1 << 10,
        ReadToSet = 1 << 11,
    }

    public static class FieldModeHelper
    {
        public const FieldMode ReadModes = FieldMode.Read | FieldMode.ReadToClear | FieldMode.ReadToSet;

        public const FieldMode WriteModes = FieldMode.Write | FieldMode.Set | FieldMode.Toggle | FieldMode.WriteOneToClear
            | FieldMode.WriteZeroToClear | FieldMode.WriteZeroToSet | FieldMode.WriteZeroToToggle | FieldMode.WriteToClear
            | FieldMode.WriteToSet;

        public static bool IsFlagSet(this FieldMode mode, FieldMode value)
        {
            return (mode & value) != 0;
        }

        public static bool IsReadable(this FieldMode mode)
        {
            return (mode & ReadModes) != 0;
        }

        public static bool IsWritable(this FieldMode mode)
        {
            return (mode & WriteModes) != 0;
        }

        public static FieldMode WriteBits(this FieldMode mode)
        {
            return mode & ~ReadModes;
        }

        public static FieldMode ReadBits(this FieldMode mode)
        {
            return mode & ReadModes;
        }

        /// <summary>At most one side-effect read mode and at most one write mode.</summary>
        public static bool IsValid(this FieldMode mode)
        {
            if(System.Numerics.BitOperations.PopCount((uint)(mode & (FieldMode.ReadToClear | FieldMode.ReadToSet))) > 1)
            {
                return false;
            }
            if((mode & (FieldMode.ReadToClear | FieldMode.ReadToSet)) != 0 && (mode & FieldMode.Read) != 0)
            {
                return false;
            }
            return System.Numerics.BitOperations.PopCount((uint)(mode & WriteModes)) <= 1;
        }
    }
}
