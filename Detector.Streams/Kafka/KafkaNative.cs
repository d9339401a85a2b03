using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Detector.Streams.Kafka;

/// <summary>
/// Binds Confluent.Kafka to Debian's librdkafka (librdkafka.redist is not obtainable here): a DllImport resolver on
/// the Confluent assembly maps "librdkafka" and "libdl" to their sonames, then the library is loaded once.
/// Call <see cref="EnsureLoaded"/> before building any client.
/// </summary>
public static class KafkaNative
{
    /// <summary>The soname of Debian's librdkafka.</summary>
    public const string Librdkafka = "librdkafka.so.1";

    private static readonly Lazy<string> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Loads librdkafka (once); throws with the package to install when it is missing.</summary>
    public static string EnsureLoaded() => Loaded.Value;

    /// <summary>The librdkafka version string, e.g. "2.0.2".</summary>
    public static string Version
    {
        get
        {
            EnsureLoaded();
            return Library.VersionString;
        }
    }

    private static string Load()
    {
        NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, Resolve);
        try
        {
            Library.Load(Librdkafka);
        }
        catch (Exception e) when (e is DllNotFoundException or InvalidOperationException or EntryPointNotFoundException)
        {
            throw new DllNotFoundException($"{Librdkafka} could not be loaded; install Debian's librdkafka1 (scripts/setup.sh does): {e.Message}", e);
        }
        return Library.VersionString;
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        var mapped = name switch
        {
            "librdkafka" => Librdkafka,
            "libdl" => "libdl.so.2",
            _ => null,
        };
        return mapped is not null && NativeLibrary.TryLoad(mapped, out var handle) ? handle : 0;
    }
}
