using System.Diagnostics;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using Detector.Streams.DeadLetters;
using Detector.Streams.Records;
using Detector.Streams.Sources;
using Detector.Streams.Training;

namespace Detector.Streams.Pipeline;

// The ingest graph, read left to right as the data flows:
//   source ─> decode (ordered, parallel) ─> admit (register offsets; bad records → dead letters) ─> batch
//   ─> warm-up (hold until the first model) ─> score (ask the model actors) ─> judge (thresholds)
//   ─> publish alerts, then acknowledge ─> done
// Every stage is bounded: SelectAsync parallelism, one element per stage boundary (input buffer 1), and the batches
// the warm-up stage holds; the stream pulls only when there is room, so backpressure reaches the source. The graph runs
// as two actors (an async boundary after batching), so reading and batching overlap with judging on two threads.
public sealed partial class DetectorPipeline
{
    /// <summary>Runs the source through the pipeline; completes when every record read is acknowledged.</summary>
    public Task RunAsync(IRecordSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var workers = _decoder.IsThreadSafe ? Environment.ProcessorCount : 1;
        return RunGraphAsync(source.Acknowledge, token => Source.From(() => source.ReadAsync(token))
            .Via(DecodeFlow.Create(_decoder, workers, _timings[0]))
            .SelectAsync(1, chunk => AdmitAsync(chunk, token))
            .Via(new BatcherStage(_context.Pool, _context.Options.BatchMaxWait)), cancellationToken);
    }

    /// <summary>Runs an in-process source of ready batches through the pipeline; completes when all are acknowledged.</summary>
    public Task RunAsync(IBatchSource source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return RunGraphAsync(source.Acknowledge, token => Source.From(() => source.ReadAsync(_context.Pool, token)).Select(batch =>
        {
            Offsets.Register(batch.Positions.AsSpan(0, batch.Count));
            Metrics.RecordsConsumed(batch.Count);
            return batch;
        }), cancellationToken);
    }

    /// <summary>
    /// Materializes the graph on the batches, waits for it to complete and for every record to be acknowledged (dead
    /// letters are confirmed apart from the stream); surfaces the failure that stopped the run.
    /// </summary>
    private async Task RunGraphAsync(Action<SourcePosition> acknowledge, Func<CancellationToken, Source<RecordBatch, NotUsed>> batches,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _stopping) is not null, this);
        Offsets.Acknowledged += acknowledge;
        try
        {
            using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _failure.Token);
            var token = run.Token;
            var options = _context.Options;
            // Two islands, each on a thread of its own: reading, decoding and batching; then scoring (the model actors
            // have their own threads), thresholds, publishing and acknowledgement. One batch waits between them.
            var (killSwitch, done) = batches(token).Async()
                .ViaMaterialized(KillSwitches.Single<RecordBatch>(), Keep.Right)
                .Via(new WarmUpStage(Registry, options.Retraining.WarmUpRows, _context.Schema.Count, (rows, count) => TrainFirstModelAsync(rows, count, token), token))
                .SelectAsync(options.EffectiveMaxBatchesInFlight, batch => _models.ScoreAsync(batch, token))
                .Select(Judge)
                .SelectAsyncUnordered(options.MaxPendingWrites, judged => PublishAsync(judged, token))
                .ToMaterialized(Sink.Ignore<NotUsed>(), Keep.Both)
                .Run(_materializer);
            Volatile.Write(ref _running, killSwitch);
            Volatile.Write(ref _runDone, done);
            await using var cancel = token.Register(() => killSwitch.Abort(new OperationCanceledException(token)));
            try
            {
                await done.Unwrapped().ConfigureAwait(false);
                await Offsets.WhenIdleAsync().WaitAsync(token).ConfigureAwait(false);
            }
            catch (Exception) when (_failed.Task.IsFaulted)
            {
                await _failed.Task.ConfigureAwait(false);
            }
        }
        finally
        {
            Volatile.Write(ref _running, null);
            Offsets.Acknowledged -= acknowledge;
        }
    }

    /// <summary>Counts the chunk, registers its records in source order, and dead-letters those that failed to decode.</summary>
    private async Task<DecodedChunk> AdmitAsync(DecodedChunk chunk, CancellationToken cancellationToken)
    {
        var records = chunk.Records;
        Metrics.RecordsConsumed(records.Count);
        var positions = new SourcePosition[records.Count];
        for (var i = 0; i < positions.Length; i++)
        {
            positions[i] = records[i].Position;
        }
        Offsets.Register(positions);
        for (var i = 0; i < records.Count; i++)
        {
            if (chunk.Error(i) is { } error)
            {
                var record = records[i];
                await _context.DeadLetterAsync(new DeadLetter(record.Payload, record.Position, error.Reason, error.Detail), cancellationToken).ConfigureAwait(false);
            }
        }
        return chunk;
    }

    private JudgedBatch Judge(RecordBatch batch)
    {
        var start = Stopwatch.GetTimestamp();
        var judged = _thresholds.Judge(batch);
        _timings[2].Add(Stopwatch.GetElapsedTime(start));
        return judged;
    }

    /// <summary>
    /// Publishes the batch's alerts (retrying a failing sink with backoff until it confirms), then acknowledges the
    /// batch's records and recycles it: records are never acknowledged before their alerts are accepted.
    /// </summary>
    private async Task<NotUsed> PublishAsync(JudgedBatch judged, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var (batch, alerts) = (judged.Batch, judged.Alerts);
        Common.AtomicMax.Update(ref _peakPublishing, Interlocked.Increment(ref _publishing));
        try
        {
            await PendingWrites.WriteUntilConfirmedAsync(token => _context.Alerts.PublishAsync(alerts, token), $"publishing {alerts.Count} alerts",
                _context.Time, _context.Logger, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _publishing);
        }
        Offsets.Complete(batch.Positions.AsSpan(0, batch.Count));
        _context.Pool.Return(batch);
        _timings[3].Add(Stopwatch.GetElapsedTime(start));
        return NotUsed.Instance;
    }

    /// <summary>
    /// Trains the first model on the warm-up rows and waits until it is live. In a cluster a node that is not the
    /// trainer waits instead (backpressure reaches the source) until the trainer's first model arrives or it becomes
    /// the trainer; the trainer's model goes live when it comes back through the broadcast.
    /// </summary>
    private async Task TrainFirstModelAsync(float[] rows, int count, CancellationToken cancellationToken)
    {
        var role = _context.Distribution.Role;
        while (Registry.Current is null && !role.IsTrainer)
        {
            await Task.WhenAny(Registry.FirstModelAsync(cancellationToken), role.WhenTrainerAsync(cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        if (Registry.Current is null)
        {
            await AskTrainerAsync<object>(new TrainInitialModel(rows, count), TimeSpan.FromHours(1), cancellationToken).ConfigureAwait(false);
            await Registry.FirstModelAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
