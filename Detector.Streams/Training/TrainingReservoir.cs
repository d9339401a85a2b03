using Detector.Models.Numerics;

namespace Detector.Streams.Training;

/// <summary>
/// What the trainer learns from: a bounded uniform sample of the rows judged normal, and a ring of the most recent
/// rows of any kind (scored by a candidate to recalibrate thresholds before a swap). The sample is Li's Algorithm L
/// (reservoir sampling with geometric skips, ACM TOMS 1994): once the sample is full it draws random numbers only for
/// the rows it keeps, about capacity × (1 + ln(seen / capacity)) in all, instead of one per row as Algorithm R does —
/// the stream's threshold step feeds every row through here. Memory is fixed at (capacity + recentCapacity) × features
/// floats. Thread-safe: one writer stage, the trainer reads snapshots.
/// </summary>
public sealed class TrainingReservoir
{
    /// <summary>Guards every field below; held only for copies.</summary>
    private readonly Lock _lock = new();
    private readonly int _features;
    private readonly float[] _sample;
    private readonly float[] _recent;
    private readonly int _capacity;
    private readonly int _recentCapacity;
    private Rng _rng;
    private long _normalSeen;
    private long _recentSeen;

    /// <summary>Algorithm L's W: the largest of capacity uniform keys, the bar a new row's key must beat.</summary>
    private double _w;

    /// <summary>The index (in normal rows seen) of the next row to keep once the sample is full.</summary>
    private long _nextKept;

    /// <summary>Sizes the sample and the recent ring.</summary>
    public TrainingReservoir(int features, int capacity, int recentCapacity, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(recentCapacity, 1);
        _features = features;
        _capacity = capacity;
        _recentCapacity = recentCapacity;
        _sample = new float[capacity * features];
        _recent = new float[recentCapacity * features];
        _rng = new Rng(seed);
        _w = Math.Exp(Math.Log(Uniform()) / capacity);
        _nextKept = capacity + Skip();
    }

    /// <summary>Normal rows offered so far.</summary>
    public long NormalSeen
    {
        get
        {
            lock (_lock)
            {
                return _normalSeen;
            }
        }
    }

    /// <summary>Rows in the normal sample.</summary>
    public int SampleCount
    {
        get
        {
            lock (_lock)
            {
                return (int)Math.Min(_normalSeen, _capacity);
            }
        }
    }

    /// <summary>Adds rows [count, features]: every row to the recent ring, the rows flagged normal to the sample.</summary>
    public void Add(ReadOnlySpan<float> rows, int count, ReadOnlySpan<bool> normal)
    {
        lock (_lock)
        {
            AddRecent(rows[..(count * _features)]);
            for (var i = 0; i < count; i++)
            {
                if (!normal[i])
                {
                    continue;
                }
                var n = _normalSeen++;
                long slot;
                if (n < _capacity)
                {
                    slot = n;
                }
                else if (n == _nextKept)
                {
                    slot = _rng.NextInt(_capacity);
                    _w *= Math.Exp(Math.Log(Uniform()) / _capacity);
                    _nextKept = n + 1 + Skip();
                }
                else
                {
                    continue;
                }
                rows.Slice(i * _features, _features).CopyTo(_sample.AsSpan((int)slot * _features));
            }
        }
    }

    /// <summary>Copies rows into the recent ring in at most two runs (its end, then its start).</summary>
    private void AddRecent(ReadOnlySpan<float> rows)
    {
        var count = rows.Length / _features;
        var skip = Math.Max(0, count - _recentCapacity); // rows older than the ring holds are overwritten anyway
        _recentSeen += skip;
        rows = rows[(skip * _features)..];
        while (!rows.IsEmpty)
        {
            var slot = (int)(_recentSeen % _recentCapacity);
            var run = Math.Min(rows.Length / _features, _recentCapacity - slot);
            rows[..(run * _features)].CopyTo(_recent.AsSpan(slot * _features));
            rows = rows[(run * _features)..];
            _recentSeen += run;
        }
    }

    /// <summary>Normal rows passed over before the next one kept: geometric with success probability 1 − W.</summary>
    private long Skip()
    {
        var skip = Math.Floor(Math.Log(Uniform()) / Math.Log(1 - _w));
        return double.IsFinite(skip) && skip < long.MaxValue / 4 ? (long)skip : long.MaxValue / 4;
    }

    /// <summary>A uniform draw in (0, 1): never 0, whose logarithm is −∞.</summary>
    private double Uniform()
    {
        double u;
        do
        {
            u = _rng.NextDouble();
        }
        while (u == 0);
        return u;
    }

    /// <summary>A copy of the normal sample: [rows, features].</summary>
    public (float[] Data, int Rows) Sample()
    {
        lock (_lock)
        {
            var rows = (int)Math.Min(_normalSeen, _capacity);
            return (_sample.AsSpan(0, rows * _features).ToArray(), rows);
        }
    }

    /// <summary>A copy of the most recent rows, oldest first: [rows, features].</summary>
    public (float[] Data, int Rows) Recent()
    {
        lock (_lock)
        {
            var rows = (int)Math.Min(_recentSeen, _recentCapacity);
            var data = new float[rows * _features];
            var start = _recentSeen <= _recentCapacity ? 0 : (int)(_recentSeen % _recentCapacity);
            for (var i = 0; i < rows; i++)
            {
                _recent.AsSpan(((start + i) % _recentCapacity) * _features, _features).CopyTo(data.AsSpan(i * _features));
            }
            return (data, rows);
        }
    }
}
