using Detector.Models.Networks;
using Detector.Models.Scoring;
using Detector.Models.Training;
using Detector.Streams.Training;
using Xunit;

namespace Detector.Tests.Training;

/// <summary>The retraining gate: like-with-like comparison of candidate and current model, and the minimum interval.</summary>
public sealed class PromotionGateTests
{
    private const int Features = 6;
    private static readonly FeatureSchema Schema = new(Enumerable.Range(0, Features).Select(i => $"x{i}"));
    private static readonly ModelOptions Model = new() { HiddenSizes = [8], CodeSize = 2 };
    private static readonly TrainingOptions Training = new() { Epochs = 30, Seed = 5, Threads = 1, ValidationFraction = 0.2 };

    /// <summary>
    /// Rows on a 2-dimensional plane in 6 dimensions plus a little noise; <paramref name="shifted"/> moves and turns the
    /// plane; <paramref name="trim"/> keeps only rows whose latent coordinates are within it (the reservoir keeps only
    /// rows judged normal, so its spread is narrower than the warm-up's).
    /// </summary>
    private static (float[] Rows, int Count) Plane(int count, int seed, bool shifted = false, double trim = double.PositiveInfinity)
    {
        var random = new Random(seed);
        var rows = new List<float>();
        var kept = 0;
        while (kept < count)
        {
            double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            var (a, b) = (Gaussian(), Gaussian());
            if (Math.Abs(a) > trim || Math.Abs(b) > trim)
            {
                continue;
            }
            for (var j = 0; j < Features; j++)
            {
                var value = shifted ? 3 + a * Math.Sin(j + 1) - b * (j % 3) : a * (j + 1) / 3.0 + b * Math.Cos(j);
                rows.Add((float)(value + 0.05 * Gaussian()));
            }
            kept++;
        }
        return (rows.ToArray(), count);
    }

    private static ModelSnapshot Train((float[] Rows, int Count) data) => new Trainer().Train(data.Rows, data.Count, Schema, Model, Training);

    [Fact]
    public void Compare_CandidateOfTheCurrentDistribution_BeatsAModelTrainedOnAShiftedOne()
    {
        var stale = Train(Plane(2_000, seed: 1, shifted: true));
        var candidate = Train(Plane(2_000, seed: 2));
        var heldOut = Plane(500, seed: 3);
        var gate = new PromotionGate(new RetrainingOptions { GateTolerance = 0.1 }, TimeProvider.System);

        var verdict = gate.Compare(candidate, stale, heldOut.Rows, heldOut.Count, Detector.Models.Kernels.CpuKernels.Instance);

        Assert.True(verdict.Accepted, $"rejected: {verdict}");
        Assert.True(verdict.CandidateScore * 3 < verdict.CurrentScore, $"not clearly better: {verdict}");
        // And the other way round: the stale model never replaces the one that fits.
        Assert.False(gate.Compare(stale, candidate, heldOut.Rows, heldOut.Count, Detector.Models.Kernels.CpuKernels.Instance).Accepted);
    }

    [Fact]
    public void Compare_SameDistributionNarrowerScaler_AcceptsThoughTheRawMeansWouldReject()
    {
        // The current model saw the whole spread; the candidate saw the reservoir's rows (judged normal: trimmed), so its
        // scaler divides by a smaller spread and its raw errors are larger for as good a fit.
        var current = Train(Plane(3_000, seed: 4));
        var candidate = Train(Plane(3_000, seed: 5, trim: 1.0));
        var heldOut = Plane(600, seed: 6, trim: 1.0);
        var gate = new PromotionGate(new RetrainingOptions { GateTolerance = 0.1 }, TimeProvider.System);

        var verdict = gate.Compare(candidate, current, heldOut.Rows, heldOut.Count, Detector.Models.Kernels.CpuKernels.Instance);
        double RawMean(ModelSnapshot model)
        {
            var scores = new float[heldOut.Count];
            model.CreateScorer().Score(heldOut.Rows, heldOut.Count, scores, []);
            return scores.Average(s => (double)s);
        }

        Assert.True(RawMean(candidate) > 1.1 * RawMean(current), $"the raw means should reject here: {RawMean(candidate)} vs {RawMean(current)}");
        Assert.True(verdict.Accepted, $"rejected: {verdict}");
    }

    [Fact]
    public void TryStart_PeriodicRetrainsWithinMinInterval_AreHeldBackButForcedOnesAreNot()
    {
        var time = new SteppedClock();
        var gate = new PromotionGate(new RetrainingOptions { MinInterval = TimeSpan.FromSeconds(30) }, time);

        Assert.True(gate.TryStart(force: false));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(gate.TryStart(force: false));
        Assert.True(gate.TryStart(force: true));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(gate.TryStart(force: false)); // the forced retrain counts as the last start
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(gate.TryStart(force: false));
    }

    /// <summary>A clock that moves only when the test advances it.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private DateTimeOffset _now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
