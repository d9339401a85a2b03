using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Detector.Models.Networks;

namespace Detector.Node.Evaluation;

/// <summary>
/// `detector evaluate`: streams labelled files through the production pipeline and reports detection quality —
/// point-wise and point-adjusted precision, recall and F1, AUC-ROC, AUC-PR, alerts per 1,000 records and detection
/// delay — as a table, one JSON line (--json), and an SVG plot of score, threshold and labels (--plot). Several files
/// (or a folder) are evaluated each with its own model — several at once, up to Evaluation:Parallelism (default: the
/// processor count), since they share nothing — and pooled; results and their lines keep the files' order. Exit codes:
/// 0 ok, 2 usage or configuration error, 1 runtime failure.
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
        var trainDir = new Option<string?>("--train-dir") { Description = "Folder of training files, one per --data file with the same file name (a folder of machines in one command)." };
        var manifest = new Option<string?>("--manifest") { Description = "File listing one stream per line: 'data train [labels]' (train '-' for the initial window); replaces --data." };
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
        var parallel = new Option<int?>("--parallel") { Description = "Files (and runs) evaluated at once (Evaluation:Parallelism; default 0: one per processor). Figures do not depend on it." };
        var shuffle = new Option<bool>("--shuffle") { Description = "Shuffle records (seeded) before the split: a random train/test split." };
        var json = new Option<bool>("--json") { Description = "Print one JSON line instead of the table." };
        var plot = new Option<string?>("--plot") { Description = "Write an SVG plot of score, threshold and labels over time to this path." };
        var scoresPath = new Option<string?>("--scores") { Description = "Write every scored record (file, index, label, score, threshold, flagged) to this CSV." };
        var alertsPath = new Option<string?>("--alerts") { Description = "Write the alerts the pipeline raised on scored records (JSON lines, with the features or sensors to blame) to this path." };
        var name = new Option<string?>("--name") { Description = "Dataset name in the report (default: the --data argument)." };
        var command = new Command("evaluate", "Streams labelled data through the pipeline and reports detection quality.\n\nExamples:\n"
            + "  ./detector evaluate --data ../shared/datasets/odds/cardio.csv\n"
            + "  ./detector evaluate --data ../shared/datasets/skab/data/valve1 --config eval/skab.json --plot out/skab.svg\n"
            + "  ./detector evaluate --data test.csv --train normal.csv --preset Telemetry --window 30 --json\n"
            + "  ./detector evaluate --data machines/test --train-dir machines/train --preset Telemetry   # one model per machine\n"
            + "  ./detector evaluate --manifest machines.txt   # lines of 'test.csv train.csv [labels.txt]'")
        {
            data, config, preset, train, trainDir, manifest, trainRows, model, engine, window, threshold, label, labels, time, id, exclude, runs, parallel, shuffle, json, plot, scoresPath, alertsPath, name,
        };
        command.SetAction(async (r, ct) =>
        {
            try
            {
                if (r.GetValue(data) is not { Length: > 0 } && r.GetValue(manifest) is null)
                {
                    throw new ArgumentException("--data is required (one or more labelled files or folders), or --manifest (see --help)");
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
                    Parallelism = r.GetValue(parallel) ?? e.Parallelism,
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
                var pairs = Pairs(r.GetValue(data) ?? [], r.GetValue(train), r.GetValue(trainDir), r.GetValue(manifest), r.GetValue(labels));
                var defaultName = r.GetValue(manifest) ?? string.Join(",", r.GetValue(data)!);
                var report = await RunAsync(pairs, c, r.GetValue(name) ?? defaultName, r.GetValue(plot), r.GetValue(scoresPath), ct, r.GetValue(alertsPath));
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
    public static Task<EvaluationReport> RunAsync(IReadOnlyList<string> files, string? trainPath, EvaluationConfig config, string name,
        string? plotPath, string? scoresPath, CancellationToken cancellationToken, string? alertsPath = null, string? labelsPath = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (labelsPath is not null && files.Count != 1)
        {
            throw new ArgumentException($"--labels gives the labels of one data file, but --data names {files.Count} files");
        }
        return RunAsync(files.Select(f => new EvaluationPair(f, trainPath, labelsPath)).ToArray(), config, name, plotPath, scoresPath, cancellationToken, alertsPath);
    }

    /// <summary>
    /// Evaluates each stream (each run) with its own training file and labels, one summary line per file on stderr,
    /// and pools the outcomes (a pooled line closes the run).
    /// </summary>
    public static async Task<EvaluationReport> RunAsync(IReadOnlyList<EvaluationPair> pairs, EvaluationConfig config, string name,
        string? plotPath, string? scoresPath, CancellationToken cancellationToken, string? alertsPath = null)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(config);
        var clock = Stopwatch.StartNew();
        var e = config.Evaluation;
        var trainFiles = new Dictionary<string, EvaluationData>(StringComparer.Ordinal);
        foreach (var trainPath in pairs.Select(p => p.Train).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            trainFiles[trainPath] = EvaluationData.Load(trainPath, e, training: true);
            if (trainFiles.Count == 1)
            {
                await Console.Error.WriteLineAsync($"  {name}: {trainFiles[trainPath].Roles.Describe(trainFiles[trainPath].Name)}").ConfigureAwait(false);
            }
        }
        var timeSeries = true;
        var summaries = new List<DetectionSummary>();
        var trainRows = 0;
        List<StreamOutcome>? firstRun = null;
        var alerts = new List<Detector.Streams.Alerts.Alert>();
        var parallelism = e.Parallelism > 0 ? e.Parallelism : Environment.ProcessorCount;
        // Job k is run k / files of file k % files: started in that order, results read in that order.
        await using var jobs = new ParallelEvaluation<(EvaluationData Data, EvaluationRun Result)>(e.Runs * pairs.Count, parallelism, async (job, ct) =>
        {
            var (run, pair) = (job / pairs.Count, pairs[job % pairs.Count]);
            var trainFile = pair.Train is { } trainPath ? trainFiles[trainPath] : null;
            var data = pair.Labels is null ? EvaluationData.Load(pair.Data, e) : EvaluationData.Load(pair.Data, e, labelled: false).WithLabelFile(pair.Labels);
            var progress = new TrainingProgress($"{name}: {data.Name}{(e.Runs > 1 ? $" run {run + 1}" : "")}: training on {trainFile?.Name}");
            return (data, await StreamEvaluation.RunAsync(data, trainFile, config, run, ct, progress).ConfigureAwait(false));
        }, cancellationToken);
        for (var run = 0; run < e.Runs; run++)
        {
            var outcomes = new List<StreamOutcome>();
            for (var file = 0; file < pairs.Count; file++)
            {
                var (data, result) = await jobs.ResultAsync(run * pairs.Count + file).ConfigureAwait(false);
                if (run == 0 && file == 0)
                {
                    await Console.Error.WriteLineAsync($"  {name}: {data.Roles.Describe(data.Name)}").ConfigureAwait(false);
                    timeSeries = EvaluationReport.FormsTimeSeries(config, data.TimesMs is not null);
                    trainRows = result.Outcome.TrainRows;
                }
                outcomes.Add(result.Outcome);
                if (run == 0)
                {
                    alerts.AddRange(result.Alerts);
                }
                var single = DetectionSummary.Compute([result.Outcome]);
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {name}: {data.Name}{(e.Runs > 1 ? $" run {run + 1}" : "")}: {single.Records:N0} records, F1 {single.F1:F3}, AUC-ROC {single.AucRoc:F3}, AUC-PR {single.AucPr:F3}, threshold {result.FixedThreshold:G4} ({result.Seconds:F1}s)")).ConfigureAwait(false);
            }
            if (pairs.Count > 1)
            {
                var pooled = DetectionSummary.Compute(outcomes);
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {name}: pooled over {pairs.Count} files{(e.Runs > 1 ? $" run {run + 1}" : "")}: {pooled.Records:N0} records, F1 {pooled.F1:F3}, AUC-ROC {pooled.AucRoc:F3}, AUC-PR {pooled.AucPr:F3}")).ConfigureAwait(false);
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
        return new EvaluationReport(name, DetectionSummary.Mean(summaries), config, pairs.Count, e.Runs, trainRows, clock.Elapsed.TotalSeconds)
        {
            TimeSeries = timeSeries,
        };
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

    /// <summary>The streams to evaluate from --data (folders expanded), --train or --train-dir, --labels, or a --manifest.</summary>
    public static IReadOnlyList<EvaluationPair> Pairs(IReadOnlyList<string> data, string? train, string? trainDir, string? manifest, string? labels)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (manifest is not null)
        {
            return data.Count > 0 || train is not null || trainDir is not null || labels is not null
                ? throw new ArgumentException("--manifest names the data, training and label files itself: leave out --data, --train, --train-dir and --labels")
                : EvaluationPair.FromManifest(manifest);
        }
        if (train is not null && trainDir is not null)
        {
            throw new ArgumentException("--train (one training file for all) and --train-dir (one per data file) exclude each other");
        }
        var files = Expand(data);
        if (labels is not null && files.Count != 1)
        {
            throw new ArgumentException($"--labels gives the labels of one data file, but --data names {files.Count} files");
        }
        return trainDir is not null ? EvaluationPair.FromTrainDir(files, trainDir).Select(p => p with { Labels = labels }).ToArray()
            : files.Select(f => new EvaluationPair(f, train, labels)).ToArray();
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
