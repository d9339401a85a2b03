using Detector.Streams.Records;

namespace Detector.Streams.Alerts;

/// <summary>
/// An alert sink that needs to know which record raised each alert (e.g. to write it in the transaction of the
/// record's input partition). The pipeline calls this overload instead of <see cref="IAlertSink.PublishAsync"/>.
/// </summary>
public interface IPositionedAlertSink : IAlertSink
{
    /// <summary>Publishes alerts; positions[i] is the source position of the record that raised alerts[i].</summary>
    ValueTask PublishAsync(IReadOnlyList<Alert> alerts, IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken);
}
