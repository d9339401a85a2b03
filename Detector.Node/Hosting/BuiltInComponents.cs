using Detector.Streams.Alerts;
using Detector.Streams.DeadLetters;
using Detector.Streams.Generators;
using Detector.Streams.Pipeline;
using Detector.Streams.Sources;

namespace Detector.Node.Hosting;

/// <summary>The factories of the sources and sinks every build has: generator and file sources, file and stdout sinks.</summary>
public static class BuiltInComponents
{
    /// <summary>The embedded generator, paced to <c>Source:RecordsPerSecond</c>; endless when <c>Source:Records</c> is 0.</summary>
    public static IRecordSource GeneratorSource(NodeContext context, DetectorPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(context);
        var source = context.Options.Source;
        var generator = RecordGenerators.Create(source.Dataset, source.Seed);
        var count = source.Records > 0 ? source.Records : long.MaxValue;
        return new LocalSource(new GeneratorSource(generator, count, context.Time, source.RecordsPerSecond), $"generator:{generator.Name}");
    }

    /// <summary>The file at <c>Source:Path</c>, read once.</summary>
    public static IRecordSource FileSource(NodeContext context, DetectorPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(context);
        var source = context.Options.Source;
        return new LocalSource(new FileSource(source.Path, source.SkipHeader, context.Time), $"file:{Path.GetFileName(source.Path)}");
    }

    /// <summary>Alerts appended to <c>Sinks:Alerts:Path</c>.</summary>
    public static IAlertSink FileAlertSink(NodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return JsonLinesAlertSink.ToFile(context.Options.Sinks.Alerts.Path);
    }

    /// <summary>Alerts on standard output.</summary>
    public static IAlertSink StdoutAlertSink(NodeContext context) => new JsonLinesAlertSink(Console.OpenStandardOutput(), ownsStream: true);

    /// <summary>Dead letters appended to <c>Sinks:DeadLetters:Path</c> (the folder is created).</summary>
    public static IDeadLetterSink FileDeadLetterSink(NodeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = Path.GetFullPath(context.Options.Sinks.DeadLetters.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new JsonLinesDeadLetterSink(path);
    }

    /// <summary>Dead letters on standard output.</summary>
    public static IDeadLetterSink StdoutDeadLetterSink(NodeContext context) => new JsonLinesDeadLetterSink(Console.OpenStandardOutput());
}
