namespace Detector.Node.Metrics;

/// <summary>
/// Compares label sets order-independently, and lets a dictionary find a series straight from a measurement's
/// tag span, so recording into an existing series allocates nothing.
/// </summary>
internal sealed class LabelSetComparer :
    IEqualityComparer<LabelSet>,
    IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, LabelSet>
{
    /// <summary>The shared instance (stateless).</summary>
    public static readonly LabelSetComparer Instance = new();

    /// <inheritdoc/>
    public bool Equals(LabelSet? x, LabelSet? y) => ReferenceEquals(x, y) || (x is not null && y is not null && Equals(x.Tags, y));

    /// <inheritdoc/>
    public int GetHashCode(LabelSet obj) => GetHashCode(obj.Tags);

    /// <inheritdoc/>
    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, LabelSet other)
    {
        var tags = other.Tags;
        if (alternate.Length != tags.Length)
        {
            return false;
        }

        // Tag sets are small (a handful at most), so a nested scan beats sorting the incoming span.
        foreach (var tag in alternate)
        {
            var found = false;
            foreach (var candidate in tags)
            {
                if (string.Equals(tag.Key, candidate.Key, StringComparison.Ordinal) && Equals(tag.Value, candidate.Value))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate)
    {
        // A sum of per-tag hashes does not depend on tag order.
        var hash = alternate.Length;
        foreach (var tag in alternate)
        {
            hash += HashCode.Combine(tag.Key, tag.Value);
        }

        return hash;
    }

    /// <inheritdoc/>
    public LabelSet Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => LabelSet.Create(alternate);
}
