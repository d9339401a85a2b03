using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;

namespace Detector.Node.Cluster;

/// <summary>
/// Every node's end of the model broadcast: subscribes to <see cref="ClusterTopics.Models"/> and hands each model to
/// the node's <see cref="ModelInbox"/>, one at a time (the next is read once the previous is installed or refused).
/// </summary>
public sealed class ModelSubscriberActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Feeds inbox.</summary>
    public ModelSubscriberActor(ModelInbox inbox, TaskCompletionSource subscribed)
    {
        Receive<SubscribeAck>(_ => subscribed.TrySetResult());
        ReceiveAsync<ModelPublished>(async m =>
        {
            try
            {
                await inbox.OfferAsync(m, "pub-sub").ConfigureAwait(false);
            }
            catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or TimeoutException)
            {
                _log.Error(e, "model {0} v{1} could not be installed", m.Name, m.Version);
            }
        });
    }

    /// <summary>Props for node's subscriber.</summary>
    public static Props Props(ModelInbox inbox, TaskCompletionSource subscribed) => Akka.Actor.Props.Create(() => new ModelSubscriberActor(inbox, subscribed));

    /// <inheritdoc />
    protected override void PreStart() => DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(ClusterTopics.Models, Self));
}
