using Detector.Streams.Kafka;

namespace Detector.Tests.Kafka;

/// <summary>
/// The transactions that committed, from the offsets log alone, for checks on the mock cluster (whose read_committed
/// readers also see aborted and open transactions): a transaction's offsets record is superseded when a later record of
/// its partition resumes before it (an abort's rewrite of the last committed offset, a new owner's claim), which
/// happens exactly when it did not commit. Outputs name their transaction in the detector-txn header.
/// </summary>
internal static class CommittedOutputs
{
    public static HashSet<string> Transactions(KafkaOptions options, int partitions)
    {
        var committed = new HashSet<string>();
        for (var p = 0; p < partitions; p++)
        {
            var records = OffsetsLog.ReadAll(options, p, "check");
            for (var i = 0; i < records.Count; i++)
            {
                if (records.Skip(i + 1).All(later => later.Next >= records[i].Next))
                {
                    committed.Add(records[i].Transaction);
                }
            }
        }
        return committed;
    }
}
