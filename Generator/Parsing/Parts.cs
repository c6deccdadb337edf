using Compiled.Generator.Helpers;
using Compiled.Generator.Model;

namespace Compiled.Generator.Parsing;

// The values the syntax reader produces, one per class declaration. Like everything in Model/, they hold only strings,
// numbers, enums and EquatableArray, so the pipeline compares them by content.

/// <summary>How an attribute's name was written, which decides whether it is ours before anything is bound.</summary>
internal enum NameForm
{
    /// <summary><c>Compiled.Dense</c>, <c>global::Compiled.Dense</c>, or an alias of <c>Compiled</c> or of our type: ours.</summary>
    Qualified,

    /// <summary><c>Dense</c> / <c>DenseAttribute</c>: ours when <c>Compiled</c> is imported (locally or by a global using).</summary>
    Imported,

    /// <summary>A qualifier the syntax alone cannot resolve (<c>X.Dense</c>): only binding tells.</summary>
    Unknown,
}

/// <summary>An attribute with one of our names, as written, with its arguments read as the compiler would bind them.</summary>
/// <param name="Attribute">Kind, arguments (constructor parameters in order with defaults, then named ones) and location.</param>
/// <param name="Form">How the name was written.</param>
/// <param name="Exact">False when an argument is not a literal the reader evaluates exactly (a constant, an expression,
/// a value of the wrong type): the model is then read by binding instead.</param>
internal sealed record WrittenAttribute(DeclaredAttribute Attribute, NameForm Form, bool Exact);

/// <summary>One class declaration: a model may be split over several partial declarations, merged by metadata name.</summary>
internal sealed record DeclaredPart(
    string MetadataName,
    string Namespace,
    string ClassName,
    string HintName,
    EquatableArray<string> ContainingTypes,
    string? NonPartialContainer,
    bool IsGeneric,
    bool IsPartial,
    string FilePath,
    int Position,
    LocationInfo? ClassLocation,
    EquatableArray<WrittenAttribute> Attributes,
    EquatableArray<DeclaredMember> Members,
    bool ImportsCompiled,
    EquatableArray<string> SensitiveNames);

/// <summary>
/// Compilation-wide facts that change what a written name binds to, gathered from syntax: a <c>global using Compiled;</c>,
/// global aliases that involve our names, and user types (or a nested <c>Compiled</c> namespace) named like ours.
/// </summary>
internal sealed record ScopeFacts(bool ImportsCompiled, bool GlobalAliases, EquatableArray<string> ShadowedNames);

/// <summary>What the merge hands on for one class: a model read from syntax, or the metadata name of one to bind.</summary>
internal sealed record ModelSource(DeclaredModel? Model, string? BindMetadataName);
