using System.Globalization;
using System.Text;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Records;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Detector.Tests.Decoding;

/// <summary>
/// What every record decoder must do, whatever its format: one subclass per decoder supplies the format and how a list
/// of fields is written in it (a field left out is absent: omitted in JSON, an empty column in CSV).
/// </summary>
public abstract class RecordDecoderContractTests
{
    /// <summary>Every column a CSV record of these tests has, in order ("note" is not in the schema).</summary>
    protected static readonly string[] Columns = ["id", "entity", "timestamp", "amount", "fee", "velocity", "label", "note"];

    /// <summary>The format under test.</summary>
    protected abstract RecordFormat Format { get; }

    /// <summary>Writes <paramref name="fields"/> as one record of the format under test.</summary>
    protected abstract byte[] Encode(IReadOnlyList<TestField> fields);

    /// <summary>The schema of these tests: three features, entity, timestamp, label, and optionally the id field.</summary>
    protected RecordSchemaOptions Schema(bool withId = true) => new()
    {
        Format = Format,
        Features = [new FeatureField("amount"), new FeatureField("fee"), new FeatureField("speed", "velocity")],
        IdField = withId ? "id" : null,
        LabelField = "label",
        CsvColumns = Columns,
        MaxRecordBytes = 1024,
    };

    /// <summary>A valid record: features 12.5, 0.25, -3.</summary>
    protected static List<TestField> Valid() =>
    [
        new("id", "r-1", Quoted: true),
        new("entity", "card-7", Quoted: true),
        new("timestamp", "2024-05-06T07:08:09.123Z", Quoted: true),
        new("amount", "12.5"),
        new("fee", "0.25"),
        new("velocity", "-3"),
        new("label", "1"),
        new("note", "hello", Quoted: true),
    ];

    /// <summary><paramref name="fields"/> with the field <paramref name="name"/> replaced by <paramref name="field"/>, or removed when null.</summary>
    protected static List<TestField> With(List<TestField> fields, string name, TestField? field)
    {
        var copy = fields.Where(f => f.Name != name).ToList();
        if (field is not null)
        {
            var at = fields.FindIndex(f => f.Name == name);
            copy.Insert(at < 0 ? copy.Count : at, field);
        }
        return copy;
    }

    /// <summary>Decodes with the schema of these tests.</summary>
    protected (bool Ok, float[] Features, RecordInfo Info, DecodeError Error) Decode(byte[] payload, bool withId = true, SourcePosition position = default)
    {
        var decoder = RecordDecoder.Create(Schema(withId));
        var features = new float[decoder.FeatureCount];
        var ok = decoder.TryDecode(payload, position, features, out var info, out var error);
        return (ok, features, info, error);
    }

    [Fact]
    public void TryDecode_ValidRecord_FeaturesInSchemaOrderAndInfo()
    {
        var (ok, features, info, error) = Decode(Encode(Valid()));
        Assert.True(ok, error.Detail);
        Assert.Equal([12.5f, 0.25f, -3f], features);
        Assert.Equal(new RecordInfo("r-1", "card-7", new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero), true), info);
    }

    [Fact]
    public void TryDecode_NumericStrings_Accepted()
    {
        var fields = With(With(Valid(), "amount", new("amount", "12.5", Quoted: true)), "fee", new("fee", " 1e-3 ", Quoted: true));
        var (ok, features, _, error) = Decode(Encode(fields));
        Assert.True(ok, error.Detail);
        Assert.Equal([12.5f, 0.001f, -3f], features);
    }

    [Theory]
    [InlineData("2024-05-06T07:08:09Z", "2024-05-06T07:08:09+00:00")]
    [InlineData("2024-05-06T07:08:09.5+02:00", "2024-05-06T07:08:09.5+02:00")]
    [InlineData("2024-05-06T07:08:09", "2024-05-06T07:08:09+00:00")]
    [InlineData("2024-05-06", "2024-05-06T00:00:00+00:00")]
    public void TryDecode_IsoTimestamp_Parsed(string text, string expected)
    {
        var (ok, _, info, error) = Decode(Encode(With(Valid(), "timestamp", new("timestamp", text, Quoted: true))));
        Assert.True(ok, error.Detail);
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), info.Timestamp);
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture).Offset, info.Timestamp.Offset);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TryDecode_EpochMillisecondsTimestamp_Parsed(bool quoted)
    {
        var (ok, _, info, error) = Decode(Encode(With(Valid(), "timestamp", new("timestamp", "1715000000123", quoted))));
        Assert.True(ok, error.Detail);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1715000000123), info.Timestamp);
    }

    [Theory]
    [InlineData("1", false, true)]
    [InlineData("0", false, false)]
    [InlineData("1", true, true)]
    [InlineData("0", true, false)]
    [InlineData("true", true, true)]
    [InlineData("FALSE", true, false)]
    public void TryDecode_LabelForms_Parsed(string text, bool quoted, bool expected)
    {
        var (ok, _, info, error) = Decode(Encode(With(Valid(), "label", new("label", text, quoted))));
        Assert.True(ok, error.Detail);
        Assert.Equal(expected, info.Label);
    }

    [Fact]
    public void TryDecode_LabelAbsent_LabelNull()
    {
        var (ok, _, info, error) = Decode(Encode(With(Valid(), "label", null)));
        Assert.True(ok, error.Detail);
        Assert.Null(info.Label);
    }

    [Fact]
    public void TryDecode_SchemaWithoutIdField_IdIsPartitionColonOffset()
    {
        var (ok, _, info, error) = Decode(Encode(Valid()), withId: false, new SourcePosition(3, 17));
        Assert.True(ok, error.Detail);
        Assert.Equal("3:17", info.Id);
    }

    [Fact]
    public void TryDecode_IdFieldAbsent_IdIsPartitionColonOffset()
    {
        var (ok, _, info, error) = Decode(Encode(With(Valid(), "id", null)), withId: true, new SourcePosition(0, 42));
        Assert.True(ok, error.Detail);
        Assert.Equal("0:42", info.Id);
    }

    [Fact]
    public void TryDecode_NumericEntity_KeptAsText()
    {
        var (ok, _, info, error) = Decode(Encode(With(Valid(), "entity", new("entity", "4111", Quoted: false))));
        Assert.True(ok, error.Detail);
        Assert.Equal("4111", info.EntityKey);
    }

    [Fact]
    public void TryDecode_PayloadOverLimit_OversizedBeforeAnythingElse()
    {
        var payload = Encoding.UTF8.GetBytes(new string('{', 1025));
        var (ok, _, _, error) = Decode(payload);
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.Oversized, error.Reason);
        Assert.Contains("1025", error.Detail, StringComparison.Ordinal);
        Assert.Contains("1024", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_PayloadAtLimit_NotOversized()
    {
        var note = new string('x', 1024 - Encode(With(Valid(), "note", new("note", "", Quoted: true))).Length);
        var payload = Encode(With(Valid(), "note", new("note", note, Quoted: true)));
        Assert.Equal(1024, payload.Length);
        Assert.True(Decode(payload).Ok);
    }

    [Fact]
    public void TryDecode_InvalidUtf8_Malformed()
    {
        var payload = Encode(Valid());
        var at = payload.AsSpan().IndexOf("hello"u8);
        payload[at + 1] = 0xC3; // a lead byte followed by 'l', not by a continuation byte
        var (ok, _, _, error) = Decode(payload);
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.Malformed, error.Reason);
        Assert.Contains("UTF-8", error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("amount")]
    [InlineData("fee")]
    [InlineData("velocity")]
    public void TryDecode_FeatureAbsent_MissingFieldNamesIt(string name)
    {
        var (ok, _, _, error) = Decode(Encode(With(Valid(), name, null)));
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.MissingField, error.Reason);
        Assert.Equal($"missing field {name}", error.Detail);
    }

    [Theory]
    [InlineData("entity")]
    [InlineData("timestamp")]
    public void TryDecode_EntityOrTimestampAbsent_MissingFieldNamesIt(string name)
    {
        var (ok, _, _, error) = Decode(Encode(With(Valid(), name, null)));
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.MissingField, error.Reason);
        Assert.Contains(name, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_SeveralAbsent_MissingFieldNamesAll()
    {
        var (ok, _, _, error) = Decode(Encode(With(With(Valid(), "fee", null), "entity", null)));
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.MissingField, error.Reason);
        Assert.Equal("missing fields fee, entity", error.Detail);
    }

    [Fact]
    public void TryDecode_TextFeature_NonNumericNamesFieldAndValue()
    {
        var (ok, _, _, error) = Decode(Encode(With(Valid(), "amount", new("amount", "12,50 EUR", Quoted: true))));
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.NonNumeric, error.Reason);
        Assert.Contains("amount", error.Detail, StringComparison.Ordinal);
        Assert.Contains("12,50 EUR", error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("nan")]
    public void TryDecode_NonFiniteString_NonFiniteNamesField(string text)
    {
        var (ok, _, _, error) = Decode(Encode(With(Valid(), "fee", new("fee", text, Quoted: true))));
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.NonFinite, error.Reason);
        Assert.Contains("fee", error.Detail, StringComparison.Ordinal);
        Assert.Contains(text, error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1e999")]
    [InlineData("-4e38")]
    public void TryDecode_NumberBeyondFloatRange_NonFiniteNamesField(string text)
    {
        var (ok, _, _, error) = Decode(Encode(With(Valid(), "amount", new("amount", text))));
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.NonFinite, error.Reason);
        Assert.Contains("amount", error.Detail, StringComparison.Ordinal);
        Assert.Contains(text, error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2024-13-45T00:00:00Z")]
    [InlineData("99999999999999999")]
    public void TryDecode_BadTimestamp_NonNumericNamesField(string text)
    {
        var (ok, _, _, error) = Decode(Encode(With(Valid(), "timestamp", new("timestamp", text, Quoted: true))));
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.NonNumeric, error.Reason);
        Assert.Contains("timestamp", error.Detail, StringComparison.Ordinal);
        Assert.Contains(text, error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2", false)]
    [InlineData("yes", true)]
    public void TryDecode_BadLabel_NonNumericNamesField(string text, bool quoted)
    {
        var (ok, _, _, error) = Decode(Encode(With(Valid(), "label", new("label", text, quoted))));
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.NonNumeric, error.Reason);
        Assert.Contains("label", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_RenamedFeatureBad_DetailNamesTheRecordField()
    {
        var (ok, _, _, error) = Decode(Encode(With(Valid(), "velocity", new("velocity", "fast", Quoted: true))));
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.NonNumeric, error.Reason);
        Assert.StartsWith("velocity:", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_LongBadValue_DetailTruncated()
    {
        var text = new string('z', 500);
        var (ok, _, _, error) = Decode(Encode(With(Valid(), "amount", new("amount", text, Quoted: true))));
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.NonNumeric, error.Reason);
        Assert.Contains("amount", error.Detail, StringComparison.Ordinal);
        Assert.True(error.Detail.Length < 120, error.Detail);
        Assert.EndsWith("…\"", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_BadValueAndMissingField_BadValueReportedFirst()
    {
        var (ok, _, _, error) = Decode(Encode(With(With(Valid(), "amount", new("amount", "x", Quoted: true)), "fee", null)));
        Assert.False(ok);
        Assert.Equal(DeadLetterReason.NonNumeric, error.Reason);
    }

    [Fact]
    public void TryDecode_FeatureBufferTooSmall_Throws()
    {
        var decoder = RecordDecoder.Create(Schema());
        Assert.Throws<ArgumentException>(() => decoder.TryDecode(Encode(Valid()), default, new float[2], out _, out _));
    }

    [Fact]
    public void RoundTrip_RandomFiniteFloats_DecodeToSameBits()
    {
        var decoder = RecordDecoder.Create(Schema());
        var arb = Gen.Choose(0, int.MaxValue).ToArbitrary();
        Prop.ForAll(arb, seed =>
        {
            var random = new Random(seed);
            var values = Enumerable.Range(0, 3).Select(_ => RandomFinite(random)).ToArray();
            var fields = With(With(With(Valid(),
                "amount", new("amount", values[0].ToString("R", CultureInfo.InvariantCulture))),
                "fee", new("fee", values[1].ToString(CultureInfo.InvariantCulture), Quoted: random.Next(2) == 0)),
                "velocity", new("velocity", values[2].ToString("R", CultureInfo.InvariantCulture)));
            var features = new float[3];
            Assert.True(decoder.TryDecode(Encode(fields), default, features, out _, out var error), error.Detail);
            Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), features.Select(BitConverter.SingleToInt32Bits));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));
    }

    [Fact]
    public void TryDecode_RandomBytes_NeverThrowsAndFailsWithAReason()
    {
        var decoder = RecordDecoder.Create(Schema());
        var random = new Random(20240506);
        var alphabet = Encoding.UTF8.GetBytes("{}[]\":,;\\ 0123456789.eE+-ntrufalsNI\r\n\"amount\"fee\"entity\"timestamp");
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[random.Next(0, 96)];
            for (var j = 0; j < bytes.Length; j++)
            {
                bytes[j] = i % 2 == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }
            AssertDecodesOrFailsCleanly(decoder, bytes);
        }
    }

    [Fact]
    public void TryDecode_MutatedValidRecords_DecodeFiniteOrFailWithAReason()
    {
        var decoder = RecordDecoder.Create(Schema());
        var random = new Random(7);
        var inserts = Encoding.UTF8.GetBytes("\"{}[],:\\\r\n");
        var decoded = 0;
        for (var i = 0; i < 4000; i++)
        {
            var fields = With(With(Valid(),
                "amount", new("amount", RandomFinite(random).ToString("R", CultureInfo.InvariantCulture))),
                "fee", new("fee", RandomFinite(random).ToString("R", CultureInfo.InvariantCulture), Quoted: random.Next(2) == 0));
            var bytes = PayloadMutations.Apply(random, Encode(fields), random.Next(1, 4), inserts);
            decoded += AssertDecodesOrFailsCleanly(decoder, bytes) ? 1 : 0;
        }
        // Some mutations leave a valid record (a changed digit, say): both outcomes must occur.
        Assert.InRange(decoded, 1, 3999);
    }

    private static bool AssertDecodesOrFailsCleanly(IRecordDecoder decoder, byte[] payload)
    {
        var features = new float[decoder.FeatureCount];
        var ok = decoder.TryDecode(payload, new SourcePosition(1, 2), features, out var info, out var error);
        if (ok)
        {
            Assert.All(features, f => Assert.True(float.IsFinite(f)));
            Assert.NotNull(info.EntityKey);
            Assert.NotNull(info.Id);
        }
        else
        {
            Assert.True(Enum.IsDefined(error.Reason), Encoding.UTF8.GetString(payload));
            Assert.False(string.IsNullOrEmpty(error.Detail));
        }
        return ok;
    }

    private static float RandomFinite(Random random)
    {
        if (random.Next(4) == 0)
        {
            return (float)Math.Round(random.NextDouble() * 1000 - 500, random.Next(4));
        }
        float value;
        do
        {
            value = BitConverter.Int32BitsToSingle(random.Next() ^ (random.Next(2) << 31));
        }
        while (!float.IsFinite(value));
        return value;
    }
}
