using System.Buffers;

namespace Atomic.Credentials.Aws;

/// <summary>
/// The canonical URI of a request path as it goes on the wire. S3 signs the key it decodes from
/// the wire, encoded once and never normalized (<c>a/../b</c> and <c>//</c> are distinct keys);
/// every other service signs the wire path normalized and encoded again (double encoding).
/// </summary>
internal static class CanonicalPath
{
    private const int StackSegments = 32;

    private static readonly SearchValues<char> UnreservedOrSlash = SearchValues.Create(SigV4Encoding.UnreservedAlphabet + "/");

    public static void Append(ref PooledBytes output, ReadOnlySpan<char> path, bool s3)
    {
        if (path.IsEmpty)
        {
            output.Append((byte)'/');
        }
        else if (IsCanonical(path, s3))
        {
            output.Append(path);
        }
        else if (s3)
        {
            AppendS3(ref output, path);
        }
        else
        {
            AppendNormalized(ref output, path);
        }
    }

    // The usual path is its own canonical form: nothing in it to decode or encode (unreserved characters and
    // slashes only) and, outside S3, nothing to normalize (it starts with '/', and has no empty segment and
    // no segment starting with '.', which covers "." and ".."). Such a path is copied at once, as each rule
    // would write it character by character.
    private static bool IsCanonical(ReadOnlySpan<char> path, bool s3) =>
        path.IndexOfAnyExcept(UnreservedOrSlash) < 0
            && (s3 || (path[0] == '/' && !path.Contains("//", StringComparison.Ordinal) && !path.Contains("/.", StringComparison.Ordinal)));

    private static void AppendS3(ref PooledBytes output, ReadOnlySpan<char> path)
    {
        var first = true;
        foreach (var segment in path.Split('/'))
        {
            if (!first)
            {
                output.Append((byte)'/');
            }

            first = false;
            SigV4Encoding.AppendReencoded(ref output, path[segment], plusIsSpace: false);
        }
    }

    // As AWS's own signers do: drop empty and '.' segments, let '..' remove the one before, keep a
    // trailing slash when anything is left.
    private static void AppendNormalized(ref PooledBytes output, ReadOnlySpan<char> path)
    {
        Range[]? rented = null;
        var capacity = path.Count('/') + 1;
        var kept = capacity <= StackSegments
            ? stackalloc Range[StackSegments]
            : (rented = ArrayPool<Range>.Shared.Rent(capacity));
        var count = 0;
        foreach (var segment in path.Split('/'))
        {
            var text = path[segment];
            if (text.IsEmpty || text is ".")
            {
                continue;
            }

            if (text is "..")
            {
                count = Math.Max(0, count - 1);
                continue;
            }

            kept[count++] = segment;
        }

        if (path[0] == '/' || count == 0)
        {
            output.Append((byte)'/');
        }

        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                output.Append((byte)'/');
            }

            SigV4Encoding.AppendEncoded(ref output, path[kept[i]]);
        }

        if (count > 0 && path[^1] == '/')
        {
            output.Append((byte)'/');
        }

        if (rented is not null)
        {
            ArrayPool<Range>.Shared.Return(rented);
        }
    }
}
