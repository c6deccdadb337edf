using System;
using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Building;
using Compiled.Generator.Parsing;
using Compiled.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace Compiled.Tests;

/// <summary>
/// The list of generated members the clash check (CMP016) uses comes from what is actually generated: for models of
/// every optimizer, loss and penalty shape, the list is exactly the set of members the emitted class declares.
/// </summary>
public class IdentifierTests
{
    public static TheoryData<string> Models => new()
    {
        SnapshotTests.Seed,
        SnapshotTests.Deep,
        SnapshotTests.Classifier,
        GeneratorHarness.Usings + "namespace Demo; [Model(Optimizer = Optimizer.Nesterov)][Input(3)][Dense(5, Activation.Softplus, Name = \"enc\")][Dense(3, Activation.Sigmoid)] public partial class M;",
        GeneratorHarness.Usings + "namespace Demo; [Model(Optimizer = Optimizer.Adam, Precision = Precision.Float64, Loss = Loss.BinaryCrossEntropy)][Input(3)][Dense(4, Activation.Elu)][Dense(2, Activation.Sigmoid)] public partial class M;",
        GeneratorHarness.Usings + "namespace Demo; [Input(6)][InputDropout(0.25)][Dense(5, Activation.Selu)][AlphaDropout(0.2)][Dense(4, Activation.Tanh)][GaussianNoise(0.3)][Tied(Activation.Tanh)][Tied] public partial class M;",
        GeneratorHarness.Usings + "namespace Demo; [Input(6)][Dense(5, Activation.Sigmoid)][Contractive(0.3, Form = ContractiveForm.Theanets)][KernelOrthogonal(0.2)][Dense(4, Activation.Tanh)][Contractive(0.4)][Dense(6)] public partial class M;",
        GeneratorHarness.Usings + "namespace Demo; [Model(Optimizer = Optimizer.Adam, PreEncoderBias = true, ClipGradientNorm = 1)][Input(6)][Dense(12, Activation.Relu)][TopK(3)][AuxK(4)][Dense(6)][UnitNorm(Per = NormPer.Input, ProjectGradient = true)] public partial class M;",
        GeneratorHarness.Usings + "namespace Demo; [Input(6)][Dense(5, Activation.JumpRelu)][L0Penalty(0.1, WarmupSteps = 3)][Dense(7, Activation.Relu)][ActivityL1(0.1)][Dense(4)][NonNeg] public partial class M;",
        GeneratorHarness.Usings + "namespace Demo; [Model(Precision = Precision.Float64)][Input(6)][Dense(12, Activation.Relu)][TopK(3, Batch = true)][ActivityL1(0.1, WeightedByNextLayer = true)][Dense(6)][MaxNorm(2)] public partial class M;",
    };

    [Theory, MemberData(nameof(Models))]
    public void The_clash_list_is_what_the_emitted_class_declares(string source)
    {
        var r = GeneratorHarness.Run(source);
        Assert.Empty(r.GeneratorDiagnostics);
        string file = r.Sources.Keys.Single(k => k.StartsWith("Demo.", StringComparison.Ordinal));
        var declared = Declared(r.Sources[file]);

        CSharpCompilation c = GeneratorHarness.Compilation(source);
        INamedTypeSymbol type = c.GetTypeByMetadataName(file.Substring(0, file.Length - ".g.cs".Length))!;
        var listed = ModelBuilder.GeneratedMembers(SemanticReader.Read(type, default)!).ToHashSet(StringComparer.Ordinal);

        Assert.Empty(declared.Except(listed));
        Assert.Empty(listed.Except(declared));
    }

    /// <summary>The members of the model class in the generated file: constructors as .ctor(…), as CMP016 names them.</summary>
    private static HashSet<string> Declared(string generated)
    {
        var root = CSharpSyntaxTree.ParseText(generated).GetRoot();
        var cls = root.DescendantNodes().OfType<ClassDeclarationSyntax>().First();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (MemberDeclarationSyntax m in cls.Members)
        {
            switch (m)
            {
                case ConstructorDeclarationSyntax ctor:
                    names.Add(".ctor(" + string.Join(",", ctor.ParameterList.Parameters.Select(p => p.Type!.ToString())) + ")");
                    break;
                case BaseFieldDeclarationSyntax f:
                    foreach (VariableDeclaratorSyntax v in f.Declaration.Variables) names.Add(v.Identifier.ValueText);
                    break;
                case PropertyDeclarationSyntax p: names.Add(p.Identifier.ValueText); break;
                case MethodDeclarationSyntax me: names.Add(me.Identifier.ValueText); break;
                case BaseTypeDeclarationSyntax t: names.Add(t.Identifier.ValueText); break;
                default: throw new InvalidOperationException("unexpected member " + m.Kind());
            }
        }
        return names;
    }
}
