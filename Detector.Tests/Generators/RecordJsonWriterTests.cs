using System.Text;
using System.Text.Json;
using Detector.Streams.Generators;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit;

namespace Detector.Tests.Generators;

/// <summary>The fixed-point number path writes the decimal of the rounded value, shortest and valid.</summary>
public sealed class RecordJsonWriterTests
{
    private static readonly JsonEncodedText Field = JsonEncodedText.Encode("x");

    private static string Write(double value, int digits)
    {
        var writer = new RecordJsonWriter("t", 1);
        writer.Begin(1, DateTime.UnixEpoch);
        writer.Number(Field, value, digits);
        var json = Encoding.UTF8.GetString(writer.Finish(label: false, JsonEncodedText.Encode("normal")));
        var start = json.IndexOf("\"x\":", StringComparison.Ordinal) + 4;
        return json[start..json.IndexOf(',', start)];
    }

    [Theory]
    [InlineData(1.0, 5, "1")]
    [InlineData(-0.05, 3, "-0.05")]
    [InlineData(0.000001, 3, "0")]
    [InlineData(-0.000001, 3, "0")]
    [InlineData(12345.678, 2, "12345.68")]
    [InlineData(-2.6, 0, "-3")]
    [InlineData(-2.5, 0, "-2")] // ties to even, as Math.Round
    [InlineData(3.14159, 4, "3.1416")]
    [InlineData(0.10000, 5, "0.1")]
    public void Number_Value_WritesRoundedShortestDecimal(double value, int digits, string expected)
    {
        Assert.Equal(expected, Write(value, digits));
    }

    [Fact]
    public void Number_HugeValue_FallsBackToDoubleFormatting()
    {
        Assert.Equal(1e20, double.Parse(Write(1e20, 3), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Number_AnyValue_ParsesBackToTheRoundedValue()
    {
        var inputs = Gen.Choose(-1_000_000, 1_000_000).Zip(Gen.Choose(0, 1_000_000)).Zip(Gen.Choose(0, 5))
            .Select(t => (Value: t.Item1.Item1 + t.Item1.Item2 / 1_000_000.0 * Math.PI, Digits: t.Item2)).ToArbitrary();
        var property = Prop.ForAll(inputs, input =>
        {
            var scale = Math.Pow(10, input.Digits);
            var expected = Math.Round(input.Value * scale) / scale;
            using var document = JsonDocument.Parse(Write(input.Value, input.Digits));
            return document.RootElement.GetDouble() == expected;
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(2_000)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(8675309UL, 3UL), FSharpOption<int>.None)));
        Check.One(config, property);
    }
}
