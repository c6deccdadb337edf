using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Compiled.Generator.Helpers;
using Compiled.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generator.Parsing;

/// <summary>
/// Merges the partial declarations read by <see cref="SyntaxReader"/> into one <see cref="DeclaredModel"/> per class, and
/// decides which classes the syntax cannot read exactly (those are bound instead). Also gathers the compilation-wide
/// <see cref="ScopeFacts"/> from syntax.
/// </summary>
internal static class Declarations
{
    // ---- Scope facts ---------------------------------------------------------------------------------------------------

    /// <summary>Global usings, and declarations that could capture one of our names (a user's <c>DenseAttribute</c>, <c>Activation</c>, <c>Compiled</c>).</summary>
    public static bool IsScopeCandidate(SyntaxNode node) => node switch
    {
        UsingDirectiveSyntax u => !u.GlobalKeyword.IsKind(SyntaxKind.None),
        BaseTypeDeclarationSyntax t => AttributeTable.BindingSensitiveNames.Contains(t.Identifier.ValueText),
        DelegateDeclarationSyntax d => AttributeTable.BindingSensitiveNames.Contains(d.Identifier.ValueText),
        BaseNamespaceDeclarationSyntax ns => ns.Name is QualifiedNameSyntax { Right.Identifier.ValueText: AttributeTable.Namespace }
                                             || (ns.Name is IdentifierNameSyntax { Identifier.ValueText: AttributeTable.Namespace } && ns.Parent is BaseNamespaceDeclarationSyntax),
        _ => false,
    };

    /// <summary>One fact per candidate: <c>import</c>, <c>alias</c> or <c>shadow:Name</c> (null: nothing that matters).</summary>
    public static string? ReadScope(SyntaxNode node)
    {
        switch (node)
        {
            case UsingDirectiveSyntax u:
                string target = u.Name?.ToString().Replace("global::", "").Replace(" ", "") ?? "";
                if (u.Alias is { } alias)
                    return AttributeTable.BindingSensitiveNames.Contains(alias.Name.Identifier.ValueText) || target == AttributeTable.Namespace
                           || target.StartsWith(AttributeTable.Namespace + ".", StringComparison.Ordinal) ? "alias" : null;
                if (!u.StaticKeyword.IsKind(SyntaxKind.None)) // imports the nested types of one of ours
                    return target.StartsWith(AttributeTable.Namespace + ".", StringComparison.Ordinal) ? "alias" : null;
                return target == AttributeTable.Namespace ? "import" : null;
            case BaseTypeDeclarationSyntax t:
                return "shadow:" + t.Identifier.ValueText;
            case DelegateDeclarationSyntax d:
                return "shadow:" + d.Identifier.ValueText;
            case BaseNamespaceDeclarationSyntax:
                return "shadow:" + AttributeTable.Namespace;
            default:
                return null;
        }
    }

    public static ScopeFacts Facts(ImmutableArray<string?> facts, CancellationToken _)
        => new(facts.Contains("import"), facts.Contains("alias"),
            facts.Where(f => f is not null && f.StartsWith("shadow:", StringComparison.Ordinal)).Select(f => f!.Substring(7))
                .Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToEquatableArray());

    // ---- Merge ---------------------------------------------------------------------------------------------------------

    /// <summary>One <see cref="ModelSource"/> per class that carries our attributes, in ordinal order of metadata name.</summary>
    public static ImmutableArray<ModelSource> Merge((ImmutableArray<DeclaredPart> Parts, ScopeFacts Scope) input, CancellationToken ct)
    {
        var (parts, scope) = input;
        var result = ImmutableArray.CreateBuilder<ModelSource>();
        foreach (IGrouping<string, DeclaredPart> group in parts.GroupBy(p => p.MetadataName, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            if (!group.Any(p => p.Attributes.Count > 0)) continue; // a partial class with nothing of ours
            DeclaredPart[] declarations = [.. group.OrderBy(p => p.FilePath, StringComparer.Ordinal).ThenBy(p => p.Position)];

            var ours = new List<(DeclaredAttribute Attribute, DeclaredPart Part)>();
            bool bind = false;
            foreach (DeclaredPart part in declarations)
            {
                foreach (WrittenAttribute a in part.Attributes)
                {
                    bool isOurs = a.Form switch
                    {
                        NameForm.Qualified => true,
                        NameForm.Imported => part.ImportsCompiled || scope.ImportsCompiled,
                        _ => false,
                    };
                    bind |= a.Form == NameForm.Unknown || (isOurs && !a.Exact);
                    if (isOurs) ours.Add((a.Attribute, part));
                }
                if (part.Attributes.Count > 0 && part.SensitiveNames.Any(n => scope.ShadowedNames.Contains(n))) bind = true;
            }
            if (ours.Count == 0 && !bind) continue;
            if (bind || scope.GlobalAliases)
            {
                result.Add(new ModelSource(null, group.Key));
                continue;
            }
            if (!ours.Any(a => AttributeTable.MakesModel(a.Attribute.Kind))) continue;

            // Where the class is reported: the declaration of its [Input] (else of its first attribute).
            DeclaredPart primary = ours.FirstOrDefault(a => AttributeTable.RoleOf(a.Attribute.Kind) == AttributeRole.Input).Part ?? ours[0].Part;
            int owners = ours.Where(a => AttributeTable.RoleOf(a.Attribute.Kind) != AttributeRole.ModelOptions).Select(a => a.Part).Distinct().Count();
            result.Add(new ModelSource(new DeclaredModel(
                primary.Namespace,
                primary.ClassName,
                primary.HintName,
                primary.ContainingTypes,
                declarations.All(p => p.IsPartial),
                primary.NonPartialContainer,
                declarations.Any(p => p.IsGeneric),
                owners > 1,
                primary.ClassLocation,
                ours.Select(a => a.Attribute).ToEquatableArray(),
                declarations.SelectMany(p => p.Members).ToEquatableArray()), null));
        }
        return result.ToImmutable();
    }
}
