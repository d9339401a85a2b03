using System.Collections.Concurrent;
using Detector.Streams.Pipeline;
using Detector.Streams.Sources;

namespace Detector.Node.Hosting;

/// <summary>
/// What a running node is, for /status, /readyz and /healthz: its id and role, its pipeline, its source's partitions and
/// lag, and anything else a component wants shown. The run host fills it; a Kafka source or the cluster role sets
/// <see cref="Role"/>, <see cref="Source"/>, adds readiness checks with <see cref="AddReadinessCheck"/> and status fields
/// with <see cref="AddStatus"/>. Every member is safe to use from any thread.
/// </summary>
public sealed class NodeState(string nodeId, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, Func<string?>> _readiness = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<object?>> _extras = new(StringComparer.Ordinal);
    private volatile string _role = "standalone";
    private volatile DetectorPipeline? _pipeline;
    private volatile ISourceStatus? _source;
    private volatile ModelHistory? _models;
    private volatile string _sourceKind = "";
    private volatile bool _stopping;
    private volatile string? _fault;

    /// <summary>The node's id.</summary>
    public string NodeId { get; } = nodeId;

    /// <summary>When the node started.</summary>
    public DateTimeOffset StartedAt { get; } = (time ?? TimeProvider.System).GetUtcNow();

    /// <summary>The clock.</summary>
    public TimeProvider Time => _time;

    /// <summary>The node's role in its cluster: standalone without Kafka; the cluster code sets e.g. scorer or trainer.</summary>
    public string Role { get => _role; set => _role = value ?? "standalone"; }

    /// <summary>The pipeline, once built.</summary>
    public DetectorPipeline? Pipeline { get => _pipeline; set => _pipeline = value; }

    /// <summary>The source's partitions and lag, once it exists.</summary>
    public ISourceStatus? Source { get => _source; set => _source = value; }

    /// <summary>The source kind shown in /status (generator, file, kafka).</summary>
    public string SourceKind { get => _sourceKind; set => _sourceKind = value ?? ""; }

    /// <summary>The models kept for rollback.</summary>
    public ModelHistory? Models { get => _models; set => _models = value; }

    /// <summary>True once a stop was requested: the node reports not ready while it drains.</summary>
    public bool IsStopping { get => _stopping; set => _stopping = value; }

    /// <summary>Why the node failed, if it did (liveness then fails).</summary>
    public string? Fault { get => _fault; set => _fault = value; }

    /// <summary>Adds a readiness condition: <paramref name="check"/> returns null when satisfied, else why not.</summary>
    public void AddReadinessCheck(string name, Func<string?> check) => _readiness[name] = check;

    /// <summary>Adds a field to /status: <paramref name="value"/> is serialised as JSON at each request.</summary>
    public void AddStatus(string name, Func<object?> value) => _extras[name] = value;

    /// <summary>The extra /status fields, by name.</summary>
    public IReadOnlyDictionary<string, Func<object?>> ExtraStatus => _extras;

    /// <summary>Reasons the node is not ready; empty when ready (a model is loaded, input is assigned, not stopping, every check passes).</summary>
    public IReadOnlyList<string> NotReadyReasons()
    {
        var reasons = new List<string>();
        if (_stopping)
        {
            reasons.Add("stopping");
        }
        if (_pipeline?.Registry.Current is null)
        {
            reasons.Add("no model loaded yet");
        }
        if (_source is not { IsAssigned: true })
        {
            reasons.Add("no input assigned");
        }
        foreach (var (name, check) in _readiness)
        {
            if (check() is { } reason)
            {
                reasons.Add($"{name}: {reason}");
            }
        }
        return reasons;
    }
}
