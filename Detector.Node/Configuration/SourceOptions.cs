using Detector.Models.Validation;
using Detector.Streams.Generators;

namespace Detector.Node.Configuration;

/// <summary>The <c>Source</c> section: where records come from.</summary>
public sealed record SourceOptions
{
    /// <summary>Generator, File or Kafka.</summary>
    public SourceKind Kind { get; init; } = SourceKind.Generator;

    /// <summary>The embedded generator (cards or fleet); without a <c>Schema</c> section its schema also decodes files.</summary>
    public string Dataset { get; init; } = "cards";

    /// <summary>Generator seed.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Generator: records to produce, 0 for an endless stream.</summary>
    public long Records { get; init; }

    /// <summary>Generator: records per second, 0 for as fast as the pipeline takes them.</summary>
    public double RecordsPerSecond { get; init; } = 1_000;

    /// <summary>File: the JSON-lines or CSV file to read.</summary>
    public string Path { get; init; } = "";

    /// <summary>File: skip the first line (a CSV header).</summary>
    public bool SkipHeader { get; init; }

    /// <summary>Throws naming the first invalid key, its value and what is allowed.</summary>
    public SourceOptions Validate()
    {
        OptionCheck.Require(Enum.IsDefined(Kind), nameof(Kind), Kind, string.Join(", ", Enum.GetNames<SourceKind>()));
        OptionCheck.Require(RecordGenerators.Names.Contains(Dataset, StringComparer.OrdinalIgnoreCase), nameof(Dataset), Dataset,
            string.Join(", ", RecordGenerators.Names));
        OptionCheck.Require(Records >= 0, nameof(Records), Records, ">= 0 (0 = endless)");
        OptionCheck.Require(RecordsPerSecond >= 0 && double.IsFinite(RecordsPerSecond), nameof(RecordsPerSecond), RecordsPerSecond, ">= 0 (0 = unpaced)");
        if (Kind == SourceKind.File)
        {
            OptionCheck.Require(File.Exists(Path), nameof(Path), Path, "an existing JSON-lines or CSV file");
        }
        return this;
    }
}
