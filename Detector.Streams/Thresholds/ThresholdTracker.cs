using System.Diagnostics;

namespace Detector.Streams.Thresholds;

/// <summary>
/// Judges scores against rolling percentile thresholds, global and (optionally) per entity, and folds each entity's
/// anomalies into incidents so that one incident raises one alert. Memory is bounded: the global window by
/// <see cref="ThresholdOptions.WindowSize"/>, each entity window by <see cref="ThresholdOptions.EntityWindowSize"/>,
/// and the entities by <see cref="ThresholdOptions.MaxEntities"/> (least recently seen forgotten first; a forgotten
/// entity starts over, history and incident both). <see cref="Evaluate"/> and <see cref="Recalibrate"/> belong to one
/// owner (a threshold actor); <see cref="Snapshot"/> may be read from any thread.
/// </summary>
public sealed class ThresholdTracker
{
    /// <summary>The global window.</summary>
    private readonly PercentileWindow _global;

    /// <summary>Entities by key, each pointing at its node in <see cref="_recency"/>.</summary>
    private readonly Dictionary<string, LinkedListNode<EntityState>> _entities = new(StringComparer.Ordinal);

    /// <summary>Entities, most recently seen first: the tail is the one to forget.</summary>
    private readonly LinkedList<EntityState> _recency = new();

    /// <summary>Scores handed to <see cref="Recalibrate"/> before any timestamp was seen; they take the next one.</summary>
    private float[]? _pendingRecalibration;

    /// <summary>Published for <see cref="Snapshot"/>: the global threshold after the last change.</summary>
    private float _publishedThreshold = float.PositiveInfinity;

    /// <summary>Published for <see cref="Snapshot"/>: whether the global window is warm.</summary>
    private bool _publishedWarm;

    /// <summary>Published for <see cref="Snapshot"/>: the global window's count.</summary>
    private int _publishedWindowCount;

    /// <summary>Published for <see cref="Snapshot"/>: the entity count.</summary>
    private int _publishedEntityCount;

    /// <summary>Scores evaluated.</summary>
    private long _evaluated;

    /// <summary>Anomalies found.</summary>
    private long _anomalies;

    /// <summary>Alerts raised.</summary>
    private long _alerts;

    /// <summary>The newest timestamp evaluated.</summary>
    private DateTimeOffset? _newest;

    /// <summary>Creates a tracker; <paramref name="options"/> are validated here.</summary>
    public ThresholdTracker(ThresholdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        _global = NewWindow(options.WindowSize, options.WarmUp);
    }

    /// <summary>The settings.</summary>
    public ThresholdOptions Options { get; }

    /// <summary>The global threshold now (+∞ while warming up). Owner thread only; metrics read <see cref="Snapshot"/>.</summary>
    public float GlobalThreshold => _global.Threshold;

    /// <summary>Entities remembered now. Owner thread only; metrics read <see cref="Snapshot"/>.</summary>
    public int EntityCount => _entities.Count;

    /// <summary>The state for metrics; safe from any thread.</summary>
    public ThresholdSnapshot Snapshot => new(
        Volatile.Read(ref _publishedThreshold),
        Volatile.Read(ref _publishedWarm),
        Volatile.Read(ref _publishedWindowCount),
        Volatile.Read(ref _publishedEntityCount),
        Interlocked.Read(ref _evaluated),
        Interlocked.Read(ref _anomalies),
        Interlocked.Read(ref _alerts));

    /// <summary>Scores held by the window of <paramref name="entityKey"/> (0 when unknown or not per entity). Owner thread only.</summary>
    public int EntityWindowCount(string entityKey) =>
        _entities.TryGetValue(entityKey, out var node) ? node.Value.Window?.Count ?? 0 : 0;

    /// <summary>
    /// Judges <paramref name="score"/> for <paramref name="entityKey"/> at <paramref name="timestamp"/>, then adds it
    /// to the windows. The threshold is the entity's own once its window holds
    /// <see cref="ThresholdOptions.EntityMinHistory"/> scores, else the global one; nothing is flagged before the
    /// global warm-up is over. An anomaly raises an alert unless the entity's previous anomaly is less than
    /// <see cref="ThresholdOptions.SuppressionGap"/> before it (same incident); the gap is measured from the last
    /// anomaly, alerted or not, so an incident ends only after a quiet gap. NaN scores are rejected.
    /// </summary>
    public ThresholdDecision Evaluate(string entityKey, float score, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(entityKey);
        if (float.IsNaN(score))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, $"a NaN score for entity '{entityKey}' cannot be judged");
        }
        if (_pendingRecalibration is { } pending)
        {
            _pendingRecalibration = null;
            _global.Reset(pending, timestamp);
        }
        _newest = _newest is { } newest && newest > timestamp ? newest : timestamp;
        _global.AdvanceTo(timestamp);
        var entity = Touch(entityKey);
        entity.Window?.AdvanceTo(timestamp);

        float threshold;
        ThresholdSource source;
        if (!_global.IsWarm || _global.Count == 0)
        {
            (threshold, source) = (float.PositiveInfinity, ThresholdSource.WarmingUp);
        }
        else if (entity.Window is { } own && own.Count >= Options.EntityMinHistory)
        {
            (threshold, source) = (own.ValueAt(Options.Percentile), ThresholdSource.Entity);
        }
        else
        {
            (threshold, source) = (_global.Threshold, ThresholdSource.Global);
        }

        var isAnomaly = score > threshold;
        var alert = false;
        if (isAnomaly)
        {
            alert = entity.LastAnomaly is not { } last || timestamp - last >= Options.SuppressionGap;
            if (entity.LastAnomaly is not { } previous || timestamp > previous)
            {
                entity.LastAnomaly = timestamp;
            }
            Interlocked.Increment(ref _anomalies);
            if (alert)
            {
                Interlocked.Increment(ref _alerts);
            }
        }

        _global.Add(score, timestamp);
        entity.Window?.Add(score, timestamp);
        Interlocked.Increment(ref _evaluated);
        Publish();
        AssertInvariants();
        return new ThresholdDecision(threshold, source, isAnomaly, alert);
    }

    /// <summary>
    /// Replaces the global window with <paramref name="scores"/>, the recent normal data scored by a new model, so the
    /// threshold stays continuous across a hot-swap (the old model's scores are on another scale). They count as seen:
    /// the tracker is warm afterwards only if they are at least <see cref="ThresholdOptions.WarmUp"/>. Time windows
    /// stamp them with the newest timestamp evaluated (or, before any, the next one). Entity windows are emptied for
    /// the same reason of scale, so entities fall back to the global threshold until they rebuild history; incidents
    /// in progress are kept.
    /// </summary>
    public void Recalibrate(IEnumerable<float> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        var copy = scores.ToArray();
        foreach (var score in copy)
        {
            if (float.IsNaN(score))
            {
                throw new ArgumentOutOfRangeException(nameof(scores), score, "recalibration scores must not be NaN");
            }
        }
        if (_newest is { } newest)
        {
            _global.Reset(copy, newest);
        }
        else
        {
            _global.Clear();
            _pendingRecalibration = copy;
        }
        foreach (var entity in _recency)
        {
            entity.Window?.Clear();
        }
        Publish();
        AssertInvariants();
    }

    /// <summary>Finds or creates the entity's state and marks it most recently seen, forgetting the least recent beyond the bound.</summary>
    private EntityState Touch(string entityKey)
    {
        if (_entities.TryGetValue(entityKey, out var node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value;
        }
        if (_entities.Count >= Options.MaxEntities)
        {
            var oldest = _recency.Last!;
            _recency.RemoveLast();
            _entities.Remove(oldest.Value.Key);
        }
        var state = new EntityState(entityKey, Options.PerEntity ? NewWindow(Options.EntityWindowSize, 0) : null);
        node = _recency.AddFirst(state);
        _entities.Add(entityKey, node);
        return state;
    }

    private PercentileWindow NewWindow(int size, int warmUp) => Options.Window is { } window
        ? new TimeWindowPercentile(Options.Percentile, window, size, warmUp)
        : new RollingPercentile(Options.Percentile, size, warmUp);

    private void Publish()
    {
        Volatile.Write(ref _publishedThreshold, _global.Threshold);
        Volatile.Write(ref _publishedWarm, _global.IsWarm);
        Volatile.Write(ref _publishedWindowCount, _global.Count);
        Volatile.Write(ref _publishedEntityCount, _entities.Count);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_entities.Count == _recency.Count, "The entity map and the recency list disagree.");
        Debug.Assert(_entities.Count <= Options.MaxEntities, "More entities are remembered than MaxEntities allows.");
        Debug.Assert(_global.Count <= Options.WindowSize, "The global window holds more scores than WindowSize.");
    }

    /// <summary>What the tracker remembers about one entity.</summary>
    private sealed class EntityState(string key, PercentileWindow? window)
    {
        /// <summary>The entity key.</summary>
        public string Key { get; } = key;

        /// <summary>The entity's own window, when thresholds are per entity.</summary>
        public PercentileWindow? Window { get; } = window;

        /// <summary>The entity's latest anomaly, or null if it has had none.</summary>
        public DateTimeOffset? LastAnomaly { get; set; }
    }
}
