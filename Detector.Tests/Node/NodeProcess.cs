using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Detector.Tests.Node;

/// <summary>
/// A real `detector` process (the built detector.dll under `dotnet`), with its output captured. <see cref="StartNodeAsync"/>
/// waits for the node's "HTTP listening on" line and exposes the bound URL.
/// </summary>
public sealed partial class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Text, TaskCompletionSource Seen)> _watches = [];

    private NodeProcess(IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        // Through `env --default-signal` (which then execs dotnet, keeping the process id): a test run started in the
        // background by a non-interactive shell (`make test &`, nohup) has SIGINT and SIGQUIT ignored, a child inherits
        // that, and the .NET runtime leaves an ignored SIGINT ignored (as a background job should), so the SIGINT test
        // timed out whenever `make test` itself ran in the background. The node starts with the dispositions a
        // terminal or an init system gives it.
        var info = new ProcessStartInfo("env")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--default-signal=INT,QUIT");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(RepositoryFiles.DetectorDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("DETECTOR__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The URL the node serves on, once it said so.</summary>
    public Uri Url => _listening.Task.Result;

    /// <summary>Everything printed so far (stdout and stderr interleaved).</summary>
    public string Output => string.Join('\n', _lines);

    /// <summary>The process id.</summary>
    public int Id => _process.Id;

    /// <summary>Runs `detector ARGS` to completion; returns the exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        await using var process = new NodeProcess(args, workingDirectory, environment);
        var code = await process.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(2));
        return (code, process.Output);
    }

    /// <summary>Starts a node (`run` or `demo` with HTTP) and waits until it serves HTTP.</summary>
    public static async Task<NodeProcess> StartNodeAsync(IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var node = new NodeProcess(args, workingDirectory, environment);
        var exited = node._process.WaitForExitAsync();
        var first = await Task.WhenAny(node._listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != node._listening.Task)
        {
            await node.DisposeAsync();
            throw new InvalidOperationException($"the node did not start serving HTTP:\n{node.Output}");
        }
        return node;
    }

    /// <summary>Completes when a line containing <paramref name="text"/> has been printed; throws with the output after <paramref name="timeout"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_watches)
        {
            _watches.Add((text, seen));
            if (_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                seen.TrySetResult();
            }
        }
        try
        {
            await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"'{text}' not printed within {timeout}:\n{Output}");
        }
    }

    /// <summary>Sends a POSIX signal (SIGTERM = 15) to the process.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed");
        }
    }

    /// <summary>Waits for exit; kills the process and throws after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"detector did not exit within {timeout}:\n{Output}");
        }
        _process.WaitForExit(); // flushes the asynchronous output readers
        return _process.ExitCode;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }
        _lines.Enqueue(line);
        lock (_watches)
        {
            foreach (var watch in _watches.Where(w => line.Contains(w.Text, StringComparison.Ordinal)))
            {
                watch.Seen.TrySetResult();
            }
        }
        if (ListeningLine().Match(line) is { Success: true } m)
        {
            _listening.TrySetResult(new Uri(m.Groups[1].Value));
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [GeneratedRegex(@"HTTP listening on (http://\S+)")]
    private static partial Regex ListeningLine();
}
