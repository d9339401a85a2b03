using Detector.Streams.Training;
using Xunit;

namespace Detector.Tests.Pipeline;

/// <summary>The trainer's reservoir: bounded, uniform over normal rows, and a recent ring in order.</summary>
public sealed class TrainingReservoirTests
{
    [Fact]
    public void Add_ManyRows_SampleBoundedAndOnlyNormalRows()
    {
        var reservoir = new TrainingReservoir(features: 2, capacity: 100, recentCapacity: 10, seed: 1);
        var rows = new float[2000];
        var normal = new bool[1000];
        for (var i = 0; i < 1000; i++)
        {
            rows[2 * i] = i;
            rows[2 * i + 1] = i % 2 == 0 ? 1 : -1;
            normal[i] = i % 2 == 0;
        }
        reservoir.Add(rows, 1000, normal);
        var (sample, count) = reservoir.Sample();
        Assert.Equal(100, count);
        Assert.Equal(500, reservoir.NormalSeen);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(1f, sample[2 * i + 1]); // only normal rows
        }
        // Uniform: the sample is spread over the whole stream, not just its head.
        Assert.Contains(sample.Where((_, k) => k % 2 == 0), v => v > 500);
        Assert.Contains(sample.Where((_, k) => k % 2 == 0), v => v < 500);
    }

    [Fact]
    public void Add_ManyBatches_EveryRowEquallyLikelyToBeKept()
    {
        // 400 reservoirs of 50 rows over 5,000 normal rows offered in batches of 256: each row is kept with probability
        // 50 / 5,000, so each tenth of the stream should hold 2,000 of the 20,000 kept rows (sd ≈ 42). A skip rule
        // off by a factor, or one that favours the head or the tail, moves some tenth far outside ±10 %.
        const int Rows = 5_000, Capacity = 50, Trials = 400;
        var perTenth = new int[10];
        var rows = Enumerable.Range(0, Rows).Select(i => (float)i).ToArray();
        var normal = Enumerable.Repeat(true, Rows).ToArray();
        for (var trial = 0; trial < Trials; trial++)
        {
            var reservoir = new TrainingReservoir(features: 1, capacity: Capacity, recentCapacity: 4, seed: (ulong)trial + 1);
            for (var start = 0; start < Rows; start += 256)
            {
                var count = Math.Min(256, Rows - start);
                reservoir.Add(rows.AsSpan(start, count), count, normal.AsSpan(start, count));
            }
            var (sample, kept) = reservoir.Sample();
            Assert.Equal(Capacity, kept);
            Assert.Equal(Capacity, sample.Distinct().Count());
            foreach (var row in sample)
            {
                perTenth[(int)row * 10 / Rows]++;
            }
        }
        Assert.All(perTenth, n => Assert.InRange(n, 1_800, 2_200));
    }

    [Fact]
    public void Recent_AfterWrapping_ReturnsTheLastRowsOldestFirst()
    {
        var reservoir = new TrainingReservoir(features: 1, capacity: 5, recentCapacity: 4, seed: 1);
        reservoir.Add([1, 2, 3, 4, 5, 6], 6, new bool[6]);
        var (recent, rows) = reservoir.Recent();
        Assert.Equal(4, rows);
        Assert.Equal([3f, 4, 5, 6], recent);
        Assert.Equal(0, reservoir.SampleCount);
    }
}
