using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;

namespace Compiled.Tests.Data;

/// <summary>
/// Builds IDX files for the tests, written from the format description with explicit shifts (no BinaryPrimitives, no
/// code shared with the reader): magic 00 00 type ndims, big-endian int32 sizes, big-endian elements.
/// </summary>
internal static class IdxWriter
{
    public const byte UByte = 0x08, SByte = 0x09, Int16 = 0x0B, Int32 = 0x0C, Float32 = 0x0D, Float64 = 0x0E;

    /// <summary>An IDX file of <paramref name="type"/> with <paramref name="dimensions"/>; values are cast to the type.</summary>
    public static byte[] Build(byte type, int[] dimensions, IReadOnlyList<double> values)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dimensions.Length };
        foreach (int d in dimensions) AddBigEndian(bytes, (uint)d, 4);
        foreach (double v in values)
        {
            switch (type)
            {
                case UByte: bytes.Add((byte)v); break;
                case SByte: bytes.Add(unchecked((byte)(sbyte)v)); break;
                case Int16: AddBigEndian(bytes, unchecked((ushort)(short)v), 2); break;
                case Int32: AddBigEndian(bytes, unchecked((uint)(int)v), 4); break;
                case Float32: AddBigEndian(bytes, BitConverter.SingleToUInt32Bits((float)v), 4); break;
                case Float64: AddBigEndian(bytes, BitConverter.DoubleToUInt64Bits(v), 8); break;
                default: throw new ArgumentOutOfRangeException(nameof(type));
            }
        }

        return bytes.ToArray();
    }

    /// <summary>A 3-D unsigned-byte image file: count × rows × columns.</summary>
    public static byte[] Images(int count, int rows, int columns, Func<int, byte> pixel)
    {
        var values = new double[count * rows * columns];
        for (int i = 0; i < values.Length; i++) values[i] = pixel(i);
        return Build(UByte, [count, rows, columns], values);
    }

    /// <summary>A 1-D unsigned-byte label file.</summary>
    public static byte[] Labels(params int[] labels) => Build(UByte, [labels.Length], Array.ConvertAll(labels, l => (double)l));

    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(data);
        return output.ToArray();
    }

    private static void AddBigEndian(List<byte> bytes, ulong value, int width)
    {
        for (int shift = 8 * (width - 1); shift >= 0; shift -= 8) bytes.Add((byte)(value >> shift));
    }
}

/// <summary>A read-only stream that cannot seek and returns at most a few bytes per read, like a network stream.</summary>
internal sealed class TrickleStream(byte[] data, int maxRead = 3) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = Math.Min(Math.Min(buffer.Length, maxRead), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
