using Detector.Models.Artifacts;
using Detector.Models.Engines;
using Detector.Models.Networks;
using Detector.Models.Scaling;
using Detector.Models.Scoring;
using Detector.Models.Torch;
using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Decoding;
using Detector.Streams.Pipeline;
using Detector.Streams.Records;
using Detector.Streams.Sources;
using Detector.Streams.Training;
using Xunit;

namespace Detector.Tests.Torch;

/// <summary>
/// `detector import`'s engine: PyTorch files written at test time by Debian's python3-torch become Detector models whose
/// scores match PyTorch's (≤ 1e-5 relative); what does not fit is refused naming what differs.
/// </summary>
public sealed class PyTorchImportTests
{
    private static readonly FeatureSchema Schema = FeatureSchema.Numbered(6);

    private static FeatureScaler Scaler() => PyTorchImport.ScalerFromJson(File.ReadAllText(PyTorchFiles.PathOf("scaler.json")));

    private static void AssertMatchesPyTorch(ModelSnapshot model, string what)
    {
        var (rows, count, expected) = PyTorchFiles.Expected();
        var scores = new float[count];
        var shares = new float[count * Schema.Count];
        model.CreateScorer(maxBatch: 16).Score(rows, count, scores, shares);
        for (var i = 0; i < count; i++)
        {
            Assert.True(Math.Abs(scores[i] - expected[i]) <= 1e-5 * Math.Abs(expected[i]) + 1e-8, $"{what}: row {i} scored {scores[i]}, PyTorch {expected[i]}");
            Assert.Equal(1f, shares.AsSpan(i * Schema.Count, Schema.Count).ToArray().Sum(), 1e-4f);
        }
    }

    [PyTorchFact]
    public void FromTorchScript_TracedAndScripted_ScoreAsPyTorchDoes()
    {
        TorchEngine.Register();
        foreach (var file in new[] { "traced.pt", "scripted.pt" })
        {
            var model = PyTorchImport.FromTorchScript(PyTorchFiles.PathOf(file), Schema, Scaler(), "imported");
            AssertMatchesPyTorch(model, file);
            // The artifact carries the module: a node loading it serves the same scores.
            var loaded = ModelArtifact.FromBytes(ModelArtifact.ToBytes(model), Schema);
            Assert.Equal(ModelKind.TorchScript, loaded.Options.Kind);
            AssertMatchesPyTorch(loaded, $"{file} through the artifact");
        }
    }

    [PyTorchFact]
    public void FromStateDict_PlainMlpAutoencoder_ScoresAsPyTorchDoesOnBothEngines()
    {
        TorchEngine.Register();
        var model = PyTorchImport.FromStateDict(PyTorchFiles.PathOf("state_dict.pt"), Schema, Scaler(), "imported");
        Assert.Equal([8, 4], model.Options.HiddenSizes);
        Assert.Equal(3, model.Options.CodeSize);
        var loaded = ModelArtifact.FromBytes(ModelArtifact.ToBytes(model), Schema);
        AssertMatchesPyTorch(loaded.OnEngine(ModelEngine.Torch), "state_dict on Torch");
        AssertMatchesPyTorch(loaded.OnEngine(ModelEngine.Native), "state_dict on Native");
    }

    [PyTorchFact]
    public void FromTorchScript_OutputShapeDiffers_IsRefusedNamingTheShapes()
    {
        var e = Assert.Throws<InvalidDataException>(() => PyTorchImport.FromTorchScript(PyTorchFiles.PathOf("truncated.pt"), Schema, Scaler(), "bad"));
        Assert.Contains("[2, 6] to [2, 3]", e.Message, StringComparison.Ordinal);
    }

    [PyTorchFact]
    public void FromTorchScript_SchemaNarrowerThanModel_IsRefusedNamingTheWidth()
    {
        var schema = FeatureSchema.Numbered(5);
        var e = Assert.Throws<InvalidDataException>(() => PyTorchImport.FromTorchScript(PyTorchFiles.PathOf("scripted.pt"), schema, FeatureScaler.Identity(5), "bad"));
        Assert.Contains("rows of 5 features", e.Message, StringComparison.Ordinal);
    }

    [PyTorchFact]
    public void FromStateDict_UnexpectedKey_IsRefusedNamingIt()
    {
        var e = Assert.Throws<InvalidDataException>(() => PyTorchImport.FromStateDict(PyTorchFiles.PathOf("state_dict_extra_key.pt"), Schema, Scaler(), "bad"));
        Assert.Contains("head.weight", e.Message, StringComparison.Ordinal);
    }

    [PyTorchFact]
    public void FromStateDict_WrongShape_IsRefusedNamingKeyAndShapes()
    {
        var e = Assert.Throws<InvalidDataException>(() => PyTorchImport.FromStateDict(PyTorchFiles.PathOf("state_dict_bad_shape.pt"), Schema, Scaler(), "bad"));
        Assert.Contains("encoder.2.weight has shape [4, 7]; expected [out, 8]", e.Message, StringComparison.Ordinal);
    }

    [PyTorchFact]
    public void FromStateDict_SchemaMismatch_IsRefusedNamingBothWidths()
    {
        var e = Assert.Throws<InvalidDataException>(() => PyTorchImport.FromStateDict(PyTorchFiles.PathOf("state_dict.pt"), FeatureSchema.Numbered(5), FeatureScaler.Identity(5), "bad"));
        Assert.Contains("encoder.0.weight has shape [8, 6]; expected [out, 5]", e.Message, StringComparison.Ordinal);
        var s = Assert.Throws<SchemaMismatchException>(() => PyTorchImport.FromStateDict(PyTorchFiles.PathOf("state_dict.pt"), Schema, FeatureScaler.Identity(5), "bad"));
        Assert.Contains("scaler has 5 features but the schema has 6", s.Message, StringComparison.Ordinal);
    }

    [PyTorchFact]
    public void Score_ModuleYieldsNaNForARow_RejectsThatRowForTheDeadLetterSink()
    {
        TorchEngine.Register();
        var model = PyTorchImport.FromTorchScript(PyTorchFiles.PathOf("nan_below.pt"), Schema, Scaler(), "nan");
        var (rows, _, _) = PyTorchFiles.Expected();
        var batch = rows.AsSpan(0, 4 * 6).ToArray();
        batch[2 * 6] = -1e6f; // scaled: far below -1000, where the module's log yields NaN
        var e = Assert.Throws<InvalidBatchException>(() => model.CreateScorer().Score(batch, 4, new float[4], []));
        Assert.Equal(2, e.Row); // the model actor dead-letters row 2 and rescores the rest, as on the native engine
    }

    [PyTorchFact]
    public void OnEngine_ModuleOnNativeConfiguration_StaysOnTorch()
    {
        TorchEngine.Register();
        var model = PyTorchImport.FromTorchScript(PyTorchFiles.PathOf("scripted.pt"), Schema, Scaler(), "imported");
        Assert.Same(model, model.OnEngine(NativeEngine.Instance)); // a module has no native form: a Native node serves it on Torch
        Assert.Equal(ModelArtifact.ModuleFormatVersion, ModelArtifact.VersionFor(model.Options));
    }

    [PyTorchFact]
    public async Task RunAsync_ImportedModuleOnTorchEngine_ScoresAsPyTorchAndDeadLettersTheNaNRow()
    {
        TorchEngine.Register();
        var model = PyTorchImport.FromTorchScript(PyTorchFiles.PathOf("nan_below.pt"), Schema, Scaler(), "imported");
        var registry = new ModelRegistry();
        registry.Publish(model);
        var (rows, count, expected) = PyTorchFiles.Expected();
        rows[5 * 6] = -1e6f; // row 5: the module yields NaN for it
        var scores = new Dictionary<long, float>();
        void Judged(RecordBatch batch)
        {
            lock (scores)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    scores[batch.Positions[i].Offset] = batch.Scores[i];
                }
            }
        }
        var deadLetters = new InMemoryDeadLetterSink();
        var options = new PipelineOptions
        {
            ModelActors = 2,
            Retraining = new RetrainingOptions { EveryRows = 0, Model = new ModelOptions { Engine = ModelEngine.Torch } },
        };
        var decoder = RecordDecoder.Create(new RecordSchemaOptions { Features = [.. Schema.Names.Select(n => new FeatureField(n))] });
        await using (var pipeline = new DetectorPipeline(options, decoder, Schema, new InMemoryAlertSink(), deadLetters, registry, batchJudged: Judged))
        {
            await pipeline.RunAsync(new RowReplaySource(rows, 6, ["e"], count)).WaitAsync(TimeSpan.FromMinutes(2));
        }
        var letter = Assert.Single(deadLetters.Letters);
        Assert.Equal(DeadLetterReason.ScoringFailed, letter.Reason);
        Assert.Equal(5, letter.Position.Offset);
        Assert.Equal(count - 1, scores.Count);
        foreach (var (offset, score) in scores)
        {
            Assert.True(Math.Abs(score - expected[offset]) <= 1e-5 * Math.Abs(expected[offset]) + 1e-8, $"record {offset} scored {score} in the pipeline, PyTorch {expected[offset]}");
        }
    }
}
