using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Helpers;
using Compiled.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Compiled.Generator.Building;

/// <summary>The model being built and the diagnostics found so far: what every building step reads and reports to.</summary>
internal sealed class BuildContext(DeclaredModel model)
{
    private readonly List<DiagnosticInfo> _diagnostics = [];

    public DeclaredModel Model { get; } = model;

    public void Report(DiagnosticDescriptor descriptor, LocationInfo? at, params string[] arguments)
        => _diagnostics.Add(new DiagnosticInfo(descriptor.Id, at, arguments.ToEquatableArray()));

    public bool HasErrors => _diagnostics.Any(d => Descriptors.Get(d.Id).DefaultSeverity == DiagnosticSeverity.Error);

    /// <summary>The result: the spec only when no error was reported.</summary>
    public BuildResult Done(ModelSpec? spec) => new(HasErrors ? null : spec, _diagnostics.ToEquatableArray());

    // ---- Text for messages and docs, always invariant ----------------------------------------------------------

    public static string Str(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    public static string Str(int i) => i.ToString(CultureInfo.InvariantCulture);
}
