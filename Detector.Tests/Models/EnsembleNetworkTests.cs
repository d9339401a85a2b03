using System.Buffers.Binary;
using System.Security.Cryptography;
using Detector.Models.Artifacts;
using Detector.Models.Engines;
using Detector.Models.Evaluation;
using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scaling;
using Detector.Models.Scoring;
using Detector.Models.Synthetic;
using Detector.Models.Training;
using Detector.Models.Validation;
using Xunit;

namespace Detector.Tests.Models;

/// <summary>
/// Ensembles (<see cref="ModelOptions.Members"/>): scored as the mean of their members, trained to detect, stored in
/// format version 4 and read back bit for bit, attributing the error to the feature that caused it.
/// </summary>
public sealed class EnsembleNetworkTests
{
    private const int Features = 12;

    private static readonly ModelOptions Vae = ModelPresets.Tabular with { HiddenSizes = [10, 6], CodeSize = 3, Members = 3 };

    private static ModelSnapshot Snapshot(ModelOptions options, ulong seed = 4)
    {
        var rng = new Rng(seed);
        var net = ReconstructionNetwork<float>.FromOptions(options, Features, ref rng);
        var meta = new TrainingMetadata(4, 3, 2, 100, 10, DateTimeOffset.UnixEpoch, 0.5, 1, [0.5, 0.4, 0.45], [0.6, 0.5, 0.55]) { CalibrationScores = [0.1f, 0.2f] };
        return new ModelSnapshot("ensemble", 7, FeatureSchema.Numbered(Features), FeatureScaler.Identity(Features), net, meta);
    }

    public static TheoryData<ModelOptions> Kinds => new()
    {
        Vae,
        new ModelOptions { Kind = ModelKind.Autoencoder, HiddenSizes = [9], CodeSize = 4, Members = 2 },
        Vae with { Score = VaeScore.Reconstruction, Members = 4 },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Score_AnyKind_MeanOfTheMembersScoresAndErrors(ModelOptions options)
    {
        const int rows = 7;
        var rng = new Rng(8);
        var net = (EnsembleNetwork<float>)ReconstructionNetwork<float>.FromOptions(options, Features, ref rng);
        var x = TestData.Floats(ref rng, rows * Features);
        var (scores, errors) = (new float[rows], new float[rows * Features]);
        var scoreRng = new Rng(1);
        net.Score(CpuKernels.Instance, x, rows, net.CreateWorkspace(rows, false), ref scoreRng, scores, errors);

        var (meanScores, meanErrors) = (new double[rows], new double[rows * Features]);
        foreach (var member in net.Members)
        {
            Assert.Equal(options with { Members = 1 }, member.Options);
            var (s, e) = (new float[rows], new float[rows * Features]);
            member.Score(CpuKernels.Instance, x, rows, member.CreateWorkspace(rows, false), ref scoreRng, s, e);
            for (var i = 0; i < rows; i++)
            {
                meanScores[i] += s[i] / (double)net.Members.Count;
            }
            for (var i = 0; i < e.Length; i++)
            {
                meanErrors[i] += e[i] / (double)net.Members.Count;
            }
        }
        TestData.Close(meanScores, scores, 1e-5, 1e-7, "ensemble scores");
        TestData.Close(meanErrors, errors, 1e-5, 1e-7, "ensemble errors");
        // The members start from different weights: an ensemble of copies would average nothing.
        Assert.NotEqual(net.Members[0].Parameters[0], net.Members[1].Parameters[0]);
    }

    [Fact]
    public void Train_EnsembleOnManifold_OffManifoldRowsRankHighAndTheCausingFeatureIsBlamed()
    {
        const int features = 16;
        var manifold = new ManifoldData(features, latent: 3, noise: 0.05, seed: 1);
        var (data, _) = manifold.Generate(8_000, 0, seed: 2);
        var schema = FeatureSchema.Numbered(features);
        var options = new ModelOptions { Kind = ModelKind.VariationalAutoencoder, Score = VaeScore.NegativeElbo, Beta = 0.01, ElboSamples = 4, Members = 3 };
        var model = new Trainer().Train(data, 8_000, schema, options, new TrainingOptions { Epochs = 25, Threads = 2 });
        Assert.Equal(3, ((EnsembleNetwork<float>)model.Network).Members.Count);
        Assert.NotEmpty(model.Metadata.CalibrationScores);

        var (test, labels) = manifold.Generate(2_000, 0.05, seed: 3);
        double Auc(ModelSnapshot m)
        {
            var scores = new float[labels.Length];
            m.CreateScorer().Score(test, labels.Length, scores, []);
            return DetectionMetrics.AucRoc(scores, labels);
        }
        var auc = Auc(model);
        var members = ((EnsembleNetwork<float>)model.Network).Members
            .Select(n => Auc(new ModelSnapshot("member", 1, schema, model.Scaler, n, model.Metadata))).ToArray();
        Assert.True(auc >= 0.85, $"ensemble AUC-ROC {auc:f3} < 0.85");
        Assert.True(auc >= members.Average() - 0.005, $"ensemble AUC-ROC {auc:f3} is below its members' mean {members.Average():f3}");

        // A normal row pushed far out in one feature: that feature carries the largest share of the error.
        var row = data.AsSpan(0, features).ToArray();
        row[5] += 8 * model.Scaler.Scale[5];
        var contributions = new float[features];
        model.CreateScorer().Score(row, 1, new float[1], contributions);
        Assert.Equal(5, Array.IndexOf(contributions, contributions.Max()));
        Assert.Equal(1.0, contributions.Sum(), 4);
    }

    [Fact]
    public void RoundTrip_Ensemble_Version4WithMembersWeightsCalibrationAndScoresIntact()
    {
        var model = Snapshot(Vae);
        var bytes = ModelArtifact.ToBytes(model);
        Assert.Equal(ModelArtifact.EnsembleFormatVersion, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        var loaded = ModelArtifact.FromBytes(bytes);
        Assert.Equal((Vae.Kind, Vae.Members, Vae.CodeSize, Vae.Score, Vae.ElboSamples, Vae.Beta, Vae.HiddenActivation),
            (loaded.Options.Kind, loaded.Options.Members, loaded.Options.CodeSize, loaded.Options.Score, loaded.Options.ElboSamples, loaded.Options.Beta, loaded.Options.HiddenActivation));
        Assert.Equal(Vae.HiddenSizes, loaded.Options.HiddenSizes);
        Assert.Equal(3, ((EnsembleNetwork<float>)loaded.Network).Members.Count);
        Assert.Equal(model.Network.Parameters.Count, loaded.Network.Parameters.Count);
        for (var i = 0; i < model.Network.Parameters.Count; i++)
        {
            Assert.Equal(model.Network.Parameters[i], loaded.Network.Parameters[i]);
        }
        Assert.Equal(model.Metadata.CalibrationScores, loaded.Metadata.CalibrationScores);
        var rng = new Rng(9);
        var x = TestData.Floats(ref rng, 5 * Features);
        var (a, b) = (new float[5], new float[5]);
        model.CreateScorer().Score(x, 5, a, []);
        loaded.CreateScorer().Score(x, 5, b, []);
        Assert.Equal(a, b);
    }

    [Fact]
    public void ToBytes_SingleModel_KeepsItsOlderVersion()
    {
        var bytes = ModelArtifact.ToBytes(Snapshot(Vae with { Members = 1 }));
        Assert.Equal(ModelArtifact.DenseFormatVersion, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(ModelOptions.MaxMembers + 1)]
    public void FromBytes_EnsembleWithBadMemberCount_RejectedAsCorrupted(int members)
    {
        var bytes = ModelArtifact.ToBytes(Snapshot(Vae));
        // The member count is the i32 right after the window shape; find it by the known architecture bytes.
        var at = MemberCountOffset(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), members);
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        var e = Assert.Throws<ModelArtifactException>(() => ModelArtifact.FromBytes(bytes));
        Assert.Contains("corrupted", e.Message);
    }

    [Fact]
    public void Validate_EnsembleOfAWindowedKindOrOnTorchOrTooLarge_NamesTheKey()
    {
        var windowed = new ModelOptions { Kind = ModelKind.ConvolutionalAutoencoder, WindowSteps = 12, Members = 2 };
        Assert.Equal("Members", Assert.Throws<InvalidOptionException>(windowed.Validate).Key);
        Assert.Equal("Members", Assert.Throws<InvalidOptionException>((Vae with { Members = ModelOptions.MaxMembers + 1 }).Validate).Key);
        Assert.Equal("Members", Assert.Throws<InvalidOptionException>((Vae with { Members = 0 }).Validate).Key);
        Assert.Equal("Engine", Assert.Throws<InvalidOptionException>((Vae with { Engine = ModelEngine.Torch }).Validate).Key);
    }

    /// <summary>Offset of the member count: the writer's layout up to it, for a snapshot made by <see cref="Snapshot"/>.</summary>
    private static int MemberCountOffset(byte[] bytes)
    {
        // Rewrite the same model as a single network (version 1): the payloads agree up to the end of the version-1
        // architecture, then the ensemble adds 12 bytes of window shape before the member count.
        var single = ModelArtifact.ToBytes(Snapshot(Vae with { Members = 1 }));
        var architectureEnd = 18 + FirstDifference(bytes.AsSpan(18), single.AsSpan(18));
        return architectureEnd + 12;
    }

    private static int FirstDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }
        return i;
    }
}
