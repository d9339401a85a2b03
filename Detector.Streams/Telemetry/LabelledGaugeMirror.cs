using Prometheus;

namespace Detector.Streams.Telemetry;

/// <summary>
/// Makes a labelled gauge show exactly a set of label values read from state at scrape time: each present label set
/// gets its value, and a label set that has gone (a partition revoked, an actor stopped) is removed rather than left at
/// its last value. Called from the registry's before-collect callback, one scrape at a time.
/// </summary>
internal sealed class LabelledGaugeMirror(Gauge gauge)
{
    private readonly Lock _lock = new();
    private HashSet<string[]> _shown = new(LabelValuesComparer.Instance);

    /// <summary>Sets each (labels, value) and removes the label sets of the previous call that are not in this one.</summary>
    public void Mirror(IEnumerable<(string[] Labels, double Value)> current)
    {
        lock (_lock)
        {
            var now = new HashSet<string[]>(LabelValuesComparer.Instance);
            foreach (var (labels, value) in current)
            {
                gauge.WithLabels(labels).Set(value);
                now.Add(labels);
            }
            foreach (var gone in _shown.Where(labels => !now.Contains(labels)))
            {
                gauge.RemoveLabelled(gone);
            }
            _shown = now;
        }
    }

    private sealed class LabelValuesComparer : IEqualityComparer<string[]>
    {
        public static readonly LabelValuesComparer Instance = new();

        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(string[] obj)
        {
            var hash = new HashCode();
            foreach (var value in obj)
            {
                hash.Add(value, StringComparer.Ordinal);
            }
            return hash.ToHashCode();
        }
    }
}
