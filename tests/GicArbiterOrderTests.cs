// The priority arbiter's candidate sets keep the best candidate at the end of their array, with O(1) fast paths
// for adding a new best and removing the current best (bench iar-eoi). These tests drive many candidates
// through every path (new best, insertion in the middle, removal of the best and of others, growth beyond the
// initial capacity, level re-pend on EOI) and check that acknowledges still come in (priority, INTID) order.
using System;
using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class GicArbiterOrderTests
    {
        [Test]
        public void ShouldAcknowledgeManyCandidatesInPriorityThenIntidOrder()
        {
            using var h = new GicHarness(cpuCount: 1);
            h.EnableAll();
            // 150 SPIs with scrambled priorities (several equal), pended in an order that hits every insertion
            // position: new best, middle, last; more than the set's initial capacity of 16.
            var intids = Enumerable.Range(40, 150).ToArray();
            var priority = new Dictionary<int, byte>();
            foreach(var intid in intids)
            {
                priority[intid] = (byte)(((intid * 37) % 31) << 3);
                h.ConfigureSpi(intid, priority[intid]);
            }
            foreach(var intid in intids.OrderBy(i => (i * 73) % 151))
            {
                h.WriteGicd(0x200 + 4 * (intid / 32), 1u << (intid % 32));
            }
            // Remove some candidates that are not the best (ICPENDR), then acknowledge everything.
            var cleared = intids.Where(i => i % 7 == 3).ToHashSet();
            foreach(var intid in cleared)
            {
                h.WriteGicd(0x280 + 4 * (intid / 32), 1u << (intid % 32));
            }
            var expected = intids.Where(i => !cleared.Contains(i)).OrderBy(i => priority[i]).ThenBy(i => i).ToList();
            var taken = new List<int>();
            for(var n = 0; n < expected.Count; n++)
            {
                Assert.That(h.ReadSys(0, Sys.ICC_HPPIR1_EL1), Is.EqualTo((ulong)expected[n]), $"HPPIR1 before acknowledge {n}");
                var intid = (int)h.ReadSys(0, Sys.ICC_IAR1_EL1);
                taken.Add(intid);
                h.WriteSys(0, Sys.ICC_EOIR1_EL1, (ulong)intid);
            }
            Assert.That(taken, Is.EqualTo(expected));
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
        }

        [Test]
        public void ShouldRependALevelInterruptAheadOfLowerCandidates()
        {
            using var h = new GicHarness(cpuCount: 1);
            h.EnableAll();
            h.ConfigureSpi(32, priority: 0x80);
            for(var intid = 40; intid < 240; intid++)
            {
                h.ConfigureSpi(intid, priority: 0xC0);
                h.WriteGicd(0x200 + 4 * (intid / 32), 1u << (intid % 32));
            }
            h.Gic.OnGPIO(0, true); // SPI 32, level, held high
            for(var n = 0; n < 5; n++)
            {
                Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(32ul));
                Assert.That(h.ReadSys(0, Sys.ICC_HPPIR1_EL1), Is.EqualTo(40ul), "while 32 is active, the best other candidate");
                h.WriteSys(0, Sys.ICC_EOIR1_EL1, 32); // deactivation re-pends it
            }
            h.Gic.OnGPIO(0, false);
            for(var intid = 40; intid < 240; intid++)
            {
                Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo((ulong)intid));
                h.WriteSys(0, Sys.ICC_EOIR1_EL1, (ulong)intid);
            }
            Assert.That(h.ReadSys(0, Sys.ICC_IAR1_EL1), Is.EqualTo(1023ul));
        }
    }
}
