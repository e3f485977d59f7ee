// Property tests (CsCheck) of the GICv4.0 side: random streams of V-commands (VMAPP, VMAPTI, VMAPI, VMOVI, VMOVP
// with and without ITSList, VSYNC, VINVALL) mixed with INT/CLEAR/DISCARD/INV/MOVI on virtual events, random bytes
// in the vPE tables, ITTs and virtual Pending tables, random faulting pages, random residency changes
// (GICR_VPENDBASER/VPROPBASER writes) and MSIs, across two ITSes: nothing ever throws, every CWRITER write ends
// with CREADR == CWRITER or Stalled (a stalled command replaced by VSYNC makes progress), and each write stays
// cheap (bounded work). The GICv4.1 variant adds VMAPP (4.1) with random Alloc/doorbell, VMOVP (4.1) with and
// without a new default doorbell, VSGI, INVDB, GITS_SGIR (64-bit and 32-bit halves), GICR_VSGIR/VSGIPENDR queries
// and 4.1 residency changes (vPEID, DB on de-scheduling). RENODEGIC_LONG_FUZZ=1 runs longer.
using System;
using System.Diagnostics;
using CsCheck;
using NUnit.Framework;
using static RenodeGic.Tests.Its.V41CommandBuilder;
using static RenodeGic.Tests.Its.VCommandBuilder;

namespace RenodeGic.Tests.Its
{
    [TestFixture]
    [NonParallelizable]
    public class Gicv4FuzzTests
    {
        public readonly record struct VFuzzCommand(int Kind, uint A, uint B, uint C, ulong Raw0, ulong Raw1, ulong Raw2, ulong Raw3);

        public sealed record VScenario(bool SingleVmovp, byte[] TableBytes, ulong[] Faults, int[] Batches, VFuzzCommand[] Commands);

        private static readonly Gen<VFuzzCommand> CommandGen =
            Gen.Select(Gen.Int[0, 24], Gen.UInt[0, 6], Gen.UInt[0, 20], Gen.UInt[0, 4], Gen.ULong, Gen.ULong, Gen.ULong, Gen.ULong,
                (k, a, b, c, r0, r1, r2, r3) => new VFuzzCommand(k, a, b, c, r0, r1, r2, r3));

        private static Gen<VScenario> ScenarioGen(int commands) =>
            Gen.Select(Gen.Bool, Gen.Byte.Array[0, 256], Gen.ULong[0, 0x1F].Array[0, 2], Gen.Int[1, 30].Array[1, 10], CommandGen.Array[commands],
                (single, bytes, faults, batches, cmds) => new VScenario(single, bytes, faults, batches, cmds));

        [Test]
        public void RandomVCommandStreamsShouldNeverThrowOrHang() => Fuzz(gicv41: false);

        [Test]
        public void RandomGicv41CommandStreamsShouldNeverThrowOrHang() => Fuzz(gicv41: true);

        private static void Fuzz(bool gicv41)
        {
            var longRun = Environment.GetEnvironmentVariable("RENODEGIC_LONG_FUZZ") == "1";
            var (scenarios, perScenario) = longRun ? (1000, 500) : (60, 150);
            long total = 0;
            var worst = TimeSpan.Zero;
            ScenarioGen(perScenario).Sample(s =>
            {
                var (count, slowest) = Run(s, gicv41);
                total += count;
                worst = slowest > worst ? slowest : worst;
            }, iter: scenarios, threads: 1);
            TestContext.Out.WriteLine($"V-command robustness{(gicv41 ? " (GICv4.1)" : "")}: {total} commands, slowest CWRITER write {worst.TotalMilliseconds:0.00} ms");
            Assert.That(total, Is.GreaterThanOrEqualTo((long)scenarios * perScenario));
            Assert.That(worst, Is.LessThan(TimeSpan.FromSeconds(2)), "bounded work per CWRITER write");
        }

        private static (long, TimeSpan) Run(VScenario s, bool gicv41)
        {
            using var h = new Gicv4Harness(cpuCount: 2, itsCount: 2, singleVmovp: s.SingleVmovp, gicv41: gicv41);
            for(var i = 0; i < 32; i++)
            {
                h.SetVlpiConfiguration(8192 + i, (byte)(0x10 + 4 * i));
            }
            if(gicv41)
            {
                for(var cpu = 0; cpu < 2; cpu++)
                {
                    // GICR_VPROPBASER (4.1): ITS 0's vPE table, 64 KiB pages, 2 pages.
                    h.WriteGicrQuad(cpu, Gicv4Harness.GICR_VPROPBASER, (1UL << 63) | (2UL << 53) | Gicv4Harness.VpeTables | 1);
                }
            }
            foreach(var table in new[] { Gicv4Harness.VpeTables, Gicv4Harness.Itts, Gicv4Harness.Vpts, Gicv4Harness.VirtualPropertyTable })
            {
                for(var i = 0; i < s.TableBytes.Length; i++)
                {
                    h.Bus.WriteByte(table + (ulong)i, s.TableBytes[i]);
                }
            }
            foreach(var fault in s.Faults)
            {
                h.Bus.AddFaultingRange(Gicv4Harness.RamBase + 0x58_0000 + fault * 0x10000 + 0x100, 0x100);
            }
            var slowest = TimeSpan.Zero;
            var watch = new Stopwatch();
            var done = 0;
            var batch = 0;
            while(done < s.Commands.Length)
            {
                var n = Math.Min(s.Batches[batch++ % s.Batches.Length], s.Commands.Length - done);
                var its = (int)(s.Commands[done].C & 1);
                var commands = new ulong[n][];
                for(var i = 0; i < n; i++)
                {
                    commands[i] = gicv41 ? Build41(s.Commands[done + i]) : Build(s.Commands[done + i]);
                }
                watch.Restart();
                h.CommandsOn(its, commands);
                var elapsed = watch.Elapsed;
                slowest = elapsed > slowest ? elapsed : slowest;
                var writer = h.Its[its].ReadQuadWord(Gicv4Harness.GITS_CWRITER);
                for(var retries = 0; (h.CommandReader(its) & ~1UL) != writer; retries++)
                {
                    Assert.That(h.CommandReader(its) & 1, Is.EqualTo(1UL), "CREADR stops short of CWRITER only when Stalled");
                    Assert.That(retries, Is.LessThanOrEqualTo(n), "every retry makes progress");
                    var stalledAt = Gicv4Harness.CommandQueues + (ulong)its * 0x10000 + (h.CommandReader(its) & ~1UL);
                    h.Bus.ClearFaultingRanges();
                    var vsync = Vsync(0);
                    for(var k = 0; k < 4; k++)
                    {
                        h.Bus.WriteQuadWord(stalledAt + (ulong)(8 * k), vsync[k]);
                    }
                    h.Its[its].WriteQuadWord(Gicv4Harness.GITS_CWRITER, writer | 1);
                }
                // Residency changes, MSIs and guest/host acknowledgements in between.
                var c = s.Commands[done];
                var cpu = (int)(c.A & 1);
                switch(c.Kind % 4)
                {
                case 0:
                    h.WriteGicrQuad(cpu, Gicv4Harness.GICR_VPROPBASER, c.Raw1);
                    h.WriteGicrQuad(cpu, Gicv4Harness.GICR_VPENDBASER, c.Raw2);
                    break;
                case 1:
                    // GICv4.1: Valid | vGrp0En | vGrp1En | vPEID; GICv4.0: Valid | VPT address.
                    h.WriteGicrQuad(cpu, Gicv4Harness.GICR_VPENDBASER,
                        Gicv4Harness.Valid | (gicv41 ? (3UL << 58) | (c.C % 6) : Gicv4Harness.VptOf(c.B % 4)));
                    break;
                case 2:
                    h.WriteGicrQuad(cpu, Gicv4Harness.GICR_VPENDBASER, gicv41 && (c.Raw3 & 1) != 0 ? (1UL << 62) | (3UL << 58) : 0); // 4.1: DB
                    break;
                }
                if(gicv41)
                {
                    // vSGIs: GITS_SGIR (64-bit, or two 32-bit halves), then a GICR_VSGIR/VSGIPENDR query.
                    if((c.Raw3 & 2) != 0)
                    {
                        h.Its[its].WriteQuadWord(0x20020, ((ulong)(c.C % 6) << 32) | (c.B & 0xF));
                    }
                    else
                    {
                        h.Its[its].WriteDoubleWord(0x20020, c.B & 0xF);
                        h.Its[its].WriteDoubleWord(0x20024, (uint)(c.Raw3 >> 32));
                    }
                    h.WriteGicrQuad(cpu, 0x20080, c.C % 6);
                    h.ReadGicr(cpu, 0x20088);
                    h.ReadGicr(cpu, 0x20088);
                }
                h.ReadGicr(cpu, Gicv4Harness.GICR_VPENDBASER);
                h.Its[its].SendMsi(c.A, c.B);
                h.Its[its].WriteDoubleWord(Gicv4Harness.GITS_TRANSLATER, (uint)c.Raw0);
                for(var n2 = 0; n2 < 2; n2++)
                {
                    for(var guard = 0; guard < 40 && h.GuestAcknowledgeAndEnd(n2) != 1023; guard++)
                    {
                    }
                    for(var guard = 0; guard < 40 && h.HostAcknowledgeAndEnd(n2) != 1023; guard++)
                    {
                    }
                }
                done += n;
            }
            return (s.Commands.Length, slowest);
        }

        /// <summary>GICv4.1: the 4.1 forms of VMAPP/VMOVP, VSGI, INVDB, else the GICv4.0 mix (nID = 1 makes most doorbells invalid).</summary>
        private static ulong[] Build41(VFuzzCommand c)
        {
            var vpt = Gicv4Harness.VptOf(c.C);
            var doorbell = (c.Raw0 & 4) != 0 ? NoDoorbell : 8192 + (uint)(c.Raw1 % 64);
            switch(c.Kind)
            {
            case 1: return Vmapp41(c.C, c.A % 3, vpt, 14 + (int)(c.B % 4), Gicv4Harness.VirtualPropertyTable, doorbell, alloc: (c.Raw0 & 8) != 0);
            case 2: return Vmapp41(c.C, 0, 0, 16, 0, NoDoorbell, valid: false);
            case 3: return Vmapti(c.A, c.B, c.C, 8192 + c.B, (c.Raw0 & 1) != 0 ? NoDoorbell : 8192 + (uint)(c.Raw1 % 64));
            case 6: return Vmovp41(c.C, c.A % 3, (c.Raw0 & 2) != 0 ? doorbell : null);
            case 19:
            case 20: return Vsgi(c.C, (int)(c.B & 0xF), (byte)c.Raw1, group1: (c.Raw0 & 1) != 0, enable: (c.Raw0 & 2) == 0, clear: (c.Raw0 & 4) != 0);
            case 21: return Invdb(c.C);
            case 22: return new[] { (c.Raw0 & ~0xFFUL) | 0x23, c.Raw1, c.Raw2, c.Raw3 }; // VSGI with random fields
            case 23: return new[] { (c.Raw0 & ~0xFFUL) | 0x2E, c.Raw1, c.Raw2, c.Raw3 }; // INVDB with random fields
            default: return Build(c);
            }
        }

        private static ulong[] Build(VFuzzCommand c)
        {
            var vpt = Gicv4Harness.VptOf(c.C);
            var vintid = 8192 + c.B;
            switch(c.Kind)
            {
            case 0: return ItsCommandBuilder.Mapd(c.A, 5, Gicv4Harness.IttOf((int)(c.C & 1), c.A));
            case 1: return Vmapp(c.C, c.A % 3, vpt, 14 + (int)(c.B % 4));
            case 2: return Vmapp(c.C, 0, vpt, 16, valid: false);
            case 3: return Vmapti(c.A, c.B, c.C, vintid, (c.Raw0 & 1) != 0 ? NoDoorbell : 8192 + (uint)(c.Raw1 % 64));
            case 4: return Vmapi(c.A, c.B + 8192 - 20, c.C);
            case 5: return Vmovi(c.A, c.B, c.C, (c.Raw0 & 2) != 0 ? 8200u : null);
            case 6: return Vmovp(c.C, c.A % 3, (ushort)(c.Raw0 % 4), (ushort)(c.Raw1 % 8));
            case 7: return Vsync(c.C);
            case 8: return Vinvall(c.C);
            case 9: return ItsCommandBuilder.Int(c.A, c.B);
            case 10: return ItsCommandBuilder.Clear(c.A, c.B);
            case 11: return ItsCommandBuilder.Discard(c.A, c.B);
            case 12: return ItsCommandBuilder.Inv(c.A, c.B);
            case 13: return ItsCommandBuilder.Movi(c.A, c.B, c.C);
            case 14: return ItsCommandBuilder.Mapc(c.C, c.A % 3);
            case 15: return ItsCommandBuilder.Mapti(c.A, c.B, vintid, c.C);
            case 16: return new[] { (c.Raw0 & ~0xFFUL) | (0x20UL + (c.Raw0 & 0xF)), c.Raw1, c.Raw2, c.Raw3 }; // random V-opcode, random fields
            case 17: return new[] { (c.Raw0 & ~0xFFUL) | 0x29, c.Raw1, c.Raw2, c.Raw3 }; // VMAPP with random fields
            case 18: return new[] { (c.Raw0 & ~0xFFUL) | 0x22, c.Raw1, c.Raw2, c.Raw3 }; // VMOVP with random fields
            default: return new[] { c.Raw0, c.Raw1, c.Raw2, c.Raw3 };
            }
        }
    }
}
