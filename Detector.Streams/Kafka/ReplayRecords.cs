using System.Text;
using Detector.Streams.Generators;

namespace Detector.Streams.Kafka;

/// <summary>What <see cref="KafkaReplay"/> can produce: a generator's records keyed by entity, or a file's lines.</summary>
public static class ReplayRecords
{
    /// <summary>count records of a generator, keyed by entity (one entity's records stay in order on one partition).</summary>
    public static IEnumerable<ReplayRecord> FromGenerator(IRecordGenerator generator, long count)
    {
        for (long i = 0; i < count; i++)
        {
            var record = generator.Next();
            yield return new ReplayRecord(Encoding.UTF8.GetBytes(record.EntityKey), record.Payload);
        }
    }

    /// <summary>A file's non-empty lines (JSON lines, or CSV with the header skipped), unkeyed.</summary>
    public static IEnumerable<ReplayRecord> FromFile(string path, bool skipHeader)
    {
        var first = true;
        foreach (var line in File.ReadLines(path))
        {
            if (first && skipHeader)
            {
                first = false;
                continue;
            }
            first = false;
            if (line.Length > 0)
            {
                yield return new ReplayRecord(null, Encoding.UTF8.GetBytes(line));
            }
        }
    }
}
