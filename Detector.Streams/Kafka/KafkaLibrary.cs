using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Detector.Streams.Kafka;

/// <summary>
/// The librdkafka that Confluent.Kafka loaded from librdkafka.redist, and the binding of this assembly's own P/Invoke
/// (the mock cluster, <see cref="MockClusterNative"/>) to that very file. On Debian 12 the redist's default
/// librdkafka.so needs libsasl2.so.3, which Debian lacks, so Confluent.Kafka falls back to its bundled
/// centos8-librdkafka.so; binding the mock functions by name could pick a different copy (and a mock cluster in one
/// copy is invisible to clients of another), so the resolver returns the handle of the file found loaded.
/// Call <see cref="EnsureLoaded"/> before building any client.
/// </summary>
public static class KafkaLibrary
{
    /// <summary>The library name this assembly's P/Invoke declarations use; resolved to the loaded file.</summary>
    internal const string ImportName = "librdkafka";

    private static readonly Lazy<(string Path, nint Handle)> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads librdkafka (once) the way Confluent.Kafka does and returns the path of the file it loaded.</summary>
    public static string EnsureLoaded() => Loaded.Value.Path;

    /// <summary>The path of the loaded librdkafka, e.g. …/runtimes/linux-x64/native/centos8-librdkafka.so.</summary>
    public static string Path => Loaded.Value.Path;

    /// <summary>The librdkafka version string, e.g. "2.16.0".</summary>
    public static string Version
    {
        get
        {
            EnsureLoaded();
            return Library.VersionString;
        }
    }

    /// <summary>One line for start-up logs: version and file.</summary>
    public static string Description => $"librdkafka {Version} ({System.IO.Path.GetFileName(Path)})";

    private static (string, nint) Load()
    {
        try
        {
            Library.Load();
        }
        catch (Exception e) when (e is DllNotFoundException or InvalidOperationException or EntryPointNotFoundException)
        {
            throw new DllNotFoundException($"librdkafka (librdkafka.redist) could not be loaded: {e.Message}", e);
        }
        var path = LoadedFile() ?? throw new DllNotFoundException("Confluent.Kafka reports librdkafka loaded, but no librdkafka file is mapped in this process");
        // dlopen of a file already loaded returns that library's handle (reference counted): the same code and state.
        var handle = NativeLibrary.Load(path);
        NativeLibrary.SetDllImportResolver(typeof(KafkaLibrary).Assembly, Resolve);
        return (path, handle);
    }

    /// <summary>The mapped file whose name says librdkafka (/proc/self/maps lists what the dynamic loader loaded).</summary>
    private static string? LoadedFile()
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            var slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                continue;
            }
            var file = line[slash..];
            if (System.IO.Path.GetFileName(file).Contains("librdkafka", StringComparison.Ordinal))
            {
                return file;
            }
        }
        return null;
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == ImportName ? Loaded.Value.Handle : 0;
}
