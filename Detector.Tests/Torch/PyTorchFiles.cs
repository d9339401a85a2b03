using System.Diagnostics;
using System.Text.Json;
using Detector.Tests.Node;

namespace Detector.Tests.Torch;

/// <summary>
/// The PyTorch files of the import tests, written once per test run by Debian's python3-torch (make_models.py beside
/// this file) into a temporary folder: TorchScript modules, state_dicts, a scaler, a schema, rows and PyTorch's scores.
/// </summary>
internal static class PyTorchFiles
{
    /// <summary>The interpreter (Debian's; `make test` installs python3-torch through scripts/setup.sh).</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string> Folder = new(Write, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Why the files cannot be made here, or null (a cheap check: no interpreter is started).</summary>
    public static string? SkipReason =>
        !File.Exists(Python) ? $"{Python} is missing (make test installs python3-torch)"
        : !Directory.Exists("/usr/lib/python3/dist-packages/torch") ? "Debian's python3-torch is not installed (make test installs it through scripts/setup.sh)"
        : null;

    /// <summary>A file written by make_models.py.</summary>
    public static string PathOf(string name) => Path.Combine(Folder.Value, name);

    /// <summary>The raw rows and the scores PyTorch gave them.</summary>
    public static (float[] Rows, int Count, float[] Scores) Expected()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf("expected.json")));
        var rows = doc.RootElement.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        var scores = doc.RootElement.GetProperty("scores").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        return (rows.SelectMany(r => r).ToArray(), rows.Length, scores);
    }

    private static string Write()
    {
        var folder = Directory.CreateTempSubdirectory("detector-pytorch-").FullName;
        var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(RepositoryFiles.PathOf("Detector.Tests/Torch/make_models.py"));
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        // Importing torch takes a few seconds; two minutes leaves room for a busy machine.
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("make_models.py did not finish within 2 minutes");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"make_models.py failed ({process.ExitCode}): {stderr.Result}");
        }
        return folder;
    }
}
