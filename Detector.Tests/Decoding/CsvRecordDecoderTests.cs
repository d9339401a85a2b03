using System.Text;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Xunit;

namespace Detector.Tests.Decoding;

/// <summary>The decoder contract for CSV, plus what only CSV has: quoting, delimiters, arity, line ends.</summary>
public sealed class CsvRecordDecoderTests : RecordDecoderContractTests
{
    /// <inheritdoc />
    protected override RecordFormat Format => RecordFormat.Csv;

    /// <inheritdoc />
    protected override byte[] Encode(IReadOnlyList<TestField> fields) =>
        Encoding.UTF8.GetBytes(string.Join(",", Columns.Select(c => fields.LastOrDefault(f => f.Name == c) is { } f ? Quote(f) : "")));

    private static string Quote(TestField field) =>
        field.Quoted || field.Text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field.Text;

    private (bool Ok, float[] Features, Detector.Streams.Records.RecordInfo Info, DecodeError Error) Decode(string line) =>
        Decode(Encoding.UTF8.GetBytes(line));

    [Fact]
    public void TryDecode_QuotedFieldsWithDelimitersAndDoubledQuotes_Unquoted()
    {
        var (ok, features, info, error) = Decode("\"r,1\",\"say \"\"hi\"\", ok\",2024-01-01,\"1.5\",2,3,,\"\"");
        Assert.True(ok, error.Detail);
        Assert.Equal([1.5f, 2f, 3f], features);
        Assert.Equal("say \"hi\", ok", info.EntityKey);
        Assert.Equal("r,1", info.Id);
    }

    [Fact]
    public void TryDecode_LongQuotedFieldWithDoubledQuotes_Unquoted()
    {
        var entity = string.Concat(Enumerable.Repeat("a\"", 200));
        var (ok, _, info, error) = Decode($"1,\"{entity.Replace("\"", "\"\"", StringComparison.Ordinal)}\",1,1,2,3,,");
        Assert.True(ok, error.Detail);
        Assert.Equal(entity, info.EntityKey);
    }

    [Fact]
    public void TryDecode_TrailingCarriageReturn_Ignored()
    {
        var (ok, _, info, error) = Decode("1,e,1,1,2,3,0,note\r");
        Assert.True(ok, error.Detail);
        Assert.Equal("1", info.Id);
        Assert.False(info.Label);
    }

    [Fact]
    public void TryDecode_SemicolonDelimiter_Split()
    {
        var decoder = RecordDecoder.Create(Schema() with { CsvDelimiter = ';' });
        var features = new float[3];
        Assert.True(decoder.TryDecode("1;e;1;1.5;2;3;;"u8, default, features, out var info, out var error), error.Detail);
        Assert.Equal([1.5f, 2f, 3f], features);
        Assert.Equal("e", info.EntityKey);
    }

    [Theory]
    [InlineData("1,e,1,1,2,3,0", 7)]
    [InlineData("1,e,1,1,2,3,0,note,extra", 9)]
    [InlineData("", 1)]
    [InlineData("1,e,1,1,2,3,0,note,", 9)]
    public void TryDecode_WrongColumnCount_WrongAritySaysHowMany(string line, int count)
    {
        var (ok, _, _, error) = Decode(line);
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.WrongArity, error.Reason);
        Assert.StartsWith($"{count} columns, expected 8", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_WrongArityAndBadValue_WrongArityWins()
    {
        var (ok, _, _, error) = Decode("1,e,1,abc,2,3,0");
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.WrongArity, error.Reason);
    }

    [Theory]
    [InlineData("1,\"e,1,1,2,3,0,note", "unbalanced quote in column 2")]
    [InlineData("1,\"e\"x,1,1,2,3,0,note", "text after the closing quote in column 2")]
    [InlineData("1,e\"x,1,1,2,3,0,note", "quote inside an unquoted field in column 2")]
    [InlineData("1, \"e\",1,1,2,3,0,note", "quote inside an unquoted field in column 2")]
    public void TryDecode_BadQuoting_MalformedNamesColumn(string line, string expected)
    {
        var (ok, _, _, error) = Decode(line);
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.Malformed, error.Reason);
        Assert.StartsWith(expected, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_RepeatedColumnName_FirstColumnRead()
    {
        var schema = Schema() with { CsvColumns = [.. Columns, "amount"] };
        var decoder = RecordDecoder.Create(schema);
        var features = new float[3];
        Assert.True(decoder.TryDecode("1,e,1,1,2,3,0,note,99"u8, default, features, out _, out var error), error.Detail);
        Assert.Equal(1f, features[0]);
    }

    [Theory]
    [InlineData('"')]
    [InlineData('\n')]
    [InlineData('é')]
    public void Constructor_UnusableDelimiter_Throws(char delimiter)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CsvRecordDecoder(Schema() with { CsvDelimiter = delimiter }));
    }
}
