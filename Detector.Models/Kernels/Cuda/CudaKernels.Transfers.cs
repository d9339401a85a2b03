namespace Detector.Models.Kernels.Cuda;

/// <summary>The copy and launch plumbing every call goes through (callers hold the lock).</summary>
public sealed unsafe partial class CudaKernels
{
    /// <summary>Makes the context current on this thread and lays out a call needing <paramref name="stagedFloats"/> floats of staging.</summary>
    private void Begin(long stagedFloats)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CudaDriver.Check(CudaDriver.cuCtxSetCurrent(_context), nameof(CudaDriver.cuCtxSetCurrent));
        _staging.Reset(stagedFloats);
    }

    /// <summary>Queues the copy of host[..count] into buffer slot <paramref name="slot"/>; returns the device pointer.</summary>
    private ulong Upload(int slot, ReadOnlySpan<float> host, long count)
    {
        var device = _buffers.Get(slot, count);
        if (count > 0)
        {
            var staged = _staging.Take(count);
            host[..checked((int)count)].CopyTo(new Span<float>(staged, checked((int)count)));
            CudaDriver.Check(CudaDriver.cuMemcpyHtoDAsync(device, staged, (nuint)(count * sizeof(float)), _stream), nameof(CudaDriver.cuMemcpyHtoDAsync));
        }
        return device;
    }

    /// <summary>Queues the copy of <paramref name="count"/> floats from <paramref name="device"/> into staging; read it after <see cref="Synchronize"/>.</summary>
    private float* Download(ulong device, long count)
    {
        var staged = _staging.Take(count);
        if (count > 0)
        {
            CudaDriver.Check(CudaDriver.cuMemcpyDtoHAsync(staged, device, (nuint)(count * sizeof(float)), _stream), nameof(CudaDriver.cuMemcpyDtoHAsync));
        }
        return staged;
    }

    /// <summary>Waits for everything queued on this instance's stream.</summary>
    private void Synchronize() => CudaDriver.Check(CudaDriver.cuStreamSynchronize(_stream), nameof(CudaDriver.cuStreamSynchronize));

    /// <summary>Copies <paramref name="count"/> downloaded floats out of staging (after <see cref="Synchronize"/>).</summary>
    private static void CopyOut(float* staged, Span<float> host, long count) =>
        new ReadOnlySpan<float>(staged, checked((int)count)).CopyTo(host);

    /// <summary>Launches kernel <paramref name="entry"/> over <paramref name="threads"/> threads (one per element, row or column).</summary>
    private void Launch(int entry, long threads, void** arguments)
    {
        if (threads <= 0)
        {
            return;
        }
        var blocks = checked((uint)((threads + CudaKernelSource.BlockSize - 1) / CudaKernelSource.BlockSize));
        CudaDriver.Check(CudaDriver.cuLaunchKernel(_functions[entry], blocks, 1, 1, CudaKernelSource.BlockSize, 1, 1, 0, _stream, arguments, null),
            $"cuLaunchKernel({CudaKernelSource.EntryPoints[entry]})");
    }

    /// <summary>Index of an entry point in <see cref="_functions"/>.</summary>
    private static int Entry(string name) => Array.IndexOf(CudaKernelSource.EntryPoints, name);
}
