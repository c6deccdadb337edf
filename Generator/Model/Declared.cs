using System.Globalization;
using Compiled.Generator.Helpers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Compiled.Generator.Model;

// Everything in this folder is a value: strings, numbers, enums and EquatableArray. No ISymbol, SyntaxNode,
// Compilation or Location is ever kept, so equal inputs compare equal and the incremental pipeline caches.

/// <summary>A source location reduced to values (a <see cref="Location"/> would hold the syntax tree alive).</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location)
        => location is null || location.SourceTree is null ? null
        : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}

/// <summary>A diagnostic to report: the descriptor's ID (see <c>Descriptors</c>), where, and the message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments);

// ---- Parse output: the attributes as written, in source order -------------------------------------------------
// (The build output — the spec — is in ModelSpec.cs, Layers.cs and Terms.cs.)

/// <summary>One argument of an attribute: parameter or property name, its value in invariant text, its location.</summary>
internal sealed record DeclaredArgument(string Name, string Value, LocationInfo? Location);

/// <summary>One of our attributes as written on the class.</summary>
internal sealed record DeclaredAttribute(string Kind, EquatableArray<DeclaredArgument> Arguments, LocationInfo? Location)
{
    public DeclaredArgument? Get(string name)
    {
        foreach (DeclaredArgument a in Arguments)
            if (a.Name == name) return a;
        return null;
    }

    /// <summary>Where a diagnostic about argument <paramref name="name"/> goes: the argument, else the attribute.</summary>
    public LocationInfo? At(string name) => Get(name)?.Location ?? Location;

    /// <summary>An int argument (0 when absent or not an int: the compiler reports a malformed one itself).</summary>
    public int Int(string name)
        => Get(name) is { } v && int.TryParse(v.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : 0;

    /// <summary>A number argument, or <paramref name="absent"/>.</summary>
    public double Double(string name, double absent)
        => Get(name) is { } v ? double.Parse(v.Value, NumberStyles.Float, CultureInfo.InvariantCulture) : absent;

    /// <summary>A bool argument, or false.</summary>
    public bool Bool(string name) => Get(name)?.Value == "true";

    /// <summary>A string argument, or null.</summary>
    public string? String(string name) => Get(name)?.Value;

    /// <summary>An enum argument's underlying value, or <paramref name="absent"/> (its validity is checked by the builder).</summary>
    public int Enum(string name, int absent)
        => Get(name) is { } v && int.TryParse(v.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : absent;
}

/// <summary>A member the user declared on the model class (clashes with generated members are reported).</summary>
internal sealed record DeclaredMember(string Name, LocationInfo? Location);

/// <summary>The model class as the user wrote it: identity, shape of its declaration, and its attributes.</summary>
internal sealed record DeclaredModel(
    string Namespace,
    string ClassName,
    string HintName,
    EquatableArray<string> ContainingTypes,
    bool IsPartial,
    string? NonPartialContainer,
    bool IsGeneric,
    bool HasSplitLayerAttributes,
    LocationInfo? ClassLocation,
    EquatableArray<DeclaredAttribute> Attributes,
    EquatableArray<DeclaredMember> Members);

