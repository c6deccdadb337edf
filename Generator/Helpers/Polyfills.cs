// Language features the compiler needs types for, absent from netstandard2.0.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}

namespace System.Runtime.CompilerServices
{
    /// <summary>Marks a type the compiler may build from an interpolated string (C# 10; absent from netstandard2.0).</summary>
    [AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
    internal sealed class InterpolatedStringHandlerAttribute : Attribute { }
}
