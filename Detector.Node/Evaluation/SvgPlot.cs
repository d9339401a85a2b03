using System.Globalization;
using System.Text;

namespace Detector.Node.Evaluation;

/// <summary>
/// A hand-written SVG of an evaluation over time: labelled anomalies as shaded bands, the score (per-pixel min–max
/// envelope, so long streams stay small), the threshold it was judged against, and flagged records as ticks along the
/// bottom. Streams are drawn one after another, separated by a dashed line. The score axis is logarithmic when the
/// scores span more than two decades.
/// </summary>
public static class SvgPlot
{
    private const int Width = 1400, Height = 460, Left = 70, Right = 20, Top = 40, Bottom = 50;

    /// <summary>Renders the streams' test records as an SVG document.</summary>
    public static string Render(string title, IReadOnlyList<StreamOutcome> streams)
    {
        var n = streams.Sum(s => s.Labels.Length);
        var values = streams.SelectMany(s => s.Scores.Concat(s.Thresholds)).Where(v => float.IsFinite(v) && v > 0).ToArray();
        var lo = values.Length == 0 ? 1e-3 : values.Min();
        var hi = values.Length == 0 ? 1.0 : values.Max();
        var log = hi / lo > 100;
        double Y(double v)
        {
            var clamped = Math.Clamp(v, lo, hi);
            var f = log ? (Math.Log10(clamped) - Math.Log10(lo)) / Math.Max(Math.Log10(hi) - Math.Log10(lo), 1e-12) : (clamped - lo) / Math.Max(hi - lo, 1e-12);
            return Top + (1 - f) * (Height - Top - Bottom);
        }
        var plotWidth = Width - Left - Right;
        double X(long i) => Left + (double)i / Math.Max(n, 1) * plotWidth;
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Inv($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        svg.Append(Inv($"<text x=\"{Left}\" y=\"22\" font-size=\"15\">{Escape(title)}</text>\n"));
        var offset = 0L;
        foreach (var s in streams)
        {
            foreach (var seg in SegmentMetrics.Segments(s.Labels))
            {
                svg.Append(Inv($"<rect x=\"{X(offset + seg.Start):F1}\" y=\"{Top}\" width=\"{Math.Max(X(offset + seg.End) - X(offset + seg.Start), 0.5):F1}\" height=\"{Height - Top - Bottom}\" fill=\"#f4b6b6\" opacity=\"0.6\"/>\n"));
            }
            offset += s.Labels.Length;
            if (offset < n)
            {
                svg.Append(Inv($"<line x1=\"{X(offset):F1}\" x2=\"{X(offset):F1}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#999\" stroke-dasharray=\"3,3\"/>\n"));
            }
        }
        AppendEnvelope(svg, streams.SelectMany(s => s.Scores).ToArray(), plotWidth, X, Y, "#1f5fbf");
        AppendLine(svg, streams.SelectMany(s => s.Thresholds).ToArray(), plotWidth, X, Y, "#d98c00");
        offset = 0;
        var ticks = new StringBuilder();
        foreach (var s in streams)
        {
            for (var i = 0; i < s.Flagged.Length; i++)
            {
                if (s.Flagged[i] && (i == 0 || !s.Flagged[i - 1] || (int)X(offset + i) != (int)X(offset + i - 1)))
                {
                    ticks.Append(Inv($"M{X(offset + i):F1},{Height - Bottom + 4}v8"));
                }
            }
            offset += s.Labels.Length;
        }
        svg.Append(Inv($"<path d=\"{ticks}\" stroke=\"#c00\" stroke-width=\"1\"/>\n"));
        // Axes, ticks and legend.
        svg.Append(Inv($"<line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n"));
        svg.Append(Inv($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>\n"));
        for (var k = 0; k <= 4; k++)
        {
            var v = log ? Math.Pow(10, Math.Log10(lo) + k / 4.0 * (Math.Log10(hi) - Math.Log10(lo))) : lo + k / 4.0 * (hi - lo);
            svg.Append(Inv($"<text x=\"{Left - 6}\" y=\"{Y(v) + 4:F1}\" text-anchor=\"end\">{v:G3}</text>\n"));
        }
        for (var k = 0; k <= 5; k++)
        {
            var i = (long)(k / 5.0 * n);
            svg.Append(Inv($"<text x=\"{X(i):F1}\" y=\"{Height - Bottom + 28}\" text-anchor=\"middle\">{i:N0}</text>\n"));
        }
        svg.Append(Inv($"<text x=\"{Left + plotWidth / 2}\" y=\"{Height - 6}\" text-anchor=\"middle\">record (test part, stream order)</text>\n"));
        svg.Append(Inv($"<text x=\"14\" y=\"{Top + (Height - Top - Bottom) / 2}\" transform=\"rotate(-90 14 {Top + (Height - Top - Bottom) / 2})\" text-anchor=\"middle\">score{(log ? " (log)" : "")}</text>\n"));
        var legend = Width - Right - 430;
        svg.Append(Inv($"<rect x=\"{legend}\" y=\"12\" width=\"14\" height=\"10\" fill=\"#f4b6b6\"/><text x=\"{legend + 18}\" y=\"21\">labelled anomaly</text>\n"));
        svg.Append(Inv($"<line x1=\"{legend + 130}\" x2=\"{legend + 150}\" y1=\"17\" y2=\"17\" stroke=\"#1f5fbf\" stroke-width=\"2\"/><text x=\"{legend + 154}\" y=\"21\">score</text>\n"));
        svg.Append(Inv($"<line x1=\"{legend + 200}\" x2=\"{legend + 220}\" y1=\"17\" y2=\"17\" stroke=\"#d98c00\" stroke-width=\"2\"/><text x=\"{legend + 224}\" y=\"21\">threshold</text>\n"));
        svg.Append(Inv($"<line x1=\"{legend + 300}\" x2=\"{legend + 300}\" y1=\"12\" y2=\"22\" stroke=\"#c00\"/><text x=\"{legend + 306}\" y=\"21\">flagged</text>\n"));
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Per pixel column, a vertical segment from the smallest to the largest finite value in it.</summary>
    private static void AppendEnvelope(StringBuilder svg, float[] v, int pixels, Func<long, double> x, Func<double, double> y, string color)
    {
        var path = new StringBuilder();
        foreach (var (column, min, max) in Columns(v, pixels))
        {
            path.Append(Inv($"M{x(column):F1},{y(max):F1}V{y(min) + 0.5:F1}"));
        }
        svg.Append(Inv($"<path d=\"{path}\" stroke=\"{color}\" stroke-width=\"1\" fill=\"none\"/>\n"));
    }

    /// <summary>A polyline through each pixel column's largest finite value (gaps where there is none).</summary>
    private static void AppendLine(StringBuilder svg, float[] v, int pixels, Func<long, double> x, Func<double, double> y, string color)
    {
        var path = new StringBuilder();
        var last = -2L;
        foreach (var (column, _, max) in Columns(v, pixels))
        {
            path.Append(Inv($"{(column == last + Step(v.Length, pixels) ? "L" : "M")}{x(column):F1},{y(max):F1}"));
            last = column;
        }
        svg.Append(Inv($"<path d=\"{path}\" stroke=\"{color}\" stroke-width=\"1.5\" fill=\"none\"/>\n"));
    }

    private static long Step(int n, int pixels) => Math.Max(1, (n + pixels - 1) / pixels);

    private static IEnumerable<(long Column, double Min, double Max)> Columns(float[] v, int pixels)
    {
        var step = Step(v.Length, pixels);
        for (long start = 0; start < v.Length; start += step)
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            for (var i = start; i < Math.Min(start + step, v.Length); i++)
            {
                if (float.IsFinite(v[i]))
                {
                    min = Math.Min(min, v[i]);
                    max = Math.Max(max, v[i]);
                }
            }
            if (max >= min)
            {
                yield return (start, min, max);
            }
        }
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
