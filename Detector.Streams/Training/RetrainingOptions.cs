using Detector.Models.Networks;
using Detector.Models.Training;
using Detector.Models.Validation;

namespace Detector.Streams.Training;

/// <summary>When and how the trainer retrains, and the gate a candidate must pass.</summary>
public sealed record RetrainingOptions
{
    /// <summary>Rows collected before the first model is trained (when the node starts without one).</summary>
    public int WarmUpRows { get; init; } = 5_000;

    /// <summary>Retrain after this many new normal rows; 0 disables the row trigger.</summary>
    public long EveryRows { get; init; } = 100_000;

    /// <summary>Retrain on this interval; null disables the timer.</summary>
    public TimeSpan? Interval { get; init; }

    /// <summary>Normal rows kept for training (reservoir sample).</summary>
    public int ReservoirCapacity { get; init; } = 20_000;

    /// <summary>Recent rows kept to recalibrate thresholds for a candidate.</summary>
    public int RecentCapacity { get; init; } = 10_000;

    /// <summary>Share of the reservoir held out to compare candidate and current model.</summary>
    public double HoldOutFraction { get; init; } = 0.2;

    /// <summary>
    /// A candidate passes when its mean held-out score is at most (1 + tolerance) × the current model's, each relative
    /// to the model's own calibration scores (<see cref="PromotionGate"/>).
    /// </summary>
    public double GateTolerance { get; init; } = 0.10;

    /// <summary>
    /// The least time between two periodic retrains (forced ones are never held back): a fast stream reaches
    /// <see cref="EveryRows"/> in well under a second, and without this the trainer retrained back to back.
    /// </summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Architecture of trained models.</summary>
    public ModelOptions Model { get; init; } = new();

    /// <summary>Training settings (the trainer uses one thread so it leaves the model actors their cores).</summary>
    public TrainingOptions Training { get; init; } = new() { Epochs = 15, Patience = 3, Threads = 1 };

    /// <summary>Throws naming the first invalid key.</summary>
    public RetrainingOptions Validate()
    {
        Check(WarmUpRows >= 10, nameof(WarmUpRows), WarmUpRows, ">= 10");
        Check(EveryRows >= 0, nameof(EveryRows), EveryRows, ">= 0 (0 disables)");
        Check(Interval is null || Interval > TimeSpan.Zero, nameof(Interval), Interval, "null or > 0");
        Check(ReservoirCapacity >= WarmUpRows, nameof(ReservoirCapacity), ReservoirCapacity, $">= WarmUpRows ({WarmUpRows})");
        Check(RecentCapacity >= 1, nameof(RecentCapacity), RecentCapacity, ">= 1");
        Check(HoldOutFraction is > 0 and < 0.9, nameof(HoldOutFraction), HoldOutFraction, "(0, 0.9)");
        Check(GateTolerance >= 0, nameof(GateTolerance), GateTolerance, ">= 0");
        Check(MinInterval >= TimeSpan.Zero, nameof(MinInterval), MinInterval, "a TimeSpan >= 00:00:00");
        OptionCheck.Section(nameof(Model), Model.Validate);
        OptionCheck.Section(nameof(Training), Training.Validate);
        return this;
    }

    private static void Check(bool ok, string key, object? value, string allowed) => OptionCheck.Require(ok, key, value, allowed);
}
