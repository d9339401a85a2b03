using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Detector.Node.Evaluation;

/// <summary>What `detector evaluate` prints: a table for people, or one JSON line for scripts.</summary>
/// <param name="Dataset">Name of the dataset (the --name, else the data path).</param>
/// <param name="Summary">The figures (averaged over runs).</param>
/// <param name="Config">The configuration evaluated.</param>
/// <param name="Files">Files evaluated (each with its own model).</param>
/// <param name="Runs">Independent runs averaged.</param>
/// <param name="TrainRows">Training records per file (first run), or 0 when trained on a separate file.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record EvaluationReport(string Dataset, DetectionSummary Summary, EvaluationConfig Config, int Files, int Runs,
    int TrainRows, double Seconds)
{
    /// <summary>
    /// Whether the records form time series (a windowed model, the Telemetry preset, or a time column without the
    /// Tabular preset). Point adjustment (a whole labelled segment counts as found when any record of it is flagged) is
    /// only meaningful for them, so for independent records (transactions, the ODDS sets) it is left out.
    /// </summary>
    public bool TimeSeries { get; init; } = true;

    /// <summary>Whether records of <paramref name="config"/> with (or without) a time column form time series.</summary>
    public static bool FormsTimeSeries(EvaluationConfig config, bool hasTimeColumn)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Model.IsWindowed || config.Model.Preset == Detector.Models.Networks.ModelPreset.Telemetry
            || (hasTimeColumn && config.Model.Preset != Detector.Models.Networks.ModelPreset.Tabular);
    }

    /// <summary>One JSON object: dataset, f1, auc_roc and auc_pr first, then impl ("detector"), best_f1, far, the other figures and the protocol.</summary>
    public string ToJson()
    {
        var s = Summary;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("dataset", Dataset);
            Number(w, "f1", s.F1);
            Number(w, "auc_roc", s.AucRoc);
            Number(w, "auc_pr", s.AucPr);
            w.WriteString("impl", "detector");
            Number(w, "best_f1", s.BestF1);
            Number(w, "far", s.FalseAlarmRate);
            Number(w, "precision", s.Precision);
            Number(w, "recall", s.Recall);
            if (TimeSeries)
            {
                Number(w, "f1_point_adjusted", s.AdjustedF1);
            }
            Number(w, "alerts_per_1000", s.AlertsPer1000);
            w.WriteNumber("segments", s.Segments);
            w.WriteNumber("segments_detected", s.SegmentsDetected);
            Number(w, "mean_delay_records", s.MeanDelayRecords);
            Number(w, "mean_delay_seconds", s.MeanDelaySeconds);
            w.WriteNumber("records", s.Records);
            w.WriteNumber("anomalies", s.Anomalies);
            w.WriteNumber("dead_letters", s.DeadLetters);
            w.WriteNumber("files", Files);
            w.WriteNumber("runs", Runs);
            w.WriteNumber("train_rows", TrainRows);
            w.WriteString("model", Config.Model.Kind.ToString());
            w.WriteNumber("window", Config.Model.WindowSteps);
            w.WriteString("threshold", Config.Evaluation.Threshold.ToString());
            Number(w, "seconds", Seconds, 1);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>A plain-text table of every figure.</summary>
    public string ToTable()
    {
        var s = Summary;
        var c = Config;
        var e = c.Evaluation;
        var threshold = e.Threshold == ThresholdMode.Training
            ? $"fixed: {F(e.ThresholdFactor)} × q{F(e.TrainingQuantile)} of the training scores"
            : c.Thresholds.Method == Detector.Streams.Thresholds.ThresholdMethod.Pot
                ? $"pipeline: POT, risk {c.Thresholds.RiskLevel:G3} (percentile p{F(c.Thresholds.Percentile)} until calibrated)"
                : $"pipeline: rolling p{F(c.Thresholds.Percentile)} over {c.Thresholds.WindowSize:N0} scores";
        var training = TrainRows > 0 ? $"first {TrainRows:N0} records of each stream" : "a separate file";
        var rows = new List<(string, string)>
        {
            ("dataset", Dataset),
            ("model", c.Model.IsWindowed ? $"{c.Model.Kind}, windows of {c.Model.WindowSteps} records" : c.Model.Kind.ToString()),
            ("trained on", training + (e.Shuffle ? " (shuffled)" : "")),
            ("threshold", threshold),
            ("files × runs", $"{Files} × {Runs}"),
            ("records scored", $"{s.Records:N0} ({s.Anomalies:N0} labelled anomalous, {s.DeadLetters:N0} dead letters)"),
            ("precision / recall / F1", $"{F(s.Precision)} / {F(s.Recall)} / {F(s.F1)}"),
            ("best F1 / false-alarm rate", $"{F(s.BestF1)} / {F(s.FalseAlarmRate)}"),
            ("point-adjusted P / R / F1", TimeSeries ? $"{F(s.AdjustedPrecision)} / {F(s.AdjustedRecall)} / {F(s.AdjustedF1)}"
                : "n/a: independent records (tabular), not a time series"),
            ("AUC-ROC / AUC-PR", $"{F(s.AucRoc)} / {F(s.AucPr)}"),
            ("alerts per 1,000 records", $"{F(s.AlertsPer1000, 2)} ({s.Alerts:N0} alerts)"),
            ("segments detected", $"{s.SegmentsDetected} of {s.Segments}"),
            ("detection delay", double.IsNaN(s.MeanDelayRecords) ? "n/a" : $"mean {F(s.MeanDelayRecords, 1)} records, median {F(s.MedianDelayRecords, 1)}"
                + (double.IsNaN(s.MeanDelaySeconds) ? "" : $", mean {F(s.MeanDelaySeconds, 1)} s")),
            ("wall time", $"{F(Seconds, 1)} s"),
        };
        var width = rows.Max(r => r.Item1.Length);
        var sb = new StringBuilder();
        foreach (var (key, value) in rows)
        {
            sb.Append(key.PadRight(width)).Append("  ").AppendLine(value);
        }
        return sb.ToString();
    }

    private static string F(double v, int digits = 4) =>
        double.IsNaN(v) ? "n/a" : v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static void Number(Utf8JsonWriter w, string name, double value, int digits = 4)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, Math.Round(value, digits));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
