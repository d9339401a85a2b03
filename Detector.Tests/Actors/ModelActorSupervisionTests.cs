using System.Collections.Concurrent;
using Akka.Actor;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Pipeline;
using Detector.Tests.Pipeline;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>Akka supervision of the model actors: a failure restarts the actor after a backoff; one that persists stops the run.</summary>
public sealed class ModelActorSupervisionTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task ModelActor_ScoringThrows_AnswersTheFailureThenIsDownForTheBackoffThenScoresAgain()
    {
        var (decoder, schema, payloads) = PipelineFixture.Cards(600);
        // A long backoff, so the actor is certainly still down when asked right after its failure.
        var options = PipelineFixture.Options() with { ModelRestartBackoff = TimeSpan.FromSeconds(5), ModelRestartMaxBackoff = TimeSpan.FromSeconds(5) };
        await using var pipeline = new DetectorPipeline(options, decoder, schema, new InMemoryAlertSink(), new InMemoryDeadLetterSink(),
            PipelineFixture.Registry(decoder, schema, payloads), system: Sys);
        var calls = 0;
        pipeline.FaultInjection = _ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                throw new InvalidOperationException("injected scoring fault");
            }
        };
        var score = new PipelineSupervisorActor.ToModel(0, new ModelActor.ScoreBatch(PipelineFixture.Batch(decoder, schema, payloads, 50)));
        var probe = CreateTestProbe();

        probe.Send(pipeline.Supervisor, score);
        var failure = probe.ExpectMsg<Status.Failure>(Bound);
        Assert.Equal("injected scoring fault", failure.Cause.Message);

        probe.Send(pipeline.Supervisor, score);
        probe.ExpectMsg<ModelActor.Restarting>(Bound);

        // After the backoff a new instance of the actor answers (asked again until it does).
        await AwaitAssertAsync(() =>
        {
            probe.Send(pipeline.Supervisor, score);
            var reply = probe.ReceiveOne(TimeSpan.FromSeconds(10));
            Assert.IsType<ModelActor.BatchScored>(reply);
        }, Bound, TimeSpan.FromMilliseconds(250));
        Assert.Equal(1, pipeline.Registry.Version);
    }

    [Fact]
    public async Task RunAsync_ModelActorFailsTwice_BatchesAskedAgainAndEveryRecordScoredOnce()
    {
        var (decoder, schema, payloads) = PipelineFixture.Cards(3_000);
        var options = PipelineFixture.Options(modelActors: 2) with { ModelRestartBackoff = TimeSpan.FromMilliseconds(20), ModelRestartMaxBackoff = TimeSpan.FromMilliseconds(200) };
        var judged = new ConcurrentDictionary<string, int>();
        await using var pipeline = new DetectorPipeline(options, decoder, schema, new InMemoryAlertSink(), new InMemoryDeadLetterSink(),
            PipelineFixture.Registry(decoder, schema, payloads), batchJudged: b =>
            {
                for (var i = 0; i < b.Count; i++)
                {
                    judged.AddOrUpdate(b.Info[i].Id, 1, (_, n) => n + 1);
                }
            }, system: Sys);
        var calls = 0;
        pipeline.FaultInjection = _ =>
        {
            var call = Interlocked.Increment(ref calls);
            if (call is 5 or 9)
            {
                throw new InvalidOperationException($"injected fault {call}");
            }
        };
        var source = new ListSource(payloads);

        await pipeline.RunAsync(source).WaitAsync(Bound);

        Assert.Equal(2, pipeline.ModelFailures);
        Assert.Equal(payloads.Count, judged.Count);
        Assert.All(judged.Values, n => Assert.Equal(1, n));
        Assert.Equal(payloads.Count - 1, source.AcknowledgedOffset);
    }

    [Fact]
    public async Task RunAsync_ModelActorAlwaysFails_RunStopsWithTheReasonOnceItsRestartsRunOut()
    {
        var (decoder, schema, payloads) = PipelineFixture.Cards(1_000);
        var options = PipelineFixture.Options() with
        {
            ModelMaxRestarts = 2, ModelRestartBackoff = TimeSpan.FromMilliseconds(10), ModelRestartMaxBackoff = TimeSpan.FromMilliseconds(40),
        };
        await using var pipeline = new DetectorPipeline(options, decoder, schema, new InMemoryAlertSink(), new InMemoryDeadLetterSink(),
            PipelineFixture.Registry(decoder, schema, payloads), system: Sys);
        pipeline.FaultInjection = _ => throw new InvalidOperationException("the device is gone");
        var source = new ListSource(payloads);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.RunAsync(source).WaitAsync(Bound));

        Assert.Contains("more than 2 restarts in a minute", e.Message, StringComparison.Ordinal);
        Assert.Equal("the device is gone", e.InnerException?.Message);
        Assert.Equal(-1, source.AcknowledgedOffset);
    }
}
