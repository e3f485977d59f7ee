// Tests of the Renode-shaped register framework in renode-api/Core/Structure/Registers.
using System;
using System.Collections.Generic;
using Antmicro.Renode.Core.Structure.Registers;
using Antmicro.Renode.Peripherals;
using NUnit.Framework;
using RenodeGic.Tests.Support;

namespace RenodeGic.Tests
{
    [TestFixture]
    public class RegisterFrameworkTests
    {
        [SetUp]
        public void SetUp()
        {
            log = new LogCapture();
            owner = new DummyPeripheral();
            collection = new DoubleWordRegisterCollection(owner);
        }

        [TearDown]
        public void TearDown()
        {
            log.Dispose();
        }

        [Test]
        public void ShouldReadResetValueIncludingBitsOutsideFields()
        {
            collection.DefineRegister(0x0, 0xA5A50000).WithValueField(0, 8, name: "LOW");
            Assert.That(collection.Read(0x0), Is.EqualTo(0xA5A50000u));
        }

        [Test]
        public void ShouldWriteReadWriteFieldAndKeepOtherBits()
        {
            collection.DefineRegister(0x4).WithValueField(4, 8, out var field).WithFlag(0, out var flag);
            collection.Write(0x4, 0xFFFF_FFFF);
            Assert.That(field.Value, Is.EqualTo(0xFFul));
            Assert.That(flag.Value, Is.True);
            Assert.That(collection.Read(0x4), Is.EqualTo(0xFF1u));
        }

        [Test]
        public void ShouldIgnoreWritesToReadOnlyField()
        {
            collection.DefineRegister(0x0, 0x3).WithValueField(0, 2, out var field, FieldMode.Read);
            collection.Write(0x0, 0x0);
            Assert.That(field.Value, Is.EqualTo(3ul));
        }

        [Test]
        public void ShouldReturnZeroForWriteOnlyField()
        {
            collection.DefineRegister(0x0).WithValueField(0, 8, out var field, FieldMode.Write);
            collection.Write(0x0, 0x42);
            Assert.That(field.Value, Is.EqualTo(0x42ul));
            Assert.That(collection.Read(0x0), Is.EqualTo(0u));
        }

        [TestCase(FieldMode.Read | FieldMode.Set, 0b0101u, 0b0011u, 0b0111u, TestName = "Set ORs written ones")]
        [TestCase(FieldMode.Read | FieldMode.Toggle, 0b0101u, 0b0011u, 0b0110u, TestName = "Toggle XORs written ones")]
        [TestCase(FieldMode.Read | FieldMode.WriteOneToClear, 0b0101u, 0b0011u, 0b0100u, TestName = "W1C clears written ones")]
        [TestCase(FieldMode.Read | FieldMode.WriteZeroToClear, 0b0101u, 0b0011u, 0b0001u, TestName = "W0C clears written zeros")]
        [TestCase(FieldMode.Read | FieldMode.WriteToClear, 0b0101u, 0b0000u, 0b0000u, TestName = "WriteToClear clears on any write")]
        [TestCase(FieldMode.Read | FieldMode.WriteToSet, 0b0101u, 0b0000u, 0b1111u, TestName = "WriteToSet sets on any write")]
        [TestCase(FieldMode.Read | FieldMode.WriteZeroToSet, 0b0101u, 0b0011u, 0b1101u, TestName = "W0S sets written zeros")]
        public void ShouldApplyWriteMode(FieldMode mode, uint initial, uint written, uint expected)
        {
            collection.DefineRegister(0x0, initial).WithValueField(0, 4, mode);
            collection.Write(0x0, written);
            Assert.That(collection.Read(0x0), Is.EqualTo(expected));
        }

        [Test]
        public void ShouldClearReadToClearFieldAfterReturningItsValue()
        {
            var changes = new List<(bool, bool)>();
            collection.DefineRegister(0x0, 0x1).WithFlag(0, FieldMode.ReadToClear, changeCallback: (o, n) => changes.Add((o, n)));
            Assert.That(collection.Read(0x0), Is.EqualTo(1u));
            Assert.That(collection.Read(0x0), Is.EqualTo(0u));
            Assert.That(changes, Is.EqualTo(new[] { (true, false) }));
        }

        [Test]
        public void ShouldCallWriteCallbackWithWrittenValueEvenIfUnchanged()
        {
            var writes = new List<(ulong, ulong)>();
            var changes = 0;
            collection.DefineRegister(0x0, 0x5).WithValueField(0, 4, writeCallback: (o, n) => writes.Add((o, n)), changeCallback: (_, __) => changes++);
            collection.Write(0x0, 0x5);
            collection.Write(0x0, 0x7);
            Assert.That(writes, Is.EqualTo(new[] { (5ul, 5ul), (5ul, 7ul) }));
            Assert.That(changes, Is.EqualTo(1));
        }

        [Test]
        public void ShouldPassWrittenBitsToSetModeWriteCallback()
        {
            var written = new List<bool>();
            collection.DefineRegister(0x0).WithFlags(0, 4, FieldMode.Read | FieldMode.Set, writeCallback: (i, _, v) =>
            {
                if(v)
                {
                    written.Add(i == 2);
                }
            });
            collection.Write(0x0, 0b0100);
            Assert.That(written, Is.EqualTo(new[] { true }));
        }

        [Test]
        public void ShouldUseValueProviderForReads()
        {
            var backing = 0x12ul;
            collection.DefineRegister(0x8).WithValueField(0, 8, FieldMode.Read, valueProviderCallback: _ => backing);
            Assert.That(collection.Read(0x8), Is.EqualTo(0x12u));
            backing = 0x34;
            Assert.That(collection.Read(0x8), Is.EqualTo(0x34u));
        }

        [Test]
        public void ShouldCallRegisterLevelCallbacks()
        {
            var reads = 0;
            (uint, uint)? lastWrite = null;
            (uint, uint)? lastChange = null;
            collection.DefineRegister(0x0, 0x10).WithValueField(0, 8)
                .WithReadCallback((_, __) => reads++)
                .WithWriteCallback((o, n) => lastWrite = (o, n))
                .WithChangeCallback((o, n) => lastChange = (o, n));
            collection.Read(0x0);
            collection.Write(0x0, 0x22);
            Assert.That(reads, Is.EqualTo(1));
            Assert.That(lastWrite, Is.EqualTo((0x10u, 0x22u)));
            Assert.That(lastChange, Is.EqualTo((0x10u, 0x22u)));
        }

        [Test]
        public void ShouldResetOnlySoftResettableFields()
        {
            collection.DefineRegister(0x0, 0x11).WithValueField(0, 4, out var soft).WithValueField(4, 4, out var hard, softResettable: false);
            collection.Write(0x0, 0xEE);
            collection.Reset();
            Assert.That(soft.Value, Is.EqualTo(1ul));
            Assert.That(hard.Value, Is.EqualTo(0xEul));
        }

        [Test]
        public void ShouldResetNonSoftResettableRegisterNever()
        {
            collection.DefineRegister(0x0, 0x1, softResettable: false).WithValueField(0, 8);
            collection.Write(0x0, 0x9);
            collection.Reset();
            Assert.That(collection.Read(0x0), Is.EqualTo(9u));
        }

        [Test]
        public void ShouldLogAndReturnZeroForUnhandledOffsets()
        {
            collection.DefineRegister(0x0).WithValueField(0, 32);
            Assert.That(collection.Read(0x40), Is.EqualTo(0u));
            collection.Write(0x44, 0x1);
            Assert.That(collection.TryRead(0x48, out _), Is.False);
            Assert.That(collection.TryWrite(0x48, 1), Is.False);
            Assert.That(log.GuestErrors, Has.Count.EqualTo(2));
            Assert.That(log.GuestErrors[0].Message, Does.Contain("0x40"));
            Assert.That(log.GuestErrors[1].Message, Does.Contain("0x44"));
        }

        [Test]
        public void ShouldNotMatchMisalignedOffsetInDenseMap()
        {
            collection.DefineRegister(0x0, 0x1);
            collection.DefineRegister(0x8, 0x2);
            Assert.That(collection.TryRead(0x4, out _), Is.False);
            Assert.That(collection.TryRead(0x2, out _), Is.False);
            Assert.That(collection.Read(0x8), Is.EqualTo(2u));
        }

        [Test]
        public void ShouldFallBackToDictionaryForSparseMaps()
        {
            collection.DefineRegister(0x0, 0x1);
            collection.DefineRegister(0x1000_0000, 0x2);
            Assert.That(collection.Read(0x1000_0000), Is.EqualTo(2u));
            Assert.That(collection.TryRead(0x1000, out _), Is.False);
        }

        [Test]
        public void ShouldLogWritesToTaggedAndReservedBits()
        {
            collection.DefineRegister(0x0).WithFlag(0).WithTag("MYSTERY", 4, 4).WithReservedBits(8, 8);
            collection.Write(0x0, 0x31);
            Assert.That(log.Warnings, Has.Count.EqualTo(1));
            Assert.That(log.Warnings[0].Message, Does.Contain("MYSTERY (0x3)"));
        }

        [Test]
        public void ShouldNotLogWritesToIgnoredBits()
        {
            collection.DefineRegister(0x0).WithIgnoredBits(0, 32);
            collection.Write(0x0, 0xFFFF);
            Assert.That(log.Entries, Is.Empty);
        }

        [Test]
        public void ShouldRejectOverlappingFields()
        {
            var register = collection.DefineRegister(0x0).WithValueField(0, 8);
            Assert.Throws<ArgumentException>(() => register.WithFlag(7));
            Assert.Throws<ArgumentException>(() => register.WithValueField(30, 4));
        }

        [Test]
        public void ShouldRejectDuplicateOffsets()
        {
            collection.DefineRegister(0x0);
            Assert.Throws<ArgumentException>(() => collection.DefineRegister(0x0));
        }

        [Test]
        public void ShouldRejectFieldValueWiderThanField()
        {
            collection.DefineRegister(0x0).WithValueField(0, 3, out var field);
            Assert.Throws<ArgumentException>(() => field.Value = 8);
        }

        [Test]
        public void ShouldConvertEnumFields()
        {
            collection.DefineRegister(0x0).WithEnumField<DoubleWordRegister, Colour>(4, 2, out var colour);
            collection.Write(0x0, 0x20);
            Assert.That(colour.Value, Is.EqualTo(Colour.Blue));
            colour.Value = Colour.Green;
            Assert.That(collection.Read(0x0), Is.EqualTo(0x10u));
        }

        [Test]
        public void ShouldDefineRegistersFromEnumOffsets()
        {
            TestRegisters.Second.Define(collection, 0x77).WithValueField(0, 8);
            TestRegisters.Table.DefineMany(collection, 3, (r, i) => r.WithValueField(0, 8, valueProviderCallback: _ => (ulong)(i + 1)));
            Assert.That(collection.Read(0x4), Is.EqualTo(0x77u));
            Assert.That(collection.Read(0x108), Is.EqualTo(3u));
        }

        [Test]
        public void ShouldSupportAllWidths()
        {
            var bytes = new ByteRegisterCollection(owner);
            var words = new WordRegisterCollection(owner);
            var quads = new QuadWordRegisterCollection(owner);
            bytes.DefineRegister(0x1, 0x80).WithFlag(7, FieldMode.Read | FieldMode.WriteOneToClear);
            words.DefineRegister(0x2).WithValueField(0, 16);
            quads.DefineRegister(0x8).WithValueField(0, 64);
            bytes.Write(0x1, 0x80);
            words.Write(0x2, 0xBEEF);
            quads.Write(0x8, 0xFEDC_BA98_7654_3210);
            Assert.That(bytes.Read(0x1), Is.EqualTo((byte)0));
            Assert.That(words.Read(0x2), Is.EqualTo((ushort)0xBEEF));
            Assert.That(quads.Read(0x8), Is.EqualTo(0xFEDC_BA98_7654_3210ul));
        }

        [Test]
        public void ShouldRunHooks()
        {
            collection.DefineRegister(0x0).WithValueField(0, 32);
            collection.AddBeforeWriteHook(0x0, (_, v) => v | 0x100);
            collection.AddAfterReadHook(0x0, (_, v) => v + 1);
            collection.Write(0x0, 0x1);
            Assert.That(collection.Read(0x0), Is.EqualTo(0x102u));
            collection.RemoveAfterReadHook(0x0);
            Assert.That(collection.Read(0x0), Is.EqualTo(0x101u));
        }

        [Test]
        public void ShouldServeBasicDoubleWordPeripheral()
        {
            var machine = new FakeMachine();
            var peripheral = new CounterPeripheral(machine);
            peripheral.WriteDoubleWord(0x0, 5);
            Assert.That(peripheral.ReadDoubleWord(0x0), Is.EqualTo(5u));
            Assert.That(peripheral.ReadDoubleWord(0x4), Is.EqualTo(1u));
            peripheral.Reset();
            Assert.That(peripheral.ReadDoubleWord(0x0), Is.EqualTo(0u));
        }

        [Test]
        public void ShouldNotAllocatePerAccess()
        {
            collection.DefineRegister(0x0).WithFlags(0, 8, FieldMode.Read | FieldMode.Set, writeCallback: (_, __, ___) => { })
                .WithValueField(8, 8, valueProviderCallback: v => v);
            collection.Write(0x0, 1);
            collection.Read(0x0);
            var before = GC.GetAllocatedBytesForCurrentThread();
            for(var i = 0; i < 1000; i++)
            {
                collection.Write(0x0, (uint)i);
                collection.Read(0x0);
            }
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1000));
        }

        private LogCapture log = null!;
        private DummyPeripheral owner = null!;
        private DoubleWordRegisterCollection collection = null!;

        private enum Colour
        {
            Red,
            Green,
            Blue,
        }

        private enum TestRegisters
        {
            Second = 0x4,
            Table = 0x100,
        }

        private sealed class DummyPeripheral : IPeripheral
        {
            public void Reset()
            {
            }
        }

        private sealed class CounterPeripheral : BasicDoubleWordPeripheral
        {
            public CounterPeripheral(Antmicro.Renode.Core.IMachine machine) : base(machine)
            {
                RegistersCollection.DefineRegister(0x0).WithValueField(0, 32);
                RegistersCollection.DefineRegister(0x4, 0x1).WithValueField(0, 32, FieldMode.Read);
            }
        }
    }
}
