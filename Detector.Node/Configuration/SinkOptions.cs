using Detector.Models.Validation;

namespace Detector.Node.Configuration;

/// <summary>One sink: alerts or dead letters.</summary>
public sealed record SinkOptions
{
    /// <summary>File, Stdout or Kafka.</summary>
    public SinkKind Kind { get; init; } = SinkKind.File;

    /// <summary>File: where JSON lines are appended (the folder is created).</summary>
    public string Path { get; init; } = "";

    /// <summary>Throws naming the first invalid key, its value and what is allowed.</summary>
    public SinkOptions Validate()
    {
        OptionCheck.Require(Enum.IsDefined(Kind), nameof(Kind), Kind, string.Join(", ", Enum.GetNames<SinkKind>()));
        OptionCheck.Require(Kind != SinkKind.File || !string.IsNullOrWhiteSpace(Path), nameof(Path), Path, "a file path (Kind = File)");
        return this;
    }
}
