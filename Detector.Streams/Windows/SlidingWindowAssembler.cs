using System.Diagnostics;

namespace Detector.Streams.Windows;

/// <summary>
/// Assembles, per entity, the sliding window of its last T rows of S sensors, flattened step-major with the oldest step
/// first (the input layout of the windowed models). Until an entity has T rows, the missing older steps repeat its
/// first row (edge padding), so every row yields a window and is scored. Memory is bounded: at most
/// <see cref="MaxEntities"/> entities of T·S floats each; the least recently seen entity is forgotten first (and starts
/// over, padded, if it returns). Not thread-safe: one owner (the batcher, through <see cref="WindowingDecoder"/>).
/// </summary>
public sealed class SlidingWindowAssembler
{
    /// <summary>Entities by key; each is also a node of the recency list (most recent first).</summary>
    private readonly Dictionary<string, LinkedListNode<EntityWindow>> _entities = new(StringComparer.Ordinal);

    /// <summary>Recency order: the last node is the one to forget.</summary>
    private readonly LinkedList<EntityWindow> _recency = new();

    /// <summary>Creates an assembler of windows of steps × sensors for at most maxEntities entities.</summary>
    public SlidingWindowAssembler(int steps, int sensors, int maxEntities = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(sensors, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntities, 1);
        Steps = steps;
        Sensors = sensors;
        MaxEntities = maxEntities;
    }

    /// <summary>Steps T per window.</summary>
    public int Steps { get; }

    /// <summary>Sensors S per step.</summary>
    public int Sensors { get; }

    /// <summary>Values per window: T·S.</summary>
    public int WindowSize => Steps * Sensors;

    /// <summary>Most entities remembered.</summary>
    public int MaxEntities { get; }

    /// <summary>Entities remembered now.</summary>
    public int EntityCount => _entities.Count;

    /// <summary>
    /// Appends row [S] to the entity's history and writes its window [T·S] (oldest step first) into window; returns how
    /// many of the T steps are real rows rather than padding.
    /// </summary>
    public int Push(string entity, ReadOnlySpan<float> row, Span<float> window)
    {
        if (row.Length != Sensors || window.Length < WindowSize)
        {
            throw new ArgumentException($"a row of {row.Length} values and a window of {window.Length} do not fit {Steps} steps × {Sensors} sensors");
        }
        var state = Touch(entity);
        row.CopyTo(state.Ring.AsSpan((int)(state.Count % Steps) * Sensors, Sensors));
        state.Count++;
        var real = (int)Math.Min(state.Count, Steps);
        var oldest = state.Count - real;
        for (var t = 0; t < Steps; t++)
        {
            // Window step t holds history row (count − T + t); before the first row, the first row itself.
            var history = Math.Max(state.Count - Steps + t, oldest);
            state.Ring.AsSpan((int)(history % Steps) * Sensors, Sensors).CopyTo(window.Slice(t * Sensors, Sensors));
        }
        AssertInvariants();
        return real;
    }

    private EntityWindow Touch(string entity)
    {
        if (_entities.TryGetValue(entity, out var node))
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value;
        }
        EntityWindow state;
        if (_entities.Count >= MaxEntities)
        {
            // Reuse the forgotten entity's buffer: at steady state a new entity allocates nothing.
            var last = _recency.Last!;
            _recency.RemoveLast();
            _entities.Remove(last.Value.Key);
            state = last.Value;
            state.Key = entity;
            state.Count = 0;
        }
        else
        {
            state = new EntityWindow(entity, new float[WindowSize]);
        }
        _entities[entity] = _recency.AddFirst(state);
        return state;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_entities.Count == _recency.Count, "every remembered entity is in the recency list exactly once");
        Debug.Assert(_entities.Count <= MaxEntities, "no more entities are remembered than the bound");
    }

    /// <summary>One entity's ring of its last T rows and how many rows it has seen.</summary>
    private sealed class EntityWindow(string key, float[] ring)
    {
        public string Key { get; set; } = key;

        public float[] Ring { get; } = ring;

        public long Count { get; set; }
    }
}
