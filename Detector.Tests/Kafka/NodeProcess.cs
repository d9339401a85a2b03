using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Detector.Tests.Kafka;

/// <summary>A real `detector run` process (the test output holds detector.dll), configured through DETECTOR__ variables.</summary>
internal sealed partial class NodeProcess : IDisposable
{
    private readonly Process _process;
    private volatile bool _disposed;

    private NodeProcess(string id, string log, string audit, Process process)
    {
        Id = id;
        LogPath = log;
        AuditPath = audit;
        _process = process;
    }

    /// <summary>Node id.</summary>
    public string Id { get; }

    /// <summary>Its standard output and error.</summary>
    public string LogPath { get; }

    /// <summary>Its scored-range audit log.</summary>
    public string AuditPath { get; }

    /// <summary>Whether it has exited (true once disposed: a watch on a timer may still ask after the test ended).</summary>
    public bool HasExited => _disposed || _process.HasExited;

    /// <summary>Starts a node in folder with the given settings on top of the Kafka defaults.</summary>
    public static NodeProcess Start(string folder, string id, IReadOnlyDictionary<string, string> settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "detector.dll");
        var log = Path.Combine(folder, $"node-{id}.log");
        var audit = Path.Combine(folder, $"audit-{id}.log");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "run", "--node-id", id, "--http-port", "0" },
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DETECTOR__Sinks__AuditPath"] = audit;
        foreach (var (key, value) in settings)
        {
            start.Environment["DETECTOR__" + key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start detector");
        var writer = new StreamWriter(log) { AutoFlush = true };
        var gate = new Lock();
        void Write(string? line)
        {
            if (line is not null)
            {
                lock (gate)
                {
                    writer.WriteLine(line);
                }
            }
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.Exited += (_, _) => { };
        return new NodeProcess(id, log, audit, process);
    }

    /// <summary>Whether it is stopped by SIGSTOP.</summary>
    public bool IsPaused { get; private set; }

    /// <summary>Its HTTP base address, once its log has said it.</summary>
    public Uri? Url
    {
        get
        {
            const string marker = "HTTP listening on ";
            var line = ReadShared(LogPath).FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal));
            return line is null ? null : new Uri(line[(line.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].Split(' ')[0]);
        }
    }

    /// <summary>Its /status document, or null when it does not answer.</summary>
    public System.Text.Json.JsonDocument? Status()
    {
        if (Url is not { } url)
        {
            return null;
        }
        try
        {
            using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
            return System.Text.Json.JsonDocument.Parse(http.GetStringAsync("/status").GetAwaiter().GetResult());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>POSTs to an admin endpoint with the token; returns the body.</summary>
    public async Task<string> PostAdminAsync(string path, string token)
    {
        using var http = new HttpClient { BaseAddress = Url ?? throw new InvalidOperationException($"node {Id} has no HTTP address yet"), Timeout = TimeSpan.FromMinutes(5) };
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>SIGSTOP: the process hangs (a long GC pause, a partition) until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        _ = SendSignal(_process.Id, 19);
        IsPaused = true;
    }

    /// <summary>SIGCONT.</summary>
    public void Resume()
    {
        _ = SendSignal(_process.Id, 18);
        IsPaused = false;
    }

    /// <summary>SIGKILL: no drain, no commit, no goodbye.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, then waits for the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Terminate(_process.Id);
        }
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>The last lines of its log, for failure messages.</summary>
    public string Tail(int lines = 15) =>
        File.Exists(LogPath) ? $"--- {Id}:\n" + string.Join("\n", ReadShared(LogPath).TakeLast(lines)) : "";

    /// <summary>Its log so far.</summary>
    public string Log => File.Exists(LogPath) ? string.Join("\n", ReadShared(LogPath)) : "";

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_process.HasExited)
        {
            Resume();
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5_000);
        }
        _process.Dispose();
    }

    private static List<string> ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }
        return lines;
    }

    /// <summary>Sends SIGTERM to a process.</summary>
    public static void Terminate(int pid) => _ = SendSignal(pid, 15);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
