using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Detector.Tests.Prometheus;

/// <summary>
/// Debian's prometheus package (promtool and the server). `make test` installs it through scripts/setup.sh; a run
/// without it fails here with the install line rather than passing silently.
/// </summary>
public static class PrometheusTools
{
    /// <summary>promtool's path.</summary>
    public static string Promtool => Require("/usr/bin/promtool");

    /// <summary>The server's path.</summary>
    public static string Server => Require("/usr/bin/prometheus");

    /// <summary>Runs promtool with <paramref name="args"/> (and <paramref name="stdin"/>); returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunPromtoolAsync(string workingDirectory, string? stdin, params string[] args)
    {
        var info = new ProcessStartInfo(Promtool)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>A loopback port free at the moment of asking (for a server that cannot report a port it picked itself).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Require(string path)
    {
        Assert.True(File.Exists(path),
            $"{path} is missing: install Debian's prometheus package (scripts/setup.sh prometheus, which `make test` runs; as root: apt-get install -y prometheus)");
        return path;
    }
}
