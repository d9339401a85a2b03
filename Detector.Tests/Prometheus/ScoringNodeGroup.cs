using Xunit;

namespace Detector.Tests.Prometheus;

/// <summary>The tests that share one <see cref="ScoringNodeFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class ScoringNodeGroup : ICollectionFixture<ScoringNodeFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "scoring node";
}
