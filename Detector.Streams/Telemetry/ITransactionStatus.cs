namespace Detector.Streams.Telemetry;

/// <summary>Running totals of a transactional source's commits (Kafka:Guarantee = ExactlyOnce), by outcome.</summary>
public interface ITransactionStatus
{
    /// <summary>Transactions committed.</summary>
    long TransactionsCommitted { get; }

    /// <summary>Transactions aborted; their records were read again.</summary>
    long TransactionsAborted { get; }

    /// <summary>Commits refused because another owner holds the partition (the node then stops).</summary>
    long TransactionsFenced { get; }
}
