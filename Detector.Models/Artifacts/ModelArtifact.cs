using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Detector.Models.Engines;
using Detector.Models.Kernels;
using Detector.Models.Networks;
using Detector.Models.Numerics;
using Detector.Models.Scaling;
using Detector.Models.Scoring;
using Detector.Models.Training;

namespace Detector.Models.Artifacts;

/// <summary>
/// The versioned binary model file. Layout (little-endian):
/// <c>"DTCTMODL"</c> (8 bytes) · format version (u16) · payload length (u64) · payload · SHA-256 of everything before it (32 bytes).
/// The payload holds, in order: name and version, feature schema, scaler, architecture, weights (one length-prefixed
/// float array per parameter, in the network's parameter order) and training metadata.
/// Version 2 adds the window shape (steps, kernel size, stride) at the end of the architecture, for the windowed kinds;
/// dense models are still written as version 1, so nodes running an older build keep reading them.
/// Version 3 holds an imported TorchScript module: the version 2 architecture, then the module's bytes (length-prefixed)
/// instead of weight arrays; reading one needs the Torch engine registered in <see cref="ModelEngines"/>.
/// Version 4 holds an ensemble (<see cref="ModelOptions.Members"/> &gt; 1): the version 2 architecture, then the member
/// count (i32), then every member's weight arrays, member after member; single models keep their older versions.
/// Any version may end with the model's calibration scores (a length-prefixed float array after the metadata), written
/// only when the model has some; artifacts without them (older builds') still load, with none. A build older than
/// this section refuses an artifact that has it ("unexpected trailing bytes").
/// </summary>
public static class ModelArtifact
{
    /// <summary>The newest format version this build writes and reads (it reads every version from 1 up).</summary>
    public const ushort FormatVersion = 4;

    /// <summary>The format version of windowed models (the architecture has the window shape).</summary>
    public const ushort WindowedFormatVersion = 2;

    /// <summary>The format version of imported TorchScript modules.</summary>
    public const ushort ModuleFormatVersion = 3;

    /// <summary>The format version of ensembles (<see cref="ModelOptions.Members"/> &gt; 1): the version 2 architecture, then the member count.</summary>
    public const ushort EnsembleFormatVersion = 4;

    /// <summary>The format version of dense (AE, VAE) models: the architecture has no window shape.</summary>
    public const ushort DenseFormatVersion = 1;

    private static readonly byte[] Magic = "DTCTMODL"u8.ToArray();
    private const int HeaderSize = 8 + 2 + 8;
    private const int ChecksumSize = 32;

    /// <summary>Serialises a model to bytes.</summary>
    public static byte[] ToBytes(ModelSnapshot model)
    {
        using var payload = new MemoryStream();
        using (var w = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            WritePayload(w, model);
        }
        var body = payload.ToArray();
        var result = new byte[HeaderSize + body.Length + ChecksumSize];
        Magic.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), VersionFor(model.Options));
        BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(10), (ulong)body.Length);
        body.CopyTo(result, HeaderSize);
        SHA256.HashData(result.AsSpan(0, HeaderSize + body.Length), result.AsSpan(HeaderSize + body.Length));
        return result;
    }

    /// <summary>The format version a model is written in: the oldest that can hold its architecture.</summary>
    public static ushort VersionFor(ModelOptions options) =>
        options.Members > 1 ? EnsembleFormatVersion
        : options.Kind == ModelKind.TorchScript ? ModuleFormatVersion : options.IsWindowed ? WindowedFormatVersion : DenseFormatVersion;

    /// <summary>Writes a model file atomically (temporary file, then rename).</summary>
    public static void Save(ModelSnapshot model, string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, ToBytes(model));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Reads a model file; when expected is given, its schema must match.</summary>
    public static ModelSnapshot Load(string path, FeatureSchema? expected = null)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModelArtifactException($"model file '{path}' does not exist", e);
        }
        try
        {
            return FromBytes(bytes, expected);
        }
        catch (ModelArtifactException e)
        {
            throw new ModelArtifactException($"model file '{path}': {e.Message}", e);
        }
    }

    /// <summary>Parses and verifies an artifact; when expected is given, its schema must match.</summary>
    public static ModelSnapshot FromBytes(ReadOnlySpan<byte> bytes, FeatureSchema? expected = null)
    {
        if (bytes.Length < Magic.Length || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new ModelArtifactException("not a Detector model artifact (the file does not start with DTCTMODL)");
        }
        if (bytes.Length < HeaderSize)
        {
            throw new ModelArtifactException($"truncated: {bytes.Length} bytes, shorter than the {HeaderSize}-byte header");
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]);
        if (version is < DenseFormatVersion or > FormatVersion)
        {
            throw new ModelArtifactException($"format version {version} is not supported; this build reads format version {DenseFormatVersion} up to version {FormatVersion}");
        }
        var length = BinaryPrimitives.ReadUInt64LittleEndian(bytes[10..]);
        var expectedLength = (ulong)HeaderSize + length + ChecksumSize;
        if ((ulong)bytes.Length < expectedLength)
        {
            throw new ModelArtifactException($"truncated: {bytes.Length} bytes, the header promises {expectedLength}");
        }
        if ((ulong)bytes.Length > expectedLength)
        {
            throw new ModelArtifactException($"corrupted: {bytes.Length} bytes, the header promises {expectedLength}");
        }
        var signed = bytes[..(HeaderSize + (int)length)];
        Span<byte> actual = stackalloc byte[ChecksumSize];
        SHA256.HashData(signed, actual);
        var stored = bytes[(HeaderSize + (int)length)..];
        if (!actual.SequenceEqual(stored))
        {
            throw new ModelArtifactException(
                $"corrupted: SHA-256 mismatch (stored {Convert.ToHexStringLower(stored)}, computed {Convert.ToHexStringLower(actual)})");
        }
        ModelSnapshot model;
        try
        {
            using var r = new BinaryReader(new MemoryStream(signed[HeaderSize..].ToArray()), Encoding.UTF8);
            model = ReadPayload(r, version);
        }
        catch (Exception e) when (e is not ModelArtifactException and (EndOfStreamException or ArgumentException or IOException or InvalidOperationException))
        {
            throw new ModelArtifactException($"corrupted payload: {e.Message}", e);
        }
        expected?.EnsureSame(model.Schema);
        return model;
    }

    /// <summary>SHA-256 of an artifact's bytes, as stored in its trailer (lower-case hex).</summary>
    public static string Checksum(ReadOnlySpan<byte> artifact) => Convert.ToHexStringLower(artifact[^ChecksumSize..]);

    private static void WritePayload(BinaryWriter w, ModelSnapshot m)
    {
        w.Write(m.Name);
        w.Write(m.Version);
        w.Write(m.Schema.Count);
        foreach (var name in m.Schema.Names)
        {
            w.Write(name);
        }
        w.Write((byte)m.Scaler.Kind);
        WriteFloats(w, m.Scaler.Center);
        WriteFloats(w, m.Scaler.Scale);
        var o = m.Options;
        w.Write((byte)o.Kind);
        w.Write(o.HiddenSizes.Count);
        foreach (var h in o.HiddenSizes)
        {
            w.Write(h);
        }
        w.Write(o.CodeSize);
        w.Write((byte)o.HiddenActivation);
        w.Write((byte)o.CodeActivation);
        w.Write(o.LeakySlope);
        w.Write(o.Dropout);
        w.Write((byte)o.Loss);
        w.Write(o.Beta);
        w.Write(o.SparsityWeight);
        w.Write((byte)o.Score);
        w.Write(o.ElboSamples);
        if (VersionFor(o) >= 2)
        {
            w.Write(o.WindowSteps);
            w.Write(o.KernelSize);
            w.Write(o.Stride);
        }
        if (VersionFor(o) == EnsembleFormatVersion)
        {
            w.Write(o.Members);
        }
        if (VersionFor(o) == ModuleFormatVersion)
        {
            var module = (m.Network as IModuleNetwork ?? throw new InvalidOperationException($"a {o.Kind} network must carry its module")).Module;
            w.Write(module.Length);
            w.Write(module);
        }
        else
        {
            var parameters = m.Network.Parameters;
            w.Write(parameters.Count);
            foreach (var p in parameters)
            {
                WriteFloats(w, p);
            }
        }
        var t = m.Metadata;
        w.Write(t.Seed);
        w.Write(t.Epochs);
        w.Write(t.BestEpoch);
        w.Write(t.TrainRows);
        w.Write(t.ValidationRows);
        w.Write(t.TrainedAt.UtcTicks);
        w.Write(t.DurationSeconds);
        w.Write(t.Threads);
        WriteDoubles(w, t.LossCurve);
        WriteDoubles(w, t.ValidationCurve);
        if (t.CalibrationScores.Count > 0)
        {
            WriteFloats(w, [.. t.CalibrationScores]);
        }
    }

    private static ModelSnapshot ReadPayload(BinaryReader r, ushort formatVersion)
    {
        var name = r.ReadString();
        var version = r.ReadInt64();
        var count = ReadCount(r, 1 << 20, "feature count");
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = r.ReadString();
        }
        var schema = new FeatureSchema(names);
        var scalerKind = ReadEnum<ScalerKind>(r);
        var scaler = new FeatureScaler(scalerKind, ReadFloats(r), ReadFloats(r));
        var kind = ReadEnum<ModelKind>(r);
        var hidden = new int[ReadCount(r, 64, "hidden layer count")];
        for (var i = 0; i < hidden.Length; i++)
        {
            hidden[i] = r.ReadInt32();
        }
        var options = new ModelOptions
        {
            Kind = kind,
            HiddenSizes = hidden,
            CodeSize = r.ReadInt32(),
            HiddenActivation = ReadEnum<Activation>(r),
            CodeActivation = ReadEnum<Activation>(r),
            LeakySlope = r.ReadDouble(),
            Dropout = r.ReadDouble(),
            Loss = ReadEnum<ReconstructionLoss>(r),
            Beta = r.ReadDouble(),
            SparsityWeight = r.ReadDouble(),
            Score = ReadEnum<VaeScore>(r),
            ElboSamples = r.ReadInt32(),
        };
        if (formatVersion >= 2)
        {
            options = options with { WindowSteps = r.ReadInt32(), KernelSize = r.ReadInt32(), Stride = r.ReadInt32() };
        }
        if (formatVersion == EnsembleFormatVersion)
        {
            options = options with { Members = ReadCount(r, ModelOptions.MaxMembers, "ensemble member count") };
        }
        if (VersionFor(options) != formatVersion)
        {
            throw new ModelArtifactException($"corrupted payload: a {options.Kind} model cannot be stored in format version {formatVersion}");
        }
        if (formatVersion == ModuleFormatVersion)
        {
            var module = r.ReadBytes(ReadCount(r, int.MaxValue, "module length"));
            if (!ModelEngines.IsRegistered(ModelEngine.Torch) || ModelEngines.Resolve(ModelEngine.Torch) is not IModuleEngine torch)
            {
                throw new ModelArtifactException("this model is a TorchScript module imported from PyTorch and runs only on the Torch engine, which this program does not have (Detector.Models.Torch)");
            }
            return new ModelSnapshot(name, version, schema, scaler, torch.LoadModule(options, schema.Count, module), ReadMetadata(r));
        }
        var rng = new Rng(0);
        var network = ReconstructionNetwork<float>.FromOptions(options, schema.Count, ref rng);
        var arrays = ReadCount(r, 1024, "weight array count");
        if (arrays != network.Parameters.Count)
        {
            throw new ModelArtifactException($"corrupted payload: {arrays} weight arrays, the architecture has {network.Parameters.Count}");
        }
        for (var i = 0; i < arrays; i++)
        {
            var values = ReadFloats(r);
            if (values.Length != network.Parameters[i].Length)
            {
                throw new ModelArtifactException($"corrupted payload: weight array {i} has {values.Length} values, the architecture expects {network.Parameters[i].Length}");
            }
            values.CopyTo(network.Parameters[i], 0);
        }
        return new ModelSnapshot(name, version, schema, scaler, network, ReadMetadata(r));
    }

    private static TrainingMetadata ReadMetadata(BinaryReader r)
    {
        var metadata = new TrainingMetadata(
            Seed: r.ReadUInt64(),
            Epochs: r.ReadInt32(),
            BestEpoch: r.ReadInt32(),
            TrainRows: r.ReadInt64(),
            ValidationRows: r.ReadInt64(),
            TrainedAt: new DateTimeOffset(r.ReadInt64(), TimeSpan.Zero),
            DurationSeconds: r.ReadDouble(),
            Threads: r.ReadInt32(),
            LossCurve: ReadDoubles(r),
            ValidationCurve: ReadDoubles(r));
        if (r.BaseStream.Position != r.BaseStream.Length)
        {
            metadata = metadata with { CalibrationScores = ReadFloats(r) };
        }
        if (r.BaseStream.Position != r.BaseStream.Length)
        {
            throw new ModelArtifactException($"corrupted payload: {r.BaseStream.Length - r.BaseStream.Position} unexpected trailing bytes");
        }
        return metadata;
    }

    private static int ReadCount(BinaryReader r, int max, string what)
    {
        var n = r.ReadInt32();
        if (n < 0 || n > max)
        {
            throw new ModelArtifactException($"corrupted payload: {what} {n} is outside [0, {max}]");
        }
        return n;
    }

    private static TEnum ReadEnum<TEnum>(BinaryReader r) where TEnum : struct, Enum
    {
        var raw = r.ReadByte();
        var value = (TEnum)Enum.ToObject(typeof(TEnum), raw);
        if (!Enum.IsDefined(value))
        {
            throw new ModelArtifactException($"corrupted payload: {raw} is not a {typeof(TEnum).Name}");
        }
        return value;
    }

    private static void WriteFloats(BinaryWriter w, float[] values)
    {
        w.Write(values.Length);
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static float[] ReadFloats(BinaryReader r)
    {
        var n = ReadCount(r, 1 << 28, "array length");
        var values = new float[n];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
        if (r.Read(bytes) != bytes.Length)
        {
            throw new EndOfStreamException($"array of {n} floats is cut short");
        }
        return values;
    }

    private static void WriteDoubles(BinaryWriter w, IReadOnlyList<double> values)
    {
        w.Write(values.Count);
        foreach (var v in values)
        {
            w.Write(v);
        }
    }

    private static double[] ReadDoubles(BinaryReader r)
    {
        var values = new double[ReadCount(r, 1 << 20, "curve length")];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = r.ReadDouble();
        }
        return values;
    }
}
