using System.Text.Json;
using Detector.Streams.Decoding;
using Xunit;

namespace Detector.Tests.Decoding;

/// <summary>`bench decode`'s output: one line per generator and path, which the docs' figures are read from (the figures themselves are never asserted).</summary>
public sealed class DecodeBenchmarkTests
{
    [Fact]
    public void Run_EveryGenerator_PrintsTheReaderAndTheFlatPathWithTheSpeedUp()
    {
        using var output = new StringWriter();
        DecodeBenchmark.Run(output, records: 300, rounds: 1);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["cards/reader", "cards/flat", "fleet/reader", "fleet/flat"],
            lines.Select(l => $"{l.GetProperty("dataset").GetString()}/{l.GetProperty("path").GetString()}"));
        Assert.All(lines, l =>
        {
            Assert.Equal("decode", l.GetProperty("case").GetString());
            Assert.Equal(300, l.GetProperty("records").GetInt32());
            Assert.True(l.GetProperty("ns_per_record").GetDouble() > 0);
            Assert.InRange(l.GetProperty("bytes_per_record").GetDouble(), 100, 4096);
        });
        Assert.All(lines.Where(l => l.GetProperty("path").GetString() == "flat"), l =>
            Assert.Equal(lines.Single(r => r.GetProperty("dataset").GetString() == l.GetProperty("dataset").GetString() && r.GetProperty("path").GetString() == "reader")
                .GetProperty("ns_per_record").GetDouble() / l.GetProperty("ns_per_record").GetDouble(), l.GetProperty("speedup_over_reader").GetDouble(), tolerance: 0.006));
    }

    [Fact]
    public void Run_NoRecords_Refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DecodeBenchmark.Run(TextWriter.Null, records: 0));
    }
}
