using Detector.Streams.Thresholds;
using Xunit;
using Xunit.Abstractions;

namespace Detector.Tests.Thresholds;

/// <summary>
/// Incidents do not teach the percentile windows (<see cref="IncidentGuard"/>, on by default), and the guard does not
/// ratchet a stationary stream's threshold: global and per entity, on the three window stores. The figures these print
/// (run with <c>--logger "console;verbosity=detailed"</c>) are the ones in Detector.Streams/README.md.
/// </summary>
public sealed class IncidentGuardTests(ITestOutputHelper output)
{
    /// <summary>The window stores a tracker can use: exact by count, exact by time, sketch by count.</summary>
    public enum Store
    {
        Exact,
        Time,
        Sketch,
    }

    private const double Percentile = 99.5;

    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Log-normal scores (median 1): a heavy right tail, as reconstruction errors have.</summary>
    private static float Normal(Random random) =>
        (float)Math.Exp(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    /// <summary>An incident's scores: about 20 times the normal median, spread by ±30 %.</summary>
    private static float High(Random random) => 20 * (float)Math.Pow(Normal(random), 0.3);

    private static ThresholdOptions Options(Store store, bool guard, bool perEntity = false, int windowSize = 10_000) => new()
    {
        Percentile = Percentile, WindowSize = windowSize, WarmUp = 1_000, GuardIncidents = guard, PerEntity = perEntity,
        EntityWindowSize = 500, EntityMinHistory = 50, SuppressionGap = TimeSpan.Zero,
        // One score per millisecond, so a time window of W milliseconds holds about W scores (at most 2W).
        Window = store == Store.Time ? TimeSpan.FromMilliseconds(windowSize) : null,
        RelativeError = store == Store.Sketch ? 0.001 : 0,
    };

    /// <summary>Flag share (%) of each window turnover of a stationary stream, after two turnovers of warm-up.</summary>
    private static double[] StationaryShares(ThresholdOptions options, int entities, int turnovers, int turnover, int seed)
    {
        var random = new Random(seed);
        var keys = Enumerable.Range(0, entities).Select(i => $"e{i}").ToArray();
        var shares = new double[turnovers];
        var time = 0L;
        var tracker = new ThresholdTracker(options);
        for (var turn = -2; turn < turnovers; turn++)
        {
            var flagged = 0;
            for (var i = 0; i < turnover; i++)
            {
                flagged += tracker.Evaluate(keys[i % entities], Normal(random), T0.AddMilliseconds(time++)).IsAnomaly ? 1 : 0;
            }
            if (turn >= 0)
            {
                shares[turn] = 100.0 * flagged / turnover;
            }
        }
        return shares;
    }

    private static string Show(double[] shares) => string.Join(" ", shares.Select(s => s.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData(Store.Exact)]
    [InlineData(Store.Time)]
    [InlineData(Store.Sketch)]
    public void Evaluate_StationaryStreamOverTwentyTurnovers_GlobalFlagShareStaysAtItsRateAsWithoutTheGuard(Store store)
    {
        var guarded = StationaryShares(Options(store, guard: true), entities: 1, turnovers: 20, turnover: 10_000, seed: 1);
        var unguarded = StationaryShares(Options(store, guard: false), entities: 1, turnovers: 20, turnover: 10_000, seed: 1);
        output.WriteLine($"{store} global, flag % per turnover, guarded:   {Show(guarded)}");
        output.WriteLine($"{store} global, flag % per turnover, unguarded: {Show(unguarded)}");

        // 0.5 % by construction (51 of 10,001 above the nearest rank); a ratchet would raise the late turnovers.
        Assert.InRange(guarded.Average(), 0.42, 0.60);
        Assert.InRange(guarded[^5..].Average(), 0.35, 0.70);
        Assert.True(Math.Abs(guarded.Average() - unguarded.Average()) <= 0.03,
            $"guarded {guarded.Average():F3} % against unguarded {unguarded.Average():F3} %");
    }

    [Theory]
    [InlineData(Store.Exact)]
    [InlineData(Store.Time)]
    [InlineData(Store.Sketch)]
    public void Evaluate_StationaryStreamOverTwentyTurnovers_EntityFlagShareStaysAtItsRateAsWithoutTheGuard(Store store)
    {
        // 50 entities, each judged by its own 500-score window: 3 of 501 above the nearest rank, 0.6 %.
        const int entities = 50;
        var guarded = StationaryShares(Options(store, guard: true, perEntity: true), entities, turnovers: 20, turnover: entities * 500, seed: 2);
        var unguarded = StationaryShares(Options(store, guard: false, perEntity: true), entities, turnovers: 20, turnover: entities * 500, seed: 2);
        output.WriteLine($"{store} per entity, flag % per turnover, guarded:   {Show(guarded)}");
        output.WriteLine($"{store} per entity, flag % per turnover, unguarded: {Show(unguarded)}");

        Assert.InRange(guarded.Average(), 0.50, 0.72);
        Assert.InRange(guarded[^5..].Average(), 0.45, 0.80);
        Assert.True(Math.Abs(guarded.Average() - unguarded.Average()) <= 0.03,
            $"guarded {guarded.Average():F3} % against unguarded {unguarded.Average():F3} %");
    }

    /// <summary>What a global incident did: the threshold before, during and after, and the flag shares.</summary>
    private sealed record IncidentRun(float Before, float DuringMax, float DuringLast, double IncidentFlagged, double NormalFlaggedAfter);

    /// <summary>
    /// Two turnovers of normal scores, then ten turnovers in which 20 % of the records belong to an incident (about 20
    /// times the normal median), then ten turnovers of normal scores again.
    /// </summary>
    private static IncidentRun GlobalIncident(ThresholdOptions options, int seed)
    {
        const int turnover = 10_000;
        var random = new Random(seed);
        var tracker = new ThresholdTracker(options);
        var time = 0L;
        for (var i = 0; i < 3 * turnover; i++)
        {
            tracker.Evaluate("host", Normal(random), T0.AddMilliseconds(time++));
        }
        var before = tracker.GlobalThreshold;
        var (duringMax, incidents, incidentFlagged) = (before, 0, 0);
        for (var i = 0; i < 10 * turnover; i++)
        {
            var incident = random.NextDouble() < 0.2;
            var decision = tracker.Evaluate(incident ? "failing" : "host", incident ? High(random) : Normal(random), T0.AddMilliseconds(time++));
            (incidents, incidentFlagged) = (incidents + (incident ? 1 : 0), incidentFlagged + (incident && decision.IsAnomaly ? 1 : 0));
            duringMax = Math.Max(duringMax, tracker.GlobalThreshold);
        }
        var duringLast = tracker.GlobalThreshold;
        var normalFlagged = 0;
        for (var i = 0; i < 10 * turnover; i++)
        {
            var decision = tracker.Evaluate("host", Normal(random), T0.AddMilliseconds(time++));
            normalFlagged += i >= 5 * turnover && decision.IsAnomaly ? 1 : 0;
        }
        return new IncidentRun(before, duringMax, duringLast, 100.0 * incidentFlagged / incidents, 100.0 * normalFlagged / (5 * turnover));
    }

    [Theory]
    [InlineData(Store.Exact)]
    [InlineData(Store.Time)]
    [InlineData(Store.Sketch)]
    public void Evaluate_IncidentOfAFifthOfTheStreamForTenTurnovers_DoesNotRaiseTheGlobalThresholdAndLeavesNoRatchet(Store store)
    {
        var guarded = GlobalIncident(Options(store, guard: true), seed: 3);
        var unguarded = GlobalIncident(Options(store, guard: false), seed: 3);
        output.WriteLine($"{store} guarded:   {guarded}");
        output.WriteLine($"{store} unguarded: {unguarded}");

        // Without the guard the window learns the incident: its threshold climbs into it and stops flagging it.
        Assert.True(unguarded.DuringLast > 2 * unguarded.Before && unguarded.IncidentFlagged < 15, $"{unguarded}");
        // With it, the threshold moves only by the flags it took to make the incident evident, then holds.
        Assert.True(guarded.DuringMax <= 1.3 * guarded.Before, $"{guarded}");
        Assert.True(guarded.IncidentFlagged >= 60, $"{guarded}");
        // Afterwards the normal stream is flagged at its rate again (0.5 %): no ratchet down from the clamped scores.
        Assert.InRange(guarded.NormalFlaggedAfter, 0.3, 0.75);
    }

    [Theory]
    [InlineData(Store.Exact)]
    [InlineData(Store.Time)]
    public void Evaluate_EntityScoringHighForTenWindowLengths_HoldsItsThresholdOnceTheIncidentIsEvident(Store store)
    {
        var results = new List<(float Before, float AfterOneWindow, float AfterTen, double Flagged)>();
        foreach (var guard in new[] { true, false })
        {
            var random = new Random(4);
            var tracker = new ThresholdTracker(Options(store, guard, perEntity: true));
            var time = 0L;
            for (var i = 0; i < 20 * 500; i++)
            {
                tracker.Evaluate(i % 2 == 0 ? "pump" : "other", Normal(random), T0.AddMilliseconds(time++));
            }
            var before = tracker.Evaluate("pump", 0, T0.AddMilliseconds(time++)).Threshold;
            var (flagged, afterOne) = (0, 0f);
            for (var i = 0; i < 10 * 500; i++)
            {
                var decision = tracker.Evaluate("pump", High(random), T0.AddMilliseconds(time++));
                Assert.Equal(ThresholdSource.Entity, decision.Source);
                flagged += decision.IsAnomaly ? 1 : 0;
                afterOne = i == 500 ? decision.Threshold : afterOne;
            }
            var afterTen = tracker.Evaluate("pump", 0, T0.AddMilliseconds(time++)).Threshold;
            results.Add((before, afterOne, afterTen, 100.0 * flagged / (10 * 500)));
            output.WriteLine($"{store} guard {guard}: entity threshold before {before:F2}, after one window {afterOne:F2}, after ten {afterTen:F2}; incident flagged {100.0 * flagged / (10 * 500):F1} %");
        }
        var (guarded, unguarded) = (results[0], results[1]);

        // A 500-score window keeps only 3 scores above its threshold, fewer than the flags it takes to make an
        // incident evident, so the first incident scores do move it; but then it holds, where the unguarded window
        // learns the incident and stops flagging it.
        Assert.Equal(guarded.AfterOneWindow, guarded.AfterTen);
        Assert.True(guarded.AfterTen < unguarded.AfterTen, $"{guarded} against {unguarded}");
        Assert.True(guarded.Flagged >= 10 * Math.Max(unguarded.Flagged, 1), $"{guarded} against {unguarded}");
    }

    [Fact]
    public void Admit_FlagsAtTheExpectedRate_ClampsAlmostNone()
    {
        // A window of 10,000 at p = 99.5: chance flags at 51 in 10,001, independent, for 100 window lengths. (In a
        // real window the flags are fewer when they bunch, since the threshold rises with them; here it is fixed.)
        var guard = new IncidentGuard();
        var random = new Random(5);
        var (flags, clamped) = (0, 0);
        for (var i = 0; i < 1_000_000; i++)
        {
            var flagged = random.NextDouble() < 51.0 / 10_001;
            var admitted = guard.Admit(flagged ? 2f : 0.5f, 1f, 10_000, Percentile);
            (flags, clamped) = (flags + (flagged ? 1 : 0), clamped + (admitted != (flagged ? 2f : 0.5f) ? 1 : 0));
            Assert.True(admitted == (flagged ? 2f : 0.5f) || admitted == 1f && flagged);
        }
        output.WriteLine($"{clamped} of {flags} chance flags clamped");

        Assert.True(clamped <= flags / 200, $"{clamped} of {flags} chance flags clamped");
    }

    [Fact]
    public void Admit_SustainedFlags_ClampsToTheThresholdAndLetsGoWithinAboutNLn2AfterTheyStop()
    {
        var guard = new IncidentGuard();
        // The count starts at its expectation m = 10,000·51/10,001 ≈ 51; the limit is m + 3√(m/2) + 1 ≈ 67.1.
        Assert.Equal(0.5f, guard.Admit(0.5f, 1f, 10_000, Percentile));
        Assert.InRange(guard.RecentFlags, 50.9, 51.0);

        var firstClamp = -1;
        for (var i = 0; i < 1_000 && firstClamp < 0; i++)
        {
            firstClamp = guard.Admit(5f, 1f, 10_000, Percentile) == 1f ? i : -1;
        }
        Assert.Equal(16, firstClamp); // the 17th flag in a row takes the count past the limit
        // An incident of half the stream (a normal score between flags) for ten window lengths: held throughout.
        for (var i = 0; i < 100_000; i++)
        {
            Assert.Equal(i % 2 == 0 ? 1f : 0.5f, guard.Admit(i % 2 == 0 ? 5f : 0.5f, 1f, 10_000, Percentile));
        }
        Assert.True(guard.IncidentEvident);
        Assert.False(guard.Shifted);

        // Saturated at twice the limit, the count falls below the limit after n·ln 2 ≈ 6,931 quiet scores.
        var quiet = 0;
        while (guard.IncidentEvident)
        {
            guard.Admit(0.5f, 1f, 10_000, Percentile);
            quiet++;
        }
        Assert.InRange(quiet, 6_900, 6_960);
        for (var i = 0; i < 2_000; i++)
        {
            guard.Admit(0.5f, 1f, 10_000, Percentile);
        }
        Assert.Equal(2f, guard.Admit(2f, 1f, 10_000, Percentile)); // a lone flag after the incident goes in as it is
    }

    [Fact]
    public void Admit_EveryScoreFlagged_IsAShiftAfterAboutNLn10ScoresAndGoesInUntilTheFlagsStop()
    {
        var guard = new IncidentGuard();
        Assert.Equal(0.5f, guard.Admit(0.5f, 1f, 10_000, Percentile));

        // From the expectation m ≈ 51, the share of flags passes 0.9 after n·ln((n − m)/(0.1·n)) ≈ 22,950 flags in a
        // row; until then they are clamped (after the first 16), from then on they go in as they are.
        var clamped = 0;
        var released = -1;
        for (var i = 0; i < 50_000 && released < 0; i++)
        {
            var admitted = guard.Admit(5f, 1f, 10_000, Percentile);
            clamped += admitted == 1f ? 1 : 0;
            released = guard.Shifted ? i : -1;
            Assert.Equal(guard.Shifted ? 5f : i < 16 ? 5f : 1f, admitted);
        }
        output.WriteLine($"shift after {released + 1} flags in a row, {clamped} clamped before it");
        Assert.InRange(released, 22_850, 23_050);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.Equal(5f, guard.Admit(5f, 1f, 10_000, Percentile));
        }

        // Once the window has followed the shift (its flags back to chance), the guard is armed again: the count falls
        // below the limit within n·ln 2, and a new incident is clamped once evident.
        for (var i = 0; i < 7_000; i++)
        {
            guard.Admit(0.5f, 1f, 10_000, Percentile);
        }
        Assert.False(guard.IncidentEvident);
        Assert.False(guard.Shifted);
        var clampedAgain = Enumerable.Range(0, 100).Count(_ => guard.Admit(5f, 1f, 10_000, Percentile) == 1f);
        Assert.InRange(clampedAgain, 90, 100);
    }

    [Fact]
    public void Admit_NoThresholdYet_NeitherFlagsNorClamps()
    {
        var guard = new IncidentGuard();

        for (var i = 0; i < 1_000; i++)
        {
            Assert.Equal(1e30f, guard.Admit(1e30f, float.PositiveInfinity, 10, Percentile));
        }
        Assert.Equal(0, guard.RecentFlags);
        Assert.False(guard.IncidentEvident);
    }

    /// <summary>
    /// A p = 99 tracker of <paramref name="windowSize"/> calibrated on <paramref name="calibration"/> scores from
    /// U[0, 1), then fed <paramref name="scores"/> scores from U[1, 11), one a second (a shift): each one's verdict.
    /// </summary>
    private static (bool[] Flags, ThresholdTracker Tracker) Shift(int seed, int windowSize, int calibration, int scores)
    {
        var random = new Random(seed);
        var tracker = new ThresholdTracker(new ThresholdOptions { Percentile = 99, WindowSize = windowSize, SuppressionGap = TimeSpan.Zero });
        tracker.Calibrate(Enumerable.Range(0, calibration).Select(_ => (float)random.NextDouble()));
        var flags = Enumerable.Range(0, scores).Select(i => tracker.Evaluate("host", 1 + 10 * (float)random.NextDouble(), T0.AddSeconds(i)).IsAnomaly).ToArray();
        return (flags, tracker);
    }

    [Fact]
    public void Evaluate_LastingLevelShift_IsLearnedAfterAboutTwoWindowLengthsWithoutARetrain()
    {
        // Every score above the threshold for longer than an incident of a whole stream is held: a shift, which the
        // window then learns as it would without the guard (a held threshold would flag everything until a retrain,
        // and flagged rows never reach the trainer).
        var (flags, tracker) = Shift(seed: 7, windowSize: 5_000, calibration: 5_000, scores: 40_000);
        var flaggedAfterShift = flags[..20_000].Count(f => f);
        var flaggedLater = flags[20_000..].Count(f => f);
        output.WriteLine($"flagged after the shift: {flaggedAfterShift} of the first 20,000, {flaggedLater} of the next 20,000");

        // Held for n·ln((n − m)/(0.1·n)) ≈ 11,400 scores (n = 5,000, m ≈ 50), then learned within a window.
        Assert.InRange(flaggedAfterShift, 11_000, 14_000);
        Assert.InRange(flaggedLater, 100, 350); // 1 % of 20,000
        Assert.False(tracker.GlobalIncidentEvident);
    }

    [Fact]
    public void Evaluate_ShiftWhileTheWindowIsStillFilling_IsLearnedAfterAboutTwoOfItsLengthsAtTheShift()
    {
        // A model goes live seeded by 2,000 calibration scores in a 10,000-score window, and the stream has moved: the
        // share's horizon is the ~2,000 scores the window held when the incident became evident, not the 10,000 it
        // will hold, so the shift is learned after about 2.3 × 2,000 flags rather than most of a window.
        var (flags, _) = Shift(seed: 8, windowSize: 10_000, calibration: 2_000, scores: 15_000);
        var firstUnflagged = Array.IndexOf(flags, false);
        var flaggedLast5000 = flags[10_000..].Count(f => f);
        output.WriteLine($"every score flagged up to {firstUnflagged}; {flaggedLast5000} of the last 5,000 flagged");

        Assert.InRange(firstUnflagged, 4_000, 5_500);
        Assert.InRange(flaggedLast5000, 0, 150);
    }
}
