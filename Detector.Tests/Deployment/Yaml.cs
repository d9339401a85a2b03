using Detector.Tests.Node;
using YamlDotNet.RepresentationModel;

namespace Detector.Tests.Deployment;

/// <summary>Reads the repository's YAML files into plain dictionaries, lists and strings (anchors and merge keys resolved).</summary>
public static class Yaml
{
    /// <summary>Every document of a (multi-document) YAML file.</summary>
    public static IReadOnlyList<object?> Documents(string relative)
    {
        var stream = new YamlStream();
        using (var reader = new StringReader(RepositoryFiles.Read(relative)))
        {
            stream.Load(new YamlDotNet.Core.MergingParser(new YamlDotNet.Core.Parser(reader)));
        }
        return stream.Documents.Select(d => Convert(d.RootNode)).ToList();
    }

    /// <summary>The single document of a YAML file, as a map.</summary>
    public static Dictionary<string, object?> Map(string relative) => (Dictionary<string, object?>)Documents(relative).Single()!;

    /// <summary>Follows a path of keys (and list indexes) through nested maps and lists; throws naming the missing step.</summary>
    public static object? At(object? node, params object[] path)
    {
        foreach (var step in path)
        {
            node = (node, step) switch
            {
                (Dictionary<string, object?> map, string key) when map.TryGetValue(key, out var value) => value,
                (List<object?> list, int index) when index < list.Count => list[index],
                _ => throw new KeyNotFoundException($"'{step}' not found in {Describe(node)}"),
            };
        }
        return node;
    }

    /// <summary>The map at a path.</summary>
    public static Dictionary<string, object?> MapAt(object? node, params object[] path) => (Dictionary<string, object?>)At(node, path)!;

    /// <summary>The list at a path.</summary>
    public static List<object?> ListAt(object? node, params object[] path) => (List<object?>)At(node, path)!;

    /// <summary>The text at a path.</summary>
    public static string TextAt(object? node, params object[] path) => (string)At(node, path)!;

    private static string Describe(object? node) => node switch
    {
        Dictionary<string, object?> map => $"a map with [{string.Join(", ", map.Keys)}]",
        List<object?> list => $"a list of {list.Count}",
        _ => $"'{node}'",
    };

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => Convert(c.Value), StringComparer.Ordinal),
        YamlSequenceNode list => list.Children.Select(Convert).ToList(),
        YamlScalarNode scalar => scalar.Value,
        _ => throw new NotSupportedException(node.GetType().Name),
    };
}
