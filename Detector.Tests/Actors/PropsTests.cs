using Detector.Streams.Actors;
using Xunit;

namespace Detector.Tests.Actors;

/// <summary>Props are immutable recipes.</summary>
public sealed class PropsTests
{
    [Fact]
    public void WithMethods_AnyChange_ReturnCopiesAndLeaveTheOriginalAlone()
    {
        var original = Props.FromProducer(() => new DelegateActor(_ => Task.CompletedTask));

        var changed = original
            .WithName("scorer-0")
            .WithKind("scorer")
            .WithMailboxCapacity(8)
            .WithSupervisorStrategy(StopStrategy.Instance)
            .WithDedicatedThread();

        Assert.Null(original.Name);
        Assert.Null(original.Kind);
        Assert.Equal(Props.DefaultMailboxCapacity, original.MailboxCapacity);
        Assert.Same(RestartWithBackoffStrategy.Default, original.SupervisorStrategy);
        Assert.False(original.DedicatedThread);
        Assert.Equal(("scorer-0", "scorer", 8, true), (changed.Name, changed.Kind, changed.MailboxCapacity, changed.DedicatedThread));
        Assert.Same(StopStrategy.Instance, changed.SupervisorStrategy);
        Assert.Same(original.Producer, changed.Producer);
    }

    [Fact]
    public void WithMailboxCapacity_Zero_Throws()
    {
        var props = Props.FromProducer(() => new DelegateActor(_ => Task.CompletedTask));

        Assert.Throws<ArgumentOutOfRangeException>(() => props.WithMailboxCapacity(0));
    }

    [Fact]
    public async Task Spawn_StartedHandlerThrows_IsSupervisedLikeAnyFailure()
    {
        var observer = new RecordingObserver();
        await using var system = new ActorSystem(observer: observer);
        var actor = system.Spawn(DelegateActor.Props(context =>
            context.Message is Started ? throw new InvalidOperationException("cannot open device") : Task.CompletedTask)
            .WithSupervisorStrategy(StopStrategy.Instance));

        await actor.Completion.Guarded();

        var failure = Assert.Single(observer.Failures);
        Assert.Equal(SupervisorDirective.Stop, failure.Directive);
        Assert.Equal("cannot open device", failure.Exception.Message);
    }
}
