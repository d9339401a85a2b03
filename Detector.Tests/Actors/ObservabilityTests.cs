using Detector.Streams.Actors;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>Counters, the observer and mailbox depth by kind.</summary>
public sealed class ObservabilityTests
{
    [Fact]
    public async Task Observer_MessagesHandled_SeesEveryMessageUnderTheActorsKind()
    {
        var observer = new RecordingObserver();
        await using var system = new ActorSystem(observer: observer);
        var actor = system.Spawn(DelegateActor.Props(context =>
            context.Message is "boom" ? throw new InvalidDataException("boom") : Task.CompletedTask).WithKind("decoder"));

        for (var i = 0; i < 25; i++)
        {
            await actor.TellAsync(i);
        }
        await actor.TellAsync("boom");
        await actor.StopAsync().Guarded();

        Assert.Equal(26, observer.Processed["decoder"]);
        Assert.Equal(26, actor.MessagesProcessed);
        Assert.Equal(1, actor.Failures);
        var failure = Assert.Single(observer.Failures);
        Assert.Equal("decoder", failure.Kind);
        Assert.IsType<InvalidDataException>(failure.Exception);
        Assert.Equal(SupervisorDirective.Restart, failure.Directive);
    }

    [Fact]
    public async Task GetMailboxDepthsByKind_BlockedActors_SumsTheirQueuedMessages()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new CountdownEvent(3);
        await using var system = new ActorSystem();
        Props Blocking(string kind) => DelegateActor.Props(async context =>
        {
            if (context.Message is "block")
            {
                entered.Signal();
                await gate.Task;
            }
        }).WithKind(kind);
        var scorers = new[] { system.Spawn(Blocking("scorer")), system.Spawn(Blocking("scorer")) };
        var decoder = system.Spawn(Blocking("decoder"));
        foreach (var actor in scorers.Append(decoder))
        {
            actor.TryTell("block");
        }
        Assert.True(await Task.Run(() => entered.Wait(HangGuard.Limit)));
        scorers[0].TryTell(1);
        scorers[0].TryTell(2);
        scorers[1].TryTell(3);
        decoder.TryTell(4);

        var depths = system.GetMailboxDepthsByKind();

        Assert.Equal(3, depths["scorer"]);
        Assert.Equal(1, depths["decoder"]);
        Assert.Equal(3, system.GetMailboxDepth("scorer"));
        Assert.Equal(0, system.GetMailboxDepth("absent"));
        gate.SetResult();
    }
}
