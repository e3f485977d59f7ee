// Renode-shaped API layer: Antmicro.Renode.Logging (LogLevel, Logger, the this.Log extension methods).
using System;
using System.Collections.Generic;
using Antmicro.Renode.Core;

namespace Antmicro.Renode.Logging
{
    /// <summary>Renode: Antmicro.Renode.Logging.LogLevel, a class with ordered static instances.</summary>
    public sealed class LogLevel : IComparable<LogLevel>
    {
        public static readonly LogLevel Noisy = new LogLevel(-1, "NOISY");
        public static readonly LogLevel Debug = new LogLevel(0, "DEBUG");
        public static readonly LogLevel Info = new LogLevel(1, "INFO");
        public static readonly LogLevel Warning = new LogLevel(2, "WARNING");
        public static readonly LogLevel Error = new LogLevel(3, "ERROR");

        public static IEnumerable<LogLevel> AllLevels => new[] { Noisy, Debug, Info, Warning, Error };

        public static bool TryParse(string text, out LogLevel level)
        {
            foreach(var candidate in AllLevels)
            {
                if(string.Equals(candidate.Name, text, StringComparison.OrdinalIgnoreCase) || candidate.NumericLevel.ToString() == text)
                {
                    level = candidate;
                    return true;
                }
            }
            level = Info;
            return false;
        }

        public static explicit operator int(LogLevel level) => level.NumericLevel;

        public static explicit operator LogLevel(int value)
        {
            foreach(var candidate in AllLevels)
            {
                if(candidate.NumericLevel == value)
                {
                    return candidate;
                }
            }
            throw new ArgumentOutOfRangeException(nameof(value));
        }

        public static bool operator <(LogLevel a, LogLevel b) => a.NumericLevel < b.NumericLevel;

        public static bool operator >(LogLevel a, LogLevel b) => a.NumericLevel > b.NumericLevel;

        public static bool operator <=(LogLevel a, LogLevel b) => a.NumericLevel <= b.NumericLevel;

        public static bool operator >=(LogLevel a, LogLevel b) => a.NumericLevel >= b.NumericLevel;

        public int NumericLevel { get; }

        public string Name { get; }

        public int CompareTo(LogLevel? other) => other is null ? 1 : NumericLevel.CompareTo(other.NumericLevel);

        public override string ToString() => Name;

        private LogLevel(int level, string name)
        {
            NumericLevel = level;
            Name = name;
        }
    }

    /// <summary>One log entry as the host's backends see it.</summary>
    public readonly record struct LogEntry(LogLevel Level, string Source, string Message, bool IsGuestError);

    /// <summary>
    /// Renode: Antmicro.Renode.Logging.Logger. Peripherals only call Log; the host installs a backend.
    /// </summary>
    public static class Logger
    {
        /// <summary>Receives every entry; installed by the host (Renode has AddBackend for the same purpose).</summary>
        public static Action<LogEntry>? Backend { get; set; }

        /// <summary>Resolves the display name of an emulation element (installed by the host).</summary>
        public static Func<IEmulationElement, string>? NameResolver { get; set; }

        public static void Log(LogLevel type, string message, params object?[] args)
        {
            Emit(type, "", Format(message, args), false);
        }

        public static void LogAs(object? o, LogLevel type, string message, params object?[] args)
        {
            var source = o is IEmulationElement e ? NameOf(e) : o?.GetType().Name ?? "";
            Emit(type, source, Format(message, args), false);
        }

        /// <summary>Messages starting with this are guest errors (the peripherals log them through plain this.Log).</summary>
        public const string GuestErrorPrefix = "guest error: ";

        internal static void Emit(LogLevel type, string source, string message, bool guestError)
        {
            Backend?.Invoke(new LogEntry(type, source, message, guestError || message.StartsWith(GuestErrorPrefix, StringComparison.Ordinal)));
        }

        internal static string NameOf(IEmulationElement e)
        {
            return NameResolver?.Invoke(e) ?? e.GetType().Name;
        }

        internal static string Format(string message, object?[] args)
        {
            if(args == null || args.Length == 0)
            {
                return message;
            }
            try
            {
                return string.Format(System.Globalization.CultureInfo.InvariantCulture, message, args);
            }
            catch(FormatException)
            {
                return message + " [" + string.Join(", ", args) + "]";
            }
        }
    }

    /// <summary>Renode: the this.Log(...) family of extension methods on emulation elements.</summary>
    public static class LoggingExtensions
    {
        public static void Log(this IEmulationElement e, LogLevel type, string message, params object?[] args)
        {
            Logger.Emit(type, Logger.NameOf(e), Logger.Format(message, args), false);
        }

        public static void NoisyLog(this IEmulationElement e, string message, params object?[] args)
        {
            Log(e, LogLevel.Noisy, message, args);
        }

        public static void DebugLog(this IEmulationElement e, string message, params object?[] args)
        {
            Log(e, LogLevel.Debug, message, args);
        }

        public static void InfoLog(this IEmulationElement e, string message, params object?[] args)
        {
            Log(e, LogLevel.Info, message, args);
        }

        public static void WarningLog(this IEmulationElement e, string message, params object?[] args)
        {
            Log(e, LogLevel.Warning, message, args);
        }

        public static void ErrorLog(this IEmulationElement e, string message, params object?[] args)
        {
            Log(e, LogLevel.Error, message, args);
        }

        /// <summary>A guest did something the architecture calls an error (Renode logs these as warnings).</summary>
        public static void GuestError(this IEmulationElement e, string message, params object?[] args)
        {
            Logger.Emit(LogLevel.Warning, Logger.NameOf(e), Logger.Format(message, args), true);
        }

        public static void LogUnhandledRead(this IEmulationElement e, long offset)
        {
            Logger.Emit(LogLevel.Warning, Logger.NameOf(e), $"Unhandled read from offset 0x{offset:X}.", true);
        }

        public static void LogUnhandledWrite(this IEmulationElement e, long offset, ulong value)
        {
            Logger.Emit(LogLevel.Warning, Logger.NameOf(e), $"Unhandled write to offset 0x{offset:X}, value 0x{value:X}.", true);
        }
    }
}
