using Detector.Models.Validation;

namespace Detector.Node.Configuration;

/// <summary>The <c>Sinks</c> section: where alerts and dead letters go.</summary>
public sealed record SinksOptions
{
    /// <summary>Alerts (one JSON object per alert, with the features to blame).</summary>
    public SinkOptions Alerts { get; init; } = new() { Path = "out/alerts.jsonl" };

    /// <summary>Records that could not be scored, with the reason.</summary>
    public SinkOptions DeadLetters { get; init; } = new() { Path = "out/dead-letters.jsonl" };

    /// <summary>
    /// Optional audit log of what this node scored (<c>partition,first,last,model-version</c> per run of offsets, written
    /// before the records are acknowledged); empty: off. Reconciling the logs of all nodes shows every record scored.
    /// </summary>
    public string AuditPath { get; init; } = "";

    /// <summary>Throws naming the first invalid key, its value and what is allowed.</summary>
    public SinksOptions Validate()
    {
        OptionCheck.Section(nameof(Alerts), () => Alerts.Validate());
        OptionCheck.Section(nameof(DeadLetters), () => DeadLetters.Validate());
        return this;
    }
}
