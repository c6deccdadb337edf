using System.Collections.Generic;

namespace Compiled.Generator.Helpers;

/// <summary>
/// Python's <c>fnmatch.fnmatchcase</c>, as theanets uses it for layer patterns: <c>*</c>, <c>?</c>, <c>[seq]</c>,
/// <c>[!seq]</c> (ranges a-z), case-sensitive, no brace expansion. A <c>[</c> without its <c>]</c> is a literal.
/// </summary>
internal static class Glob
{
    /// <summary>Splits "a,b;c" into patterns at commas and semicolons outside brackets, trimming blanks.</summary>
    public static List<string> Split(string patterns)
    {
        var result = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i <= patterns.Length; i++)
        {
            char c = i < patterns.Length ? patterns[i] : ',';
            if (c == '[' && depth == 0) depth = 1;
            else if (c == ']' && depth == 1) depth = 0;
            else if ((c == ',' || c == ';') && depth == 0)
            {
                string p = patterns.Substring(start, i - start).Trim();
                if (p.Length > 0) result.Add(p);
                start = i + 1;
            }
        }
        return result;
    }

    public static bool IsMatch(string name, string pattern) => Match(name, 0, pattern, 0);

    private static bool Match(string s, int si, string p, int pi)
    {
        while (pi < p.Length)
        {
            char c = p[pi];
            if (c == '*')
            {
                while (pi < p.Length && p[pi] == '*') pi++;
                if (pi == p.Length) return true;
                for (int k = si; k <= s.Length; k++)
                    if (Match(s, k, p, pi)) return true;
                return false;
            }
            if (si == s.Length) return false;
            if (c == '?') { si++; pi++; continue; }
            if (c == '[')
            {
                int end = ClassEnd(p, pi);
                if (end < 0)
                {
                    // fnmatch treats an unclosed '[' as the literal character.
                    if (s[si] != '[') return false;
                    si++; pi++; continue;
                }
                if (!InClass(s[si], p, pi + 1, end)) return false;
                si++; pi = end + 1; continue;
            }
            if (s[si] != c) return false;
            si++; pi++;
        }
        return si == s.Length;
    }

    /// <summary>Index of the ']' closing the class that opens at <paramref name="open"/>, or −1.</summary>
    private static int ClassEnd(string p, int open)
    {
        int j = open + 1;
        if (j < p.Length && p[j] == '!') j++;
        if (j < p.Length && p[j] == ']') j++;
        while (j < p.Length && p[j] != ']') j++;
        return j < p.Length ? j : -1;
    }

    private static bool InClass(char c, string p, int from, int end)
    {
        bool negate = from < end && p[from] == '!';
        if (negate) from++;
        bool found = false;
        for (int j = from; j < end; j++)
        {
            if (j + 2 < end && p[j + 1] == '-')
            {
                if (c >= p[j] && c <= p[j + 2]) found = true;
                j += 2;
            }
            else if (p[j] == c) found = true;
        }
        return found != negate;
    }
}
