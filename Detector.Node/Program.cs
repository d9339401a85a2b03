namespace Detector.Node;

/// <summary>The `detector` program.</summary>
public static class Program
{
    /// <summary>Entry point: parses the command line and runs the chosen command.</summary>
    public static int Main(string[] args) => Cli.Build().Parse(args).Invoke();
}
