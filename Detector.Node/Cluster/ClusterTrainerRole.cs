using Detector.Streams.Training;

namespace Detector.Node.Cluster;

/// <summary>
/// This node's trainer role in the cluster: trainer while the trainer singleton runs here and holds the Kafka lease
/// (checked at each question, so a lease that lapsed — a paused process — stops training at once), with the lease's
/// epoch stamped on every model it publishes.
/// </summary>
public sealed class ClusterTrainerRole : ITrainerRole
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _became = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile KafkaLease? _lease;

    /// <summary>Raised when the role is taken (true) or given up (false).</summary>
    public event Action<bool>? Changed;

    /// <inheritdoc />
    public bool IsTrainer => _lease is { } lease && lease.CheckLease();

    /// <summary>The epoch of the lease this node trains under (0 when it is not the trainer).</summary>
    public long Epoch => _lease is { } lease && lease.CheckLease() ? lease.Epoch : 0;

    /// <inheritdoc />
    public Task WhenTrainerAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return IsTrainer ? Task.CompletedTask : _became.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The singleton runs here under <paramref name="lease"/>.</summary>
    public void Take(KafkaLease lease)
    {
        lock (_lock)
        {
            _lease = lease;
            _became.TrySetResult();
        }
        Changed?.Invoke(true);
    }

    /// <summary>The singleton stopped here, or its lease was lost.</summary>
    public void GiveUp()
    {
        lock (_lock)
        {
            if (_lease is null)
            {
                return;
            }
            _lease = null;
            _became = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        Changed?.Invoke(false);
    }
}
