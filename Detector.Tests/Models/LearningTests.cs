using Detector.Models.Evaluation;
using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Scaling;
using Detector.Models.Scoring;
using Detector.Models.Synthetic;
using Detector.Models.Training;
using Xunit;

namespace Detector.Tests.Models;

/// <summary>The models learn real structure: low validation error on a manifold, and off-manifold rows score higher.</summary>
public sealed class LearningTests
{
    private const int Features = 30;
    private static readonly ManifoldData Manifold = new(Features, latent: 4, noise: 0.05, seed: 1);
    private static readonly FeatureSchema Schema = FeatureSchema.Numbered(Features);

    private static ModelSnapshot Train(ModelOptions model, TrainingOptions? options = null, int rows = 12_000)
    {
        var (data, _) = Manifold.Generate(rows, 0, seed: 2);
        return new Trainer().Train(data, rows, Schema, model, options ?? new TrainingOptions { Epochs = 30, Threads = 2 });
    }

    private static (double Auc, double Ap) Detect(ModelSnapshot model)
    {
        var (data, labels) = Manifold.Generate(4_000, 0.05, seed: 3);
        var scores = new float[labels.Length];
        model.CreateScorer().Score(data, labels.Length, scores, []);
        return (DetectionMetrics.AucRoc(scores, labels), DetectionMetrics.AveragePrecision(scores, labels));
    }

    [Theory]
    [InlineData(ModelKind.Autoencoder, VaeScore.Reconstruction)]
    [InlineData(ModelKind.VariationalAutoencoder, VaeScore.Reconstruction)]
    [InlineData(ModelKind.VariationalAutoencoder, VaeScore.NegativeElbo)]
    public void Train_OnManifold_ValidationFarBelowVarianceAndAnomaliesRankHigh(ModelKind kind, VaeScore score)
    {
        // Standard scaling makes every feature's variance 1, so a trivial model's MSE is about 1.
        var model = Train(new ModelOptions { Kind = kind, Score = score, Beta = 0.01, ElboSamples = 16 });
        if (score == VaeScore.Reconstruction)
        {
            // Fresh normal rows: the mean score is the reconstruction MSE in scaled units.
            var (normal, _) = Manifold.Generate(2_000, 0, seed: 5);
            var scores = new float[2_000];
            model.CreateScorer().Score(normal, 2_000, scores, []);
            var mse = scores.Average();
            Assert.True(mse < 0.1, $"{kind}: held-out MSE {mse:g3} is not far below the data variance (1); epochs {model.Metadata.Epochs}");
        }
        var (auc, ap) = Detect(model);
        Assert.True(auc >= 0.95, $"{kind}/{score}: AUC-ROC {auc:f3} < 0.95");
        Assert.True(ap >= 0.5, $"{kind}/{score}: average precision {ap:f3} < 0.5");
    }

    [Theory]
    [InlineData(NoiseKind.Gaussian, 0.1, 0.0, OptimizerKind.Adam, 0.0)]
    [InlineData(NoiseKind.Masking, 0.1, 0.0, OptimizerKind.AdamW, 0.0)]
    [InlineData(NoiseKind.None, 0.0, 1e-3, OptimizerKind.AdamW, 0.0)]
    [InlineData(NoiseKind.None, 0.0, 0.0, OptimizerKind.Adam, 0.1)]
    public void Train_VariantsDenoisingSparseDropout_StillDetect(NoiseKind noise, double level, double sparsity, OptimizerKind optimizer, double dropout)
    {
        var options = new TrainingOptions
        {
            Epochs = 25, Threads = 1, Noise = noise, NoiseLevel = noise == NoiseKind.None ? 0.1 : level, Optimizer = optimizer,
            WeightDecay = optimizer == OptimizerKind.AdamW ? 1e-4 : 0, Scaler = ScalerKind.Robust,
        };
        var model = Train(new ModelOptions { SparsityWeight = sparsity, Dropout = dropout, HiddenActivation = Activation.LeakyRelu }, options, rows: 8_000);
        var (auc, _) = Detect(model);
        Assert.True(auc >= 0.9, $"noise {noise}, sparsity {sparsity}, dropout {dropout}: AUC-ROC {auc:f3} < 0.9");
    }

    [Fact]
    public void Train_SameSeedAndThreads_BitForBitIdentical()
    {
        var options = new TrainingOptions { Epochs = 3, Threads = 2, Seed = 9, Noise = NoiseKind.Gaussian };
        var vae = new ModelOptions { Kind = ModelKind.VariationalAutoencoder, Dropout = 0.1 };
        var a = Train(vae, options, rows: 3_000);
        var b = Train(vae, options, rows: 3_000);
        var c = Train(vae, options with { Seed = 10 }, rows: 3_000);
        for (var i = 0; i < a.Network.Parameters.Count; i++)
        {
            Assert.Equal(a.Network.Parameters[i], b.Network.Parameters[i]);
        }
        Assert.Equal(a.Metadata.LossCurve, b.Metadata.LossCurve);
        Assert.NotEqual(a.Network.Parameters[0], c.Network.Parameters[0]);
    }

    [Fact]
    public void Train_NoImprovement_StopsEarlyAndKeepsBestEpoch()
    {
        // A large learning rate makes validation loss bounce, so patience runs out well before 200 epochs.
        var options = new TrainingOptions { Epochs = 200, Patience = 3, LearningRate = 0.05, Threads = 1 };
        var model = Train(new ModelOptions(), options, rows: 2_000);
        var m = model.Metadata;
        Assert.True(m.Epochs < 200, "early stopping never triggered");
        Assert.Equal(m.BestEpoch + options.Patience, m.Epochs);
        Assert.Equal(m.ValidationCurve.Min(), m.ValidationCurve[m.BestEpoch - 1]);
    }

    [Fact]
    public void Train_InvalidOption_NamesTheKeyAndAllowedValues()
    {
        var e = Assert.Throws<Detector.Models.Validation.InvalidOptionException>(() => Train(new ModelOptions(), new TrainingOptions { LearningRate = -1 }, rows: 10));
        Assert.Contains("LearningRate", e.Message);
        Assert.Contains("allowed", e.Message);
        var d = Assert.Throws<Detector.Models.Validation.InvalidOptionException>(() => Train(new ModelOptions { Dropout = 1.5 }, rows: 10));
        Assert.Contains("Dropout", d.Message);
    }

    [Fact]
    public void Train_NonFiniteData_RejectedNamingRowAndFeature()
    {
        var (data, _) = Manifold.Generate(100, 0, seed: 4);
        data[17 * Features + 3] = float.NaN;
        var e = Assert.Throws<InvalidBatchException>(() => new Trainer().Train(data, 100, Schema, new ModelOptions(), new TrainingOptions { Epochs = 1 }));
        Assert.Equal(17, e.Row);
        Assert.Equal("f3", e.Feature);
    }
}
