using Detector.Streams.Thresholds;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Xunit;

namespace Detector.Tests.Thresholds;

/// <summary>The bucket counts against plain arrays: every find, prefix and lowest common node.</summary>
public sealed class FenwickCountsTests
{
    [Fact]
    public void Find_RandomAddsRemovesAndMoves_MatchesALinearScanOfTheCounts()
    {
        // Operations as (kind, bucket, other bucket, rank fraction); buckets are folded into range per case.
        var operations = Gen.Choose(0, 2).Zip(Gen.Choose(0, 9999)).Zip(Gen.Choose(0, 9999).Zip(Gen.Choose(0, 1000)))
            .Select(x => (Kind: x.Item1.Item1, A: x.Item1.Item2, B: x.Item2.Item1, Fraction: x.Item2.Item2 / 1000.0))
            .ArrayOf().ToArbitrary();
        var sizes = Gen.Elements(1, 2, 3, 7, 64, 65, 300, 5000).ToArbitrary();
        var property = Prop.ForAll(sizes, operations, (buckets, ops) =>
        {
            var counts = new FenwickCounts(buckets);
            var naive = new int[buckets];
            foreach (var (kind, a, b, fraction) in ops)
            {
                var (from, to) = (a % buckets, b % buckets);
                if (kind == 0 || naive.Sum() == 0)
                {
                    counts.Add(to);
                    naive[to]++;
                }
                else
                {
                    // Take from a bucket that holds something: the first non-empty one at or after `from`.
                    while (naive[from] == 0)
                    {
                        from = (from + 1) % buckets;
                    }
                    if (kind == 1)
                    {
                        counts.Remove(from);
                        naive[from]--;
                    }
                    else
                    {
                        counts.Move(from, to);
                        naive[from]--;
                        naive[to]++;
                    }
                }
                var total = naive.Sum();
                if (counts.Total != total)
                {
                    return false;
                }
                if (total > 0)
                {
                    var k = Math.Clamp((int)Math.Ceiling(fraction * total), 1, total);
                    var expected = 0;
                    for (var seen = naive[0]; seen < k; seen += naive[++expected])
                    {
                    }
                    if (counts.Find(k) != expected || counts.CountBelow(expected) != naive.Take(expected).Sum())
                    {
                        return false;
                    }
                }
            }
            return true;
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(300)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(20250301UL, 7UL), FSharpOption<int>.None)));
        Check.One(config, property);
    }

    [Fact]
    public void LowestCommonNode_AllPairsOfSmallBuckets_IsTheFirstNodeOnBothUpdatePaths()
    {
        static List<int> Path(int bucket)
        {
            var path = new List<int>();
            for (var node = bucket + 1; node <= 1 << 10; node += node & -node)
            {
                path.Add(node);
            }
            return path;
        }

        for (var a = 0; a < 200; a++)
        {
            var pathA = Path(a);
            for (var b = 0; b < 200; b++)
            {
                if (a != b)
                {
                    var expected = pathA.Intersect(Path(b)).Min();
                    Assert.Equal(expected, FenwickCounts.LowestCommonNode(a, b));
                }
            }
        }
    }
}
