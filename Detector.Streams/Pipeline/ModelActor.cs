using System.Diagnostics;
using Detector.Models.Kernels;
using Detector.Models.Scoring;
using Detector.Streams.Actors;
using Detector.Streams.DeadLetters;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Scores batches on its own thread with its own scorer (scratch buffers) over the registry's current model. The model
/// is looked up once per batch, so a hot-swap takes effect between batches and every batch carries the one version
/// that scored all of its rows. A row the model rejects (its score overflows) is dead-lettered and the rest rescored.
/// The actor scores with its own kernels: those of the device it is pinned to (the CPU's, or one CUDA stream's).
/// </summary>
internal sealed class ModelActor(PipelineContext ctx, IKernels<float> kernels, ActorRef thresholds) : IActor
{
    private ModelSnapshot? _model;
    private Scorer? _scorer;

    public async Task ReceiveAsync(IActorContext context)
    {
        if (context.Message is not ScoreBatch { Batch: var batch })
        {
            return;
        }
        var model = ctx.Registry.Current ?? throw new InvalidOperationException("a batch was routed before the first model was published");
        if (!ReferenceEquals(model, _model))
        {
            _model = model;
            // The configured engine computes (Native, or Torch when Detector.Models.Torch registered it); whichever engine
            // trained the model, the weights are the same.
            _scorer = model.OnEngine(ctx.Options.Retraining.Model.Engine).CreateScorer(kernels, ctx.Pool.BatchCapacity);
        }
        var start = Stopwatch.GetTimestamp();
        while (batch.Count > 0)
        {
            try
            {
                _scorer!.Score(batch.Rows, batch.Count, batch.Scores, batch.Contributions.AsSpan(0, batch.Count * batch.FeatureCount));
                break;
            }
            catch (InvalidBatchException e) when (e.Row >= 0 && e.Row < batch.Count)
            {
                var letter = new DeadLetter(batch.Payloads[e.Row], batch.Positions[e.Row], DeadLetterReason.ScoringFailed, e.Message);
                batch.RemoveAt(e.Row);
                await ctx.DeadLetterAsync(letter, context.CancellationToken).ConfigureAwait(false);
            }
        }
        batch.ModelVersion = model.Version;
        ctx.Metrics.BatchScored(batch.Count, Stopwatch.GetElapsedTime(start));
        await thresholds.TellAsync(new JudgeBatch(batch), context.CancellationToken).ConfigureAwait(false);
    }
}
