using System.Text;

namespace Detector.Node.Metrics;

/// <summary>
/// One set of tags as the measurement carried them (for allocation-free lookup) plus its rendered label text,
/// with labels sorted by name, e.g. <c>actor="model",stream="default"</c>.
/// </summary>
internal sealed class LabelSet
{
    private LabelSet(KeyValuePair<string, object?>[] tags, string text)
    {
        Tags = tags;
        Text = text;
    }

    /// <summary>The original tags, sorted by key (ordinal).</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>Rendered labels without braces; empty when there are no tags.</summary>
    public string Text { get; }

    /// <summary>Copies and renders a measurement's tags (slow path: once per new series).</summary>
    public static LabelSet Create(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = tags.ToArray();
        Array.Sort(copy, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var rendered = copy
            .Select(t => (Name: PrometheusText.Sanitize(t.Key, allowColon: false), Value: PrometheusText.FormatTagValue(t.Value)))
            .OrderBy(t => t.Name, StringComparer.Ordinal);
        var builder = new StringBuilder();
        foreach (var (name, value) in rendered)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(name).Append("=\"").Append(PrometheusText.EscapeLabelValue(value)).Append('"');
        }

        return new LabelSet(copy, builder.ToString());
    }
}
