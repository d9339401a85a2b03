namespace Detector.Streams.Training;

/// <summary>What the trainer actor reports to the outside (read by metrics at any time).</summary>
internal sealed class TrainerStatus
{
    private double _lastLoss = double.NaN;

    /// <summary>Validation loss of the last model trained or installed (NaN before any).</summary>
    public double LastLoss
    {
        get => Volatile.Read(ref _lastLoss);
        set => Volatile.Write(ref _lastLoss, value);
    }
}
