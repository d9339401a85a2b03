using Detector.Streams.Actors;
using Detector.Streams.DeadLetters;
using Detector.Streams.Records;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Batch: registers every record with the offset tracker in source order, copies its decoded row into the open batch
/// (records that failed to decode go to the dead-letter sink with their reason; decoding happens before, in
/// <see cref="ParallelDecoder"/>), seals a batch at max rows or max wait, and routes it
/// to a model actor (awaiting room: backpressure reaches the source). Until the first model exists, sealed batches are
/// held (at most the warm-up rows) and the first model is trained on them; in a cluster, a node that is not the trainer
/// waits with them (backpressure reaches the source) until the trainer's first model arrives or it becomes the trainer.
/// Held batches leave as soon as a first model is live, however few they are (a model from the cluster can arrive
/// before this node has seen the warm-up rows), and always before any later batch.
/// </summary>
internal sealed class BatcherActor(PipelineContext ctx, BatchRouter router, ActorRef trainer) : IActor
{
    /// <summary>Sealed batches waiting for the first model (bounded by the warm-up row count).</summary>
    private readonly List<RecordBatch> _waiting = [];
    private RecordBatch? _open;
    private long _sequence;
    private int _waitingRows;
    private ITimer? _timer;

    public async Task ReceiveAsync(IActorContext context)
    {
        switch (context.Message)
        {
            case IngestRecords ingest:
                await IngestAsync(ingest.Chunk, context).ConfigureAwait(false);
                break;
            case IngestBatch { Batch: var batch }:
                // Seal what is open first so records leave in source order, then treat the full batch as sealed.
                await SealAsync(context).ConfigureAwait(false);
                _open = batch;
                batch.Sequence = ++_sequence;
                await SealAsync(context).ConfigureAwait(false);
                break;
            case FlushBatch flush when _open is { } open && open.Sequence == flush.Sequence:
                await SealAsync(context).ConfigureAwait(false);
                break;
            case RouteHeldBatches when ctx.Registry.Current is not null:
                await RouteHeldAsync(context.CancellationToken).ConfigureAwait(false);
                break;
            case Drain:
                await SealAsync(context).ConfigureAwait(false);
                if (_waiting.Count > 0)
                {
                    await TrainFirstModelAsync(context.CancellationToken).ConfigureAwait(false);
                }
                context.Respond(Drained.Instance);
                break;
            case Stopped:
                _timer?.Dispose();
                break;
        }
    }

    private async Task IngestAsync(DecodedChunk chunk, IActorContext context)
    {
        var records = chunk.Records;
        var positions = new SourcePosition[records.Count];
        for (var i = 0; i < positions.Length; i++)
        {
            positions[i] = records[i].Position;
        }
        ctx.Offsets.Register(positions);
        try
        {
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                if (chunk.Error(i) is { } error)
                {
                    await ctx.DeadLetterAsync(new DeadLetter(record.Payload, record.Position, error.Reason, error.Detail), context.CancellationToken).ConfigureAwait(false);
                    continue;
                }
                var open = _open ??= Open(context);
                chunk.Features(i).CopyTo(open.NextRow());
                open.Commit(chunk.Info(i), record.Position, record.Payload, record.ReceivedAt.UtcTicks);
                if (open.IsFull)
                {
                    await SealAsync(context).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            chunk.Release();
        }
    }

    private RecordBatch Open(IActorContext context)
    {
        var batch = ctx.Pool.Rent();
        batch.Sequence = ++_sequence;
        var self = context.Self;
        var sequence = batch.Sequence;
        _timer?.Dispose();
        // The timer only asks; if the mailbox is full the batch fills up or a later tick seals it.
        _timer = ctx.Time.CreateTimer(_ => self.TryTell(new FlushBatch(sequence)), null, ctx.Options.BatchMaxWait, ctx.Options.BatchMaxWait);
        return batch;
    }

    private async Task SealAsync(IActorContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (_open is not { } batch)
        {
            return;
        }
        _open = null;
        _timer?.Dispose();
        _timer = null;
        if (batch.Count == 0)
        {
            ctx.Pool.Return(batch);
            return;
        }
        if (ctx.Registry.Current is null)
        {
            if (_waiting.Count == 0)
            {
                RouteHeldOnFirstModel(context);
            }
            _waiting.Add(batch);
            _waitingRows += batch.Count;
            if (_waitingRows >= ctx.Options.Retraining.WarmUpRows)
            {
                await TrainFirstModelAsync(cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        await RouteHeldAsync(cancellationToken).ConfigureAwait(false);
        await router.RouteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks this actor to route the held batches once a first model is live, wherever it comes from.</summary>
    private void RouteHeldOnFirstModel(IActorContext context)
    {
        var self = context.Self;
        var cancellationToken = context.CancellationToken;
        _ = Task.Run(async () =>
        {
            try
            {
                await ctx.Registry.FirstModelAsync(cancellationToken).ConfigureAwait(false);
                await self.TellAsync(RouteHeldBatches.Instance, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The pipeline stopped first: a drain routes what is held.
            }
        }, CancellationToken.None);
    }

    /// <summary>Trains the first model on the held batches (rows labelled anomalous left out), then routes them.</summary>
    private async Task TrainFirstModelAsync(CancellationToken cancellationToken)
    {
        var role = ctx.Distribution.Role;
        while (ctx.Registry.Current is null && !role.IsTrainer)
        {
            await Task.WhenAny(ctx.Registry.FirstModelAsync(cancellationToken), role.WhenTrainerAsync(cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        if (ctx.Registry.Current is null)
        {
            var features = ctx.Schema.Count;
            var rows = new float[_waitingRows * features];
            var count = 0;
            foreach (var batch in _waiting)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    if (batch.Info[i].Label != true)
                    {
                        batch.Row(i).CopyTo(rows.AsSpan(count++ * features));
                    }
                }
            }
            await trainer.AskAsync<object>(new TrainInitialModel(rows, count), TimeSpan.FromHours(1), cancellationToken).ConfigureAwait(false);
            // In a cluster the model goes live when it comes back through the broadcast.
            await ctx.Registry.FirstModelAsync(cancellationToken).ConfigureAwait(false);
        }
        await RouteHeldAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Routes the held batches, oldest first.</summary>
    private async Task RouteHeldAsync(CancellationToken cancellationToken)
    {
        foreach (var batch in _waiting)
        {
            await router.RouteAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        _waiting.Clear();
        _waitingRows = 0;
    }
}
