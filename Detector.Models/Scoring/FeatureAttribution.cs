namespace Detector.Models.Scoring;

/// <summary>Picks the features to blame from a row of contributions.</summary>
public static class FeatureAttribution
{
    /// <summary>
    /// Writes the indices of the largest contributions into top (descending, ties by lower index) and returns how many
    /// were written (min(top.Length, contributions.Length)). Allocation-free: a partial insertion sort.
    /// </summary>
    public static int Top(ReadOnlySpan<float> contributions, Span<int> top)
    {
        var k = Math.Min(top.Length, contributions.Length);
        var filled = 0;
        for (var j = 0; j < contributions.Length; j++)
        {
            var v = contributions[j];
            var pos = filled;
            while (pos > 0 && contributions[top[pos - 1]] < v)
            {
                pos--;
            }
            if (pos >= k)
            {
                continue;
            }
            var last = Math.Min(filled, k - 1);
            for (var m = last; m > pos; m--)
            {
                top[m] = top[m - 1];
            }
            top[pos] = j;
            filled = Math.Min(filled + 1, k);
        }
        return k;
    }
}
