using System.CommandLine;
using Detector.Node.Hosting;
using Detector.Node.Logging;

namespace Detector.Node.Commands;

/// <summary>`detector run`: a node with its source, sinks, model and HTTP endpoints from configuration.</summary>
public static class RunCommand
{
    /// <summary>Builds the command over the sources and sinks this build offers.</summary>
    public static Command Create(NodeComponents components)
    {
        var flags = new NodeFlags();
        var command = new Command("run", """
            Runs a node: source → pipeline (decode, batch, model actors, thresholds) → alert and dead-letter sinks, with
            /metrics, /healthz, /readyz, /status and the admin endpoints on --http-port. Settings come from the JSON file,
            then DETECTOR__Section__Key environment variables, then flags. SIGTERM stops consuming, drains, commits and
            exits 0 within Node:ShutdownTimeout. Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.

            Examples:
              ./detector run --config config/fraud.json
              ./detector run --config config/fleet.json --http-port 9100 --log-format json
              DETECTOR__Source__RecordsPerSecond=5000 ./detector run --set Pipeline:Thresholds:Percentile=99.9
            """);
        flags.AddTo(command);
        command.SetAction((result, _) => CommandGuard.RunAsync(async () =>
        {
            var options = flags.Load(result);
            using var loggers = NodeLogging.Create(options.Node);
            using var shutdown = new ShutdownSignal();
            return await NodeHost.RunAsync(options, components, shutdown, loggers);
        }));
        return command;
    }
}
