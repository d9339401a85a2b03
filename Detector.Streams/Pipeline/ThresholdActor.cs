using Detector.Streams.Actors;
using Detector.Streams.Alerts;
using Detector.Streams.Records;
using Detector.Streams.Thresholds;

namespace Detector.Streams.Pipeline;

/// <summary>
/// Judges scored batches against the rolling thresholds (global and per entity, with alarm suppression), builds alerts
/// with the features to blame, feeds normal rows to the trainer's reservoir, and asks for retraining when enough new
/// normal data has arrived. When a batch of a newer model version arrives, the window is first replaced by that
/// model's scores of recent rows (sent ahead of the swap), so the threshold stays continuous across the swap. Batches
/// of the previous version still in flight at that moment (at most the model actors' mailboxes) are judged against the
/// recalibrated window.
/// </summary>
internal sealed class ThresholdActor(PipelineContext ctx, ThresholdTracker tracker, ActorRef alertSink, ActorRef trainer) : IActor
{
    /// <summary>Recalibration scores for versions not yet seen, by version.</summary>
    private readonly SortedDictionary<long, float[]> _recalibrations = [];
    private readonly int[] _top = new int[Math.Max(0, ctx.Options.TopFeatures)];
    private bool[] _normal = [];
    private long _version;
    private long _normalAtLastRetrain;

    public async Task ReceiveAsync(IActorContext context)
    {
        switch (context.Message)
        {
            case JudgeBatch { Batch: var batch }:
                await JudgeAsync(batch, context).ConfigureAwait(false);
                break;
            case RecalibrateThresholds r:
                _recalibrations[r.Version] = r.Scores;
                context.Respond(new ThresholdsRecalibrated(r.Version));
                break;
        }
    }

    private async Task JudgeAsync(RecordBatch batch, IActorContext context)
    {
        if (batch.ModelVersion > _version)
        {
            SwitchTo(batch.ModelVersion);
        }
        if (_normal.Length < batch.Count)
        {
            _normal = new bool[batch.Capacity];
        }
        List<Alert>? alerts = null;
        var anomalies = 0;
        string? example = null;
        var now = ctx.Time.GetUtcNow().UtcTicks;
        for (var i = 0; i < batch.Count; i++)
        {
            var info = batch.Info[i];
            var decision = tracker.Evaluate(info.EntityKey, batch.Scores[i], info.Timestamp);
            _normal[i] = info.Label is { } label ? !label : !decision.IsAnomaly;
            batch.Thresholds[i] = decision.Threshold;
            batch.Anomalous[i] = decision.IsAnomaly;
            ctx.Metrics.EndToEnd(TimeSpan.FromTicks(now - batch.ReceivedAt[i]));
            if (!decision.IsAnomaly)
            {
                continue;
            }
            anomalies++;
            example ??= info.Id;
            if (decision.RaiseAlert)
            {
                (alerts ??= []).Add(BuildAlert(batch, i, decision.Threshold));
            }
        }
        ctx.Reservoir.Add(batch.Rows, batch.Count, _normal);
        ctx.BatchJudged?.Invoke(batch);
        ctx.Metrics.Judged(anomalies, alerts?.Count ?? 0, example);
        ctx.Metrics.Scores(batch.Scores.AsSpan(0, batch.Count));
        var due = ctx.Options.Retraining.EveryRows;
        if (due > 0 && ctx.Reservoir.NormalSeen - _normalAtLastRetrain >= due && trainer.TryTell(Retrain.WhenDue))
        {
            _normalAtLastRetrain = ctx.Reservoir.NormalSeen;
        }
        await alertSink.TellAsync(new PublishAlerts(batch, (IReadOnlyList<Alert>?)alerts ?? []), context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>Seeds the thresholds for the new version: its calibration scores, else the recalibration scores sent.</summary>
    private void SwitchTo(long version)
    {
        ModelCalibration.Apply(tracker, ctx.Registry.Current, version, _recalibrations.GetValueOrDefault(version));
        foreach (var stale in _recalibrations.Keys.Where(v => v <= version).ToArray())
        {
            _recalibrations.Remove(stale);
        }
        _version = version;
    }

    private Alert BuildAlert(RecordBatch batch, int row, float threshold)
    {
        var info = batch.Info[row];
        var shares = batch.Contributions.AsSpan(row * batch.FeatureCount, batch.FeatureCount);
        var n = Detector.Models.Scoring.FeatureAttribution.Top(shares, _top);
        var features = new AlertFeature[n];
        var values = batch.Row(row);
        for (var k = 0; k < n; k++)
        {
            var j = _top[k];
            features[k] = new AlertFeature(ctx.Schema.Names[j], shares[j], values[j]);
        }
        return new Alert(info.Id, info.EntityKey, info.Timestamp, batch.Scores[row], threshold, batch.ModelVersion, features, info.Label);
    }
}
