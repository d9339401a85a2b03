using System.CommandLine;
using Detector.Node.Bench;
using Detector.Node.Demo;

namespace Detector.Node;

/// <summary>The command tree.</summary>
public static class Cli
{
    /// <summary>Builds the root command with every subcommand.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("Detector: streaming anomaly detection with autoencoders.")
        {
            StreamingDemo.Create(),
            BenchCommand.Create(),
            Evaluation.EvaluateCommand.Create(),
        };
        return root;
    }
}
