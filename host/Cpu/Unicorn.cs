// P/Invoke bindings for the subset of libunicorn2 (Debian's libunicorn.so.2, Unicorn 2.0.1) the host uses.
// Facts this relies on were measured and are written down in ../shared/notes/unicorn-aarch64.md.
using System;
using System.Runtime.InteropServices;

namespace RenodeGic.Host.Cpu
{
    internal static unsafe class Unicorn
    {
        public const string Library = "libunicorn.so.2";

        public const int ArchArm64 = 2;
        public const int ModeArm = 0;
        public const uint ProtAll = 7;

        public const int HookIntr = 1 << 0;
        public const int HookInsn = 1 << 1;
        public const int HookCode = 1 << 2;
        public const int HookBlock = 1 << 3;
        public const int HookMemUnmapped = 16 | 32 | 64;

        public const int Arm64InsMrs = 1;
        public const int Arm64InsMsr = 2;

        // uc_ctl request codes: UC_CTL_WRITE/READ(type, nr_args) as encoded by the 2.0.1 headers.
        public const int CtlWriteCpuModel = 0x44000007;
        public const int CtlWriteTbFlush = 0x4000000a;
        public const int CtlWriteRemoveCache = 0x48000009;
        public const int CpuModelA72 = 2;

        // Register ids of uc_arm64_reg in Unicorn 2.0.1.
        public const int RegX29 = 1;
        public const int RegX30 = 2;
        public const int RegNzcv = 3;
        public const int RegSp = 4;
        public const int RegXzr = 7;
        public const int RegX0 = 199;
        public const int RegPc = 260;
        public const int RegPstate = 265;
        public const int RegElrEl0 = 266;
        public const int RegSpEl0 = 270;
        public const int RegEsrEl0 = 276;
        public const int RegFarEl0 = 280;
        public const int RegVbarEl0 = 286;
        public const int RegCpReg = 290;
        public const int RegV0 = 228; // V0..V31: 128 bits each
        public const int RegFpcr = 291;
        public const int RegFpsr = 292;

        public const int ErrOk = 0;

        /// <summary>uc_arm64_cp_reg: {u32 crn, crm, op0, op1, op2; u64 val} with val at offset 24.</summary>
        [StructLayout(LayoutKind.Sequential)]
        public struct CpReg
        {
            public uint Crn;
            public uint Crm;
            public uint Op0;
            public uint Op1;
            public uint Op2;
            public uint Padding;
            public ulong Value;
        }

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate void IntrCallback(IntPtr uc, uint intno, IntPtr userData);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate uint SysRegCallback(IntPtr uc, int reg, CpReg* cp, IntPtr userData);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate void BlockCallback(IntPtr uc, ulong address, uint size, IntPtr userData);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        [return: MarshalAs(UnmanagedType.I1)]
        public delegate bool MemUnmappedCallback(IntPtr uc, int type, ulong address, int size, long value, IntPtr userData);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate ulong MmioReadCallback(IntPtr uc, ulong offset, uint size, IntPtr userData);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate void MmioWriteCallback(IntPtr uc, ulong offset, uint size, ulong value, IntPtr userData);

        [DllImport(Library, EntryPoint = "uc_open")]
        public static extern int Open(int arch, int mode, out IntPtr uc);

        [DllImport(Library, EntryPoint = "uc_close")]
        public static extern int Close(IntPtr uc);

        [DllImport(Library, EntryPoint = "uc_strerror")]
        public static extern IntPtr StrError(int err);

        [DllImport(Library, EntryPoint = "uc_ctl")]
        public static extern int Ctl(IntPtr uc, int control, int arg);

        [DllImport(Library, EntryPoint = "uc_ctl")]
        public static extern int Ctl(IntPtr uc, int control, ulong arg0, ulong arg1);

        [DllImport(Library, EntryPoint = "uc_reg_read")]
        public static extern int RegRead(IntPtr uc, int regid, ulong* value);

        [DllImport(Library, EntryPoint = "uc_reg_write")]
        public static extern int RegWrite(IntPtr uc, int regid, ulong* value);

        [DllImport(Library, EntryPoint = "uc_reg_read")]
        public static extern int RegReadCp(IntPtr uc, int regid, CpReg* value);

        [DllImport(Library, EntryPoint = "uc_reg_write")]
        public static extern int RegWriteCp(IntPtr uc, int regid, CpReg* value);

        [DllImport(Library, EntryPoint = "uc_mem_map_ptr")]
        public static extern int MemMapPtr(IntPtr uc, ulong address, UIntPtr size, uint perms, IntPtr ptr);

        [DllImport(Library, EntryPoint = "uc_mem_map")]
        public static extern int MemMap(IntPtr uc, ulong address, UIntPtr size, uint perms);

        [DllImport(Library, EntryPoint = "uc_mem_write")]
        public static extern int MemWrite(IntPtr uc, ulong address, byte* bytes, UIntPtr size);

        [DllImport(Library, EntryPoint = "uc_mem_read")]
        public static extern int MemRead(IntPtr uc, ulong address, byte* bytes, UIntPtr size);

        [DllImport(Library, EntryPoint = "uc_mmio_map")]
        public static extern int MmioMap(IntPtr uc, ulong address, UIntPtr size, IntPtr readCallback, IntPtr readUserData, IntPtr writeCallback, IntPtr writeUserData);

        [DllImport(Library, EntryPoint = "uc_emu_start")]
        public static extern int EmuStart(IntPtr uc, ulong begin, ulong until, ulong timeout, UIntPtr count);

        [DllImport(Library, EntryPoint = "uc_emu_stop")]
        public static extern int EmuStop(IntPtr uc);

        // uc_hook_add is variadic; the x86-64 SysV ABI passes the extra int the same way as a fixed argument.
        [DllImport(Library, EntryPoint = "uc_hook_add")]
        public static extern int HookAdd(IntPtr uc, out UIntPtr hook, int type, IntPtr callback, IntPtr userData, ulong begin, ulong end);

        [DllImport(Library, EntryPoint = "uc_hook_add")]
        public static extern int HookAddInsn(IntPtr uc, out UIntPtr hook, int type, IntPtr callback, IntPtr userData, ulong begin, ulong end, int instruction);

        public static string Describe(int err)
        {
            return Marshal.PtrToStringAnsi(StrError(err)) ?? $"unicorn error {err}";
        }

        public static void Check(int err, string what)
        {
            if(err != ErrOk)
            {
                throw new InvalidOperationException($"{what}: {Describe(err)}");
            }
        }

        /// <summary>Whether the native library can be loaded on this machine.</summary>
        public static bool IsAvailable()
        {
            return NativeLibrary.TryLoad(Library, out _);
        }
    }
}
