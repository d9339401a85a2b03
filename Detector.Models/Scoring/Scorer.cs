using System.Numerics.Tensors;
using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;

namespace Detector.Models.Scoring;

/// <summary>
/// Scores batches against one <see cref="ModelSnapshot"/>: validates, scales, reconstructs, and returns a score per
/// row and each feature's share of the row's error. Owns its scratch buffers, so it allocates nothing per batch;
/// not thread-safe — give each thread its own scorer over the shared snapshot.
/// </summary>
public sealed class Scorer
{
    private readonly IKernels<float> _kernels;
    private readonly NetworkWorkspace<float> _workspace;
    private readonly float[] _scaled;
    private readonly float[] _errors;
    private Rng _rng;

    internal Scorer(ModelSnapshot model, IKernels<float> kernels, int maxBatch, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        Model = model;
        _kernels = kernels;
        MaxBatch = maxBatch;
        _workspace = model.Network.CreateWorkspace(maxBatch, training: false);
        _scaled = new float[maxBatch * model.Schema.Count];
        _errors = new float[maxBatch * model.Schema.Count];
        _rng = new Rng(seed);
    }

    /// <summary>The model this scorer uses.</summary>
    public ModelSnapshot Model { get; }

    /// <summary>Rows scored per kernel pass; larger batches are processed in chunks of this size.</summary>
    public int MaxBatch { get; }

    /// <summary>
    /// values: [rows, features] raw (unscaled); scores: [rows]; contributions: [rows, features] or empty to skip.
    /// Throws <see cref="InvalidBatchException"/> naming the row and feature for wrong arity or non-finite input, and
    /// for a score that comes out non-finite (never returns NaN silently).
    /// </summary>
    public void Score(ReadOnlySpan<float> values, int rows, Span<float> scores, Span<float> contributions)
    {
        var schema = Model.Schema;
        var cols = schema.Count;
        BatchValidator.Validate(values, rows, schema);
        if (scores.Length < rows)
        {
            throw new ArgumentException($"scores holds {scores.Length} entries, fewer than the {rows} rows", nameof(scores));
        }
        var explain = !contributions.IsEmpty;
        if (explain && contributions.Length < rows * cols)
        {
            throw new ArgumentException($"contributions holds {contributions.Length} entries, fewer than {rows} × {cols}", nameof(contributions));
        }
        for (var start = 0; start < rows; start += MaxBatch)
        {
            var n = Math.Min(MaxBatch, rows - start);
            var x = _scaled.AsSpan(0, n * cols);
            Model.Scaler.Transform(_kernels, values.Slice(start * cols, n * cols), n, x);
            var s = scores.Slice(start, n);
            var e = explain ? contributions.Slice(start * cols, n * cols) : _errors.AsSpan(0, n * cols);
            Model.Network.Score(_kernels, x, n, _workspace, ref _rng, s, e);
            if (!TensorPrimitives.IsFiniteAll<float>(s))
            {
                ThrowNonFinite(s, x, start, cols);
            }
            if (explain)
            {
                ToShares(e, n, cols);
            }
        }
    }

    /// <summary>Each row's errors divided by their sum (all zero when the row reconstructs exactly).</summary>
    private static void ToShares(Span<float> errors, int rows, int cols)
    {
        for (var i = 0; i < rows; i++)
        {
            var row = errors.Slice(i * cols, cols);
            var sum = TensorPrimitives.Sum<float>(row);
            if (sum > 0f)
            {
                TensorPrimitives.Multiply(row, 1f / sum, row);
            }
            else
            {
                row.Clear();
            }
        }
    }

    private void ThrowNonFinite(ReadOnlySpan<float> scores, ReadOnlySpan<float> scaled, int offset, int cols)
    {
        var row = scores.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        var r = scaled.Slice(row * cols, cols);
        var worst = TensorPrimitives.IndexOfMaxMagnitude(r);
        var feature = Model.Schema.Names[worst];
        throw new InvalidBatchException(
            $"row {offset + row} scored {scores[row]}: the input overflows the model (feature '{feature}' is {r[worst]} after scaling)",
            offset + row, feature);
    }
}
