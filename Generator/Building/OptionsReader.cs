using System;
using Compiled.Generator.Diagnostics;
using Compiled.Generator.Model;
using Compiled.Generator.Parsing;
using static Compiled.Generator.Building.BuildContext;

namespace Compiled.Generator.Building;

/// <summary>[Model]: loss, optimizer and its settings, learning rate, precision — each validated at its argument.</summary>
internal static class OptionsReader
{
    public static OptionsDraft Read(BuildContext ctx)
    {
        var options = new OptionsDraft();
        foreach (DeclaredAttribute a in ctx.Model.Attributes)
            if (AttributeTable.RoleOf(a.Kind) == AttributeRole.ModelOptions) Read(ctx, a, options);
        return options;
    }

    private static void Read(BuildContext ctx, DeclaredAttribute a, OptionsDraft options)
    {
        if (ModelBuilder.EnumArgument(ctx, a, "Loss", "Loss", -1) is int loss and >= 0)
        {
            options.Loss = (LossKind)loss;
            options.LossArgument = a.Get("Loss");
        }
        if (a.Get("Precision") is { } prec)
        {
            if (prec.Value == "1") options.Precision = Precision.Float64;
            else if (prec.Value != "0") ctx.Report(Descriptors.BadPrecision, prec.Location, "(Precision)" + prec.Value);
        }
        OptimizerSpec o = options.Optimizer;
        if (ModelBuilder.EnumArgument(ctx, a, "Optimizer", "Optimizer", -1) is int kind and >= 0) o = o with { Kind = (OptimizerKind)kind };
        options.Optimizer = o with
        {
            Momentum = Setting(ctx, a, "Momentum", o.Momentum, v => v >= 0 && v < 1, "in [0, 1)"),
            Beta1 = Setting(ctx, a, "Beta1", o.Beta1, v => v >= 0 && v < 1, "in [0, 1)"),
            Beta2 = Setting(ctx, a, "Beta2", o.Beta2, v => v >= 0 && v < 1, "in [0, 1)"),
            Epsilon = Setting(ctx, a, "Epsilon", o.Epsilon, v => v > 0 && !double.IsInfinity(v), "a finite number > 0"),
            WeightDecay = Setting(ctx, a, "WeightDecay", o.WeightDecay, v => v >= 0 && !double.IsInfinity(v), "a finite number ≥ 0"),
        };
        options.ClipGradientNorm = Setting(ctx, a, "ClipGradientNorm", 0, v => v >= 0 && !double.IsInfinity(v), "a finite number ≥ 0 (0: no clipping)");
        if (a.Get("PreEncoderBias") is { } peb)
        {
            options.PreEncoderBias = a.Bool("PreEncoderBias");
            options.PreEncoderBiasArgument = peb;
        }
        if (a.Get("DeadWindowSamples") is { } window)
        {
            options.DeadWindowSamples = a.Int("DeadWindowSamples");
            if (options.DeadWindowSamples < 1) ctx.Report(Descriptors.BadOptimizerSetting, window.Location, "DeadWindowSamples", "at least 1", Str(options.DeadWindowSamples));
        }
        if (a.Get("LearningRate") is { } lr)
        {
            options.LearningRate = a.Double("LearningRate", 0);
            if (!(options.LearningRate > 0) || double.IsInfinity(options.LearningRate))
                ctx.Report(Descriptors.BadLearningRate, lr.Location, Str(options.LearningRate));
        }
    }

    private static double Setting(BuildContext ctx, DeclaredAttribute a, string name, double value, Func<double, bool> valid, string range)
    {
        if (a.Get(name) is not { } arg) return value;
        double v = a.Double(name, value);
        if (!valid(v)) ctx.Report(Descriptors.BadOptimizerSetting, arg.Location, name, range, Str(v));
        return v;
    }
}
