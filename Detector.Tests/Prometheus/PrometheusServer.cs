using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Detector.Tests.Node;

namespace Detector.Tests.Prometheus;

/// <summary>
/// A real Prometheus server on a loopback port with its own temporary storage, scraping one target every second and
/// evaluating the shipped alerting rules every second. The rules are the shipped ones with their windows shortened
/// (every range selector → 5s, every <c>for</c> → 2s) so an alert can go pending and fire within seconds.
/// </summary>
public sealed partial class PrometheusServer : IAsyncDisposable
{
    private readonly string _dir;
    private readonly Process _process;
    private readonly HttpClient _http;

    private PrometheusServer(string dir, Process process, Uri url)
    {
        _dir = dir;
        _process = process;
        _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (host:port) as job "detector"; waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string target)
    {
        var dir = Directory.CreateTempSubdirectory("detector-prometheus-").FullName;
        File.WriteAllText(Path.Combine(dir, "rules.yml"), Shorten(RepositoryFiles.Read("deploy/prometheus/rules.yml")));
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - rules.yml
            scrape_configs:
              - job_name: detector
                static_configs:
                  - targets: ['{target}']
            """);
        var port = PrometheusTools.FreePort();
        var info = new ProcessStartInfo(PrometheusTools.Server)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--config.file=prometheus.yml", $"--storage.tsdb.path={Path.Combine(dir, "data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
            "--enable-feature=exemplar-storage" }) // Prometheus 2.42 then scrapes OpenMetrics and keeps exemplars
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(dir, process, new Uri($"http://127.0.0.1:{port}/"));
        await WaitUntilAsync(async () =>
        {
            using var response = await server._http.GetAsync(new Uri("-/ready", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(30), "Prometheus did not become ready");
        return server;
    }

    /// <summary>The shipped rules with short windows: [5m] → [5s], for: 10m → for: 2s.</summary>
    public static string Shorten(string rules) =>
        ForClause().Replace(RangeSelector().Replace(rules, "[5s]"), "for: 2s");

    /// <summary>The value of an instant query returning one series (null when it returns none).</summary>
    public async Task<double?> QueryScalarAsync(string query)
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri($"api/v1/query?query={Uri.EscapeDataString(query)}", UriKind.Relative)));
        var result = document.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0 ? null
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The values of the exemplar label <paramref name="label"/> stored for <paramref name="query"/> over the last hour.</summary>
    public async Task<IReadOnlyList<string>> ExemplarLabelsAsync(string query, string label)
    {
        var end = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds();
        var start = end - 3600;
        using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri(
            $"api/v1/query_exemplars?query={Uri.EscapeDataString(query)}&start={start}&end={end}", UriKind.Relative)));
        return [.. document.RootElement.GetProperty("data").EnumerateArray()
            .SelectMany(series => series.GetProperty("exemplars").EnumerateArray())
            .Select(e => e.GetProperty("labels").TryGetProperty(label, out var value) ? value.GetString() : null)
            .OfType<string>()];
    }

    /// <summary>The state (pending or firing) of every active alert, by name.</summary>
    public async Task<IReadOnlyDictionary<string, string>> AlertsAsync()
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync(new Uri("api/v1/alerts", UriKind.Relative)));
        return document.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .GroupBy(a => a.GetProperty("labels").GetProperty("alertname").GetString()!)
            .ToDictionary(g => g.Key, g => g.Any(a => a.GetProperty("state").GetString() == "firing") ? "firing" : "pending");
    }

    /// <summary>Polls <paramref name="condition"/> (Prometheus scrapes and evaluates on its own clock) until true or the bound.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan bound, string failure)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            if (clock.Elapsed > bound)
            {
                throw new TimeoutException($"{failure} within {bound}");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [GeneratedRegex(@"\[\d+[smhd]\]")]
    private static partial Regex RangeSelector();

    [GeneratedRegex(@"for: \d+[smh]")]
    private static partial Regex ForClause();
}
