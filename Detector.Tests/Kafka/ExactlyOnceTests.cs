using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Detector.Streams.Alerts;
using Detector.Streams.Kafka;
using Detector.Streams.Telemetry;
using Detector.Tests.Metrics;
using Xunit;
using Xunit.Abstractions;

namespace Detector.Tests.Kafka;

/// <summary>
/// `Kafka:Guarantee = ExactlyOnce` on the mock cluster, at the level of what it promises: every input record's output
/// (here: one alert per record, keyed by the record) is committed exactly once — seen once by a read_committed reader
/// across a rebalance; across an aborted transaction, once among the outputs of the committed transactions (the mock
/// shows aborted records to read_committed readers, see <see cref="MockTransactionLimitsTests"/>); and an owner fenced by
/// the partition's next owner stops at once.
/// </summary>
public sealed class ExactlyOnceTests(ITestOutputHelper output) : IDisposable
{
    private const int Partitions = 4;
    private readonly MockCluster _cluster = new(3);

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task ExactlyOnce_ARebalance_ReadCommittedSeesEachAlertOnce()
    {
        var options = Options("eos-rebalance");
        var ids = Produce(options, 0, 2_000);
        await using var a = ExactlyOnceMember.Start(options, "node-a", new TestOutputLogger(output, "a"));
        await Poll.UntilAsync(() => a.Source.TransactionsCommitted > 0, "a's first commits", TimeSpan.FromSeconds(60), a.Reading);
        await using var b = ExactlyOnceMember.Start(options, "node-b", new TestOutputLogger(output, "b"));
        await Poll.UntilAsync(() => b.Source.IsAssigned && a.Source.IsAssigned, "the group's rebalance onto a and b", TimeSpan.FromSeconds(60), a.Reading, b.Reading);
        ids.AddRange(Produce(options, 2_000, 2_000));
        await UntilCommittedToTheEndAsync(options, 1_000, a, b);

        var alerts = ReadAlerts(options);
        Assert.Equal(0, a.Source.TransactionsAborted + b.Source.TransactionsAborted); // else the mock would show the aborted ones
        Assert.True(b.Source.TransactionsCommitted > 0, "b never committed: there was no rebalance to test");
        AssertOnceEach(ids, alerts.Select(r => r.Id));
    }

    [Fact]
    public async Task ExactlyOnce_InjectedCommitFailure_AbortedReadAgainAndCommittedOnce()
    {
        var options = Options("eos-abort");
        var ids = Produce(options, 0, 2_000);
        var registry = global::Prometheus.Metrics.NewCustomRegistry();
        await using var a = ExactlyOnceMember.Start(options, "node-a", new TestOutputLogger(output, "a"));
        _ = new SourceMetrics(() => a.Source, registry);
        await Poll.UntilAsync(() => a.Source.TransactionsCommitted > 0, "a's first commits", TimeSpan.FromSeconds(60), a.Reading);
        // The next transaction to end fails with UNKNOWN_PRODUCER_ID: an abortable error (only transactional producers send EndTxn).
        _cluster.PushRequestErrors(KafkaApi.EndTxn, 59);
        ids.AddRange(Produce(options, 2_000, 2_000));
        await UntilCommittedToTheEndAsync(options, 1_000, a);

        Assert.Equal(1, a.Source.TransactionsAborted);
        Assert.True(a.Source.Consumed > ids.Count, $"consumed {a.Source.Consumed} of {ids.Count}: the aborted transaction's records were not read again");
        var committed = CommittedOutputs.Transactions(options, Partitions);
        var alerts = ReadAlerts(options);
        AssertOnceEach(ids, alerts.Where(r => committed.Contains(r.Transaction)).Select(r => r.Id));
        // What the mock shows beyond that is exactly the aborted transaction's alerts, every one written again.
        var aborted = alerts.Where(r => !committed.Contains(r.Transaction)).ToList();
        Assert.Single(aborted.Select(r => r.Transaction).Distinct());
        Assert.Equal(aborted.Count, aborted.Select(r => r.Id).Distinct().Count());
        var lines = Scrape.Lines(registry);
        Assert.Contains("detector_kafka_transactions_total{outcome=\"aborted\"} 1", lines);
        Assert.Contains("detector_kafka_transactions_total{outcome=\"fenced\"} 0", lines);
        Assert.Contains(lines, l => l.StartsWith("detector_kafka_transactions_total{outcome=\"committed\"}", StringComparison.Ordinal) && !l.EndsWith(" 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExactlyOnce_AClaimFailsShortOfFencing_RetriedOnAFreshProducerAndCommittedOnce()
    {
        var options = Options("eos-claim");
        var ids = Produce(options, 0, 1_000);
        // The first transaction to end is a partition claim's: it fails with UNKNOWN_PRODUCER_ID, an abortable error.
        _cluster.PushRequestErrors(KafkaApi.EndTxn, 59);
        await using var a = ExactlyOnceMember.Start(options, "node-a", new TestOutputLogger(output, "a"));
        await UntilCommittedToTheEndAsync(options, 250, a);

        Assert.Equal(1, a.Source.ClaimsRetried);
        Assert.Equal(0, a.Source.TransactionsAborted);
        AssertOnceEach(ids, ReadAlerts(options).Select(r => r.Id));
    }

    [Fact]
    public async Task ExactlyOnce_TheNextOwnerClaimsThePartition_OwnerStopsProducingNamingTheFence()
    {
        var options = Options("eos-fence");
        _ = Produce(options, 0, 400);
        await using var a = ExactlyOnceMember.Start(options, "node-a", new TestOutputLogger(output, "a"));
        await UntilCommittedToTheEndAsync(options, 100, a);
        var held = OffsetsLog.ReadNewest(options, 0, "check")!;

        // What a new owner of partition 0 does first: InitTransactions with the partition's transactional id, then a claim with the next epoch.
        using (var owner = new PartitionTransaction(options, new TopicPartition(options.InputTopic, 0), "new-owner", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            owner.Claim(held.Next, held.Epoch + 1);
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => a.Reading.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("fenced on partition 0", failure.Message, StringComparison.Ordinal);
            Assert.Contains("new-owner", failure.Message, StringComparison.Ordinal);
        }
        Assert.Equal(1, a.Source.TransactionsFenced);
        _ = Produce(options, 400, 40);
        var newest = OffsetsLog.ReadNewest(options, 0, "check")!;
        Assert.Equal(("new-owner", held.Epoch + 1, held.Next), (newest.Owner, newest.Epoch, newest.Next));
        Assert.DoesNotContain(ReadAlerts(options), r => int.Parse(r.Id, CultureInfo.InvariantCulture) >= 400);
    }

    [Fact]
    public void PartitionTransaction_OutputsOfRecordsPastTheCommittedOffset_WaitForTheNextTransaction()
    {
        var options = Options("eos-cut");
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(KafkaClientConfigs.Consumer(options, options.GroupId, "c")).Build();
        using var transaction = new PartitionTransaction(options, new TopicPartition(options.InputTopic, 0), "node-a", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        transaction.Claim(0, 1);
        static Message<byte[]?, byte[]> Alert(string id) => new() { Key = Encoding.UTF8.GetBytes(id), Value = Encoding.UTF8.GetBytes(id) };
        transaction.Add(7, 5, options.AlertsTopic, [Alert("5")]);
        transaction.Add(7, 9, options.AlertsTopic, [Alert("9")]); // still in flight when offset 6 commits
        transaction.Add(3, 2, options.AlertsTopic, [Alert("stale")]); // of a lane no longer live (an aborted or revoked assignment)

        var first = transaction.Name;
        transaction.Commit(7, 6, consumer.ConsumerGroupMetadata);
        Assert.Equal(1, transaction.Pending);
        var second = transaction.Name;
        transaction.Commit(7, 10, consumer.ConsumerGroupMetadata);

        Assert.Equal(0, transaction.Pending);
        Assert.Equal([("5", first), ("9", second)], ReadAlerts(options).Order());
        Assert.Equal(10, OffsetsLog.ReadNext(options, 0, "check"));
    }

    private KafkaOptions Options(string prefix)
    {
        var options = new KafkaOptions
        {
            BootstrapServers = _cluster.BootstrapServers,
            GroupId = $"{prefix}-group",
            InputTopic = $"{prefix}-input",
            AlertsTopic = $"{prefix}-alerts",
            OffsetsTopic = $"{prefix}-offsets",
            CommitInterval = TimeSpan.FromMilliseconds(200),
            SessionTimeout = TimeSpan.FromSeconds(6),
            Guarantee = KafkaGuarantee.ExactlyOnce,
        };
        _cluster.CreateTopic(options.InputTopic, Partitions);
        _cluster.CreateTopic(options.AlertsTopic, 2);
        _cluster.CreateTopic(options.OffsetsTopic, Partitions);
        return options;
    }

    /// <summary>Waits until every partition's offsets record says perPartition and the group has settled.</summary>
    private async Task UntilCommittedToTheEndAsync(KafkaOptions options, long perPartition, params ExactlyOnceMember[] members)
    {
        await Poll.UntilAsync(() =>
            {
                var next = Enumerable.Range(0, Partitions).Select(p => OffsetsLog.ReadNext(options, p, "check")).ToList();
                output.WriteLine($"offsets {string.Join(",", next)}; " + string.Join("; ", members.Select(m => m.Describe())));
                return next.All(n => n == perPartition) && members.Sum(m => m.Source.Partitions.Count) == Partitions;
            },
            "every partition's offsets committed to the end, the group settled", TimeSpan.FromSeconds(120), [.. members.Select(m => m.Reading)]);
    }

    /// <summary>The alerts topic as a read_committed reader sees it: each alert's id and the transaction it names.</summary>
    private static List<(string Id, string Transaction)> ReadAlerts(KafkaOptions options) =>
        [.. KafkaTopics.ReadAll(options with { Properties = new Dictionary<string, string> { ["isolation.level"] = "read_committed" } }, options.AlertsTopic, 2)
            .Select(r => (Encoding.UTF8.GetString(r.Message.Key!), Encoding.UTF8.GetString(r.Message.Headers.GetLastBytes(OffsetsRecord.Header))))];

    private static void AssertOnceEach(IEnumerable<string> expected, IEnumerable<string> seen)
    {
        var seenList = seen.ToList();
        var duplicates = seenList.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, $"{duplicates.Count} alerts seen twice, e.g. {string.Join(",", duplicates.Take(10))}");
        var missing = expected.Except(seenList).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} alerts missing, e.g. {string.Join(",", missing.Take(10))}");
        Assert.Equal(expected.Order(StringComparer.Ordinal), seenList.Order(StringComparer.Ordinal));
    }

    /// <summary>Produces count records spread evenly over the partitions, values "n".</summary>
    private static List<string> Produce(KafkaOptions options, int first, int count)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(KafkaClientConfigs.Producer(options, "eos-input")).Build();
        var ids = Enumerable.Range(first, count).Select(n => n.ToString(CultureInfo.InvariantCulture)).ToList();
        foreach (var id in ids)
        {
            producer.Produce(new TopicPartition(options.InputTopic, int.Parse(id, CultureInfo.InvariantCulture) % Partitions),
                new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes(id) });
        }
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        return ids;
    }
}
