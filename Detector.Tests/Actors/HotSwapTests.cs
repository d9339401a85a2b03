using System.Collections.Concurrent;
using Detector.Models.Scoring;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Pipeline;
using Detector.Tests.Pipeline;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>Hot-swap: models published while batches are being scored take effect between batches, never inside one.</summary>
public sealed class HotSwapTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task RunAsync_ModelsSwappedContinuously_EveryBatchScoredWhollyByTheVersionItCarries()
    {
        var (decoder, schema, payloads) = PipelineFixture.Cards(12_000);
        // Two models with clearly different scores: which one scored a row shows in its score.
        var a = PipelineFixture.Model(decoder, schema, payloads, epochs: 1, seed: 1);
        var b = PipelineFixture.Model(decoder, schema, payloads, epochs: 4, seed: 2);
        var registry = new Detector.Streams.Training.ModelRegistry();
        var byVersion = new ConcurrentDictionary<long, ModelSnapshot>();
        byVersion[registry.Publish(a).Version] = a;
        var batches = new ConcurrentQueue<(long Version, float[] Rows, float[] Scores)>();
        await using var pipeline = new DetectorPipeline(PipelineFixture.Options(modelActors: 2), decoder, schema, new InMemoryAlertSink(),
            new InMemoryDeadLetterSink(), registry, batchJudged: batch =>
                batches.Enqueue((batch.ModelVersion, batch.Rows.ToArray(), batch.Scores.AsSpan(0, batch.Count).ToArray())), system: Sys);
        using var stop = new CancellationTokenSource();
        var swapper = Task.Run(async () =>
        {
            // Swaps between the two models as fast as the pipeline lets it, while the stream runs.
            for (var k = 0; !stop.IsCancellationRequested; k++)
            {
                var next = k % 2 == 0 ? b : a;
                var published = registry.Publish(next);
                byVersion[published.Version] = next;
                await Task.Delay(2);
            }
        });

        await pipeline.RunAsync(new ListSource(payloads, chunkSize: 64)).WaitAsync(Bound);
        await stop.CancelAsync();
        await swapper;

        var scorers = byVersion.ToDictionary(kv => kv.Key, kv => kv.Value.CreateScorer());
        var versions = new HashSet<long>();
        foreach (var (version, rows, scores) in batches)
        {
            versions.Add(version);
            var expected = new float[scores.Length];
            scorers[version].Score(rows, scores.Length, expected, []);
            var other = new float[scores.Length];
            scorers[byVersion[version] == a ? byVersion.First(kv => kv.Value == b).Key : byVersion.First(kv => kv.Value == a).Key]
                .Score(rows, scores.Length, other, []);
            for (var i = 0; i < scores.Length; i++)
            {
                // Each row's score is the carried version's (to rounding), and not the other model's.
                Assert.True(Math.Abs(scores[i] - expected[i]) <= 1e-4f * Math.Max(1f, Math.Abs(expected[i])),
                    $"a row of a batch carrying v{version} scored {scores[i]}, but v{version} gives {expected[i]}");
                Assert.True(Math.Abs(scores[i] - other[i]) > Math.Abs(scores[i] - expected[i]), "a row was scored by the other model");
            }
        }
        Assert.True(versions.Count >= 3, $"only {versions.Count} versions scored batches: the swaps did not happen during the run");
        Assert.Equal(payloads.Count, batches.Sum(x => x.Scores.Length));
    }
}
