using System.CommandLine;
using Detector.Node.Bench;
using Detector.Node.Commands;
using Detector.Node.Demo;
using Detector.Node.Hosting;
using Detector.Node.Kafka;

namespace Detector.Node;

/// <summary>The command tree: the one place commands are registered.</summary>
public static class Cli
{
    /// <summary>Builds the root command with every subcommand.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("Detector: streaming anomaly detection with autoencoders.")
        {
            RunCommand.Create(NodeComponents.BuiltIn().WithKafka()),
            TrainCommand.Create(),
            ImportCommand.Create(),
            ScoreCommand.Create(),
            InspectCommand.Create(),
            GenerateCommand.Create(),
            StreamingDemo.Create(),
            BenchCommand.Create(),
            GpuCheckCommand.Create(),
            KafkaCommand.Create(),
            ReplayCommand.Create(),
            Evaluation.EvaluateCommand.Create(),
        };
        return root;
    }
}
