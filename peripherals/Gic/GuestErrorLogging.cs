// Guest errors (IHI 0069 calls most of them CONSTRAINED UNPREDICTABLE; we log and carry on) are logged at
// Warning with a fixed prefix, through Renode's own this.Log, so the peripherals need nothing Renode lacks.
// The embedded host recognises the prefix and counts these entries for its guest-error report.
// Declared in the GIC's namespace so that it is preferred over any same-named extension in scope.
using Antmicro.Renode.Core;
using Antmicro.Renode.Logging;

namespace Antmicro.Renode.Peripherals.IRQControllers
{
    internal static class GuestErrorLogging
    {
        /// <summary>Text every guest-error log message starts with.</summary>
        public const string Prefix = "guest error: ";

        public static void GuestError(this IEmulationElement element, string message, params object?[] args)
        {
            element.Log(LogLevel.Warning, Prefix + message, args);
        }
    }
}
