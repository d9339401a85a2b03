using System.Numerics;

namespace Detector.Models.Layers;

/// <summary>
/// Per-caller buffers for one <see cref="Mlp{T}"/>: layer outputs (kept for backward), dropout masks and gradient
/// scratch, all sized once for <see cref="MaxRows"/> so the forward and backward passes allocate nothing.
/// </summary>
public sealed class MlpWorkspace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Allocates buffers for batches of up to maxRows rows.</summary>
    public MlpWorkspace(Mlp<T> mlp, int maxRows, bool training)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        MaxRows = maxRows;
        var layers = mlp.Layers;
        Outputs = layers.Select(l => new T[maxRows * l.OutputSize]).ToArray();
        var withDropout = training && mlp.Dropout > 0;
        Masks = withDropout ? layers.Select(l => new T[maxRows * l.OutputSize]).ToArray() : [];
        Dropped = withDropout ? layers.Select(l => new T[maxRows * l.OutputSize]).ToArray() : [];
        var widest = layers.Max(l => Math.Max(l.InputSize, l.OutputSize));
        Dz = training ? new T[maxRows * widest] : [];
        _gradients = training ? [new T[maxRows * widest], new T[maxRows * widest]] : [];
    }

    /// <summary>Largest batch the buffers hold.</summary>
    public int MaxRows { get; }

    /// <summary>Rows of the batch run last.</summary>
    public int Rows { get; internal set; }

    /// <summary>Whether the last forward pass applied dropout.</summary>
    public bool DropoutActive { get; internal set; }

    /// <summary>Layer outputs after activation, before dropout: [rows, out_l].</summary>
    public T[][] Outputs { get; }

    /// <summary>Dropout masks (0 or 1/(1-p)) per hidden layer.</summary>
    public T[][] Masks { get; }

    /// <summary>Hidden outputs after dropout (the next layer's input while training).</summary>
    public T[][] Dropped { get; }

    /// <summary>Scratch for dz = dy ⊙ act'.</summary>
    public T[] Dz { get; }

    /// <summary>Two ping-pong buffers for the gradients flowing between layers.</summary>
    private readonly T[][] _gradients;

    /// <summary>The final output of the last forward pass.</summary>
    public ReadOnlySpan<T> Output(int outputSize) => Outputs[^1].AsSpan(0, Rows * outputSize);

    /// <summary>What layer l read as input during the last forward pass (l &gt; 0).</summary>
    internal ReadOnlySpan<T> LayerInput(int l) => DropoutActive ? Dropped[l - 1] : Outputs[l - 1];

    /// <summary>Buffer receiving dx of layer l (alternates so a layer never reads and writes the same one).</summary>
    internal T[] Gradient(int l) => _gradients[l & 1];
}
