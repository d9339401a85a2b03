using System.Numerics;
using Detector.Models.Kernels;
using Detector.Models.Numerics;

namespace Detector.Models.Layers;

/// <summary>
/// A stack of dense layers with optional inverted dropout after every layer but the last (training only).
/// Holds weights only; activations live in an <see cref="MlpWorkspace{T}"/>, so one instance serves many callers.
/// </summary>
public sealed class Mlp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a stack; consecutive widths must match.</summary>
    public Mlp(IReadOnlyList<DenseLayer<T>> layers, double dropout)
    {
        if (layers.Count == 0)
        {
            throw new ArgumentException("an MLP needs at least one layer", nameof(layers));
        }
        for (var l = 1; l < layers.Count; l++)
        {
            if (layers[l].InputSize != layers[l - 1].OutputSize)
            {
                throw new ArgumentException($"layer {l} takes {layers[l].InputSize} inputs but layer {l - 1} gives {layers[l - 1].OutputSize}");
            }
        }
        if (dropout is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout must be in [0, 1)");
        }
        Layers = layers.ToArray();
        Dropout = dropout;
    }

    /// <summary>The layers, input first.</summary>
    public IReadOnlyList<DenseLayer<T>> Layers { get; }

    /// <summary>Probability of zeroing a hidden activation during training.</summary>
    public double Dropout { get; }

    /// <summary>Input width.</summary>
    public int InputSize => Layers[0].InputSize;

    /// <summary>Output width.</summary>
    public int OutputSize => Layers[^1].OutputSize;

    /// <summary>Weights and biases in order: W0, b0, W1, b1, …</summary>
    public IEnumerable<T[]> Parameters() => Layers.SelectMany(l => new[] { l.Weights, l.Bias });

    /// <summary>Number of parameter arrays (two per layer).</summary>
    public int ParameterCount => 2 * Layers.Count;

    /// <summary>Builds a stack from widths: one layer per consecutive pair, with the given activations.</summary>
    public static Mlp<T> Create(IReadOnlyList<int> widths, Activation hidden, Activation last, T slope, double dropout, ref Rng rng)
    {
        var layers = new List<DenseLayer<T>>();
        for (var i = 0; i + 1 < widths.Count; i++)
        {
            var act = i + 2 == widths.Count ? last : hidden;
            layers.Add(DenseLayer<T>.Create(widths[i], widths[i + 1], act, slope, ref rng));
        }
        return new Mlp<T>(layers, dropout);
    }

    /// <summary>A deep copy in another precision.</summary>
    public Mlp<TOut> Convert<TOut>() where TOut : unmanaged, IFloatingPointIeee754<TOut> =>
        new(Layers.Select(l => l.Convert<TOut>()).ToArray(), Dropout);

    /// <summary>Runs the stack on x [rows, in]; the result is <see cref="MlpWorkspace{T}.Output"/>.</summary>
    public ReadOnlySpan<T> Forward(IKernels<T> k, ReadOnlySpan<T> x, int rows, MlpWorkspace<T> ws, bool training, ref Rng rng)
    {
        ws.Rows = rows;
        ws.DropoutActive = training && Dropout > 0;
        var input = x;
        for (var l = 0; l < Layers.Count; l++)
        {
            var layer = Layers[l];
            var y = ws.Outputs[l].AsSpan(0, rows * layer.OutputSize);
            layer.Forward(k, input, rows, y);
            input = y;
            if (ws.DropoutActive && l + 1 < Layers.Count)
            {
                // Inverted dropout: mask m ∈ {0, 1/(1-p)}; forward y·m, backward dy·m.
                var mask = ws.Masks[l].AsSpan(0, y.Length);
                var dropped = ws.Dropped[l].AsSpan(0, y.Length);
                var keep = T.CreateTruncating(1.0 / (1 - Dropout));
                for (var i = 0; i < y.Length; i++)
                {
                    mask[i] = rng.NextDouble() < Dropout ? T.Zero : keep;
                    dropped[i] = y[i] * mask[i];
                }
                input = dropped;
            }
        }
        return input;
    }

    /// <summary>
    /// Back-propagates dOut (gradient of the loss at the output) through the stack run last by
    /// <see cref="Forward"/> on x, accumulating into grads[offset..] (dW0, db0, …), and writes dInput when non-empty.
    /// </summary>
    public void Backward(IKernels<T> k, ReadOnlySpan<T> x, MlpWorkspace<T> ws, ReadOnlySpan<T> dOut,
        IReadOnlyList<T[]> grads, int offset, Span<T> dInput)
    {
        var rows = ws.Rows;
        var dy = dOut;
        for (var l = Layers.Count - 1; l >= 0; l--)
        {
            var layer = Layers[l];
            ReadOnlySpan<T> input = l == 0 ? x : ws.LayerInput(l);
            var dx = l == 0 ? dInput : ws.Gradient(l).AsSpan(0, rows * layer.InputSize);
            layer.Backward(k, input, ws.Outputs[l], dy, rows, ws.Dz, grads[offset + 2 * l], grads[offset + 2 * l + 1], dx);
            if (l > 0 && ws.DropoutActive)
            {
                var mask = ws.Masks[l - 1].AsSpan(0, dx.Length);
                for (var i = 0; i < dx.Length; i++)
                {
                    dx[i] *= mask[i];
                }
            }
            dy = dx;
        }
    }
}
