using Detector.Streams.Thresholds;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>The blocked sorted multiset against a sorted <see cref="List{T}"/>: every rank after every operation.</summary>
public sealed class SortedScoresTests
{
    /// <summary>Values that stress ordering and equality: ±0, ±∞, the extremes, subnormals and many repeats.</summary>
    private static readonly float[] Awkward =
    [
        -0f, 0f, 0f, 1f, 1f, 1f, 1f, -1f, 2f, 0.5f, float.Epsilon, -float.Epsilon,
        float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity,
    ];

    [Fact]
    public void Operations_RandomInsertRemoveReplaceSequences_MatchSortedListReference()
    {
        // An operation: kind (0 insert, 1 remove, 2 replace), a value, and a pick among the present values.
        var values = Gen.OneOf(Gen.Elements(Awkward), Gen.Choose(-3, 3).Select(x => (float)x));
        var operation = Gen.Choose(0, 2).Zip(values).Zip(Gen.Choose(0, int.MaxValue));
        var sequences = operation.ArrayOf().ToArbitrary();
        var blockCapacities = Gen.Elements(4, 5, 8, 16, 512).ToArbitrary();
        var property = Prop.ForAll(sequences, blockCapacities, (ops, blockCapacity) =>
        {
            Replay(ops.Select(o => (o.Item1.Item1, o.Item1.Item2, o.Item2)), blockCapacity);
            return true;
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(500)
            .WithEndSize(300)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20250301UL, 7UL), FSharpOption<int>.None)));
        Check.One(config, property);
    }

    [Fact]
    public void Operations_LongSeededSequencesWithSmallBlocks_MatchSortedListReference()
    {
        for (var seed = 0; seed < 40; seed++)
        {
            var random = new Random(seed);
            // Phases that grow, churn and drain the multiset, so blocks split, merge and empty out.
            var ops = new List<(int Kind, float Value, int Pick)>();
            foreach (var (length, insertWeight) in new[] { (600, 0.8), (1500, 0.5), (700, 0.15), (400, 0.5) })
            {
                for (var i = 0; i < length; i++)
                {
                    var kind = random.NextDouble() < insertWeight ? 0 : random.Next(1, 3);
                    var value = seed % 2 == 0 ? random.Next(-2, 3) : (float)(random.NextDouble() * 2 - 1);
                    ops.Add((kind, value + 0f == 0 && random.Next(2) == 0 ? -0f : value, random.Next()));
                }
            }
            Replay(ops, blockCapacity: 4 + seed % 13);
        }
    }

    [Fact]
    public void Capacity_AfterGrowingAndChurning_StaysWithinTheMergeRuleBound()
    {
        const int maxCount = 5000;
        const int blockCapacity = 16;
        var random = new Random(99);
        var scores = new SortedScores(maxCount, blockCapacity);
        var held = new List<float>();
        for (var i = 0; i < 200_000; i++)
        {
            if (held.Count < maxCount && (held.Count == 0 || random.Next(3) > 0))
            {
                var value = (float)random.NextDouble();
                scores.Insert(value);
                held.Add(value);
            }
            else
            {
                var at = random.Next(held.Count);
                scores.Remove(held[at]);
                held[at] = held[^1];
                held.RemoveAt(held.Count - 1);
            }
        }

        Assert.True(scores.BlockCount <= 8 * held.Count / (3 * blockCapacity) + 2, $"{scores.BlockCount} blocks for {held.Count} scores");
        Assert.True(scores.Capacity <= 8 * maxCount / 3 + 2 * blockCapacity, $"{scores.Capacity} slots allocated for at most {maxCount}");
    }

    [Fact]
    public void Key_OrdersLikeTheScoresAndRoundTrips()
    {
        var sorted = Awkward.Distinct().Order().ToArray();

        for (var i = 0; i < sorted.Length; i++)
        {
            Assert.Equal(sorted[i], SortedScores.Score(SortedScores.Key(sorted[i])));
            for (var j = i + 1; j < sorted.Length; j++)
            {
                Assert.True(sorted[i] == sorted[j]
                    ? SortedScores.Key(sorted[i]) == SortedScores.Key(sorted[j])
                    : SortedScores.Key(sorted[i]) < SortedScores.Key(sorted[j]), $"{sorted[i]} vs {sorted[j]}");
            }
        }
        Assert.Equal(SortedScores.Key(0f), SortedScores.Key(-0f));
    }

    [Fact]
    public void Remove_ScoreNotPresent_ThrowsNamingTheDisagreement()
    {
        var scores = new SortedScores(10);
        scores.Insert(1f);

        Assert.Throws<InvalidOperationException>(() => scores.Remove(2f));
    }

    /// <summary>Applies the operations to a multiset and a sorted list, checking count and every rank after each.</summary>
    private static void Replay(IEnumerable<(int Kind, float Value, int Pick)> ops, int blockCapacity)
    {
        var scores = new SortedScores(100_000, blockCapacity);
        var reference = new List<float>();
        var step = 0;
        foreach (var (kind, value, pick) in ops)
        {
            step++;
            if (kind == 0 || reference.Count == 0)
            {
                scores.Insert(value);
                Add(reference, value);
            }
            else
            {
                // Remove by an equal value, which for zero may be the other sign: −0 and +0 are one score.
                var present = reference[pick % reference.Count];
                var old = present == 0 && pick % 2 == 0 ? -present : present;
                reference.Remove(present);
                if (kind == 1)
                {
                    scores.Remove(old);
                }
                else
                {
                    scores.Replace(old, value);
                    Add(reference, value);
                }
            }
            Assert.Equal(reference.Count, scores.Count);
            // Walk the ranks up, then a few down and at random, so the cursor moves every way it can.
            for (var rank = 0; rank < reference.Count; rank++)
            {
                Assert.True(reference[rank] == scores[rank], $"step {step}, rank {rank}: expected {reference[rank]}, got {scores[rank]}");
            }
            for (var rank = reference.Count - 1; rank >= Math.Max(0, reference.Count - 3); rank--)
            {
                Assert.True(reference[rank] == scores[rank], $"step {step}, rank {rank} (descending)");
            }
            if (reference.Count > 0)
            {
                var any = pick % reference.Count;
                Assert.True(reference[any] == scores[any], $"step {step}, rank {any} (jump)");
            }
        }
    }

    private static void Add(List<float> sorted, float value)
    {
        var at = sorted.BinarySearch(value);
        sorted.Insert(at < 0 ? ~at : at, value);
    }
}
