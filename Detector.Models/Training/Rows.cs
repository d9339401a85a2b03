namespace Detector.Models.Training;

/// <summary>Row selection on row-major tables.</summary>
public static class Rows
{
    /// <summary>A new [rows.Length, cols] table holding the given rows of data, in the given order.</summary>
    public static float[] Gather(ReadOnlySpan<float> data, int cols, ReadOnlySpan<int> rows)
    {
        var result = new float[rows.Length * cols];
        for (var i = 0; i < rows.Length; i++)
        {
            data.Slice(rows[i] * cols, cols).CopyTo(result.AsSpan(i * cols));
        }
        return result;
    }
}
