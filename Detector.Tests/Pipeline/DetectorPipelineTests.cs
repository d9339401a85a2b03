using System.Collections.Concurrent;
using System.Text;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scaling;
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

/// <summary>The whole pipeline under load: nothing lost, nothing scored twice, swaps between batches, bad input kept.</summary>
public sealed class DetectorPipelineTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private static PipelineOptions Options(int warmUp = 2_000, long everyRows = 0) => new()
    {
        ModelActors = 2,
        Thresholds = new ThresholdOptions { Percentile = 99, WindowSize = 5_000, WarmUp = 500, SuppressionGap = TimeSpan.FromMinutes(5) },
        Retraining = new RetrainingOptions
        {
            WarmUpRows = warmUp, EveryRows = everyRows, ReservoirCapacity = 10_000, RecentCapacity = 5_000, MinInterval = TimeSpan.Zero,
            Training = new Detector.Models.Training.TrainingOptions { Epochs = 4, Threads = 1 },
        },
    };

    private static (IRecordDecoder Decoder, FeatureSchema Schema, List<byte[]> Payloads) Cards(int records, ulong seed = 3)
    {
        var generator = RecordGenerators.Create("cards", seed);
        var payloads = Enumerable.Range(0, records).Select(_ => generator.Next().Payload).ToList();
        return (RecordDecoder.Create(generator.Schema), new FeatureSchema(generator.Schema.Features.Select(f => f.Name)), payloads);
    }

    [Fact]
    public async Task RunAsync_ContinuousLoadWithRetraining_EveryRecordScoredExactlyOnceAndSwapsBetweenBatches()
    {
        var generator = RecordGenerators.Create("cards", 3);
        var judged = new ConcurrentDictionary<string, long>();
        var duplicates = 0;
        var batchVersions = new ConcurrentQueue<long>();
        void Judged(RecordBatch batch)
        {
            batchVersions.Enqueue(batch.ModelVersion);
            for (var i = 0; i < batch.Count; i++)
            {
                if (!judged.TryAdd(batch.Info[i].Id, batch.ModelVersion))
                {
                    Interlocked.Increment(ref duplicates);
                }
            }
        }
        var alerts = new InMemoryAlertSink();
        var deadLetters = new InMemoryDeadLetterSink();
        await using var pipeline = new DetectorPipeline(Options(everyRows: 6_000), RecordDecoder.Create(generator.Schema),
            new FeatureSchema(generator.Schema.Features.Select(f => f.Name)), alerts, deadLetters, batchJudged: Judged);
        // Load never pauses: the source keeps producing while models are trained and swapped, and stops 5,000 records
        // after the second swap (capped, as a hang guard).
        long stopAt = long.MaxValue;
        var source = new ScriptedSource(generator, produced =>
        {
            if (stopAt == long.MaxValue && pipeline.Registry.Version >= 3)
            {
                stopAt = produced + 5_000;
            }
            return Task.FromResult(produced < Math.Min(stopAt, 2_000_000));
        });
        await pipeline.RunAsync(source).WaitAsync(HangGuard);

        var records = source.Produced;
        Assert.True(pipeline.Registry.Version >= 3, $"only {pipeline.Registry.Version} model versions were published in {records} records");
        Assert.Empty(deadLetters.Letters);
        Assert.Equal(0, duplicates);
        Assert.Equal(records, judged.Count);
        Assert.Equal(records - 1, source.AcknowledgedOffset);
        Assert.Equal(0, pipeline.Offsets.InFlight);
        Assert.All(batchVersions, v => Assert.True(v >= 1, "a batch was judged without a model version"));
        Assert.True(judged.Values.Distinct().Count() >= 3, "records were not scored by the swapped-in models");
        Assert.All(alerts.Alerts, a => Assert.Equal(judged[a.RecordId], a.ModelVersion));
        Assert.True(pipeline.Metrics.Alerts <= pipeline.Metrics.Anomalies);
    }

    [Fact]
    public async Task RunAsync_EnsembleModel_TrainedAtWarmUpSwappedByRetrainAndAlertsNameFeatures()
    {
        var generator = RecordGenerators.Create("cards", 5);
        var versions = new ConcurrentDictionary<long, int>();
        void Judged(RecordBatch batch) => versions.AddOrUpdate(batch.ModelVersion, batch.Count, (_, n) => n + batch.Count);
        var alerts = new InMemoryAlertSink();
        var ensemble = ModelPresets.Tabular with { HiddenSizes = [16, 8], CodeSize = 4, Members = 3, ElboSamples = 2 };
        var options = Options(warmUp: 2_000) with
        {
            Retraining = Options().Retraining with { WarmUpRows = 2_000, Model = ensemble, GateTolerance = 1e9 },
        };
        await using var pipeline = new DetectorPipeline(options, RecordDecoder.Create(generator.Schema),
            new FeatureSchema(generator.Schema.Features.Select(f => f.Name)), alerts, new InMemoryDeadLetterSink(), batchJudged: Judged);
        RetrainFinished? outcome = null;
        var source = new ScriptedSource(generator, async produced =>
        {
            if (produced == 8_000)
            {
                outcome = await pipeline.RetrainAsync();
            }
            return produced < 14_000;
        });
        await pipeline.RunAsync(source).WaitAsync(HangGuard);

        Assert.Equal("published", outcome?.Outcome);
        var model = pipeline.Registry.Current!;
        Assert.Equal(3, Assert.IsType<EnsembleNetwork<float>>(model.Network).Members.Count);
        Assert.True(model.Version >= 2, $"the retrained ensemble was not swapped in (version {model.Version})");
        Assert.True(versions.Keys.Count(v => v >= 1) >= 2, $"records were scored by versions {string.Join(", ", versions.Keys)} only");
        Assert.Equal(13_999, source.AcknowledgedOffset);
        Assert.NotEmpty(alerts.Alerts);
        Assert.All(alerts.Alerts, a =>
        {
            Assert.NotEmpty(a.TopFeatures);
            Assert.All(a.TopFeatures, f => Assert.Contains(f.Name, model.Schema.Names));
            Assert.True(a.TopFeatures.Sum(f => f.Contribution) <= 1.0001f);
        });
    }

    [Fact]
    public async Task RunAsync_HotSwap_ThresholdRecalibratedSoTheAnomalyRateDoesNotJump()
    {
        // No injected fraud: the 99th percentile then sits inside the normal score distribution, where a change of
        // score scale at the swap would move the alert rate if the threshold were not recalibrated.
        var generator = new CardTransactionGenerator(new CardGeneratorOptions { Seed = 11, AnomalyRate = 0 });
        var judged = new List<(long Version, bool Anomalous)>();
        void Judged(RecordBatch batch)
        {
            lock (judged)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    judged.Add((batch.ModelVersion, batch.Anomalous[i]));
                }
            }
        }
        // Start from a deliberately undertrained model (one epoch on 500 rows): its errors are much larger than the
        // retrained model's, so without recalibration the old window would hide nearly every anomaly after the swap.
        var decoder = RecordDecoder.Create(generator.Schema);
        var schema = new FeatureSchema(generator.Schema.Features.Select(f => f.Name));
        var warmUp = new float[500 * schema.Count];
        var warmUpGenerator = new CardTransactionGenerator(new CardGeneratorOptions { Seed = 12, AnomalyRate = 0 });
        for (var i = 0; i < 500; i++)
        {
            Assert.True(decoder.TryDecode(warmUpGenerator.Next().Payload, new SourcePosition(0, i), warmUp.AsSpan(i * schema.Count, schema.Count), out _, out _));
        }
        var registry = new ModelRegistry();
        registry.Publish(new Detector.Models.Training.Trainer().Train(warmUp, 500, schema, new Detector.Models.Networks.ModelOptions(),
            new Detector.Models.Training.TrainingOptions { Epochs = 1, ValidationFraction = 0 }));
        await using var pipeline = new DetectorPipeline(Options() with { Retraining = Options().Retraining with { GateTolerance = 0 } }, decoder, schema,
            new InMemoryAlertSink(), new InMemoryDeadLetterSink(), registry, batchJudged: Judged);
        RetrainFinished? outcome = null;
        var source = new ScriptedSource(generator, async produced =>
        {
            if (produced == 20_000)
            {
                outcome = await pipeline.RetrainAsync(); // the swap happens here, with records of v1 still in flight
            }
            return produced < 40_000;
        });
        await pipeline.RunAsync(source).WaitAsync(HangGuard);

        Assert.Equal("published", outcome?.Outcome);
        Assert.True(outcome!.CandidateScore < 0.5 * outcome.CurrentScore, $"the retrained model is not much better ({outcome.CandidateScore:g3} vs {outcome.CurrentScore:g3})");
        var swap = judged.FindIndex(j => j.Version >= 2);
        var before = judged.Take(swap).TakeLast(5_000).Count(j => j.Anomalous) / 5_000.0;
        var after = judged.Skip(swap).Where(j => j.Version >= 2).Take(2_000).Count(j => j.Anomalous) / 2_000.0;
        // The threshold is the 99th percentile of recent scores: about 1% of records exceed it, before and right after
        // the swap alike. (Without recalibration this measured 0.1%: the old model's window hid the new model's scores.)
        Assert.InRange(before, 0.004, 0.025);
        Assert.InRange(after, 0.004, 0.025);
        Assert.InRange(after / before, 0.4, 2.5);
    }

    [Fact]
    public async Task RunAsync_BadRecords_DeadLetteredWithReasonsAndStillAcknowledged()
    {
        var (decoder, schema, payloads) = Cards(3_000, seed: 5);
        var good = Encoding.UTF8.GetString(payloads[0]);
        var bad = new (string Payload, DeadLetterReason Reason)[]
        {
            ("{\"not json", DeadLetterReason.Malformed),
            ("[1,2,3]", DeadLetterReason.Malformed),
            (good.Replace("\"amount\":", "\"amount_x\":", StringComparison.Ordinal), DeadLetterReason.MissingField),
            (good.Replace("\"amount\":", "\"amount\":\"lots\",\"ignored\":", StringComparison.Ordinal), DeadLetterReason.NonNumeric),
            (good.Replace("\"amount\":", "\"amount\":\"NaN\",\"ignored\":", StringComparison.Ordinal), DeadLetterReason.NonFinite),
            ("{\"pad\":\"" + new string('x', 70_000) + "\"}", DeadLetterReason.Oversized),
        };
        var mixed = new List<byte[]>(payloads);
        for (var k = 0; k < bad.Length; k++)
        {
            mixed.Insert(500 + 400 * k, Encoding.UTF8.GetBytes(bad[k].Payload));
        }
        var deadLetters = new InMemoryDeadLetterSink();
        var scored = 0L;
        await using var pipeline = new DetectorPipeline(Options(warmUp: 1_000), decoder, schema, new InMemoryAlertSink(), deadLetters,
            batchJudged: b => Interlocked.Add(ref scored, b.Count));
        var source = new ListSource(mixed);
        await pipeline.RunAsync(source).WaitAsync(HangGuard);

        Assert.Equal(bad.Select(b => b.Reason), deadLetters.Letters.OrderBy(l => l.Position.Offset).Select(l => l.Reason));
        Assert.All(deadLetters.Letters, l => Assert.Equal(mixed[(int)l.Position.Offset], l.Payload.ToArray()));
        Assert.Equal(payloads.Count, scored);
        Assert.Equal(bad.Length, pipeline.Metrics.DeadLettered);
        Assert.Equal(mixed.Count - 1, source.AcknowledgedOffset);
    }

    [Fact]
    public async Task RunAsync_RecordWhoseScoreOverflows_DeadLetteredAsScoringFailedAndTheRestScored()
    {
        // Every feature is finite, so it decodes; an amount of 3e38 makes the reconstruction error overflow float.
        var (decoder, schema, payloads) = Cards(3_000, seed: 13);
        var bad = System.Text.Json.Nodes.JsonNode.Parse(payloads[2_000])!;
        bad["amount"] = 3e38;
        var mixed = new List<byte[]>(payloads);
        mixed.Insert(2_000, Encoding.UTF8.GetBytes(bad.ToJsonString()));
        var deadLetters = new InMemoryDeadLetterSink();
        var scored = 0L;
        await using var pipeline = new DetectorPipeline(Options(warmUp: 1_000), decoder, schema, new InMemoryAlertSink(), deadLetters,
            batchJudged: b => Interlocked.Add(ref scored, b.Count));
        var source = new ListSource(mixed);
        await pipeline.RunAsync(source).WaitAsync(HangGuard);

        var letter = Assert.Single(deadLetters.Letters);
        Assert.Equal(DeadLetterReason.ScoringFailed, letter.Reason);
        Assert.Equal(2_000, letter.Position.Offset);
        Assert.Equal(mixed[2_000], letter.Payload.ToArray());
        Assert.Contains("overflows the model", letter.Detail, StringComparison.Ordinal);
        Assert.Equal(1, pipeline.Metrics.DeadLetteredFor(DeadLetterReason.ScoringFailed));
        Assert.Equal(payloads.Count, scored);
        Assert.Equal(mixed.Count - 1, source.AcknowledgedOffset);
    }

    [Fact]
    public async Task RunAsync_SinkHundredTimesSlower_NothingLostAndInFlightBounded()
    {
        const int records = 12_000;
        var (decoder, schema, payloads) = Cards(records, seed: 7);
        var options = Options(warmUp: 1_000) with { BatchMaxRows = 100, MaxPendingWrites = 4 };
        var sink = new SlowAlertSink(TimeSpan.FromMilliseconds(10));
        var judged = 0L;
        await using var pipeline = new DetectorPipeline(options, decoder, schema, sink, new InMemoryDeadLetterSink(),
            batchJudged: b => Interlocked.Add(ref judged, b.Count));
        var source = new ListSource(payloads, chunkSize: 100);
        await pipeline.RunAsync(source).WaitAsync(HangGuard);

        Assert.Equal(records, judged);
        Assert.Equal(records - 1, source.AcknowledgedOffset);
        // Bound: what the stages can hold (PipelineOptions.MaxRecordsInFlight), for the source's chunks of 100 records.
        var bound = options.MaxRecordsInFlight(chunkRecords: 100);
        Assert.True(pipeline.Offsets.MaxInFlight <= bound, $"{pipeline.Offsets.MaxInFlight} records were in flight at once; the bound is {bound}");
        Assert.True(sink.Publishes >= records / options.BatchMaxRows, "the slow sink was bypassed");
    }

    [Fact]
    public async Task RunAsync_NonTrainerGetsTheClusterModelBeforeItsWarmUpRows_HeldRecordsScoredAndAcknowledgedWithoutADrain()
    {
        var (decoder, schema, payloads) = Cards(300, seed: 9);
        var scored = 0L;
        await using var pipeline = new DetectorPipeline(Options(warmUp: 1_000), decoder, schema, new InMemoryAlertSink(), new InMemoryDeadLetterSink(),
            batchJudged: b => Interlocked.Add(ref scored, b.Count), distribution: new ModelDistribution(new NeverTrainer(), null));
        var source = new ListSource(payloads, chunkSize: 50, stayOpen: true);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(source, stop.Token);
        await Poll.UntilAsync(() => pipeline.Offsets.InFlight == payloads.Count, "every record read and held for the first model", HangGuard, run);

        // The trainer's first model arrives from the cluster while this node holds fewer rows than the warm-up count.
        await pipeline.AcceptClusterModelAsync(UntrainedModel(schema));
        await Poll.UntilAsync(() => source.AcknowledgedOffset == payloads.Count - 1, "the held records acknowledged", HangGuard, run);

        Assert.Equal(payloads.Count, Interlocked.Read(ref scored));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(HangGuard));
    }

    private static ModelSnapshot UntrainedModel(FeatureSchema schema)
    {
        var rng = new Rng(1);
        var network = ReconstructionNetwork<float>.FromOptions(new ModelOptions(), schema.Count, ref rng);
        var scaler = new FeatureScaler(ScalerKind.Robust, new float[schema.Count], Enumerable.Repeat(1f, schema.Count).ToArray());
        var meta = new TrainingMetadata(1, 1, 1, 1_000, 100, DateTimeOffset.UnixEpoch, 1, 1, [1.0], [1.0]);
        return new ModelSnapshot("cards", 1, schema, scaler, network, meta);
    }

    /// <summary>An alert sink that takes a fixed time per publish (a slow downstream system).</summary>
    private sealed class SlowAlertSink(TimeSpan delay) : IAlertSink
    {
        private long _publishes;

        public long Publishes => Interlocked.Read(ref _publishes);

        public async ValueTask PublishAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _publishes);
            await Task.Delay(delay, cancellationToken);
        }
    }
}
