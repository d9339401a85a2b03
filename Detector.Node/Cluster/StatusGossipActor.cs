using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;

namespace Detector.Node.Cluster;

/// <summary>
/// Every node's status, seen from every node: publishes this node's <see cref="NodeStatus"/> on
/// <see cref="ClusterTopics.Status"/> every interval and keeps the latest of each member (dropped when it leaves the
/// cluster). Membership and reachability themselves come from Akka (<see cref="ClusterNode.Members"/>).
/// </summary>
public sealed class StatusGossipActor : ReceiveActor, IWithTimers
{
    private readonly ClusterNode _node;

    /// <summary>Gossips node's status every interval.</summary>
    public StatusGossipActor(ClusterNode node, TimeSpan interval)
    {
        _node = node;
        Receive<Tick>(_ => DistributedPubSub.Get(Context.System).Mediator.Tell(new Publish(ClusterTopics.Status, _node.Status())));
        Receive<NodeStatus>(s =>
        {
            _node.Statuses[s.Address] = s;
            // A member runs a newer model than this node: a publish was missed (pub-sub does not redeliver), so read
            // the models topic again.
            if (s.ModelEpoch > _node.Inbox.InstalledEpoch || (s.ModelEpoch == _node.Inbox.InstalledEpoch && s.ModelVersion > _node.ModelVersion))
            {
                _node.ResyncModels();
            }
        });
        Receive<ClusterEvent.MemberRemoved>(r => _node.Statuses.TryRemove(r.Member.Address.ToString(), out _));
        Receive<SubscribeAck>(_ => { });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.CurrentClusterState>(_ => { });
        _interval = interval;
    }

    private readonly TimeSpan _interval;

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for node's gossip.</summary>
    public static Props Props(ClusterNode node, TimeSpan interval) => Akka.Actor.Props.Create(() => new StatusGossipActor(node, interval));

    /// <inheritdoc />
    protected override void PreStart()
    {
        DistributedPubSub.Get(Context.System).Mediator.Tell(new Subscribe(ClusterTopics.Status, Self));
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));
        Timers.StartPeriodicTimer("gossip", Tick.Instance, TimeSpan.Zero, _interval);
    }

    /// <inheritdoc />
    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}
