using System.Text;
using Detector.Streams.Alerts;
using Detector.Streams.Kafka;
using Microsoft.Extensions.Logging;

namespace Detector.Tests.Kafka;

/// <summary>A node in small, ExactlyOnce: reads, writes one alert per record (keyed by its value) through the transactional sink, acknowledges.</summary>
internal sealed class ExactlyOnceMember : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();

    private ExactlyOnceMember(KafkaOptions options, string id, ILogger logger)
    {
        Source = new KafkaRecordSource(options, id, logger);
        var sink = new TransactionalAlertSink(Source.TransactionOf, options.AlertsTopic);
        Reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var chunk in Source.ReadAsync(_stop.Token))
                {
                    var alerts = chunk.Select(r => (Value: Encoding.UTF8.GetString(r.Payload.Span), r.Position))
                        .Select(v => new Alert(v.Value, v.Value, DateTimeOffset.UnixEpoch, 1, 0, 1, [], null) { Position = v.Position }).ToList();
                    await sink.PublishAsync(alerts, CancellationToken.None);
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

    public static ExactlyOnceMember Start(KafkaOptions options, string id, ILogger logger) => new(options, id, logger);

    public string Describe() => $"{Source.TransactionsCommitted} committed, {Source.TransactionsAborted} aborted, in flight {Source.InFlight}, " +
        $"consumed {Source.Consumed} [{string.Join(" ", Source.Partitions)}]";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAny(Reading, Task.Delay(TimeSpan.FromSeconds(30)));
        await Source.DisposeAsync();
        _stop.Dispose();
    }
}
