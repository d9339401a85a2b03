namespace Detector.Node.Evaluation;

/// <summary>
/// One stream to evaluate: a data file, the file its model trains on (null: the stream's initial window, or the one
/// --train file for all) and its labels file (null: the data's label column).
/// </summary>
public sealed record EvaluationPair(string Data, string? Train = null, string? Labels = null)
{
    /// <summary>
    /// Each data file paired with the file of the same name in <paramref name="trainDir"/>; a data file without one
    /// stops the evaluation naming both.
    /// </summary>
    public static IReadOnlyList<EvaluationPair> FromTrainDir(IReadOnlyList<string> files, string trainDir)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (!Directory.Exists(trainDir))
        {
            throw new ArgumentException($"--train-dir '{trainDir}' is not a folder");
        }
        return files.Select(f =>
        {
            var train = Path.Combine(trainDir, Path.GetFileName(f));
            return File.Exists(train) ? new EvaluationPair(f, train)
                : throw new ArgumentException($"--train-dir '{trainDir}' has no training file for '{f}' (looked for '{train}')");
        }).ToArray();
    }

    /// <summary>
    /// Reads a manifest: one stream per line, "data train [labels]" separated by spaces, tabs or commas (train may be
    /// "-" for the initial window); paths relative to the manifest's folder; blank lines and lines from '#' ignored.
    /// </summary>
    public static IReadOnlyList<EvaluationPair> FromManifest(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"manifest '{path}' does not exist");
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Resolve(string p) => Path.IsPathRooted(p) ? p : Path.Combine(folder, p);
        var pairs = new List<EvaluationPair>();
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }
            var parts = line.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is < 2 or > 3)
            {
                throw new ArgumentException($"manifest '{path}' line {number}: expected 'data train [labels]', got '{line}'");
            }
            var pair = new EvaluationPair(Resolve(parts[0]), parts[1] == "-" ? null : Resolve(parts[1]), parts.Length == 3 ? Resolve(parts[2]) : null);
            foreach (var file in new[] { pair.Data, pair.Train, pair.Labels }.OfType<string>().Where(f => !File.Exists(f)))
            {
                throw new ArgumentException($"manifest '{path}' line {number}: '{file}' does not exist");
            }
            pairs.Add(pair);
        }
        return pairs.Count > 0 ? pairs : throw new ArgumentException($"manifest '{path}' lists no files");
    }
}
