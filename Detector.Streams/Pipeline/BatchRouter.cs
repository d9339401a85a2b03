using Detector.Streams.Actors;
using Detector.Streams.Records;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Routes sealed batches to model actors: to the one with the emptiest mailbox (round-robin among equals), waiting for
/// room when all are full — that wait is the pipeline's backpressure.
/// </summary>
internal sealed class BatchRouter(IReadOnlyList<ActorRef> modelActors)
{
    private int _next;

    /// <summary>The model actors batches are spread over.</summary>
    public IReadOnlyList<ActorRef> ModelActors => modelActors;

    /// <summary>Hands the batch to a model actor; completes once it is in that actor's mailbox.</summary>
    public ValueTask RouteAsync(RecordBatch batch, CancellationToken cancellationToken)
    {
        var n = modelActors.Count;
        var best = _next;
        for (var k = 1; k < n; k++)
        {
            var candidate = (_next + k) % n;
            if (modelActors[candidate].MailboxDepth < modelActors[best].MailboxDepth)
            {
                best = candidate;
            }
        }
        _next = (best + 1) % n;
        return modelActors[best].TellAsync(new ScoreBatch(batch), cancellationToken);
    }
}
