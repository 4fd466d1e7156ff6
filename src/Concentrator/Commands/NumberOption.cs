using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Concentrator.Commands;

/// <summary>Whole-number options checked against a range while parsing, so a bad value is a usage error (exit 2).</summary>
internal static class NumberOption
{
    public static Option<int> Create(string name, string description, int min, int max, int defaultValue) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => Parse(result, name, min, max) ?? defaultValue,
    };

    /// <summary>An option whose absence means something of its own (the value is null then).</summary>
    public static Option<int?> CreateOptional(string name, string description, int min, int max) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = result => Parse(result, name, min, max),
    };

    private static int? Parse(ArgumentResult result, string name, int min, int max)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        result.AddError(max == int.MaxValue ? $"{name} expects a number from {min} up, not '{text}'" : $"{name} expects {min}..{max}, not '{text}'");
        return null;
    }
}
