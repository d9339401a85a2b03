using Detector.Models.Validation;
using Detector.Node.Configuration;
using Detector.Node.Hosting;
using Xunit;

namespace Detector.Tests.Node;

/// <summary>Sources and sinks come from factories keyed by kind; a kind a build lacks is a configuration error naming the key.</summary>
public sealed class NodeComponentsTests
{
    [Fact]
    public void Source_KindWithoutFactory_ThrowsNamingTheKeyAndTheKindsAvailable()
    {
        var components = new NodeComponents().WithSource(SourceKind.Generator, BuiltInComponents.GeneratorSource);

        var error = Assert.Throws<InvalidOptionException>(() => components.Source(SourceKind.Kafka));

        Assert.Equal("Source:Kind", error.Key);
        Assert.Equal("Generator (Kafka is not available in this build)", error.Allowed);
    }

    [Fact]
    public void Sinks_KindWithoutFactory_NameTheirOwnKeys()
    {
        var components = new NodeComponents();

        Assert.Equal("Sinks:Alerts:Kind", Assert.Throws<InvalidOptionException>(() => components.AlertSink(SinkKind.Kafka)).Key);
        Assert.Equal("Sinks:DeadLetters:Kind", Assert.Throws<InvalidOptionException>(() => components.DeadLetterSink(SinkKind.Stdout)).Key);
    }

    [Fact]
    public void BuiltIn_HasGeneratorAndFileSourcesAndFileAndStdoutSinks()
    {
        var components = NodeComponents.BuiltIn();

        Assert.NotNull(components.Source(SourceKind.Generator));
        Assert.NotNull(components.Source(SourceKind.File));
        Assert.NotNull(components.AlertSink(SinkKind.Stdout));
        Assert.NotNull(components.DeadLetterSink(SinkKind.File));
    }
}
