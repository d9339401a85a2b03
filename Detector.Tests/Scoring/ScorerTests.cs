using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scoring;
using Xunit;

namespace Detector.Tests.Scoring;

/// <summary>The scoring API: validation, attribution, chunking, thread safety and zero allocation.</summary>
public sealed class ScorerTests
{
    private const int Features = 30;

    private static ModelSnapshot Model(ModelKind kind = ModelKind.Autoencoder, VaeScore score = VaeScore.Reconstruction) =>
        TestData.Snapshot(new ModelOptions { Kind = kind, Score = score }, FeatureSchema.Numbered(Features));

    private static float[] Data(int rows, ulong seed = 1)
    {
        var rng = new Rng(seed);
        return TestData.Floats(ref rng, rows * Features);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Score_NonFiniteValue_RejectedNamingRowAndFeature(float bad)
    {
        var data = Data(10);
        data[6 * Features + 29] = bad;
        var e = Assert.Throws<InvalidBatchException>(() => Model().CreateScorer().Score(data, 10, new float[10], []));
        Assert.Equal(6, e.Row);
        Assert.Equal("f29", e.Feature);
        Assert.Contains("row 6", e.Message);
        Assert.Contains("'f29'", e.Message);
    }

    [Fact]
    public void Score_WrongArity_Rejected()
    {
        var e = Assert.Throws<InvalidBatchException>(() => Model().CreateScorer().Score(Data(10).AsSpan(0, 299), 10, new float[10], []));
        Assert.Contains("not 10 rows × 30 features", e.Message);
        var rows = new List<float[]> { new float[Features], new float[Features - 1] };
        var p = Assert.Throws<InvalidBatchException>(() => BatchValidator.Pack(rows, FeatureSchema.Numbered(Features), new float[2 * Features]));
        Assert.Equal(1, p.Row);
        Assert.Contains("row 1 has 29 values", p.Message);
    }

    [Fact]
    public void Score_HugeInput_NeverReturnsNaNSilently()
    {
        var data = Data(4);
        data[2 * Features + 5] = 3e38f;
        var e = Assert.Throws<InvalidBatchException>(() => Model().CreateScorer().Score(data, 4, new float[4], []));
        Assert.Equal(2, e.Row);
        Assert.Equal("f5", e.Feature);
    }

    [Fact]
    public void Score_Contributions_AreSharesThatSumToOneAndRankTheDamagedFeature()
    {
        var model = Model();
        var data = Data(8);
        var clean = new float[8 * Features];
        model.CreateScorer().Score(data, 8, new float[8], clean);
        data[3 * Features + 11] += 50f;
        var scores = new float[8];
        var shares = new float[8 * Features];
        model.CreateScorer().Score(data, 8, scores, shares);
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(1.0, shares.AsSpan(i * Features, Features).ToArray().Sum(), 4);
        }
        Span<int> top = stackalloc int[3];
        FeatureAttribution.Top(shares.AsSpan(3 * Features, Features), top);
        Assert.Equal(11, top[0]);
    }

    [Fact]
    public void Top_AnyRow_MatchesSortedOrder()
    {
        var rng = new Rng(2);
        for (var trial = 0; trial < 200; trial++)
        {
            var n = 1 + rng.NextInt(40);
            var values = TestData.Floats(ref rng, n);
            var k = 1 + rng.NextInt(8);
            var top = new int[k];
            var written = FeatureAttribution.Top(values, top);
            var expected = Enumerable.Range(0, n).OrderByDescending(i => values[i]).ThenBy(i => i).Take(k).ToArray();
            Assert.Equal(expected, top.Take(written).ToArray());
        }
    }

    [Fact]
    public void Score_BatchLargerThanMaxBatch_SameAsOneByOne()
    {
        var model = Model();
        var data = Data(1000);
        var chunked = new float[1000];
        model.CreateScorer(maxBatch: 64).Score(data, 1000, chunked, []);
        var single = new float[1];
        var scorer = model.CreateScorer(maxBatch: 1);
        for (var i = 0; i < 1000; i += 37)
        {
            scorer.Score(data.AsSpan(i * Features, Features), 1, single, []);
            Assert.Equal(chunked[i], single[0]); // bit for bit: scoring is batch-invariant (BatchInvarianceTests)
        }
    }

    [Fact]
    public async Task Score_ConcurrentScorersOnOneSnapshot_AgreeWithSequential()
    {
        var model = Model(ModelKind.VariationalAutoencoder);
        var data = Data(512);
        var expected = new float[512];
        model.CreateScorer().Score(data, 512, expected, []);
        var tasks = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var scorer = model.CreateScorer(maxBatch: 128);
            var scores = new float[512];
            for (var round = 0; round < 50; round++)
            {
                scorer.Score(data, 512, scores, []);
                Assert.Equal(expected, scores);
            }
        }));
        await Task.WhenAll(tasks);
    }

    [Theory]
    [InlineData(ModelKind.Autoencoder, VaeScore.Reconstruction, 1)]
    [InlineData(ModelKind.Autoencoder, VaeScore.Reconstruction, 256)]
    [InlineData(ModelKind.VariationalAutoencoder, VaeScore.Reconstruction, 256)]
    [InlineData(ModelKind.VariationalAutoencoder, VaeScore.NegativeElbo, 64)]
    public void Score_HotPath_AllocatesNothing(ModelKind kind, VaeScore score, int rows)
    {
        var scorer = Model(kind, score).CreateScorer(maxBatch: 256);
        var data = Data(rows);
        var scores = new float[rows];
        var shares = new float[rows * Features];
        scorer.Score(data, rows, scores, shares); // warm-up: JIT and first-call work
        // The runtime may allocate on this thread now and then while it re-compiles hot methods (tiering); an allocation
        // of the scoring path itself shows in every round, so the quietest of a few rounds must be zero.
        var fewest = long.MaxValue;
        for (var round = 0; round < 5 && fewest > 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                scorer.Score(data, rows, scores, shares);
            }
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, fewest);
    }
}
