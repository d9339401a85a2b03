using System.Diagnostics;
using Akka.Actor;
using Detector.Models.Numerics;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Detector.Streams.Pipeline;
using Microsoft.Extensions.Logging;

namespace Detector.Streams.Training;

/// <summary>
/// Trains models on the pinned trainer dispatcher (a thread of its own: a training run takes seconds of CPU). The first
/// model is trained on the warm-up rows and published as is. Later candidates are trained on the normal-row reservoir
/// minus a held-out share, and published only if their mean held-out score is within the gate of the current model's
/// on the same rows; before publishing, the threshold stage receives the candidate's scores of recent rows so the
/// threshold is recalibrated at cut-over. In a cluster only the elected trainer trains, and its models go to the
/// cluster's publisher; every node (the trainer too) installs them when they come back, recalibrating its own
/// thresholds with its own recent rows. Messages are handled one at a time (the mailbox is suspended while one is
/// awaited), so an install never races a retrain. A failure other than a failed training run stops the pipeline's run
/// (its parent's strategy).
/// </summary>
internal sealed class TrainerActor : ReceiveActor
{
    private readonly PipelineContext _ctx;
    private readonly ThresholdStage _thresholds;
    private readonly RetrainRequests _requests;
    private readonly Trainer _trainer;
    private readonly PromotionGate _gate;
    private int _runs;

    /// <summary>The version whose threshold recalibration this actor already sent (so its own model is not recalibrated twice).</summary>
    private long _recalibrated;

    /// <summary>Creates the actor; use <see cref="Props"/>.</summary>
    public TrainerActor(PipelineContext ctx, ThresholdStage thresholds, RetrainRequests requests, TrainerStatus status)
    {
        _ctx = ctx;
        _thresholds = thresholds;
        _requests = requests;
        _trainer = new Trainer(_ctx.Kernels);
        _gate = new PromotionGate(_ctx.Options.Retraining, _ctx.Time);
        Status = status;
        // The sender is read before the first await: the continuation may run after the next message's Sender is set.
        ReceiveAsync<TrainInitialModel>(async initial =>
        {
            var sender = Sender;
            sender.Tell(await AnsweringFailureAsync(sender, () => TrainInitialAsync(initial.Rows, initial.Count, _ctx.Stopped)));
        });
        ReceiveAsync<InstallModel>(async install =>
        {
            var sender = Sender;
            sender.Tell(await AnsweringFailureAsync(sender, () => install.AsNewVersion
                ? InstallAsNewVersionAsync(install.Model, _ctx.Stopped)
                : Task.FromResult(Install(install.Model))));
        });
        ReceiveAsync<Retrain>(async retrain =>
        {
            var sender = Sender;
            if (!retrain.Force)
            {
                _requests.Taken();
            }
            var outcome = await AnsweringFailureAsync(retrain.Force ? sender : ActorRefs.Nobody, () => RetrainAsync(retrain.Force, _ctx.Stopped));
            if (retrain.Force)
            {
                sender.Tell(outcome); // forced retrains are asked for; the periodic ones are told
            }
        });
    }

    /// <summary>What the trainer reports outside the actor (the last validation loss).</summary>
    private TrainerStatus Status { get; }

    /// <summary>Props on the pinned trainer dispatcher.</summary>
    public static Props Props(PipelineContext ctx, ThresholdStage thresholds, RetrainRequests requests, TrainerStatus status) =>
        Akka.Actor.Props.Create(() => new TrainerActor(ctx, thresholds, requests, status)).WithDispatcher(PipelineAkkaConfig.TrainerDispatcher);

    /// <summary>Runs a handler; a failure is answered to the asker (so its ask ends) and thrown (so the run stops).</summary>
    private static async Task<T> AnsweringFailureAsync<T>(IActorRef asker, Func<Task<T>> handle)
    {
        try
        {
            return await handle();
        }
        catch (Exception e)
        {
            asker.Tell(new Status.Failure(e));
            throw;
        }
    }

    private async Task<ModelSnapshot> TrainInitialAsync(float[] rows, int count, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var model = Train(rows, count);
        var published = await PublishAsync(model, _ctx.Registry.ReserveVersion(), cancellationToken);
        _ctx.Metrics.TrainingRun("published", clock.Elapsed);
        _ctx.Logger.LogInformation("first model v{Version} trained on {Rows} warm-up rows in {Seconds:F1}s (loss {Loss:G4})",
            published.Version, count, clock.Elapsed.TotalSeconds, Status.LastLoss);
        return published;
    }

    private async Task<RetrainFinished> RetrainAsync(bool force, CancellationToken cancellationToken)
    {
        var options = _ctx.Options.Retraining;
        var current = _ctx.Registry.Current;
        var (sample, rows) = _ctx.Reservoir.Sample();
        if (!_ctx.Distribution.Role.IsTrainer)
        {
            return new RetrainFinished("not-trainer", current?.Version ?? 0, double.NaN, double.NaN);
        }
        if (current is null || rows < 20 || (!force && rows < options.WarmUpRows / 2) || !_gate.TryStart(force))
        {
            return new RetrainFinished("skipped", current?.Version ?? 0, double.NaN, double.NaN);
        }
        var clock = Stopwatch.StartNew();
        var features = _ctx.Schema.Count;
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
            _ctx.Metrics.TrainingRun("failed", clock.Elapsed);
            _ctx.Logger.LogWarning(e, "retraining failed; keeping model v{Version}", current.Version);
            return new RetrainFinished("failed", current.Version, double.NaN, double.NaN);
        }
        var (accepted, candidateScore, currentScore) = _gate.Compare(candidate, current, test, heldOut, _ctx.Kernels);
        if (!accepted)
        {
            _ctx.Metrics.TrainingRun("rejected", clock.Elapsed);
            _ctx.Logger.LogInformation("candidate rejected: held-out score {Candidate:G4} vs current v{Version} {Current:G4}", candidateScore, current.Version, currentScore);
            return new RetrainFinished("rejected", current.Version, candidateScore, currentScore);
        }
        var version = _ctx.Registry.ReserveVersion();
        Recalibrate(candidate, version);
        var published = await PublishAsync(candidate, version, cancellationToken);
        _ctx.Metrics.TrainingRun("published", clock.Elapsed);
        _ctx.Logger.LogInformation("model v{Version} published: held-out score {Candidate:G4} vs {Current:G4}, {Seconds:F1}s",
            published.Version, candidateScore, currentScore, clock.Elapsed.TotalSeconds);
        return new RetrainFinished("published", published.Version, candidateScore, currentScore);
    }

    /// <summary>Installs locally, or sends to the cluster (this node installs it when it comes back).</summary>
    private async Task<ModelSnapshot> PublishAsync(ModelSnapshot model, long version, CancellationToken cancellationToken)
    {
        if (_ctx.Distribution.Publisher is not { } publisher)
        {
            return _ctx.Registry.Publish(model, version);
        }
        var named = model.WithIdentity(_ctx.Registry.Name, version);
        await publisher.PublishAsync(named, cancellationToken);
        return named;
    }

    /// <summary>
    /// Puts a model from outside (an upload, a rollback) live the way a retrained one goes: under a new version, with the
    /// thresholds first recalibrated on its scores of recent rows; in a cluster it goes to every node through the
    /// publisher. On the trainer's thread, so it never races a retrain.
    /// </summary>
    private async Task<ModelInstalled> InstallAsNewVersionAsync(ModelSnapshot model, CancellationToken cancellationToken)
    {
        var version = _ctx.Registry.ReserveVersion();
        Recalibrate(model, version);
        var published = await PublishAsync(model, version, cancellationToken);
        _ctx.Logger.LogInformation("model installed as v{Version} (trained {TrainedAt:O})", published.Version, model.Metadata.TrainedAt);
        return new ModelInstalled("installed", published.Version);
    }

    /// <summary>A model from the cluster: recalibrate (unless this actor already did, for its own model), then go live.</summary>
    private ModelInstalled Install(ModelSnapshot model)
    {
        if (model.Version <= _ctx.Registry.Version)
        {
            return new ModelInstalled("stale", _ctx.Registry.Version);
        }
        if (!model.Schema.Equals(_ctx.Schema))
        {
            _ctx.Logger.LogError("model v{Version} rejected: its features [{Model}] are not this node's [{Node}]",
                model.Version, string.Join(",", model.Schema.Names), string.Join(",", _ctx.Schema.Names));
            return new ModelInstalled("rejected", _ctx.Registry.Version);
        }
        if (_recalibrated != model.Version && _ctx.Registry.Current is not null)
        {
            Recalibrate(model, model.Version);
        }
        var installed = _ctx.Registry.Publish(model, model.Version);
        Status.LastLoss = model.Metadata.FinalLoss;
        _ctx.Logger.LogInformation("model v{Version} installed from the cluster", installed.Version);
        return new ModelInstalled("installed", installed.Version);
    }

    /// <summary>Gives the threshold stage the model's scores of recent rows, applied when its first batch arrives.</summary>
    private void Recalibrate(ModelSnapshot model, long version)
    {
        var (recent, recentRows) = _ctx.Reservoir.Recent();
        _recalibrated = version;
        if (recentRows == 0)
        {
            return;
        }
        var recalibration = new float[recentRows];
        model.CreateScorer(_ctx.Kernels).Score(recent, recentRows, recalibration, []);
        _thresholds.Recalibrate(version, recalibration);
    }

    private ModelSnapshot Train(float[] rows, int count)
    {
        var options = _ctx.Options.Retraining;
        var model = _trainer.Train(rows, count, _ctx.Schema, options.Model, options.Training);
        Status.LastLoss = model.Metadata.FinalLoss;
        return model;
    }
}
