namespace Detector.Streams.Common;

/// <summary>Lock-free "keep the largest": for positions and versions that only move forward.</summary>
internal static class AtomicMax
{
    /// <summary>Raises target to value if value is larger; returns whether it did.</summary>
    public static bool Update(ref long target, long value)
    {
        long seen;
        while ((seen = Volatile.Read(ref target)) < value)
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return true;
            }
        }
        return false;
    }
}
