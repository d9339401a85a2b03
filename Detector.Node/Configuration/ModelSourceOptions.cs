using Detector.Models.Validation;

namespace Detector.Node.Configuration;

/// <summary>The <c>Model</c> section: the model a node starts with and how many versions it keeps for rollback.</summary>
public sealed record ModelSourceOptions
{
    /// <summary>Artifact to load at start; empty: the first model is trained on the warm-up rows (<c>Pipeline:Retraining:WarmUpRows</c>).</summary>
    public string Path { get; init; } = "";

    /// <summary>Name models are published under.</summary>
    public string Name { get; init; } = "default";

    /// <summary>Model versions kept in memory for <c>POST /models/rollback</c>.</summary>
    public int KeepVersions { get; init; } = 5;

    /// <summary>Throws naming the first invalid key, its value and what is allowed.</summary>
    public ModelSourceOptions Validate()
    {
        OptionCheck.Require(Path.Length == 0 || File.Exists(Path), nameof(Path), Path, "empty (train on warm-up rows) or an existing model artifact");
        OptionCheck.Require(!string.IsNullOrWhiteSpace(Name), nameof(Name), Name, "a non-empty name");
        OptionCheck.Require(KeepVersions is >= 2 and <= 100, nameof(KeepVersions), KeepVersions, "[2, 100]");
        return this;
    }
}
