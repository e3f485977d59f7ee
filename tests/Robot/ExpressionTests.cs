using System.Collections.Generic;
using NUnit.Framework;
using RenodeGic.Host.Robot;

namespace RenodeGic.Tests.Robot
{
    [TestFixture]
    public sealed class ExpressionTests
    {
        private static object? Eval(string text, Dictionary<string, object?>? vars = null) =>
            Expression.Evaluate(text, n => vars != null && vars.TryGetValue(n, out var v) ? (true, v) : (false, null));

        [TestCase("1 + 2 * 3", 7L)]
        [TestCase("(1 + 2) * 3", 9L)]
        [TestCase("0x10 | 0x01", 17L)]
        [TestCase("1 << 4", 16L)]
        [TestCase("-7 // 2", -4L)]
        [TestCase("-7 % 3", 2L)]
        [TestCase("2 ** 10", 1024L)]
        [TestCase("len('abc') + len([1, 2])", 5L)]
        [TestCase("int('0x1f', 16)", 31L)]
        [TestCase("int('ff', 16)", 255L)]
        [TestCase("max(3, 9, 4)", 9L)]
        public void Integers(string text, long expected) => Assert.That(Eval(text), Is.EqualTo(expected));

        [TestCase("1 < 2 < 3", true)]
        [TestCase("1 < 2 > 3", false)]
        [TestCase("'a' in 'cat'", true)]
        [TestCase("3 not in [1, 2]", true)]
        [TestCase("not 0 and 'x'", true)]
        [TestCase("None is None", true)]
        [TestCase("'abc'.upper() == 'ABC'", true)]
        [TestCase("'a,b'.split(',')[1] == 'b'", true)]
        [TestCase("1 == 1.0", true)]
        [TestCase("'1' == 1", false)]
        public void Booleans(string text, bool expected) => Assert.That(RobotValues.Truthy(Eval(text)), Is.EqualTo(expected));

        [Test]
        public void StringsFloatsAndVariables()
        {
            Assert.That(Eval("'ab' * 2 + \"c\""), Is.EqualTo("ababc"));
            Assert.That(Eval("7 / 2"), Is.EqualTo(3.5));
            Assert.That(Eval("hex(255)"), Is.EqualTo("0xff"));
            Assert.That(Eval("$x + 1", new Dictionary<string, object?> { ["x"] = 41L }), Is.EqualTo(42L));
            Assert.That(Eval("'yes' if $flag else 'no'", new Dictionary<string, object?> { ["flag"] = false }), Is.EqualTo("no"));
            Assert.That(Eval("{'a': 1}['a']"), Is.EqualTo(1L));
            Assert.That(Eval("'hello'[1:3]"), Is.EqualTo("el"));
        }

        [TestCase("import os", "name 'import' is not defined")]
        [TestCase("__import__('os')", "name '__import__' is not defined")]
        [TestCase("abc == 1", "name 'abc' is not defined")]
        [TestCase("1 / 0", "division by zero")]
        [TestCase("'%d' % 3", "string formatting with % is not supported")]
        [TestCase("lambda: 1", "name 'lambda' is not defined")]
        [TestCase("9223372036854775807 + 1", "integer overflow")]
        [TestCase("1 +", "unexpected")]
        public void UnsupportedOrInvalidExpressionsFailClearly(string text, string message)
        {
            var e = Assert.Throws<ExpressionException>(() => Eval(text));
            Assert.That(e!.Message, Does.Contain(message));
        }

        [Test]
        public void TimeStrings()
        {
            Assert.That(RobotValues.ParseTime("1 min 30 s"), Is.EqualTo(90));
            Assert.That(RobotValues.ParseTime("100ms"), Is.EqualTo(0.1).Within(1e-9));
            Assert.That(RobotValues.ParseTime("01:00:02"), Is.EqualTo(3602));
            Assert.That(RobotValues.ParseTime("2.5"), Is.EqualTo(2.5));
            Assert.That(RobotValues.FormatTime(90), Is.EqualTo("1 minute 30 seconds"));
            Assert.Throws<RobotFailure>(() => RobotValues.ParseTime("soon"));
        }
    }
}
