using System.CommandLine;
using Detector.Node.Configuration;

namespace Detector.Node.Commands;

/// <summary>
/// The configuration flags of every command that reads node configuration: --config, --set, and shorthands for the
/// common keys. Flags win over DETECTOR__ environment variables, which win over the JSON file.
/// </summary>
public sealed class NodeFlags
{
    /// <summary>--config PATH.</summary>
    public Option<string?> Config { get; } = new("--config", "-c") { Description = "JSON configuration file (default: appsettings.json in the working directory, if present)." };

    /// <summary>--set Key=Value (repeatable).</summary>
    public Option<string[]> Set { get; } = new("--set") { Description = "Overrides one setting, e.g. --set Pipeline:BatchMaxRows=512 (repeatable).", AllowMultipleArgumentsPerToken = false };

    /// <summary>--http-port N.</summary>
    public Option<int?> HttpPort { get; } = new("--http-port") { Description = "HTTP port for /metrics, /healthz, /readyz, /status and admin (Node:HttpPort; 0 = any free port, -1 = off)." };

    /// <summary>--log-format text|json.</summary>
    public Option<string?> LogFormat { get; } = new("--log-format") { Description = "Log lines on standard error: text or json (Node:LogFormat)." };

    /// <summary>--node-id ID.</summary>
    public Option<string?> NodeId { get; } = new("--node-id") { Description = "Node id shown in /status and logs (Node:Id)." };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(Config);
        command.Options.Add(Set);
        command.Options.Add(HttpPort);
        command.Options.Add(LogFormat);
        command.Options.Add(NodeId);
    }

    /// <summary>The flags given, as configuration keys and values (--set first, so the named flags win).</summary>
    public IEnumerable<KeyValuePair<string, string?>> Overrides(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var pairs = NodeConfiguration.FromAssignments(result.GetValue(Set) ?? []).ToList();
        if (result.GetValue(HttpPort) is { } port)
        {
            pairs.Add(new("Node:HttpPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        if (result.GetValue(LogFormat) is { } format)
        {
            pairs.Add(new("Node:LogFormat", format));
        }
        if (result.GetValue(NodeId) is { } id)
        {
            pairs.Add(new("Node:Id", id));
        }
        return pairs;
    }

    /// <summary>Loads, binds and validates the node's options from the file, the environment and these flags.</summary>
    public NodeOptions Load(ParseResult result) => NodeConfiguration.Load(result?.GetValue(Config), flags: Overrides(result!));
}
