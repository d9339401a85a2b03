using System.Diagnostics;
using Confluent.Kafka;
using Detector.Streams.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Detector.Streams.Kafka;

/// <summary>
/// Produces records into a topic at a given rate (or as fast as the brokers take them), optionally throttled on a
/// consumer group's lag. Every record's delivery is confirmed before <see cref="RunAsync"/> returns.
/// </summary>
public sealed class KafkaReplay(KafkaOptions options, string topic, ILogger? logger = null, TimeProvider? time = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Produces every record; returns once all are acknowledged (or failed).</summary>
    public async Task<ReplayResult> RunAsync(IEnumerable<ReplayRecord> records, ReplayOptions replay, CancellationToken cancellationToken)
    {
        replay.Validate();
        KafkaLibrary.EnsureLoaded();
        var config = KafkaClientConfigs.Producer(options, "detector-replay");
        config.LingerMs = 20;
        using var producer = new ProducerBuilder<byte[]?, byte[]>(config)
            .SetLogHandler((_, m) => _logger.LogDebug("replay: librdkafka {Facility}: {Message}", m.Facility, m.Message))
            .SetErrorHandler((_, e) => _logger.LogDebug("replay: {Reason}", e.Reason))
            .Build();
        using var lag = replay.ThrottleGroup is { } group ? new GroupLagProbe(options, group, topic) : null;
        long delivered = 0, failed = 0;
        var highs = new long[1024];
        Array.Fill(highs, -1);
        void Delivered(DeliveryReport<byte[]?, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failed);
                _logger.LogWarning("replay: delivery failed: {Reason}", report.Error.Reason);
                return;
            }
            Interlocked.Increment(ref delivered);
            AtomicMax.Update(ref highs[report.Partition.Value], report.Offset.Value);
        }
        var clock = Stopwatch.StartNew();
        long produced = 0;
        foreach (var record in records)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (produced % 1024 == 0)
            {
                await PaceAsync(produced, clock, replay, lag, highs, cancellationToken).ConfigureAwait(false);
                // The lag check sees delivered offsets only: keep what sits undelivered in the client's queue within the bound too.
                while (lag is not null && produced - Interlocked.Read(ref delivered) - Interlocked.Read(ref failed) > replay.MaxLagPerPartition)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(5), _time, cancellationToken).ConfigureAwait(false);
                }
            }
            var message = new Message<byte[]?, byte[]> { Key = record.Key, Value = record.Value };
            KafkaProducerHost.ProduceWaiting(producer, topic, message, Delivered);
            produced++;
        }
        while (producer.Flush(TimeSpan.FromMilliseconds(200)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
        var watermarks = new Dictionary<int, long>();
        for (var p = 0; p < highs.Length; p++)
        {
            if (highs[p] >= 0)
            {
                watermarks[p] = highs[p] + 1;
            }
        }
        return new ReplayResult(Interlocked.Read(ref delivered), Interlocked.Read(ref failed), clock.Elapsed, watermarks);
    }

    /// <summary>Waits for the rate and for the throttle group to catch up.</summary>
    private async Task PaceAsync(long produced, Stopwatch clock, ReplayOptions replay, GroupLagProbe? lag, long[] highs, CancellationToken cancellationToken)
    {
        if (replay.RecordsPerSecond > 0)
        {
            var due = TimeSpan.FromSeconds(produced / replay.RecordsPerSecond) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        while (lag is not null && lag.MaxLag(highs) > replay.MaxLagPerPartition)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, cancellationToken).ConfigureAwait(false);
        }
    }
}
