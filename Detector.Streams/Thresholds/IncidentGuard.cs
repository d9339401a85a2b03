namespace Detector.Streams.Thresholds;

/// <summary>
/// Keeps an evident incident from teaching a percentile window: says what each score adds to the window. While the
/// window's recent flags are no more than chance explains, a score goes in as it is, so a stationary stream's tail
/// (the scores above the threshold that belong there) keeps the estimate unbiased. Once the flags are evidently too
/// many, a flagged score goes in clamped to the threshold it exceeded: it still counts at or above the threshold, so
/// the window's rank of the threshold does not move down (excluding it would truncate the window at its own quantile
/// and ratchet the threshold down), but it cannot carry the threshold up. While the incident lasts (unless it is a
/// shift, below) the threshold is therefore held where it was when the incident became evident.
/// <para>
/// "Evidently too many": an exponentially weighted count c of recent flags, c ← c·(1 − 1/n) + flag, with n the
/// window's count, against its expectation under the percentile. A new score from the window's own distribution
/// exceeds its nearest-rank x_k with probability e = (n − k + 1)/(n + 1), so c averages m = n·e with standard deviation
/// about √(m/2); the incident is evident while c &gt; m + 3√(m/2) + 1. The count starts at m when the window first
/// has a threshold (and after a reset), as if its recent past were stationary. The count saturates at twice that limit, so
/// once an incident ends the guard lets go within about n·ln 2 scores rather than the n·ln(c/limit) an unbounded count
/// would need (clamping normal tail scores for longer biases the threshold down). O(1) per score, no allocation.
/// </para>
/// <para>
/// A shift is not an incident. When nearly every recent score is flagged — an exponentially weighted share of flags,
/// s ← s·(1 − 1/h) + flag/h, above <see cref="ShiftShare"/>, with h the window's count n, held during an incident at
/// n when the incident became evident (so a window still filling up does not stretch it) — the window no longer holds
/// a normal population for the scores to stand out from: the stream's level has moved (a new load, a recalibrated
/// sensor, a model that no longer fits), and holding the threshold would flag everything until a human retrains (flagged rows never reach the
/// trainer's reservoir, so the row trigger never fires either). The guard then lets the window learn every score, as
/// without it, until the incident is no longer evident. From a stationary window, a stream flagged throughout
/// reaches the share after h·ln 10 ≈ 2.3 h scores: an incident that leaves a tenth of the stream normal (one of a
/// minority of the stream's entities) is held for as long as it lasts, one that takes over the whole stream (a single
/// machine's window) for about 2.3 window lengths.
/// </para>
/// <para>
/// Limits: the flags needed to make an incident evident (about 3√(m/2) + 1 beyond m) go in as they are, so an incident
/// moves the threshold by at most those scores' worth; a window that keeps fewer scores above its threshold than that
/// (n − k + 1 = 3 for 500 scores at p = 99.5) has its threshold carried into the incident's lower scores before the
/// guard holds it. Not thread-safe: one owner.
/// </para>
/// </summary>
internal sealed class IncidentGuard
{
    /// <summary>Standard deviations of the flag count above its expectation that make an incident evident.</summary>
    public const double Sigmas = 3;

    /// <summary>The count saturates at this multiple of the limit (how fast the guard lets go after an incident).</summary>
    public const double Saturation = 2;

    /// <summary>The share of recent flags above which the stream has shifted rather than met an incident.</summary>
    public const double ShiftShare = 0.9;

    /// <summary>The exponentially weighted count of recent flags.</summary>
    private double _recentFlags;

    /// <summary>The recent share of flags, s ← s·(1 − 1/h) + flag/h: h the window's count, held during an incident at its count when the incident became evident.</summary>
    private double _flagShare;

    /// <summary>While an incident is evident, the window's count when it became evident (the share's horizon); else 0.</summary>
    private int _horizon;

    /// <summary>The window count <see cref="_limit"/> and <see cref="_decay"/> were computed for (0: none yet).</summary>
    private int _forCount;

    /// <summary>The count of recent flags above which an incident is evident.</summary>
    private double _limit;

    /// <summary>The count's expectation under the percentile, m = n·e.</summary>
    private double _expected;

    /// <summary>Whether the count has started: it starts at its expectation, as if the window's recent past were stationary.</summary>
    private bool _primed;

    /// <summary>1 − 1/n: the weight a flag keeps per score.</summary>
    private double _decay;

    /// <summary>Whether the last score judged found an incident evident.</summary>
    public bool IncidentEvident { get; private set; }

    /// <summary>Whether the stream has shifted (see the remarks): scores go in as they are until the incident is no longer evident.</summary>
    public bool Shifted { get; private set; }

    /// <summary>The exponentially weighted count of recent flags (for tests).</summary>
    internal double RecentFlags => _recentFlags;

    /// <summary>
    /// Judges <paramref name="score"/> against <paramref name="threshold"/> (+∞: no threshold yet, nothing flagged),
    /// the threshold of a window holding <paramref name="count"/> scores at <paramref name="percentile"/>, and returns
    /// what the window should add: the score, or the threshold when it is flagged during an evident incident.
    /// </summary>
    public float Admit(float score, float threshold, int count, double percentile)
    {
        var flagged = score > threshold;
        if (count == 0 || float.IsPositiveInfinity(threshold))
        {
            // No threshold: nothing is flagged, and what was counted fades as a window of this size would forget it.
            if (count == 0)
            {
                Reset();
            }
            else
            {
                var fade = Limits(count, percentile);
                (_recentFlags, _flagShare) = (_recentFlags * fade, _flagShare * fade);
            }
            (IncidentEvident, Shifted, _horizon) = (false, false, 0);
            return score;
        }
        var decay = Limits(count, percentile);
        if (!_primed)
        {
            // A count started at 0 would need m extra flags to see an incident, more than a window keeps above its
            // threshold (n − k + 1 ≈ m): a window just seeded by calibration would learn the incident first.
            (_recentFlags, _flagShare, _primed) = (_expected, _expected / count, true);
        }
        _recentFlags = Math.Min(_recentFlags * decay + (flagged ? 1 : 0), Saturation * _limit);
        var horizon = _horizon > 0 ? _horizon : count;
        _flagShare = _flagShare * (1 - 1.0 / horizon) + (flagged ? 1.0 / horizon : 0);
        IncidentEvident = _recentFlags > _limit;
        _horizon = IncidentEvident ? horizon : 0;
        Shifted = IncidentEvident && (Shifted || _flagShare > ShiftShare);
        return flagged && IncidentEvident && !Shifted ? threshold : score;
    }

    /// <summary>Forgets the recent flags (the window was emptied or reseeded).</summary>
    public void Reset()
    {
        (_recentFlags, _flagShare, _horizon, _primed) = (0, 0, 0, false);
        (IncidentEvident, Shifted) = (false, false);
    }

    /// <summary>Refreshes the limit for a window of <paramref name="count"/> scores when the count changed; returns the decay.</summary>
    private double Limits(int count, double percentile)
    {
        if (count != _forCount)
        {
            var rank = PercentileWindow.NearestRank(percentile, count);
            var expected = (double)(count - rank + 1) / (count + 1) * count;
            (_forCount, _expected, _limit, _decay) = (count, expected, expected + Sigmas * Math.Sqrt(expected / 2) + 1, 1 - 1.0 / count);
        }
        return _decay;
    }
}
