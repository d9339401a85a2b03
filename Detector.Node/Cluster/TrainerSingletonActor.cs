using Akka.Actor;
using Akka.Coordination;
using Akka.Event;
using Detector.Streams.Pipeline;
using Detector.Streams.Training;

namespace Detector.Node.Cluster;

/// <summary>
/// The cluster's trainer: a cluster singleton (it runs on the oldest node) that takes the Kafka trainer lease before it
/// acts. While it holds the lease, that node's <see cref="ClusterTrainerRole"/> is trainer, so its local pipeline
/// trains on its own reservoir and publishes under the lease's epoch; on taking the role it republishes the current
/// model (publishes right after a takeover were seen lost). Retrain requests from every node's proxy end here.
/// If the lease is lost it gives the role up and tries again every second (what <c>use-lease</c> does).
/// </summary>
public sealed class TrainerSingletonActor : ReceiveActor, IWithTimers
{
    /// <summary>The lease's name (the Kafka group is <c>{Kafka:TrainerGroupId}-trainer</c>).</summary>
    public const string LeaseName = "trainer";

    private readonly ClusterNode _node;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private KafkaLease? _lease;

    /// <summary>Runs the trainer role of node.</summary>
    public TrainerSingletonActor(ClusterNode node)
    {
        _node = node;
        Receive<TryAcquire>(_ => Acquire());
        Receive<Acquired>(a => OnAcquired(a.Held));
        Receive<LeaseLost>(l =>
        {
            _node.Role.GiveUp();
            _log.Warning("trainer lease lost on node {0}: {1}; retrying", _node.NodeId, l.Reason.Message);
            Timers.StartSingleTimer("acquire", TryAcquire.Instance, TimeSpan.FromSeconds(1));
        });
        Receive<RequestRetrain>(r =>
        {
            if (!_node.Role.IsTrainer)
            {
                Sender.Tell(new RetrainFinished("not-trainer", _node.ModelVersion, double.NaN, double.NaN));
                return;
            }
            _log.Info("retrain requested by node {0}", r.From);
            _node.RetrainLocallyAsync().PipeTo(Sender);
        });
    }

    /// <inheritdoc />
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Props for the singleton manager.</summary>
    public static Props Props(ClusterNode node) => Akka.Actor.Props.Create(() => new TrainerSingletonActor(node));

    /// <summary>
    /// This node's trainer lease: one instance per ActorSystem (Akka's <see cref="LeaseProvider"/> keeps it by name,
    /// configuration and owner), shared by the singleton and by <see cref="TakeoverLeasesActor"/>, which may start
    /// taking it before the singleton arrives.
    /// </summary>
    public static KafkaLease Lease(ActorSystem system) =>
        (KafkaLease)LeaseProvider.Get(system).GetLease(LeaseName, ClusterHocon.LeaseConfigPath, Akka.Cluster.Cluster.Get(system).SelfAddress.ToString());

    /// <inheritdoc />
    protected override void PreStart()
    {
        _lease = Lease(Context.System);
        _log.Info("trainer singleton started on node {0}; taking the trainer lease", _node.NodeId);
        Self.Tell(TryAcquire.Instance);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        _node.Role.GiveUp();
        _lease?.Release().Wait(TimeSpan.FromSeconds(30));
        _log.Info("trainer singleton stopped on node {0}", _node.NodeId);
    }

    private void Acquire()
    {
        var self = Self;
        _lease!.Acquire(e => self.Tell(new LeaseLost(e))).PipeTo(self, success: held => new Acquired(held), failure: _ => new Acquired(false));
    }

    private void OnAcquired(bool held)
    {
        if (!held || !_lease!.CheckLease())
        {
            Timers.StartSingleTimer("acquire", TryAcquire.Instance, TimeSpan.FromSeconds(1));
            return;
        }
        _node.Role.Take(_lease);
        _log.Info("node {0} is now the trainer (lease epoch {1})", _node.NodeId, _lease.Epoch);
        _node.RepublishCurrent();
    }

    private sealed record TryAcquire
    {
        public static readonly TryAcquire Instance = new();
    }

    private sealed record Acquired(bool Held);

    private sealed record LeaseLost(Exception Reason);
}
