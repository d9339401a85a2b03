using Detector.Models.Kernels;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using Detector.Streams.Telemetry;
using Detector.Streams.Thresholds;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>The threshold stage at a swap: the new version's recalibration applies at its first batch, not before.</summary>
public sealed class ThresholdRecalibrationTests
{
    [Fact]
    public void Judge_RecalibrationGivenForTheNextVersion_AppliedAtItsFirstBatchAndNotToOlderBatches()
    {
        var (decoder, schema, payloads) = PipelineFixture.Cards(200);
        var options = PipelineFixture.Options() with
        {
            Thresholds = new ThresholdOptions { Percentile = 95, WindowSize = 1_000, WarmUp = 100, SuppressionGap = TimeSpan.Zero, RelativeError = 0 },
        };
        var context = Context(options, schema);
        var tracker = new ThresholdTracker(options.Thresholds);
        var stage = new ThresholdStage(context, tracker, new RetrainRequests(_ => { }));

        // Version 1 scores lie in [0, 1): the 95th percentile is about 0.95.
        for (var k = 0; k < 10; k++)
        {
            stage.Judge(Scored(decoder, schema, payloads, version: 1, score: i => (k * 50 + i) % 100 / 100f));
        }
        var before = tracker.GlobalThreshold;
        Assert.InRange(before, 0.9f, 1f);

        // The trainer hands over version 2's scores of recent rows (in [100, 200)) before version 2 goes live.
        stage.Recalibrate(2, Enumerable.Range(0, 1_000).Select(i => 100f + i % 100).ToArray());
        var stale = stage.Judge(Scored(decoder, schema, payloads, version: 1, score: _ => 0.5f));
        Assert.InRange(tracker.GlobalThreshold, 0.9f, 1f);
        Assert.Empty(stale.Alerts);

        var first = stage.Judge(Scored(decoder, schema, payloads, version: 2, score: i => 100f + i));
        Assert.InRange(tracker.GlobalThreshold, 190f, 200f);
        // Judged against the recalibrated window, not the old one (which would flag every row of version 2).
        Assert.True(first.Alerts.Count < 10, $"{first.Alerts.Count} of 50 rows of the new version were flagged");
    }

    private static RecordBatch Scored(Detector.Streams.Decoding.IRecordDecoder decoder, Detector.Models.Scoring.FeatureSchema schema,
        IReadOnlyList<byte[]> payloads, long version, Func<int, float> score)
    {
        var batch = PipelineFixture.Batch(decoder, schema, payloads, 50);
        for (var i = 0; i < batch.Count; i++)
        {
            batch.Scores[i] = score(i);
        }
        batch.ModelVersion = version;
        return batch;
    }

    private static PipelineContext Context(PipelineOptions options, Detector.Models.Scoring.FeatureSchema schema)
    {
        var metrics = new PipelineMetrics(() => 0, () => 0, () => 0, () => new Dictionary<string, long>(), () => 0);
        return new PipelineContext(options, schema, new InMemoryAlertSink(), new InMemoryDeadLetterSink(), new OffsetTracker(), new ModelRegistry(),
            new TrainingReservoir(schema.Count, 1_000, 1_000, 1), new RecordBatchPool(options.BatchMaxRows, schema.Count), metrics,
            CpuKernels.Instance, TimeProvider.System, NullLogger.Instance)
        {
            Writes = new PendingWrites(4, TimeProvider.System, NullLogger.Instance),
        };
    }
}
