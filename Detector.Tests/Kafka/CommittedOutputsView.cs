using System.Text;
using System.Text.Json;
using Detector.Streams.Kafka;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>
/// The alerts and dead letters of an ExactlyOnce cluster test as a read_committed reader sees them, each with the
/// transaction it names, and which of those transactions committed (<see cref="CommittedOutputs"/>).
/// </summary>
internal sealed class CommittedOutputsView
{
    private readonly HashSet<string> _committed;
    private readonly List<(string Id, string Transaction)> _alerts;
    private readonly List<(string Payload, string Transaction)> _deadLetters;

    private CommittedOutputsView(HashSet<string> committed, List<(string, string)> alerts, List<(string, string)> deadLetters)
    {
        (_committed, _alerts, _deadLetters) = (committed, alerts, deadLetters);
    }

    public static CommittedOutputsView Read(ClusterHarness h)
    {
        var readCommitted = h.Options with { Properties = new Dictionary<string, string> { ["isolation.level"] = "read_committed" } };
        static string Transaction(Confluent.Kafka.Headers headers) => Encoding.UTF8.GetString(headers.GetLastBytes(OffsetsRecord.Header));
        return new CommittedOutputsView(CommittedOutputs.Transactions(h.Options, ClusterHarness.Partitions),
            [.. KafkaTopics.ReadAll(readCommitted, h.Options.AlertsTopic, ClusterHarness.Partitions)
                .Select(r => (JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("record_id").GetString()!, Transaction(r.Message.Headers)))],
            [.. KafkaTopics.ReadAll(readCommitted, h.Options.DeadLetterTopic, 1).Select(r => (Encoding.UTF8.GetString(r.Message.Value), Transaction(r.Message.Headers)))]);
    }

    /// <summary>
    /// Each poison payload's dead letter committed exactly once, no record's alert committed twice, and what a
    /// read_committed reader of the mock sees beyond the committed transactions written only by uncommittedFrom's
    /// transactions (null: by any node's, as after injected aborts).
    /// </summary>
    public void AssertEachOnce(IReadOnlySet<string> poison, string? uncommittedFrom)
    {
        var deadLetters = _deadLetters.Where(d => _committed.Contains(d.Transaction)).Select(d => d.Payload).ToList();
        var twice = deadLetters.GroupBy(d => d).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var missing = poison.Except(deadLetters).ToList();
        Assert.True(twice.Count == 0 && missing.Count == 0, $"dead letters: {twice.Count} committed twice (e.g. {string.Join(" | ", twice.Take(3))}), " +
            $"{missing.Count} of {poison.Count} missing (e.g. {string.Join(" | ", missing.Take(3))})");
        Assert.Equal(poison.Count, deadLetters.Count);
        var alerts = _alerts.Where(a => _committed.Contains(a.Transaction)).GroupBy(a => a.Id).ToList();
        var alertsTwice = alerts.Where(g => g.Count() > 1).Select(g => $"{g.Key} in {string.Join(", ", g.Select(a => a.Transaction))}").ToList();
        Assert.True(alertsTwice.Count == 0, $"{alertsTwice.Count} records' alerts committed twice, e.g. {string.Join("; ", alertsTwice.Take(3))}");
        Assert.True(alerts.Count > 1_000, $"only {alerts.Count} records' alerts committed: the check had little to check");
        if (uncommittedFrom is not null)
        {
            var strangers = Uncommitted.Where(t => !t.StartsWith(uncommittedFrom + "/", StringComparison.Ordinal)).ToList();
            Assert.True(strangers.Count == 0, $"outputs of transactions that never committed, not {uncommittedFrom}'s: {string.Join(", ", strangers.Take(5))}");
        }
    }

    /// <summary>The records alerted on in committed transactions are exactly <paramref name="expected"/> (a reference run's): none missing, none extra.</summary>
    public void AssertCommittedAlertsAre(IReadOnlySet<string> expected)
    {
        var committed = _alerts.Where(a => _committed.Contains(a.Transaction)).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Except(committed).ToList();
        var extra = committed.Except(expected).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0, $"committed alerts against the single-node reference's {expected.Count}: {missing.Count} missing " +
            $"(e.g. {string.Join(", ", missing.Take(3))}), {extra.Count} extra (e.g. {string.Join(", ", extra.Take(3))})");
        Assert.True(expected.Count > 1_000, $"the reference alerted on only {expected.Count} records: the check had little to check");
    }

    /// <summary>The transactions, named by outputs a read_committed reader of the mock sees, that never committed (open at a kill, or aborted).</summary>
    private HashSet<string> Uncommitted => [.. _alerts.Select(a => a.Transaction).Concat(_deadLetters.Select(d => d.Transaction)).Where(t => !_committed.Contains(t))];

    public override string ToString() =>
        $"read_committed sees {_alerts.Count} alerts and {_deadLetters.Count} dead letters; in committed transactions " +
        $"{_alerts.Count(a => _committed.Contains(a.Transaction))} and {_deadLetters.Count(d => _committed.Contains(d.Transaction))}; " +
        $"transactions seen that never committed: {Uncommitted.Count}";
}
