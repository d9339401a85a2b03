using TorchSharp;

namespace Detector.Models.Torch;

/// <summary>
/// LibTorch's intra-op thread count, applied on every thread that calls into it. torch.set_num_threads sets OpenMP's
/// thread count for the calling thread only (omp_set_num_threads changes that thread's own setting); any other thread
/// — a model actor's pinned thread, a benchmark's worker — starts with OpenMP's default, one thread per core, so each of
/// its ops forked a team across every core: two actors on two cores then ran four threads that waited on each other
/// (measured: two scoring threads 1.2x one instead of ~2x). Each thread applies the count once, before its first call.
/// </summary>
internal static class TorchThreads
{
    /// <summary>The count every calling thread uses (set by the engine).</summary>
    private static int _intraOp = 1;

    /// <summary>The count this thread has applied (0: none yet).</summary>
    [ThreadStatic]
    private static int _applied;

    /// <summary>Sets the count for every thread (each applies it at its next call) and applies it here.</summary>
    public static void Configure(int intraOpThreads)
    {
        Volatile.Write(ref _intraOp, intraOpThreads);
        Apply();
    }

    /// <summary>Applies the configured count on this thread if it has not yet: call before calling into LibTorch.</summary>
    public static void Apply()
    {
        var wanted = Volatile.Read(ref _intraOp);
        if (_applied != wanted)
        {
            torch.set_num_threads(wanted);
            _applied = wanted;
        }
    }
}
