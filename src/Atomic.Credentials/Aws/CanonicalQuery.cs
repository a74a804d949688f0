using System.Buffers;

namespace Atomic.Credentials.Aws;

/// <summary>
/// The canonical query: each parameter decoded as the server decodes it ('+' is a space), encoded
/// the SigV4 way, sorted by encoded name then encoded value, joined with '&amp;'. A valueless
/// parameter signs as <c>name=</c>. Presign parameters join the sort.
/// </summary>
internal static class CanonicalQuery
{
    private const int StackParameters = 16;

    /// <param name="output">Where the canonical query goes.</param>
    /// <param name="query">The wire query, without '?'.</param>
    /// <param name="extra">Parameters already in canonical form (<c>a=b&amp;c=d</c>), or empty.</param>
    public static void Append(ref PooledBytes output, ReadOnlySpan<char> query, ReadOnlySpan<byte> extra)
    {
        if (extra.IsEmpty && !query.Contains('&'))
        {
            // One parameter (or none): nothing to sort, written as it is canonicalized.
            if (!query.IsEmpty)
            {
                AppendParameter(ref output, query);
            }

            return;
        }

        var capacity = query.Count('&') + extra.Count((byte)'&') + 2;
        Parameter[]? rented = null;
        var parameters = capacity <= StackParameters
            ? stackalloc Parameter[StackParameters]
            : (rented = ArrayPool<Parameter>.Shared.Rent(capacity));
        var scratch = new PooledBytes(query.Length * 2 + extra.Length + 16);
        try
        {
            var count = 0;
            foreach (var range in query.Split('&'))
            {
                var pair = query[range];
                if (pair.IsEmpty)
                {
                    continue;
                }

                var nameStart = scratch.Length;
                var valueStart = AppendParameter(ref scratch, pair) + 1;
                parameters[count++] = new Parameter(nameStart, valueStart - 1 - nameStart, valueStart, scratch.Length - valueStart);
            }

            foreach (var range in extra.Split((byte)'&'))
            {
                var pair = extra[range];
                if (pair.IsEmpty)
                {
                    continue;
                }

                var equals = pair.IndexOf((byte)'=');
                var nameStart = scratch.Length;
                scratch.Append(pair[..equals]);
                var valueStart = scratch.Length;
                scratch.Append(pair[(equals + 1)..]);
                parameters[count++] = new Parameter(nameStart, valueStart - nameStart, valueStart, scratch.Length - valueStart);
            }

            var sorted = parameters[..count];
            sorted.Sort(new ByEncodedText(scratch.Buffer));
            for (var i = 0; i < sorted.Length; i++)
            {
                if (i > 0)
                {
                    output.Append((byte)'&');
                }

                output.Append(scratch.Slice(sorted[i].NameStart, sorted[i].NameLength));
                output.Append((byte)'=');
                output.Append(scratch.Slice(sorted[i].ValueStart, sorted[i].ValueLength));
            }
        }
        finally
        {
            scratch.Dispose();
            if (rented is not null)
            {
                ArrayPool<Parameter>.Shared.Return(rented);
            }
        }
    }

    // "name=value" from a wire parameter, each side decoded and encoded again; returns where the '=' went.
    private static int AppendParameter(ref PooledBytes output, ReadOnlySpan<char> pair)
    {
        var equals = pair.IndexOf('=');
        SigV4Encoding.AppendReencoded(ref output, equals < 0 ? pair : pair[..equals], plusIsSpace: true);
        var at = output.Length;
        output.Append((byte)'=');
        SigV4Encoding.AppendReencoded(ref output, equals < 0 ? default : pair[(equals + 1)..], plusIsSpace: true);
        return at;
    }

    private readonly record struct Parameter(int NameStart, int NameLength, int ValueStart, int ValueLength);

    private readonly struct ByEncodedText(byte[] text) : IComparer<Parameter>
    {
        public int Compare(Parameter x, Parameter y)
        {
            var byName = text.AsSpan(x.NameStart, x.NameLength).SequenceCompareTo(text.AsSpan(y.NameStart, y.NameLength));
            return byName != 0 ? byName : text.AsSpan(x.ValueStart, x.ValueLength).SequenceCompareTo(text.AsSpan(y.ValueStart, y.ValueLength));
        }
    }
}
