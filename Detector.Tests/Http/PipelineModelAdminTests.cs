using Detector.Models.Scoring;
using Detector.Node.Hosting;
using Detector.Node.Http;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using Detector.Streams.Pipeline;
using Detector.Streams.Training;
using Detector.Tests.Pipeline;
using Xunit;

namespace Detector.Tests.Http;

/// <summary>`POST /models/retrain` behind the HTTP layer: the trainer retrains itself, any other node forwards the request.</summary>
public sealed class PipelineModelAdminTests
{
    private static readonly Lazy<(IRecordDecoder Decoder, FeatureSchema Schema)> Cards = new(() =>
    {
        var generator = RecordGenerators.Create("cards", 3);
        return (RecordDecoder.Create(generator.Schema), new FeatureSchema(generator.Schema.Features.Select(f => f.Name)));
    });

    private static FeatureSchema Schema => Cards.Value.Schema;

    private static DetectorPipeline Pipeline(ITrainerRole role) => new(new PipelineOptions(), Cards.Value.Decoder, Schema,
        new InMemoryAlertSink(), new InMemoryDeadLetterSink(), distribution: new ModelDistribution(role, null));

    [Fact]
    public async Task Retrain_InACluster_GoesToTheTrainerSingletonNotTheLocalPipeline()
    {
        await using var pipeline = Pipeline(new NeverTrainer());
        var asked = 0;
        using var admin = new PipelineModelAdmin(pipeline, new ModelHistory(pipeline.Registry, 5), Schema, _ =>
        {
            Interlocked.Increment(ref asked);
            return Task.FromResult(new RetrainFinished("published", 7, 0.1, 0.2));
        });

        var outcome = await admin.RetrainAsync(CancellationToken.None);

        Assert.Equal(("published", 7L), (outcome.Outcome, outcome.Version));
        Assert.Equal(1, asked);
    }

    [Fact]
    public async Task Retrain_NotTheTrainerAndNoClusterToForwardTo_SaysSo()
    {
        await using var pipeline = Pipeline(new NeverTrainer());
        using var admin = new PipelineModelAdmin(pipeline, new ModelHistory(pipeline.Registry, 5), Schema);

        Assert.Equal("not-trainer", (await admin.RetrainAsync(CancellationToken.None)).Outcome);
    }
}
