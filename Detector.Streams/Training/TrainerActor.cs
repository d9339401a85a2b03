using System.Diagnostics;
using Detector.Models.Numerics;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Detector.Streams.Actors;
using Detector.Streams.Pipeline;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Training;

/// <summary>
/// Trains models on its own thread. The first model is trained on the warm-up rows and published as is. Later
/// candidates are trained on the normal-row reservoir minus a held-out share, and published only if their mean
/// held-out score is within the gate of the current model's on the same rows; before publishing, the threshold stage
/// receives the candidate's scores of recent rows so the threshold is recalibrated at cut-over. In a cluster only the
/// elected trainer trains, and its models go to the cluster's publisher; every node (the trainer too) installs them
/// when they come back, recalibrating its own thresholds with its own recent rows.
/// </summary>
internal sealed class TrainerActor(PipelineContext ctx, Func<ActorRef> thresholds) : IActor
{
    private readonly Trainer _trainer = new(ctx.Kernels);
    private readonly PromotionGate _gate = new(ctx.Options.Retraining, ctx.Time);
    private int _runs;

    /// <summary>The version whose threshold recalibration this actor already sent (so its own model is not recalibrated twice).</summary>
    private long _recalibrated;

    /// <summary>Validation loss of the last model trained (NaN before any).</summary>
    public double LastLoss { get; private set; } = double.NaN;

    public async Task ReceiveAsync(IActorContext context)
    {
        switch (context.Message)
        {
            case TrainInitialModel initial:
                context.Respond(await TrainInitialAsync(initial.Rows, initial.Count, context.CancellationToken).ConfigureAwait(false));
                break;
            case InstallModel { AsNewVersion: true } upload:
                context.Respond(await InstallAsNewVersionAsync(upload.Model, context.CancellationToken).ConfigureAwait(false));
                break;
            case InstallModel install:
                context.Respond(await InstallAsync(install.Model, context.CancellationToken).ConfigureAwait(false));
                break;
            case Retrain retrain:
                var outcome = await RetrainAsync(retrain.Force, context.CancellationToken).ConfigureAwait(false);
                if (retrain.Force)
                {
                    context.Respond(outcome); // forced retrains are asked for; the periodic ones are told
                }
                break;
        }
    }

    private async Task<ModelSnapshot> TrainInitialAsync(float[] rows, int count, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var model = Train(rows, count);
        var published = await PublishAsync(model, ctx.Registry.ReserveVersion(), cancellationToken).ConfigureAwait(false);
        ctx.Metrics.TrainingRun("published", clock.Elapsed);
        ctx.Logger.LogInformation("first model v{Version} trained on {Rows} warm-up rows in {Seconds:F1}s (loss {Loss:G4})",
            published.Version, count, clock.Elapsed.TotalSeconds, LastLoss);
        return published;
    }

    private async Task<RetrainFinished> RetrainAsync(bool force, CancellationToken cancellationToken)
    {
        var options = ctx.Options.Retraining;
        var current = ctx.Registry.Current;
        var (sample, rows) = ctx.Reservoir.Sample();
        if (!ctx.Distribution.Role.IsTrainer)
        {
            return new RetrainFinished("not-trainer", current?.Version ?? 0, double.NaN, double.NaN);
        }
        if (current is null || rows < 20 || (!force && rows < options.WarmUpRows / 2) || !_gate.TryStart(force))
        {
            return new RetrainFinished("skipped", current?.Version ?? 0, double.NaN, double.NaN);
        }
        var clock = Stopwatch.StartNew();
        var features = ctx.Schema.Count;
        var order = Enumerable.Range(0, rows).ToArray();
        var rng = new Rng(options.Training.Seed + (ulong)++_runs);
        rng.Shuffle(order);
        var heldOut = Math.Max(1, (int)(rows * options.HoldOutFraction));
        var trainRows = rows - heldOut;
        var train = Rows.Gather(sample, features, order.AsSpan(0, trainRows));
        var test = Rows.Gather(sample, features, order.AsSpan(trainRows));
        ModelSnapshot candidate;
        try
        {
            candidate = Train(train, trainRows);
        }
        catch (Exception e) when (e is ArithmeticException or ArgumentException)
        {
            ctx.Metrics.TrainingRun("failed", clock.Elapsed);
            ctx.Logger.LogWarning(e, "retraining failed; keeping model v{Version}", current.Version);
            return new RetrainFinished("failed", current.Version, double.NaN, double.NaN);
        }
        var (accepted, candidateScore, currentScore) = _gate.Compare(candidate, current, test, heldOut, ctx.Kernels);
        if (!accepted)
        {
            ctx.Metrics.TrainingRun("rejected", clock.Elapsed);
            ctx.Logger.LogInformation("candidate rejected: held-out score {Candidate:G4} vs current v{Version} {Current:G4}", candidateScore, current.Version, currentScore);
            return new RetrainFinished("rejected", current.Version, candidateScore, currentScore);
        }
        var version = ctx.Registry.ReserveVersion();
        await RecalibrateAsync(candidate, version, cancellationToken).ConfigureAwait(false);
        var published = await PublishAsync(candidate, version, cancellationToken).ConfigureAwait(false);
        ctx.Metrics.TrainingRun("published", clock.Elapsed);
        ctx.Logger.LogInformation("model v{Version} published: held-out score {Candidate:G4} vs {Current:G4}, {Seconds:F1}s",
            published.Version, candidateScore, currentScore, clock.Elapsed.TotalSeconds);
        return new RetrainFinished("published", published.Version, candidateScore, currentScore);
    }

    /// <summary>Installs locally, or sends to the cluster (this node installs it when it comes back).</summary>
    private async Task<ModelSnapshot> PublishAsync(ModelSnapshot model, long version, CancellationToken cancellationToken)
    {
        if (ctx.Distribution.Publisher is not { } publisher)
        {
            return ctx.Registry.Publish(model, version);
        }
        var named = model.WithIdentity(ctx.Registry.Name, version);
        await publisher.PublishAsync(named, cancellationToken).ConfigureAwait(false);
        return named;
    }

    /// <summary>
    /// Puts a model from outside (an upload, a rollback) live the way a retrained one goes: under a new version, with the
    /// thresholds first recalibrated on its scores of recent rows; in a cluster it goes to every node through the
    /// publisher. On the trainer's thread, so it never races a retrain.
    /// </summary>
    private async Task<ModelInstalled> InstallAsNewVersionAsync(ModelSnapshot model, CancellationToken cancellationToken)
    {
        var version = ctx.Registry.ReserveVersion();
        await RecalibrateAsync(model, version, cancellationToken).ConfigureAwait(false);
        var published = await PublishAsync(model, version, cancellationToken).ConfigureAwait(false);
        ctx.Logger.LogInformation("model installed as v{Version} (trained {TrainedAt:O})", published.Version, model.Metadata.TrainedAt);
        return new ModelInstalled("installed", published.Version);
    }

    /// <summary>A model from the cluster: recalibrate (unless this actor already did, for its own model), then go live.</summary>
    private async Task<ModelInstalled> InstallAsync(ModelSnapshot model, CancellationToken cancellationToken)
    {
        if (model.Version <= ctx.Registry.Version)
        {
            return new ModelInstalled("stale", ctx.Registry.Version);
        }
        if (!model.Schema.Equals(ctx.Schema))
        {
            ctx.Logger.LogError("model v{Version} rejected: its features [{Model}] are not this node's [{Node}]",
                model.Version, string.Join(",", model.Schema.Names), string.Join(",", ctx.Schema.Names));
            return new ModelInstalled("rejected", ctx.Registry.Version);
        }
        if (_recalibrated != model.Version && ctx.Registry.Current is not null)
        {
            await RecalibrateAsync(model, model.Version, cancellationToken).ConfigureAwait(false);
        }
        var installed = ctx.Registry.Publish(model, model.Version);
        LastLoss = model.Metadata.FinalLoss;
        ctx.Logger.LogInformation("model v{Version} installed from the cluster", installed.Version);
        return new ModelInstalled("installed", installed.Version);
    }

    /// <summary>Sends the threshold stage the model's scores of recent rows, applied when its first batch arrives.</summary>
    private async Task RecalibrateAsync(ModelSnapshot model, long version, CancellationToken cancellationToken)
    {
        var (recent, recentRows) = ctx.Reservoir.Recent();
        _recalibrated = version;
        if (recentRows == 0)
        {
            return;
        }
        var recalibration = new float[recentRows];
        model.CreateScorer(ctx.Kernels).Score(recent, recentRows, recalibration, []);
        await thresholds().AskAsync<ThresholdsRecalibrated>(new RecalibrateThresholds(version, recalibration), TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false);
    }

    private ModelSnapshot Train(float[] rows, int count)
    {
        var options = ctx.Options.Retraining;
        var model = _trainer.Train(rows, count, ctx.Schema, options.Model, options.Training);
        LastLoss = model.Metadata.FinalLoss;
        return model;
    }
}
