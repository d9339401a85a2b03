using System.Diagnostics;
using System.Globalization;
using Detector.Models.Training;

namespace Detector.Node.Evaluation;

/// <summary>
/// Training progress of `evaluate` on standard error, as `train` prints it when redirected (epoch, loss, validation
/// loss, ETA), but at most one line every two seconds plus the last epoch, each prefixed with what is being trained
/// (the --name, the file and the run). Reported on the training thread.
/// </summary>
public sealed class TrainingProgress(string prefix) : IProgress<EpochReport>
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly Stopwatch _sinceLine = Stopwatch.StartNew();

    /// <inheritdoc />
    public void Report(EpochReport value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (_sinceLine.Elapsed < Interval && value.Epoch < value.MaxEpochs)
        {
            return;
        }
        _sinceLine.Restart();
        Console.Error.WriteLine(Describe(prefix, value));
    }

    /// <summary>One progress line.</summary>
    public static string Describe(string prefix, EpochReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var validation = double.IsNaN(r.ValidationLoss) ? "-" : r.ValidationLoss.ToString("G4", CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"  {prefix}: epoch {r.Epoch}/{r.MaxEpochs}  loss {r.TrainLoss:G4}  val {validation}  ETA {r.EstimatedRemaining:mm\\:ss}");
    }
}
