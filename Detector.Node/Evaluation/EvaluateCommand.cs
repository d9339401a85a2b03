using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Detector.Models.Networks;

namespace Detector.Node.Evaluation;

/// <summary>
/// `detector evaluate`: streams labelled files through the production pipeline and reports detection quality —
/// point-wise and point-adjusted precision, recall and F1, AUC-ROC, AUC-PR, alerts per 1,000 records and detection
/// delay — as a table, one JSON line (--json), and an SVG plot of score, threshold and labels (--plot). Several files
/// (or a folder) are evaluated one by one, each with its own model, and pooled. Exit codes: 0 ok, 2 usage or
/// configuration error, 1 runtime failure.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var data = new Option<string[]>("--data") { Description = "Labelled CSV or JSON-lines file(s), or folders of them (.csv, .jsonl, optionally .gz); repeat or list several (required).", AllowMultipleArgumentsPerToken = true };
        var config = new Option<string?>("--config") { Description = "JSON configuration: sections Model, Training, Thresholds, Evaluation (see eval/*.json)." };
        var preset = new Option<ModelPreset?>("--preset") { Description = "Tabular or Telemetry: the measured model and training to start from (Model:Preset); --model, --window and the configuration's keys refine it." };
        var train = new Option<string?>("--train") { Description = "Train on this file instead of each stream's initial window; every record of --data is then scored." };
        var trainRows = new Option<int?>("--train-rows") { Description = "Records of the initial window to train on (overrides Evaluation:TrainRows)." };
        var model = new Option<ModelKind?>("--model") { Description = "Model kind: Autoencoder, VariationalAutoencoder, ConvolutionalAutoencoder, LstmAutoencoder." };
        var engine = new Option<Detector.Models.Engines.ModelEngine?>("--engine") { Description = "Native or Torch: what trains and scores the model (Model:Engine)." };
        var window = new Option<int?>("--window") { Description = "Steps per window for the windowed kinds (Model:WindowSteps)." };
        var threshold = new Option<ThresholdMode?>("--threshold") { Description = "Verdicts scored: Pipeline (rolling percentile) or Training (fixed, from the training scores)." };
        var label = new Option<string?>("--label", "--label-column") { Description = "Label column (default: label, anomaly, is_anomaly, outlier or TX_FRAUD)." };
        var labels = new Option<string?>("--labels") { Description = "Labels in a file of their own: one 0/1 per line, as many as the records of the one --data file (which then needs no label column)." };
        var time = new Option<string?>("--time-column") { Description = "Event-time column (default: timestamp, datetime, time or TX_DATETIME when present)." };
        var id = new Option<string?>("--id-column") { Description = "Record-id column, never a feature (default: id, record_id, transaction_id or event_id when present)." };
        var exclude = new Option<string?>("--exclude") { Description = "Comma-separated columns that are not features." };
        var runs = new Option<int?>("--runs") { Description = "Independent runs to average (with --shuffle: different random splits)." };
        var shuffle = new Option<bool>("--shuffle") { Description = "Shuffle records (seeded) before the split: a random train/test split." };
        var json = new Option<bool>("--json") { Description = "Print one JSON line instead of the table." };
        var plot = new Option<string?>("--plot") { Description = "Write an SVG plot of score, threshold and labels over time to this path." };
        var scoresPath = new Option<string?>("--scores") { Description = "Write every scored record (file, index, label, score, threshold, flagged) to this CSV." };
        var alertsPath = new Option<string?>("--alerts") { Description = "Write the alerts the pipeline raised on scored records (JSON lines, with the features or sensors to blame) to this path." };
        var name = new Option<string?>("--name") { Description = "Dataset name in the report (default: the --data argument)." };
        var command = new Command("evaluate", "Streams labelled data through the pipeline and reports detection quality.\n\nExamples:\n"
            + "  ./detector evaluate --data ../shared/datasets/odds/cardio.csv\n"
            + "  ./detector evaluate --data ../shared/datasets/skab/data/valve1 --config eval/skab.json --plot out/skab.svg\n"
            + "  ./detector evaluate --data test.csv --train normal.csv --preset Telemetry --window 30 --json")
        {
            data, config, preset, train, trainRows, model, engine, window, threshold, label, labels, time, id, exclude, runs, shuffle, json, plot, scoresPath, alertsPath, name,
        };
        command.SetAction(async (r, ct) =>
        {
            try
            {
                if (r.GetValue(data) is not { Length: > 0 })
                {
                    throw new ArgumentException("--data is required: one or more labelled files or folders (see --help)");
                }
                var c = EvaluationConfig.Load(r.GetValue(config), r.GetValue(preset));
                var e = c.Evaluation;
                e = e with
                {
                    TrainRows = r.GetValue(trainRows) ?? e.TrainRows,
                    Threshold = r.GetValue(threshold) ?? e.Threshold,
                    Label = r.GetValue(label) ?? e.Label,
                    Timestamp = r.GetValue(time) ?? e.Timestamp,
                    Id = r.GetValue(id) ?? e.Id,
                    Exclude = r.GetValue(exclude) is { } x ? [.. e.Exclude, .. x.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : e.Exclude,
                    Runs = r.GetValue(runs) ?? e.Runs,
                    Shuffle = e.Shuffle || r.GetValue(shuffle),
                };
                var m = c.Model with { Kind = r.GetValue(model) ?? c.Model.Kind, Engine = r.GetValue(engine) ?? c.Model.Engine };
                Configuration.EngineSetup.Require(m.Engine);
                m = ModelPresets.WithDefaultWindow(m with { WindowSteps = r.GetValue(window) ?? (m.IsWindowed ? m.WindowSteps : 1) }, out var warning);
                if (warning is not null)
                {
                    await Console.Error.WriteLineAsync($"detector evaluate: warning: {warning}");
                }
                c = (c with { Model = m, Evaluation = e }).Validate();
                var files = Expand(r.GetValue(data)!);
                var report = await RunAsync(files, r.GetValue(train), c, r.GetValue(name) ?? string.Join(",", r.GetValue(data)!), r.GetValue(plot), r.GetValue(scoresPath), ct, r.GetValue(alertsPath), r.GetValue(labels));
                Console.WriteLine(r.GetValue(json) ? report.ToJson() : report.ToTable());
                return 0;
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"detector evaluate: {ex.Message}");
                return 2;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"detector evaluate failed: {ex}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Evaluates each file (each run) and pools the outcomes; progress goes to stderr.</summary>
    public static async Task<EvaluationReport> RunAsync(IReadOnlyList<string> files, string? trainPath, EvaluationConfig config, string name,
        string? plotPath, string? scoresPath, CancellationToken cancellationToken, string? alertsPath = null, string? labelsPath = null)
    {
        if (labelsPath is not null && files.Count != 1)
        {
            throw new ArgumentException($"--labels gives the labels of one data file, but --data names {files.Count} files");
        }
        var clock = Stopwatch.StartNew();
        var e = config.Evaluation;
        var trainFile = trainPath is null ? null : EvaluationData.Load(trainPath, e, labelled: false);
        var summaries = new List<DetectionSummary>();
        var trainRows = 0;
        List<StreamOutcome>? firstRun = null;
        var alerts = new List<Detector.Streams.Alerts.Alert>();
        for (var run = 0; run < e.Runs; run++)
        {
            var outcomes = new List<StreamOutcome>();
            foreach (var file in files)
            {
                var data = labelsPath is null ? EvaluationData.Load(file, e) : EvaluationData.Load(file, e, labelled: false).WithLabelFile(labelsPath);
                var result = await StreamEvaluation.RunAsync(data, trainFile, config, run, cancellationToken).ConfigureAwait(false);
                outcomes.Add(result.Outcome);
                if (run == 0)
                {
                    alerts.AddRange(result.Alerts);
                }
                if (run == 0 && outcomes.Count == 1)
                {
                    trainRows = result.Outcome.TrainRows;
                }
                var single = DetectionSummary.Compute([result.Outcome]);
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {data.Name}{(e.Runs > 1 ? $" run {run + 1}" : "")}: {single.Records:N0} records, F1 {single.F1:F3}, AUC-ROC {single.AucRoc:F3}, AUC-PR {single.AucPr:F3}, threshold {result.FixedThreshold:G4} ({result.Seconds:F1}s)")).ConfigureAwait(false);
            }
            summaries.Add(DetectionSummary.Compute(outcomes));
            firstRun ??= outcomes;
        }
        if (plotPath is not null && firstRun is not null)
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(plotPath));
            if (folder is not null)
            {
                Directory.CreateDirectory(folder);
            }
            await File.WriteAllTextAsync(plotPath, SvgPlot.Render($"{name}: {config.Model.Kind}, threshold {config.Evaluation.Threshold}", firstRun), cancellationToken).ConfigureAwait(false);
        }
        if (alertsPath is not null)
        {
            await WriteAlertsAsync(alertsPath, alerts, cancellationToken).ConfigureAwait(false);
        }
        if (scoresPath is not null && firstRun is not null)
        {
            await WriteScoresAsync(scoresPath, firstRun, cancellationToken).ConfigureAwait(false);
        }
        return new EvaluationReport(name, DetectionSummary.Mean(summaries), config, files.Count, e.Runs, trainRows, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The first run's alerts, one JSON object per line.</summary>
    private static async Task WriteAlertsAsync(string path, IReadOnlyList<Detector.Streams.Alerts.Alert> alerts, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        await using var file = File.Create(path);
        foreach (var alert in alerts)
        {
            using (var w = new System.Text.Json.Utf8JsonWriter(file))
            {
                alert.WriteTo(w);
            }
            file.WriteByte((byte)'\n');
        }
        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One CSV row per scored record of the first run: file, index within the test part, label, score, threshold, flagged.</summary>
    private static async Task WriteScoresAsync(string path, IReadOnlyList<StreamOutcome> streams, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        await using var w = new StreamWriter(path);
        await w.WriteLineAsync("file,index,label,score,threshold,flagged").ConfigureAwait(false);
        foreach (var s in streams)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < s.Labels.Length; i++)
            {
                await w.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Name},{i},{(s.Labels[i] ? 1 : 0)},{s.Scores[i]:G6},{s.Thresholds[i]:G6},{(s.Flagged[i] ? 1 : 0)}")).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Files as given, and folders expanded to their .csv, .jsonl and .gz files (recursively, sorted).</summary>
    public static IReadOnlyList<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal).ToArray();
                if (found.Length == 0)
                {
                    throw new ArgumentException($"folder '{path}' holds no .csv, .jsonl or .gz files");
                }
                files.AddRange(found);
            }
            else
            {
                files.Add(path);
            }
        }
        return files;
    }
}
