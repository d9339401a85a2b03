using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scoring;
using Xunit;

namespace Detector.Tests.Scoring;

/// <summary>
/// A record's score must not depend on the batch it arrived in. Models whose dense layers all take the managed kernel
/// (every preset) score bit for bit the same at every batch size and position; a model with a layer too large for it
/// goes through OpenBLAS, whose blocking depends on the row count, and stays within <see cref="LargeLayerBound"/>.
/// </summary>
public sealed class BatchInvarianceTests
{
    /// <summary>The bound the README states for models with layers over <see cref="CpuKernels.ManagedWeightLimit"/> weights.</summary>
    public const double LargeLayerBound = 1e-6;

    private const int Rows = 4096;

    private static readonly int[] Batches = [2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 64, 100, 128, 255, 256, 257, 512, 1000, 1024, 4096];

    public static TheoryData<ModelKind, VaeScore, Activation> SmallModels() => new()
    {
        { ModelKind.Autoencoder, VaeScore.Reconstruction, Activation.Relu },
        { ModelKind.Autoencoder, VaeScore.Reconstruction, Activation.Tanh },
        { ModelKind.Autoencoder, VaeScore.Reconstruction, Activation.LeakyRelu },
        { ModelKind.VariationalAutoencoder, VaeScore.Reconstruction, Activation.Relu },
        { ModelKind.VariationalAutoencoder, VaeScore.NegativeElbo, Activation.Sigmoid },
    };

    [Theory]
    [MemberData(nameof(SmallModels))]
    public void Score_SmallLayers_BitIdenticalAtEveryBatchSize(ModelKind kind, VaeScore score, Activation activation)
    {
        const int features = 30;
        var model = Model(new ModelOptions { Kind = kind, Score = score, HiddenActivation = activation }, features);
        var data = Data(Rows, features);
        var one = Scores(model, data, features, maxBatch: 1);
        foreach (var batch in Batches)
        {
            var scores = Scores(model, data, features, batch);
            var row = FirstDifference(one, scores);
            Assert.True(row < 0, $"batch {batch}: row {row} scored {scores[Math.Max(row, 0)]:R} against {one[Math.Max(row, 0)]:R} alone");
        }
    }

    [Theory]
    [MemberData(nameof(SmallModels))]
    public void Score_RowsInAnotherOrder_EachRowKeepsItsScore(ModelKind kind, VaeScore score, Activation activation)
    {
        const int features = 30;
        var model = Model(new ModelOptions { Kind = kind, Score = score, HiddenActivation = activation }, features);
        var data = Data(1000, features);
        var scores = Scores(model, data, features, maxBatch: 256);
        var order = Enumerable.Range(0, 1000).ToArray();
        var rng = new Rng(17);
        rng.Shuffle(order);
        var shuffled = new float[data.Length];
        for (var i = 0; i < order.Length; i++)
        {
            data.AsSpan(order[i] * features, features).CopyTo(shuffled.AsSpan(i * features, features));
        }
        var again = Scores(model, shuffled, features, maxBatch: 256);
        for (var i = 0; i < order.Length; i++)
        {
            Assert.True(scores[order[i]] == again[i], $"row {order[i]} scored {scores[order[i]]:R} in place and {again[i]:R} at position {i}");
        }
    }

    [Fact]
    public void Score_LayerLargerThanTheManagedLimit_WithinTheStatedBoundAtEveryBatchSize()
    {
        const int features = 96; // 96 × 256 weights in the first layer: over CpuKernels.ManagedWeightLimit, so OpenBLAS
        Assert.True(features * 256 > CpuKernels.ManagedWeightLimit);
        var model = Model(new ModelOptions { HiddenSizes = [256, 64] }, features);
        var data = Data(Rows, features);
        var one = Scores(model, data, features, maxBatch: 1);
        foreach (var batch in Batches)
        {
            var scores = Scores(model, data, features, batch);
            for (var i = 0; i < Rows; i++)
            {
                var relative = Math.Abs(scores[i] - one[i]) / Math.Abs(one[i]);
                Assert.True(relative <= LargeLayerBound, $"batch {batch}: row {i} scored {scores[i]:R} against {one[i]:R} alone (relative {relative:G3})");
            }
        }
    }

    private static ModelSnapshot Model(ModelOptions options, int features) => TestData.Snapshot(options, FeatureSchema.Numbered(features));

    private static float[] Data(int rows, int features)
    {
        var rng = new Rng(1);
        return TestData.Floats(ref rng, rows * features);
    }

    private static float[] Scores(ModelSnapshot model, float[] data, int features, int maxBatch)
    {
        var rows = data.Length / features;
        var scores = new float[rows];
        model.CreateScorer(maxBatch: maxBatch).Score(data, rows, scores, []);
        return scores;
    }

    private static int FirstDifference(float[] expected, float[] actual)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                return i;
            }
        }
        return -1;
    }
}
