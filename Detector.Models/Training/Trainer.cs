using System.Diagnostics;
using Detector.Models.Engines;
using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scaling;
using Detector.Models.Scoring;

namespace Detector.Models.Training;

/// <summary>
/// Trains a reconstruction model: seeded split and shuffling, scaler fitted on the training split, mini-batch Adam(W)
/// with gradient clipping, optional denoising noise, optional trimming of the rows it scores highest (contaminated
/// training data), early stopping on validation loss (best weights kept).
/// With Threads = T each step is split into T shards computed in parallel into their own gradient buffers and summed
/// in shard order, so a run is bit-for-bit reproducible for a fixed seed and thread count.
/// </summary>
public sealed class Trainer
{
    private readonly IKernels<float> _kernels;

    private readonly IModelEngine? _engine;

    /// <summary>
    /// Creates a trainer on the given kernels (the CPU backend by default). The engine computes the network's passes;
    /// without one, the model options' <see cref="ModelOptions.Engine"/> is resolved from <see cref="ModelEngines"/>.
    /// </summary>
    public Trainer(IKernels<float>? kernels = null, IModelEngine? engine = null)
    {
        _kernels = kernels ?? CpuKernels.Instance;
        _engine = engine;
    }

    /// <summary>Trains on data [rows, schema.Count] and returns an immutable snapshot of the best weights.</summary>
    public ModelSnapshot Train(float[] data, int rows, FeatureSchema schema, ModelOptions model, TrainingOptions options,
        IProgress<EpochReport>? progress = null, CancellationToken cancellationToken = default)
    {
        model.Validate();
        options.Validate();
        BatchValidator.Validate(data.AsSpan(0, rows * schema.Count), rows, schema);
        var clock = Stopwatch.StartNew();
        var cols = schema.Count;
        var rng = new Rng(options.Seed);

        var order = Enumerable.Range(0, rows).ToArray();
        rng.Shuffle(order);
        var validationRows = (int)(rows * options.ValidationFraction);
        var trainRows = rows - validationRows;
        if (trainRows < 1)
        {
            throw new ArgumentException($"no rows left to train on ({rows} rows, validation fraction {options.ValidationFraction})");
        }
        var train = Rows.Gather(data, cols, order.AsSpan(0, trainRows));
        var validation = Rows.Gather(data, cols, order.AsSpan(trainRows));
        var scaler = FeatureScaler.Fit(options.Scaler, train, trainRows, cols);
        scaler.Transform(_kernels, train, trainRows, train);
        scaler.Transform(_kernels, validation, validationRows, validation);
        if (model.Loss == ReconstructionLoss.BinaryCrossEntropy && train.Any(v => v is < 0 or > 1))
        {
            throw new ArgumentException($"BinaryCrossEntropy needs features in [0, 1] after scaling, but scaler {options.Scaler} leaves values outside it; use Scaler = MinMax");
        }

        var net = (_engine ?? ModelEngines.Resolve(model.Engine)).Adopt(ReconstructionNetwork<float>.FromOptions(model, cols, ref rng));
        var trainOrder = Enumerable.Range(0, trainRows).ToArray();
        var run = new TrainingRun(_kernels, net, options, cols);
        var lossCurve = new List<double>();
        var validationCurve = new List<double>();
        var best = double.PositiveInfinity;
        var bestEpoch = 0;
        var bestWeights = net.Parameters.Select(p => (float[])p.Clone()).ToArray();
        var stale = 0;
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (options.TrimFraction > 0 && epoch > options.TrimAfterEpochs && (epoch - options.TrimAfterEpochs - 1) % options.TrimEveryEpochs == 0)
            {
                trainOrder = run.Untrimmed(train, trainRows, options.TrimFraction, options.Seed ^ 0x7e1a);
            }
            rng.Shuffle(trainOrder);
            var loss = run.Epoch(train, trainOrder, ref rng);
            lossCurve.Add(loss);
            // Trimmed, the untrimmed validation loss would rise as the model stops fitting the anomalies among the
            // validation rows too, and early stopping would go back to the weights from before trimming began.
            var validationLoss = validationRows == 0 ? double.NaN
                : options.TrimFraction > 0 ? run.TrimmedMeanScore(validation, validationRows, options.TrimFraction, options.Seed ^ 0x5eed)
                : run.Evaluate(validation, validationRows, options.Seed ^ 0x5eed);
            if (validationRows > 0)
            {
                validationCurve.Add(validationLoss);
            }
            progress?.Report(new EpochReport(epoch, options.Epochs, loss, validationLoss, clock.Elapsed));
            var monitored = validationRows > 0 ? validationLoss : loss;
            if (!double.IsFinite(monitored))
            {
                throw new ArithmeticException($"training diverged at epoch {epoch} (loss {monitored}); lower LearningRate or enable GradientClipNorm");
            }
            if (monitored < best * (1 - options.MinRelativeImprovement) || bestEpoch == 0)
            {
                best = monitored;
                bestEpoch = epoch;
                stale = 0;
                for (var i = 0; i < bestWeights.Length; i++)
                {
                    net.Parameters[i].CopyTo(bestWeights[i], 0);
                }
            }
            else if (options.Patience > 0 && validationRows > 0 && ++stale >= options.Patience)
            {
                break;
            }
        }
        for (var i = 0; i < bestWeights.Length; i++)
        {
            bestWeights[i].CopyTo(net.Parameters[i], 0);
        }
        var metadata = new TrainingMetadata(options.Seed, lossCurve.Count, bestEpoch, trainRows, validationRows,
            DateTimeOffset.UtcNow, clock.Elapsed.TotalSeconds, options.Threads, lossCurve, validationCurve);
        var trained = new ModelSnapshot("default", 1, schema, scaler, net, metadata);
        return validationRows == 0 ? trained : trained.WithMetadata(metadata with
        {
            // The validation rows were not fitted to (only used to pick the epoch), so their scores stand for unseen
            // normal data: in-sample scores understate the error 2-3x (docs/quality.md).
            CalibrationScores = CalibrationScores(trained, Rows.Gather(data, cols, order.AsSpan(trainRows)), validationRows),
        });
    }

    /// <summary>The model's scores of raw rows [count, features], sorted ascending.</summary>
    private float[] CalibrationScores(ModelSnapshot model, float[] rows, int count)
    {
        var scores = new float[count];
        model.CreateScorer(_kernels).Score(rows, count, scores, []);
        Array.Sort(scores);
        return scores;
    }
}
