namespace Detector.Models.Kernels.Cuda;

/// <summary>
/// Device buffers by slot, grown (never shrunk) to the largest request seen, so steady-state calls allocate nothing.
/// Owned by one <see cref="CudaKernels"/>; a slot is reused by the next call only after the previous call's stream
/// has been synchronised, which every public kernel call does before returning.
/// </summary>
internal sealed class DeviceBufferPool : IDisposable
{
    /// <summary>Device pointer of each slot (0 until first use).</summary>
    private readonly ulong[] _pointers;

    /// <summary>Capacity of each slot, in floats.</summary>
    private readonly long[] _capacities;

    /// <summary>Creates <paramref name="slots"/> empty slots.</summary>
    public DeviceBufferPool(int slots)
    {
        _pointers = new ulong[slots];
        _capacities = new long[slots];
    }

    /// <summary>Slot <paramref name="slot"/>'s pointer, holding at least <paramref name="floats"/> floats (at least one).</summary>
    public ulong Get(int slot, long floats)
    {
        floats = Math.Max(floats, 1);
        if (_capacities[slot] < floats)
        {
            if (_pointers[slot] != 0)
            {
                CudaDriver.Check(CudaDriver.cuMemFree(_pointers[slot]), nameof(CudaDriver.cuMemFree));
                _pointers[slot] = 0;
                _capacities[slot] = 0;
            }
            // Round up to 1.5× so a slowly growing batch does not reallocate every call.
            var capacity = Math.Max(floats, floats + floats / 2);
            CudaDriver.Check(CudaDriver.cuMemAlloc(out var pointer, checked((nuint)(capacity * sizeof(float)))), nameof(CudaDriver.cuMemAlloc));
            _pointers[slot] = pointer;
            _capacities[slot] = capacity;
        }
        return _pointers[slot];
    }

    /// <summary>Frees every slot (the owner's context must be current).</summary>
    public void Dispose()
    {
        for (var i = 0; i < _pointers.Length; i++)
        {
            if (_pointers[i] != 0)
            {
                _ = CudaDriver.cuMemFree(_pointers[i]);
                _pointers[i] = 0;
                _capacities[i] = 0;
            }
        }
    }
}
