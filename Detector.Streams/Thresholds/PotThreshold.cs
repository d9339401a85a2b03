using System.Diagnostics;

namespace Detector.Streams.Thresholds;

/// <summary>
/// Peaks-over-threshold (SPOT / DSPOT, Siffer et al., KDD 2017): a score is anomalous when the fitted tail says a
/// normal score exceeds it with probability below <see cref="RiskLevel"/>. Initialised from calibration scores: the
/// initial threshold t is their <see cref="InitialQuantile"/>-quantile, and a generalized Pareto distribution is fitted
/// to their excesses over t (the peaks); the threshold is z_q = t + σ/γ ((q n / N_t)^(−γ) − 1). Online, a score above
/// z_q is an anomaly and teaches nothing (so a long incident cannot raise its own threshold); a score between t and z_q
/// is a new peak and the tail is refitted; any other score only counts. With <see cref="Depth"/> d &gt; 0 (DSPOT) the
/// same is done on the score minus the mean of the last d normal scores, which follows a drifting level. Memory is
/// bounded: the most recent <see cref="PeakCapacity"/> peaks are kept (the peak rate N_t / n counts all of them), and the
/// fit is refreshed after every 10 % of new peaks (every peak while there are fewer than 10). Peaks learnt online were
/// seen only below the threshold of their time, so the fit treats them as truncated there
/// (<see cref="GpdFit.FitTruncated"/>); otherwise the missing top would bias the tail light and the rate above q.
/// </summary>
public sealed class PotThreshold
{
    /// <summary>Peaks a calibration must yield for a fit: fewer cannot say anything about a tail.</summary>
    public const int MinPeaks = 10;

    /// <summary>Peaks kept for the fit (the most recent) unless the constructor says fewer.</summary>
    public const int MaxPeaks = 5_000;

    /// <summary>The excesses over t of the kept peaks, in arrival order (a ring once full).</summary>
    private readonly double[] _peaks;

    /// <summary>Each kept peak's cut: the excess above which it would have been an anomaly and not learnt (+∞ for calibration peaks).</summary>
    private readonly double[] _cuts;

    /// <summary>The last <see cref="Depth"/> normal scores (DSPOT's local level), a ring.</summary>
    private readonly double[] _level;

    /// <summary>Where the next peak goes in <see cref="_peaks"/>.</summary>
    private int _nextPeak;

    /// <summary>Peaks kept (≤ <see cref="PeakCapacity"/>).</summary>
    private int _kept;

    /// <summary>Peaks added since the last fit.</summary>
    private int _sinceFit;

    /// <summary>Where the next normal score goes in <see cref="_level"/>.</summary>
    private int _nextLevel;

    /// <summary>Sum of <see cref="_level"/>.</summary>
    private double _levelSum;

    /// <summary>
    /// Creates an uninitialised threshold (its <see cref="Threshold"/> is +∞ until <see cref="TryInitialize"/> succeeds)
    /// that keeps at most <paramref name="maxPeaks"/> peaks (16 bytes each; at least <see cref="MinPeaks"/>).
    /// </summary>
    public PotThreshold(double riskLevel, double initialQuantile = 0.98, int depth = 0, int maxPeaks = MaxPeaks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPeaks, MinPeaks);
        _peaks = new double[maxPeaks];
        _cuts = new double[maxPeaks];
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(riskLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(riskLevel, 1.0);
        if (!(initialQuantile is > 0 and < 1) || riskLevel >= 1 - initialQuantile)
        {
            throw new ArgumentOutOfRangeException(nameof(initialQuantile), initialQuantile, $"must be in (0, 1) and leave more than the risk level ({riskLevel}) above it");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        (RiskLevel, InitialQuantile, Depth) = (riskLevel, initialQuantile, depth);
        _level = new double[depth];
    }

    /// <summary>The most peaks kept for the fit (the most recent).</summary>
    public int PeakCapacity => _peaks.Length;

    /// <summary>q: the probability a normal score exceeds the threshold.</summary>
    public double RiskLevel { get; }

    /// <summary>The quantile of the calibration scores taken as the initial threshold t.</summary>
    public double InitialQuantile { get; }

    /// <summary>DSPOT's depth: normal scores averaged for the local level (0: SPOT, no level).</summary>
    public int Depth { get; }

    /// <summary>Whether a fit is in place.</summary>
    public bool IsInitialized { get; private set; }

    /// <summary>The initial threshold t (relative to the level with DSPOT).</summary>
    public double Initial { get; private set; }

    /// <summary>The current fit of the tail.</summary>
    public GpdFit Fit { get; private set; }

    /// <summary>Scores counted (n).</summary>
    public long Observed { get; private set; }

    /// <summary>Peaks seen (N_t), kept or not.</summary>
    public long PeaksSeen { get; private set; }

    /// <summary>z_q relative to the level (the absolute threshold is this plus <see cref="Level"/>).</summary>
    public double RelativeThreshold { get; private set; } = double.PositiveInfinity;

    /// <summary>DSPOT's current local level (0 for SPOT).</summary>
    public double Level => Depth == 0 ? 0 : _levelSum / Depth;

    /// <summary>The threshold a score is judged against now (+∞ before initialisation).</summary>
    public float Threshold => IsInitialized ? (float)Math.Min(float.MaxValue, RelativeThreshold + Level) : float.PositiveInfinity;

    /// <summary>
    /// Fits the tail of <paramref name="calibration"/> (normal scores of the model going live; any order) and starts
    /// over from it. Returns false, leaving the previous state, when there are fewer than <paramref name="minScores"/>
    /// scores or fewer than <see cref="MinPeaks"/> peaks above the initial quantile (ties at the top); then
    /// <paramref name="reason"/> names the numbers.
    /// </summary>
    public bool TryInitialize(ReadOnlySpan<float> calibration, int minScores, out string reason)
    {
        var usable = calibration.Length - Depth;
        if (usable < Math.Max(minScores, MinPeaks))
        {
            reason = $"{calibration.Length} calibration scores, fewer than the {Math.Max(minScores, MinPeaks) + Depth} POT needs";
            return false;
        }
        // DSPOT: each score relative to the mean of the d before it (calibration scores carry no order, so this is a
        // level from the same distribution: it centres them as the online scores will be).
        var relative = new double[usable];
        double sum = 0;
        for (var i = 0; i < Depth; i++)
        {
            sum += calibration[i];
        }
        for (var i = 0; i < usable; i++)
        {
            relative[i] = calibration[Depth + i] - (Depth == 0 ? 0 : sum / Depth);
            if (Depth > 0)
            {
                sum += calibration[Depth + i] - calibration[i];
            }
        }
        var sorted = (double[])relative.Clone();
        Array.Sort(sorted);
        var t = sorted[Math.Min(usable - 1, (int)Math.Floor(InitialQuantile * usable))];
        var peaks = 0;
        foreach (var v in relative)
        {
            peaks += v > t ? 1 : 0;
        }
        if (peaks < MinPeaks || sorted[^1] - t <= 0)
        {
            reason = $"{calibration.Length} calibration scores give {peaks} peaks above their {InitialQuantile:0.###}-quantile {t:G4}, fewer than the {MinPeaks} POT needs";
            return false;
        }
        Initial = t;
        (_kept, _nextPeak, PeaksSeen, Observed) = (0, 0, 0, usable);
        foreach (var v in relative)
        {
            if (v > t)
            {
                KeepPeak(v - t, double.PositiveInfinity);
            }
        }
        _levelSum = 0;
        for (var i = 0; i < Depth; i++)
        {
            _level[i] = calibration[usable + i];
            _levelSum += _level[i];
        }
        _nextLevel = 0;
        IsInitialized = true;
        Refit();
        reason = "";
        AssertInvariants();
        return true;
    }

    /// <summary>Forgets the fit (a new model scores on another scale): <see cref="Threshold"/> is +∞ until the next initialisation.</summary>
    public void Reset()
    {
        (IsInitialized, RelativeThreshold, _kept, _nextPeak, _sinceFit, PeaksSeen, Observed) = (false, double.PositiveInfinity, 0, 0, 0, 0, 0);
    }

    /// <summary>
    /// Judges <paramref name="score"/> (strictly above <see cref="Threshold"/> is anomalous) and, when it is normal,
    /// learns from it. Before initialisation nothing is anomalous and nothing is learnt.
    /// </summary>
    public bool Evaluate(float score)
    {
        if (!IsInitialized)
        {
            return false;
        }
        var level = Level;
        var x = score - level;
        if (x > RelativeThreshold)
        {
            return true;
        }
        Observed++;
        if (x > Initial)
        {
            KeepPeak(x - Initial, RelativeThreshold - Initial);
            if (++_sinceFit >= Math.Max(1, _kept / 10))
            {
                Refit();
            }
        }
        if (Depth > 0)
        {
            _levelSum += score - _level[_nextLevel];
            _level[_nextLevel] = score;
            _nextLevel = (_nextLevel + 1) % Depth;
        }
        AssertInvariants();
        return false;
    }

    private void KeepPeak(double excess, double cut)
    {
        _peaks[_nextPeak] = excess;
        _cuts[_nextPeak] = cut;
        _nextPeak = (_nextPeak + 1) % _peaks.Length;
        _kept = Math.Min(_kept + 1, _peaks.Length);
        PeaksSeen++;
    }

    private void Refit()
    {
        _sinceFit = 0;
        // The ring's order does not matter to the fit: the first _kept slots are the kept peaks.
        var excesses = _peaks.AsSpan(0, _kept);
        var any = false;
        foreach (var y in excesses)
        {
            any |= y > 0;
        }
        if (!any)
        {
            return; // every peak ties t: keep the previous fit
        }
        Fit = GpdFit.FitTruncated(excesses, _cuts.AsSpan(0, _kept));
        var z = Fit.Quantile(Initial, RiskLevel, (double)PeaksSeen / Observed);
        RelativeThreshold = double.IsNaN(z) ? double.PositiveInfinity : Math.Max(z, Initial);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_kept <= _peaks.Length && _kept <= PeaksSeen, "More peaks are kept than were seen or than the ring holds.");
        Debug.Assert(PeaksSeen <= Observed, "More peaks were seen than scores counted.");
        Debug.Assert(!IsInitialized || RelativeThreshold >= Initial, "The POT threshold fell below its initial threshold.");
    }
}
