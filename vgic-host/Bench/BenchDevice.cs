// The bench device: a storage-like device with one queue per vCPU, passed through to the guest, whose MSIs go
// through the physical ITS as DeviceID 1, EventID = queue. Queue q's registers (16 bytes at 0x10 * q):
//   +0x0 SUBMIT (write): start one request; it completes after the service time with an MSI (queue depth 1)
//   +0x4 ENTRY  (write): the guest's handler was entered for this queue's completion (the latency probe)
// and 0x800 STOP (read: 1 once the run is over, the guest stops submitting), 0x804 NQ (read: number of queues).
// Service times are deterministic: base + a per-queue xorshift draw in [0, jitter), so completions fall at
// varying phases of the guest's and the hypervisor's ticks, as real device latencies do.
using System;
using System.Collections.Generic;
using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using Antmicro.Renode.Peripherals.IRQControllers;
using RenodeGic.Host.Cpu;

namespace RenodeGic.VgicHost.Bench
{
    public sealed class BenchDevice : IDoubleWordPeripheral, IKnownSize
    {
        public const uint DeviceId = 1;

        public BenchDevice(CpuScheduler scheduler, ArmGicV3Its its, int queues, ulong serviceNs, ulong jitterNs)
        {
            this.scheduler = scheduler;
            this.its = its;
            this.serviceNs = serviceNs;
            this.jitterNs = jitterNs;
            msiAt = new ulong[queues];
            outstanding = new bool[queues];
            queueCompletions = new long[queues];
            random = new ulong[queues];
            for(var q = 0; q < queues; q++)
            {
                random[q] = 0x9E3779B97F4A7C15UL * (ulong)(q + 1);
            }
        }

        public long Size => 0x1000;

        /// <summary>Latency samples (ns from the MSI to the guest handler's ENTRY write) taken after <see cref="MeasureFromNs"/>.</summary>
        public List<ulong> Latencies { get; } = new List<ulong>();

        public long Completions { get; private set; }

        /// <summary>Completions per queue over the whole run (warm-up included): a queue that stalls stands out.</summary>
        public long[] QueueCompletions => queueCompletions;

        /// <summary>MSIs the ITS did not turn into a pending interrupt (should stay 0).</summary>
        public long DroppedMsis { get; private set; }

        public ulong MeasureFromNs { get; set; }

        public ulong StopAtNs { get; set; } = ulong.MaxValue;

        /// <summary>(queue, MSI time, entry time) of every completion, for the trace.</summary>
        public event Action<int, ulong, ulong>? Completed;

        public event Action<int, ulong>? MsiSent;

        public void Reset()
        {
        }

        public uint ReadDoubleWord(long offset)
        {
            if(offset == 0x800)
            {
                return Now >= StopAtNs ? 1u : 0;
            }
            if(offset == 0x804)
            {
                return (uint)msiAt.Length;
            }
            return 0;
        }

        public void WriteDoubleWord(long offset, uint value)
        {
            var q = (int)(offset / 0x10);
            if(offset >= 0x800 || q >= msiAt.Length)
            {
                return;
            }
            switch(offset % 0x10)
            {
            case 0x0:
                if(outstanding[q])
                {
                    return; // queue depth 1
                }
                outstanding[q] = true;
                var service = serviceNs + (jitterNs == 0 ? 0 : Next(q) % jitterNs);
                scheduler.ScheduleAfter(service, () =>
                {
                    outstanding[q] = false;
                    msiAt[q] = scheduler.RoundStartNs;
                    MsiSent?.Invoke(q, msiAt[q]);
                    if(!its.SendMsi(DeviceId, (uint)q))
                    {
                        DroppedMsis++;
                    }
                });
                break;
            case 0x4:
                if(msiAt[q] != 0)
                {
                    var now = Now;
                    var latency = now - msiAt[q];
                    if(msiAt[q] >= MeasureFromNs && now < StopAtNs)
                    {
                        Latencies.Add(latency);
                        Completions++;
                    }
                    queueCompletions[q]++;
                    Completed?.Invoke(q, msiAt[q], now);
                    msiAt[q] = 0;
                }
                break;
            }
        }

        private ulong Now => scheduler.Current?.LocalTimeNs ?? scheduler.RoundStartNs;

        private ulong Next(int q)
        {
            var x = random[q];
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            random[q] = x;
            return x;
        }

        private readonly CpuScheduler scheduler;
        private readonly ArmGicV3Its its;
        private readonly ulong serviceNs;
        private readonly ulong jitterNs;
        private readonly ulong[] msiAt;
        private readonly bool[] outstanding;
        private readonly long[] queueCompletions;
        private readonly ulong[] random;
    }
}
