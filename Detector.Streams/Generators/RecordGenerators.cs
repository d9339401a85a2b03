namespace Detector.Streams.Generators;

/// <summary>The embedded default generators, by name.</summary>
public static class RecordGenerators
{
    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cards", "fleet"];

    /// <summary>The default generator called <paramref name="name"/> ("cards" or "fleet", case-insensitive) seeded with <paramref name="seed"/>.</summary>
    public static IRecordGenerator Create(string name, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (string.Equals(name, "cards", StringComparison.OrdinalIgnoreCase))
        {
            return new CardTransactionGenerator(seed);
        }
        if (string.Equals(name, "fleet", StringComparison.OrdinalIgnoreCase))
        {
            return new FleetTelemetryGenerator(seed);
        }
        throw new ArgumentException($"Unknown generator '{name}'; allowed: {string.Join(", ", Names)}", nameof(name));
    }
}
