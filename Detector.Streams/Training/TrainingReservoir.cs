using Detector.Models.Numerics;

namespace Detector.Streams.Training;

/// <summary>
/// What the trainer learns from: a bounded uniform sample (reservoir sampling, Algorithm R) of the rows judged normal,
/// and a ring of the most recent rows of any kind (scored by a candidate to recalibrate thresholds before a swap).
/// Memory is fixed at (capacity + recentCapacity) × features floats. Thread-safe: one writer stage, the trainer reads
/// snapshots.
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
            for (var i = 0; i < count; i++)
            {
                var row = rows.Slice(i * _features, _features);
                row.CopyTo(_recent.AsSpan((int)(_recentSeen++ % _recentCapacity) * _features));
                if (!normal[i])
                {
                    continue;
                }
                var n = _normalSeen++;
                var slot = n < _capacity ? n : (long)(_rng.NextDouble() * (n + 1));
                if (slot < _capacity)
                {
                    row.CopyTo(_sample.AsSpan((int)slot * _features));
                }
            }
        }
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
