using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Compiled.Generator.Emit;

/// <summary>
/// Writes indented source with LF line endings; <see cref="Block"/> opens a brace scope. Lines are written as
/// interpolated strings that read like the code they produce (<c>w.Line($"Gemm.XWt(batch, {l.Units}, …);")</c>): the
/// <see cref="Code"/> handler prints numbers culture-invariantly and accepts no floating-point value, so every float
/// in generated code goes through <see cref="Literal"/>.
/// </summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public IndentedWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', 4 * _depth).Append(line);
        _text.Append('\n');
        return this;
    }

    public IndentedWriter Line(Code line) => Line(line.ToString());

    /// <summary>A block of lines (a raw string literal), each indented at the current depth; empty lines stay empty.</summary>
    public IndentedWriter Text(string text)
    {
        foreach (string line in text.Replace("\r\n", "\n").Split('\n')) Line(line);
        return this;
    }

    public IndentedWriter Text(Code text) => Text(text.ToString());

    public IndentedWriter Lines(params string[] lines)
    {
        foreach (string l in lines) Line(l);
        return this;
    }

    public Scope Block(Code header) => Block(header.ToString());

    public Scope Block(string header)
    {
        Line(header);
        Line("{");
        _depth++;
        return new Scope(this);
    }

    public readonly struct Scope(IndentedWriter writer) : IDisposable
    {
        public void Dispose()
        {
            writer._depth--;
            writer.Line("}");
        }
    }

    public override string ToString() => _text.ToString();
}

/// <summary>An interpolated line of code: literal text, strings, and integers printed with the invariant culture.</summary>
[InterpolatedStringHandler]
internal readonly struct Code
{
    private readonly StringBuilder _text;

    public Code(int literalLength, int formattedCount) => _text = new StringBuilder(literalLength + 16 * formattedCount);

    public void AppendLiteral(string text) => _text.Append(text);

    public void AppendFormatted(string? text) => _text.Append(text);

    public void AppendFormatted(int value) => _text.Append(value.ToString(CultureInfo.InvariantCulture));

    public void AppendFormatted(long value) => _text.Append(value.ToString(CultureInfo.InvariantCulture));

    public override string ToString() => _text.ToString();
}

/// <summary>C# literals, always culture-invariant.</summary>
internal static class Literal
{
    /// <summary>A float literal that round-trips: 0.1 → <c>0.1f</c>.</summary>
    public static string Float(double value)
    {
        string s = ((float)value).ToString("R", CultureInfo.InvariantCulture);
        return s + "f";
    }

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A double literal that round-trips: <c>0.1d</c>.</summary>
    public static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture) + "d";

    /// <summary>A number for comments and docs.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string String(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
