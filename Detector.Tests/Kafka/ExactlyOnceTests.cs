using System.Text;
using Confluent.Kafka;
using Detector.Streams.Alerts;
using Detector.Streams.Kafka;
using Detector.Streams.Records;
using Xunit;

namespace Detector.Tests.Kafka;

/// <summary>
/// `Kafka:Guarantee = ExactlyOnce` on the mock cluster, at the level of what it promises: every input record's output
/// (here: one alert per record, keyed by the record) is seen exactly once by a read_committed reader, across aborted
/// transactions and a rebalance; a producer fenced by the partition's next owner stops the source.
/// </summary>
public sealed class ExactlyOnceTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const int Partitions = 4;
    private readonly MockCluster _cluster = new(3);

    public void Dispose() => _cluster.Dispose();

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

    [Fact]
    public async Task ExactlyOnce_AbortedTransactionsAndARebalance_EachRecordsAlertSeenOnceByReadCommitted()
    {
        var options = Options("eos");
        var ids = Produce(options, 0, 2_000);
        await using var a = Member.Start(options, "node-a", new OutputLogger(output, "a"));
        await Poll.UntilAsync(() => a.Source.TransactionsCommitted > 0, "a's first commits", TimeSpan.FromSeconds(60), a.Reading);
        // Commits that fail make their transactions abort: their records are read and written again. Only transactional
        // producers send EndTxn, so these reach the node's transactions (a produce error may hit the input producer).
        _cluster.PushRequestErrors(KafkaApi.EndTxn, 16, 59, 59); // NOT_COORDINATOR (retried by the client), UNKNOWN_PRODUCER_ID (abortable)
        _cluster.PushRequestErrors(KafkaApi.Produce, 87); // INVALID_RECORD
        ids.AddRange(Produce(options, 2_000, 2_000));
        await using var b = Member.Start(options, "node-b", new OutputLogger(output, "b"));
        ids.AddRange(Produce(options, 4_000, 2_000));
        var seen = "";
        await Poll.UntilAsync(() =>
            {
                var next = Enumerable.Range(0, Partitions).Select(p => OffsetsLog.ReadNext(options, p, "check")).ToList();
                seen = $"offsets {string.Join(",", next)}; a: {a.Source.TransactionsCommitted} committed, {a.Source.TransactionsAborted} aborted, in flight {a.Source.InFlight}, consumed {a.Source.Consumed}, "
                    + $"[{string.Join(" ", a.Source.Partitions)}]; b: {b.Source.TransactionsCommitted} committed, in flight {b.Source.InFlight}, consumed {b.Source.Consumed} [{string.Join(" ", b.Source.Partitions)}]";
                output.WriteLine(seen);
                return next.All(n => n == 1_500) && a.Source.Partitions.Count + b.Source.Partitions.Count == Partitions;
            },
            "every partition's offsets committed to the end, the group settled", TimeSpan.FromSeconds(120), a.Reading, b.Reading);

        var alerts = KafkaTopics.ReadAll(options with { Properties = new Dictionary<string, string> { ["isolation.level"] = "read_committed" } }, options.AlertsTopic, 2)
            .Select(r => Encoding.UTF8.GetString(r.Message.Key!)).ToList();
        var duplicates = alerts.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => int.Parse(g.Key, System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
        Assert.True(duplicates.Count == 0, $"{duplicates.Count} alerts seen twice, by partition: {string.Join(", ", duplicates.GroupBy(n => n % Partitions).Select(g => $"{g.Key}: {g.Count()} ({g.Min()}..{g.Max()})"))}");
        Assert.Equal(ids.Order(StringComparer.Ordinal), alerts.Order(StringComparer.Ordinal));
        Assert.True(a.Source.TransactionsAborted + b.Source.TransactionsAborted > 0, "no transaction was aborted: the injected errors did not apply");
    }

    [Fact]
    public async Task ExactlyOnce_TheNextOwnerFencesTheProducer_SourceStopsNamingTheFence()
    {
        var options = Options("fence");
        _ = Produce(options, 0, 400);
        await using var a = Member.Start(options, "node-a", new OutputLogger(output, "a"));
        await Poll.UntilAsync(() => Enumerable.Range(0, Partitions).All(p => OffsetsLog.ReadNext(options, p, "check") == 100), "a committed everything",
            TimeSpan.FromSeconds(60), a.Reading);
        // What a new owner of partition 0 does first: InitTransactions with the partition's transactional id.
        using (new PartitionTransaction(options, new TopicPartition(options.InputTopic, 0), "new-owner", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            _ = Produce(options, 400, 40);
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => a.Reading.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("fenced", failure.Message, StringComparison.Ordinal);
        }
        Assert.Equal(1, a.Source.TransactionsFenced);
        Assert.Equal(100, OffsetsLog.ReadNext(options, 0, "check"));
    }

    /// <summary>Produces count records spread evenly over the partitions, values "n" (again where an injected error failed one).</summary>
    private static List<string> Produce(KafkaOptions options, int first, int count)
    {
        using var producer = new ProducerBuilder<Null, byte[]>(KafkaClientConfigs.Producer(options, "eos-input")).Build();
        var ids = Enumerable.Range(first, count).ToList();
        var pending = ids;
        for (var attempt = 0; pending.Count > 0; attempt++)
        {
            Assert.True(attempt < 10, $"{pending.Count} input records could not be produced");
            var failed = new System.Collections.Concurrent.ConcurrentBag<int>();
            foreach (var n in pending)
            {
                var value = Encoding.UTF8.GetBytes(n.ToString(System.Globalization.CultureInfo.InvariantCulture));
                producer.Produce(new TopicPartition(options.InputTopic, n % Partitions), new Message<Null, byte[]> { Value = value },
                    report =>
                    {
                        if (report.Error.IsError)
                        {
                            failed.Add(n);
                        }
                    });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
            pending = [.. failed];
        }
        return [.. ids.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))];
    }

    /// <summary>A node in small: reads, writes one alert per record through the transactional sink, acknowledges.</summary>
    private sealed class Member : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        private Member(KafkaOptions options, string id, Microsoft.Extensions.Logging.ILogger logger)
        {
            Source = new KafkaRecordSource(options, id, logger);
            var sink = new TransactionalAlertSink(Source.TransactionOf, options.AlertsTopic);
            Reading = Task.Run(async () =>
            {
                try
                {
                    await foreach (var chunk in Source.ReadAsync(_stop.Token))
                    {
                        var alerts = chunk.Select(r => Encoding.UTF8.GetString(r.Payload.Span))
                            .Select(v => new Alert(v, v, DateTimeOffset.UnixEpoch, 1, 0, 1, [], null)).ToList();
                        await sink.PublishAsync(alerts, [.. chunk.Select(r => r.Position)], CancellationToken.None);
                        foreach (var record in chunk)
                        {
                            Source.Acknowledge(record.Position);
                        }
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    // Stopped.
                }
            });
        }

        public KafkaRecordSource Source { get; }

        public Task Reading { get; }

        public static Member Start(KafkaOptions options, string id, Microsoft.Extensions.Logging.ILogger logger) => new(options, id, logger);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAny(Reading, Task.Delay(TimeSpan.FromSeconds(30)));
            await Source.DisposeAsync();
            _stop.Dispose();
        }
    }

    /// <summary>The source's log lines (information and up) in the test output.</summary>
    private sealed class OutputLogger(Xunit.Abstractions.ITestOutputHelper output, string who) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Information;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                try
                {
                    output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {who} {logLevel}: {formatter(state, exception)} {exception?.Message}");
                }
                catch (InvalidOperationException)
                {
                    // The test has ended.
                }
            }
        }
    }
}
