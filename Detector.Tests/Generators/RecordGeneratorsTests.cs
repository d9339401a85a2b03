using Detector.Streams.Generators;
using Xunit;

namespace Detector.Tests.Generators;

/// <summary>The factory of the embedded default generators.</summary>
public sealed class RecordGeneratorsTests
{
    [Theory]
    [InlineData("cards", typeof(CardTransactionGenerator))]
    [InlineData("fleet", typeof(FleetTelemetryGenerator))]
    [InlineData("Fleet", typeof(FleetTelemetryGenerator))]
    public void Create_KnownName_ReturnsThatGenerator(string name, Type expected)
    {
        var generator = RecordGenerators.Create(name, 5);

        Assert.IsType(expected, generator);
        Assert.Equal(name.ToLowerInvariant(), generator.Name);
    }

    [Fact]
    public void Create_SameSeed_SameStreamAsConstructor()
    {
        var fromFactory = RecordGenerators.Create("cards", 77);
        var direct = new CardTransactionGenerator(new CardGeneratorOptions { Seed = 77 });

        Assert.Equal(direct.Next().Payload, fromFactory.Next().Payload);
    }

    [Fact]
    public void Create_UnknownName_ThrowsNamingAllowedNames()
    {
        var error = Assert.Throws<ArgumentException>(() => RecordGenerators.Create("servers", 1));

        Assert.Equal("name", error.ParamName);
        Assert.Contains("'servers'", error.Message, StringComparison.Ordinal);
        Assert.Contains("cards, fleet", error.Message, StringComparison.Ordinal);
    }
}
