using System.Collections.Concurrent;

namespace Detector.Streams.Alerts;

/// <summary>Keeps every alert in memory (tests, demo, evaluation).</summary>
public sealed class InMemoryAlertSink : IAlertSink
{
    private readonly ConcurrentQueue<Alert> _alerts = new();

    /// <summary>Alerts published so far, in publish order.</summary>
    public IReadOnlyCollection<Alert> Alerts => _alerts;

    /// <inheritdoc />
    public ValueTask PublishAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken)
    {
        foreach (var a in alerts)
        {
            _alerts.Enqueue(a);
        }
        return ValueTask.CompletedTask;
    }
}
