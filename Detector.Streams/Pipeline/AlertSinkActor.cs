using Detector.Streams.Actors;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Publishes a batch's alerts and, once the sink has accepted them, acknowledges the batch's records with the offset
/// tracker and recycles the batch. A failing sink is retried with exponential backoff (capped at 5 s): records are
/// never acknowledged before their alerts are accepted, and never dropped.
/// </summary>
internal sealed class AlertSinkActor(PipelineContext ctx) : IActor
{
    public async Task ReceiveAsync(IActorContext context)
    {
        if (context.Message is not PublishAlerts { Batch: var batch, Alerts: var alerts })
        {
            return;
        }
        var backoff = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                await ctx.Alerts.PublishAsync(alerts, context.CancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ctx.Logger.LogWarning(e, "alert sink failed; retrying {Count} alerts in {Backoff}", alerts.Count, backoff);
                await Task.Delay(backoff, ctx.Time, context.CancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
        ctx.Offsets.Complete(batch.Positions.AsSpan(0, batch.Count));
        ctx.Pool.Return(batch);
    }
}
