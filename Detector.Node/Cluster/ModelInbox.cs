using System.Collections.Concurrent;
using Detector.Models.Artifacts;
using Detector.Models.Scoring;
using Detector.Streams.Training;
using Microsoft.Extensions.Logging;

namespace Detector.Node.Cluster;

/// <summary>
/// Where models from the cluster arrive (pub-sub, and the models topic at start): refuses, with the reason logged and
/// counted, a model of another name, one larger than <c>Cluster:MaxModelBytes</c>, one from an older trainer epoch than
/// the newest this node has seen (fencing: a trainer whose lease lapsed cannot overwrite its successor's work), and a
/// corrupt or foreign-schema artifact; installs the rest one at a time.
/// </summary>
public sealed partial class ModelInbox(string modelName, FeatureSchema schema, int maxBytes, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private Func<ModelSnapshot, Task<ModelInstalled>>? _install;
    private long _newestEpoch;
    private long _installedEpoch;

    /// <summary>Models refused, by reason (oversize, stale-epoch, corrupt, schema).</summary>
    public IReadOnlyDictionary<string, long> Refused => _refused;

    /// <summary>The newest trainer epoch seen.</summary>
    public long NewestEpoch => Interlocked.Read(ref _newestEpoch);

    /// <summary>The epoch of the model this node runs (0 before one came from the cluster).</summary>
    public long InstalledEpoch => Interlocked.Read(ref _installedEpoch);

    /// <summary>Raised with each refusal's reason label.</summary>
    public event Action<string>? RefusedModel;

    /// <summary>Sets where accepted models go (the pipeline's cluster install).</summary>
    public void Attach(Func<ModelSnapshot, Task<ModelInstalled>> install) => _install = install;

    /// <summary>Checks and installs one model from the cluster; returns the install outcome, or null when refused.</summary>
    public async Task<ModelInstalled?> OfferAsync(ModelPublished message, string from, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Check(message, from) is { } model ? await InstallAsync(model, message, from).ConfigureAwait(false) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The models topic at start: every record goes through the checks in order; only the last accepted is installed.</summary>
    public async Task<ModelInstalled?> CatchUpAsync(IEnumerable<ModelPublished> stored, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            (ModelSnapshot Model, ModelPublished Message)? newest = null;
            foreach (var message in stored)
            {
                if (Check(message, "the models topic") is { } model && (newest is null || message.Epoch > newest.Value.Message.Epoch
                || (message.Epoch == newest.Value.Message.Epoch && model.Version > newest.Value.Model.Version)))
                {
                    newest = (model, message);
                }
            }
            return newest is { } n ? await InstallAsync(n.Model, n.Message, "the models topic").ConfigureAwait(false) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();

    private ModelSnapshot? Check(ModelPublished message, string from)
    {
        if (message.Name != modelName)
        {
            return null; // another model on the same topic: not this node's, not an error
        }
        if (message.Artifact.Length > maxBytes)
        {
            return Refuse("oversize", message, from, $"{message.Artifact.Length} bytes > Cluster:MaxModelBytes {maxBytes}");
        }
        if (message.Epoch < NewestEpoch)
        {
            return Refuse("stale-epoch", message, from, $"epoch {message.Epoch} is older than epoch {NewestEpoch}, the newest seen");
        }
        ModelSnapshot model;
        try
        {
            model = ModelArtifact.FromBytes(message.Artifact, schema);
        }
        catch (ModelArtifactException e)
        {
            return Refuse("corrupt", message, from, e.Message);
        }
        catch (SchemaMismatchException e)
        {
            return Refuse("schema", message, from, e.Message);
        }
        Interlocked.Exchange(ref _newestEpoch, message.Epoch);
        return model;
    }

    private async Task<ModelInstalled?> InstallAsync(ModelSnapshot model, ModelPublished message, string from)
    {
        if (_install is not { } install)
        {
            return null;
        }
        var outcome = await install(model).ConfigureAwait(false);
        if (outcome.Outcome == "installed")
        {
            Interlocked.Exchange(ref _installedEpoch, message.Epoch);
            LogInstalled(message.Name, model.Version, message.Epoch, message.Origin, from);
        }
        return outcome;
    }

    private ModelSnapshot? Refuse(string reason, ModelPublished message, string from, string detail)
    {
        _refused.AddOrUpdate(reason, 1, (_, n) => n + 1);
        LogRefused(message.Name, message.Version, message.Epoch, message.Origin, from, reason, detail);
        RefusedModel?.Invoke(reason);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "model {Name} v{Version} epoch {Epoch} from {Origin} installed (via {From})")]
    private partial void LogInstalled(string name, long version, long epoch, string origin, string from);

    [LoggerMessage(Level = LogLevel.Warning, Message = "model {Name} v{Version} epoch {Epoch} from {Origin} refused (via {From}): {Reason}: {Detail}")]
    private partial void LogRefused(string name, long version, long epoch, string origin, string from, string reason, string detail);
}
