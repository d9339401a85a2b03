using System.Numerics;

namespace Detector.Models.Windowed;

/// <summary>
/// Per-caller state of one <see cref="LstmLayer{T}"/> over sequences of <see cref="Steps"/> steps: the activated gates
/// and the cells of the last forward pass (kept for backward) and the backward scratch, sized once for
/// <see cref="MaxRows"/> rows so neither pass allocates.
/// </summary>
public sealed class LstmWorkspace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _cells;

    /// <summary>Allocates buffers for batches of up to maxRows sequences of the given length.</summary>
    public LstmWorkspace(LstmLayer<T> layer, int steps, int maxRows, bool training)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        Steps = steps;
        MaxRows = maxRows;
        var hid = layer.HiddenSize;
        Gates = new T[steps * maxRows * 4 * hid];
        _cells = new T[(steps + 1) * maxRows * hid];
        CellTanh = new T[steps * maxRows * hid];
        GateGradient = training ? new T[maxRows * 4 * hid] : [];
        HiddenGradient = training ? new T[maxRows * hid] : [];
        CellGradient = training ? new T[maxRows * hid] : [];
        Hidden = hid;
    }

    /// <summary>Sequence length.</summary>
    public int Steps { get; }

    /// <summary>Largest batch.</summary>
    public int MaxRows { get; }

    /// <summary>Rows of the batch run last.</summary>
    public int Rows { get; internal set; }

    /// <summary>Hidden width.</summary>
    private int Hidden { get; }

    /// <summary>Activated gates per step: [steps][maxRows, 4·hidden] (i, f, g, o).</summary>
    internal T[] Gates { get; }

    /// <summary>tanh(c_t) per step: [steps][maxRows, hidden].</summary>
    internal T[] CellTanh { get; }

    /// <summary>∂loss/∂a of the step being back-propagated.</summary>
    internal T[] GateGradient { get; }

    /// <summary>∂loss/∂h_{t−1} carried to the previous step.</summary>
    internal T[] HiddenGradient { get; }

    /// <summary>∂loss/∂c_{t−1} carried to the previous step.</summary>
    internal T[] CellGradient { get; }

    /// <summary>c_t for t in [−1, steps): step −1 is the zero initial state.</summary>
    internal Span<T> Cell(int t, int rows) => _cells.AsSpan((t + 1) * MaxRows * Hidden, rows * Hidden);
}
