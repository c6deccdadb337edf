using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace Compiled.Samples;

/// <summary>
/// Writes a whole file or nothing: the bytes go to a temporary file in the same directory, are flushed to disk, and then
/// replace the target in one rename. A crash or a full disk leaves either the old file or the new one, never half of one.
/// </summary>
public static class AtomicFile
{
    /// <summary>Replaces (or creates) <paramref name="path"/> with exactly <paramref name="bytes"/>.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string target = Path.GetFullPath(path);
        // Same directory as the target, so the final move is a rename on one file system, not a copy.
        string temporary = target + "." + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant() + ".tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            // The original exception is the one to report; removing the temporary file is best effort.
            try
            {
                File.Delete(temporary);
            }
            catch (Exception)
            {
            }
            throw;
        }
    }

    /// <summary>Replaces (or creates) <paramref name="path"/> with <paramref name="text"/> as UTF-8 without a byte order mark.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetBytes(text));
    }
}
