using Detector.Streams.Actors;

namespace Detector.Tests.Actors;

/// <summary>An actor whose behaviour is a lambda; the tests' shared state lives in the lambda's closure.</summary>
public sealed class DelegateActor(Func<IActorContext, Task> receive) : IActor
{
    /// <summary>Props for an actor running <paramref name="receive"/>.</summary>
    public static Props Props(Func<IActorContext, Task> receive) =>
        Streams.Actors.Props.FromProducer(() => new DelegateActor(receive)).WithKind("test");

    /// <inheritdoc/>
    public Task ReceiveAsync(IActorContext context) => receive(context);
}
