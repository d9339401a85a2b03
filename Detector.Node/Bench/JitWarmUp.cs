namespace Detector.Node.Bench;

/// <summary>
/// Untimed passes before a timed one, until the JIT has (nearly) stopped compiling: a run of a few seconds would
/// otherwise time the first tiers of the record path and the background compiler re-compiling it with profile data.
/// A node runs for hours: its steady state is what the benchmarks time.
/// </summary>
internal static class JitWarmUp
{
    /// <summary>Most untimed passes.</summary>
    private const int MaxPasses = 6;

    /// <summary>A pass that compiles fewer methods than this counts as warm.</summary>
    private const int SettledMethods = 10;

    /// <summary>Runs <paramref name="pass"/> until one compiles fewer than 10 methods, at most 6 times.</summary>
    public static async Task UntilSettledAsync(Func<Task> pass)
    {
        for (var i = 0; i < MaxPasses; i++)
        {
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            await pass().ConfigureAwait(false);
            if (System.Runtime.JitInfo.GetCompiledMethodCount() - compiled < SettledMethods)
            {
                return;
            }
        }
    }
}
