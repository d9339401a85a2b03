using Detector.Node.Hosting;

namespace Detector.Node.Http;

/// <summary>The documents /status, /readyz and /models answer with, built from a <see cref="NodeState"/>.</summary>
public static class NodeStatusReport
{
    /// <summary>The /status document: node id, role, readiness, source partitions with lag, model, thresholds, each model actor's device, record counts and extra fields.</summary>
    public static Dictionary<string, object?> Status(NodeState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var now = state.Time.GetUtcNow();
        var pipeline = state.Pipeline;
        var model = pipeline?.Registry.Current;
        var thresholds = pipeline?.Thresholds;
        var metrics = pipeline?.Metrics;
        var reasons = state.NotReadyReasons();
        var document = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["nodeId"] = state.NodeId,
            ["role"] = state.Role,
            ["ready"] = reasons.Count == 0,
            ["notReady"] = reasons,
            ["startedAt"] = state.StartedAt,
            ["uptimeSeconds"] = Math.Round((now - state.StartedAt).TotalSeconds, 3),
            ["source"] = new
            {
                kind = state.SourceKind,
                assigned = state.Source?.IsAssigned ?? false,
                partitions = (state.Source?.Partitions ?? []).Select(p => new { topic = p.Topic, partition = p.Partition, committedOffset = p.CommittedOffset, lag = p.Lag }),
                totalLag = (state.Source?.Partitions ?? []).Sum(p => p.Lag),
            },
            ["model"] = model is null ? null : new
            {
                name = model.Name,
                version = model.Version,
                kind = model.Options.Kind.ToString(),
                trainedAt = model.Metadata.TrainedAt,
                ageSeconds = Math.Round((now - model.Metadata.TrainedAt).TotalSeconds, 3),
                loss = Finite(model.Metadata.FinalLoss),
                checksum = state.Models?.Versions.LastOrDefault(v => v.Version == model.Version)?.Checksum,
            },
            ["thresholds"] = thresholds is not { } t ? null : new
            {
                global = t.IsWarm ? Finite(t.GlobalThreshold) : null,
                warm = t.IsWarm,
                windowCount = t.WindowCount,
                entities = t.EntityCount,
            },
            ["devices"] = pipeline?.ActorDevices.Select(a => new { actor = a.Actor, device = a.Device, kernels = a.Kernels }),
            ["trainerDevice"] = pipeline?.TrainerDevice,
            ["records"] = metrics is null ? null : new
            {
                consumed = metrics.Consumed,
                scored = metrics.Scored,
                deadLettered = metrics.DeadLettered,
                anomalies = metrics.Anomalies,
                alerts = metrics.Alerts,
                inFlight = pipeline!.Offsets.InFlight,
            },
        };
        foreach (var (name, value) in state.ExtraStatus)
        {
            document[name] = value();
        }
        return document;
    }

    /// <summary>The /models document: the kept versions, oldest first, and the live one.</summary>
    public static object Models(NodeState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var versions = state.Models?.Versions ?? [];
        return new
        {
            live = state.Pipeline?.Registry.Version,
            versions = versions.Select(v => new
            {
                version = v.Version,
                restores = v.Origin == v.Version ? (long?)null : v.Origin,
                trainedAt = v.Model.Metadata.TrainedAt,
                loss = Finite(v.Model.Metadata.FinalLoss),
                checksum = v.Checksum,
            }),
        };
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
