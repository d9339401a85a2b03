using System.CommandLine;
using System.CommandLine.Invocation;
using Detector.Node.Commands;

namespace Detector.Node;

/// <summary>The `detector` program.</summary>
public static class Program
{
    /// <summary>Entry point: parses the command line and runs the chosen command; a usage error exits 2.</summary>
    public static int Main(string[] args)
    {
        // The Torch engine is created (LibTorch loaded) only when a command or a model asks for it.
        Detector.Models.Engines.ModelEngines.Register(Detector.Models.Engines.ModelEngine.Torch, () => new Detector.Models.Torch.TorchEngine());
        var parsed = Cli.Build().Parse(args);
        // Commands that run a node handle SIGTERM/SIGINT themselves (stop consuming, drain, commit), so the parser's
        // own handler, which would return after a fixed two seconds, is turned off.
        var code = parsed.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });
        return parsed.Action is ParseErrorAction ? ExitCodes.Usage : code;
    }
}
