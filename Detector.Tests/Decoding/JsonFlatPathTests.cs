using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using Detector.Streams.Records;
using Xunit;

namespace Detector.Tests.Decoding;

/// <summary>
/// The JSON decoder's flat path (a direct scan of flat objects) against the reader alone: on every payload, valid or
/// not, the two give the same verdict, features (to the bit), record info and error; and the flat path does read
/// the records the node actually receives, so the comparison is not won by always declining.
/// </summary>
public sealed class JsonFlatPathTests
{
    private static readonly RecordSchemaOptions Schema = new()
    {
        Format = RecordFormat.Json,
        Features = [new FeatureField("amount"), new FeatureField("fee"), new FeatureField("speed", "velocity")],
        IdField = "id",
        LabelField = "label",
        MaxRecordBytes = 4096,
    };

    /// <summary>What mutations insert: the bytes that make or break JSON's structure.</summary>
    private static readonly byte[] Inserts = Encoding.UTF8.GetBytes("\"{}[],:\\ \t\r\n0-.eE+tfn");

    private readonly JsonRecordDecoder _flat = new(Schema, flat: true);
    private readonly JsonRecordDecoder _reader = new(Schema, flat: false);

    [Theory]
    [InlineData("""{"id":"r-1","entity":"card-7","timestamp":"2024-05-06T07:08:09.123Z","amount":12.5,"fee":"0.25","velocity":-3,"label":1}""")]
    [InlineData(" \t{ \"amount\" : 1e5 ,\r\n \"fee\":-0.0E-2,\"velocity\":0, \"entity\":7,\"timestamp\":1714979289123, \"label\":true,\"x\":null,\"y\":false} \n")]
    [InlineData("""{}""")]
    [InlineData("""{"amount":"x","note":"héllo ✓"}""")]
    [InlineData("""{"amount":123456789012345,"fee":1234567890.123456,"velocity":-0.000000000000001}""")] // 15 digits, 16, 16
    [InlineData("""{"amount":-0,"fee":0.1,"velocity":16777217,"entity":1e2,"timestamp":1714979289123.5,"label":1}""")]
    [InlineData("""{"amountx":1,"amount":2,"fee":3,"fee":4,"velocity" :5,"velocity":6}""")] // a longer name, duplicates, a space before the colon
    public void ReadsFlat_PlainFlatObjects_Read(string json)
    {
        Assert.True(_flat.ReadsFlat(Encoding.UTF8.GetBytes(json)), json);
        AssertSame(Encoding.UTF8.GetBytes(json));
    }

    [Theory]
    [InlineData("""{"amount":1,"note":{"a":1}}""")] // nested object
    [InlineData("""{"amount":1,"note":[1,2]}""")] // array
    [InlineData("""{"am\u006funt":1}""")] // escaped name
    [InlineData("""{"entity":"a\"b"}""")] // escaped string
    [InlineData("{\"entity\":\"a\tb\"}")] // control character in a string
    [InlineData("""{"amount":01}""")]
    [InlineData("""{"amount":1.}""")]
    [InlineData("""{"amount":.5}""")]
    [InlineData("""{"amount":+1}""")]
    [InlineData("""{"amount":1e}""")]
    [InlineData("""{"amount":-}""")]
    [InlineData("""{"amount":1x}""")]
    [InlineData("""{"amount":tru}""")]
    [InlineData("""{"amount":1,}""")]
    [InlineData("""{"amount":1}x""")]
    [InlineData("""{"amount":1}{}""")]
    [InlineData("""{"amount" 1}""")]
    [InlineData("""{'amount':1}""")]
    [InlineData("""{"amount":1""")]
    [InlineData("""[1]""")]
    [InlineData("")]
    [InlineData("\uFEFF{\"amount\":1}")] // a byte-order mark
    [InlineData("{\"amount\":1 /* c */}")]
    public void ReadsFlat_AnythingElse_DeclinedAndTheReaderDecides(string json)
    {
        Assert.False(_flat.ReadsFlat(Encoding.UTF8.GetBytes(json)), json);
        AssertSame(Encoding.UTF8.GetBytes(json));
    }

    [Fact]
    public void TryDecode_GeneratedCardAndFleetRecords_ReadFlatAndAsTheReaderReadsThem()
    {
        IRecordGenerator[] generators =
        [
            new CardTransactionGenerator(new CardGeneratorOptions { Seed = 5, AnomalyRate = 0.05 }),
            new FleetTelemetryGenerator(new FleetGeneratorOptions { Seed = 5 }),
        ];
        foreach (var generator in generators)
        {
            var flat = new JsonRecordDecoder(generator.Schema, flat: true);
            var reader = new JsonRecordDecoder(generator.Schema, flat: false);
            for (var i = 0; i < 2_000; i++)
            {
                var payload = generator.Next().Payload;
                Assert.True(flat.ReadsFlat(payload), Encoding.UTF8.GetString(payload));
                AssertSame(flat, reader, payload);
            }
        }
    }

    [Theory]
    [InlineData("a\\b", """{"entity":"e","timestamp":1,"a\b":1,"x":2}""")] // the name's bytes, but in JSON an escape: the reader reads another name
    [InlineData("a\"b", """{"entity":"e","timestamp":1,"a"b":1,"x":2}""")] // the name's bytes, but not JSON
    [InlineData("a\tb", "{\"entity\":\"e\",\"timestamp\":1,\"a\tb\":1,\"x\":2}")] // a control character: not JSON
    public void TryDecode_FieldNamesThatAreNotPlainJsonText_NeverMatchedByTheirBytes(string name, string json)
    {
        // The layout's order is entity, timestamp, then the features: the odd name is the one expected third.
        var schema = new RecordSchemaOptions { Format = RecordFormat.Json, Features = [new FeatureField(name), new FeatureField("x")] };
        var payload = Encoding.UTF8.GetBytes(json);
        Assert.False(new JsonRecordDecoder(schema, flat: true).ReadsFlat(payload), json);
        AssertSame(new JsonRecordDecoder(schema, flat: true), new JsonRecordDecoder(schema, flat: false), payload);
    }

    [Fact]
    public void TryDecode_MutatedAndRandomPayloads_SameAsTheReader()
    {
        var random = new Random(11);
        var alphabet = Encoding.UTF8.GetBytes("{}[]\":,\\ \t\r\n0123456789.eE+-ntrufalsx\"amount\"fee\"velocity\"entity\"timestamp\"label\"id");
        var read = 0;
        for (var i = 0; i < 20_000; i++)
        {
            byte[] payload;
            if (i % 4 == 0)
            {
                payload = new byte[random.Next(0, 80)];
                for (var j = 0; j < payload.Length; j++)
                {
                    payload[j] = alphabet[random.Next(alphabet.Length)];
                }
            }
            else
            {
                payload = PayloadMutations.Apply(random, Valid(random), random.Next(0, 4), Inserts);
            }
            if (!Utf8.IsValid(payload))
            {
                continue;
            }
            read += _flat.ReadsFlat(payload) ? 1 : 0;
            AssertSame(payload);
        }
        // Both paths must have been exercised: unmutated and harmlessly mutated records are flat, broken ones are not.
        Assert.InRange(read, 2_000, 18_000);
    }

    [Fact]
    public void TryDecode_ThreadsSharingOneDecoderOnRecordsInEveryFieldOrder_EachAsTheReaderReadsIt()
    {
        // The pipeline's threads share one decoder, and with it the flat path's learned field order: records listing
        // their fields in other orders make the threads rewrite it under each other, which may cost speed, never results.
        var random = new Random(17);
        var payloads = Enumerable.Range(0, 2_000).Select(_ => Valid(random)).ToArray();
        var alone = new JsonRecordDecoder(Schema, flat: true);
        var readAlone = payloads.Count(p => alone.ReadsFlat(p));
        var flat = new JsonRecordDecoder(Schema, flat: true);
        var read = 0;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            for (var round = 0; round < 3; round++)
            {
                for (var k = worker; k < payloads.Length; k += 4)
                {
                    AssertSame(flat, _reader, payloads[k]);
                    if (round == 0 && flat.ReadsFlat(payloads[k]))
                    {
                        Interlocked.Increment(ref read);
                    }
                }
            }
        });
        Assert.Equal(readAlone, read);
        Assert.InRange(readAlone, payloads.Length / 2, payloads.Length); // the flat path is what is exercised
    }

    private void AssertSame(byte[] payload) => AssertSame(_flat, _reader, payload);

    private static void AssertSame(JsonRecordDecoder flat, JsonRecordDecoder reader, byte[] payload)
    {
        var (a, b) = (new float[flat.FeatureCount], new float[reader.FeatureCount]);
        var position = new SourcePosition(3, 4);
        var okA = flat.TryDecode(payload, position, a, out var infoA, out var errorA);
        var okB = reader.TryDecode(payload, position, b, out var infoB, out var errorB);
        var shown = Encoding.UTF8.GetString(payload);
        Assert.True(okA == okB, $"flat {okA} ({errorA.Detail}), reader {okB} ({errorB.Detail}): {shown}");
        Assert.Equal(errorB, errorA);
        if (okA)
        {
            Assert.Equal(b.Select(BitConverter.SingleToInt32Bits), a.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(infoB, infoA);
        }
    }

    /// <summary>A flat record of the test schema with random values, some quoted, some null, in random order, with random whitespace.</summary>
    private static byte[] Valid(Random random)
    {
        string Number() => random.Next(6) switch
        {
            0 => random.Next(-5, 5).ToString(CultureInfo.InvariantCulture),
            1 => (random.NextDouble() * 1e6 - 5e5).ToString("R", CultureInfo.InvariantCulture),
            2 => (random.NextDouble() * 1e-3).ToString("E3", CultureInfo.InvariantCulture),
            3 => "null",
            4 => "\"" + random.NextDouble().ToString(CultureInfo.InvariantCulture) + "\"",
            _ => (random.NextDouble() * 100).ToString("F2", CultureInfo.InvariantCulture),
        };
        string Space() => random.Next(4) == 0 ? " \t\r\n"[random.Next(4)].ToString() : "";
        var fields = new List<string>
        {
            "\"id\":\"r-" + random.Next(100) + "\"", "\"entity\":" + (random.Next(2) == 0 ? "\"card-" + random.Next(9) + "\"" : random.Next(9).ToString(CultureInfo.InvariantCulture)),
            "\"timestamp\":" + (random.Next(2) == 0 ? "\"2024-05-06T07:08:09.123Z\"" : "1714979289123"),
            "\"amount\":" + Number(), "\"fee\":" + Number(), "\"velocity\":" + Number(),
            "\"label\":" + (random.Next(3) switch { 0 => "true", 1 => "0", _ => "null" }), "\"note\":\"ok\"",
        };
        var ordered = fields.OrderBy(_ => random.Next()).Select(f => Space() + f.Replace(":", Space() + ":" + Space(), StringComparison.Ordinal) + Space());
        return Encoding.UTF8.GetBytes(Space() + "{" + string.Join(",", ordered) + "}" + Space());
    }
}
