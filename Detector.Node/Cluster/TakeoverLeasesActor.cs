using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Detector.Node.Cluster;

/// <summary>
/// Starts taking the leases a takeover needs while Akka is still deciding it, on the node Akka will ask (the rules are
/// <see cref="TakeoverLeases"/>): the trainer lease on the singleton's next node as soon as the singleton's node is
/// unreachable, and the split-brain resolver's lease on the side's leader. The instances are the very ones the
/// singleton and the resolver get from Akka's <see cref="Akka.Coordination.LeaseProvider"/> (same name, configuration and owner), so
/// their own Acquire finds the holding made or under way. A Kafka group join (the mock, like a broker's
/// <c>group.initial.rebalance.delay.ms</c>, delays a new group's first join by 3 s) and the dead holder's expulsion then
/// run during failure detection, <c>stable-after</c> and the hand-over instead of after them. Evaluated at every
/// membership or reachability change and every 500 ms.
/// </summary>
public sealed class TakeoverLeasesActor : ReceiveActor, IWithTimers
{
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _minorityDelay;
    private readonly TimeSpan _stableAfter;
    private KafkaLease? _trainer;
    private KafkaLease? _resolver;
    private bool _takingTrainer;
    private List<Address> _resolverSuspects = [];
    private DateTime? _minoritySince;
    private DateTime? _quietSince;

    /// <summary>Applies the rules at each change.</summary>
    public TakeoverLeasesActor()
    {
        _minorityDelay = Context.System.Settings.Config.GetTimeSpan("akka.cluster.split-brain-resolver.lease-majority.acquire-lease-delay-for-minority", TimeSpan.FromSeconds(2));
        _stableAfter = Context.System.Settings.Config.GetTimeSpan("akka.cluster.split-brain-resolver.stable-after", TimeSpan.FromSeconds(20));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => Evaluate());
        Receive<ClusterEvent.CurrentClusterState>(_ => Evaluate());
        Receive<Tick>(_ => Evaluate());
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props.</summary>
    public static Props Props() => Akka.Actor.Props.Create(() => new TakeoverLeasesActor());

    /// <inheritdoc />
    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.LeaderChanged));
        Timers.StartPeriodicTimer("tick", Tick.Instance, TimeSpan.FromMilliseconds(500));
    }

    /// <inheritdoc />
    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Evaluate()
    {
        var state = _cluster.State;
        var self = _cluster.SelfAddress;
        var members = state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Leaving).ToList();
        if (!members.Any(m => m.Address.Equals(self)))
        {
            return;
        }
        var byAge = members.OrderBy(m => m, Member.AgeOrdering).Select(m => new Peer(m.Address, !state.Unreachable.Contains(m))).ToList();
        EvaluateTrainer(byAge, self);
        EvaluateResolver(byAge, self, state.Leader);
    }

    private void EvaluateTrainer(List<Peer> byAge, Address self)
    {
        var take = TakeoverLeases.TakeTrainerLease(byAge, self);
        if (take && !_takingTrainer)
        {
            _takingTrainer = true;
            _trainer ??= TrainerSingletonActor.Lease(Context.System);
            _log.Info("the singleton's node {0} is unreachable: taking the trainer lease ahead of the hand-over", byAge[0].Address);
            _ = _trainer.AcquireAhead();
        }
        else if (!take && _takingTrainer)
        {
            _takingTrainer = false;
            if (byAge[0].Address.Equals(self))
            {
                // The old node was removed: the singleton moves here and its Acquire finds this holding.
                return;
            }
            if (_trainer!.GiveBackAhead())
            {
                _log.Info("the singleton's node {0} is reachable again: gave the trainer lease back", byAge[0].Address);
            }
        }
    }

    private void EvaluateResolver(List<Peer> members, Address self, Address? leader)
    {
        var step = TakeoverLeases.TakeResolverLease(members, self, leader);
        if (step == ResolverLeaseStep.None)
        {
            _minoritySince = null;
            if (_resolverSuspects.Count == 0)
            {
                return;
            }
            // A suspect no longer Up: the resolver downed it on this lease (it finds a held lease with CheckLease and
            // never calls Acquire), which then holds until shutdown. All still Up for stable-after (reachable again, or
            // another node leads now; long enough for a Down to reach this node's view): no decision was taken on it,
            // so it goes back and the next decision, on whichever node leads then, finds it free.
            if (_resolverSuspects.Any(a => !members.Any(p => p.Address.Equals(a))))
            {
                _resolverSuspects = [];
                return;
            }
            _quietSince ??= DateTime.UtcNow;
            if (DateTime.UtcNow - _quietSince >= _stableAfter)
            {
                if (_resolver!.GiveBackAhead())
                {
                    _log.Info("no decision was taken: gave the split-brain resolver's lease back");
                }
                _resolverSuspects = [];
            }
            return;
        }
        _quietSince = null;
        if (_resolverSuspects.Count > 0)
        {
            return;
        }
        if (step == ResolverLeaseStep.AfterMinorityDelay)
        {
            _minoritySince ??= DateTime.UtcNow;
            if (DateTime.UtcNow - _minoritySince < _minorityDelay)
            {
                return;
            }
        }
        _resolverSuspects = [.. members.Where(p => !p.Reachable).Select(p => p.Address)];
        _resolver ??= (KafkaLease)ClusterHocon.ResolverLease(Context.System);
        _log.Info("{0} unreachable: taking the split-brain resolver's lease for this side", string.Join(", ", _resolverSuspects));
        _ = _resolver.AcquireAhead();
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}
