using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detector.Streams.Thresholds;

/// <summary>
/// Judges scores against rolling percentile thresholds, global and (optionally) per entity, and folds each entity's
/// anomalies into incidents so that one incident raises one alert. Memory is bounded: the global window by
/// <see cref="ThresholdOptions.WindowSize"/>, each entity window by <see cref="ThresholdOptions.EntityWindowSize"/>,
/// and the entities by <see cref="ThresholdOptions.MaxEntities"/> (least recently seen forgotten first; a forgotten
/// entity starts over, history and incident both). <see cref="Evaluate"/> and <see cref="Recalibrate"/> belong to one
/// owner (a threshold actor); <see cref="Snapshot"/> may be read from any thread. On the hot path an evaluation costs
/// one dictionary lookup, an O(1) move to the front of the recency list, and one add to each window; at steady state
/// it allocates nothing (a forgotten entity's state is reused for the next new one). With
/// <see cref="ThresholdOptions.RelativeError"/> above 0 the global window is a <see cref="SketchPercentile"/>, whose
/// add costs a logarithm and a few Fenwick steps rather than a sorted insert; entity windows stay exact. With
/// <see cref="ThresholdOptions.GuardIncidents"/> (the default) each window has an <see cref="IncidentGuard"/>, so an
/// evident incident does not teach it. With <see cref="ThresholdOptions.Method"/> Pot and per-entity thresholds, an
/// entity whose window holds <see cref="ThresholdOptions.EntityPotMinScores"/> scores gets its own
/// <see cref="PotThreshold"/>, fitted on them and then updated online on its normal peaks; until then, or when the fit
/// fails, the global threshold judges it.
/// </summary>
public sealed class ThresholdTracker
{
    /// <summary>Peaks an entity's own POT keeps for its fit (16 bytes each): the global one keeps <see cref="PotThreshold.MaxPeaks"/>.</summary>
    public const int EntityPotPeaks = 256;

    /// <summary>The global window.</summary>
    private readonly PercentileWindow _global;

    /// <summary>Keeps evident incidents out of the global window; null when <see cref="ThresholdOptions.GuardIncidents"/> is off.</summary>
    private readonly IncidentGuard? _globalGuard;

    /// <summary>Whether entities get their own POT (Method Pot and PerEntity).</summary>
    private readonly bool _entityPot;

    /// <summary>An entity window's scores, copied for its POT fit; allocated at the first fit.</summary>
    private float[]? _entityScores;

    /// <summary>Entities by key; each state is also a node of the recency list.</summary>
    private readonly Dictionary<string, EntityState> _entities = new(StringComparer.Ordinal);

    /// <summary>Whether windows are by time, so they must be advanced to each timestamp.</summary>
    private readonly bool _timed;

    /// <summary>The most recently seen entity (head of the recency list), or null when none.</summary>
    private EntityState? _mostRecent;

    /// <summary>The least recently seen entity (tail of the recency list): the one to forget.</summary>
    private EntityState? _leastRecent;

    /// <summary>Scores handed to <see cref="Recalibrate"/> before any timestamp was seen; they take the next one.</summary>
    private float[]? _pendingRecalibration;

    /// <summary>Whether <see cref="_pendingRecalibration"/> is calibration (warms the window at once).</summary>
    private bool _pendingCalibrated;

    /// <summary>The global POT threshold when <see cref="ThresholdOptions.Method"/> is Pot, else null.</summary>
    private readonly PotThreshold? _pot;

    /// <summary>Live scores collected for POT to fit itself on, while it has no calibration; null when not collecting.</summary>
    private List<float>? _potLive;

    /// <summary>Says when POT falls back to the percentile.</summary>
    private readonly ILogger _logger;

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

    /// <summary>The newest timestamp evaluated (meaningful once <see cref="_hasNewest"/>).</summary>
    private DateTimeOffset _newest;

    /// <summary><see cref="_newest"/> in UTC ticks, compared without DateTimeOffset arithmetic.</summary>
    private long _newestTicks;

    /// <summary>Whether any timestamp has been evaluated.</summary>
    private bool _hasNewest;

    /// <summary>Creates a tracker; <paramref name="options"/> are validated here.</summary>
    public ThresholdTracker(ThresholdOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        _timed = options.Window is not null;
        _global = NewWindow(options.WindowSize, options.WarmUp, options.RelativeError);
        _logger = logger ?? NullLogger.Instance;
        _globalGuard = options.GuardIncidents ? new IncidentGuard() : null;
        _entityPot = options.Method == ThresholdMethod.Pot && options.PerEntity;
        if (options.Method == ThresholdMethod.Pot)
        {
            _pot = new PotThreshold(options.RiskLevel, options.PotInitialQuantile, options.PotDepth);
            _potLive = options.Learn ? [] : null;
        }
    }

    /// <summary>The global POT threshold (null unless the method is Pot); owner thread only.</summary>
    public PotThreshold? Pot => _pot;

    /// <summary>The settings.</summary>
    public ThresholdOptions Options { get; }

    /// <summary>The global threshold now (+∞ while warming up). Owner thread only; metrics read <see cref="Snapshot"/>.</summary>
    public float GlobalThreshold => _pot is { IsInitialized: true } pot ? pot.Threshold : _global.Threshold;

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
        _entities.TryGetValue(entityKey, out var entity) ? entity.Window?.Count ?? 0 : 0;

    /// <summary>The entity's own POT threshold when it has been fitted (Method Pot, per entity), else null. Owner thread only.</summary>
    public PotThreshold? EntityPot(string entityKey) =>
        _entities.TryGetValue(entityKey, out var entity) && entity.Pot is { IsInitialized: true } pot ? pot : null;

    /// <summary>Whether the global window's guard finds an incident evident now (false when not guarding). Owner thread only.</summary>
    public bool GlobalIncidentEvident => _globalGuard?.IncidentEvident ?? false;

    /// <summary>
    /// Judges <paramref name="score"/> for <paramref name="entityKey"/> at <paramref name="timestamp"/>, then adds it
    /// to the windows (clamped to a window's threshold while its <see cref="IncidentGuard"/> finds an incident evident).
    /// The threshold is the entity's own once its window holds <see cref="ThresholdOptions.EntityMinHistory"/> scores
    /// (with POT, once its own POT is fitted), else the global one; nothing is flagged before the global warm-up is over. An anomaly raises an alert unless the entity's previous anomaly is less than
    /// <see cref="ThresholdOptions.SuppressionGap"/> before it (same incident); the gap is measured from the last
    /// anomaly, alerted or not, so an incident ends only after a quiet gap. NaN scores are rejected.
    /// </summary>
    public ThresholdDecision Evaluate(string entityKey, float score, DateTimeOffset timestamp)
    {
        var decision = EvaluateUnpublished(entityKey, score, timestamp);
        Publish();
        return decision;
    }

    /// <summary>
    /// <see cref="Evaluate"/> without refreshing <see cref="Snapshot"/>: for an owner that judges a batch and then
    /// calls <see cref="Publish"/> once (the threshold stage), sparing a threshold read and four stores per record.
    /// </summary>
    internal ThresholdDecision EvaluateUnpublished(string entityKey, float score, DateTimeOffset timestamp)
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
            if (WarmsAtOnce(pending.Length, _pendingCalibrated))
            {
                _global.MarkWarm();
            }
        }
        var ticks = timestamp.UtcTicks;
        if (!_hasNewest || ticks >= _newestTicks)
        {
            (_newest, _newestTicks, _hasNewest) = (timestamp, ticks, true);
        }
        var entity = Touch(entityKey);
        if (_timed)
        {
            _global.AdvanceTo(timestamp);
            entity.Window?.AdvanceTo(timestamp);
        }

        float threshold;
        ThresholdSource source;
        var potThreshold = _pot is { IsInitialized: true } pot ? pot.Threshold : float.NaN;
        var globalPercentile = _global.Threshold;
        var own = entity.Window;
        var ownPercentile = own is not null && own.Count >= Options.EntityMinHistory ? own.ValueAt(Options.Percentile) : float.PositiveInfinity;
        if (float.IsNaN(potThreshold) && (!_global.IsWarm || _global.Count == 0))
        {
            (threshold, source) = (float.PositiveInfinity, ThresholdSource.WarmingUp);
        }
        else if (_entityPot ? entity.Pot is { IsInitialized: true } : own is not null && own.Count >= Options.EntityMinHistory)
        {
            (threshold, source) = (_entityPot ? entity.Pot!.Threshold : ownPercentile, ThresholdSource.Entity);
        }
        else
        {
            (threshold, source) = (float.IsNaN(potThreshold) ? globalPercentile : potThreshold, ThresholdSource.Global);
        }

        var isAnomaly = score > threshold;
        var alert = false;
        if (isAnomaly)
        {
            // Ticks are within DateTimeOffset's range, so their difference cannot overflow.
            alert = !entity.HasAnomaly || ticks - entity.LastAnomalyTicks >= Options.SuppressionGap.Ticks;
            if (!entity.HasAnomaly || ticks > entity.LastAnomalyTicks)
            {
                (entity.LastAnomalyTicks, entity.HasAnomaly) = (ticks, true);
            }
            // One writer: a volatile store publishes the count without a locked read-modify-write.
            Volatile.Write(ref _anomalies, _anomalies + 1);
            if (alert)
            {
                Volatile.Write(ref _alerts, _alerts + 1);
            }
        }

        if (Options.Learn)
        {
            // POT learns only from scores its own threshold calls normal (SPOT): an incident does not teach it. The
            // percentile windows learn every score but an evident incident's flagged ones, which go in clamped.
            _pot?.Evaluate(score);
            entity.Pot?.Evaluate(score);
            if (_potLive is { } live)
            {
                LearnPotLive(live, score);
            }
            _global.Add(_globalGuard?.Admit(score, globalPercentile, _global.Count, Options.Percentile) ?? score, timestamp);
            if (own is not null)
            {
                own.Add(entity.Guard?.Admit(score, ownPercentile, own.Count, Options.Percentile) ?? score, timestamp);
                if (_entityPot && entity.Pot is not { IsInitialized: true } && own.Count >= Options.EntityPotMinScores && own.Seen >= entity.PotAttemptAt)
                {
                    FitEntityPot(entity, own);
                }
            }
        }
        Volatile.Write(ref _evaluated, _evaluated + 1);
        AssertInvariants();
        return new ThresholdDecision(threshold, source, isAnomaly, alert);
    }

    /// <summary>
    /// Replaces the global window with <paramref name="scores"/>, the recent normal data scored by a new model, so the
    /// threshold stays continuous across a hot-swap (the old model's scores are on another scale). They count as seen:
    /// the tracker is warm afterwards only if they are at least <see cref="ThresholdOptions.WarmUp"/>. Time windows
    /// stamp them with the newest timestamp evaluated (or, before any, the next one). Entity windows are emptied and
    /// entity POT fits forgotten for the same reason of scale, so entities fall back to the global threshold until they
    /// rebuild history; the incident guards' counts start over; incidents in progress (alert suppression) are kept.
    /// </summary>
    public void Recalibrate(IEnumerable<float> scores) => Reseed(scores, calibrated: false);

    /// <summary>
    /// Seeds the thresholds with <paramref name="scores"/>, the new model's scores of rows held out when it was trained
    /// (<see cref="Detector.Models.Training.TrainingMetadata.CalibrationScores"/>), so it judges from its first record:
    /// as <see cref="Recalibrate"/>, but the window is warm at once when they are at least
    /// <see cref="ThresholdOptions.MinCalibrationScores"/>, and POT fits its tail on them (with fewer than
    /// <see cref="ThresholdOptions.PotMinScores"/>, or too few peaks, the percentile judges and one log line says why).
    /// </summary>
    public void Calibrate(IEnumerable<float> scores) => Reseed(scores, calibrated: true);

    private void Reseed(IEnumerable<float> scores, bool calibrated)
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
        if (_hasNewest)
        {
            _global.Reset(copy, _newest);
            if (WarmsAtOnce(copy.Length, calibrated))
            {
                _global.MarkWarm();
            }
        }
        else
        {
            _global.Clear();
            (_pendingRecalibration, _pendingCalibrated) = (copy, calibrated);
        }
        _globalGuard?.Reset();
        if (_pot is { } pot)
        {
            pot.Reset();
            _potLive = null;
            if (!pot.TryInitialize(copy, Options.PotMinScores, out var reason))
            {
                if (Options.Learn)
                {
                    _potLive = [];
                    _logger.LogInformation("POT threshold: {Reason}; the {Percentile}th percentile judges until POT fits on the first {Live} live scores",
                        reason, Options.Percentile, PotLiveScores);
                }
                else
                {
                    _logger.LogInformation("POT threshold: {Reason}; the {Percentile}th percentile of these scores judges until the next model (Learn is false)",
                        reason, Options.Percentile);
                }
            }
        }
        for (var entity = _mostRecent; entity is not null; entity = entity.Older)
        {
            entity.ForgetHistory();
        }
        Publish();
        AssertInvariants();
    }

    /// <summary>
    /// Fits the entity's own POT on its window (at most <see cref="EntityPotPeaks"/> peaks kept, so each entity's POT
    /// costs a few kilobytes); when the fit fails (too few distinct peaks) it is tried again after as many new scores.
    /// Runs once per entity history, so the copy and the fit's sort are off the steady-state path.
    /// </summary>
    private void FitEntityPot(EntityState entity, PercentileWindow window)
    {
        var pot = entity.Pot ??= new PotThreshold(Options.RiskLevel, Options.PotInitialQuantile, Options.PotDepth, EntityPotPeaks);
        _entityScores ??= new float[Options.EntityWindowSize];
        var scores = _entityScores.AsSpan(0, window.Count);
        window.CopyTo(scores);
        if (!pot.TryInitialize(scores, PotThreshold.MinPeaks, out _))
        {
            entity.PotAttemptAt = window.Seen + Options.EntityPotMinScores;
        }
    }

    /// <summary>
    /// Whether reseeding with <paramref name="count"/> scores makes the window warm at once: calibration scores when they
    /// are at least <see cref="ThresholdOptions.MinCalibrationScores"/>; any reseed when live scores never teach the
    /// window (<see cref="ThresholdOptions.Learn"/> false), which would otherwise never warm.
    /// </summary>
    private bool WarmsAtOnce(int count, bool calibrated) => (calibrated || !Options.Learn) && count >= Options.MinCalibrationScores;

    /// <summary>Live scores POT fits itself on when it had no (or too little) calibration.</summary>
    private int PotLiveScores => Math.Max(Options.WarmUp, Options.PotMinScores);

    /// <summary>Collects a live score for POT's own calibration; fits once there are enough (or gives up, with one log line).</summary>
    private void LearnPotLive(List<float> live, float score)
    {
        live.Add(score);
        if (live.Count < PotLiveScores)
        {
            return;
        }
        _potLive = null;
        if (!_pot!.TryInitialize(CollectionsMarshal.AsSpan(live), Options.PotMinScores, out var reason))
        {
            _logger.LogInformation("POT threshold: {Reason}; the {Percentile}th percentile judges until the next model's calibration",
                reason, Options.Percentile);
        }
    }

    /// <summary>
    /// Finds or creates the entity's state and marks it most recently seen, forgetting the least recent beyond the
    /// bound. A known entity costs one dictionary lookup; a new one past the bound takes over the forgotten one's state
    /// (window emptied, incident forgotten), so churn allocates nothing.
    /// </summary>
    private EntityState Touch(string entityKey)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_entities, entityKey, out var known);
        if (known)
        {
            MoveToFront(slot!);
            return slot!;
        }
        EntityState state;
        if (_entities.Count > Options.MaxEntities)
        {
            // The new key is in the map but not yet in the list, so the tail is an older entity. Fill the slot
            // before removing the old key: any change to the map invalidates the ref.
            state = _leastRecent!;
            slot = state;
            Unlink(state);
            _entities.Remove(state.Key);
            state.Reuse(entityKey);
        }
        else
        {
            state = new EntityState(entityKey, Options.PerEntity ? NewWindow(Options.EntityWindowSize, 0, relativeError: 0) : null,
                Options.PerEntity && Options.GuardIncidents ? new IncidentGuard() : null);
            slot = state;
        }
        LinkFirst(state);
        return state;
    }

    private void MoveToFront(EntityState entity)
    {
        if (entity != _mostRecent)
        {
            Unlink(entity);
            LinkFirst(entity);
        }
    }

    private void LinkFirst(EntityState entity)
    {
        (entity.Newer, entity.Older) = (null, _mostRecent);
        if (_mostRecent is not null)
        {
            _mostRecent.Newer = entity;
        }
        _mostRecent = entity;
        _leastRecent ??= entity;
    }

    private void Unlink(EntityState entity)
    {
        if (entity.Newer is { } newer)
        {
            newer.Older = entity.Older;
        }
        else
        {
            _mostRecent = entity.Older;
        }
        if (entity.Older is { } older)
        {
            older.Newer = entity.Newer;
        }
        else
        {
            _leastRecent = entity.Newer;
        }
        (entity.Newer, entity.Older) = (null, null);
    }

    /// <summary>A window by time or count as the options say: a sketch when <paramref name="relativeError"/> is above 0, else exact.</summary>
    private PercentileWindow NewWindow(int size, int warmUp, double relativeError) => (Options.Window, relativeError > 0) switch
    {
        ({ } window, true) => new SketchPercentile(Options.Percentile, window, size, relativeError, warmUp),
        (null, true) => new SketchPercentile(Options.Percentile, size, relativeError, warmUp),
        ({ } window, false) => new TimeWindowPercentile(Options.Percentile, window, size, warmUp),
        (null, false) => new RollingPercentile(Options.Percentile, size, warmUp),
    };

    /// <summary>Refreshes <see cref="Snapshot"/> from the owner's state (after <see cref="EvaluateUnpublished"/> calls).</summary>
    internal void Publish()
    {
        Volatile.Write(ref _publishedThreshold, GlobalThreshold);
        Volatile.Write(ref _publishedWarm, _global.IsWarm || _pot is { IsInitialized: true });
        Volatile.Write(ref _publishedWindowCount, _global.Count);
        Volatile.Write(ref _publishedEntityCount, _entities.Count);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_entities.Count <= Options.MaxEntities, "More entities are remembered than MaxEntities allows.");
        Debug.Assert(_global.Count <= Options.WindowSize, "The global window holds more scores than WindowSize.");
        Debug.Assert((_mostRecent is null) == (_entities.Count == 0), "The recency list and the entity map disagree on emptiness.");
        Debug.Assert(_mostRecent?.Newer is null && _leastRecent?.Older is null, "The recency list's ends have neighbours beyond them.");
        if (_entities.Count <= 64)
        {
            var linked = 0;
            for (var entity = _mostRecent; entity is not null; entity = entity.Older)
            {
                Debug.Assert(_entities.TryGetValue(entity.Key, out var mapped) && mapped == entity, "A listed entity is not the map's entry for its key.");
                linked++;
            }
            Debug.Assert(linked == _entities.Count, "The entity map and the recency list disagree.");
        }
    }

    /// <summary>What the tracker remembers about one entity; also a node of the recency list.</summary>
    private sealed class EntityState(string key, PercentileWindow? window, IncidentGuard? guard)
    {
        /// <summary>The entity key.</summary>
        public string Key { get; private set; } = key;

        /// <summary>The entity's own window, when thresholds are per entity.</summary>
        public PercentileWindow? Window { get; } = window;

        /// <summary>Keeps evident incidents out of <see cref="Window"/>, when guarding.</summary>
        public IncidentGuard? Guard { get; } = guard;

        /// <summary>The entity's own POT (Method Pot, per entity): created at its first fit, kept (reset) when the state is reused.</summary>
        public PotThreshold? Pot { get; set; }

        /// <summary>The window's <see cref="PercentileWindow.Seen"/> from which a POT fit is tried (again, after one failed).</summary>
        public long PotAttemptAt { get; set; }

        /// <summary>Whether the entity has had an anomaly.</summary>
        public bool HasAnomaly { get; set; }

        /// <summary>The UTC ticks of the entity's latest anomaly (meaningful once <see cref="HasAnomaly"/>).</summary>
        public long LastAnomalyTicks { get; set; }

        /// <summary>The entity seen just after this one (toward the head), or null for the most recent.</summary>
        public EntityState? Newer { get; set; }

        /// <summary>The entity seen just before this one (toward the tail), or null for the least recent.</summary>
        public EntityState? Older { get; set; }

        /// <summary>Takes this state over for a new entity: history and incident start over, as for a fresh state.</summary>
        public void Reuse(string newKey)
        {
            Key = newKey;
            ForgetHistory();
            (HasAnomaly, LastAnomalyTicks) = (false, 0);
        }

        /// <summary>Empties the window and forgets its guard's count and the POT fit (a new model scores on another scale, or a new entity).</summary>
        public void ForgetHistory()
        {
            Window?.Clear();
            Guard?.Reset();
            Pot?.Reset();
            PotAttemptAt = 0;
        }
    }
}
