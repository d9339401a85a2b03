using System.Diagnostics;

namespace Detector.Node.Bench;

/// <summary>
/// The process's CPU time (all threads, the in-process mock brokers included): per record, a figure a busy machine
/// distorts far less than records/s, since other processes take wall time from a case but add no CPU to it.
/// </summary>
internal static class ProcessCpu
{
    /// <summary>CPU time used by this process so far.</summary>
    public static TimeSpan Now()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>Microseconds of CPU per record since <paramref name="start"/> (a value of <see cref="Now"/>).</summary>
    public static double MicrosPerRecord(TimeSpan start, long records) => (Now() - start).TotalMicroseconds / records;
}
