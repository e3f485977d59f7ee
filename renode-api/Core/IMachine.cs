// Renode-shaped API layer: Antmicro.Renode.Core.IMachine, the subset peripherals use.
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Time;

namespace Antmicro.Renode.Core
{
    public interface IMachine
    {
        /// <summary>The machine's system bus (Renode: IMachine.SystemBus).</summary>
        IBusController SystemBus { get; }

        /// <summary>The bus a peripheral sees when it masters transactions (Renode: IMachine.GetSystemBus).</summary>
        IBusController GetSystemBus(IPeripheral peripheral);

        /// <summary>Virtual time elapsed since the machine started (Renode: IMachine.ElapsedVirtualTime).</summary>
        TimeStamp ElapsedVirtualTime { get; }

        /// <summary>Name the machine gives a peripheral (Renode: IMachine.TryGetLocalName / GetLocalName).</summary>
        bool TryGetLocalName(IPeripheral peripheral, out string name);
    }
}

namespace Antmicro.Renode.Time
{
    /// <summary>Renode: Antmicro.Renode.Time.TimeStamp (reduced to the interval since start).</summary>
    public readonly struct TimeStamp
    {
        public TimeStamp(TimeInterval timeElapsed)
        {
            TimeElapsed = timeElapsed;
        }

        public TimeInterval TimeElapsed { get; }
    }

    /// <summary>Renode: Antmicro.Renode.Time.TimeInterval, kept in ticks of one nanosecond here.</summary>
    public readonly struct TimeInterval : System.IComparable<TimeInterval>
    {
        public static TimeInterval FromNanoseconds(ulong ns)
        {
            return new TimeInterval(ns);
        }

        public static TimeInterval FromMicroseconds(ulong us)
        {
            return new TimeInterval(us * 1000);
        }

        public static TimeInterval FromMilliseconds(ulong ms)
        {
            return new TimeInterval(ms * 1000_000);
        }

        public static TimeInterval FromSeconds(double s)
        {
            return new TimeInterval((ulong)System.Math.Round(s * 1e9));
        }

        public ulong TotalNanoseconds => ticks;

        public double TotalMicroseconds => ticks / 1e3;

        public double TotalMilliseconds => ticks / 1e6;

        public double TotalSeconds => ticks / 1e9;

        public int CompareTo(TimeInterval other)
        {
            return ticks.CompareTo(other.ticks);
        }

        public override string ToString()
        {
            return $"{TotalSeconds:0.000000000}s";
        }

        private TimeInterval(ulong ns)
        {
            ticks = ns;
        }

        private readonly ulong ticks;
    }
}
