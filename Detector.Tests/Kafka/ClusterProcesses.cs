using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>Tests that run real node processes: one at a time, and not beside other tests (2 cores).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterProcesses
{
    /// <summary>The collection's name.</summary>
    public const string Name = "cluster processes";
}
