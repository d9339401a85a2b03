namespace Detector.Models.Kernels.Cuda;

/// <summary>
/// Page-locked host memory (cuMemHostAlloc) that every host↔device copy goes through: the DMA engine reads and writes
/// it directly, which pageable managed arrays would not allow asynchronously. One call's inputs and outputs are laid
/// out one after another (<see cref="Take"/>); <see cref="Reset"/> starts the next call's layout.
/// </summary>
internal sealed unsafe class PinnedStaging : IDisposable
{
    /// <summary>The pinned block (null until first use).</summary>
    private float* _base;

    /// <summary>Its size, in floats.</summary>
    private long _capacity;

    /// <summary>Floats handed out since the last <see cref="Reset"/>.</summary>
    private long _used;

    /// <summary>Starts a call that will take at most <paramref name="floats"/> floats; grows the block if needed.</summary>
    public void Reset(long floats)
    {
        _used = 0;
        if (_capacity >= floats)
        {
            return;
        }
        Free();
        var capacity = Math.Max(floats + floats / 2, 1024);
        CudaDriver.Check(CudaDriver.cuMemHostAlloc(out var pointer, checked((nuint)(capacity * sizeof(float))), CudaDriver.HostAllocPortable),
            nameof(CudaDriver.cuMemHostAlloc));
        _base = (float*)pointer;
        _capacity = capacity;
    }

    /// <summary>The next <paramref name="floats"/> floats of this call's layout.</summary>
    public float* Take(long floats)
    {
        if (_used + floats > _capacity)
        {
            throw new InvalidOperationException($"pinned staging overrun: {_used} + {floats} > {_capacity} floats (Reset was given too little)");
        }
        var p = _base + _used;
        _used += floats;
        return p;
    }

    /// <summary>Frees the block (the owner's context must be current).</summary>
    public void Dispose() => Free();

    private void Free()
    {
        if (_base != null)
        {
            _ = CudaDriver.cuMemFreeHost((nint)_base);
            _base = null;
            _capacity = 0;
        }
    }
}
