using Detector.Streams.Audit;
using Detector.Streams.Records;
using Xunit;

namespace Detector.Tests.Audit;

public sealed class ScoredRangeAuditTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"audit-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(_path);

    private static RecordBatch Batch(params SourcePosition[] positions)
    {
        var batch = new RecordBatch(positions.Length, 1);
        foreach (var position in positions)
        {
            batch.NextRow()[0] = 1f;
            batch.Commit(new RecordInfo($"r{position.Offset}", "e", DateTimeOffset.UnixEpoch, null), position, ReadOnlyMemory<byte>.Empty, 0);
        }
        batch.ModelVersion = 7;
        return batch;
    }

    [Fact]
    public void Record_MixedPartitionsAndGaps_OneLinePerConsecutiveRun()
    {
        using (var audit = new ScoredRangeAudit(_path, p => $"topic:{p}"))
        {
            audit.Record(Batch(new(0, 10), new(0, 11), new(0, 12), new(1, 5), new(0, 14), new(1, 6)));
        }

        Assert.Equal(["topic:0,10,12,7", "topic:1,5,5,7", "topic:0,14,14,7", "topic:1,6,6,7"], File.ReadAllLines(_path));
    }

    [Fact]
    public void Read_TwoLogsOverlapping_CountsEachOffsetPerScoring()
    {
        var other = _path + ".b";
        try
        {
            using (var a = new ScoredRangeAudit(_path))
            {
                a.Record(Batch(new(0, 0), new(0, 1), new(0, 2)));
            }
            using (var b = new ScoredRangeAudit(other))
            {
                b.Record(Batch(new(0, 2), new(0, 3)));
            }
            File.AppendAllText(other, "0,9"); // a line cut short by a kill is ignored

            var counts = ScoredRangeAudit.Read([_path, other])["0"];

            Assert.Equal([1, 1, 2, 1], Enumerable.Range(0, 4).Select(o => counts[o]));
            Assert.False(counts.ContainsKey(9));
        }
        finally
        {
            File.Delete(other);
        }
    }
}
