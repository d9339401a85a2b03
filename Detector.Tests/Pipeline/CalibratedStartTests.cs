using Detector.Models.Networks;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using Detector.Streams.Thresholds;
using Detector.Streams.Training;
using Xunit;

namespace Detector.Tests.Pipeline;

/// <summary>A model that carries calibration scores is judged against a threshold from its first record on.</summary>
public sealed class CalibratedStartTests
{
    [Theory]
    [InlineData(ThresholdMethod.Percentile)]
    [InlineData(ThresholdMethod.Pot)]
    public async Task RunAsync_ModelWithCalibrationScores_JudgesTheFirstRecordWithoutWarmUp(ThresholdMethod method)
    {
        var generator = new CardTransactionGenerator(new CardGeneratorOptions { Seed = 21, AnomalyRate = 0 });
        var decoder = RecordDecoder.Create(generator.Schema);
        var schema = new FeatureSchema(generator.Schema.Features.Select(f => f.Name));
        const int trainRows = 12_000;
        var rows = new float[trainRows * schema.Count];
        for (var i = 0; i < trainRows; i++)
        {
            Assert.True(decoder.TryDecode(generator.Next().Payload, new SourcePosition(0, i), rows.AsSpan(i * schema.Count, schema.Count), out _, out _));
        }
        var model = new Trainer().Train(rows, trainRows, schema, new ModelOptions(), new TrainingOptions { Epochs = 2, ValidationFraction = 0.1 });
        Assert.Equal(1_200, model.Metadata.CalibrationScores.Count);
        var registry = new ModelRegistry();
        registry.Publish(model);
        var thresholds = new List<float>();
        void Judged(RecordBatch batch)
        {
            lock (thresholds)
            {
                thresholds.AddRange(batch.Thresholds.Take(batch.Count));
            }
        }
        var options = new PipelineOptions
        {
            ModelActors = 1,
            Thresholds = new ThresholdOptions { Method = method, WarmUp = 5_000, PotMinScores = 1_000 },
            Retraining = new RetrainingOptions { EveryRows = 0 },
        };
        var payloads = Enumerable.Range(0, 2_000).Select(_ => generator.Next().Payload).ToList();

        await using (var pipeline = new DetectorPipeline(options, decoder, schema, new InMemoryAlertSink(), new InMemoryDeadLetterSink(), registry, batchJudged: Judged))
        {
            await pipeline.RunAsync(new ListSource(payloads)).WaitAsync(TimeSpan.FromMinutes(2));
        }

        Assert.Equal(2_000, thresholds.Count);
        Assert.All(thresholds, t => Assert.True(float.IsFinite(t), "a record was judged by a cold (warming-up) threshold"));
    }
}
