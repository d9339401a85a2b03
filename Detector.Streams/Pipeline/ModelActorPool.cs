using Akka.Actor;
using Detector.Streams.Records;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Pipeline;

/// <summary>
/// The stream's side of the model actors: asks the one with the fewest batches outstanding (round-robin among equals)
/// to score a batch, through the pipeline's supervisor. A batch whose actor failed, or was down waiting out its restart
/// backoff, is asked again after <see cref="PipelineOptions.ModelRestartBackoff"/>: records are never dropped. The
/// number of asks outstanding is the scoring stage's parallelism (<see cref="PipelineOptions.EffectiveMaxBatchesInFlight"/>).
/// </summary>
internal sealed class ModelActorPool(IActorRef supervisor, int actors, TimeSpan retryDelay, ILogger logger)
{
    /// <summary>Asks outstanding per actor (incremented on the stream's thread, decremented by replies on any thread).</summary>
    private readonly int[] _outstanding = new int[actors];
    private int _next;
    private long _peak;
    private Exception? _lastFailure;

    /// <summary>The last failure a model actor answered (the reason given when its restarts run out).</summary>
    public Exception? LastFailure => Volatile.Read(ref _lastFailure);

    /// <summary>Batches asked of the model actors and not yet answered.</summary>
    public long Outstanding
    {
        get
        {
            var sum = 0L;
            for (var k = 0; k < _outstanding.Length; k++)
            {
                sum += Volatile.Read(ref _outstanding[k]);
            }
            return sum;
        }
    }

    /// <summary>The most batches ever outstanding at once (the in-flight bound, observed).</summary>
    public long PeakOutstanding => Interlocked.Read(ref _peak);

    /// <summary>Failures answered by model actors so far.</summary>
    public int Failures => Volatile.Read(ref _failures);

    private int _failures;

    /// <summary>Scores the batch on some model actor, retrying on failure until it is scored or the token fires.</summary>
    public async Task<RecordBatch> ScoreAsync(RecordBatch batch, CancellationToken cancellationToken)
    {
        while (true)
        {
            var k = Pick();
            Interlocked.Increment(ref _outstanding[k]);
            Detector.Streams.Common.AtomicMax.Update(ref _peak, Outstanding);
            object? reply;
            try
            {
                reply = await supervisor.Ask<object>(new PipelineSupervisorActor.ToModel(k, new ModelActor.ScoreBatch(batch)), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Volatile.Write(ref _lastFailure, e);
                Interlocked.Increment(ref _failures);
                logger.LogWarning(e, "model-{Actor} failed to score a batch of {Rows} rows; it restarts after a backoff and the batch is asked again", k, batch.Count);
                reply = null;
            }
            finally
            {
                Interlocked.Decrement(ref _outstanding[k]);
            }
            if (reply is ModelActor.BatchScored scored)
            {
                return scored.Batch;
            }
            await Task.Delay(retryDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    private int Pick()
    {
        var best = _next;
        for (var i = 1; i < _outstanding.Length; i++)
        {
            var candidate = (_next + i) % _outstanding.Length;
            if (Volatile.Read(ref _outstanding[candidate]) < Volatile.Read(ref _outstanding[best]))
            {
                best = candidate;
            }
        }
        _next = (best + 1) % _outstanding.Length;
        return best;
    }
}
