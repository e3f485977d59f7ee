// GICv3 ITS register offsets (IHI 0069, chapter 12.19, "The GITS_* registers"), relative to the ITS base: the
// control frame ITS_base at 0x00000 and the translation frame at 0x10000 (GITS_TRANSLATER below includes it).
namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal enum GitsRegisters : long
    {
        // ITS_base (control registers)
        GITS_CTLR = 0x0000,
        GITS_IIDR = 0x0004,
        GITS_TYPER = 0x0008,
        GITS_MPAMIDR = 0x0010,
        GITS_PARTIDR = 0x0014,
        GITS_MPIDR = 0x0018,
        GITS_STATUSR = 0x0040,
        GITS_UMSIR = 0x0048,
        GITS_CBASER = 0x0080,
        GITS_CWRITER = 0x0088,
        GITS_CREADR = 0x0090,
        GITS_BASER0 = 0x0100,
        GITS_BASER7 = 0x0138,
        GITS_PIDR2 = 0xFFE8,

        // Translation frame
        TranslationFrame = 0x10000,
        GITS_TRANSLATER = TranslationFrame + 0x0040,
    }
}
