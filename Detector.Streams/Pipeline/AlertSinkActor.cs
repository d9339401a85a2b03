using Detector.Streams.Actors;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Publishes a batch's alerts and, once the sink has confirmed them, acknowledges the batch's records with the offset
/// tracker and recycles the batch. Publishes overlap (a Kafka sink confirms deliveries asynchronously); a failing
/// sink is retried with backoff: records are never acknowledged before their alerts are accepted, and never dropped.
/// </summary>
internal sealed class AlertSinkActor(PipelineContext ctx) : IActor
{
    public async Task ReceiveAsync(IActorContext context)
    {
        switch (context.Message)
        {
            case PublishAlerts { Batch: var batch, Alerts: var alerts }:
                await ctx.Writes.StartAsync(token => ctx.Alerts.PublishAsync(alerts, token), () =>
                {
                    ctx.Offsets.Complete(batch.Positions.AsSpan(0, batch.Count));
                    ctx.Pool.Return(batch);
                }, $"publishing {alerts.Count} alerts", context.CancellationToken).ConfigureAwait(false);
                break;
            case Stopping:
                await ctx.Writes.WhenIdleAsync().ConfigureAwait(false);
                break;
        }
    }
}
