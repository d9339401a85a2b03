using Detector.Models.Artifacts;
using Detector.Models.Engines;
using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scoring;
using Detector.Models.Synthetic;
using Detector.Models.Torch;
using Detector.Models.Training;
using Xunit;

namespace Detector.Tests.Torch;

/// <summary>
/// The Torch engine computes the native AE and VAE: the same gradients, the same training, the same scores and
/// attribution, on one artifact format (a model trained by either engine scores on the other).
/// </summary>
public sealed class TorchEngineTests
{
    private const int Features = 12;

    private static readonly ModelOptions Small = new() { HiddenSizes = [16, 8], CodeSize = 4 };

    public static TheoryData<string> Architectures => ["ae", "ae-sparse-dropout-leaky", "ae-bce", "vae", "vae-elbo", "vae-dropout-tanh"];

    private static ModelOptions OptionsFor(string name) => name switch
    {
        "ae" => Small,
        "ae-sparse-dropout-leaky" => Small with { SparsityWeight = 0.01, Dropout = 0.2, HiddenActivation = Activation.LeakyRelu, CodeActivation = Activation.Tanh },
        "ae-bce" => Small with { Loss = ReconstructionLoss.BinaryCrossEntropy, HiddenActivation = Activation.Sigmoid },
        "vae" => Small with { Kind = ModelKind.VariationalAutoencoder },
        "vae-elbo" => Small with { Kind = ModelKind.VariationalAutoencoder, Score = VaeScore.NegativeElbo, ElboSamples = 3 },
        "vae-dropout-tanh" => Small with { Kind = ModelKind.VariationalAutoencoder, Dropout = 0.1, HiddenActivation = Activation.Tanh, Beta = 0.5 },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static float[] Data(int rows, ulong seed, bool unit = false)
    {
        var (data, _) = new ManifoldData(Features, seed: seed).Generate(rows, 0, seed);
        if (unit)
        {
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = 1f / (1f + MathF.Exp(-data[i]));
            }
        }
        return data;
    }

    [TorchTheory]
    [MemberData(nameof(Architectures))]
    public void Loss_SameWeightsAndGenerator_MatchesNativeLossAndGradients(string architecture)
    {
        var engine = TorchEngine.Register();
        var options = OptionsFor(architecture);
        var rng = new Rng(7);
        var native = ReconstructionNetwork<float>.FromOptions(options, Features, ref rng);
        var torch = engine.Adopt(native);
        const int rows = 32;
        var x = Data(rows, 3, unit: options.Loss == ReconstructionLoss.BinaryCrossEntropy);
        var (gn, gt) = (native.CreateGradients(), torch.CreateGradients());
        var (r1, r2) = (new Rng(99), new Rng(99));
        var ln = native.Loss(CpuKernels.Instance, x, x, rows, native.CreateWorkspace(rows, true), ref r1, true, gn);
        var lt = torch.Loss(CpuKernels.Instance, x, x, rows, torch.CreateWorkspace(rows, true), ref r2, true, gt);
        Assert.Equal(ln, lt, 1e-5 * Math.Max(1, Math.Abs(ln)));
        Assert.Equal(r1.NextUInt64(), r2.NextUInt64()); // dropout masks and ε drawn in the same order
        for (var i = 0; i < gn.Length; i++)
        {
            var scale = gn[i].Max(MathF.Abs) + 1e-6f;
            for (var j = 0; j < gn[i].Length; j++)
            {
                Assert.True(MathF.Abs(gn[i][j] - gt[i][j]) <= 1e-4f * scale, $"{architecture}: gradient {i}[{j}] native {gn[i][j]} torch {gt[i][j]}");
            }
        }
    }

    [TorchTheory]
    [MemberData(nameof(Architectures))]
    public void Score_ModelTrainedEitherWay_MatchesOnBothEngines(string architecture)
    {
        var engine = TorchEngine.Register();
        var options = OptionsFor(architecture);
        var unit = options.Loss == ReconstructionLoss.BinaryCrossEntropy;
        var training = new TrainingOptions { Epochs = 3, Seed = 5, Scaler = unit ? Detector.Models.Scaling.ScalerKind.MinMax : Detector.Models.Scaling.ScalerKind.Standard };
        var data = Data(600, 1, unit);
        var schema = FeatureSchema.Numbered(Features);
        foreach (var trainer in new[] { new Trainer(engine: NativeEngine.Instance), new Trainer(engine: engine) })
        {
            var trained = trainer.Train(data, 600, schema, options, training);
            // Through the artifact: the bytes are the same format whichever engine trained the model.
            var loaded = ModelArtifact.FromBytes(ModelArtifact.ToBytes(trained));
            AssertSameScores(loaded.OnEngine(NativeEngine.Instance), loaded.OnEngine(engine), Data(300, 9, unit), 300, architecture);
        }
    }

    [TorchFact]
    public void Train_TorchEngine_FollowsTheNativeLossCurve()
    {
        var engine = TorchEngine.Register();
        var data = Data(800, 2);
        var training = new TrainingOptions { Epochs = 4, Seed = 11 };
        var native = new Trainer(engine: NativeEngine.Instance).Train(data, 800, FeatureSchema.Numbered(Features), Small, training);
        var torch = new Trainer(engine: engine).Train(data, 800, FeatureSchema.Numbered(Features), Small, training);
        Assert.IsType<TorchNetwork>(torch.Network);
        Assert.Equal(native.Metadata.LossCurve.Count, torch.Metadata.LossCurve.Count);
        for (var e = 0; e < native.Metadata.LossCurve.Count; e++)
        {
            Assert.Equal(native.Metadata.LossCurve[e], torch.Metadata.LossCurve[e], 1e-3 * native.Metadata.LossCurve[e]);
        }
    }

    [TorchFact]
    public void Score_OverflowingRow_IsRejectedNamingTheRow()
    {
        var engine = TorchEngine.Register();
        var model = new Trainer(engine: engine).Train(Data(300, 4), 300, FeatureSchema.Numbered(Features), Small, new TrainingOptions { Epochs = 1 });
        var batch = Data(4, 5);
        batch[2 * Features + 3] = 1e30f;
        var e = Assert.Throws<InvalidBatchException>(() => model.CreateScorer().Score(batch, 4, new float[4], []));
        Assert.Equal(2, e.Row);
    }

    [TorchFact]
    public void Adopt_WindowedKind_IsRefusedNamingTheEngines()
    {
        var engine = TorchEngine.Register();
        var rng = new Rng(1);
        var conv = ReconstructionNetwork<float>.FromOptions(new ModelOptions { Kind = ModelKind.ConvolutionalAutoencoder, WindowSteps = 8, HiddenSizes = [4] }, 16, ref rng);
        var e = Assert.Throws<NotSupportedException>(() => engine.Adopt(conv));
        Assert.Contains("Engine = Native", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Scores within 1e-5 relative; each row's features in the same order of blame.</summary>
    internal static void AssertSameScores(ModelSnapshot expected, ModelSnapshot actual, float[] rows, int count, string what)
    {
        var d = expected.Schema.Count;
        var (se, sa) = (new float[count], new float[count]);
        var (ce, ca) = (new float[count * d], new float[count * d]);
        expected.CreateScorer(maxBatch: 64).Score(rows, count, se, ce);
        actual.CreateScorer(maxBatch: 64).Score(rows, count, sa, ca);
        for (var i = 0; i < count; i++)
        {
            Assert.True(Math.Abs(se[i] - sa[i]) <= 1e-5 * Math.Abs(se[i]) + 1e-7, $"{what}: row {i} scored {se[i]} and {sa[i]}");
            var order = Enumerable.Range(0, d).OrderByDescending(j => ce[i * d + j]).ToArray();
            for (var k = 1; k < d; k++)
            {
                // Same ranking; a pair whose shares tie within float rounding may come in either order.
                var (hi, lo) = (order[k - 1], order[k]);
                Assert.True(ca[i * d + hi] >= ca[i * d + lo] - 1e-5f * (ca[i * d + hi] + 1e-6f) || ce[i * d + hi] - ce[i * d + lo] <= 1e-5f * ce[i * d + hi],
                    $"{what}: row {i} ranks feature {hi} above {lo} natively ({ce[i * d + hi]} > {ce[i * d + lo]}) but not on Torch ({ca[i * d + hi]} < {ca[i * d + lo]})");
            }
        }
    }
}
