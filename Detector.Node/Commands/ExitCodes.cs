namespace Detector.Node.Commands;

/// <summary>The program's exit codes.</summary>
public static class ExitCodes
{
    /// <summary>Success (a node stopped by SIGTERM after draining also exits 0).</summary>
    public const int Ok = 0;

    /// <summary>A runtime failure: a stage failed, a file could not be written, draining exceeded its bound.</summary>
    public const int Failure = 1;

    /// <summary>A usage or configuration error: unknown flag, invalid setting, missing file, unavailable kind.</summary>
    public const int Usage = 2;
}
