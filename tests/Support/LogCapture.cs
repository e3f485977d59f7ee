// Captures log entries through Antmicro.Renode.Logging.Logger.Backend for the duration of a test.
using System;
using System.Collections.Generic;
using System.Linq;
using Antmicro.Renode.Logging;

namespace RenodeGic.Tests.Support
{
    public sealed class LogCapture : IDisposable
    {
        public LogCapture()
        {
            previous = Logger.Backend;
            Logger.Backend = entry =>
            {
                lock(entries)
                {
                    entries.Add(entry);
                }
            };
        }

        public IReadOnlyList<LogEntry> Entries
        {
            get
            {
                lock(entries)
                {
                    return entries.ToList();
                }
            }
        }

        public IReadOnlyList<LogEntry> GuestErrors => Entries.Where(e => e.IsGuestError).ToList();

        public IReadOnlyList<LogEntry> Warnings => Entries.Where(e => e.Level >= LogLevel.Warning).ToList();

        public void Clear()
        {
            lock(entries)
            {
                entries.Clear();
            }
        }

        public void Dispose()
        {
            Logger.Backend = previous;
        }

        private readonly List<LogEntry> entries = new List<LogEntry>();
        private readonly Action<LogEntry>? previous;
    }
}
