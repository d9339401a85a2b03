namespace Detector.Models.Training;

/// <summary>How a model came to be; stored in the artifact.</summary>
/// <param name="Seed">Seed of the run.</param>
/// <param name="Epochs">Epochs actually run.</param>
/// <param name="BestEpoch">1-based epoch whose weights were kept (early stopping).</param>
/// <param name="TrainRows">Rows in the training split.</param>
/// <param name="ValidationRows">Rows in the validation split.</param>
/// <param name="TrainedAt">When training finished (UTC).</param>
/// <param name="DurationSeconds">Wall time of the run.</param>
/// <param name="Threads">Worker threads used.</param>
/// <param name="LossCurve">Mean training loss per epoch.</param>
/// <param name="ValidationCurve">Validation loss per epoch (empty without a validation split).</param>
public sealed record TrainingMetadata(
    ulong Seed,
    int Epochs,
    int BestEpoch,
    long TrainRows,
    long ValidationRows,
    DateTimeOffset TrainedAt,
    double DurationSeconds,
    int Threads,
    IReadOnlyList<double> LossCurve,
    IReadOnlyList<double> ValidationCurve)
{
    /// <summary>
    /// The model's scores of its held-out validation rows (rows it was not fitted to), sorted ascending; empty when it
    /// had none. They travel in the artifact and seed the thresholds when the model goes live, so scoring is
    /// calibrated from the first record, whatever path brought the model (warm-up, retrain, file, upload).
    /// </summary>
    public IReadOnlyList<float> CalibrationScores { get; init; } = [];

    /// <summary>Validation loss of the kept weights, or the last training loss without validation.</summary>
    public double FinalLoss => ValidationCurve.Count >= BestEpoch && BestEpoch > 0 ? ValidationCurve[BestEpoch - 1] : LossCurve.LastOrDefault(double.NaN);
}
