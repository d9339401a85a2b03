using Detector.Node.Evaluation;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Detector.Tests.Evaluation;

/// <summary>Segments, point adjustment and detection delay on hand-made label sequences.</summary>
public sealed class SegmentMetricsTests
{
    private static bool[] B(string s) => s.Select(c => c == '1').ToArray();

    [Fact]
    public void Segments_RunsOfLabels_FoundWithHalfOpenBounds()
    {
        Assert.Equal([new LabelledSegment(1, 3), new LabelledSegment(5, 6), new LabelledSegment(8, 10)], SegmentMetrics.Segments(B("0110010011")));
        Assert.Empty(SegmentMetrics.Segments(B("0000")));
        Assert.Equal([new LabelledSegment(0, 4)], SegmentMetrics.Segments(B("1111")));
    }

    [Fact]
    public void PointAdjust_OneHitInSegment_FlagsWholeSegmentOnly()
    {
        var labels = B("0111100111");
        var flagged = B("1001000000");
        // The first segment is hit once: all of it counts; the second is missed; the false alarm at 0 stays.
        Assert.Equal(B("1111100000"), SegmentMetrics.PointAdjust(labels, flagged));
    }

    [Fact]
    public void DetectionDelays_FirstHitAfterOnset_InRecordsOrNullWhenMissed()
    {
        var labels = B("0011110001110011");
        var flagged = B("1000110000000001");
        Assert.Equal([2, null, 1], SegmentMetrics.DetectionDelays(labels, flagged));
    }

    [Fact]
    public void PointAdjust_AnyVerdicts_NeverLowersRecallAndKeepsVerdictsOutsideSegments()
    {
        var arb = Gen.Choose(0, 1).Select(i => i == 1).ArrayOf().Two().Where(p => p.Item1.Length == p.Item2.Length).ToArbitrary();
        Prop.ForAll(arb, p =>
        {
            var (labels, flagged) = p;
            var adjusted = SegmentMetrics.PointAdjust(labels, flagged);
            for (var i = 0; i < labels.Length; i++)
            {
                Assert.True(!flagged[i] || adjusted[i], "point adjustment never clears a verdict");
                if (!labels[i])
                {
                    Assert.Equal(flagged[i], adjusted[i]);
                }
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Compute_TwoStreams_PoolsCountsSegmentsDelaysAndAlerts()
    {
        // Stream a: segment [2,5) hit at 3 (delay 1), one false alarm at 7. Stream b: segment [0,2) missed.
        var a = Outcome("a", "0011100000", "0001000100", alerts: 2, times: [0, 1000, 2000, 5000, 9000, 10000, 11000, 12000, 13000, 14000]);
        var b = Outcome("b", "1100", "0000", alerts: 0, times: [0, 1, 2, 3]);
        var s = DetectionSummary.Compute([a, b]);
        Assert.Equal(14, s.Records);
        Assert.Equal(5, s.Anomalies);
        Assert.Equal(0.5, s.Precision, 10);
        Assert.Equal(0.2, s.Recall, 10);
        Assert.Equal(2 * 0.5 * 0.2 / 0.7, s.F1, 10);
        // Adjusted: a's segment counts whole (3 hits), b's stays missed: P = 3/4, R = 3/5.
        Assert.Equal(0.75, s.AdjustedPrecision, 10);
        Assert.Equal(0.6, s.AdjustedRecall, 10);
        Assert.Equal((2, 1), (s.Segments, s.SegmentsDetected));
        Assert.Equal(1.0, s.MeanDelayRecords, 10);
        Assert.Equal(3.0, s.MeanDelaySeconds, 10);
        Assert.Equal(1000.0 * 2 / 14, s.AlertsPer1000, 10);
    }

    [Fact]
    public void Compute_SeveralStreams_ScoresDividedByEachStreamsScaleBeforeAuc()
    {
        // Within each stream the anomaly outscores the normals, but b's model scores everything 100× higher:
        // pooled raw scores would rank b's normals above a's anomaly; scaled ones separate perfectly.
        var a = Outcome("a", "001", "001", scores: [1, 2, 10], scale: 1);
        var b = Outcome("b", "001", "001", scores: [100, 200, 1000], scale: 100);
        Assert.Equal(1.0, DetectionSummary.Compute([a, b]).AucRoc, 10);
        Assert.Equal(1.0, DetectionSummary.Compute([a, b]).AucPr, 10);
    }

    [Fact]
    public void Mean_Runs_AveragesEachFigure()
    {
        var one = DetectionSummary.Compute([Outcome("a", "0011", "0011")]);
        var two = DetectionSummary.Compute([Outcome("a", "0011", "0001")]);
        var mean = DetectionSummary.Mean([one, two]);
        Assert.Equal((one.F1 + two.F1) / 2, mean.F1, 10);
        Assert.Equal((one.Recall + two.Recall) / 2, mean.Recall, 10);
    }

    [Theory]
    [InlineData(400, 400)]
    [InlineData(300, 300)]
    [InlineData(29_440, 920)]
    [InlineData(0, 256)]
    [InlineData(1031, 1)]
    public void BatchRows_TrainingWindow_LargestDivisorUpTo1024(int trainRows, int expected) =>
        Assert.Equal(expected, StreamEvaluation.BatchRows(trainRows));

    [Fact]
    public void InitialWindow_FractionAbove1024_RoundedDownToMultipleOf64()
    {
        Assert.Equal(29_440, StreamEvaluation.InitialWindow(new EvaluationOptions { TrainFraction = 0.6 }, 49_097));
        Assert.Equal(400, StreamEvaluation.InitialWindow(new EvaluationOptions { TrainRows = 400 }, 1_000));
        Assert.Throws<ArgumentException>(() => StreamEvaluation.InitialWindow(new EvaluationOptions { TrainRows = 1_000 }, 1_000));
    }

    [Fact]
    public void QuantileAndOnsets_HandMade_MatchNumpyAndCountRisingEdges()
    {
        // numpy.quantile([1, 2, 3, 4], 0.9) = 3.7 (linear interpolation).
        Assert.Equal(3.7, StreamEvaluation.Quantile([4f, 1f, 3f, 2f], 0.9), 5);
        Assert.Equal(3, StreamEvaluation.Onsets(B("1100101110")));
    }

    private static StreamOutcome Outcome(string name, string labels, string flagged, long alerts = 0, long[]? times = null,
        float[]? scores = null, double scale = 1)
    {
        var l = B(labels);
        return new StreamOutcome(name, l, B(flagged), scores ?? l.Select((x, i) => x ? 1f + i : 0.1f * i).ToArray(),
            Enumerable.Repeat(1f, l.Length).ToArray(), scale, times, alerts, 0, 0);
    }
}
