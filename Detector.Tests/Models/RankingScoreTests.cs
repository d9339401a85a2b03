using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Xunit;

namespace Detector.Tests.Models;

/// <summary>
/// Trimmed training ranks its rows by <see cref="ReconstructionNetwork{T}.RankingScore"/>: for VAEs the negative ELBO
/// from one sample (an eighth of the Tabular preset's decoder passes), for every other network its score.
/// </summary>
public sealed class RankingScoreTests
{
    private const int Features = 10;
    private const int Rows = 64;

    private static float[] Data()
    {
        var rng = new Rng(11);
        var x = new float[Rows * Features];
        rng.FillGaussian(x);
        return x;
    }

    private static (float[] Scores, float[] Errors) Run(ModelOptions options, bool ranking)
    {
        var init = new Rng(3); // the same weights whatever the options' sample count
        var net = ReconstructionNetwork<float>.FromOptions(options, Features, ref init);
        var (scores, errors) = (new float[Rows], new float[Rows * Features]);
        var rng = new Rng(5);
        var ws = net.CreateWorkspace(Rows, training: false);
        if (ranking)
        {
            net.RankingScore(CpuKernels.Instance, Data(), Rows, ws, ref rng, scores, errors);
        }
        else
        {
            net.Score(CpuKernels.Instance, Data(), Rows, ws, ref rng, scores, errors);
        }
        return (scores, errors);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Vae_RankingScore_IsTheOneSampleNegativeElbo(int members)
    {
        var preset = ModelPresets.Tabular with { HiddenSizes = [8, 6], CodeSize = 3, Members = members };
        Assert.Equal(8, preset.ElboSamples);
        var ranking = Run(preset, ranking: true);
        var oneSample = Run(preset with { ElboSamples = 1 }, ranking: false);
        var eightSamples = Run(preset, ranking: false);
        Assert.Equal(oneSample.Scores, ranking.Scores);
        Assert.Equal(oneSample.Errors, ranking.Errors);
        Assert.NotEqual(eightSamples.Scores, ranking.Scores); // the score itself still averages eight samples
    }

    [Fact]
    public void Autoencoder_RankingScore_IsItsScore()
    {
        var options = new ModelOptions { Kind = ModelKind.Autoencoder, HiddenSizes = [8], CodeSize = 3, Members = 2 };
        Assert.Equal(Run(options, ranking: false).Scores, Run(options, ranking: true).Scores);
    }
}
