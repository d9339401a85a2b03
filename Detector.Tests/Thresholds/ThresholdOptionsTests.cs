using Detector.Models.Validation;
using Detector.Streams.Thresholds;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>Validation names the key, the value and the allowed range.</summary>
public sealed class ThresholdOptionsTests
{
    public static TheoryData<string, ThresholdOptions, string> BadOptions => new()
    {
        { "Percentile", new ThresholdOptions { Percentile = 0 }, "0" },
        { "Percentile", new ThresholdOptions { Percentile = 100.5 }, "100.5" },
        { "Percentile", new ThresholdOptions { Percentile = double.NaN }, "NaN" },
        { "WindowSize", new ThresholdOptions { WindowSize = 0 }, "0" },
        { "Window", new ThresholdOptions { Window = TimeSpan.FromSeconds(-1) }, "-00:00:01" },
        { "WarmUp", new ThresholdOptions { WarmUp = -5 }, "-5" },
        { "EntityWindowSize", new ThresholdOptions { EntityWindowSize = 0 }, "0" },
        { "EntityMinHistory", new ThresholdOptions { EntityMinHistory = 600, EntityWindowSize = 500 }, "600" },
        { "MaxEntities", new ThresholdOptions { MaxEntities = 0 }, "0" },
        { "SuppressionGap", new ThresholdOptions { SuppressionGap = TimeSpan.FromMinutes(-1) }, "-00:01:00" },
        { "RelativeError", new ThresholdOptions { RelativeError = -0.001 }, "-0.001" },
        { "RelativeError", new ThresholdOptions { RelativeError = 0.06 }, "0.06" },
        { "RelativeError", new ThresholdOptions { RelativeError = 0.00001 }, "1E-05" },
        { "RelativeError", new ThresholdOptions { RelativeError = double.NaN }, "NaN" },
        {
            "EntityPotMinScores",
            new ThresholdOptions { Method = ThresholdMethod.Pot, PerEntity = true, EntityWindowSize = 1_000, EntityPotMinScores = 549 }, "549"
        },
        { "EntityPotMinScores", new ThresholdOptions { EntityPotMinScores = 0 }, "0" },
        {
            "EntityPotMinScores",
            new ThresholdOptions { Method = ThresholdMethod.Pot, PerEntity = true, EntityWindowSize = 500, EntityPotMinScores = 1_000 }, "1000"
        },
    };

    [Fact]
    public void Validate_PotPerEntityWithTheMinimumThatGivesTenPeaks_Passes()
    {
        // 550 scores leave 11 above their 0.98-quantile: ten peaks, the fewest a fit takes.
        var options = new ThresholdOptions { Method = ThresholdMethod.Pot, PerEntity = true, EntityWindowSize = 550, EntityPotMinScores = 550 };

        Assert.Same(options, options.Validate());
        Assert.Equal(550, options.MinEntityPotScores);
    }

    [Fact]
    public void Validate_GlobalDspotWithoutEntityPots_IgnoresTheEntityMinimum()
    {
        // A depth of 5,000 would ask an entity's POT for 5,550 scores; without POT per entity the key is unused.
        var options = new ThresholdOptions { Method = ThresholdMethod.Pot, PotDepth = 5_000 };

        Assert.Same(options, options.Validate());
    }

    [Fact]
    public void Validate_PotPerEntityWithAWindowTooSmallForItsPot_SaysBothKeys()
    {
        var options = new ThresholdOptions { Method = ThresholdMethod.Pot, PerEntity = true, EntityWindowSize = 500 };

        var error = Assert.Throws<InvalidOptionException>(() => options.Validate());

        Assert.Contains("EntityPotMinScores = 1000 is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("EntityWindowSize = 500", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.0001)]
    [InlineData(0.001)]
    [InlineData(0.05)]
    public void Validate_RelativeErrorZeroOrInRange_Passes(double relativeError)
    {
        var options = new ThresholdOptions { RelativeError = relativeError };

        Assert.Same(options, options.Validate());
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Validate_ValueOutOfRange_ThrowsNamingKeyValueAndRange(string key, ThresholdOptions options, string shownValue)
    {
        var error = Assert.Throws<InvalidOptionException>(() => options.Validate());

        Assert.Equal(key, error.ParamName);
        Assert.Contains($"{key} = {shownValue} is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("allowed:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Pass()
    {
        var options = new ThresholdOptions();

        Assert.Same(options, options.Validate());
    }

    [Fact]
    public void Constructor_InvalidOptions_FailsAtStartUp()
    {
        Assert.Throws<InvalidOptionException>(() => new ThresholdTracker(new ThresholdOptions { MaxEntities = 0 }));
    }
}
