using Detector.Models.Artifacts;
using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scaling;
using Detector.Models.Scoring;
using Detector.Models.Synthetic;
using Detector.Models.Training;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Detector.Tests.Artifacts;

/// <summary>The model file round-trips exactly and rejects damaged or foreign files with a named reason.</summary>
public sealed class ModelArtifactTests
{
    private static ModelSnapshot Model(ModelOptions options, int features = 12, ulong seed = 1)
    {
        var rng = new Rng(seed);
        var net = ReconstructionNetwork<float>.FromOptions(options, features, ref rng);
        var scaler = new FeatureScaler(ScalerKind.Robust, TestData.Floats(ref rng, features), Enumerable.Range(1, features).Select(i => i * 0.5f).ToArray());
        var meta = new TrainingMetadata(seed, 7, 5, 1000, 100, new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero), 1.5, 2,
            [0.9, 0.5, 0.3], [0.8, 0.45, 0.31]);
        return new ModelSnapshot("cards", 42, FeatureSchema.Numbered(features), scaler, net, meta);
    }

    private static float[] Scores(ModelSnapshot model, float[] data, int rows)
    {
        var scores = new float[rows];
        model.CreateScorer().Score(data, rows, scores, []);
        return scores;
    }

    [Fact]
    public void RoundTrip_AnyArchitecture_IdenticalWeightsScoresAndMetadata()
    {
        var arb = (from kind in Gen.Elements(ModelKind.Autoencoder, ModelKind.VariationalAutoencoder)
                   from hidden in Gen.Choose(1, 20).ArrayOf().Where(h => h.Length is >= 1 and <= 3)
                   from code in Gen.Choose(1, 6)
                   from act in Gen.Elements(Enum.GetValues<Activation>())
                   from features in Gen.Choose(1, 17)
                   from seed in Gen.Choose(0, 1000)
                   select (kind, hidden, code, act, features, seed)).ToArbitrary();
        Prop.ForAll(arb, c =>
        {
            var options = new ModelOptions { Kind = c.kind, HiddenSizes = c.hidden, CodeSize = c.code, HiddenActivation = c.act, Dropout = 0.1, SparsityWeight = 0.01 };
            var model = Model(options, c.features, (ulong)c.seed);
            var loaded = ModelArtifact.FromBytes(ModelArtifact.ToBytes(model));
            Assert.Equal(model.Options.HiddenSizes, loaded.Options.HiddenSizes);
            Assert.Equal(model.Options with { HiddenSizes = [] }, loaded.Options with { HiddenSizes = [] });
            Assert.Equal(model.Metadata.LossCurve, loaded.Metadata.LossCurve);
            Assert.Equal(model.Metadata with { LossCurve = [], ValidationCurve = [] }, loaded.Metadata with { LossCurve = [], ValidationCurve = [] });
            Assert.Equal(model.Scaler.Center, loaded.Scaler.Center);
            Assert.Equal((model.Name, model.Version, model.Schema), (loaded.Name, loaded.Version, loaded.Schema));
            var rng = new Rng((ulong)c.seed);
            var data = TestData.Floats(ref rng, 9 * c.features);
            Assert.Equal(Scores(model, data, 9), Scores(loaded, data, 9));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void SaveAndLoad_TrainedModel_ScoresIdentically()
    {
        var manifold = new ManifoldData(10, seed: 3);
        var (data, _) = manifold.Generate(2000, 0.02, seed: 4);
        var model = new Trainer().Train(data, 2000, FeatureSchema.Numbered(10), new ModelOptions(), new TrainingOptions { Epochs = 2 });
        var path = Path.Combine(Path.GetTempPath(), $"detector-{Guid.NewGuid():N}.model");
        try
        {
            ModelArtifact.Save(model, path);
            var loaded = ModelArtifact.Load(path, FeatureSchema.Numbered(10));
            Assert.Equal(Scores(model, data, 2000), Scores(loaded, data, 2000));
            Assert.Equal(model.Metadata.Epochs, loaded.Metadata.Epochs);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FromBytes_Truncated_SaysTruncated()
    {
        var bytes = ModelArtifact.ToBytes(Model(new ModelOptions()));
        foreach (var length in new[] { 12, 100, bytes.Length - 1 })
        {
            var e = Assert.Throws<ModelArtifactException>(() => ModelArtifact.FromBytes(bytes.AsSpan(0, length)));
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void FromBytes_AnyFlippedByte_Rejected()
    {
        var bytes = ModelArtifact.ToBytes(Model(new ModelOptions()));
        var rng = new Rng(5);
        for (var trial = 0; trial < 200; trial++)
        {
            var damaged = (byte[])bytes.Clone();
            var at = 8 + 2 + 8 + rng.NextInt(damaged.Length - 18);
            damaged[at] ^= (byte)(1 + rng.NextInt(255));
            var e = Assert.Throws<ModelArtifactException>(() => ModelArtifact.FromBytes(damaged));
            Assert.Contains("corrupted", e.Message);
        }
    }

    [Fact]
    public void FromBytes_WrongVersion_NamesBothVersions()
    {
        var bytes = ModelArtifact.ToBytes(Model(new ModelOptions()));
        bytes[8] = 9;
        var e = Assert.Throws<ModelArtifactException>(() => ModelArtifact.FromBytes(bytes));
        Assert.Contains("format version 9 is not supported", e.Message);
        Assert.Contains($"version {ModelArtifact.FormatVersion}", e.Message);
    }

    [Fact]
    public void FromBytes_NotAnArtifact_SaysSo()
    {
        var e = Assert.Throws<ModelArtifactException>(() => ModelArtifact.FromBytes("{\"hello\": 1}"u8));
        Assert.Contains("not a Detector model", e.Message);
    }

    [Fact]
    public void FromBytes_WrongSchema_NamesMissingAndUnexpectedFeatures()
    {
        var bytes = ModelArtifact.ToBytes(Model(new ModelOptions(), features: 3));
        var e = Assert.Throws<SchemaMismatchException>(() => ModelArtifact.FromBytes(bytes, new FeatureSchema(["f0", "f1", "amount"])));
        Assert.Contains("missing [amount]", e.Message);
        Assert.Contains("unexpected [f2]", e.Message);
    }

    [Fact]
    public void Load_MissingFile_NamesThePath()
    {
        var e = Assert.Throws<ModelArtifactException>(() => ModelArtifact.Load("/nonexistent/x.model"));
        Assert.Contains("/nonexistent/x.model", e.Message);
    }
}
