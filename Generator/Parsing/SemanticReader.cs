using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Compiled.Generator.Helpers;
using Compiled.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generator.Parsing;

/// <summary>
/// Reads a model by binding its attributes: the path for what <see cref="SyntaxReader"/> cannot decide from syntax
/// alone (constants, expressions, aliases, user types named like ours). It produces the same <see cref="DeclaredModel"/>
/// the syntax path would for a literal spelling of the same attributes (a test holds the two paths to that).
/// </summary>
internal static class SemanticReader
{
    /// <summary>Our attribute types, by metadata name → the short kind the builder switches on.</summary>
    private static readonly Dictionary<string, string> Kinds = AttributeTable.Attributes.Keys.ToDictionary(
        k => AttributeTable.Namespace + "." + k + "Attribute", k => k, StringComparer.Ordinal);

    /// <summary>The pipeline entry: the class named by the merge step, looked up in the current compilation.</summary>
    public static DeclaredModel? Read((string MetadataName, Compilation Compilation) input, CancellationToken ct)
        => input.Compilation.GetTypeByMetadataName(input.MetadataName) is { } type ? Read(type, ct) : null;

    /// <summary>Reduces the class to a <see cref="DeclaredModel"/>; null when it carries neither [Input] nor [Dense] of ours.</summary>
    public static DeclaredModel? Read(INamedTypeSymbol type, CancellationToken ct)
    {
        bool isPartial = type.DeclaringSyntaxReferences.All(r => r.GetSyntax(ct) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));

        var containers = new List<string>();
        string? nonPartial = null;
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            bool partial = outer.DeclaringSyntaxReferences.All(r => r.GetSyntax(ct) is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!partial) nonPartial ??= outer.Name;
            containers.Insert(0, "partial " + Keyword(outer) + " " + outer.Name + TypeParameters(outer));
        }

        // Our attributes in source order (file path, then position): the same order whatever the order of the trees.
        var found = new List<(AttributeData Data, AttributeSyntax? Syntax, string Kind)>();
        foreach (AttributeData a in type.GetAttributes())
        {
            string? name = a.AttributeClass?.ToDisplayString();
            if (name is null || !Kinds.TryGetValue(name, out string? kind)) continue;
            found.Add((a, a.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax, kind));
        }
        if (!found.Any(f => AttributeTable.MakesModel(f.Kind))) return null;
        found.Sort((x, y) =>
        {
            int c = string.CompareOrdinal(x.Syntax?.SyntaxTree.FilePath, y.Syntax?.SyntaxTree.FilePath);
            return c != 0 ? c : (x.Syntax?.SpanStart ?? 0).CompareTo(y.Syntax?.SpanStart ?? 0);
        });
        var owners = new HashSet<SyntaxNode>();
        foreach (var f in found)
            if (AttributeTable.RoleOf(f.Kind) != AttributeRole.ModelOptions && f.Syntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>() is { } owner) owners.Add(owner);

        var attributes = new List<DeclaredAttribute>();
        foreach (var (data, syntax, kind) in found)
            attributes.Add(new DeclaredAttribute(kind, Arguments(data, syntax), LocationInfo.From(syntax?.GetLocation())));

        // Members in source order too; constructors named with their parameter types.
        var members = new List<(DeclaredMember Member, string Path, int Position)>();
        foreach (ISymbol m in type.GetMembers())
        {
            if (m.IsImplicitlyDeclared) continue;
            string name = m is IMethodSymbol { MethodKind: MethodKind.Constructor } ctor
                ? ".ctor(" + string.Join(",", ctor.Parameters.Select(p => p.Type.SpecialType == SpecialType.System_Int32 ? "int" : p.Type.Name)) + ")"
                : m.Name;
            Location? at = m.Locations.FirstOrDefault();
            members.Add((new DeclaredMember(name, LocationInfo.From(at)), at?.SourceTree?.FilePath ?? "", at?.SourceSpan.Start ?? 0));
        }
        members.Sort((x, y) => { int c = string.CompareOrdinal(x.Path, y.Path); return c != 0 ? c : x.Position.CompareTo(y.Position); });

        // Reported at the declaration of [Input] (else of the first attribute), as the syntax path does.
        var (_, primarySyntax, _) = found.FirstOrDefault(f => AttributeTable.RoleOf(f.Kind) == AttributeRole.Input) is { Syntax: not null } input ? input : found[0];
        var declaration = primarySyntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>();

        string ns = type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString();
        string metadata = (ns.Length > 0 ? ns + "." : "") + string.Join(".", containers.Select(c => c.Split(' ').Last())) + (containers.Count > 0 ? "." : "") + type.MetadataName;
        return new DeclaredModel(
            ns,
            type.Name,
            metadata.Replace('<', '{').Replace('>', '}').Replace('`', '_'),
            containers.ToEquatableArray(),
            isPartial,
            nonPartial,
            type.TypeParameters.Length > 0,
            owners.Count > 1,
            LocationInfo.From(declaration?.Identifier.GetLocation() ?? type.Locations.FirstOrDefault()),
            attributes.ToEquatableArray(),
            members.Select(m => m.Member).ToEquatableArray());
    }

    private static string Keyword(INamedTypeSymbol t)
        => t.IsRecord ? (t.TypeKind == TypeKind.Struct ? "record struct" : "record")
        : t.TypeKind switch { TypeKind.Struct => "struct", TypeKind.Interface => "interface", _ => "class" };

    private static string TypeParameters(INamedTypeSymbol t)
        => t.TypeParameters.Length == 0 ? "" : "<" + string.Join(", ", t.TypeParameters.Select(p => p.Name)) + ">";

    /// <summary>Constructor and named arguments as invariant text, each with the location of what the user wrote.</summary>
    private static EquatableArray<DeclaredArgument> Arguments(AttributeData data, AttributeSyntax? syntax)
    {
        var result = new List<DeclaredArgument>();
        var written = new Dictionary<string, Location>(StringComparer.Ordinal);
        if (syntax?.ArgumentList is { } list)
        {
            int position = 0;
            var parameters = data.AttributeConstructor?.Parameters ?? default;
            foreach (AttributeArgumentSyntax arg in list.Arguments)
            {
                if (arg.NameEquals is { } ne) written[ne.Name.Identifier.ValueText] = arg.GetLocation();
                else if (arg.NameColon is { } nc) written[nc.Name.Identifier.ValueText] = arg.GetLocation();
                else if (!parameters.IsDefault && position < parameters.Length) written[parameters[position++].Name] = arg.GetLocation();
            }
        }
        Location? fallback = syntax?.GetLocation();

        if (data.AttributeConstructor is { } ctor)
        {
            for (int i = 0; i < ctor.Parameters.Length && i < data.ConstructorArguments.Length; i++)
            {
                string name = ctor.Parameters[i].Name;
                result.Add(new DeclaredArgument(name, Text(data.ConstructorArguments[i]),
                    LocationInfo.From(written.TryGetValue(name, out Location? l) ? l : fallback)));
            }
        }
        foreach (KeyValuePair<string, TypedConstant> named in data.NamedArguments)
            result.Add(new DeclaredArgument(named.Key, Text(named.Value),
                LocationInfo.From(written.TryGetValue(named.Key, out Location? l) ? l : fallback)));
        return result.ToEquatableArray();
    }

    /// <summary>A constant as invariant text: numbers round-trippable, enums as their underlying value, null as "".</summary>
    private static string Text(TypedConstant c)
    {
        if (c.Kind == TypedConstantKind.Error) return "\u0000error";
        return c.Value switch
        {
            null => "",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            float f => f.ToString("R", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            object o => o.ToString() ?? "",
        };
    }
}
