namespace Detector.Node.Evaluation;

/// <summary>How `detector evaluate` reads a labelled file, splits it, and judges it (the "Evaluation" configuration section).</summary>
public sealed record EvaluationOptions
{
    /// <summary>Column (or JSON property) holding the label; null picks the first of label, anomaly, is_anomaly, outlier, TX_FRAUD.</summary>
    public string? Label { get; init; }

    /// <summary>Event-time column; null picks timestamp, datetime, time, TX_DATETIME when present, else record order stands in.</summary>
    public string? Timestamp { get; init; }

    /// <summary>Entity column (windows, per-entity thresholds, alert suppression); null treats the file as one entity.</summary>
    public string? Entity { get; init; }

    /// <summary>Record-id column (never a feature); null picks id, record_id, transaction_id or event_id when present.</summary>
    public string? Id { get; init; }

    /// <summary>Feature columns in model order; empty takes every numeric column but the label, time, entity and excluded ones.</summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>Columns never used as features (ids, scenario codes, second label columns).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>CSV delimiter; null detects it from the header (',', ';', tab or '|').</summary>
    public char? Delimiter { get; init; }

    /// <summary>
    /// Records at the start of each stream that are neither trained on nor scored: a simulation's warm-up, while rolling
    /// features (7- and 30-day counts, say) are still filling and every later record would look drifted.
    /// </summary>
    public int SkipRows { get; init; }

    /// <summary>Records of the initial window the first model is trained on; 0 uses <see cref="TrainFraction"/>.</summary>
    public int TrainRows { get; init; }

    /// <summary>Share of the records in the initial training window when <see cref="TrainRows"/> is 0.</summary>
    public double TrainFraction { get; init; } = 0.1;

    /// <summary>
    /// The last records of the initial window that the model is not trained on but only scored: the training-score
    /// quantile is taken over them, so the fixed threshold reflects the model's error on records it has not seen
    /// (in-sample residuals understate it). 0 takes the quantile over the training records themselves.
    /// </summary>
    public int CalibrationRows { get; init; }

    /// <summary>Which verdicts are scored.</summary>
    public ThresholdMode Threshold { get; init; } = ThresholdMode.Pipeline;

    /// <summary>q of the training-score quantile (the fixed threshold, and the scale that makes streams' scores comparable).</summary>
    public double TrainingQuantile { get; init; } = 0.99;

    /// <summary>
    /// The fixed threshold is this factor times the training-score quantile: 3/2, the SKAB notebooks' upper control
    /// limit, which with a calibration tail gave the best F1 there (docs/quality.md).
    /// </summary>
    public double ThresholdFactor { get; init; } = 1.5;

    /// <summary>Shuffle the records (seeded) before the split: a random train/test split instead of a time split.</summary>
    public bool Shuffle { get; init; }

    /// <summary>Independent runs (seeds Seed, Seed+1, …) whose figures are averaged.</summary>
    public int Runs { get; init; } = 1;

    /// <summary>
    /// Files (and runs) evaluated at once; 0 (the default) runs one per processor. Each has its own model, pipeline and
    /// seeds, so the figures do not depend on it; only the wall time does.
    /// </summary>
    public int Parallelism { get; init; }

    /// <summary>Seed of the shuffle; run k adds k to it and to the training seed.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Retrain after this many normal records during the stream, as production does; 0 keeps the first model.</summary>
    public long RetrainEveryRows { get; init; }

    /// <summary>Throws naming the first invalid key, its value and what is allowed.</summary>
    public EvaluationOptions Validate()
    {
        Check(SkipRows >= 0, nameof(SkipRows), SkipRows, ">= 0");
        Check(TrainRows >= 0, nameof(TrainRows), TrainRows, ">= 0 (0 uses TrainFraction)");
        Check(TrainFraction is > 0 and < 1, nameof(TrainFraction), TrainFraction, "(0, 1)");
        Check(CalibrationRows >= 0 && (TrainRows == 0 || CalibrationRows + 10 <= TrainRows), nameof(CalibrationRows), CalibrationRows,
            ">= 0, leaving at least 10 of the TrainRows to train on");
        Check(Enum.IsDefined(Threshold), nameof(Threshold), Threshold, string.Join(", ", Enum.GetNames<ThresholdMode>()));
        Check(TrainingQuantile is > 0 and <= 1, nameof(TrainingQuantile), TrainingQuantile, "(0, 1]");
        Check(ThresholdFactor > 0 && double.IsFinite(ThresholdFactor), nameof(ThresholdFactor), ThresholdFactor, "> 0");
        Check(Runs is >= 1 and <= 1000, nameof(Runs), Runs, "[1, 1000]");
        Check(Parallelism is >= 0 and <= 256, nameof(Parallelism), Parallelism, "[0, 256] (0: one per processor)");
        Check(RetrainEveryRows >= 0, nameof(RetrainEveryRows), RetrainEveryRows, ">= 0 (0 disables retraining)");
        return this;
    }

    private static void Check(bool ok, string key, object value, string allowed)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(key, value, $"Evaluation:{key} = {value} is invalid; allowed: {allowed}");
        }
    }
}
