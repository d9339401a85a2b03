using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Detector.Models.Devices;

/// <summary>
/// A device as configuration names it: <c>cpu</c>, <c>cuda:N</c> (N a device ordinal) or <c>auto</c>. Parsing is
/// case-insensitive and trims spaces; anything else is rejected with the value and the allowed forms.
/// </summary>
/// <param name="Kind">CPU, one CUDA device, or every CUDA device present.</param>
/// <param name="Ordinal">The CUDA device ordinal (0 unless <see cref="Kind"/> is <see cref="DeviceKind.Cuda"/>).</param>
public readonly record struct DeviceSpec(DeviceKind Kind, int Ordinal)
{
    /// <summary>The forms a device may take, for error messages.</summary>
    public const string AllowedForms = "'cpu', 'cuda:N' (N = 0, 1, …) or 'auto'";

    /// <summary>The CPU.</summary>
    public static DeviceSpec Cpu => new(DeviceKind.Cpu, 0);

    /// <summary>Every GPU present, else the CPU.</summary>
    public static DeviceSpec Auto => new(DeviceKind.Auto, 0);

    /// <summary>CUDA device <paramref name="ordinal"/>.</summary>
    public static DeviceSpec Cuda(int ordinal)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ordinal);
        return new(DeviceKind.Cuda, ordinal);
    }

    /// <summary>True for a CUDA device.</summary>
    public bool IsCuda => Kind == DeviceKind.Cuda;

    /// <summary>Parses <c>cpu</c>, <c>cuda:N</c> or <c>auto</c>; throws a <see cref="FormatException"/> naming the value otherwise.</summary>
    public static DeviceSpec Parse(string? text) =>
        TryParse(text, out var spec) ? spec : throw new FormatException($"'{text}' is not a device; allowed: {AllowedForms}");

    /// <summary>Parses <c>cpu</c>, <c>cuda:N</c> or <c>auto</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out DeviceSpec spec)
    {
        spec = default;
        var t = text?.Trim();
        if (string.IsNullOrEmpty(t))
        {
            return false;
        }
        if (t.Equals("cpu", StringComparison.OrdinalIgnoreCase))
        {
            spec = Cpu;
            return true;
        }
        if (t.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            spec = Auto;
            return true;
        }
        const string prefix = "cuda:";
        if (t.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
            && t.Length > prefix.Length && t.AsSpan(prefix.Length).IndexOfAnyExceptInRange('0', '9') < 0
            && int.TryParse(t.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal))
        {
            spec = new(DeviceKind.Cuda, ordinal);
            return true;
        }
        return false;
    }

    /// <summary>The configuration form: <c>cpu</c>, <c>cuda:N</c> or <c>auto</c>.</summary>
    public override string ToString() => Kind switch
    {
        DeviceKind.Cuda => string.Create(CultureInfo.InvariantCulture, $"cuda:{Ordinal}"),
        DeviceKind.Auto => "auto",
        _ => "cpu",
    };
}
