using Detector.Streams.Decoding;

namespace Detector.Streams.Generators;

/// <summary>An endless, seeded stream of synthetic records with ground truth.</summary>
public interface IRecordGenerator
{
    /// <summary>Short name ("cards", "fleet").</summary>
    string Name { get; }

    /// <summary>The schema that decodes this generator's records (features, entity, timestamp, id and label fields).</summary>
    RecordSchemaOptions Schema { get; }

    /// <summary>The next record in event-time order.</summary>
    GeneratedRecord Next();
}
