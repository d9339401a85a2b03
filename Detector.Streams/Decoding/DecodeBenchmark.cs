using System.Diagnostics;
using System.Globalization;
using Detector.Streams.Generators;
using Detector.Streams.Records;

namespace Detector.Streams.Decoding;

/// <summary>
/// A hand-run micro-benchmark of JSON decoding (not a test: timing never decides a test). For each embedded generator it
/// decodes the same seeded records with the flat path and with the reader alone (the reference), in alternating rounds
/// after an untimed round each, and prints the best round of each as nanoseconds per record, one JSON line per case,
/// with the flat path's speed-up over the reader from the same run.
/// </summary>
public static class DecodeBenchmark
{
    /// <summary>Decodes <paramref name="records"/> records of every generator, <paramref name="rounds"/> timed rounds per path.</summary>
    public static void Run(TextWriter output, int records = 100_000, int rounds = 7)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(records, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        foreach (var dataset in RecordGenerators.Names)
        {
            var generator = RecordGenerators.Create(dataset, 7);
            var payloads = new byte[records][];
            for (var i = 0; i < records; i++)
            {
                payloads[i] = generator.Next().Payload;
            }
            var reader = new JsonRecordDecoder(generator.Schema, flat: false);
            var flat = new JsonRecordDecoder(generator.Schema, flat: true);
            var (readerNs, flatNs) = (double.MaxValue, double.MaxValue);
            Decode(reader, payloads);
            Decode(flat, payloads);
            for (var round = 0; round < rounds; round++)
            {
                readerNs = Math.Min(readerNs, Decode(reader, payloads));
                flatNs = Math.Min(flatNs, Decode(flat, payloads));
            }
            var bytes = payloads.Average(p => p.Length);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"case\":\"decode\",\"dataset\":\"{dataset}\",\"path\":\"reader\",\"records\":{records},\"bytes_per_record\":{bytes:F0},\"ns_per_record\":{readerNs:F1}}}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"case\":\"decode\",\"dataset\":\"{dataset}\",\"path\":\"flat\",\"records\":{records},\"bytes_per_record\":{bytes:F0},\"ns_per_record\":{flatNs:F1},\"speedup_over_reader\":{readerNs / flatNs:F2}}}"));
        }
    }

    /// <summary>Nanoseconds per record of one round; throws if a generated record fails to decode (the benchmark would time the error path).</summary>
    private static double Decode(JsonRecordDecoder decoder, byte[][] payloads)
    {
        var features = new float[decoder.FeatureCount];
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < payloads.Length; i++)
        {
            if (!decoder.TryDecode(payloads[i], new SourcePosition(0, i), features, out _, out var error))
            {
                throw new InvalidOperationException($"generated record {i} did not decode: {error.Reason} {error.Detail}");
            }
        }
        clock.Stop();
        return clock.Elapsed.TotalNanoseconds / payloads.Length;
    }
}
