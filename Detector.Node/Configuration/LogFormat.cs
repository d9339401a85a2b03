namespace Detector.Node.Configuration;

/// <summary>How the node writes its logs (to standard error).</summary>
public enum LogFormat
{
    /// <summary>One readable line per entry.</summary>
    Text = 1,

    /// <summary>One JSON object per entry (timestamp, level, category, message, state), for log collectors.</summary>
    Json = 2,
}
