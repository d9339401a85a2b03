using System.Diagnostics;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Detector.Node.Cluster;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using Detector.Streams.Training;
using Detector.Streams.Windows;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detector.Node.Evaluation;

/// <summary>
/// Streams one labelled file through the production pipeline (decode → batch → model actor → thresholds → alerts →
/// acknowledgement) and collects what it decided. The model is either trained by the pipeline itself on the initial
/// window (its warm-up path: the first TrainRows records, which are then scored too but not counted) or trained
/// beforehand on a separate file and published to the registry before the stream starts. Labels never reach the
/// pipeline: the decoder is configured without the label field, so training stays unsupervised.
/// </summary>
public static class StreamEvaluation
{
    /// <summary>Runs data (shuffled first when the protocol says so) through a fresh pipeline; run numbers the seed.</summary>
    public static async Task<EvaluationRun> RunAsync(EvaluationData data, EvaluationData? trainFile, EvaluationConfig config, int run,
        CancellationToken cancellationToken, IProgress<EpochReport>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var eval = config.Evaluation;
        var kept = data.Skip(eval.SkipRows);
        var stream = eval.Shuffle ? kept.Permuted(eval.Seed + (ulong)run) : kept;
        var training = config.Training with { Seed = config.Training.Seed + (ulong)run };
        var trainRows = trainFile is not null ? 0 : InitialWindow(eval, stream.Count);
        // The model learns from the window minus its calibration tail; the whole window stays out of the metrics.
        var fitRows = trainRows - (trainFile is null ? eval.CalibrationRows : 0);
        if (trainFile is null && fitRows < 10)
        {
            throw new ArgumentException($"{data.Name}: {eval.CalibrationRows} calibration records leave {fitRows} of the {trainRows}-record window to train on (at least 10 needed)");
        }
        var batchRows = BatchRows(fitRows);
        var schema = ModelSchema(stream, config);
        var registry = new ModelRegistry();
        float[]? separateTrainingScores = null;
        if (trainFile is not null)
        {
            CheckSameFeatures(trainFile, data);
            var (rows, count) = Decode(trainFile, config);
            var trained = new Trainer().Train(rows, count, schema, config.Model, training, progress, cancellationToken);
            registry.Publish(trained);
            separateTrainingScores = new float[count];
            registry.Current!.CreateScorer().Score(rows, count, separateTrainingScores, []);
        }
        var options = new PipelineOptions
        {
            ModelActors = 1,
            BatchMaxRows = batchRows,
            // Batches are sealed only when full (or at the end), so the warm-up window is exactly TrainRows records.
            BatchMaxWait = TimeSpan.FromHours(1),
            Thresholds = fitRows > 0 && config.Thresholds.WarmUp > fitRows ? config.Thresholds with { WarmUp = fitRows } : config.Thresholds,
            Retraining = new RetrainingOptions
            {
                WarmUpRows = Math.Max(fitRows, 10),
                EveryRows = eval.RetrainEveryRows,
                ReservoirCapacity = Math.Max(Math.Max(trainRows, 10), 20_000),
                RecentCapacity = 10_000,
                Model = config.Model,
                Training = training,
            },
        };
        var n = stream.Count;
        var scores = new float[n];
        var thresholds = new float[n];
        var flagged = new bool[n];
        Array.Fill(scores, float.NaN);
        Array.Fill(thresholds, float.PositiveInfinity);
        void Judged(RecordBatch batch)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                var at = (int)batch.Positions[i].Offset;
                scores[at] = batch.Scores[i];
                thresholds[at] = batch.Thresholds[i];
                flagged[at] = batch.Anomalous[i];
            }
        }
        var alerts = new InMemoryAlertSink();
        var deadLetters = new InMemoryDeadLetterSink();
        // The node's Akka.Hosting ActorSystem (local), the same one `run` builds; its logs stay off stdout's JSON lines.
        await using (var akka = await NodeAkka.StartLocalAsync(NullLoggerFactory.Instance, cancellationToken).ConfigureAwait(false))
        await using (var pipeline = new DetectorPipeline(options, Decoder(stream, config), schema, alerts, deadLetters, registry, batchJudged: Judged,
            system: akka.System))
        {
            await pipeline.RunAsync(new PayloadSource(stream.Payloads, batchRows), cancellationToken).ConfigureAwait(false);
        }
        var model = registry.Current ?? throw new InvalidOperationException($"{data.Name}: no model was trained (the stream ended before the warm-up window)");
        var calibration = fitRows < trainRows ? scores[fitRows..trainRows] : scores[..trainRows];
        var trainingScores = separateTrainingScores ?? calibration.Where(s => !float.IsNaN(s)).ToArray();
        var quantile = Quantile(trainingScores, eval.TrainingQuantile);
        var fixedThreshold = (float)(eval.ThresholdFactor * quantile);
        var test = trainRows..n;
        var verdicts = eval.Threshold == ThresholdMode.Training
            ? scores[test].Select(s => s > fixedThreshold).ToArray()
            : flagged[test];
        var alertCount = eval.Threshold == ThresholdMode.Training
            ? Onsets(verdicts)
            : alerts.Alerts.Count(a => OffsetOf(a) >= trainRows);
        var outcome = new StreamOutcome(data.Name, stream.Labels.Skip(trainRows).ToArray(), verdicts, scores[test],
            eval.Threshold == ThresholdMode.Training ? Enumerable.Repeat(fixedThreshold, n - trainRows).ToArray() : thresholds[test],
            quantile > 0 ? quantile : 1.0, stream.TimesMs?.Skip(trainRows).ToArray(), alertCount, trainRows, deadLetters.Count);
        var raised = alerts.Alerts.Where(a => OffsetOf(a) >= trainRows).ToArray();
        return new EvaluationRun(outcome, model, quantile, fixedThreshold, clock.Elapsed.TotalSeconds, raised);
    }

    /// <summary>The model's feature schema: the file's sensors, or their windows for a windowed kind.</summary>
    public static FeatureSchema ModelSchema(EvaluationData data, EvaluationConfig config) =>
        new(config.Model.IsWindowed ? WindowSchema.Names(data.Features, config.Model.WindowSteps) : data.Features);

    /// <summary>The production decoder for the file's schema, wrapped in the windowing transform for a windowed kind.</summary>
    public static IRecordDecoder Decoder(EvaluationData data, EvaluationConfig config)
    {
        var decoder = RecordDecoder.Create(data.Schema);
        return config.Model.IsWindowed ? new WindowingDecoder(decoder, config.Model.WindowSteps) : decoder;
    }

    /// <summary>
    /// Records of the initial training window; at least 10 and leaving at least one record to score. A window from
    /// TrainFraction above 1,024 records is rounded down to a multiple of 64, so batches stay large (see <see cref="BatchRows"/>).
    /// </summary>
    public static int InitialWindow(EvaluationOptions eval, int records)
    {
        var rows = eval.TrainRows > 0 ? eval.TrainRows : (int)(records * eval.TrainFraction);
        if (eval.TrainRows == 0 && rows > 1024)
        {
            rows -= rows % 64;
        }
        if (rows < 10 || rows >= records)
        {
            throw new ArgumentException($"a training window of {rows} records does not fit {records} records (it needs at least 10 and must leave some to score)");
        }
        return rows;
    }

    /// <summary>
    /// Rows per batch: a divisor of the training window (batches are sealed when full, so the warm-up then ends exactly
    /// at the window), the largest one up to 1,024, or 256 when the model is trained on a separate file.
    /// </summary>
    public static int BatchRows(int trainRows)
    {
        if (trainRows == 0)
        {
            return 256;
        }
        for (var d = Math.Min(1024, trainRows); d > 1; d--)
        {
            if (trainRows % d == 0)
            {
                return d;
            }
        }
        return 1;
    }

    /// <summary>Linear-interpolation quantile (numpy's and pandas' default); NaN for no values.</summary>
    public static double Quantile(ReadOnlySpan<float> values, double q)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }
        var sorted = values.ToArray();
        Array.Sort(sorted);
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>Flag onsets (a flagged record after an unflagged one): the alerts a fixed threshold raises, one per incident.</summary>
    public static int Onsets(ReadOnlySpan<bool> flagged)
    {
        var count = 0;
        for (var i = 0; i < flagged.Length; i++)
        {
            if (flagged[i] && (i == 0 || !flagged[i - 1]))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>The model learns the training file's features and scores the data's: they must be the same columns in the same order.</summary>
    private static void CheckSameFeatures(EvaluationData trainFile, EvaluationData data)
    {
        try
        {
            new FeatureSchema(data.Features).EnsureSame(new FeatureSchema(trainFile.Features));
        }
        catch (SchemaMismatchException e)
        {
            throw new ArgumentException($"training file {trainFile.Name} against {data.Name}: {e.Message}; "
                + "name the columns that are not features with --exclude (a training file may lack them)", e);
        }
    }

    /// <summary>Decodes every record of a file (windowed when the model is) into rows for the trainer.</summary>
    private static (float[] Rows, int Count) Decode(EvaluationData data, EvaluationConfig config)
    {
        var decoder = Decoder(data, config);
        var width = decoder.FeatureCount;
        var rows = new float[data.Count * width];
        var count = 0;
        for (var i = 0; i < data.Count; i++)
        {
            if (decoder.TryDecode(data.Payloads[i], new SourcePosition(0, i), rows.AsSpan(count * width, width), out _, out _))
            {
                count++;
            }
        }
        return (rows, count);
    }

    /// <summary>The source offset in an alert's record id ("partition:offset" when the schema names no id field).</summary>
    private static long OffsetOf(Alert alert)
    {
        var colon = alert.RecordId.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && long.TryParse(alert.RecordId.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture, out var offset) ? offset : -1;
    }
}
