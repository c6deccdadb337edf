using System;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

/// <summary>
/// An activation in any IEEE floating-point type: its value, and its derivative from the output a (or, when
/// <see cref="UsesZ"/>, from the pre-activation z). <c>p</c> is the activation's parameter (α), ignored by the others.
/// The float32 kernels have their own tuned vector bodies (<see cref="IActivationOp"/>, <see cref="IUnaryOp"/>); these
/// serve the float64 models and, instantiated at float, the tests' scalar references.
/// </summary>
internal interface IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    static abstract bool UsesZ { get; }
    static abstract T Value(T z, T p);
    static abstract T Derivative(T a, T z, T p);
}

/// <summary>Scalar helpers accurate to a few ulps in double: what the float64 kernels are built from.</summary>
internal static class RealMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Of<T>(double value) where T : unmanaged, IFloatingPointIeee754<T> => T.CreateTruncating(value);

    /// <summary>sign(x) with sign(0) = 0 and sign(NaN) = 0 (T.Sign throws on NaN; a kernel must not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sign<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero ? T.One : x < T.Zero ? -T.One : T.Zero;

    /// <summary>log(1 + x), accurate for tiny x (Kahan's trick: the rounding of 1 + x is divided out).</summary>
    public static double Log1p(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>e^x − 1, accurate near 0 (Kahan's trick).</summary>
    public static double ExpM1(double x)
    {
        if (Math.Abs(x) >= 0.5) return Math.Exp(x) - 1;
        double u = Math.Exp(x);
        if (u == 1) return x;
        double um1 = u - 1;
        return um1 * x / Math.Log(u);
    }

    private const double TwoOverSqrtPi = 1.1283791670955126, InvSqrtPi = 0.5641895835477563, InvSqrt2 = 0.7071067811865476;

    /// <summary>
    /// erfc(x) for x ≥ 0 to about 1.4e−12 relative (measured against mpmath on [0, 20] in steps of 0.005): below 2.5,
    /// 1 − erf(x) with erf from its all-positive series 2/√π·e^{−x²}·Σ 2ⁿx^{2n+1}/(1·3·…·(2n+1)) (no cancellation
    /// inside the series); from 2.5, the continued fraction e^{−x²}/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))), 60
    /// levels, evaluated bottom-up.
    /// </summary>
    public static double Erfc(double x)
    {
        if (x < 2.5)
        {
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 200 && term > 1e-17 * sum; n++)
            {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
            }
            return 1 - TwoOverSqrtPi * Math.Exp(-x2) * sum;
        }
        double f = x;
        for (int k = 60; k >= 1; k--) f = x + k * 0.5 / f;
        return Math.Exp(-x * x) * InvSqrtPi / f;
    }

    /// <summary>Φ(z), the standard normal CDF, as ½·erfc(|z|/√2) on the left (accurate far into the tail).</summary>
    public static double Phi(double z)
    {
        double e = Erfc(Math.Abs(z) * InvSqrt2);
        return z <= 0 ? 0.5 * e : 1 - 0.5 * e;
    }
}

/// <summary>The float64 (and generic) activations, one struct each, mirroring the float32 ones formula for formula.</summary>
internal static class RealActivations
{
    public readonly struct Linear<T> : IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool UsesZ => false;
        public static T Value(T z, T p) => z;
        public static T Derivative(T a, T z, T p) => T.One;
    }

    public readonly struct Tanh<T> : IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool UsesZ => false;
        public static T Value(T z, T p) => T.Tanh(z); // odd, tanh(0) = 0 exactly
        public static T Derivative(T a, T z, T p) => T.One - a * a;
    }

    public readonly struct Sigmoid<T> : IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool UsesZ => false;
        public static T Value(T z, T p) => T.One / (T.One + T.Exp(-z));
        public static T Derivative(T a, T z, T p) => a * (T.One - a);
    }

    public readonly struct Relu<T> : IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool UsesZ => false;
        public static T Value(T z, T p) => z > T.Zero ? z : T.Zero;
        // relu'(0) = 0, as in PyTorch and TensorFlow.
        public static T Derivative(T a, T z, T p) => a > T.Zero ? T.One : T.Zero;
    }

    public readonly struct LeakyRelu<T> : IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool UsesZ => false;
        public static T Value(T z, T p) => z > T.Zero ? z : p * z;
        public static T Derivative(T a, T z, T p) => a > T.Zero ? T.One : p;
    }

    public readonly struct Elu<T> : IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static bool UsesZ => false;
        public static T Value(T z, T p) => z > T.Zero ? z : p * RealMath.Of<T>(RealMath.ExpM1(double.CreateTruncating(z)));
        // α·e^z = a + α below 0 (PyTorch: α at z = 0).
        public static T Derivative(T a, T z, T p) => a > T.Zero ? T.One : a + p;
    }

    public readonly struct Selu<T> : IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public const double Lambda = 1.0507009873554804934193349852946, Alpha = 1.6732632423543772848170429916717;
        public static bool UsesZ => false;
        public static T Value(T z, T p) => z > T.Zero ? RealMath.Of<T>(Lambda) * z : RealMath.Of<T>(Lambda * Alpha * RealMath.ExpM1(double.CreateTruncating(z)));
        // λα·e^z = a + λα below 0 (PyTorch: λα at z = 0).
        public static T Derivative(T a, T z, T p) => a > T.Zero ? RealMath.Of<T>(Lambda) : a + RealMath.Of<T>(Lambda * Alpha);
    }

    public readonly struct Softplus<T> : IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public const double Threshold = 20;
        public static bool UsesZ => true;
        public static T Value(T z, T p)
        {
            double x = double.CreateTruncating(z);
            return x > Threshold ? z : RealMath.Of<T>(Math.Max(x, 0) + RealMath.Log1p(Math.Exp(-Math.Abs(x))));
        }
        public static T Derivative(T a, T z, T p) => double.CreateTruncating(z) > Threshold ? T.One : T.One / (T.One + T.Exp(-z));
    }

    public readonly struct Gelu<T> : IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private const double InvSqrt2Pi = 0.3989422804014327;
        public static bool UsesZ => true;
        public static T Value(T z, T p) { double x = double.CreateTruncating(z); return RealMath.Of<T>(x * RealMath.Phi(x)); }
        public static T Derivative(T a, T z, T p)
        {
            double x = double.CreateTruncating(z);
            return RealMath.Of<T>(RealMath.Phi(x) + x * Math.Exp(-0.5 * x * x) * InvSqrt2Pi);
        }
    }

    public readonly struct GeluTanh<T> : IRealActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private const double K = 0.7978845608028654, C = 0.044715;
        public static bool UsesZ => true;
        public static T Value(T z, T p) { double x = double.CreateTruncating(z); return RealMath.Of<T>(0.5 * x * (1 + Math.Tanh(K * (x + C * x * x * x)))); }
        public static T Derivative(T a, T z, T p)
        {
            double x = double.CreateTruncating(z), t = Math.Tanh(K * (x + C * x * x * x));
            return RealMath.Of<T>(0.5 * (1 + t) + 0.5 * x * (1 - t * t) * K * (1 + 3 * C * x * x));
        }
    }
}
