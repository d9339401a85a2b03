using Detector.Streams.Alerts;
using Detector.Streams.Records;

namespace Detector.Streams.Pipeline;

// The pipeline's internal messages: commands are imperative, replies past tense.

/// <summary>A chunk of records from a source, in source order, decoded (<see cref="ParallelDecoder"/>).</summary>
internal sealed record IngestRecords(DecodedChunk Chunk);

/// <summary>A batch an in-process source filled directly (already registered with the offset tracker).</summary>
internal sealed record IngestBatch(RecordBatch Batch);

/// <summary>The batcher's max-wait timer fired for the batch with this sequence number.</summary>
internal sealed record FlushBatch(long Sequence);

/// <summary>Seal and route whatever is buffered, then reply <see cref="Drained"/>.</summary>
internal sealed record Drain
{
    public static readonly Drain Instance = new();
}

/// <summary>Reply to <see cref="Drain"/>.</summary>
internal sealed record Drained
{
    public static readonly Drained Instance = new();
}

/// <summary>The first model is live: route the batches held for it.</summary>
internal sealed record RouteHeldBatches
{
    public static readonly RouteHeldBatches Instance = new();
}

/// <summary>Score this batch with the current model.</summary>
internal sealed record ScoreBatch(RecordBatch Batch);

/// <summary>Judge this scored batch against the thresholds.</summary>
internal sealed record JudgeBatch(RecordBatch Batch);

/// <summary>Publish the batch's alerts, then acknowledge its records.</summary>
internal sealed record PublishAlerts(RecordBatch Batch, IReadOnlyList<Alert> Alerts);

/// <summary>Use these scores (the candidate's, on recent rows) as the threshold window once version arrives.</summary>
internal sealed record RecalibrateThresholds(long Version, float[] Scores);

/// <summary>Reply to <see cref="RecalibrateThresholds"/>.</summary>
internal sealed record ThresholdsRecalibrated(long Version);

/// <summary>Train the first model on these rows and publish it; reply with the model.</summary>
internal sealed record TrainInitialModel(float[] Rows, int Count);

/// <summary>Retrain now if there is enough new data (Force: whatever the amount, replying <see cref="RetrainFinished"/>).</summary>
internal sealed record Retrain(bool Force)
{
    public static readonly Retrain WhenDue = new(false);
}

/// <summary>Outcome of a retraining attempt: published, rejected, skipped or failed.</summary>
public sealed record RetrainFinished(string Outcome, long Version, double CandidateScore, double CurrentScore);
