namespace Detector.Models.Training;

/// <summary>Progress after one epoch, for progress bars and logs.</summary>
/// <param name="Epoch">1-based epoch just finished.</param>
/// <param name="MaxEpochs">Upper bound on epochs (early stopping may end sooner).</param>
/// <param name="TrainLoss">Mean training loss of the epoch.</param>
/// <param name="ValidationLoss">Validation loss (with trimmed training, the trimmed mean of the validation rows' scores: what early stopping watches), or NaN without a validation split.</param>
/// <param name="Elapsed">Time since training started.</param>
public sealed record EpochReport(int Epoch, int MaxEpochs, double TrainLoss, double ValidationLoss, TimeSpan Elapsed)
{
    /// <summary>Estimated time to the last epoch at the pace so far.</summary>
    public TimeSpan EstimatedRemaining => Elapsed / Epoch * (MaxEpochs - Epoch);
}
