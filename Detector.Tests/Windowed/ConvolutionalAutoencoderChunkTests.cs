using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Windowed;
using Xunit;

namespace Detector.Tests.Windowed;

/// <summary>
/// A scoring workspace of the convolutional autoencoder passes at most <see cref="ConvolutionalAutoencoder{T}.ScoringChunkRows"/>
/// rows through the layers at a time. Rows are independent, so a batch larger than the chunk (and not a multiple of it)
/// scores as one pass over the whole batch does: exactly on the reference kernels, to float rounding on the CPU kernels.
/// </summary>
public sealed class ConvolutionalAutoencoderChunkTests
{
    private static readonly ModelOptions Options = new()
    {
        Kind = ModelKind.ConvolutionalAutoencoder, WindowSteps = 20, HiddenSizes = [8, 4], KernelSize = 5, Stride = 2,
    };

    private const int Sensors = 3;

    private const int Rows = 2 * ConvolutionalAutoencoder<float>.ScoringChunkRows + 11;

    [Fact]
    public void Score_BatchLargerThanChunk_ReferenceKernels_SameAsOnePass()
    {
        var (chunked, whole) = ScoreBothWays<double>(ReferenceKernels<double>.Instance);
        Assert.Equal(whole.Scores, chunked.Scores);
        Assert.Equal(whole.Errors, chunked.Errors);
        Assert.Equal(whole.Loss, chunked.Loss);
    }

    [Fact]
    public void Score_BatchLargerThanChunk_CpuKernels_SameAsOnePassToRounding()
    {
        var (chunked, whole) = ScoreBothWays<float>(CpuKernels.Instance);
        for (var i = 0; i < Rows; i++)
        {
            Assert.True(Math.Abs(whole.Scores[i] - chunked.Scores[i]) <= 1e-6 * Math.Abs(whole.Scores[i]), $"row {i}: {whole.Scores[i]:g9} vs {chunked.Scores[i]:g9}");
        }
        Assert.Equal(whole.Loss, chunked.Loss, 6);
    }

    [Fact]
    public void Loss_GradientsOnScoringWorkspaceOverChunk_Throws()
    {
        var rng = new Rng(9);
        var net = ReconstructionNetwork<float>.FromOptions(Options, Options.WindowSteps * Sensors, ref rng);
        var x = TestData.Floats(ref rng, Rows * net.InputSize);
        var ex = Assert.Throws<ArgumentException>(() =>
            net.Loss(CpuKernels.Instance, x, x, Rows, net.CreateWorkspace(Rows, training: false), ref rng, true, net.CreateGradients()));
        Assert.Contains("training workspace", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The same rows scored through a chunked scoring workspace and a training workspace (one pass of every row).</summary>
    private static ((T[] Scores, T[] Errors, double Loss) Chunked, (T[] Scores, T[] Errors, double Loss) Whole) ScoreBothWays<T>(IKernels<T> k)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rng = new Rng(7);
        var net = ReconstructionNetwork<T>.FromOptions(Options, Options.WindowSteps * Sensors, ref rng);
        var x = Array.ConvertAll(TestData.Doubles(ref rng, Rows * net.InputSize), T.CreateTruncating);
        (T[], T[], double) Run(NetworkWorkspace<T> ws)
        {
            var noise = new Rng(1);
            var scores = new T[Rows];
            var errors = new T[Rows * net.InputSize];
            net.Score(k, x, Rows, ws, ref noise, scores, errors);
            return (scores, errors, net.Loss(k, x, x, Rows, ws, ref noise, false, null));
        }
        return (Run(net.CreateWorkspace(Rows, training: false)), Run(net.CreateWorkspace(Rows, training: true)));
    }
}
