using System.Collections.Concurrent;
using Detector.Streams.Alerts;
using Detector.Streams.Records;
using Detector.Streams.Thresholds;
using Detector.Streams.Training;

namespace Detector.Streams.Pipeline;

/// <summary>
/// The threshold step of the ingest stream (a <c>Select</c>: it is synchronous, ordered and holds the one
/// <see cref="ThresholdTracker"/> of the stream, so an actor would only add a hop). It judges scored batches against
/// the rolling thresholds (global and per entity, with alarm suppression), builds alerts with the features to blame,
/// feeds normal rows to the trainer's reservoir, and asks for retraining when enough new normal data has arrived. When
/// a batch of a newer model version arrives, the window is first replaced by that model's scores of recent rows (given
/// by the trainer before the swap through <see cref="Recalibrate"/>), so the threshold stays continuous across the
/// swap. Batches of the previous version still in flight at that moment are judged against the recalibrated window.
/// </summary>
internal sealed class ThresholdStage(PipelineContext ctx, ThresholdTracker tracker, RetrainRequests retrain)
{
    /// <summary>Recalibration scores for versions not yet seen, by version (written by the trainer, read by the stream).</summary>
    private readonly ConcurrentDictionary<long, float[]> _recalibrations = [];
    private readonly int[] _top = new int[Math.Max(0, ctx.Options.TopFeatures)];
    private bool[] _normal = [];
    private long _version;
    private long _normalAtLastRetrain;

    /// <summary>Use these scores (the model's, on recent rows) as the threshold window once <paramref name="version"/> arrives.</summary>
    public void Recalibrate(long version, float[] scores) => _recalibrations[version] = scores;

    /// <summary>Judges a scored batch; the alerts (after suppression) go with it to the alert sink.</summary>
    public JudgedBatch Judge(RecordBatch batch)
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
            var decision = tracker.EvaluateUnpublished(info.EntityKey, batch.Scores[i], info.Timestamp);
            _normal[i] = info.Label is { } label ? !label : !decision.IsAnomaly;
            batch.Thresholds[i] = decision.Threshold;
            batch.Anomalous[i] = decision.IsAnomaly;
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
        tracker.Publish();
        ObserveEndToEnd(batch, now);
        ctx.Reservoir.Add(batch.Rows, batch.Count, _normal);
        ctx.BatchJudged?.Invoke(batch);
        ctx.Metrics.Judged(anomalies, alerts?.Count ?? 0, example);
        ctx.Metrics.Scores(batch.Scores.AsSpan(0, batch.Count));
        var due = ctx.Options.Retraining.EveryRows;
        if (due > 0 && ctx.Reservoir.NormalSeen - _normalAtLastRetrain >= due && retrain.TryRequest())
        {
            _normalAtLastRetrain = ctx.Reservoir.NormalSeen;
        }
        return new JudgedBatch(batch, (IReadOnlyList<Alert>?)alerts ?? []);
    }

    /// <summary>Each record's source-to-decision latency; records read at the same instant (a source's chunk) are observed at once.</summary>
    private void ObserveEndToEnd(RecordBatch batch, long now)
    {
        for (var i = 0; i < batch.Count;)
        {
            var receivedAt = batch.ReceivedAt[i];
            var run = 1;
            while (i + run < batch.Count && batch.ReceivedAt[i + run] == receivedAt)
            {
                run++;
            }
            ctx.Metrics.EndToEnd(TimeSpan.FromTicks(now - receivedAt), run);
            i += run;
        }
    }

    /// <summary>Seeds the thresholds for the new version: its calibration scores, else the recalibration scores sent.</summary>
    private void SwitchTo(long version)
    {
        ModelCalibration.Apply(tracker, ctx.Registry.Current, version, _recalibrations.GetValueOrDefault(version));
        foreach (var stale in _recalibrations.Keys.Where(v => v <= version).ToArray())
        {
            _recalibrations.TryRemove(stale, out _);
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
        return new Alert(info.Id, info.EntityKey, info.Timestamp, batch.Scores[row], threshold, batch.ModelVersion, features, info.Label) { Position = batch.Positions[row] };
    }
}

/// <summary>A judged batch and the alerts it raised (possibly none): published, then its records are acknowledged.</summary>
internal sealed record JudgedBatch(RecordBatch Batch, IReadOnlyList<Alert> Alerts);
