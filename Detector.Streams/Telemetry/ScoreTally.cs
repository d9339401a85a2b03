using Prometheus;

namespace Detector.Streams.Telemetry;

/// <summary>
/// Count, sum, least and greatest value per histogram bucket over one batch, flushed into a prometheus-net histogram
/// as one observation per non-empty bucket: the bucket's mean (clamped to the least and greatest value it saw, so
/// rounding cannot move it out of the bucket) with the bucket's count. Not thread-safe.
/// </summary>
internal sealed class ScoreTally(int buckets)
{
    private readonly long[] _counts = new long[buckets];
    private readonly double[] _sums = new double[buckets];
    private readonly double[] _least = new double[buckets];
    private readonly double[] _greatest = new double[buckets];

    /// <summary>Adds <paramref name="value"/> to <paramref name="bucket"/>.</summary>
    public void Add(int bucket, double value)
    {
        if (_counts[bucket]++ == 0)
        {
            (_sums[bucket], _least[bucket], _greatest[bucket]) = (value, value, value);
            return;
        }
        _sums[bucket] += value;
        _least[bucket] = Math.Min(_least[bucket], value);
        _greatest[bucket] = Math.Max(_greatest[bucket], value);
    }

    /// <summary>Observes each non-empty bucket's mean with its count into <paramref name="histogram"/>, then empties the tally.</summary>
    public void Flush(Histogram histogram)
    {
        for (var b = 0; b < _counts.Length; b++)
        {
            var count = _counts[b];
            if (count == 0)
            {
                continue;
            }
            var mean = double.IsFinite(_sums[b]) ? Math.Clamp(_sums[b] / count, _least[b], _greatest[b]) : _sums[b];
            histogram.Observe(mean, count);
            _counts[b] = 0;
        }
    }
}
