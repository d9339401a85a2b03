using Detector.Models.Validation;
using Microsoft.Extensions.Logging;

namespace Detector.Node.Configuration;

/// <summary>The <c>Node</c> section: identity, HTTP endpoint, admin token, shutdown bound and logging.</summary>
public sealed record NodeHostOptions
{
    /// <summary>The longest shutdown bound accepted.</summary>
    public static readonly TimeSpan MaxShutdownTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Node id shown in /status and logs (default: the host name, which is the pod name on Kubernetes).</summary>
    public string Id { get; init; } = Environment.MachineName;

    /// <summary>Address the HTTP server binds (0.0.0.0 for every interface, 127.0.0.1 for loopback only).</summary>
    public string HttpAddress { get; init; } = "0.0.0.0";

    /// <summary>HTTP port for /metrics, /healthz, /readyz, /status and the admin endpoints; 0 picks a free port; -1 disables HTTP.</summary>
    public int HttpPort { get; init; } = 8080;

    /// <summary>Bearer token the admin endpoints (retrain, model upload, rollback) require; empty disables them (every call is 401).</summary>
    public string AdminToken { get; init; } = "";

    /// <summary>How long a stop (SIGTERM, SIGINT) may take to stop consuming, drain and commit before the node gives up.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Text or JSON log lines.</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>Least severe level written.</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    /// <summary>Throws naming the first invalid key, its value and what is allowed.</summary>
    public NodeHostOptions Validate()
    {
        OptionCheck.Require(!string.IsNullOrWhiteSpace(Id) && Id.All(c => c > ' '), nameof(Id), Id, "a non-empty name without spaces");
        OptionCheck.Require(System.Net.IPAddress.TryParse(HttpAddress, out _) || HttpAddress is "localhost" or "*" or "+",
            nameof(HttpAddress), HttpAddress, "an IP address, localhost, * or +");
        OptionCheck.Require(HttpPort is >= -1 and <= 65_535, nameof(HttpPort), HttpPort, "[0, 65535], or -1 to disable HTTP");
        OptionCheck.Require(AdminToken.Length == 0 || AdminToken.Length >= 16, nameof(AdminToken), $"({AdminToken.Length} characters, not shown)", "empty (admin disabled) or at least 16 characters");
        OptionCheck.Require(ShutdownTimeout > TimeSpan.Zero && ShutdownTimeout <= MaxShutdownTimeout, nameof(ShutdownTimeout), ShutdownTimeout, "(00:00:00, 00:10:00]");
        OptionCheck.Require(Enum.IsDefined(LogFormat), nameof(LogFormat), LogFormat, "Text, Json");
        OptionCheck.Require(Enum.IsDefined(LogLevel), nameof(LogLevel), LogLevel, string.Join(", ", Enum.GetNames<LogLevel>()));
        return this;
    }
}
