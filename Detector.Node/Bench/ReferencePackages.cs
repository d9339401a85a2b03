using System.Diagnostics;

namespace Detector.Node.Bench;

/// <summary>
/// Installs the Debian packages a Python reference needs (through the repository's scripts/setup.sh, as `make test`
/// does for its own) when the system interpreter cannot import its modules: on a fresh machine `bench kafka` otherwise
/// ran every Detector case and then failed with `ModuleNotFoundError: confluent_kafka`.
/// </summary>
internal static class ReferencePackages
{
    /// <summary>What python_e2e.py imports, and the Debian packages that provide it.</summary>
    public static readonly (string Modules, string[] Packages) KafkaReference =
        ("confluent_kafka, torch, numpy", ["python3-confluent-kafka", "python3-torch", "python3-numpy"]);

    /// <summary>
    /// True when python imports modules (after installing packages if needed and possible). Only the system
    /// interpreter gets Debian packages; another interpreter is left as it is.
    /// </summary>
    public static bool Ensure(string python, string modules, string[] packages)
    {
        if (Imports(python, modules))
        {
            return true;
        }
        if (python is not ("/usr/bin/python3" or "python3"))
        {
            Console.Error.WriteLine($"bench: {python} cannot import {modules}; install them for that interpreter");
            return false;
        }
        var setup = FindSetupScript();
        if (setup is null)
        {
            Console.Error.WriteLine($"bench: python3 cannot import {modules} and scripts/setup.sh was not found; run: apt-get install -y {string.Join(' ', packages)}");
            return false;
        }
        Console.Error.WriteLine($"bench: python3 cannot import {modules}: {setup} {string.Join(' ', packages)}");
        var start = new ProcessStartInfo(setup);
        foreach (var package in packages)
        {
            start.ArgumentList.Add(package);
        }
        using (var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {setup}"))
        {
            process.WaitForExit();
        }
        return Imports(python, modules);
    }

    private static bool Imports(string python, string modules)
    {
        var start = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"import {modules}");
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return false;
            }
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no such interpreter
        }
    }

    /// <summary>scripts/setup.sh of the repository the program runs from (its build output) or is run in.</summary>
    private static string? FindSetupScript()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "scripts", "setup.sh");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }
}
