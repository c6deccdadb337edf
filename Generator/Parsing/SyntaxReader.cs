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
/// Reads a class declaration from its syntax alone — no semantic model, no binding — into a <see cref="DeclaredPart"/>.
/// This is what keeps the generator cheap on every keystroke: Roslyn re-runs any step that touches the compilation for
/// every model each time anything changes, while a syntax-only step re-runs only for the file that changed. Whatever the
/// syntax cannot decide exactly (a constant, an expression, an unfamiliar qualifier) is marked, and that model alone is
/// read by binding (<see cref="SemanticReader"/>), which gives the same <see cref="DeclaredModel"/>.
/// </summary>
internal static class SyntaxReader
{
    /// <summary>
    /// The syntax predicate: classes that carry attributes (models, orphan [Dense]) or are partial (the other declarations
    /// of a model, whose members may clash with generated ones).
    /// </summary>
    public static bool IsCandidate(SyntaxNode node)
        => node is ClassDeclarationSyntax c && (c.AttributeLists.Count > 0 || c.Modifiers.Any(SyntaxKind.PartialKeyword));

    public static DeclaredPart Read(ClassDeclarationSyntax node, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var scope = Scope.Of(node);

        // Containing types, outermost first, and the innermost one that is not partial.
        var containers = new List<string>();
        var metadataContainers = new List<string>();
        var hintContainers = new List<string>();
        string? nonPartial = null;
        for (SyntaxNode? n = node.Parent; n is TypeDeclarationSyntax outer; n = n.Parent)
        {
            if (!outer.Modifiers.Any(SyntaxKind.PartialKeyword)) nonPartial ??= outer.Identifier.ValueText;
            string typeParameters = outer.TypeParameterList is { } tp ? "<" + string.Join(", ", tp.Parameters.Select(p => p.Identifier.ValueText)) + ">" : "";
            containers.Insert(0, "partial " + Keyword(outer) + " " + outer.Identifier.ValueText + typeParameters);
            metadataContainers.Insert(0, MetadataName(outer));
            hintContainers.Insert(0, outer.Identifier.ValueText + typeParameters);
        }

        string name = node.Identifier.ValueText;
        string ns = scope.Namespace;
        string metadataName = (ns.Length > 0 ? ns + "." : "") + string.Concat(metadataContainers.Select(c => c + "+")) + MetadataName(node);
        string hint = (ns.Length > 0 ? ns + "." : "") + string.Concat(hintContainers.Select(c => c + ".")) + MetadataName(node);

        var sensitive = new SortedSet<string>(StringComparer.Ordinal);
        var attributes = new List<WrittenAttribute>();
        foreach (AttributeListSyntax list in node.AttributeLists)
        {
            if (list.Target is not null && !list.Target.Identifier.IsKind(SyntaxKind.TypeKeyword)) continue;
            foreach (AttributeSyntax attribute in list.Attributes)
                if (ReadAttribute(attribute, scope, sensitive) is { } written) attributes.Add(written);
        }

        return new DeclaredPart(
            metadataName,
            ns,
            name,
            hint.Replace('<', '{').Replace('>', '}').Replace('`', '_'),
            containers.ToEquatableArray(),
            nonPartial,
            node.TypeParameterList is not null,
            node.Modifiers.Any(SyntaxKind.PartialKeyword),
            node.SyntaxTree.FilePath,
            node.SpanStart,
            LocationInfo.From(node.Identifier.GetLocation()),
            attributes.ToEquatableArray(),
            Members(node).ToEquatableArray(),
            scope.ImportsCompiled,
            sensitive.ToEquatableArray());
    }

    private static string MetadataName(TypeDeclarationSyntax t)
        => t.TypeParameterList is { } tp ? t.Identifier.ValueText + "`" + tp.Parameters.Count.ToString(CultureInfo.InvariantCulture) : t.Identifier.ValueText;

    private static string Keyword(TypeDeclarationSyntax t) => t switch
    {
        RecordDeclarationSyntax r => r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };

    // ---- Names -------------------------------------------------------------------------------------------------------

    /// <summary>The namespace of a declaration and the using directives that apply to it.</summary>
    private sealed class Scope
    {
        public string Namespace = "";
        public bool ImportsCompiled;
        public readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal);

        public static Scope Of(SyntaxNode node)
        {
            var scope = new Scope();
            var namespaces = new List<string>();
            for (SyntaxNode? n = node.Parent; n is not null; n = n.Parent)
            {
                SyntaxList<UsingDirectiveSyntax> usings;
                if (n is BaseNamespaceDeclarationSyntax ns) { namespaces.Insert(0, Normalize(ns.Name)); usings = ns.Usings; }
                else if (n is CompilationUnitSyntax unit) usings = unit.Usings;
                else continue;
                foreach (UsingDirectiveSyntax u in usings)
                {
                    if (u.Name is null || !u.StaticKeyword.IsKind(SyntaxKind.None)) continue;
                    string target = Normalize(u.Name);
                    if (u.Alias is { } alias) scope.Aliases[alias.Name.Identifier.ValueText] = target;
                    else if (target == AttributeTable.Namespace) scope.ImportsCompiled = true;
                }
            }
            scope.Namespace = string.Join(".", namespaces);
            // Inside namespace Compiled (or one nested in it) our names resolve without a using.
            if (scope.Namespace == AttributeTable.Namespace || scope.Namespace.StartsWith(AttributeTable.Namespace + ".", StringComparison.Ordinal))
                scope.ImportsCompiled = true;
            return scope;
        }
    }

    /// <summary>A name as dotted text without <c>global::</c> or whitespace.</summary>
    private static string Normalize(NameSyntax name) => name switch
    {
        AliasQualifiedNameSyntax a when a.Alias.Identifier.IsKind(SyntaxKind.GlobalKeyword) => Normalize(a.Name),
        QualifiedNameSyntax q => Normalize(q.Left) + "." + Normalize(q.Right),
        SimpleNameSyntax s => s.Identifier.ValueText + (s is GenericNameSyntax g ? "<" + g.TypeArgumentList.Arguments.Count.ToString(CultureInfo.InvariantCulture) + ">" : ""),
        _ => name.ToString(),
    };

    /// <summary>Which of our attributes a written name denotes, and how sure the syntax is of it; null when not ours.</summary>
    private static (AttributeShape Shape, NameForm Form)? Resolve(NameSyntax written, Scope scope, SortedSet<string> sensitive)
    {
        string? qualifier = null;
        NameSyntax simple = written;
        if (written is QualifiedNameSyntax q) { qualifier = Normalize(q.Left); simple = q.Right; }
        else if (written is AliasQualifiedNameSyntax a)
        {
            qualifier = a.Alias.Identifier.IsKind(SyntaxKind.GlobalKeyword) ? "global" : a.Alias.Identifier.ValueText;
            simple = a.Name;
        }
        if (simple is not IdentifierNameSyntax { Identifier.ValueText: var name }) return null;

        if (qualifier is null)
        {
            // An alias named like the attribute wins over an imported type.
            foreach (string candidate in new[] { name, name + "Attribute" })
                if (scope.Aliases.TryGetValue(candidate, out string? target))
                    return FromTypeName(target) is { } aliased ? (aliased, NameForm.Qualified) : null;
            if (AttributeTable.Find(name) is not { } shape) return null;
            sensitive.Add(name);
            sensitive.Add(shape.Kind);
            sensitive.Add(shape.Kind + "Attribute");
            return (shape, NameForm.Imported);
        }

        if (AttributeTable.Find(name) is not { } found) return null;
        sensitive.Add(AttributeTable.Namespace);
        if (qualifier == AttributeTable.Namespace && !scope.Aliases.ContainsKey(AttributeTable.Namespace)) return (found, NameForm.Qualified);
        if (scope.Aliases.TryGetValue(qualifier, out string? aliasTarget))
            return aliasTarget == AttributeTable.Namespace ? (found, NameForm.Qualified) : null;
        return (found, NameForm.Unknown);
    }

    /// <summary>Our attribute named by a full type name (an alias target), or null.</summary>
    private static AttributeShape? FromTypeName(string fullName)
    {
        string prefix = AttributeTable.Namespace + ".";
        if (!fullName.StartsWith(prefix, StringComparison.Ordinal)) return null;
        string rest = fullName.Substring(prefix.Length);
        return rest.EndsWith("Attribute", StringComparison.Ordinal) ? AttributeTable.Find(rest) : null;
    }

    // ---- Arguments ---------------------------------------------------------------------------------------------------

    private static WrittenAttribute? ReadAttribute(AttributeSyntax attribute, Scope scope, SortedSet<string> sensitive)
    {
        if (Resolve(attribute.Name, scope, sensitive) is not var (shape, form)) return null;
        bool exact = true;
        LocationInfo? at = LocationInfo.From(attribute.GetLocation());

        // Constructor arguments by position or by name, then named (property) arguments in written order — the order
        // in which AttributeData presents them.
        var ctorValues = new (string? Text, LocationInfo? Location)[shape.Constructor.Length];
        var named = new List<DeclaredArgument>();
        int position = 0;
        foreach (AttributeArgumentSyntax arg in attribute.ArgumentList?.Arguments ?? default)
        {
            if (arg.NameEquals is { } ne)
            {
                string property = ne.Name.Identifier.ValueText;
                Parameter? p = Array.Find(shape.Properties, x => x.Name == property);
                string? text = p is null || named.Any(n => n.Name == property) ? null : Evaluate(arg.Expression, p, scope, sensitive);
                if (text is null) { exact = false; continue; }
                named.Add(new DeclaredArgument(property, text, LocationInfo.From(arg.GetLocation())));
                continue;
            }
            int index = arg.NameColon is { } nc ? Array.FindIndex(shape.Constructor, x => x.Name == nc.Name.Identifier.ValueText) : position++;
            if (index < 0 || index >= shape.Constructor.Length || ctorValues[index].Text is not null) { exact = false; continue; }
            string? value = Evaluate(arg.Expression, shape.Constructor[index], scope, sensitive);
            if (value is null) { exact = false; continue; }
            ctorValues[index] = (value, LocationInfo.From(arg.GetLocation()));
        }

        var arguments = new List<DeclaredArgument>();
        for (int i = 0; i < shape.Constructor.Length; i++)
        {
            Parameter p = shape.Constructor[i];
            if (ctorValues[i].Text is { } text) arguments.Add(new DeclaredArgument(p.Name, text, ctorValues[i].Location));
            else if (p.Default is { } d) arguments.Add(new DeclaredArgument(p.Name, d, at));
            else exact = false; // a required argument is missing: the compiler reports it, binding reads the rest
        }
        arguments.AddRange(named);
        return new WrittenAttribute(new DeclaredAttribute(shape.Kind, arguments.ToEquatableArray(), at), form, exact);
    }

    /// <summary>
    /// A literal argument as the invariant text the semantic reader produces for the bound constant (numbers
    /// round-trippable, enums as their value, null as ""), or null when the syntax alone cannot say exactly.
    /// </summary>
    private static string? Evaluate(ExpressionSyntax e, Parameter p, Scope scope, SortedSet<string> sensitive)
    {
        if (e.ContainsDiagnostics) return null;
        switch (p.Type)
        {
            case ArgumentType.Int:
                return Number(e) is { } i && i.Value is int n ? n.ToString(CultureInfo.InvariantCulture) : null;
            case ArgumentType.Double:
                if (Special(e) is double special) return Format(special);
                if (Number(e) is not { } number) return null;
                double? d = number.Value switch
                {
                    int v => v, long v => v, uint v => v, ulong v => v,
                    float v => v, double v => v,
                    _ => null, // decimal does not convert implicitly
                };
                return d is { } value ? Format(value) : null;
            case ArgumentType.Bool:
                return e.Kind() switch { SyntaxKind.TrueLiteralExpression => "true", SyntaxKind.FalseLiteralExpression => "false", _ => null };
            case ArgumentType.String:
                return e switch
                {
                    LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NullLiteralExpression } => "",
                    LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } s => s.Token.ValueText,
                    _ => null,
                };
            case ArgumentType.Enum:
                // Activation.Tanh, Compiled.Activation.Tanh, global::Compiled.Activation.Tanh
                if (e is not MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } access) return null;
                string type = Dotted(access.Expression) ?? "";
                // Through an alias of the namespace (C.Activation) or of the enum itself (Act).
                int dot = type.IndexOf('.');
                string head = dot < 0 ? type : type.Substring(0, dot);
                if (scope.Aliases.TryGetValue(head, out string? aliased)) type = aliased + (dot < 0 ? "" : type.Substring(dot));
                if (type == AttributeTable.Namespace + "." + p.EnumName) sensitive.Add(AttributeTable.Namespace);
                else if (type == p.EnumName) sensitive.Add(type);
                else return null;
                return AttributeTable.Enums[p.EnumName!].TryGetValue(access.Name.Identifier.ValueText, out int member)
                    ? member.ToString(CultureInfo.InvariantCulture) : null;
            default:
                return null;
        }
    }

    /// <summary>An expression that names something (<c>A.B.C</c>, <c>global::A.B</c>) as dotted text; null otherwise.</summary>
    private static string? Dotted(ExpressionSyntax e) => e switch
    {
        IdentifierNameSyntax id => id.Identifier.ValueText,
        AliasQualifiedNameSyntax a when a.Alias.Identifier.IsKind(SyntaxKind.GlobalKeyword) => Dotted(a.Name),
        QualifiedNameSyntax q => Normalize(q),
        MemberAccessExpressionSyntax { RawKind: (int)SyntaxKind.SimpleMemberAccessExpression } m when Dotted(m.Expression) is { } left => left + "." + m.Name.Identifier.ValueText,
        _ => null,
    };

    private static string Format(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A numeric literal, possibly parenthesized and signed, with its constant-folded value.</summary>
    private static (object Value, bool Negative)? Number(ExpressionSyntax e)
    {
        switch (e)
        {
            case ParenthesizedExpressionSyntax p:
                return Number(p.Expression);
            case LiteralExpressionSyntax { RawKind: (int)SyntaxKind.NumericLiteralExpression } literal:
                return literal.Token.Value is { } v ? (v, false) : null;
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryPlusExpression } plus:
                return Number(plus.Operand) is { } n && n.Value is int or long or float or double ? n : null;
            case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus:
                // -2147483648 is an int; other negations keep the operand's type (uint/ulong widen: leave those to binding).
                if (minus.Operand is LiteralExpressionSyntax { Token.Value: uint u } && u == 2147483648u) return (int.MinValue, true);
                return Number(minus.Operand) switch
                {
                    { Value: int i } => (-i, true),
                    { Value: long l } => (-l, true),
                    { Value: float f } => (-f, true),
                    { Value: double d } => (-d, true),
                    _ => null,
                };
            default:
                return null;
        }
    }

    /// <summary><c>double.NaN</c>, <c>double.PositiveInfinity</c>, <c>double.NegativeInfinity</c> (and the float ones), optionally negated.</summary>
    private static double? Special(ExpressionSyntax e)
    {
        if (e is PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus) return -Special(minus.Operand);
        if (e is ParenthesizedExpressionSyntax p) return Special(p.Expression);
        if (e is not MemberAccessExpressionSyntax { Expression: PredefinedTypeSyntax type } access) return null;
        bool isDouble = type.Keyword.IsKind(SyntaxKind.DoubleKeyword), isFloat = type.Keyword.IsKind(SyntaxKind.FloatKeyword);
        if (!isDouble && !isFloat) return null;
        return access.Name.Identifier.ValueText switch
        {
            "NaN" => double.NaN,
            "PositiveInfinity" => double.PositiveInfinity,
            "NegativeInfinity" => double.NegativeInfinity,
            _ => null,
        };
    }

    // ---- Members -----------------------------------------------------------------------------------------------------

    /// <summary>The members this declaration writes, named as the symbols would be (constructors as <c>.ctor(int,int)</c>).</summary>
    private static IEnumerable<DeclaredMember> Members(ClassDeclarationSyntax node)
    {
        if (node.ParameterList is { } primary)
            yield return new DeclaredMember(Constructor(primary), LocationInfo.From(node.Identifier.GetLocation()));
        var partialMethods = new HashSet<string>(StringComparer.Ordinal);
        foreach (MemberDeclarationSyntax m in node.Members)
        {
            switch (m)
            {
                case MethodDeclarationSyntax { ExplicitInterfaceSpecifier: null } method:
                    if (method.Modifiers.Any(SyntaxKind.PartialKeyword) && !partialMethods.Add(method.Identifier.ValueText)) break;
                    yield return Member(method.Identifier);
                    break;
                case PropertyDeclarationSyntax { ExplicitInterfaceSpecifier: null } property:
                    if (property.Modifiers.Any(SyntaxKind.PartialKeyword) && !partialMethods.Add(property.Identifier.ValueText)) break;
                    yield return Member(property.Identifier);
                    break;
                case EventDeclarationSyntax { ExplicitInterfaceSpecifier: null } e:
                    yield return Member(e.Identifier);
                    break;
                case BaseFieldDeclarationSyntax field:
                    foreach (VariableDeclaratorSyntax v in field.Declaration.Variables) yield return Member(v.Identifier);
                    break;
                case ConstructorDeclarationSyntax ctor:
                    yield return new DeclaredMember(ctor.Modifiers.Any(SyntaxKind.StaticKeyword) ? ".cctor" : Constructor(ctor.ParameterList),
                        LocationInfo.From(ctor.Identifier.GetLocation()));
                    break;
                case DestructorDeclarationSyntax d:
                    yield return new DeclaredMember("Finalize", LocationInfo.From(d.Identifier.GetLocation()));
                    break;
                case BaseTypeDeclarationSyntax type:
                    yield return Member(type.Identifier);
                    break;
                case DelegateDeclarationSyntax del:
                    yield return Member(del.Identifier);
                    break;
            }
        }
    }

    private static DeclaredMember Member(SyntaxToken identifier) => new(identifier.ValueText, LocationInfo.From(identifier.GetLocation()));

    private static string Constructor(ParameterListSyntax parameters)
        => ".ctor(" + string.Join(",", parameters.Parameters.Select(p => TypeName(p.Type))) + ")";

    /// <summary>A parameter type named as the semantic reader names it: <c>int</c> for Int32, otherwise the type's simple metadata name.</summary>
    private static string TypeName(TypeSyntax? type) => type switch
    {
        PredefinedTypeSyntax p => p.Keyword.Kind() switch
        {
            SyntaxKind.IntKeyword => "int",
            SyntaxKind.BoolKeyword => "Boolean", SyntaxKind.ByteKeyword => "Byte", SyntaxKind.SByteKeyword => "SByte",
            SyntaxKind.ShortKeyword => "Int16", SyntaxKind.UShortKeyword => "UInt16", SyntaxKind.UIntKeyword => "UInt32",
            SyntaxKind.LongKeyword => "Int64", SyntaxKind.ULongKeyword => "UInt64", SyntaxKind.FloatKeyword => "Single",
            SyntaxKind.DoubleKeyword => "Double", SyntaxKind.DecimalKeyword => "Decimal", SyntaxKind.CharKeyword => "Char",
            SyntaxKind.StringKeyword => "String", SyntaxKind.ObjectKeyword => "Object",
            _ => p.Keyword.ValueText,
        },
        QualifiedNameSyntax q => q.ToString() == "System.Int32" ? "int" : TypeName(q.Right),
        AliasQualifiedNameSyntax a => TypeName(a.Name),
        GenericNameSyntax g => g.Identifier.ValueText,
        IdentifierNameSyntax id => id.Identifier.ValueText == "Int32" ? "int" : id.Identifier.ValueText,
        NullableTypeSyntax => "Nullable",
        TupleTypeSyntax => "ValueTuple",
        _ => "",
    };
}
