using System.CommandLine;
using System.Diagnostics;
using Detector.Models.Artifacts;
using Detector.Models.Evaluation;
using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Scoring;
using Detector.Models.Synthetic;
using Detector.Models.Training;

namespace Detector.Node.Demo;

/// <summary>
/// `detector demo model`: the model engine alone: train an autoencoder on generated rows (with a little
/// contamination), score a held-out stream with injected anomalies, flag against the training scores' percentile, and
/// report detection quality and throughput.
/// </summary>
public static class ModelDemo
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Rows in the scored stream.", DefaultValueFactory = _ => 200_000 };
        var trainRows = new Option<int>("--train-rows") { Description = "Rows to train on.", DefaultValueFactory = _ => 50_000 };
        var kind = new Option<ModelKind>("--model") { Description = "Autoencoder or VariationalAutoencoder.", DefaultValueFactory = _ => ModelKind.Autoencoder };
        var epochs = new Option<int>("--epochs") { Description = "Maximum training epochs.", DefaultValueFactory = _ => 30 };
        var output = new Option<string>("--out") { Description = "Where to save the trained model.", DefaultValueFactory = _ => "out/demo.model" };
        var command = new Command("model", "The model engine alone on generated manifold data: detection quality and throughput.\n\nExamples:\n  ./detector demo model\n  ./detector demo model --model VariationalAutoencoder --rows 50000")
        {
            rows, trainRows, kind, epochs, output,
        };
        command.SetAction(r => Run(r.GetValue(rows), r.GetValue(trainRows), r.GetValue(kind), r.GetValue(epochs), r.GetValue(output)!));
        return command;
    }

    private static int Run(int rows, int trainRows, ModelKind kind, int epochs, string output)
    {
        const int features = 30;
        var threads = Math.Min(Environment.ProcessorCount, 2);
        var manifold = new ManifoldData(features, latent: 6, noise: 0.05, seed: 7);
        var schema = FeatureSchema.Numbered(features);
        Console.WriteLine($"detector demo: {features} features near a 6-dimensional manifold; training a {kind} on {trainRows:N0} rows (1% contaminated), {threads} threads");
        var (train, _) = manifold.Generate(trainRows, 0.01, seed: 8);
        var model = new Trainer().Train(train, trainRows, schema,
            new ModelOptions { Kind = kind, Beta = 0.01 },
            new TrainingOptions { Epochs = epochs, Threads = threads },
            new Progress<EpochReport>(e => Console.WriteLine(
                $"  epoch {e.Epoch,3}/{e.MaxEpochs}  train loss {e.TrainLoss:F5}  validation {e.ValidationLoss:F5}  elapsed {e.Elapsed.TotalSeconds:F1}s  eta {e.EstimatedRemaining.TotalSeconds:F0}s")));
        var meta = model.Metadata;
        Console.WriteLine($"trained: {meta.Epochs} epochs (best {meta.BestEpoch}), validation loss {meta.FinalLoss:F5}, {meta.DurationSeconds:F1}s, {train.Length / features * meta.Epochs / meta.DurationSeconds:N0} rows/s");

        var trainScores = new float[trainRows];
        model.CreateScorer().Score(train, trainRows, trainScores, []);
        var threshold = Percentile(trainScores, 99.0);

        var (stream, labels) = manifold.Generate(rows, 0.02, seed: 9);
        var scores = new float[rows];
        var clock = Stopwatch.StartNew();
        Parallel.For(0, threads, t =>
        {
            var scorer = model.CreateScorer(maxBatch: 256);
            var per = (rows + threads - 1) / threads;
            var from = t * per;
            var n = Math.Max(0, Math.Min(per, rows - from));
            for (var i = from; i < from + n; i += 256)
            {
                var b = Math.Min(256, from + n - i);
                scorer.Score(stream.AsSpan(i * features, b * features), b, scores.AsSpan(i, b), []);
            }
        });
        var seconds = clock.Elapsed.TotalSeconds;
        var (precision, recall, f1) = DetectionMetrics.AtThreshold(scores, labels, threshold);
        Console.WriteLine($"scored {rows:N0} rows ({labels.Count(l => l):N0} injected anomalies) in {seconds:F2}s: {rows / seconds:N0} records/s");
        Console.WriteLine($"threshold (99th percentile of training scores): {threshold:G4}");
        Console.WriteLine($"precision {precision:F3}  recall {recall:F3}  F1 {f1:F3}  AUC-ROC {DetectionMetrics.AucRoc(scores, labels):F3}  AUC-PR {DetectionMetrics.AveragePrecision(scores, labels):F3}");

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        ModelArtifact.Save(model, output);
        Console.WriteLine($"model saved to {output} (sha256 {ModelArtifact.Checksum(File.ReadAllBytes(output))})");
        return 0;
    }

    private static float Percentile(float[] values, double p)
    {
        var sorted = (float[])values.Clone();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
