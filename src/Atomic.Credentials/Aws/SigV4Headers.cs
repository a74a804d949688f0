using System.Buffers;
using System.Collections.Frozen;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;

namespace Atomic.Credentials.Aws;

/// <summary>
/// Canonical headers and the signed-header list, read from the request as HttpClient will put it
/// on the wire, since a verifier canonicalizes what it receives: the values of one header make one
/// line, joined as HttpClient joins them, and that whole line is trimmed and its runs of spaces
/// collapsed; Host, Content-Length and Content-Type are signed as HttpClient writes them. Headers
/// that hops or HttpClient's own handlers change are never signed.
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
    public static void Append(HttpRequestMessage request, ref PooledBytes canonical, ref PooledBytes signed) =>
        TryAppend(request, default, ref canonical, ref signed);

    /// <summary>
    /// Writes the canonical header block and the signed-header list of <paramref name="request"/> as it will be
    /// once <paramref name="added"/> are put on it (the signature's own headers, put on after it is made, so it
    /// never reads back what it just wrote). Returns false, writing nothing, when the request already carries a
    /// header of one of those names: the two would go as one line, so the caller adds its headers and calls
    /// <see cref="Append"/>.
    /// </summary>
    public static bool TryAppend(HttpRequestMessage request, in AddedHeaders added, ref PooledBytes canonical, ref PooledBytes signed)
    {
        if (request.Content is null && request.Headers.NonValidated.Count == 0)
        {
            // Nothing of the caller's to read, sort or merge (an S3 GET, HEAD or DELETE): the host comes first,
            // since every name the signature adds starts with "x-amz-", and they come sorted.
            AppendBare(request.RequestUri!, added, ref canonical, ref signed);
            return true;
        }

        return TryAppendAll(request, added, ref canonical, ref signed);
    }

    // Every header of the request and its content, and the added ones, sorted by name. Its own method: the
    // stack room for the headers (cleared on every call) is not paid by a request without any.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryAppendAll(HttpRequestMessage request, in AddedHeaders added, ref PooledBytes canonical, ref PooledBytes signed)
    {
        // A Content-Type added as text is sent as given until something reads it as a typed value, and from
        // then on in HttpClient's own format ("text/plain;charset=UTF-8" becomes "text/plain; charset=UTF-8").
        // Read here, the header has that format before it is signed, whatever a later handler reads. A typed
        // or absent value is only looked up.
        _ = request.Content?.Headers.ContentType;
        var content = request.Content?.Headers.NonValidated ?? default;
        var headers = request.Headers.NonValidated;
        var needed = headers.Count + content.Count + 1 + AddedHeaders.Slots;
        var inline = default(InlineItems);
        var rented = needed > InlineItems.Length ? ArrayPool<Item>.Shared.Rent(needed) : null;
        var items = rented ?? (Span<Item>)inline;
        try
        {
            var count = 0;
            var hasHost = false;
            foreach (var header in headers)
            {
                if (!added.IsEmpty && added.Adds(header.Key))
                {
                    return false;
                }

                if (IsSignable(header.Key))
                {
                    hasHost |= header.Key.Length == 4 && header.Key.Equals("host", StringComparison.OrdinalIgnoreCase);
                    items[count++] = new Item(header.Key, header.Value, Source.Values);
                }
            }

            var hasLength = false;
            foreach (var header in content)
            {
                if (!added.IsEmpty && added.Adds(header.Key))
                {
                    return false;
                }

                if (header.Key.Equals("content-length", StringComparison.OrdinalIgnoreCase))
                {
                    hasLength = true;
                }
                else if (IsSignable(header.Key))
                {
                    items[count++] = new Item(header.Key, header.Value, Source.Values);
                }
            }

            // A Content-Length already on the request is sent as HttpClient parses it (" 02" goes as "2"), and not
            // at all on a chunked request. One not there yet is added by HttpClient after signing, unsigned.
            if (hasLength && request.Headers.TransferEncodingChunked != true && request.Content!.Headers.ContentLength is not null)
            {
                items[count++] = new Item("content-length", default, Source.ContentLength);
            }

            if (!hasHost)
            {
                items[count++] = new Item("host", default, Source.Host);
            }

            for (var slot = 0; slot < AddedHeaders.Slots; slot++)
            {
                if (added.Value(slot) is { } value)
                {
                    items[count++] = new Item(AddedHeaders.Name(slot), default, Source.Added, value);
                }
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
                switch (item.Source)
                {
                    case Source.Host:
                        AppendHost(ref canonical, request.RequestUri!);
                        break;
                    case Source.ContentLength:
                        AppendNumber(ref canonical, request.Content!.Headers.ContentLength!.Value);
                        break;
                    case Source.Added:
                        // Alone on its line (no header of its name is on the request): the one value as it will be read.
                        AppendTrimmed(ref canonical, item.Text!);
                        break;
                    default:
                        AppendValues(ref canonical, item.Name, item.Values);
                        break;
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

        return true;
    }

    // Every name a signature adds starts with "x-amz-": they all sort after the host, in their slots' order.
    private static void AppendBare(Uri uri, in AddedHeaders added, ref PooledBytes canonical, ref PooledBytes signed)
    {
        canonical.Append("host:"u8);
        AppendHost(ref canonical, uri);
        AppendAdded(ref canonical, AddedHeaders.ContentSha256Line, added.ContentSha256);
        AppendAdded(ref canonical, AddedHeaders.DateLine, added.Date);
        AppendAdded(ref canonical, AddedHeaders.RegionSetLine, added.RegionSet);
        AppendAdded(ref canonical, AddedHeaders.SecurityTokenLine, added.SecurityToken);
        canonical.Append((byte)'\n');
        signed.Append(added.BareSignedList);
    }

    private static void AppendAdded(ref PooledBytes canonical, ReadOnlySpan<byte> line, string? value)
    {
        if (value is not null)
        {
            canonical.Append(line);
            AppendTrimmed(ref canonical, value);
        }
    }

    // What HttpClient sends when no Host header was set: the IDN host in its ASCII form, an IPv6 literal
    // in brackets and without its zone ("[fe80::1]" for fe80::1%eth0), the port unless the scheme's own.
    private static void AppendHost(ref PooledBytes output, Uri uri)
    {
        output.Append(uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost);
        if (!uri.IsDefaultPort)
        {
            output.Append((byte)':');
            AppendNumber(ref output, uri.Port);
        }
    }

    private static void AppendNumber(ref PooledBytes output, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        output.Append(digits[..written]);
    }

    private static void AppendValues(ref PooledBytes output, string name, HeaderStringValues values)
    {
        if (values.Count == 1)
        {
            // One value: its text as it is, without an enumerator.
            AppendTrimmed(ref output, values.ToString());
            return;
        }

        // HttpClient writes the values of one header on one line, joined by ", " (Cookie's by "; "; User-Agent's,
        // never signed, by " "). A verifier trims and collapses that line as a whole: "a " and " b" are "a ,  b"
        // on the wire and "a , b" signed, never "a, b".
        var separator = name.Equals("cookie", StringComparison.OrdinalIgnoreCase) ? "; " : ", ";
        var line = default(LineState);
        var first = true;
        foreach (var value in values)
        {
            if (!first)
            {
                AppendCollapsed(ref output, separator, ref line);
            }

            first = false;
            AppendCollapsed(ref output, value, ref line);
        }
    }

    // SigV4: trim, and turn each run of spaces into one (obs-fold line breaks and tabs count as spaces).
    public static void AppendTrimmed(ref PooledBytes output, ReadOnlySpan<char> value)
    {
        // Most values (a date, a hash, a host) have no space at all: nothing to trim or collapse, found in one scan.
        if (value.IndexOfAny(Spaces) < 0)
        {
            output.Append(value);
            return;
        }

        value = value.Trim(" \t\r\n");

        // Most others have no run of spaces and no line break: copied at once too.
        if (value.IndexOfAny('\t', '\r', '\n') < 0 && !value.Contains("  ", StringComparison.Ordinal))
        {
            output.Append(value);
            return;
        }

        var line = default(LineState);
        AppendCollapsed(ref output, value, ref line);
    }

    private static readonly SearchValues<char> Spaces = SearchValues.Create(" \t\r\n");

    // One piece of a line that is trimmed and collapsed as a whole: a run of spaces is written as one space
    // only once text follows it, so the line's leading and trailing runs are never written.
    private static void AppendCollapsed(ref PooledBytes output, ReadOnlySpan<char> piece, ref LineState line)
    {
        while (!piece.IsEmpty)
        {
            var space = piece.IndexOfAny(Spaces);
            var text = space < 0 ? piece : piece[..space];
            if (!text.IsEmpty)
            {
                if (line.SpacePending)
                {
                    output.Append((byte)' ');
                }

                // A run of text never splits a surrogate pair: only spaces end it.
                output.Append(text);
                line = new LineState(Started: true, SpacePending: false);
            }

            if (space < 0)
            {
                return;
            }

            line = line with { SpacePending = line.Started };
            piece = piece[(space + 1)..];
        }
    }

    private readonly record struct LineState(bool Started, bool SpacePending);

    private enum Source
    {
        Values,
        Host,
        ContentLength,
        Added,
    }

    private readonly record struct Item(string Name, HeaderStringValues Values, Source Source, string? Text = null);

    // Room for a usual request's headers on the stack; more than that are rented.
    [System.Runtime.CompilerServices.InlineArray(Length)]
    private struct InlineItems
    {
        public const int Length = 8;
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

    // Canonical names are lower case and sorted by code point: compare as if lower-cased. Names are ASCII
    // tokens, lower-cased as AppendLower writes them (A-Z only).
    private static int CompareLowerCase(string x, string y)
    {
        var length = Math.Min(x.Length, y.Length);
        for (var i = 0; i < length; i++)
        {
            var difference = LowerAscii(x[i]) - LowerAscii(y[i]);
            if (difference != 0)
            {
                return difference;
            }
        }

        return x.Length - y.Length;
    }

    private static int LowerAscii(char c) => char.IsAsciiLetterUpper(c) ? c | 0x20 : c;
}
