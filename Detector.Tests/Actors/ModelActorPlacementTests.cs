using Akka.Actor;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Pipeline;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>Placement: each model actor runs on the pinned dispatcher, on a dedicated thread of its own, with its device.</summary>
public sealed class ModelActorPlacementTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ModelActors_OnThePinnedDispatcher_EachKeepsADedicatedThreadOfItsOwn()
    {
        var (decoder, schema, payloads) = PipelineFixture.Cards(600);
        await using var pipeline = new DetectorPipeline(PipelineFixture.Options(modelActors: 3), decoder, schema, new InMemoryAlertSink(),
            new InMemoryDeadLetterSink(), PipelineFixture.Registry(decoder, schema, payloads), system: Sys);
        var probe = CreateTestProbe();

        ModelActor.RunningOn Ask(int k)
        {
            probe.Send(pipeline.Supervisor, new PipelineSupervisorActor.ToModel(k, ModelActor.WhereAreYou.Instance));
            return probe.ExpectMsg<ModelActor.RunningOn>(Bound);
        }

        var first = Enumerable.Range(0, 3).Select(Ask).ToArray();
        var again = Enumerable.Range(0, 3).Select(Ask).ToArray();

        Assert.All(first, r => Assert.Equal(PipelineAkkaConfig.ModelDispatcher, r.Dispatcher));
        Assert.All(first, r => Assert.False(r.IsThreadPoolThread, "a model actor ran on a thread-pool thread"));
        Assert.Equal(3, first.Select(r => r.ThreadId).Distinct().Count());
        Assert.Equal(first.Select(r => r.ThreadId), again.Select(r => r.ThreadId));
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, first.Select(r => r.ThreadId));
        Assert.Equal(["model-0", "model-1", "model-2"], pipeline.ActorDevices.Select(d => d.Actor));
        Assert.All(pipeline.ActorDevices, d => Assert.Equal("cpu", d.Device));
    }

    [Fact]
    public async Task Constructor_GivenSystemWithoutThePipelineDispatchers_AddsThemAsAFallbackAndLeavesTheSystemRunning()
    {
        var (decoder, schema, payloads) = PipelineFixture.Cards(600);
        Assert.False(Sys.Dispatchers.HasDispatcher(PipelineAkkaConfig.ModelDispatcher));

        var pipeline = new DetectorPipeline(PipelineFixture.Options(), decoder, schema, new InMemoryAlertSink(), new InMemoryDeadLetterSink(),
            PipelineFixture.Registry(decoder, schema, payloads), system: Sys);
        Assert.True(Sys.Dispatchers.HasDispatcher(PipelineAkkaConfig.ModelDispatcher));
        Assert.True(Sys.Dispatchers.HasDispatcher(PipelineAkkaConfig.TrainerDispatcher));
        await pipeline.DisposeAsync();

        Assert.False(Sys.WhenTerminated.IsCompleted, "the pipeline terminated a system it did not create");
        var probe = CreateTestProbe();
        probe.Send(probe.Ref, "still alive");
        probe.ExpectMsg("still alive", Bound);
    }
}
