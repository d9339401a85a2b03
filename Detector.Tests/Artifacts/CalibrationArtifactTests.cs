using Detector.Models.Artifacts;
using Detector.Models.Networks;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Xunit;

namespace Detector.Tests.Artifacts;

/// <summary>Calibration scores: produced by training, carried by the artifact, absent from older artifacts.</summary>
public sealed class CalibrationArtifactTests
{
    private static readonly FeatureSchema Schema = new(["a", "b", "c"]);

    private static (float[] Rows, int Count) Data(int count)
    {
        var random = new Random(9);
        var rows = new float[count * 3];
        for (var i = 0; i < count; i++)
        {
            var t = (float)random.NextDouble();
            (rows[i * 3], rows[i * 3 + 1], rows[i * 3 + 2]) = (t, 2 * t + 0.01f * (float)random.NextDouble(), 1 - t);
        }
        return (rows, count);
    }

    [Fact]
    public void Train_WithAValidationSplit_CarriesTheModelsSortedScoresOfThoseRows()
    {
        var (rows, count) = Data(1_000);

        var model = new Trainer().Train(rows, count, Schema, new ModelOptions { HiddenSizes = [4], CodeSize = 2 },
            new TrainingOptions { Epochs = 3, ValidationFraction = 0.2, Seed = 4 });

        var calibration = model.Metadata.CalibrationScores;
        Assert.Equal(200, calibration.Count);
        Assert.Equal(calibration.Order(), calibration);
        // They are the model's own scores of some 200 of the rows: each is the score of a row of the data.
        var all = new float[count];
        model.CreateScorer().Score(rows, count, all, []);
        var scored = all.ToHashSet();
        Assert.All(calibration, s => Assert.Contains(s, scored));
    }

    [Fact]
    public void Train_WithoutAValidationSplit_HasNoCalibrationScores()
    {
        var (rows, count) = Data(200);

        var model = new Trainer().Train(rows, count, Schema, new ModelOptions { HiddenSizes = [4], CodeSize = 2 },
            new TrainingOptions { Epochs = 1, ValidationFraction = 0 });

        Assert.Empty(model.Metadata.CalibrationScores);
    }

    [Fact]
    public void ToBytes_ModelWithCalibration_RoundTripsTheScores()
    {
        var model = TestData.Snapshot(new ModelOptions { HiddenSizes = [4], CodeSize = 2 }, Schema);
        var calibrated = model.WithMetadata(model.Metadata with { CalibrationScores = [0.5f, 1.25f, 7f] });

        var back = ModelArtifact.FromBytes(ModelArtifact.ToBytes(calibrated));

        Assert.Equal([0.5f, 1.25f, 7f], back.Metadata.CalibrationScores);
    }

    [Fact]
    public void FromBytes_ArtifactWithoutTheSection_LoadsWithNoCalibration()
    {
        // A model without calibration scores is written exactly as builds before the section wrote every model.
        var model = TestData.Snapshot(new ModelOptions { HiddenSizes = [4], CodeSize = 2 }, Schema);
        var bytes = ModelArtifact.ToBytes(model);
        var withSection = ModelArtifact.ToBytes(model.WithMetadata(model.Metadata with { CalibrationScores = [1f] }));

        var back = ModelArtifact.FromBytes(bytes);

        Assert.Empty(back.Metadata.CalibrationScores);
        Assert.Equal(bytes.Length + 4 + 4, withSection.Length); // the section is a count and the floats, nothing else
    }
}
