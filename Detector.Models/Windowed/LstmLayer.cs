using System.Numerics;
using Detector.Models.Kernels;
using Detector.Models.Numerics;

namespace Detector.Models.Windowed;

/// <summary>
/// Long short-term memory over sequences, channels-last: x [rows, steps, in] → h [rows, steps, hidden], from zero state.
/// Per step, with gates in the order i, f, g, o: a = x_t·Wx + h_{t−1}·Wh + b [rows, 4·hidden];
/// i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o); c_t = f⊙c_{t−1} + i⊙g; h_t = o⊙tanh(c_t).
/// Backward through time, given dH (∂loss/∂h_t for every t): dh = dH_t + dh_next; do = dh⊙tanh(c_t);
/// dc = dh⊙o⊙(1 − tanh²c_t) + dc_next; di = dc⊙g; dg = dc⊙i; df = dc⊙c_{t−1}; dc_next = dc⊙f;
/// da = [di·i(1−i), df·f(1−f), dg·(1−g²), do·o(1−o)]; dWx += x_tᵀ·da; dWh += h_{t−1}ᵀ·da; db += Σ da;
/// dx_t = da·Wxᵀ; dh_next = da·Whᵀ. The sigmoid and tanh derivatives are the primitives'; the rest is products.
/// </summary>
public sealed class LstmLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a layer around existing weights (no copy).</summary>
    public LstmLayer(int inputSize, int hiddenSize, T[] inputWeights, T[] recurrentWeights, T[] bias)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        var gates = 4 * hiddenSize;
        if (inputWeights.Length != inputSize * gates || recurrentWeights.Length != hiddenSize * gates || bias.Length != gates)
        {
            throw new ArgumentException($"lstm {inputSize}→{hiddenSize}: expected {inputSize * gates}, {hiddenSize * gates} and {gates} parameters, got {inputWeights.Length}, {recurrentWeights.Length} and {bias.Length}");
        }
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        InputWeights = inputWeights;
        RecurrentWeights = recurrentWeights;
        Bias = bias;
    }

    /// <summary>Features per input step.</summary>
    public int InputSize { get; }

    /// <summary>Hidden (and cell) width.</summary>
    public int HiddenSize { get; }

    /// <summary>Wx: [in, 4·hidden], gate blocks i, f, g, o.</summary>
    public T[] InputWeights { get; }

    /// <summary>Wh: [hidden, 4·hidden].</summary>
    public T[] RecurrentWeights { get; }

    /// <summary>b: [4·hidden].</summary>
    public T[] Bias { get; }

    /// <summary>Wx, Wh, b in order.</summary>
    public IEnumerable<T[]> Parameters() => [InputWeights, RecurrentWeights, Bias];

    /// <summary>W, b ~ U(−1/√hidden, 1/√hidden) as PyTorch does, with the forget-gate bias raised by 1 as Keras does.</summary>
    public static LstmLayer<T> Create(int inputSize, int hiddenSize, ref Rng rng)
    {
        var gates = 4 * hiddenSize;
        var wx = Initialise.Uniform<T>(inputSize * gates, hiddenSize, ref rng);
        var wh = Initialise.Uniform<T>(hiddenSize * gates, hiddenSize, ref rng);
        var b = Initialise.Uniform<T>(gates, hiddenSize, ref rng);
        for (var j = hiddenSize; j < 2 * hiddenSize; j++)
        {
            b[j] += T.One;
        }
        return new LstmLayer<T>(inputSize, hiddenSize, wx, wh, b);
    }

    /// <summary>A deep copy in another precision.</summary>
    public LstmLayer<TOut> Convert<TOut>() where TOut : unmanaged, IFloatingPointIeee754<TOut> =>
        new(InputSize, HiddenSize, Array.ConvertAll(InputWeights, TOut.CreateTruncating),
            Array.ConvertAll(RecurrentWeights, TOut.CreateTruncating), Array.ConvertAll(Bias, TOut.CreateTruncating));

    /// <summary>Runs the sequence x [rows, steps, in]; writes h [rows, steps, hidden] and keeps gates and cells in ws.</summary>
    public void Forward(IKernels<T> k, ReadOnlySpan<T> x, int rows, LstmWorkspace<T> ws, Span<T> h)
    {
        var steps = ws.Steps;
        var hid = HiddenSize;
        var g4 = 4 * hid;
        ws.Rows = rows;
        for (var t = 0; t < steps; t++)
        {
            var a = ws.Gates.AsSpan(t * ws.MaxRows * g4, rows * g4);
            for (var r = 0; r < rows; r++)
            {
                Bias.CopyTo(a.Slice(r * g4, g4));
            }
            // a [rows, 4h] += x_t [rows, in] · Wx (x_t is x's column block t: row stride steps·in)
            k.Gemm(false, false, rows, g4, InputSize, T.One, x[(t * InputSize)..], steps * InputSize, InputWeights, g4, T.One, a, g4);
            if (t > 0)
            {
                k.Gemm(false, false, rows, g4, hid, T.One, h[((t - 1) * hid)..], steps * hid, RecurrentWeights, g4, T.One, a, g4);
            }
            var cPrev = ws.Cell(t - 1, rows);
            var c = ws.Cell(t, rows);
            var tc = ws.CellTanh.AsSpan(t * ws.MaxRows * hid, rows * hid);
            for (var r = 0; r < rows; r++)
            {
                var gate = a.Slice(r * g4, g4);
                for (var j = 0; j < hid; j++)
                {
                    var i = Sigmoid(gate[j]);
                    var f = Sigmoid(gate[hid + j]);
                    var g = T.Tanh(gate[2 * hid + j]);
                    var o = Sigmoid(gate[3 * hid + j]);
                    gate[j] = i;
                    gate[hid + j] = f;
                    gate[2 * hid + j] = g;
                    gate[3 * hid + j] = o;
                    var cell = f * cPrev[r * hid + j] + i * g;
                    c[r * hid + j] = cell;
                    var th = T.Tanh(cell);
                    tc[r * hid + j] = th;
                    h[(r * steps + t) * hid + j] = o * th;
                }
            }
        }
    }

    /// <summary>
    /// Back-propagates dH [rows, steps, hidden] through the sequence run last by <see cref="Forward"/> on x (whose output
    /// was h), accumulating into grads[offset..offset+2] (dWx, dWh, db); writes dx [rows, steps, in] when non-empty.
    /// </summary>
    public void Backward(IKernels<T> k, ReadOnlySpan<T> x, ReadOnlySpan<T> h, ReadOnlySpan<T> dH, LstmWorkspace<T> ws,
        IReadOnlyList<T[]> grads, int offset, Span<T> dx)
    {
        var rows = ws.Rows;
        var steps = ws.Steps;
        var hid = HiddenSize;
        var g4 = 4 * hid;
        var da = ws.GateGradient.AsSpan(0, rows * g4);
        var dhNext = ws.HiddenGradient.AsSpan(0, rows * hid);
        var dcNext = ws.CellGradient.AsSpan(0, rows * hid);
        dhNext.Clear();
        dcNext.Clear();
        for (var t = steps - 1; t >= 0; t--)
        {
            var gate = ws.Gates.AsSpan(t * ws.MaxRows * g4, rows * g4);
            var tc = ws.CellTanh.AsSpan(t * ws.MaxRows * hid, rows * hid);
            var cPrev = ws.Cell(t - 1, rows);
            for (var r = 0; r < rows; r++)
            {
                for (var j = 0; j < hid; j++)
                {
                    var q = r * hid + j;
                    var i = gate[r * g4 + j];
                    var f = gate[r * g4 + hid + j];
                    var g = gate[r * g4 + 2 * hid + j];
                    var o = gate[r * g4 + 3 * hid + j];
                    var dh = dH[(r * steps + t) * hid + j] + dhNext[q];
                    var th = tc[q];
                    var dOut = dh * th;
                    var dc = dh * o * (T.One - th * th) + dcNext[q];
                    da[r * g4 + j] = dc * g * i * (T.One - i);
                    da[r * g4 + hid + j] = dc * cPrev[q] * f * (T.One - f);
                    da[r * g4 + 2 * hid + j] = dc * i * (T.One - g * g);
                    da[r * g4 + 3 * hid + j] = dOut * o * (T.One - o);
                    dcNext[q] = dc * f;
                }
            }
            // dWx [in, 4h] += x_tᵀ · da; dWh [h, 4h] += h_{t−1}ᵀ · da
            k.Gemm(true, false, InputSize, g4, rows, T.One, x[(t * InputSize)..], steps * InputSize, da, g4, T.One, grads[offset], g4);
            if (t > 0)
            {
                k.Gemm(true, false, hid, g4, rows, T.One, h[((t - 1) * hid)..], steps * hid, da, g4, T.One, grads[offset + 1], g4);
            }
            k.AddColumnSums(da, rows, g4, grads[offset + 2]);
            if (!dx.IsEmpty)
            {
                // dx_t [rows, in] = da · Wxᵀ, written into x's column block t.
                k.Gemm(false, true, rows, InputSize, g4, T.One, da, g4, InputWeights, g4, T.Zero, dx[(t * InputSize)..], steps * InputSize);
            }
            // dh_next [rows, h] = da · Whᵀ
            k.Gemm(false, true, rows, hid, g4, T.One, da, g4, RecurrentWeights, g4, T.Zero, dhNext, hid);
        }
    }

    private static T Sigmoid(T z) => T.One / (T.One + T.Exp(-z));
}
