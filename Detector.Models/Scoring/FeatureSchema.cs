namespace Detector.Models.Scoring;

/// <summary>The ordered feature names a model was trained on; a batch's columns must follow it.</summary>
public sealed class FeatureSchema : IEquatable<FeatureSchema>
{
    /// <summary>Creates a schema; names must be non-empty and unique.</summary>
    public FeatureSchema(IEnumerable<string> names)
    {
        Names = names.ToArray();
        if (Names.Count == 0)
        {
            throw new ArgumentException("a feature schema needs at least one feature");
        }
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Names[i]))
            {
                throw new ArgumentException($"feature {i} has an empty name");
            }
        }
        var duplicate = Names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"feature name '{duplicate.Key}' appears {duplicate.Count()} times");
        }
    }

    /// <summary>Feature names in column order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Number of features.</summary>
    public int Count => Names.Count;

    /// <summary>f0, f1, … for n unnamed features.</summary>
    public static FeatureSchema Numbered(int n) => new(Enumerable.Range(0, n).Select(i => $"f{i}"));

    /// <summary>Throws a <see cref="SchemaMismatchException"/> describing how <paramref name="actual"/> differs.</summary>
    public void EnsureSame(FeatureSchema actual)
    {
        if (Equals(actual))
        {
            return;
        }
        var missing = Names.Except(actual.Names, StringComparer.Ordinal).ToArray();
        var extra = actual.Names.Except(Names, StringComparer.Ordinal).ToArray();
        var detail = missing.Length == 0 && extra.Length == 0
            ? "same features in a different order"
            : $"missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}]";
        throw new SchemaMismatchException(
            $"feature schema mismatch: the model expects {Count} features ({Preview(Names)}), got {actual.Count} ({Preview(actual.Names)}): {detail}");
    }

    private static string Preview(IReadOnlyList<string> names) =>
        names.Count <= 8 ? string.Join(", ", names) : string.Join(", ", names.Take(8)) + $", … ({names.Count - 8} more)";

    /// <inheritdoc />
    public bool Equals(FeatureSchema? other) => other is not null && Names.SequenceEqual(other.Names, StringComparer.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as FeatureSchema);

    /// <inheritdoc />
    public override int GetHashCode() => Names.Aggregate(Count, (h, n) => HashCode.Combine(h, StringComparer.Ordinal.GetHashCode(n)));

    /// <inheritdoc />
    public override string ToString() => Preview(Names);
}
