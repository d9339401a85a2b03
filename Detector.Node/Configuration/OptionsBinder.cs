using System.Collections;
using System.Globalization;
using System.Reflection;
using Detector.Models.Validation;
using Microsoft.Extensions.Configuration;

namespace Detector.Node.Configuration;

/// <summary>
/// Binds configuration onto options records strictly: an unknown key, a value that does not parse, or an enum name
/// that does not exist throws an <see cref="InvalidOptionException"/> naming the full key, the value and what is
/// allowed. Lists configured anywhere replace their defaults (Microsoft's binder appends to them, so a configured
/// <c>HiddenSizes: [16]</c> would silently become <c>[64, 32, 16]</c>). Records with init-only properties and
/// positional records are both supported.
/// </summary>
public static class OptionsBinder
{
    /// <summary>Binds <paramref name="configuration"/> onto a new <typeparamref name="T"/> (its defaults kept where not configured).</summary>
    public static T Bind<T>(IConfiguration configuration) where T : new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var target = new T();
        BindObject(target, configuration.GetChildren(), "");
        return target;
    }

    /// <summary>
    /// Binds the keys of <paramref name="section"/> onto <paramref name="target"/> (pass a copy: it is changed in place),
    /// keeping its values where the section sets none: a preset refined by the keys configured beside it.
    /// </summary>
    public static T BindOnto<T>(T target, IConfigurationSection section) where T : class
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(section);
        BindObject(target, section.GetChildren(), section.Path);
        return target;
    }

    /// <summary>Every key path <typeparamref name="T"/> accepts (lists as <c>Key:0</c>, dictionaries as <c>Key:*</c>), for documentation and tests.</summary>
    public static IReadOnlyList<string> KeysOf<T>()
    {
        var keys = new List<string>();
        CollectKeys(typeof(T), "", keys, depth: 0);
        return keys;
    }

    private static void BindObject(object target, IEnumerable<IConfigurationSection> children, string path)
    {
        var properties = Settable(target.GetType());
        foreach (var child in children)
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase))
                ?? throw new InvalidOptionException(Join(path, child.Key), child.Value ?? "(a section)",
                    $"a key of {(path.Length == 0 ? "the configuration root" : path)}: {string.Join(", ", properties.Select(p => p.Name))}");
            var value = BindValue(property.PropertyType, child, Join(path, property.Name), property.GetValue(target), IsNullable(property));
            property.SetValue(target, value);
        }
    }

    private static object? BindValue(Type type, IConfigurationSection section, string path, object? existing, bool nullable)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null || IsScalar(type))
        {
            return BindScalar(underlying ?? type, section, path, nullable || underlying is not null);
        }
        if (DictionaryValueType(type) is { } valueType)
        {
            if (valueType != typeof(string))
            {
                throw new NotSupportedException($"{path}: only string-valued dictionaries are bound");
            }
            var dictionary = existing is IEnumerable<KeyValuePair<string, string>> old
                ? new Dictionary<string, string>(old, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var child in section.GetChildren())
            {
                dictionary[child.Key] = (string)BindScalar(typeof(string), child, Join(path, child.Key), nullable: false)!;
            }
            return dictionary;
        }
        if (ElementType(type) is { } elementType)
        {
            return BindList(type, elementType, section, path);
        }
        var children = section.GetChildren().ToList();
        if (children.Count == 0 && section.Value is { Length: > 0 } text)
        {
            throw new InvalidOptionException(path, text, $"a section with the keys {string.Join(", ", Settable(type).Select(p => p.Name))}");
        }
        var target = existing ?? Create(type, children, path);
        BindObject(target, children.Where(c => !IsConstructorArgument(type, c.Key, existing)), path);
        return target;
    }

    private static IList BindList(Type type, Type elementType, IConfigurationSection section, string path)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        var indexed = new List<(int Index, IConfigurationSection Section)>();
        foreach (var child in section.GetChildren())
        {
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw new InvalidOptionException(Join(path, child.Key), child.Value, $"a list: {path}:0, {path}:1, …");
            }
            indexed.Add((index, child));
        }
        foreach (var (index, child) in indexed.OrderBy(c => c.Index))
        {
            list.Add(BindValue(elementType, child, Join(path, index.ToString(CultureInfo.InvariantCulture)), null, nullable: false));
        }
        if (type.IsArray)
        {
            var array = Array.CreateInstance(elementType, list.Count);
            list.CopyTo(array, 0);
            return array;
        }
        return list;
    }

    private static object Create(Type type, List<IConfigurationSection> children, string path)
    {
        if (type.GetConstructor(Type.EmptyTypes) is { } parameterless)
        {
            return parameterless.Invoke(null);
        }
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var arguments = constructor.GetParameters().Select(p =>
        {
            var child = children.FirstOrDefault(c => string.Equals(c.Key, p.Name, StringComparison.OrdinalIgnoreCase));
            if (child is not null)
            {
                return BindValue(p.ParameterType, child, Join(path, Pascal(p.Name!)), null, new NullabilityInfoContext().Create(p).WriteState == NullabilityState.Nullable);
            }
            return p.HasDefaultValue ? p.DefaultValue
                : throw new InvalidOptionException(Join(path, Pascal(p.Name!)), null, "a value (this key is required)");
        }).ToArray();
        return constructor.Invoke(arguments);
    }

    private static object? BindScalar(Type type, IConfigurationSection section, string path, bool nullable)
    {
        if (section.GetChildren().Any())
        {
            throw new InvalidOptionException(path, "(a section)", Describe(type));
        }
        var text = section.Value;
        if (string.IsNullOrEmpty(text))
        {
            if (type == typeof(string))
            {
                return nullable ? null : "";
            }
            return nullable ? null : throw new InvalidOptionException(path, text ?? "", Describe(type));
        }
        var value = Parse(type, text.Trim());
        return value ?? throw new InvalidOptionException(path, text, Describe(type));
    }

    private static object? Parse(Type type, string text)
    {
        var c = CultureInfo.InvariantCulture;
        if (type == typeof(string))
        {
            return text;
        }
        if (type.IsEnum)
        {
            var name = Enum.GetNames(type).FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
            return name is null ? null : Enum.Parse(type, name);
        }
        return type switch
        {
            _ when type == typeof(bool) => bool.TryParse(text, out var b) ? b : null,
            _ when type == typeof(int) => int.TryParse(text, NumberStyles.Integer, c, out var i) ? i : null,
            _ when type == typeof(long) => long.TryParse(text, NumberStyles.Integer, c, out var l) ? l : null,
            _ when type == typeof(ulong) => ulong.TryParse(text, NumberStyles.Integer, c, out var u) ? u : null,
            _ when type == typeof(double) => double.TryParse(text, NumberStyles.Float, c, out var d) ? d : null,
            _ when type == typeof(float) => float.TryParse(text, NumberStyles.Float, c, out var f) ? f : null,
            _ when type == typeof(char) => text.Length == 1 ? text[0] : text == "\\t" ? '\t' : null,
            _ when type == typeof(TimeSpan) => TimeSpan.TryParse(text, c, out var t) ? t : null,
            _ when type == typeof(DateTimeOffset) => DateTimeOffset.TryParse(text, c, DateTimeStyles.AssumeUniversal, out var o) ? o : null,
            _ => throw new NotSupportedException($"options of type {type.Name} cannot be bound"),
        };
    }

    /// <summary>What a scalar type accepts, in words.</summary>
    internal static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum ? string.Join(", ", Enum.GetNames(type))
            : type == typeof(bool) ? "true or false"
            : type == typeof(int) || type == typeof(long) ? "an integer"
            : type == typeof(ulong) ? "a non-negative integer"
            : type == typeof(double) || type == typeof(float) ? "a number"
            : type == typeof(char) ? "a single character"
            : type == typeof(TimeSpan) ? "a duration such as 00:00:30"
            : type == typeof(DateTimeOffset) ? "an ISO 8601 time"
            : "text";
    }

    private static void CollectKeys(Type type, string path, List<string> keys, int depth)
    {
        foreach (var p in Settable(type))
        {
            var key = Join(path, p.Name);
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (IsScalar(t))
            {
                keys.Add(key);
            }
            else if (DictionaryValueType(t) is not null)
            {
                keys.Add(key + ":*");
            }
            else if (ElementType(t) is { } element)
            {
                if (IsScalar(element))
                {
                    keys.Add(key + ":0");
                }
                else if (depth < 8)
                {
                    CollectKeys(element, key + ":0", keys, depth + 1);
                }
            }
            else if (depth < 8)
            {
                CollectKeys(t, key, keys, depth + 1);
            }
        }
    }

    private static PropertyInfo[] Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract").ToArray();

    private static bool IsConstructorArgument(Type type, string key, object? existing) =>
        existing is null && type.GetConstructor(Type.EmptyTypes) is null
        && type.GetConstructors().SelectMany(c => c.GetParameters()).Any(p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase));

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(DateTimeOffset) || type == typeof(decimal);

    private static bool IsNullable(PropertyInfo property) =>
        new NullabilityInfoContext().Create(property).WriteState == NullabilityState.Nullable;

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericArguments() is [var key, var value] && key == typeof(string)
        && (type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) || type.GetGenericTypeDefinition() == typeof(IDictionary<,>)
            || type.GetGenericTypeDefinition() == typeof(Dictionary<,>)) ? value : null;

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }
        if (type.IsGenericType && type.GetGenericArguments() is [var element])
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(IReadOnlyList<>) || definition == typeof(IList<>) || definition == typeof(List<>)
                || definition == typeof(IEnumerable<>) || definition == typeof(IReadOnlyCollection<>) || definition == typeof(ICollection<>))
            {
                return element;
            }
        }
        return null;
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}:{key}";

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];
}
