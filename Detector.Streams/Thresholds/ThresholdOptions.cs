using Detector.Models.Validation;

namespace Detector.Streams.Thresholds;

/// <summary>
/// Settings of a <see cref="ThresholdTracker"/>. Call <see cref="Validate"/> at start-up: a bad value fails there,
/// naming the key, the value and the allowed range, rather than as odd alerts later.
/// </summary>
public sealed record ThresholdOptions
{
    /// <summary>The largest window, by count, any window may have (memory per slot: 4 bytes in arrival order, 12 for time windows, plus 4 to at most about 11 sorted).</summary>
    public const int MaxWindowSize = 10_000_000;

    /// <summary>p of the rolling percentile, in (0, 100]; a score strictly above it is anomalous.</summary>
    public double Percentile { get; init; } = 99.5;

    /// <summary>The global window by count; with <see cref="Window"/> set, the most scores the time window keeps.</summary>
    public int WindowSize { get; init; } = 10_000;

    /// <summary>When set, windows are by time (the last <see cref="Window"/>) rather than by count.</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>Scores to see before anything is flagged.</summary>
    public int WarmUp { get; init; } = 1_000;

    /// <summary>Whether each entity (card, vehicle, host) gets its own threshold once it has enough history.</summary>
    public bool PerEntity { get; init; }

    /// <summary>Scores an entity's window must hold before its own threshold replaces the global one.</summary>
    public int EntityMinHistory { get; init; } = 50;

    /// <summary>An entity window's size by count (its most scores, for time windows).</summary>
    public int EntityWindowSize { get; init; } = 500;

    /// <summary>Entities remembered (least recently seen forgotten first), which bounds memory.</summary>
    public int MaxEntities { get; init; } = 100_000;

    /// <summary>
    /// The relative error a allowed in the global threshold: 0 (the default) keeps the exact window; a value in
    /// [<see cref="SketchPercentile.MinRelativeError"/>, <see cref="SketchPercentile.MaxRelativeError"/>] makes the
    /// global window a <see cref="SketchPercentile"/>, several times cheaper per score, whose threshold t satisfies
    /// |t − exact| ≤ a·|exact| whenever |exact| ≥ 1e-12 (below that, |t − exact| &lt; 1e-12). A score is then judged
    /// differently from the exact window only when it lies within that band around the threshold. Entity windows stay
    /// exact: they are small. The sketch's memory is fixed, about 8·117/a bytes (1 MB at a = 0.001) plus 4 bytes per
    /// slot (12 for time windows).
    /// </summary>
    public double RelativeError { get; init; }

    /// <summary>
    /// How the global threshold is set: the rolling percentile (the default: it was ahead on the one labelled stream
    /// judged by the pipeline's own threshold, fraud-sim; docs/quality.md) or <see cref="ThresholdMethod.Pot"/>.
    /// </summary>
    public ThresholdMethod Method { get; init; } = ThresholdMethod.Percentile;

    /// <summary>POT's risk level q: the probability a normal score exceeds the threshold.</summary>
    public double RiskLevel { get; init; } = 1e-3;

    /// <summary>POT's initial threshold: this quantile of the calibration scores; the scores above it are the peaks fitted.</summary>
    public double PotInitialQuantile { get; init; } = 0.98;

    /// <summary>DSPOT's depth: judge each score relative to the mean of the last this many normal scores (0: SPOT).</summary>
    public int PotDepth { get; init; }

    /// <summary>
    /// Calibration scores POT needs (with at least <see cref="PotThreshold.MinPeaks"/> peaks). With fewer, the
    /// percentile judges and POT fits itself on the first this many live scores instead (one log line says so).
    /// </summary>
    public int PotMinScores { get; init; } = 1_000;

    /// <summary>
    /// With <see cref="Method"/> Pot and <see cref="PerEntity"/>: scores an entity's window must hold before the entity
    /// gets its own POT threshold, fitted on them (until then, or when the fit fails, the global threshold judges it).
    /// With POT per entity, at least <see cref="MinEntityPotScores"/> (enough for <see cref="PotThreshold.MinPeaks"/>
    /// peaks above <see cref="PotInitialQuantile"/>, plus <see cref="PotDepth"/>) and at most
    /// <see cref="EntityWindowSize"/>, the window it is fitted on; otherwise unused (any count in [1, 10,000,000]).
    /// </summary>
    public int EntityPotMinScores { get; init; } = 1_000;

    /// <summary>
    /// Whether an evident incident is kept from teaching the percentile windows (global and per entity): while a window's
    /// recent flags are evidently more than chance explains, a flagged score enters it clamped to the threshold it
    /// exceeded (<see cref="IncidentGuard"/>), so a long incident does not raise its own threshold. An "incident" that
    /// has taken over the whole window (nine in ten of its recent scores flagged, about 2.3 window lengths of a stream
    /// flagged throughout) is a shift of the stream's level, and the window learns it. On by default.
    /// </summary>
    public bool GuardIncidents { get; init; } = true;

    /// <summary>The least <see cref="EntityPotMinScores"/> for the POT settings: more than <see cref="PotThreshold.MinPeaks"/> scores above the initial quantile, plus the depth.</summary>
    public int MinEntityPotScores => (int)Math.Ceiling((PotThreshold.MinPeaks + 1) / (1 - PotInitialQuantile)) + PotDepth;

    /// <summary>Calibration scores (held out when the model was trained) that make the percentile window warm at once, below <see cref="WarmUp"/>.</summary>
    public int MinCalibrationScores { get; init; } = 100;

    /// <summary>
    /// Whether live scores teach the thresholds (the default). False: the thresholds are the ones a model's calibration
    /// gives when it goes live (the held-out scores carried in its artifact, or its scores of recent rows), and stay so
    /// until the next model — no window or POT update from the stream, so a record's verdict depends only on the record
    /// and the model, never on what else was read before it or by which node (reproducible runs, a threshold signed
    /// off with the model). Per-entity thresholds then never form: every entity is judged by the global one.
    /// </summary>
    public bool Learn { get; init; } = true;

    /// <summary>An entity's anomalies closer than this to its previous anomaly belong to the same incident: one alert.</summary>
    public TimeSpan SuppressionGap { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first bad key, its value and the allowed range; returns this.</summary>
    public ThresholdOptions Validate()
    {
        Check(nameof(Percentile), Percentile, Percentile > 0 && Percentile <= 100, "(0, 100]");
        Check(nameof(WindowSize), WindowSize, WindowSize is >= 1 and <= MaxWindowSize, $"[1, {MaxWindowSize}]");
        if (Window is { } window)
        {
            Check(nameof(Window), window, window > TimeSpan.Zero, "null or a positive TimeSpan");
        }
        Check(nameof(WarmUp), WarmUp, WarmUp >= 0, $"[0, {int.MaxValue}]");
        Check(nameof(EntityWindowSize), EntityWindowSize, EntityWindowSize is >= 1 and <= MaxWindowSize, $"[1, {MaxWindowSize}]");
        Check(nameof(EntityMinHistory), EntityMinHistory, EntityMinHistory >= 1 && EntityMinHistory <= EntityWindowSize,
            $"[1, EntityWindowSize = {EntityWindowSize}]");
        Check(nameof(MaxEntities), MaxEntities, MaxEntities >= 1, $"[1, {int.MaxValue}]");
        Check(nameof(RelativeError), RelativeError,
            RelativeError == 0 || RelativeError is >= SketchPercentile.MinRelativeError and <= SketchPercentile.MaxRelativeError,
            "0 (exact) or [0.0001, 0.05]");
        Check(nameof(Method), Method, Enum.IsDefined(Method), "Percentile or Pot");
        Check(nameof(RiskLevel), RiskLevel, RiskLevel > 0 && RiskLevel < 1 - PotInitialQuantile, $"(0, 1 - PotInitialQuantile = {1 - PotInitialQuantile:G4})");
        Check(nameof(PotInitialQuantile), PotInitialQuantile, PotInitialQuantile is >= 0.5 and < 1, "[0.5, 1)");
        Check(nameof(PotDepth), PotDepth, PotDepth is >= 0 and <= 100_000, "[0, 100000]");
        Check(nameof(PotMinScores), PotMinScores, PotMinScores >= PotThreshold.MinPeaks && PotMinScores <= MaxWindowSize, $"[{PotThreshold.MinPeaks}, {MaxWindowSize}]");
        if (Method == ThresholdMethod.Pot && PerEntity)
        {
            Check(nameof(EntityPotMinScores), EntityPotMinScores, EntityPotMinScores >= MinEntityPotScores && EntityPotMinScores <= EntityWindowSize,
                $"[{MinEntityPotScores} (10 peaks above PotInitialQuantile, plus PotDepth), EntityWindowSize = {EntityWindowSize}] (each entity's POT is fitted on its window)");
        }
        else
        {
            // Unused without POT per entity: only its type's range, so a global DSPOT's depth cannot fail an unused key.
            Check(nameof(EntityPotMinScores), EntityPotMinScores, EntityPotMinScores is >= 1 and <= MaxWindowSize, $"[1, {MaxWindowSize}]");
        }
        Check(nameof(MinCalibrationScores), MinCalibrationScores, MinCalibrationScores >= 1, $"[1, {int.MaxValue}]");
        Check(nameof(SuppressionGap), SuppressionGap, SuppressionGap >= TimeSpan.Zero, "a TimeSpan >= 00:00:00");
        return this;
    }

    private static void Check(string key, object value, bool valid, string range) => OptionCheck.Require(valid, key, value, range);
}
