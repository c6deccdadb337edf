namespace Compiled.Data;

/// <summary>
/// The element type of an IDX file: the third byte of its magic number (<c>00 00 type ndims</c>). Multi-byte types are
/// stored big-endian.
/// </summary>
public enum IdxDataType : byte
{
    /// <summary>Unsigned byte, 0..255 (code 0x08): MNIST and Fashion-MNIST images and labels.</summary>
    UnsignedByte = 0x08,

    /// <summary>Signed byte, −128..127 (code 0x09).</summary>
    SignedByte = 0x09,

    /// <summary>Big-endian 16-bit signed integer (code 0x0B).</summary>
    Int16 = 0x0B,

    /// <summary>Big-endian 32-bit signed integer (code 0x0C); values beyond ±2²⁴ are rounded when read as float.</summary>
    Int32 = 0x0C,

    /// <summary>Big-endian IEEE 754 single (code 0x0D).</summary>
    Float32 = 0x0D,

    /// <summary>Big-endian IEEE 754 double (code 0x0E); rounded to the nearest float when read (beyond float range: ±∞).</summary>
    Float64 = 0x0E,
}
