using Detector.Models.Scoring;

namespace Detector.Node.Hosting;

/// <summary>One model a node has run.</summary>
/// <param name="Model">The model as published (its version is the live version).</param>
/// <param name="Origin">The version whose weights it carries: its own, or the one a rollback restored.</param>
/// <param name="Checksum">SHA-256 of its artifact (lower-case hex).</param>
public sealed record ModelVersion(ModelSnapshot Model, long Origin, string Checksum)
{
    /// <summary>The live version number.</summary>
    public long Version => Model.Version;
}
