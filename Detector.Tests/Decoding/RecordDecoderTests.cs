using Detector.Models.Validation;
using Detector.Streams.Decoding;
using Xunit;

namespace Detector.Tests.Decoding;

/// <summary>The factory picks the decoder by format and refuses invalid schemas.</summary>
public sealed class RecordDecoderTests
{
    private static readonly RecordSchemaOptions Json = new() { Features = [new FeatureField("a"), new FeatureField("b")] };

    [Fact]
    public void Create_JsonFormat_JsonDecoderWithFeatureCount()
    {
        var decoder = RecordDecoder.Create(Json);
        Assert.IsType<JsonRecordDecoder>(decoder);
        Assert.Equal(2, decoder.FeatureCount);
    }

    [Fact]
    public void Create_CsvFormat_CsvDecoder()
    {
        var decoder = RecordDecoder.Create(Json with { Format = RecordFormat.Csv, CsvColumns = ["entity", "timestamp", "a", "b"] });
        Assert.IsType<CsvRecordDecoder>(decoder);
    }

    [Fact]
    public void Create_NoFeatures_Throws() =>
        Assert.Throws<InvalidOptionException>(() => RecordDecoder.Create(Json with { Features = [] }));

    [Fact]
    public void Create_CsvColumnsLackAFeature_ThrowsNamingIt()
    {
        var ex = Assert.Throws<InvalidOptionException>(() => RecordDecoder.Create(Json with { Format = RecordFormat.Csv, CsvColumns = ["entity", "timestamp", "a"] }));
        Assert.Contains("b", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UndefinedFormat_Throws() =>
        Assert.Throws<InvalidOptionException>(() => RecordDecoder.Create(Json with { Format = (RecordFormat)9 }));
}
