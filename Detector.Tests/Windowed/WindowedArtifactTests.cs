using System.Buffers.Binary;
using System.Security.Cryptography;
using Detector.Models.Artifacts;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scaling;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Xunit;

namespace Detector.Tests.Windowed;

/// <summary>Windowed models travel in format version 2; dense models stay in version 1, readable by older builds.</summary>
public sealed class WindowedArtifactTests
{
    private static ModelSnapshot Model(ModelOptions options, int features)
    {
        var rng = new Rng(4);
        var net = ReconstructionNetwork<float>.FromOptions(options, features, ref rng);
        var meta = new TrainingMetadata(4, 3, 2, 100, 10, DateTimeOffset.UnixEpoch, 0.5, 1, [0.5, 0.4, 0.45], [0.6, 0.5, 0.55]);
        return new ModelSnapshot("telemetry", 7, FeatureSchema.Numbered(features), FeatureScaler.Identity(features), net, meta);
    }

    public static TheoryData<ModelOptions> Windowed => new()
    {
        new ModelOptions { Kind = ModelKind.ConvolutionalAutoencoder, WindowSteps = 12, HiddenSizes = [6, 4], KernelSize = 5, Stride = 3 },
        new ModelOptions { Kind = ModelKind.LstmAutoencoder, WindowSteps = 9, CodeSize = 5, HiddenSizes = [7] },
    };

    [Theory]
    [MemberData(nameof(Windowed))]
    public void RoundTrip_WindowedModel_Version2WithShapeWeightsAndScoresIntact(ModelOptions options)
    {
        var features = options.WindowSteps * 3;
        var model = Model(options, features);
        var bytes = ModelArtifact.ToBytes(model);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        var loaded = ModelArtifact.FromBytes(bytes);
        Assert.Equal((options.Kind, options.WindowSteps, options.KernelSize, options.Stride, options.CodeSize),
            (loaded.Options.Kind, loaded.Options.WindowSteps, loaded.Options.KernelSize, loaded.Options.Stride, loaded.Options.CodeSize));
        for (var i = 0; i < model.Network.Parameters.Count; i++)
        {
            Assert.Equal(model.Network.Parameters[i], loaded.Network.Parameters[i]);
        }
        var rng = new Rng(9);
        var x = TestData.Floats(ref rng, 5 * features);
        var (a, b) = (new float[5], new float[5]);
        model.CreateScorer().Score(x, 5, a, []);
        loaded.CreateScorer().Score(x, 5, b, []);
        Assert.Equal(a, b);
    }

    [Fact]
    public void ToBytes_DenseModel_StillVersion1()
    {
        var bytes = ModelArtifact.ToBytes(Model(new ModelOptions(), 6));
        Assert.Equal(ModelArtifact.DenseFormatVersion, BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(ModelKind.Autoencoder, ModelArtifact.FromBytes(bytes).Options.Kind);
    }

    [Fact]
    public void FromBytes_WindowedModelLabelledVersion1_RejectedAsCorrupted()
    {
        var bytes = ModelArtifact.ToBytes(Model(new ModelOptions { Kind = ModelKind.LstmAutoencoder, WindowSteps = 12, CodeSize = 3 }, 36));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 1);
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        var e = Assert.Throws<ModelArtifactException>(() => ModelArtifact.FromBytes(bytes));
        Assert.Contains("corrupted", e.Message);
    }
}
