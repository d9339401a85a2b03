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
