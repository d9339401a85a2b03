namespace Detector.Streams.Alerts;

/// <summary>Where alerts go. A completed publish means the sink has accepted them (the records may be acknowledged).</summary>
public interface IAlertSink
{
    /// <summary>Publishes alerts (possibly none); completes once they are accepted.</summary>
    ValueTask PublishAsync(IReadOnlyList<Alert> alerts, CancellationToken cancellationToken);
}
