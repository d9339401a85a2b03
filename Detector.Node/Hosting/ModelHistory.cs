using Detector.Models.Artifacts;
using Detector.Models.Scoring;
using Detector.Streams.Training;

namespace Detector.Node.Hosting;

/// <summary>
/// The last few models a node has run, newest last, for /models and rollback. A rolled-back-to model goes live under a
/// new version but remembers which version it restores, so a second rollback goes further back rather than forward.
/// </summary>
public sealed class ModelHistory
{
    private readonly object _gate = new();
    private readonly List<ModelVersion> _versions = [];
    private readonly int _keep;
    private long _pendingOrigin;

    /// <summary>Records every model <paramref name="registry"/> publishes from now on (and its current one), keeping <paramref name="keep"/>.</summary>
    public ModelHistory(ModelRegistry registry, int keep)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _keep = keep;
        registry.Published += Add;
        if (registry.Current is { } current)
        {
            Add(current);
        }
    }

    /// <summary>The kept versions, oldest first.</summary>
    public IReadOnlyList<ModelVersion> Versions
    {
        get
        {
            lock (_gate)
            {
                return _versions.ToArray();
            }
        }
    }

    /// <summary>The model to restore: <paramref name="version"/> if given and kept, else the one before the current model's origin.</summary>
    public ModelVersion? RollbackTarget(long? version = null)
    {
        lock (_gate)
        {
            if (_versions.Count == 0)
            {
                return null;
            }
            var current = _versions[^1];
            return version is { } v
                ? _versions.LastOrDefault(m => m.Version == v && m.Version != current.Version)
                : _versions.LastOrDefault(m => m.Version < current.Origin && m.Origin != current.Origin);
        }
    }

    /// <summary>Marks the next published model as restoring <paramref name="origin"/> (call just before installing it).</summary>
    public void ExpectRestore(long origin) => Interlocked.Exchange(ref _pendingOrigin, origin);

    private void Add(ModelSnapshot model)
    {
        var origin = Interlocked.Exchange(ref _pendingOrigin, 0);
        var entry = new ModelVersion(model, origin > 0 ? origin : model.Version, ModelArtifact.Checksum(ModelArtifact.ToBytes(model)));
        lock (_gate)
        {
            _versions.Add(entry);
            if (_versions.Count > _keep)
            {
                _versions.RemoveAt(0);
            }
        }
    }
}
