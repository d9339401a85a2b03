using System.Numerics.Tensors;

namespace Detector.Models.Scoring;

/// <summary>
/// Rejects bad batches before they reach a kernel, naming the row and the feature: wrong arity, NaN or ±Inf.
/// The fast path is one vectorised finiteness check; only a failing batch is scanned element by element.
/// </summary>
public static class BatchValidator
{
    /// <summary>Checks values is exactly rows × schema.Count finite floats.</summary>
    public static void Validate(ReadOnlySpan<float> values, int rows, FeatureSchema schema)
    {
        var cols = schema.Count;
        if (rows < 0 || values.Length != rows * cols)
        {
            throw new InvalidBatchException(
                $"batch has {values.Length} values, which is not {rows} rows × {cols} features ({schema})", -1, null);
        }
        if (TensorPrimitives.IsFiniteAll(values))
        {
            return;
        }
        for (var i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                var row = i / cols;
                var feature = schema.Names[i % cols];
                throw new InvalidBatchException($"row {row}, feature '{feature}': value {values[i]} is not finite", row, feature);
            }
        }
    }

    /// <summary>Packs rows of features into dst [rows, schema.Count], rejecting a row of the wrong arity.</summary>
    public static void Pack(IReadOnlyList<float[]> rows, FeatureSchema schema, Span<float> dst)
    {
        var cols = schema.Count;
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != cols)
            {
                throw new InvalidBatchException(
                    $"row {i} has {rows[i].Length} values; the schema has {cols} features ({schema})", i, null);
            }
            rows[i].CopyTo(dst.Slice(i * cols, cols));
        }
        Validate(dst[..(rows.Count * cols)], rows.Count, schema);
    }
}
