using Detector.Streams.Thresholds;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>Seeding the tracker from a model's calibration scores, for both methods, and POT's fallback.</summary>
public sealed class ThresholdCalibrationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static float[] Exponential(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)-Math.Log(1 - random.NextDouble())).ToArray();
    }

    [Fact]
    public void Calibrate_PercentileMethod_JudgesTheFirstRecordAfterFewerScoresThanWarmUp()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions { Method = ThresholdMethod.Percentile, Percentile = 99, WarmUp = 1_000 });

        tracker.Calibrate(Enumerable.Range(1, 200).Select(i => (float)i));
        var first = tracker.Evaluate("host", 500, T0);

        Assert.True(first.IsAnomaly);
        Assert.Equal(ThresholdSource.Global, first.Source);
        Assert.Equal(198f, first.Threshold);
    }

    [Fact]
    public void Calibrate_TooFewForTheWarmUpMinimum_LeavesTheTrackerWarmingUp()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions { Method = ThresholdMethod.Percentile, WarmUp = 1_000, MinCalibrationScores = 100 });

        tracker.Calibrate([1, 2, 3]);

        Assert.Equal(ThresholdSource.WarmingUp, tracker.Evaluate("host", 1e9f, T0).Source);
    }

    [Fact]
    public void Calibrate_PotMethod_JudgesTheFirstRecordByTheFittedTail()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions { Method = ThresholdMethod.Pot, RiskLevel = 1e-4 });

        tracker.Calibrate(Exponential(20_000, seed: 1));
        var normal = tracker.Evaluate("host", 5, T0);
        var extreme = tracker.Evaluate("host", 20, T0);

        Assert.False(normal.IsAnomaly);
        Assert.True(extreme.IsAnomaly);
        Assert.Equal(ThresholdSource.Global, extreme.Source);
        Assert.InRange(extreme.Threshold, 8.5f, 10f); // ln 1e4 ≈ 9.21
        Assert.Equal(extreme.Threshold, tracker.Snapshot.GlobalThreshold);
        Assert.True(tracker.Snapshot.IsWarm);
    }

    [Fact]
    public void Calibrate_PotWithTooFewScores_FallsBackToThePercentileWithOneLogLineThenFitsOnLiveScores()
    {
        var logger = new ListLogger();
        var tracker = new ThresholdTracker(new ThresholdOptions { Method = ThresholdMethod.Pot, Percentile = 99, WarmUp = 500, PotMinScores = 1_000 }, logger);

        tracker.Calibrate(Exponential(300, seed: 2));
        var first = tracker.Evaluate("host", 1, T0);

        Assert.Equal(ThresholdSource.Global, first.Source);
        Assert.False(tracker.Pot!.IsInitialized);
        var line = Assert.Single(logger.Lines);
        Assert.Contains("300 calibration scores", line, StringComparison.Ordinal);
        Assert.Contains("1000", line, StringComparison.Ordinal);

        foreach (var score in Exponential(1_000, seed: 3))
        {
            tracker.Evaluate("host", score, T0);
        }
        Assert.True(tracker.Pot.IsInitialized);
        Assert.Equal(tracker.Pot.Threshold, tracker.GlobalThreshold);
        Assert.Single(logger.Lines);
    }

    [Fact]
    public void Evaluate_PotMethod_LongIncidentDoesNotRaiseTheThreshold()
    {
        var tracker = new ThresholdTracker(new ThresholdOptions { Method = ThresholdMethod.Pot, RiskLevel = 1e-3, SuppressionGap = TimeSpan.FromMinutes(5) });
        tracker.Calibrate(Exponential(5_000, seed: 4));
        var before = tracker.GlobalThreshold;

        var decisions = Enumerable.Range(0, 50_000).Select(i => tracker.Evaluate("host", before * 3, T0.AddSeconds(i))).ToArray();

        Assert.All(decisions, d => Assert.True(d.IsAnomaly));
        Assert.Equal(1, decisions.Count(d => d.RaiseAlert));
        Assert.Equal(before, tracker.GlobalThreshold);
    }

    [Fact]
    public void Evaluate_PercentileMethod_LongIncidentDoesNotRaiseTheThresholdUntilItHasTakenOverTheStreamForTwoWindows()
    {
        // The incident guard (on by default) clamps the flagged scores once the incident is evident: the window holds.
        // An incident of the whole stream is held for about 2.3 window lengths, then learned as a shift
        // (IncidentGuardTests: an incident of a fifth of the stream is held for as long as it lasts).
        var tracker = new ThresholdTracker(new ThresholdOptions { Method = ThresholdMethod.Percentile, Percentile = 99, WindowSize = 5_000 });
        tracker.Calibrate(Exponential(5_000, seed: 5));
        var before = tracker.GlobalThreshold;

        var flagged = Enumerable.Range(0, 10_000).Count(i => tracker.Evaluate("host", before * 3, T0.AddSeconds(i)).IsAnomaly);

        Assert.True(tracker.GlobalIncidentEvident);
        Assert.True(flagged >= 9_990, $"{flagged} of the incident's first 10,000 records flagged");
        Assert.True(tracker.GlobalThreshold < before * 3, $"threshold {tracker.GlobalThreshold} against {before} before");

        var flaggedLater = Enumerable.Range(10_000, 10_000).Count(i => tracker.Evaluate("host", before * 3, T0.AddSeconds(i)).IsAnomaly);

        Assert.True(flaggedLater < 5_000, $"{flaggedLater} of the incident's next 10,000 records flagged");
        Assert.True(tracker.GlobalThreshold >= before * 3);
    }

    [Fact]
    public void Evaluate_PercentileMethodWithoutTheGuard_LongIncidentRaisesItsOwnThreshold()
    {
        // The contrast: with GuardIncidents off the rolling window learns the incident and stops flagging it.
        var tracker = new ThresholdTracker(new ThresholdOptions { Method = ThresholdMethod.Percentile, Percentile = 99, WindowSize = 5_000, GuardIncidents = false });
        tracker.Calibrate(Exponential(5_000, seed: 5));
        var before = tracker.GlobalThreshold;

        var flagged = Enumerable.Range(0, 5_000).Count(i => tracker.Evaluate("host", before * 3, T0.AddSeconds(i)).IsAnomaly);

        Assert.True(flagged < 100, $"{flagged} of the incident's 5,000 records flagged");
        Assert.True(tracker.GlobalThreshold >= before * 3);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
