namespace Detector.Models.Kernels.Cuda;

/// <summary>
/// Candidate file names of the CUDA libraries, newest major version first. Directories listed in the environment
/// variable <c>DETECTOR_CUDA_LIBS</c> (colon-separated, e.g. a Python wheel's <c>nvidia/cublas/lib</c>) are tried
/// before the loader's own search path.
/// </summary>
internal static class CudaLibraryPaths
{
    /// <summary>The environment variable naming extra directories to search.</summary>
    public const string Variable = "DETECTOR_CUDA_LIBS";

    /// <summary>Each file name, first in every configured directory, then bare (the loader's search path).</summary>
    public static string[] Candidates(params string[] fileNames)
    {
        var directories = (Environment.GetEnvironmentVariable(Variable) ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return directories.SelectMany(d => fileNames.Select(f => Path.Combine(d, f))).Concat(fileNames).ToArray();
    }
}
