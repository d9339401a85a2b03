using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Detector.Models.Devices;
using Detector.Models.Kernels;
using Detector.Models.Kernels.Cuda;

namespace Detector.Node.Commands;

/// <summary>
/// `detector gpu-check`: the CUDA backend against the scalar oracle on a GPU machine, which has no .NET SDK to run
/// the test suite (see <see cref="KernelParityCheck"/>). One JSON line per check, then "N passed, N failed"; exit 0
/// when every check passed, 1 when one failed, 2 when the device cannot be used.
/// </summary>
public static class GpuCheckCommand
{
    /// <summary>Tolerance of GEMM-based checks in each math mode (normalised max error).</summary>
    public static double Tolerance(CudaMathMode mode) => mode switch
    {
        CudaMathMode.Fp32 => 1e-4,
        CudaMathMode.Tf32 => 1e-2,
        _ => 5e-2,
    };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var device = new Option<string>("--device") { Description = "The CUDA device to check: cuda:N.", DefaultValueFactory = _ => "cuda:0" };
        var modes = new Option<string>("--math") { Description = "Comma-separated GEMM modes: Fp32, Tf32, Bf16.", DefaultValueFactory = _ => "Fp32,Tf32,Bf16" };
        var command = new Command("gpu-check", "Checks the CUDA backend against the scalar oracle (kernels, AE and VAE scores and gradients); " +
            "one JSON line per check.\n\nExample:\n  ./detector gpu-check --device cuda:0")
        {
            device, modes,
        };
        command.SetAction(r => Run(r.GetValue(device)!, r.GetValue(modes)!, Console.Out, Console.Error));
        return command;
    }

    /// <summary>Runs the checks on <paramref name="device"/> in each of <paramref name="modes"/>.</summary>
    public static int Run(string device, string modes, TextWriter output, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        if (!DeviceSpec.TryParse(device, out var spec) || !spec.IsCuda)
        {
            errors.WriteLine($"--device '{device}' is not a CUDA device; allowed: 'cuda:N'");
            return ExitCodes.Usage;
        }
        var (passed, failed) = (0, 0);
        foreach (var name in modes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<CudaMathMode>(name, ignoreCase: true, out var mode))
            {
                errors.WriteLine($"--math '{name}' is not a mode; allowed: Fp32, Tf32, Bf16");
                return ExitCodes.Usage;
            }
            IReadOnlyList<KernelCheckResult> results;
            try
            {
                using var kernels = new CudaKernels(spec.Ordinal, mode);
                results = KernelParityCheck.Run(kernels, Tolerance(mode));
            }
            catch (CudaException e)
            {
                errors.WriteLine($"gpu-check {spec} {mode}: {e.Message}");
                return ExitCodes.Usage;
            }
            foreach (var result in results)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{{\"device\":\"{spec}\",\"math\":\"{mode}\",\"check\":{JsonSerializer.Serialize(result.Check, GpuCheckJson.Default.String)},\"error\":{result.Error:G3},\"tolerance\":{result.Tolerance:G3},\"ok\":{(result.Passed ? "true" : "false")}}}"));
                _ = result.Passed ? passed++ : failed++;
            }
        }
        output.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
