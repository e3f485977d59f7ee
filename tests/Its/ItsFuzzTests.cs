// Property tests (CsCheck) of the ITS and LPIs:
// - random command streams over random table bytes, page sizes, table levels and faulting ranges never throw,
//   always make progress (every CWRITER write returns with CREADR == CWRITER or Stalled; a stalled command is
//   replaced and retried), and keep every CWRITER write cheap (bounded work);
// - against a reference model of the mappings: an LPI is delivered exactly once per trigger of a mapped event, to
//   the CPU of its collection, never for an unmapped or DISCARDed event.
// The default run is short (about 20 000 commands each); RENODEGIC_LONG_FUZZ=1 runs 1 000 000 commands each
// (Category "LongFuzz").
using System;
using System.Collections.Generic;
using System.Diagnostics;
using CsCheck;
using NUnit.Framework;
using static RenodeGic.Tests.Its.ItsCommandBuilder;

namespace RenodeGic.Tests.Its
{
    [TestFixture]
    [NonParallelizable]
    public class ItsFuzzTests
    {
        public static bool LongRun => Environment.GetEnvironmentVariable("RENODEGIC_LONG_FUZZ") == "1";

        /// <summary>One generated command: a kind and four numbers (random doublewords for the raw kind).</summary>
        public readonly record struct FuzzCommand(int Kind, uint A, uint B, uint C, ulong Raw0, ulong Raw1, ulong Raw2, ulong Raw3);

        public sealed record Scenario(int PageSizeCode, bool TwoLevelDevices, bool TwoLevelCollections, byte[] TableBytes, ulong[] Faults, int[] Batches,
            FuzzCommand[] Commands);

        private static readonly Gen<FuzzCommand> CommandGen =
            Gen.Select(Gen.Int[0, 17], Gen.UInt[0, 9], Gen.UInt[0, 40], Gen.UInt[0, 5], Gen.ULong, Gen.ULong, Gen.ULong, Gen.ULong,
                (k, a, b, c, r0, r1, r2, r3) => new FuzzCommand(k, a, b, c, r0, r1, r2, r3));

        private static Gen<Scenario> ScenarioGen(int commands) =>
            Gen.Select(Gen.Int[0, 2], Gen.Bool, Gen.Bool, Gen.Byte.Array[0, 512], Gen.ULong[0, 0x1F].Array[0, 2], Gen.Int[1, 40].Array[1, 20],
                CommandGen.Array[commands], (p, d, c, bytes, faults, batches, cmds) => new Scenario(p, d, c, bytes, faults, batches, cmds));

        [Test]
        public void RandomCommandStreamsShouldNeverThrowOrHang()
        {
            var (scenarios, perScenario) = LongRun ? (2000, 500) : (100, 200);
            RunRobustness(scenarios, perScenario);
        }

        [Test]
        public void LpisShouldBeDeliveredOncePerTriggerAndNeverAfterDiscard()
        {
            var (scenarios, perScenario) = LongRun ? (2000, 500) : (100, 200);
            RunModel(scenarios, perScenario);
        }

        [Test]
        [Category("LongFuzz")]
        [Explicit("1 000 000 random commands per property; run with RENODEGIC_LONG_FUZZ=1 or by name")]
        public void LongFuzz()
        {
            RunRobustness(2000, 500);
            RunModel(2000, 500);
        }

        private static void RunRobustness(int scenarios, int perScenario)
        {
            long total = 0;
            var worst = TimeSpan.Zero;
            ScenarioGen(perScenario).Sample(s =>
            {
                var (count, slowest) = RunScenario(s);
                total += count;
                worst = slowest > worst ? slowest : worst;
            }, iter: scenarios, threads: 1);
            TestContext.Out.WriteLine($"robustness: {total} commands, slowest CWRITER write {worst.TotalMilliseconds:0.00} ms");
            Assert.That(total, Is.GreaterThanOrEqualTo((long)scenarios * perScenario));
        }

        private static (long Commands, TimeSpan Slowest) RunScenario(Scenario s)
        {
            using var h = new ItsHarness(cpuCount: 3, deviceIdBits: 12, eventIdBits: 8, collectionIdBits: 4);
            for(var i = 0; i < 64; i++)
            {
                h.SetLpiConfiguration(8192 + i, (byte)(0x10 + 4 * i));
            }
            h.EnableLpis(0);
            h.EnableLpis(1);
            h.SetUpIts(s.TwoLevelDevices, s.TwoLevelCollections, s.PageSizeCode);
            // Random bytes over the start of every table (including level-1 entries of two-level tables).
            foreach(var table in new[] { ItsHarness.DeviceTableBase, ItsHarness.CollectionTableBase, ItsHarness.IttBase, ItsHarness.PropertyTable })
            {
                for(var i = 0; i < s.TableBytes.Length; i++)
                {
                    h.Bus.WriteByte(table + (ulong)i, s.TableBytes[i]);
                }
            }
            foreach(var fault in s.Faults)
            {
                // Faulting pages inside the tables, the ITT area or the command queue.
                h.Bus.AddFaultingRange(ItsHarness.RamBase + 0x30_0000 + fault * 0x10000 + 0x200, 0x100);
            }
            var slowest = TimeSpan.Zero;
            var done = 0;
            var batch = 0;
            var watch = new Stopwatch();
            while(done < s.Commands.Length)
            {
                var n = Math.Min(s.Batches[batch++ % s.Batches.Length], s.Commands.Length - done);
                var commands = new ulong[n][];
                for(var i = 0; i < n; i++)
                {
                    commands[i] = Build(s.Commands[done + i]);
                }
                watch.Restart();
                h.Commands(commands);
                var elapsed = watch.Elapsed;
                slowest = elapsed > slowest ? elapsed : slowest;
                var writer = h.ReadIts(ItsHarness.GITS_CWRITER);
                for(var retries = 0; (h.CommandReader & ~1UL) != writer; retries++)
                {
                    Assert.That(h.CommandReader & 1, Is.EqualTo(1ul), "CREADR stops short of CWRITER only when Stalled");
                    Assert.That(retries, Is.LessThanOrEqualTo(n), "every retry makes progress");
                    // Replace the stalled command by a SYNC and retry (what a driver would do after fixing its tables).
                    var stalledAt = ItsHarness.CommandQueue + (h.CommandReader & ~1UL);
                    h.Bus.ClearFaultingRanges();
                    var sync = Sync(0);
                    for(var i = 0; i < 4; i++)
                    {
                        h.Bus.WriteQuadWord(stalledAt + (ulong)(8 * i), sync[i]);
                    }
                    h.WriteIts(ItsHarness.GITS_CWRITER, writer | 1);
                }
                // Random MSIs and acknowledgements in between.
                var c = s.Commands[done];
                h.Its.SendMsi(c.A, c.B);
                h.Its.WriteDoubleWord(ItsHarness.GITS_TRANSLATER, (uint)c.Raw0);
                for(var cpu = 0; cpu < 3; cpu++)
                {
                    for(var guard = 0; guard < 70 && h.AcknowledgeAndEnd(cpu) != 1023; guard++)
                    {
                    }
                }
                done += n;
            }
            Assert.That(slowest.TotalMilliseconds, Is.LessThan(500), "bounded work per CWRITER write");
            return (done, slowest);
        }

        /// <summary>Commands over small ID ranges (so they often hit mapped state), plus raw random doublewords.</summary>
        private static ulong[] Build(FuzzCommand c)
        {
            var intid = c.B < 32 ? 8192 + c.B : c.B == 32 ? 1023u : 8192 + c.Raw0 % 70000;
            switch(c.Kind)
            {
            case 0: return Mapd(c.A, (int)(c.C % 6) + 1, (c.Raw1 & 1) == 0 ? ItsHarness.IttOf(c.A) : c.Raw1, c.Raw2 % 5 != 0);
            case 1: return Mapc(c.C, c.A % 4, c.Raw2 % 5 != 0);
            case 2: return Mapti(c.A, c.B, (uint)intid, c.C);
            case 3: return Mapi(c.A, c.B, c.C);
            case 4: return Int(c.A, c.B);
            case 5: return Clear(c.A, c.B);
            case 6: return Discard(c.A, c.B);
            case 7: return Inv(c.A, c.B);
            case 8: return Invall(c.C);
            case 9: return Movi(c.A, c.B, c.C);
            case 10: return Movall(c.A % 4, c.C % 4);
            case 11: return Sync(c.A % 4);
            case 12: return Mapc(c.C, c.Raw1, true);
            case 13: return Raw((byte)(c.Raw0 & 0x3F), c.Raw0, c.Raw1, c.Raw2, c.Raw3);
            default: return new[] { c.Raw0, c.Raw1, c.Raw2, c.Raw3 };
            }
        }

        // ---- Reference model -------------------------------------------------------------------------------------

        private static Gen<FuzzCommand[]> ModelGen(int n) => CommandGen.Array[n];

        private static void RunModel(int scenarios, int perScenario)
        {
            long triggers = 0, deliveries = 0;
            ModelGen(perScenario).Sample(commands =>
            {
                var (t, d) = RunModelScenario(commands);
                triggers += t;
                deliveries += d;
            }, iter: scenarios, threads: 1);
            TestContext.Out.WriteLine($"model: {(long)scenarios * perScenario} operations, {triggers} triggers, {deliveries} deliveries");
            Assert.That(deliveries, Is.GreaterThan(0), "the generator reaches mapped events");
        }

        private static (long Triggers, long Deliveries) RunModelScenario(FuzzCommand[] commands)
        {
            const int Devices = 4, Events = 4, Collections = 4;
            using var h = new ItsHarness(cpuCount: 3);
            for(var i = 0; i < 32; i++)
            {
                h.SetLpiConfiguration(8192 + i, (byte)(4 * i));
            }
            h.EnableLpisEverywhere();
            h.SetUpIts();
            var dte = new int?[Devices]; // EventID bits
            var cte = new int?[Collections]; // processor
            var ite = new Dictionary<(uint, uint), (int Intid, uint Icid)>();
            long triggers = 0, deliveries = 0;
            foreach(var c in commands)
            {
                var dev = c.A % Devices;
                var ev = c.B % Events;
                var icid = c.C % Collections;
                var intid = 8192 + (int)(c.Raw0 % 32);
                bool Mapped(out (int Intid, uint Icid) entry, out int cpu)
                {
                    cpu = -1;
                    entry = default;
                    return dte[dev] is int bits && ev < (1u << bits) && ite.TryGetValue((dev, ev), out entry) && cte[entry.Icid] is int p && (cpu = p) >= 0;
                }
                switch(c.Kind % 8)
                {
                case 0:
                    {
                        var valid = c.Raw1 % 4 != 0;
                        var bits = (int)(c.Raw2 % 4) + 1;
                        h.Commands(Mapd(dev, bits, ItsHarness.IttOf(dev), valid));
                        dte[dev] = valid ? bits : null;
                        break;
                    }
                case 1:
                    {
                        var processor = (int)(c.Raw1 % 4); // 3 is not attached: MAPC skipped
                        var valid = c.Raw2 % 4 != 0;
                        h.Commands(Mapc(icid, (ulong)processor, valid));
                        if(!valid)
                        {
                            cte[icid] = null;
                        }
                        else if(processor < 3)
                        {
                            cte[icid] = processor;
                        }
                        break;
                    }
                case 2:
                    h.Commands(Mapti(dev, ev, (uint)intid, icid));
                    if(dte[dev] is int b && ev < (1u << b))
                    {
                        ite[(dev, ev)] = (intid, icid);
                    }
                    break;
                case 3:
                    h.Commands(Discard(dev, ev));
                    if(Mapped(out _, out _))
                    {
                        ite.Remove((dev, ev));
                    }
                    break;
                case 4:
                    h.Commands(Movi(dev, ev, icid));
                    if(Mapped(out var moved, out _) && cte[icid] != null)
                    {
                        ite[(dev, ev)] = (moved.Intid, icid);
                    }
                    break;
                default:
                    {
                        triggers++;
                        var expected = Mapped(out var entry, out var cpu);
                        if((c.Kind & 1) == 0)
                        {
                            Assert.That(h.Its.SendMsi(dev, ev), Is.EqualTo(expected), "SendMsi result");
                        }
                        else
                        {
                            h.Commands(Int(dev, ev));
                        }
                        var seen = new List<(int Cpu, int Intid)>();
                        for(var p = 0; p < 3; p++)
                        {
                            for(int got; (got = h.AcknowledgeAndEnd(p)) != 1023;)
                            {
                                seen.Add((p, got));
                                Assert.That(seen.Count, Is.LessThanOrEqualTo(1), "at most one delivery per trigger");
                            }
                        }
                        deliveries += seen.Count;
                        Assert.That(seen, Is.EqualTo(expected ? new[] { (cpu, entry.Intid) } : Array.Empty<(int, int)>()),
                            expected ? "a mapped event is delivered once, to its collection's CPU" : "an unmapped or discarded event never fires");
                        break;
                    }
                }
                Assert.That(h.CommandReader & 1, Is.Zero, "no stall with tables in RAM");
            }
            return (triggers, deliveries);
        }
    }
}
