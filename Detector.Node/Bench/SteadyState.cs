using System.Diagnostics;

namespace Detector.Node.Bench;

/// <summary>
/// Times the records judged after the first <see cref="WarmUpRecords"/> of a run: records/s, process CPU per record
/// and JIT milliseconds over that stretch only. <see cref="Judged"/> is raised on the threshold stage's one thread.
/// </summary>
internal sealed class SteadyState(long warmUpRecords)
{
    private long _judged;
    private long _markJudged = -1;
    private long _markTicks;
    private long _endTicks;
    private TimeSpan _markCpu;
    private TimeSpan _markJit;
    private TimeSpan _endCpu;
    private TimeSpan _endJit;

    /// <summary>Records judged before the timed stretch starts.</summary>
    public long WarmUpRecords { get; } = warmUpRecords;

    /// <summary>The pipeline's <c>EndToEndMeasured</c> handler: <paramref name="records"/> more records were judged.</summary>
    public void Judged(TimeSpan latency, int records)
    {
        _judged += records;
        _endTicks = Stopwatch.GetTimestamp();
        if (_markJudged < 0 && _judged >= WarmUpRecords)
        {
            (_markJudged, _markTicks, _markCpu, _markJit) = (_judged, _endTicks, ProcessCpu.Now(), System.Runtime.JitInfo.GetCompilationTime());
        }
    }

    /// <summary>Called when the run has ended, before the pipeline is disposed.</summary>
    public void Ended() => (_endCpu, _endJit) = (ProcessCpu.Now(), System.Runtime.JitInfo.GetCompilationTime());

    /// <summary>Records/s, CPU µs per record and JIT ms of the timed stretch (after <see cref="Ended"/>).</summary>
    public (double RecordsPerSecond, double CpuMicrosPerRecord, double JitMs) Result()
    {
        var timed = _judged - _markJudged;
        if (_markJudged < 0 || timed <= 0)
        {
            throw new InvalidOperationException($"the run judged {_judged} records, not more than its {WarmUpRecords} warm-up records");
        }
        var seconds = Stopwatch.GetElapsedTime(_markTicks, _endTicks).TotalSeconds;
        return (timed / seconds, (_endCpu - _markCpu).TotalMicroseconds / timed, (_endJit - _markJit).TotalMilliseconds);
    }
}
