using System.Buffers;
using System.Collections.Frozen;
using System.Net.Http.Headers;

namespace Atomic.Credentials.Aws;

/// <summary>
/// Canonical headers and the signed-header list, read from the request as HttpClient will put it
/// on the wire: values of one header joined as HttpClient joins them (<c>", "</c>), trimmed, runs
/// of spaces collapsed. Headers that hops or HttpClient's own handlers change are never signed.
/// </summary>
internal static class SigV4Headers
{
    /// <summary>
    /// Changed by proxies, load balancers and tracing on the way, or owned by the connection: a
    /// signature over them breaks for reasons the caller cannot see.
    /// </summary>
    public static readonly FrozenSet<string> NeverSigned = new[]
    {
        "authorization", "user-agent", "connection", "expect", "keep-alive", "te", "trailer",
        "transfer-encoding", "upgrade", "via", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
        "x-amzn-trace-id", "traceparent", "tracestate", "baggage", "request-id", "correlation-context",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static bool IsSignable(string name) =>
        name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)
            // SigV4's own headers, the usual case, judged without a set lookup. An X-Amz-Signature header
            // (the signature itself; a presigned URL carries it as a query parameter) is kept out here, not in NeverSigned.
            ? !name.Equals("x-amz-signature", StringComparison.OrdinalIgnoreCase)
            : !NeverSigned.Contains(name) && !name.StartsWith("proxy-", StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes the canonical header block (each line ending in '\n') and the signed-header list.</summary>
    public static void Append(HttpRequestMessage request, ref PooledBytes canonical, ref PooledBytes signed)
    {
        var content = request.Content?.Headers.NonValidated ?? default;
        var headers = request.Headers.NonValidated;
        var needed = headers.Count + content.Count + 1;
        var inline = default(InlineItems);
        var rented = needed > InlineItems.Length ? ArrayPool<Item>.Shared.Rent(needed) : null;
        var items = rented ?? (Span<Item>)inline;
        try
        {
            var count = 0;
            var hasHost = false;
            foreach (var header in headers)
            {
                if (IsSignable(header.Key))
                {
                    hasHost |= header.Key.Length == 4 && header.Key.Equals("host", StringComparison.OrdinalIgnoreCase);
                    items[count++] = new Item(header.Key, header.Value, Synthetic: false);
                }
            }

            foreach (var header in content)
            {
                if (IsSignable(header.Key))
                {
                    items[count++] = new Item(header.Key, header.Value, Synthetic: false);
                }
            }

            if (!hasHost)
            {
                items[count++] = new Item("host", default, Synthetic: true);
            }

            var sorted = items[..count];
            SortByLowerCaseName(sorted);
            foreach (ref readonly var item in sorted)
            {
                if (signed.Length > 0)
                {
                    signed.Append((byte)';');
                }

                // Header names are ASCII tokens (HttpHeaders checks them): lower-cased once, written twice.
                var start = canonical.Length;
                canonical.AppendLower(item.Name);
                signed.Append(canonical.Slice(start, canonical.Length - start));
                canonical.Append((byte)':');
                if (item.Synthetic)
                {
                    AppendHost(ref canonical, request.RequestUri!);
                }
                else
                {
                    AppendValues(ref canonical, item.Name, item.Values);
                }

                canonical.Append((byte)'\n');
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<Item>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    // What HttpClient sends when no Host header was set (an IPv6 literal keeps its brackets).
    private static void AppendHost(ref PooledBytes output, Uri uri)
    {
        var host = uri.IdnHost;
        var bracket = uri.HostNameType == UriHostNameType.IPv6 && !host.StartsWith('[');
        if (bracket)
        {
            output.Append((byte)'[');
        }

        output.Append(host);
        if (bracket)
        {
            output.Append((byte)']');
        }

        if (!uri.IsDefaultPort)
        {
            Span<byte> digits = stackalloc byte[11];
            uri.Port.TryFormat(digits, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
            output.Append((byte)':');
            output.Append(digits[..written]);
        }
    }

    private static void AppendValues(ref PooledBytes output, string name, HeaderStringValues values)
    {
        // HttpClient writes the values of one header on one line; Cookie is the one joined by "; ".
        var separator = name.Equals("cookie", StringComparison.OrdinalIgnoreCase) ? "; "u8 : ", "u8;
        var first = true;
        foreach (var value in values)
        {
            if (!first)
            {
                output.Append(separator);
            }

            first = false;
            AppendTrimmed(ref output, value);
        }
    }

    // SigV4: trim, and turn each run of spaces into one (obs-fold line breaks count as spaces).
    public static void AppendTrimmed(ref PooledBytes output, ReadOnlySpan<char> value)
    {
        value = value.Trim(" \t\r\n");

        // Most values have no run of spaces and no line break: nothing to collapse, copied at once.
        if (value.IndexOfAny('\t', '\r', '\n') < 0 && !value.Contains("  ", StringComparison.Ordinal))
        {
            output.Append(value);
            return;
        }

        var space = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                space = true;
                continue;
            }

            if (space)
            {
                output.Append((byte)' ');
                space = false;
            }

            if (c < 0x80)
            {
                output.Append((byte)c);
            }
            else
            {
                var width = char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1;
                output.Append(value.Slice(i, width));
                i += width - 1;
            }
        }
    }

    private readonly record struct Item(string Name, HeaderStringValues Values, bool Synthetic);

    // Room for a usual request's headers on the stack; more than that are rented.
    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct InlineItems
    {
        public const int Length = 12;
        private Item first;
    }

    // A request has a handful of headers: an insertion sort, with no comparer to box or delegate to allocate.
    private static void SortByLowerCaseName(Span<Item> items)
    {
        for (var i = 1; i < items.Length; i++)
        {
            var item = items[i];
            var j = i - 1;
            while (j >= 0 && CompareLowerCase(items[j].Name, item.Name) > 0)
            {
                items[j + 1] = items[j];
                j--;
            }

            items[j + 1] = item;
        }
    }

    // Canonical names are lower case and sorted by code point: compare as if lower-cased.
    private static int CompareLowerCase(string x, string y)
    {
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            var difference = char.ToLowerInvariant(x[i]) - char.ToLowerInvariant(y[i]);
            if (difference != 0)
            {
                return difference;
            }
        }

        return x.Length - y.Length;
    }
}
