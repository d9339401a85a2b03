using System.Globalization;
using System.Text;
using Detector.Streams.Decoding;
using Xunit;

namespace Detector.Tests.Decoding;

/// <summary>
/// The decoders' fast paths against the general .NET parsers they stand in for: wherever a fast path answers, its
/// answer must be bit-identical to the general parser's; where it declines, the general parser decides.
/// </summary>
public sealed class FastPathsTests
{
    [Theory]
    [InlineData("0", 0f)]
    [InlineData("-0", -0f)]
    [InlineData("16.22", 16.22f)]
    [InlineData("-3670.999", -3670.999f)]
    [InlineData("5.", 5f)]
    [InlineData(".5", 0.5f)]
    [InlineData("0.000001", 1e-6f)]
    [InlineData("00012.50", 12.5f)]
    [InlineData("999999999999999", 999999999999999f)]
    public void TryParseDecimal_PlainDecimal_CorrectlyRounded(string text, float expected)
    {
        Assert.True(FastPaths.TryParseDecimal(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("-")]
    [InlineData(".")]
    [InlineData("1e5")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1.2.3")]
    [InlineData("NaN")]
    [InlineData("1234567890123456")] // 16 significant digits
    [InlineData("0.00000000000000000000001")] // 23 fraction digits
    [InlineData("16777217")] // 2^24 + 1: exactly halfway between two floats
    [InlineData("16777219.0")]
    public void TryParseDecimal_OtherShapes_Declines(string text)
    {
        Assert.False(FastPaths.TryParseDecimal(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void TryParseDecimal_RandomDecimals_BitIdenticalToFloatParse()
    {
        var random = new Random(20261122);
        var answered = 0;
        for (var n = 0; n < 300_000; n++)
        {
            var text = RandomDecimal(random);
            var bytes = Encoding.ASCII.GetBytes(text);
            Assert.True(float.TryParse(bytes, NumberStyles.Float, CultureInfo.InvariantCulture, out var expected), text);
            if (FastPaths.TryParseDecimal(bytes, out var value))
            {
                answered++;
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(value),
                    $"{text}: fast path {value:R}, float.Parse {expected:R}");
            }
        }
        Assert.True(answered > 200_000, $"the fast path answered only {answered} of 300,000");
    }

    [Fact]
    public void TryParseDecimal_NearFloatHalfwayPoints_BitIdenticalToFloatParse()
    {
        // Decimals within a few units of the 15th digit of points halfway between adjacent floats: where a double
        // rounding would go wrong if it could.
        var random = new Random(7);
        var answered = 0;
        for (var n = 0; n < 100_000; n++)
        {
            var f = BitConverter.Int32BitsToSingle(random.Next(0x3400_0000, 0x5300_0000)); // about 1e-7 .. 5e11
            var halfway = ((double)f + BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(f) + 1)) / 2;
            var text = halfway.ToString("G15", CultureInfo.InvariantCulture);
            if (text.Contains('E', StringComparison.Ordinal))
            {
                continue;
            }
            var bytes = Encoding.ASCII.GetBytes(text);
            Assert.True(float.TryParse(bytes, NumberStyles.Float, CultureInfo.InvariantCulture, out var expected));
            if (FastPaths.TryParseDecimal(bytes, out var value))
            {
                answered++;
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(value), $"{text}: fast path {value:R}, float.Parse {expected:R}");
            }
        }
        Assert.True(answered > 10_000, $"the fast path answered only {answered} near-halfway decimals");
    }

    [Theory]
    [InlineData("2025-01-01T00:00:24.682Z")]
    [InlineData("2025-01-01T00:00:24Z")]
    [InlineData("2024-02-29T23:59:59.9999999Z")]
    [InlineData("2025-06-30T12:00:00.5+02:00")]
    [InlineData("2025-06-30T12:00:00-09:30")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    public void TryParseIsoInstant_Instant_SameAsDateTimeOffsetParse(string text)
    {
        Assert.True(FastPaths.TryParseIsoInstant(Encoding.ASCII.GetBytes(text), out var value));
        var expected = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.Equal(expected.Ticks, value.Ticks);
        Assert.Equal(expected.Offset, value.Offset);
    }

    [Theory]
    [InlineData("2025-01-01")]
    [InlineData("2025-01-01T00:00:24")] // no zone: the general parser assumes UTC
    [InlineData("2025-01-01 00:00:24Z")]
    [InlineData("2025-01-01t00:00:24z")]
    [InlineData("2025-02-29T00:00:00Z")] // not a leap year
    [InlineData("2025-13-01T00:00:00Z")]
    [InlineData("2025-01-01T24:00:00Z")]
    [InlineData("2025-01-01T23:59:60Z")]
    [InlineData("2025-01-01T00:00:00.12345678Z")]
    [InlineData("2025-01-01T00:00:00.Z")]
    [InlineData("2025-01-01T00:00:00+15:00")]
    [InlineData("0001-01-01T00:00:00+01:00")] // before DateTimeOffset.MinValue in UTC
    [InlineData("2025-01-01T00:00:00Zjunk")]
    public void TryParseIsoInstant_OtherShapes_Declines(string text)
    {
        Assert.False(FastPaths.TryParseIsoInstant(Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void TryParseIsoInstant_RandomInstants_SameAsDateTimeOffsetParse()
    {
        var random = new Random(11);
        for (var n = 0; n < 50_000; n++)
        {
            var utc = new DateTime(random.NextInt64(new DateTime(1900, 1, 1).Ticks, new DateTime(2200, 1, 1).Ticks), DateTimeKind.Utc);
            var offset = TimeSpan.FromMinutes(random.Next(-14 * 4, 14 * 4 + 1) * 15);
            var instant = new DateTimeOffset(utc).ToOffset(offset);
            var format = random.Next(4) switch
            {
                0 => "yyyy-MM-ddTHH:mm:ssK",
                1 => "yyyy-MM-ddTHH:mm:ss.fffK",
                2 => "yyyy-MM-ddTHH:mm:ss.fffffffK",
                _ => "yyyy-MM-ddTHH:mm:ss.fK",
            };
            var text = offset == TimeSpan.Zero && random.Next(2) == 0
                ? instant.UtcDateTime.ToString(format, CultureInfo.InvariantCulture)
                : instant.ToString(format, CultureInfo.InvariantCulture);
            Assert.True(FastPaths.TryParseIsoInstant(Encoding.ASCII.GetBytes(text), out var value), text);
            var expected = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            Assert.True(expected.Ticks == value.Ticks && expected.Offset == value.Offset, $"{text}: fast path {value:O}, DateTimeOffset.Parse {expected:O}");
        }
    }

    private static string RandomDecimal(Random random)
    {
        var builder = new StringBuilder();
        if (random.Next(3) == 0)
        {
            builder.Append('-');
        }
        var integerDigits = random.Next(0, 12);
        var fractionDigits = random.Next(0, 10);
        builder.Append(integerDigits == 0 ? "0" : random.Next(1, 10).ToString(CultureInfo.InvariantCulture));
        for (var i = 1; i < integerDigits; i++)
        {
            builder.Append((char)('0' + random.Next(10)));
        }
        if (fractionDigits > 0)
        {
            builder.Append('.');
            for (var i = 0; i < fractionDigits; i++)
            {
                builder.Append((char)('0' + random.Next(10)));
            }
        }
        return builder.ToString();
    }
}
