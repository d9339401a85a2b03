namespace Detector.Node.Http;

/// <summary>A rollback's outcome.</summary>
/// <param name="Version">The version the restored weights went live under.</param>
/// <param name="RestoredFrom">The version whose weights were restored.</param>
public sealed record ModelRolledBack(long Version, long RestoredFrom);
