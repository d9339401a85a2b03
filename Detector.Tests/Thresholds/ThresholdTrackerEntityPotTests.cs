using Detector.Streams.Thresholds;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit;
using Xunit.Abstractions;

namespace Detector.Tests.Thresholds;

/// <summary>
/// Per-entity POT (Method Pot with PerEntity): an entity with enough history gets its own SPOT threshold, fitted on its
/// own window; until then, or when its fit fails, the global threshold judges it; recalibration and entity reuse start
/// it over.
/// </summary>
public sealed class ThresholdTrackerEntityPotTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A generalized Pareto sample with shape γ and scale σ (inverse transform): P(X &gt; x) = (1 + γx/σ)^(−1/γ), so the
    /// level exceeded with probability q is σ/γ (q^(−γ) − 1).
    /// </summary>
    private static float[] Gpd(int n, double shape, double scale, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(scale / shape * (Math.Pow(1 - random.NextDouble(), -shape) - 1))).ToArray();
    }

    private static double GpdQuantile(double shape, double scale, double exceedance) => scale / shape * (Math.Pow(exceedance, -shape) - 1);

    private static ThresholdOptions Options(int entityWindow = 5_000, int entityMin = 5_000, int maxEntities = 100) => new()
    {
        Method = ThresholdMethod.Pot, RiskLevel = 1e-3, PerEntity = true, EntityWindowSize = entityWindow,
        EntityPotMinScores = entityMin, EntityMinHistory = 50, MaxEntities = maxEntities, SuppressionGap = TimeSpan.Zero,
    };

    [Fact]
    public void Evaluate_EntityOnAHundredTimesTheScale_GetsItsOwnPotThresholdAtTheTrueQuantile()
    {
        // The fleet scores GPD(0.1, 1); one entity scores GPD(0.1, 100). q = 1e-3 puts the true thresholds at 9.95 and 995.
        var tracker = new ThresholdTracker(Options());
        tracker.Calibrate(Gpd(5_000, 0.1, 1, seed: 1));
        var big = Gpd(25_000, 0.1, 100, seed: 2);
        var small = Gpd(25_000, 0.1, 1, seed: 3);
        var expected = GpdQuantile(0.1, 100, 1e-3);
        var time = 0;
        for (var i = 0; i < 5_000; i++)
        {
            var decision = tracker.Evaluate("big", big[i], T0.AddSeconds(time++));
            Assert.Equal(ThresholdSource.Global, decision.Source);
            tracker.Evaluate("small", small[i], T0.AddSeconds(time++));
        }
        var pot = tracker.EntityPot("big");
        Assert.NotNull(pot);

        // The reference: a POT fitted on the same 5,000 scores by itself.
        var reference = new PotThreshold(1e-3, 0.98);
        Assert.True(reference.TryInitialize(big.AsSpan(0, 5_000), PotThreshold.MinPeaks, out _));
        Assert.Equal(reference.Threshold, pot.Threshold);
        Assert.InRange(pot.Threshold, 0.75 * expected, 1.35 * expected); // a fit from 100 peaks, 20x beyond them
        Assert.Equal(ThresholdTracker.EntityPotPeaks, pot.PeakCapacity);

        // Online, beside the fleet: judged by its own threshold, flagged near q.
        var flagged = 0;
        for (var i = 5_000; i < big.Length; i++)
        {
            var decision = tracker.Evaluate("big", big[i], T0.AddSeconds(time++));
            Assert.Equal(ThresholdSource.Entity, decision.Source);
            flagged += decision.IsAnomaly ? 1 : 0;
            tracker.Evaluate("small", small[i], T0.AddSeconds(time++));
        }
        output.WriteLine($"entity POT {pot.Threshold:F1} (true {expected:F1}), flagged {flagged} of {big.Length - 5_000}; the other entity's {tracker.EntityPot("small")!.Threshold:F2} (true {GpdQuantile(0.1, 1, 1e-3):F2}); global {tracker.GlobalThreshold:F2}");
        Assert.InRange(flagged, 8, 90); // 20 expected
        // The fleet's entity has its own POT on its own scale; the global one models the mixture of both.
        Assert.InRange(tracker.EntityPot("small")!.Threshold, 0.75 * GpdQuantile(0.1, 1, 1e-3), 1.35 * GpdQuantile(0.1, 1, 1e-3));
        Assert.InRange(tracker.EntityPot("big")!.Threshold, 0.75 * expected, 1.35 * expected);
    }

    [Fact]
    public void Evaluate_EntityWithTooFewScores_IsJudgedByTheGlobalThreshold()
    {
        var tracker = new ThresholdTracker(Options(entityWindow: 1_000, entityMin: 1_000));
        tracker.Calibrate(Gpd(5_000, 0.1, 1, seed: 4));
        var scores = Gpd(1_001, 0.1, 100, seed: 5);

        for (var i = 0; i < 1_000; i++)
        {
            var global = tracker.GlobalThreshold;
            var decision = tracker.Evaluate("young", scores[i], T0.AddSeconds(i));
            Assert.Equal(ThresholdSource.Global, decision.Source);
            Assert.Equal(global, decision.Threshold);
        }
        Assert.NotNull(tracker.EntityPot("young"));
        Assert.Equal(ThresholdSource.Entity, tracker.Evaluate("young", scores[1_000], T0.AddSeconds(1_000)).Source);
    }

    [Fact]
    public void Evaluate_EntityWhoseFitFails_StaysOnGlobalAndTriesAgainAfterAsManyScores()
    {
        var tracker = new ThresholdTracker(Options(entityWindow: 1_000, entityMin: 1_000));
        tracker.Calibrate(Gpd(5_000, 0.1, 1, seed: 6));
        // A constant score has no peaks above its 0.98-quantile: no fit.
        for (var i = 0; i < 1_000; i++)
        {
            tracker.Evaluate("stuck", 3f, T0.AddSeconds(i));
        }
        Assert.Null(tracker.EntityPot("stuck"));

        var varied = Gpd(1_000, 0.1, 1, seed: 7);
        for (var i = 0; i < 999; i++)
        {
            Assert.Equal(ThresholdSource.Global, tracker.Evaluate("stuck", varied[i], T0.AddSeconds(1_000 + i)).Source);
        }
        tracker.Evaluate("stuck", varied[999], T0.AddSeconds(1_999));
        Assert.NotNull(tracker.EntityPot("stuck"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RecalibrateOrCalibrate_EntityWithItsOwnPot_StartsOverOnTheGlobalThreshold(bool calibrate)
    {
        var tracker = new ThresholdTracker(Options(entityWindow: 1_000, entityMin: 1_000));
        tracker.Calibrate(Gpd(5_000, 0.1, 1, seed: 8));
        var scores = Gpd(2_001, 0.1, 100, seed: 9);
        for (var i = 0; i < 1_000; i++)
        {
            tracker.Evaluate("pump", scores[i], T0.AddSeconds(i));
        }
        Assert.NotNull(tracker.EntityPot("pump"));

        // A new model scores on another scale: the entity's fit is forgotten with its window.
        var seed = Gpd(5_000, 0.1, 10, seed: 10);
        if (calibrate)
        {
            tracker.Calibrate(seed);
        }
        else
        {
            tracker.Recalibrate(seed);
        }

        Assert.Null(tracker.EntityPot("pump"));
        Assert.Equal(0, tracker.EntityWindowCount("pump"));
        for (var i = 1_000; i < 2_000; i++)
        {
            Assert.Equal(ThresholdSource.Global, tracker.Evaluate("pump", scores[i], T0.AddSeconds(i)).Source);
        }
        Assert.Equal(ThresholdSource.Entity, tracker.Evaluate("pump", scores[2_000], T0.AddSeconds(2_000)).Source);
    }

    [Fact]
    public void Evaluate_ForgottenEntitysStateReused_DoesNotCarryItsPotOver()
    {
        var tracker = new ThresholdTracker(Options(entityWindow: 1_000, entityMin: 1_000, maxEntities: 1));
        tracker.Calibrate(Gpd(5_000, 0.1, 1, seed: 11));
        var scores = Gpd(1_000, 0.1, 100, seed: 12);
        for (var i = 0; i < 1_000; i++)
        {
            tracker.Evaluate("old", scores[i], T0.AddSeconds(i));
        }
        Assert.NotNull(tracker.EntityPot("old"));

        var decision = tracker.Evaluate("new", 1e6f, T0.AddSeconds(1_000));

        Assert.Equal(1, tracker.EntityCount);
        Assert.Null(tracker.EntityPot("new"));
        Assert.Null(tracker.EntityPot("old"));
        Assert.Equal(ThresholdSource.Global, decision.Source);
    }

    [Fact]
    public void Evaluate_RandomStreamsOfEntitiesScalesAndRecalibrations_EntitySourceOnlyAfterEnoughHistoryAndNoNaN()
    {
        const int entityMin = 120;
        // Segments: (kind, entity, length, scale exponent); kind 0–2 scores GPD, 3 a constant, 4 recalibrates.
        var segments = Gen.Choose(0, 4).Zip(Gen.Choose(0, 2)).Zip(Gen.Choose(1, 250).Zip(Gen.Choose(-3, 4))).ArrayOf().ToArbitrary();
        var property = Prop.ForAll(segments, plan =>
        {
            var options = new ThresholdOptions
            {
                Method = ThresholdMethod.Pot, RiskLevel = 0.01, PotInitialQuantile = 0.9, PotMinScores = 100, WarmUp = 50,
                WindowSize = 1_000, PerEntity = true, EntityWindowSize = 200, EntityPotMinScores = entityMin, EntityMinHistory = 20,
                MaxEntities = 2,
            };
            var tracker = new ThresholdTracker(options);
            var random = new Random(plan.Length);
            var since = new Dictionary<string, int>(); // scores since the entity's history last started over
            var recency = new LinkedList<string>(); // most recent first, as the tracker's LRU
            var time = 0L;
            foreach (var ((kind, entity), (length, exponent)) in plan)
            {
                if (kind == 4)
                {
                    tracker.Recalibrate(Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * Math.Pow(10, exponent))));
                    foreach (var key in since.Keys.ToArray())
                    {
                        since[key] = 0;
                    }
                    continue;
                }
                var name = $"e{entity}";
                for (var i = 0; i < length; i++)
                {
                    if (!recency.Remove(name) && recency.Count == options.MaxEntities)
                    {
                        since.Remove(recency.Last!.Value); // the least recent is forgotten; its state goes to the new one
                        recency.RemoveLast();
                    }
                    recency.AddFirst(name);
                    var score = kind == 3 ? 1f : (float)(Math.Pow(10, exponent) * -Math.Log(1 - random.NextDouble()));
                    var hadPot = tracker.EntityPot(name) is not null;
                    var before = since.GetValueOrDefault(name);
                    var decision = tracker.Evaluate(name, score, T0.AddMilliseconds(time++));
                    since[name] = before + 1;
                    var ok = !float.IsNaN(decision.Threshold)
                        && !float.IsNegativeInfinity(decision.Threshold)
                        && decision.IsAnomaly == score > decision.Threshold
                        && (decision.Source == ThresholdSource.Entity) == hadPot
                        && (decision.Source != ThresholdSource.Entity || before >= entityMin);
                    if (!ok)
                    {
                        return false;
                    }
                }
            }
            return true;
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(100)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20171013UL, 5UL), FSharpOption<int>.None)));
        Check.One(config, property);
    }
}
