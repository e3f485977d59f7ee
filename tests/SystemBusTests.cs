using System.Collections.Generic;
using Antmicro.Renode.Logging;
using Antmicro.Renode.Peripherals.HostTest;
using Antmicro.Renode.Peripherals.Memory;
using NUnit.Framework;
using RenodeGic.Host.Emulation;

namespace RenodeGic.Tests
{
    [TestFixture]
    [NonParallelizable]
    public sealed class SystemBusTests
    {
        [SetUp]
        public void SetUp()
        {
            machine = new Machine("bus-test");
            bus = machine.SystemBus;
            log = new List<LogEntry>();
            Logger.Backend = log.Add;
        }

        [TearDown]
        public void TearDown()
        {
            Logger.Backend = null;
            machine.Dispose();
        }

        [Test]
        public void RamShouldServeEveryWidthLittleEndian()
        {
            var memory = new MappedMemory(machine, 0x10000);
            machine.Register("memory", memory);
            bus.Register(memory, 0x4000_0000, "memory");

            bus.Write(0x4000_0010, 8, 0x1122_3344_5566_7788);
            Assert.That(bus.Read(0x4000_0010, 1), Is.EqualTo(0x88));
            Assert.That(bus.Read(0x4000_0011, 2), Is.EqualTo(0x6677));
            Assert.That(bus.Read(0x4000_0014, 4), Is.EqualTo(0x1122_3344));
            Assert.That(bus.ReadQuadWord(0x4000_0010), Is.EqualTo(0x1122_3344_5566_7788));
            Assert.That(bus.RamRegions, Has.Count.EqualTo(1));
            Assert.That(bus.RamRegions[0].Address, Is.EqualTo(0x4000_0000));
            Assert.That(memory.Pointer, Is.Not.EqualTo(System.IntPtr.Zero));
        }

        [Test]
        public void ShouldCopyBytesAcrossRamAndBeyond()
        {
            var memory = new MappedMemory(machine, 0x1000);
            bus.Register(memory, 0x1000, "memory");
            bus.WriteBytes(new byte[] { 1, 2, 3, 4 }, 0x1FFE);
            Assert.That(bus.ReadBytes(0x1FFC, 4), Is.EqualTo(new byte[] { 0, 0, 1, 2 }));
            Assert.That(bus.GuestErrorCount, Is.EqualTo(2), "the two bytes past the end of RAM are guest errors");
        }

        [Test]
        public void ShouldCallDoubleWordPeripheralNatively()
        {
            var device = new DoubleWordDevice();
            var region = bus.Register(device, 0x0900_0000, "dev")!;
            bus.Write(0x0900_0004, 4, 0xCAFEF00D);
            Assert.That(bus.Read(0x0900_0004, 4), Is.EqualTo(0xCAFEF00D));
            Assert.That(device.Accesses, Is.EqualTo(new[] { "W4@4=CAFEF00D", "R4@4" }));
            Assert.That(region.Read(4, 4), Is.EqualTo(0xCAFEF00D), "a CPU MMIO callback reads through the region directly");
        }

        [Test]
        public void QuadWordAccessShouldBeTwoDoubleWordsLowFirst()
        {
            var device = new DoubleWordDevice();
            bus.Register(device, 0x0900_0000, "dev");
            bus.Write(0x0900_0008, 8, 0x1111_2222_3333_4444);
            var value = bus.Read(0x0900_0008, 8);
            Assert.That(value, Is.EqualTo(0x1111_2222_3333_4444));
            Assert.That(device.Accesses, Is.EqualTo(new[] { "W4@8=33334444", "W4@C=11112222", "R4@8", "R4@C" }));
        }

        [Test]
        public void NarrowReadShouldExtractFromTheWiderRegister()
        {
            var device = new DoubleWordDevice();
            bus.Register(device, 0x0900_0000, "dev");
            bus.Write(0x0900_0000, 4, 0xAABBCCDD);
            device.Accesses.Clear();
            Assert.That(bus.Read(0x0900_0001, 1), Is.EqualTo(0xCC));
            Assert.That(bus.Read(0x0900_0002, 2), Is.EqualTo(0xAABB));
            Assert.That(device.Accesses, Is.EqualTo(new[] { "R4@0", "R4@0" }));
        }

        [Test]
        public void NarrowWriteShouldReadModifyWriteAndLogNoisy()
        {
            var device = new DoubleWordDevice();
            bus.Register(device, 0x0900_0000, "dev");
            bus.Write(0x0900_0000, 4, 0xAABBCCDD);
            device.Accesses.Clear();
            bus.Write(0x0900_0002, 1, 0x11);
            bus.Write(0x0900_0000, 2, 0x2233);
            Assert.That(bus.Read(0x0900_0000, 4), Is.EqualTo(0xAA112233));
            Assert.That(device.Accesses, Is.EqualTo(new[] { "R4@0", "W4@0=AA11CCDD", "R4@0", "W4@0=AA112233", "R4@0" }));
            Assert.That(log.FindAll(e => e.Level == LogLevel.Noisy && e.Message.Contains("read-modify-write")), Has.Count.EqualTo(2));
        }

        [TestCase(1, 0x10UL, "gamma R1@0")]
        [TestCase(2, 0xD000UL, "delta R2@0")]
        [TestCase(4, 0xA0000000UL, "alpha R4@0")]
        [TestCase(8, 0xB000_0000_0000_0000UL, "beta R8@0")]
        public void MultiRegistrationShouldDispatchToTheRegionMethodsAtTheirNativeWidth(int width, ulong expected, string access)
        {
            var device = new MultiRegionDevice();
            RegisterAllRegions(device);
            var address = width switch { 1 => 0x3000UL, 2 => 0x4000UL, 4 => 0x1000UL, _ => 0x2000UL };
            Assert.That(bus.Read(address, width), Is.EqualTo(expected));
            Assert.That(device.Accesses, Is.EqualTo(new[] { access }));
        }

        [Test]
        public void MultiRegistrationShouldAdaptWidthsPerRegion()
        {
            var device = new MultiRegionDevice();
            RegisterAllRegions(device);
            Assert.That(bus.Read(0x1008, 8), Is.EqualTo(0xA000000C_A0000008UL), "8 bytes from a 32-bit region: low then high");
            Assert.That(bus.Read(0x2004, 4), Is.EqualTo(0xB0000000UL), "4 bytes from a 64-bit region: high half of the aligned quad word");
            Assert.That(bus.Read(0x3002, 2), Is.EqualTo(0x1312UL), "2 bytes from a byte region");
            bus.Write(0x4000, 4, 0x1234_5678);
            bus.Write(0x1000, 4, 0x42);
            Assert.That(device.Accesses, Is.EqualTo(new[]
            {
                "alpha R4@8", "alpha R4@C", "beta R8@0", "gamma R1@2", "gamma R1@3", "delta W2@0=5678", "delta W2@2=1234", "alpha W4@0=42",
            }));
            Assert.That(bus.MmioRegions, Has.Count.EqualTo(4));
            Assert.That(bus.MmioRegions[0].Name, Is.EqualTo("multi.alpha"));
            Assert.That(bus.MmioRegions[0].RegionName, Is.EqualTo("alpha"));
        }

        [Test]
        public void UnmappedReadShouldLogAGuestErrorAndReturnZero()
        {
            Assert.That(bus.Read(0xDEAD_0000, 4), Is.EqualTo(0));
            bus.Write(0xDEAD_0008, 2, 0x55);
            Assert.That(bus.GuestErrorCount, Is.EqualTo(2));
            Assert.That(log, Has.Count.EqualTo(2));
            Assert.That(log[0].IsGuestError, Is.True);
            Assert.That(log[0].Source, Is.EqualTo("sysbus"));
            Assert.That(log[0].Message, Does.Contain("0xDEAD0000").And.Contain("width 4").And.Contain("unmapped"));
            Assert.That(log[1].Message, Does.Contain("0x55").And.Contain("0xDEAD0008").And.Contain("width 2"));
        }

        [Test]
        public void BadWidthsAndStraddlingAccessesShouldBeGuestErrors()
        {
            var device = new DoubleWordDevice(0x10);
            bus.Register(device, 0x1000, "dev");
            Assert.That(bus.Read(0x1000, 3), Is.EqualTo(0));
            Assert.That(bus.Read(0x100C, 8), Is.EqualTo(0));
            Assert.That(bus.GuestErrorCount, Is.EqualTo(2));
            Assert.That(log[0].Message, Does.Contain("unsupported access width 3"));
            Assert.That(log[1].Message, Does.Contain("straddles"));
            Assert.That(device.Accesses, Is.Empty);
        }

        [Test]
        public void OverlappingRegistrationsShouldBeRefused()
        {
            bus.Register(new DoubleWordDevice(0x100), 0x1000, "first");
            var e = Assert.Throws<BusRegistrationException>(() => bus.Register(new DoubleWordDevice(0x100), 0x10F0, "second"));
            Assert.That(e!.Message, Does.Contain("'second'").And.Contain("overlaps 'first'"));
            Assert.Throws<BusRegistrationException>(() => bus.RegisterMemory(new MappedMemory(machine, 0x1000), 0x800));
        }

        [Test]
        public void RegionWithoutMethodsShouldBeRefused()
        {
            var e = Assert.Throws<BusRegistrationException>(() => bus.RegisterRegion(new MultiRegionDevice(), "epsilon", 0x1000, 0x100, "multi"));
            Assert.That(e!.Message, Does.Contain("[ConnectionRegion(\"epsilon\")]"));
        }

        [Test]
        public void LookupShouldFindEveryRegionAmongMany()
        {
            var devices = new List<DoubleWordDevice>();
            for(var i = 0; i < 32; i++)
            {
                var device = new DoubleWordDevice(0x100);
                devices.Add(device);
                bus.Register(device, 0x1000_0000UL + (ulong)(31 - i) * 0x1000, "dev" + i);
            }
            for(var i = 0; i < 32; i++)
            {
                bus.Write(0x1000_0000UL + (ulong)(31 - i) * 0x1000 + 4, 4, (ulong)i);
            }
            for(var i = 0; i < 32; i++)
            {
                Assert.That(devices[i].Accesses, Is.EqualTo(new[] { $"W4@4={i:X}" }));
            }
            Assert.That(bus.IsMapped(0x1000_0100), Is.False);
        }

        private void RegisterAllRegions(MultiRegionDevice device)
        {
            machine.Register("multi", device);
            bus.RegisterRegion(device, "alpha", 0x1000, 0x100, "multi");
            bus.RegisterRegion(device, "beta", 0x2000, 0x100, "multi");
            bus.RegisterRegion(device, "gamma", 0x3000, 0x100, "multi");
            bus.RegisterRegion(device, "delta", 0x4000, 0x100, "multi");
        }

        private Machine machine = null!;
        private SystemBus bus = null!;
        private List<LogEntry> log = null!;
    }
}
