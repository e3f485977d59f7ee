using System;

namespace RenodeGic.Host.Platform
{
    /// <summary>A .repl (or .resc) problem, located: the message reads "file:line: what was wrong".</summary>
    public sealed class PlatformLoadException : Exception
    {
        public PlatformLoadException(string file, int line, string message, Exception? inner = null)
            : base($"{file}:{line}: {message}", inner)
        {
            File = file;
            Line = line;
            Reason = message;
        }

        public string File { get; }

        public int Line { get; }

        /// <summary>The message without the file:line prefix.</summary>
        public string Reason { get; }
    }

    /// <summary>A place in a source file.</summary>
    public readonly record struct SourcePosition(string File, int Line)
    {
        public override string ToString() => $"{File}:{Line}";

        public PlatformLoadException Error(string message, Exception? inner = null) => new PlatformLoadException(File, Line, message, inner);
    }
}
