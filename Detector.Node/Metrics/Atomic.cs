namespace Detector.Node.Metrics;

/// <summary>Lock-free read-modify-write operations that Interlocked lacks (double add, long max).</summary>
internal static class Atomic
{
    /// <summary>Adds <paramref name="value"/> to <paramref name="location"/> with a compare-and-swap loop.</summary>
    public static void Add(ref double location, double value)
    {
        var current = Volatile.Read(ref location);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref location, current + value, current);
            // Compare bits, not values: NaN != NaN would otherwise spin forever.
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Raises <paramref name="location"/> to <paramref name="value"/> if it is lower.</summary>
    public static void Max(ref long location, long value)
    {
        var current = Volatile.Read(ref location);
        while (current < value)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
