using Detector.Node.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Detector.Node.Logging;

/// <summary>
/// The node's structured logging: Microsoft.Extensions.Logging to standard error (standard output stays free for
/// alerts and command output), as readable lines or one JSON object per entry.
/// </summary>
public static class NodeLogging
{
    /// <summary>A logger factory writing in <paramref name="format"/> at <paramref name="level"/> and above.</summary>
    public static ILoggerFactory Create(LogFormat format, LogLevel level = LogLevel.Information) =>
        LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(level);
            // Kestrel's per-request lines are noise for a metrics endpoint scraped every few seconds.
            builder.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.AddFilter("Microsoft.Hosting", LogLevel.Warning);
            builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            if (format == LogFormat.Json)
            {
                builder.AddJsonConsole(o =>
                {
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                    o.UseUtcTimestamp = true;
                    o.IncludeScopes = true;
                });
            }
            else
            {
                builder.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss.fff ";
                    o.UseUtcTimestamp = true;
                    o.ColorBehavior = LoggerColorBehavior.Disabled;
                });
            }
        });

    /// <summary>The same for a node's options.</summary>
    public static ILoggerFactory Create(NodeHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(options.LogFormat, options.LogLevel);
    }
}
