using System.Diagnostics;
using Detector.Tests.Node;

namespace Detector.Tests;

/// <summary>Runs a Python script of this repository with Debian's interpreter, bounded in time.</summary>
internal static class PythonScript
{
    /// <summary>The interpreter (Debian's; `make test` installs python3 with python3-torch through scripts/setup.sh).</summary>
    public const string Python = "/usr/bin/python3";

    /// <summary>Why no script can run here, or null.</summary>
    public static string? MissingReason => File.Exists(Python) ? null : $"{Python} is missing (make test installs it through scripts/setup.sh)";

    /// <summary>
    /// Runs <paramref name="script"/> (a '/'-separated path from the repository root) with <paramref name="arguments"/>;
    /// returns its exit code, standard output and standard error. A script still running after two minutes (room for a
    /// busy machine) is killed and named.
    /// </summary>
    public static (int ExitCode, string Output, string Error) Run(string script, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(RepositoryFiles.PathOf(script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within 2 minutes");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
