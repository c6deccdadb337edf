using System.Linq;
using Compiled.Generator.Model;

namespace Compiled.Generator.Emit;

/// <summary>
/// The model-level members of sparse coding (docs/sparse-coding.md): the dead-unit counters of AuxK, the firing
/// windows of the telemetry, the constraints' scratch, the reconstruction report, and the public views and helpers
/// (JumpReLU's log-thresholds, BatchTopK's threshold, the pre-encoder bias initializer).
/// </summary>
internal static class SparseCodingEmitter
{
    /// <summary>The largest vector count any constraint or gradient projection normalizes: their scratch's length.</summary>
    private static int ConstraintScratch(ModelSpec m)
        => m.ProductLayers.OfType<DenseSpec>().Where(l => l.Constraints.Count > 0).Select(l => System.Math.Max(l.Units, l.Inputs)).DefaultIfEmpty(0).Max();

    public static void Fields(IndentedWriter w, ModelSpec m)
    {
        foreach (ProductLayerSpec l in m.ProductLayers)
        {
            if (l.AuxK is not null)
                w.Line($"private readonly long[] _{l.Camel}SinceFired = new long[{Literal.Int(l.Units)}]; // {l.Name}: training samples since each unit last fired (AuxK's dead units)");
            if (l.FiringTelemetry)
                w.Line($"private readonly global::Compiled.Kernels.FiringCounter _{l.Camel}Firing = new global::Compiled.Kernels.FiringCounter({Literal.Int(l.Units)}, {Literal.Int(m.DeadWindowSamples)}); // {l.Name}: firing over windows of DeadWindowSamples");
        }
        int scratch = ConstraintScratch(m);
        if (scratch > 0)
        {
            w.Line($"private readonly double[] _constraintNorms = new double[{Literal.Int(scratch)}]; // the constraints' norms (and scales) per vector");
            if (m.ProductLayers.OfType<DenseSpec>().Any(l => l.Constraints.Any(c => c.ProjectGradient)))
                w.Line($"private readonly double[] _constraintDots = new double[{Literal.Int(scratch)}]; // d_iᵀg_i of the projected columns");
        }
        if (m.ReportsReconstruction)
            w.Lines(
                "private global::Compiled.ReconstructionQuality _lastReconstruction;",
                "private int _reconstructionVersion;");
    }

    /// <summary>The constructor's part: the coefficients' owner (warm-ups read its step).</summary>
    public static void Constructor(IndentedWriter w, ModelSpec m)
    {
        if (m.Terms.Any(t => t.HasWarmup)) w.Line("Regularization = new RegularizationCoefficients(this);");
    }

    /// <summary>Public members: the window setting, the counters, the reconstruction report, the pre-encoder bias initializer.</summary>
    public static void Members(IndentedWriter w, ModelSpec m)
    {
        var firing = m.ProductLayers.Where(l => l.FiringTelemetry).ToList();
        if (firing.Count > 0)
        {
            w.Text($$"""
                /// <summary>
                /// The window, in training samples, of the firing telemetry (<see cref="LastSparsity"/>: dead units and the
                /// firing-frequency histogram of {{string.Join(", ", firing.Select(l => l.Name))}}); setting it restarts the windows. At least 1; initially {{Literal.Int(m.DeadWindowSamples)}}.
                /// A training setting: refused (InvalidOperationException) while another call is in progress on this model.
                /// </summary>
                public int DeadWindowSamples
                {
                    get => (int)_{{firing[0].Camel}}Firing.Window;
                    set
                    {
                        if (value < 1) throw new global::System.ArgumentOutOfRangeException(nameof(DeadWindowSamples), value, "DeadWindowSamples must be at least 1.");
                        EnterTraining(nameof(DeadWindowSamples));
                        try
                        {
            """);
            foreach (ProductLayerSpec l in firing) w.Line($"                _{l.Camel}Firing.Window = value;");
            w.Text("""
                        }
                        finally
                        {
                            ExitTraining();
                        }
                    }
                }

                """);
        }
        var codes = m.ProductLayers.Where(l => l.SparseCode).ToList();
        if (codes.Count > 0)
            w.Text($$"""
                /// <summary>
                /// Whether the products that read the sparse code{{(codes.Count > 1 ? "s" : "")}} of {{string.Join(", ", codes.Select(l => l.Name))}} skip its zeros when fewer than 1 entry in 8 is
                /// active (docs/sparse-kernels.md; the same terms without the zero ones, so results equal the dense products up to
                /// summation order). Default true; false keeps every product dense.
                /// </summary>
                public bool SparseKernels { get; set; } = true;

                """);
        foreach (ProductLayerSpec l in m.ProductLayers.Where(l => l.AuxK is not null))
            w.Lines(
                $"/// <summary>{l.Name}: training samples since each unit last fired; a unit with at least {Literal.Int(l.AuxK!.DeadAfterSamples)} is dead for AuxK.</summary>",
                $"public global::System.ReadOnlySpan<long> {l.Pascal}SamplesSinceFired => _{l.Camel}SinceFired;",
                "");
        if (m.ReportsReconstruction)
            w.Text("""
                /// <summary>
                /// Explained variance and normalized MSE of the last <c>Evaluate</c> (over all its rows for a whole-dataset call), each
                /// sum taken over the rows before dividing. Default (Rows = 0) before the first.
                /// </summary>
                public global::Compiled.ReconstructionQuality LastReconstruction => global::Compiled.Kernels.Concurrency.Read(ref _lastReconstruction, ref _reconstructionVersion);

                """);
        if (m.PreEncoderBias)
        {
            ProductLayerSpec o = m.Output;
            string t = Names.T(m);
            w.Text($$"""
                /// <summary>
                /// Sets the pre-encoder bias (<see cref="{{o.Pascal}}Bias"/>, subtracted from every input) to the geometric median of the first
                /// <paramref name="maxRows"/> rows of <paramref name="data"/> (Weiszfeld's iterations, as OpenAI and SAELens initialize it;
                /// see global::Compiled.Data.GeometricMedian). Returns the iterations taken.
                /// A training call: refused (InvalidOperationException, nothing changed) when another call is in progress on this model.
                /// </summary>
                public int InitializePreEncoderBias(global::Compiled.Data.Dataset data, int maxRows = 10000)
                {
                    if (data is null) throw new global::System.ArgumentNullException(nameof(data));
                    if (data.FeatureSize != InputSize) throw new global::System.ArgumentException(global::System.FormattableString.Invariant($"data has {data.FeatureSize} features per row; the model's InputSize is {InputSize}."), nameof(data));
                    float[] median = new float[InputSize];
                    int iterations = global::Compiled.Data.GeometricMedian.Compute(data, median, maxRows);
                    EnterTraining(nameof(InitializePreEncoderBias));
                    try
                    {
                        {{Names.Span(m)}} bias = {{Names.Bias(m, o)}};
                        for (int j = 0; j < InputSize; j++) bias[j] = median[j];
                    }
                    finally
                    {
                        ExitTraining();
                    }
                    return iterations;
                }

                """);
        }
    }
}
