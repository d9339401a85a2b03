using Detector.Models.Validation;
using Detector.Streams.Generators;
using Xunit;

namespace Detector.Tests.Generators;

/// <summary>Generator options fail validation naming the key, the value and the allowed range.</summary>
public sealed class GeneratorOptionsTests
{
    public static TheoryData<string, CardGeneratorOptions, string> BadCardOptions => new()
    {
        { "Cards", new CardGeneratorOptions { Cards = 0 }, "0" },
        { "TransactionsPerCardPerDay", new CardGeneratorOptions { TransactionsPerCardPerDay = double.NaN }, "NaN" },
        { "AnomalyRate", new CardGeneratorOptions { AnomalyRate = 0.6 }, "0.6" },
        { "AnomalyRate", new CardGeneratorOptions { AnomalyRate = -0.1 }, "-0.1" },
        { "Start", new CardGeneratorOptions { Start = new DateTimeOffset(1960, 1, 1, 0, 0, 0, TimeSpan.Zero) }, "1960-01-01T00:00:00.0000000+00:00" },
        { "CardTestingMinBurst", new CardGeneratorOptions { CardTestingMinBurst = 1 }, "1" },
        { "CardTestingMaxBurst", new CardGeneratorOptions { CardTestingMinBurst = 8, CardTestingMaxBurst = 7 }, "7" },
    };

    public static TheoryData<string, FleetGeneratorOptions, string> BadFleetOptions => new()
    {
        { "Vehicles", new FleetGeneratorOptions { Vehicles = -1 }, "-1" },
        { "Interval", new FleetGeneratorOptions { Interval = TimeSpan.Zero }, "00:00:00" },
        { "AnomalyRate", new FleetGeneratorOptions { AnomalyRate = double.PositiveInfinity }, "Infinity" },
        { "FaultMinReadings", new FleetGeneratorOptions { FaultMinReadings = 1 }, "1" },
        { "FaultMaxReadings", new FleetGeneratorOptions { FaultMinReadings = 20, FaultMaxReadings = 19 }, "19" },
    };

    [Theory]
    [MemberData(nameof(BadCardOptions))]
    public void CardValidate_ValueOutOfRange_ThrowsNamingKeyValueAndRange(string key, CardGeneratorOptions options, string shownValue)
    {
        var error = Assert.Throws<InvalidOptionException>(() => options.Validate());

        Assert.Equal(key, error.ParamName);
        Assert.Contains($"{key} = {shownValue} is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("allowed:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadFleetOptions))]
    public void FleetValidate_ValueOutOfRange_ThrowsNamingKeyValueAndRange(string key, FleetGeneratorOptions options, string shownValue)
    {
        var error = Assert.Throws<InvalidOptionException>(() => options.Validate());

        Assert.Equal(key, error.ParamName);
        Assert.Contains($"{key} = {shownValue} is invalid", error.Message, StringComparison.Ordinal);
        Assert.Contains("allowed:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Pass()
    {
        var cards = new CardGeneratorOptions();
        var fleet = new FleetGeneratorOptions();

        Assert.Same(cards, cards.Validate());
        Assert.Same(fleet, fleet.Validate());
    }

    [Fact]
    public void Constructor_InvalidOptions_FailsAtStartUp()
    {
        Assert.Throws<InvalidOptionException>(() => new CardTransactionGenerator(new CardGeneratorOptions { Cards = 0 }));
        Assert.Throws<InvalidOptionException>(() => new FleetTelemetryGenerator(new FleetGeneratorOptions { Vehicles = 0 }));
    }
}
