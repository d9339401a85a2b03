using System.CommandLine;
using System.Globalization;
using Detector.Models.Artifacts;
using Detector.Models.Networks;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Detector.Models.Validation;
using Spectre.Console;

namespace Detector.Node.Commands;

/// <summary>`detector train`: a model artifact from a CSV or JSON-lines file, offline, with a progress bar (epoch, loss, ETA).</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var flags = new NodeFlags();
        var columns = new OfflineInput();
        var input = new Option<string>("--input", "-i") { Description = "Records to train on: JSON lines, or CSV with a header line.", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Model artifact to write.", DefaultValueFactory = _ => "model.dtm" };
        var dataset = new Option<string?>("--dataset") { Description = "Use this embedded generator's schema (cards or fleet) when the configuration has no Schema section." };
        var epochs = new Option<int?>("--epochs") { Description = "Maximum epochs (Pipeline:Retraining:Training:Epochs)." };
        var preset = new Option<ModelPreset?>("--preset") { Description = "Tabular or Telemetry: the measured model and training to start from (Pipeline:Retraining:Model:Preset); other keys refine it." };
        var kind = new Option<ModelKind?>("--kind") { Description = "Autoencoder or VariationalAutoencoder (Pipeline:Retraining:Model:Kind)." };
        var engine = new Option<Detector.Models.Engines.ModelEngine?>("--engine") { Description = "Native or Torch: what computes the training passes (Pipeline:Retraining:Model:Engine)." };
        var seed = new Option<ulong?>("--seed") { Description = "Training seed (Pipeline:Retraining:Training:Seed)." };
        var maxRows = new Option<long>("--max-rows") { Description = "Read at most this many records.", DefaultValueFactory = _ => long.MaxValue };
        var keepLabelled = new Option<bool>("--include-labelled-anomalies") { Description = "Also train on rows whose label says anomaly (left out by default)." };
        var command = new Command("train", """
            Trains an autoencoder or VAE offline on a file of records and writes a checksummed model artifact. The schema
            comes from the configuration's Schema section, or --dataset; with neither, the features are read from the
            file's header (its numeric columns but the label, id and time columns; see --label-column) and a line says
            which were taken. Architecture and training settings from Pipeline:Retraining:Model and
            Pipeline:Retraining:Training. Rows labelled anomalous are left out.

            Examples:
              ./detector generate --dataset cards --records 20000 --out data/cards.jsonl
              ./detector train --input data/cards.jsonl --dataset cards --out models/cards.dtm
              ./detector train -i ../shared/datasets/odds/cardio.csv --preset Tabular --out models/cardio.dtm
              ./detector train -i telemetry.csv --config config/fleet.json --epochs 40 --kind VariationalAutoencoder
            """)
        {
            input, output, dataset, preset, epochs, kind, engine, seed, maxRows, keepLabelled,
        };
        flags.AddTo(command);
        columns.AddTo(command);
        command.SetAction((result, ct) => CommandGuard.RunAsync(() =>
        {
            var overrides = flags.Overrides(result).ToList();
            Add(overrides, "Source:Dataset", result.GetValue(dataset));
            Add(overrides, "Pipeline:Retraining:Training:Epochs", result.GetValue(epochs)?.ToString(CultureInfo.InvariantCulture));
            Add(overrides, "Pipeline:Retraining:Model:Preset", result.GetValue(preset)?.ToString());
            Add(overrides, "Pipeline:Retraining:Model:Kind", result.GetValue(kind)?.ToString());
            Add(overrides, "Pipeline:Retraining:Model:Engine", result.GetValue(engine)?.ToString());
            Add(overrides, "Pipeline:Retraining:Training:Seed", result.GetValue(seed)?.ToString(CultureInfo.InvariantCulture));
            var options = Configuration.NodeConfiguration.Load(result.GetValue(flags.Config), flags: overrides);
            var path = result.GetValue(input)!;
            OptionCheck.Require(File.Exists(path), "--input", path, "an existing JSON-lines or CSV file");
            var (table, schema) = columns.Read(result, path, options, result.GetValue(dataset) is not null, result.GetValue(maxRows));
            return Task.FromResult(Train(path, table, schema, result.GetValue(output)!, options, result.GetValue(keepLabelled), ct));
        }));
        return command;
    }

    private static int Train(string path, RecordTable table, FeatureSchema schema, string output, Configuration.NodeOptions options, bool keepLabelled,
        CancellationToken cancellationToken)
    {
        var keep = Enumerable.Range(0, table.Count).Where(i => keepLabelled || table.Info[i].Label != true).ToArray();
        var rows = Detector.Models.Training.Rows.Gather(table.Rows, table.Features, keep);
        var retraining = options.Pipeline.Retraining;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training a {retraining.Model.Kind} on {keep.Length:N0} rows of {table.Count:N0} read ({table.Count - keep.Length:N0} labelled anomalies left out, {table.Rejected.Count:N0} rejected) from {path}"));
        if (keep.Length < 10)
        {
            throw new InvalidOptionException("--input", path, $"a file with at least 10 usable records (it has {keep.Length})");
        }
        ModelSnapshot Run(IProgress<EpochReport> reports) =>
            new Trainer().Train(rows, keep.Length, schema, retraining.Model, retraining.Training, reports, cancellationToken).WithIdentity(options.Model.Name, 1);
        ModelSnapshot? model = null;
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Redirected output (CI logs, pipes): one line per epoch rather than a bar nobody sees redrawn.
            model = Run(new EpochReporter(r => Console.WriteLine(Describe(r))));
        }
        else
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(progress =>
                {
                    var task = progress.AddTask("epoch 0", maxValue: retraining.Training.Epochs);
                    model = Run(new EpochReporter(r =>
                    {
                        task.Value = r.Epoch;
                        task.Description = Markup.Escape(Describe(r));
                    }));
                    task.Value = task.MaxValue; // early stopping ends before the last epoch
                });
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(output));
        Directory.CreateDirectory(directory!);
        ModelArtifact.Save(model!, output);
        var m = model!.Metadata;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {output}: {m.Epochs} epochs (best {m.BestEpoch}), loss {m.FinalLoss:G4}, {m.DurationSeconds:F1}s, sha256 {ModelArtifact.Checksum(File.ReadAllBytes(output))}"));
        return ExitCodes.Ok;
    }

    private static string Describe(EpochReport r) => string.Create(CultureInfo.InvariantCulture,
        $"epoch {r.Epoch}/{r.MaxEpochs}  loss {r.TrainLoss:G4}  val {(double.IsNaN(r.ValidationLoss) ? "-" : r.ValidationLoss.ToString("G4", CultureInfo.InvariantCulture))}  ETA {r.EstimatedRemaining:mm\\:ss}");

    private static void Add(List<KeyValuePair<string, string?>> overrides, string key, string? value)
    {
        if (value is not null)
        {
            overrides.Add(new(key, value));
        }
    }

    /// <summary>Reports on the training thread (no synchronisation-context hop, unlike <see cref="Progress{T}"/>).</summary>
    private sealed class EpochReporter(Action<EpochReport> report) : IProgress<EpochReport>
    {
        public void Report(EpochReport value) => report(value);
    }
}
