using System.Text;
using System.Text.Json;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Xunit;

namespace Detector.Tests.Decoding;

/// <summary>The decoder contract for JSON, plus what only JSON has: property order, nesting, escapes, duplicates, types.</summary>
public sealed class JsonRecordDecoderTests : RecordDecoderContractTests
{
    /// <inheritdoc />
    protected override RecordFormat Format => RecordFormat.Json;

    /// <inheritdoc />
    protected override byte[] Encode(IReadOnlyList<TestField> fields) =>
        Encoding.UTF8.GetBytes("{" + string.Join(",", fields.Select(f => $"\"{f.Name}\":{(f.Quoted ? JsonSerializer.Serialize(f.Text) : f.Text)}")) + "}");

    private (bool Ok, float[] Features, Detector.Streams.Records.RecordInfo Info, DecodeError Error) Decode(string json) =>
        Decode(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void TryDecode_FieldsOutOfOrderWithExtras_FeaturesInSchemaOrder()
    {
        var (ok, features, info, error) = Decode("""
            { "velocity": 3, "extra": "x", "timestamp": 1715000000000, "fee": 2, "entity": "e", "more": [1, 2], "amount": 1 }
            """);
        Assert.True(ok, error.Detail);
        Assert.Equal([1f, 2f, 3f], features);
        Assert.Equal("e", info.EntityKey);
    }

    [Fact]
    public void TryDecode_NestedUnknownObjectsAndArrays_Skipped()
    {
        var (ok, features, _, error) = Decode("""
            {"meta":{"amount":"not me","deep":[{"fee":[1,{"x":null}]}]},"amount":1,"fee":2,"velocity":3,
             "list":[[],{},"}",{"a":{"b":{"c":[true,false,null]}}}],"entity":"e","timestamp":"2024-01-01T00:00:00Z"}
            """);
        Assert.True(ok, error.Detail);
        Assert.Equal([1f, 2f, 3f], features);
    }

    [Fact]
    public void TryDecode_EscapedPropertyNamesAndStrings_Unescaped()
    {
        var (ok, features, info, error) = Decode("""
            {"am\u006Funt":"1\u002E5","fee":2,"velocity":3,"entity":"caf\u00e9 \"7\"","timestamp":"2024-01-01T00:00:00Z"}
            """);
        Assert.True(ok, error.Detail);
        Assert.Equal([1.5f, 2f, 3f], features);
        Assert.Equal("café \"7\"", info.EntityKey);
    }

    [Fact]
    public void TryDecode_DuplicateProperty_LastOneWins()
    {
        var (ok, features, info, error) = Decode("""
            {"amount":1,"fee":2,"velocity":3,"entity":"a","timestamp":1,"amount":9,"entity":"b"}
            """);
        Assert.True(ok, error.Detail);
        Assert.Equal([9f, 2f, 3f], features);
        Assert.Equal("b", info.EntityKey);
    }

    [Fact]
    public void TryDecode_DuplicatePropertyLastNull_Missing()
    {
        var (ok, _, _, error) = Decode("""{"amount":1,"fee":2,"velocity":3,"entity":"a","timestamp":1,"amount":null}""");
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.MissingField, error.Reason);
        Assert.Equal("missing field amount", error.Detail);
    }

    [Fact]
    public void TryDecode_BooleanLabelAndNumericId_Read()
    {
        var (ok, _, info, error) = Decode("""{"id":123456789012,"amount":1,"fee":2,"velocity":3,"entity":"a","timestamp":1,"label":false}""");
        Assert.True(ok, error.Detail);
        Assert.Equal("123456789012", info.Id);
        Assert.False(info.Label);
    }

    [Fact]
    public void TryDecode_NullLabel_LabelNull()
    {
        var (ok, _, info, error) = Decode("""{"amount":1,"fee":2,"velocity":3,"entity":"a","timestamp":1,"label":null}""");
        Assert.True(ok, error.Detail);
        Assert.Null(info.Label);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("{\"v\":1}")]
    [InlineData("[1]")]
    public void TryDecode_FeatureNotANumberOrString_NonNumericNamesField(string value)
    {
        var (ok, _, _, error) = Decode($$"""{"amount":{{value}},"fee":2,"velocity":3,"entity":"a","timestamp":1}""");
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.NonNumeric, error.Reason);
        Assert.Equal($"amount: not a number: {value}", error.Detail);
    }

    [Fact]
    public void TryDecode_EntityIsAnObject_MalformedNamesField()
    {
        var (ok, _, _, error) = Decode("""{"amount":1,"fee":2,"velocity":3,"entity":{"id":1},"timestamp":1}""");
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.Malformed, error.Reason);
        Assert.Contains("entity", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_TimestampBoolean_NonNumericNamesField()
    {
        var (ok, _, _, error) = Decode("""{"amount":1,"fee":2,"velocity":3,"entity":"a","timestamp":true}""");
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.NonNumeric, error.Reason);
        Assert.Contains("timestamp", error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1,2,3]", "not a JSON object")]
    [InlineData("42", "not a JSON object")]
    [InlineData("", "invalid JSON")]
    [InlineData("{\"amount\":1,", "invalid JSON")]
    [InlineData("{\"amount\":1}}", "invalid JSON")]
    [InlineData("{\"amount\":1} x", "invalid JSON")]
    [InlineData("{\"amount\":1}{}", "invalid JSON")]
    [InlineData("{\"amount\":01}", "invalid JSON")]
    [InlineData("{'amount':1}", "invalid JSON")]
    [InlineData("{\"amount\":1 /* c */}", "invalid JSON")]
    public void TryDecode_NotOneJsonObject_Malformed(string json, string expected)
    {
        var (ok, _, _, error) = Decode(json);
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.Malformed, error.Reason);
        Assert.StartsWith(expected, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_BadValueThenBrokenSyntax_MalformedWins()
    {
        var (ok, _, _, error) = Decode("""{"amount":"x","fee":2,"velocity":3,"entity":"a","timestamp":1""");
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.Malformed, error.Reason);
    }

    [Fact]
    public void TryDecode_LongEscapedString_Unescaped()
    {
        var entity = string.Concat(Enumerable.Repeat("\\u0041", 100));
        var (ok, _, info, error) = Decode($$"""{"amount":"\u0031.{{new string('0', 300)}}","fee":2,"velocity":3,"entity":"{{entity}}","timestamp":1}""");
        Assert.True(ok, error.Detail);
        Assert.Equal(new string('A', 100), info.EntityKey);
    }
}
