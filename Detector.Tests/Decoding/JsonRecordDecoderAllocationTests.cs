using System.Globalization;
using System.Text;
using Detector.Streams.Decoding;
using Detector.Streams.Records;
using Xunit;

namespace Detector.Tests.Decoding;

/// <summary>The JSON decoder allocates only the strings it returns: the entity key and the id.</summary>
public sealed class JsonRecordDecoderAllocationTests
{
    private const int Features = 15;

    private static readonly RecordSchemaOptions Schema = new()
    {
        Features = [.. Enumerable.Range(0, Features).Select(i => new FeatureField($"f{i}"))],
        LabelField = "label",
    };

    [Theory]
    [InlineData("\"2024-05-06T07:08:09.123Z\"")]
    [InlineData("1715000000123")]
    public void TryDecode_FifteenFeatureRecord_AllocatesOnlyEntityAndIdStrings(string timestamp)
    {
        var json = new StringBuilder("{\"entity\":\"card-12345\",\"timestamp\":").Append(timestamp)
            .Append(",\"label\":\"0\",\"extra\":{\"nested\":[1,2,3]}");
        for (var i = 0; i < Features; i++)
        {
            json.Append(CultureInfo.InvariantCulture, $",\"f{i}\":{(i % 3 == 0 ? "\"" : "")}{i * 1.25 - 3}{(i % 3 == 0 ? "\"" : "")}");
        }
        var payload = Encoding.UTF8.GetBytes(json.Append('}').ToString());
        var decoder = new JsonRecordDecoder(Schema);
        var features = new float[Features];
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(decoder.TryDecode(payload, new SourcePosition(0, i), features, out _, out var error), error.Detail);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            decoder.TryDecode(payload, new SourcePosition(0, 1000 + i), features, out _, out _);
        }
        var perDecode = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0;

        // "card-12345" is 42 bytes on the heap, "0:1999" about 34: anything more is a leak in the hot path.
        Assert.True(perDecode < 200, $"{perDecode} bytes per decode");
    }
}
