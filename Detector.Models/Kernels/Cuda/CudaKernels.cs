using System.Collections.Concurrent;
using Detector.Models.Devices;

namespace Detector.Models.Kernels.Cuda;

/// <summary>
/// The CUDA backend behind <see cref="IKernels{T}"/>: GEMM through cuBLAS (FP32, or TF32/BF16 tensor cores by
/// <see cref="CudaMathMode"/>), elementwise and reduction kernels compiled at start-up by NVRTC and launched through
/// the driver API, device buffers from a per-instance pool, page-locked staging for every copy, and one CUDA stream
/// per instance: a model actor owns one instance, so each actor has its own stream and actors on one GPU overlap.
/// <para>
/// The interface is span-in, span-out, so every call copies its inputs host→device and its outputs device→host and
/// waits for its stream: correct everywhere and simple, but for small layers the transfers and the per-call
/// synchronisation dominate the arithmetic. If measurements show that, the next step is a device-resident design:
/// weights uploaded once per model version, activations kept in device workspaces across a whole forward/backward
/// pass, and only the batch in and the scores out crossing the bus (an <c>IDeviceKernels</c> over device handles,
/// with <see cref="IKernels{T}"/> left for the CPU).
/// </para>
/// Calls are serialised by a lock, so an instance is safe to share, but one per thread is the intended use.
/// Construct only where <see cref="CudaDeviceProbe"/> found the device: the constructor throws a
/// <see cref="CudaException"/> otherwise (the pipeline turns that into a CPU fallback with a warning).
/// </summary>
public sealed unsafe partial class CudaKernels : IKernels<float>, IDisposable
{
    /// <summary>Module image (CUBIN or PTX) per compute capability, compiled once per process (NVRTC takes ~100 ms a compile).</summary>
    private static readonly ConcurrentDictionary<(int Major, int Minor), Lazy<byte[]>> Images = new();

    /// <summary>Serialises calls: the stream, staging and buffer slots are per-call state.</summary>
    private readonly Lock _gate = new();

    /// <summary>The device's primary context, retained for this instance's lifetime.</summary>
    private readonly nint _context;

    /// <summary>This instance's stream: every copy, launch and GEMM of a call is queued on it, then synchronised.</summary>
    private readonly nint _stream;

    /// <summary>The cuBLAS handle, bound to <see cref="_stream"/>.</summary>
    private readonly nint _cublas;

    /// <summary>The module loaded from the NVRTC-compiled image.</summary>
    private readonly nint _module;

    /// <summary>Kernel function handles, indexed as <see cref="CudaKernelSource.EntryPoints"/>.</summary>
    private readonly nint[] _functions;

    /// <summary>Device buffers: slots 0–4 are a call's operands.</summary>
    private readonly DeviceBufferPool _buffers = new(5);

    /// <summary>Pinned host staging for the copies.</summary>
    private readonly PinnedStaging _staging = new();

    private readonly int _device;
    private bool _disposed;

    /// <summary>Starts the backend on CUDA device <paramref name="ordinal"/>; throws a <see cref="CudaException"/> when CUDA, cuBLAS, NVRTC or the device is missing.</summary>
    public CudaKernels(int ordinal, CudaMathMode mathMode = CudaMathMode.Fp32)
    {
        var inventory = CudaDeviceProbe.Instance.Probe();
        if (!inventory.Has(ordinal))
        {
            throw new CudaException($"cuda:{ordinal} is not available: {inventory.Describe()}");
        }
        if (!Cublas.IsAvailable)
        {
            throw new CudaException($"cuBLAS (libcublas.so.12 or .11) was not found; add its directory to LD_LIBRARY_PATH or {CudaLibraryPaths.Variable}");
        }
        if (!Nvrtc.IsAvailable)
        {
            throw new CudaException($"NVRTC (libnvrtc.so.12 or .11) was not found; add its directory to LD_LIBRARY_PATH or {CudaLibraryPaths.Variable}");
        }
        Ordinal = ordinal;
        MathMode = mathMode;
        CudaDriver.Check(CudaDriver.cuDeviceGet(out _device, ordinal), nameof(CudaDriver.cuDeviceGet));
        CudaDriver.Check(CudaDriver.cuDevicePrimaryCtxRetain(out _context, _device), nameof(CudaDriver.cuDevicePrimaryCtxRetain));
        try
        {
            CudaDriver.Check(CudaDriver.cuCtxSetCurrent(_context), nameof(CudaDriver.cuCtxSetCurrent));
            CudaDriver.Check(CudaDriver.cuStreamCreate(out _stream, CudaDriver.StreamNonBlocking), nameof(CudaDriver.cuStreamCreate));
            Cublas.Check(Cublas.cublasCreate(out _cublas), nameof(Cublas.cublasCreate));
            Cublas.Check(Cublas.cublasSetStream(_cublas, _stream), nameof(Cublas.cublasSetStream));
            Cublas.Check(Cublas.cublasSetMathMode(_cublas, mathMode == CudaMathMode.Tf32 ? Cublas.Tf32TensorOpMath : Cublas.DefaultMath),
                nameof(Cublas.cublasSetMathMode));
            _module = LoadModule(_device);
            _functions = new nint[CudaKernelSource.EntryPoints.Length];
            for (var i = 0; i < _functions.Length; i++)
            {
                CudaDriver.Check(CudaDriver.cuModuleGetFunction(out _functions[i], _module, CudaKernelSource.EntryPoints[i]),
                    $"{nameof(CudaDriver.cuModuleGetFunction)}({CudaKernelSource.EntryPoints[i]})");
            }
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>The CUDA device ordinal.</summary>
    public int Ordinal { get; }

    /// <summary>How GEMMs run.</summary>
    public CudaMathMode MathMode { get; }

    /// <inheritdoc />
    public string Name => $"cuda:{Ordinal}/{MathMode.ToString().ToLowerInvariant()}";

    private static nint LoadModule(int device)
    {
        CudaDriver.Check(CudaDriver.cuDeviceGetAttribute(out var major, CudaDriver.AttributeComputeCapabilityMajor, device), nameof(CudaDriver.cuDeviceGetAttribute));
        CudaDriver.Check(CudaDriver.cuDeviceGetAttribute(out var minor, CudaDriver.AttributeComputeCapabilityMinor, device), nameof(CudaDriver.cuDeviceGetAttribute));
        var image = Images.GetOrAdd((major, minor), key => new Lazy<byte[]>(() =>
            Nvrtc.Compile(CudaKernelSource.Source, "detector_kernels.cu", key.Major, key.Minor))).Value;
        fixed (byte* p = image)
        {
            CudaDriver.Check(CudaDriver.cuModuleLoadData(out var module, p), nameof(CudaDriver.cuModuleLoadData));
            return module;
        }
    }

    /// <summary>Frees the buffers, the staging, the stream, the cuBLAS handle and the module; releases the context.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            Release();
        }
    }

    private void Release()
    {
        if (_context == 0)
        {
            return;
        }
        _ = CudaDriver.cuCtxSetCurrent(_context);
        _buffers.Dispose();
        _staging.Dispose();
        if (_cublas != 0)
        {
            _ = Cublas.cublasDestroy(_cublas);
        }
        if (_module != 0)
        {
            _ = CudaDriver.cuModuleUnload(_module);
        }
        if (_stream != 0)
        {
            _ = CudaDriver.cuStreamDestroy(_stream);
        }
        _ = CudaDriver.cuDevicePrimaryCtxRelease(_device);
    }
}
