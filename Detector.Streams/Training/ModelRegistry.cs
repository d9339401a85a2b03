using Detector.Models.Scoring;
using Detector.Streams.Common;

namespace Detector.Streams.Training;

/// <summary>
/// The current model of a node, versioned. Model actors read <see cref="Current"/> between batches (a volatile read),
/// so a publish is picked up by each actor at its next batch and no batch is ever scored by two versions.
/// </summary>
public sealed class ModelRegistry
{
    private readonly TaskCompletionSource<ModelSnapshot> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ModelSnapshot? _current;
    private long _reserved;

    /// <summary>Creates a registry for models published under name.</summary>
    public ModelRegistry(string name = "default")
    {
        Name = name;
    }

    /// <summary>The name models are published under.</summary>
    public string Name { get; }

    /// <summary>The newest model, or null before the first.</summary>
    public ModelSnapshot? Current => Volatile.Read(ref _current);

    /// <summary>Version of the current model (0 before the first).</summary>
    public long Version => Current?.Version ?? 0;

    /// <summary>Raised after each publish, outside any lock.</summary>
    public event Action<ModelSnapshot>? Published;

    /// <summary>Reserves the next version number (so thresholds can be recalibrated for it before it goes live).</summary>
    public long ReserveVersion() => Interlocked.Increment(ref _reserved);

    /// <summary>Publishes a model under a reserved version; older versions than the current are refused.</summary>
    public ModelSnapshot Publish(ModelSnapshot model, long version)
    {
        var named = model.WithIdentity(Name, version);
        while (true)
        {
            var current = Volatile.Read(ref _current);
            if (current is not null && current.Version >= version)
            {
                throw new InvalidOperationException($"model version {version} is not newer than the current {current.Version}");
            }
            if (Interlocked.CompareExchange(ref _current, named, current) == current)
            {
                break;
            }
        }
        AtomicMax.Update(ref _reserved, version);
        _first.TrySetResult(named);
        Published?.Invoke(named);
        return named;
    }

    /// <summary>Publishes under the next version.</summary>
    public ModelSnapshot Publish(ModelSnapshot model) => Publish(model, ReserveVersion());

    /// <summary>Completes with the first model published.</summary>
    public Task<ModelSnapshot> FirstModelAsync(CancellationToken cancellationToken) => _first.Task.WaitAsync(cancellationToken);
}
