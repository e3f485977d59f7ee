// The firmware samples the VGIC host model tests run as guests, and the bare-GIC transcripts they must print.
using System.IO;
using NUnit.Framework;

namespace RenodeGic.Tests.VgicHost
{
    internal static class GuestSamples
    {
        public static string Root => RenodeGic.Host.Cli.Runner.RepositoryRoot;

        /// <summary>firmware-samples/build/<paramref name="name"/>.bin (the test is ignored when it is not built).</summary>
        public static byte[] Image(string name)
        {
            var path = Path.Combine(Root, "firmware-samples", "build", name + ".bin");
            if(!File.Exists(path))
            {
                Assert.Ignore($"{path} is not built (make -C firmware-samples)");
            }
            return File.ReadAllBytes(path);
        }

        /// <summary>What the sample prints at EL1 on a bare GIC (recorded from QEMU).</summary>
        public static string Expected(string name) =>
            File.ReadAllText(Path.Combine(Root, "firmware-samples", "expected", name + ".el1.txt"));
    }
}
