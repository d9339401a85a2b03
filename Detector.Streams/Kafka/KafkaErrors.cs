using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Kafka;

/// <summary>How the node's consume loops treat errors the client reports through <c>Consume</c>.</summary>
internal static class KafkaErrors
{
    /// <summary>
    /// Consume, treating a non-fatal error (a fetch that timed out, a leader that moved, a broker that went away) as
    /// "nothing this time": librdkafka retries on its own, and the consume position does not move past an error, so no
    /// record is skipped. Fatal errors still throw.
    /// </summary>
    public static ConsumeResult<TKey, TValue>? ConsumeOrNull<TKey, TValue>(IConsumer<TKey, TValue> consumer, TimeSpan timeout, ILogger logger)
    {
        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            logger.LogWarning("kafka consume error {Code} (retried by the client): {Reason}", e.Error.Code, e.Error.Reason);
            return null;
        }
    }
}
