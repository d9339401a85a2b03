using System.Text.Json;

namespace Detector.Tests.Torch;

/// <summary>
/// The PyTorch files of the import tests, written once per test run by Debian's python3-torch (make_models.py beside
/// this file) into a temporary folder: TorchScript modules, state_dicts, a scaler, a schema, rows and PyTorch's scores.
/// </summary>
internal static class PyTorchFiles
{
    private static readonly Lazy<string> Folder = new(Write, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Why the files cannot be made here, or null (a cheap check: no interpreter is started).</summary>
    public static string? SkipReason =>
        PythonScript.MissingReason is { } missing ? missing
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
        // Importing torch takes a few seconds; the run's bound leaves room for a busy machine.
        var (code, _, error) = PythonScript.Run("Detector.Tests/Torch/make_models.py", [folder]);
        if (code != 0)
        {
            throw new InvalidOperationException($"make_models.py failed ({code}): {error}");
        }
        return folder;
    }
}
