using Detector.Models.Validation;
using Detector.Streams.Decoding;
using Detector.Streams.Generators;
using Detector.Streams.Kafka;
using Detector.Streams.Pipeline;

namespace Detector.Node.Configuration;

/// <summary>
/// Everything a node is configured with, one property per top-level section of appsettings.json (and of
/// <c>DETECTOR__Section__Key</c> environment variables and flags, which override it in that order).
/// </summary>
public sealed record NodeOptions
{
    /// <summary>Identity, HTTP, admin token, shutdown bound and logging.</summary>
    public NodeHostOptions Node { get; init; } = new();

    /// <summary>Where records come from.</summary>
    public SourceOptions Source { get; init; } = new();

    /// <summary>How records map to model features; empty: the schema of the <c>Source:Dataset</c> generator.</summary>
    public RecordSchemaOptions Schema { get; init; } = new();

    /// <summary>Where alerts and dead letters go.</summary>
    public SinksOptions Sinks { get; init; } = new();

    /// <summary>Batching, model actors, thresholds and retraining.</summary>
    public PipelineOptions Pipeline { get; init; } = new();

    /// <summary>The starting model and the versions kept for rollback.</summary>
    public ModelSourceOptions Model { get; init; } = new();

    /// <summary>The Kafka cluster and topics (validated only when a source or sink is Kafka).</summary>
    public KafkaOptions Kafka { get; init; } = new();

    /// <summary>The Akka cluster a node with a Kafka source joins (validated only then).</summary>
    public Cluster.ClusterOptions Cluster { get; init; } = new();

    /// <summary>Whether any source or sink is Kafka.</summary>
    public bool UsesKafka => Source.Kind == SourceKind.Kafka || Sinks.Alerts.Kind == SinkKind.Kafka || Sinks.DeadLetters.Kind == SinkKind.Kafka;

    /// <summary>The schema records are decoded with: the <c>Schema</c> section, or the dataset generator's when it lists no features.</summary>
    public RecordSchemaOptions EffectiveSchema =>
        Schema.Features.Count > 0 ? Schema : RecordGenerators.Create(Source.Dataset, Source.Seed).Schema;

    /// <summary>Throws an <see cref="InvalidOptionException"/> naming the first invalid key (as a full path), its value and what is allowed.</summary>
    public NodeOptions Validate()
    {
        OptionCheck.Section(nameof(Node), () => Node.Validate());
        OptionCheck.Section(nameof(Source), () => Source.Validate());
        if (Schema.Features.Count > 0)
        {
            OptionCheck.Section(nameof(Schema), () => Schema.Validate());
        }
        OptionCheck.Section(nameof(Sinks), () => Sinks.Validate());
        OptionCheck.Section(nameof(Pipeline), () => Pipeline.Validate());
        OptionCheck.Section(nameof(Model), () => Model.Validate());
        CheckExactlyOnce();
        if (UsesKafka)
        {
            ValidateKafka();
        }
        if (Source.Kind == SourceKind.Kafka)
        {
            OptionCheck.Section(nameof(Cluster), () => Cluster.Validate());
        }
        return this;
    }

    /// <summary>
    /// Kafka:Guarantee = ExactlyOnce commits a record's alerts and dead letters with its input offset in one Kafka
    /// transaction: that needs the source and both sinks on Kafka (a file or stdout write cannot be rolled back).
    /// </summary>
    private void CheckExactlyOnce()
    {
        if (Kafka.Guarantee != KafkaGuarantee.ExactlyOnce)
        {
            return;
        }
        var other = new (string Key, string Kind)[]
        {
            ("Source:Kind", Source.Kind.ToString()), ("Sinks:Alerts:Kind", Sinks.Alerts.Kind.ToString()),
            ("Sinks:DeadLetters:Kind", Sinks.DeadLetters.Kind.ToString()),
        }.Where(k => k.Kind != nameof(SourceKind.Kafka)).ToList();
        OptionCheck.Require(other.Count == 0, $"{nameof(Kafka)}:{nameof(KafkaOptions.Guarantee)}", Kafka.Guarantee,
            $"AtLeastOnce here; ExactlyOnce needs Source:Kind, Sinks:Alerts:Kind and Sinks:DeadLetters:Kind all Kafka (a file or stdout write " +
            $"cannot join a Kafka transaction), but {string.Join(", ", other.Select(k => $"{k.Key} = {k.Kind}"))}");
    }

    /// <summary>KafkaOptions validates with its own helper: its errors are turned into the node's one shape here.</summary>
    private void ValidateKafka()
    {
        try
        {
            Kafka.Validate();
        }
        catch (InvalidOptionException e)
        {
            throw e.Under(nameof(Kafka));
        }
        catch (ArgumentOutOfRangeException e)
        {
            var text = e.Message;
            var allowed = text.IndexOf("allowed: ", StringComparison.Ordinal) is var at and >= 0 ? text[(at + 9)..] : text;
            var end = allowed.IndexOf(" (Parameter", StringComparison.Ordinal);
            throw new InvalidOptionException($"{nameof(Kafka)}:{e.ParamName}", e.ActualValue, end >= 0 ? allowed[..end] : allowed);
        }
    }
}
