namespace Detector.Tests.Node;

/// <summary>Files of this repository (found by walking up from the test binaries to Detector.sln).</summary>
public static class RepositoryFiles
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Detector.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Detector.sln not found above {AppContext.BaseDirectory}");
    });

    /// <summary>The repository root.</summary>
    public static string Root => RootPath.Value;

    /// <summary>A path under the root, from '/'-separated parts.</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The text of a repository file.</summary>
    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>The detector program next to the test binaries.</summary>
    public static string DetectorDll => Path.Combine(AppContext.BaseDirectory, "detector.dll");
}
