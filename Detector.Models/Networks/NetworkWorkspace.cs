using System.Numerics;

namespace Detector.Models.Networks;

/// <summary>Per-caller buffers of a <see cref="ReconstructionNetwork{T}"/>, sized once for <see cref="MaxRows"/>.</summary>
public abstract class NetworkWorkspace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Allocates the buffers every network needs.</summary>
    protected NetworkWorkspace(int maxRows, int inputSize, bool training)
    {
        MaxRows = maxRows;
        Errors = new T[maxRows * inputSize];
        RowLoss = new T[maxRows];
        DOutput = training ? new T[maxRows * inputSize] : [];
    }

    /// <summary>Largest batch.</summary>
    public int MaxRows { get; }

    /// <summary>Per-element reconstruction errors of the last pass: [rows, input].</summary>
    public T[] Errors { get; }

    /// <summary>Per-row reconstruction loss of the last pass.</summary>
    public T[] RowLoss { get; }

    /// <summary>∂loss/∂output scratch (training only).</summary>
    public T[] DOutput { get; }
}
