using System.Globalization;
using System.Text;
using Atomic.Credentials.Internal;

namespace Atomic.Credentials.Aws;

/// <summary>
/// AWS Signature Version 4 over an <see cref="HttpRequestMessage"/> for one region and service:
/// canonical request, string to sign, signature. The canonical request is written into pooled
/// bytes and hashed in place; the signing key is derived once per day and secret. With
/// <see cref="SigV4aSigning"/>, the same canonical request signed as SigV4a.
/// </summary>
internal sealed class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string DateHeader = "X-Amz-Date";
    public const string SecurityTokenHeader = "X-Amz-Security-Token";
    public const string ContentSha256Header = "x-amz-content-sha256";
    public const string DecodedLengthHeader = "x-amz-decoded-content-length";
    public const string TrailerHeader = "x-amz-trailer";

    /// <summary>The query parameters a presigned request carries; nothing else starts with <c>X-Amz-</c> by our hand.</summary>
    public static readonly string[] QueryParameters =
    [
        "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
        "X-Amz-Security-Token", "X-Amz-Signature", SigV4aSigning.RegionSetHeader,
    ];

    private readonly byte[] region;
    private readonly byte[] service;
    private readonly byte[] scopeSuffix;
    private readonly byte[] encodedScopeSuffix;
    private readonly byte[] algorithm;
    private readonly string authorizationScheme;
    private readonly string scopeSuffixText;
    private readonly SigV4aSigning? multiRegion;

    // Each thread's buffers for the canonical request and the signed-header list of the signature it is making.
    [ThreadStatic]
    private static byte[]? canonicalScratch;

    [ThreadStatic]
    private static byte[]? signedScratch;

    private SigningKey? key;
    private Stamp? stamp;

    /// <param name="region">The signing region.</param>
    /// <param name="service">The signing service.</param>
    /// <param name="multiRegion">SigV4a's parts (the region left out of the scope), or null for SigV4.</param>
    public SigV4Signer(string region, string service, SigV4aSigning? multiRegion = null)
    {
        Region = region;
        Service = service;
        IsS3 = AwsServices.IsS3(service);
        this.region = Encoding.UTF8.GetBytes(region);
        this.service = Encoding.UTF8.GetBytes(service);
        this.multiRegion = multiRegion;
        algorithm = Encoding.UTF8.GetBytes(multiRegion is null ? Algorithm : SigV4aSigning.Algorithm);
        scopeSuffix = Encoding.UTF8.GetBytes(multiRegion is null ? $"/{region}/{service}/aws4_request" : $"/{service}/aws4_request");
        encodedScopeSuffix = Encoded(scopeSuffix);
        authorizationScheme = Encoding.UTF8.GetString(algorithm) + " Credential=";
        scopeSuffixText = Encoding.UTF8.GetString(scopeSuffix);
    }

    /// <summary>SigV4a's parts, or null when this signer signs SigV4.</summary>
    public SigV4aSigning? MultiRegion => multiRegion;

    public string Region { get; }

    public string Service { get; }

    /// <summary>S3 rules: the wire path decoded and encoded once, never normalized.</summary>
    public bool IsS3 { get; }

    /// <summary>Signs with an <c>Authorization</c> header, adding <c>X-Amz-Date</c>, the session token and, when asked, the payload hash header.</summary>
    public void SignHeaders(HttpRequestMessage request, in SigV4Request signing)
    {
        var keys = signing.Keys;
        var headers = request.Headers;
        var stamp = StampFor(signing.Now);

        // The headers this signature adds are signed from their values and put on after: reading them back
        // from the request would cost as much as the rest of the canonical request.
        var added = new AddedHeaders(
            signing.PayloadHashHeader ? signing.PayloadHash : null,
            stamp.Text,
            multiRegion?.RegionSet,
            signing.SessionTokenUnsigned ? null : keys.SessionToken);
        var canonical = PooledBytes.Take(ref canonicalScratch, 1024);
        var signed = PooledBytes.Take(ref signedScratch, 256);
        try
        {
            WriteRequestLines(request, signing, ref canonical, extraQuery: default);
            if (!SigV4Headers.TryAppend(request, added, ref canonical, ref signed))
            {
                // The caller set one of these headers itself: ours go beside it, on the line that is signed as sent.
                added.AddTo(headers);
                added = default;
                SigV4Headers.Append(request, ref canonical, ref signed);
            }

            WriteSignedHeadersAndPayload(signing, ref canonical, signed.Written);
            Span<byte> signature = stackalloc byte[SigV4aSigning.MaxSignatureLength];
            signature = signature[..Sign(ref canonical, signing, stamp, signature)];

            added.AddTo(headers);
            headers.TryAddWithoutValidation(HeaderNames.Authorization, AuthorizationValue(keys.AccessKeyId, stamp, signed.Written, signature));
        }
        finally
        {
            canonical.ReturnTo(ref canonicalScratch);
            signed.ReturnTo(ref signedScratch);
        }

        if (keys.SessionToken is not null && signing.SessionTokenUnsigned)
        {
            headers.TryAddWithoutValidation(SecurityTokenHeader, keys.SessionToken);
        }
    }

    // "<algorithm> Credential=<key id>/<date>/<scope>, SignedHeaders=<list>, Signature=<hex>", made as the one
    // string it ends as. Everything before the signature is the same for every request of one key, day and
    // signed-header list, so it is made once and kept until one of them changes; only the hex is new each time.
    private string AuthorizationValue(string accessKeyId, Stamp stamp, ReadOnlySpan<byte> signedHeaders, ReadOnlySpan<byte> signature)
    {
        var prefix = authorizationPrefix;
        if (prefix is null || prefix.Day != stamp.Day || !string.Equals(prefix.KeyId, accessKeyId, StringComparison.Ordinal)
            || !signedHeaders.SequenceEqual(prefix.SignedHeaders))
        {
            prefix = new AuthorizationPrefix(accessKeyId, stamp.Day, signedHeaders.ToArray(), PrefixText(accessKeyId, stamp, signedHeaders));
            authorizationPrefix = prefix;
        }

        return string.Create(prefix.Text.Length + (signature.Length * 2), new SignatureParts(prefix.Text, signature), static (destination, parts) =>
        {
            parts.Prefix.CopyTo(destination);
            Convert.TryToHexStringLower(parts.Signature, destination[parts.Prefix.Length..], out _);
        });
    }

    // Text is what its UTF-8 bytes (those of the canonical request and scope) read back as; header names are
    // ASCII tokens (HttpHeaders checks them).
    private string PrefixText(string accessKeyId, Stamp stamp, ReadOnlySpan<byte> signedHeaders)
    {
        var keyId = Ascii.IsValid(accessKeyId) ? accessKeyId : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(accessKeyId));
        return $"{authorizationScheme}{keyId}/{stamp.Text.AsSpan(0, 8)}{scopeSuffixText}, SignedHeaders={Encoding.ASCII.GetString(signedHeaders)}, Signature=";
    }

    private AuthorizationPrefix? authorizationPrefix;

    private sealed record AuthorizationPrefix(string KeyId, int Day, byte[] SignedHeaders, string Text);

    private readonly ref struct SignatureParts(string prefix, ReadOnlySpan<byte> signature)
    {
        public string Prefix { get; } = prefix;

        public ReadOnlySpan<byte> Signature { get; } = signature;
    }

    /// <summary>The <c>x-amz-content-sha256</c> of a body sent as signed chunks by this signer.</summary>
    public string StreamingPayload => multiRegion is null ? PayloadHash.StreamingSigned : PayloadHash.StreamingEcdsaSigned;

    /// <summary>The width of each chunk's signature field on the wire.</summary>
    public int ChunkSignatureWidth => multiRegion is null ? AwsChunkSigner.HmacWidth : AwsChunkSigner.EcdsaWidth;

    /// <summary>
    /// The signer of an aws-chunked body's chunks, chained from <paramref name="seedSignature"/> (the
    /// signature <see cref="SignHeaders"/> just made with the same keys and instant): HMAC for SigV4,
    /// ECDSA with the derived key for SigV4a.
    /// </summary>
    public AwsChunkSigner ChunkSigner(in AwsKeys keys, DateTimeOffset now, ReadOnlySpan<char> seedSignature)
    {
        var stamp = StampFor(now);
        var scope = new byte[8 + scopeSuffix.Length];
        stamp.Date8.CopyTo(scope);
        scopeSuffix.CopyTo(scope.AsSpan(8));
        return multiRegion is null
            ? new AwsChunkSigner(SigningKeyFor(keys.SecretAccessKey, stamp.Day), stamp.Full, scope, seedSignature)
            : new AwsChunkSigner(multiRegion.KeyFor(keys).Key, stamp.Full, scope, seedSignature);
    }

    /// <summary>Returns the request's URI with the presign parameters and signature added to its query.</summary>
    public Uri SignQuery(HttpRequestMessage request, in SigV4Request signing)
    {
        var keys = signing.Keys;
        var stamp = StampFor(signing.Now);
        var canonical = new PooledBytes(1024);
        var signed = new PooledBytes(256);
        var query = new PooledBytes(512);
        try
        {
            // The headers first: their list is one of the query parameters.
            SigV4Headers.Append(request, ref canonical, ref signed);
            var headerLength = canonical.Length;

            query.Append("X-Amz-Algorithm="u8);
            query.Append(algorithm);
            query.Append("&X-Amz-Credential="u8);
            SigV4Encoding.AppendEncoded(ref query, keys.AccessKeyId.AsSpan());
            query.Append("%2F"u8);
            query.Append(stamp.Date8);
            query.Append(encodedScopeSuffix);
            query.Append("&X-Amz-Date="u8);
            query.Append(stamp.Full);
            query.Append("&X-Amz-Expires="u8);
            Span<byte> digits = stackalloc byte[20];
            signing.ExpiresSeconds.TryFormat(digits, out var written, provider: CultureInfo.InvariantCulture);
            query.Append(digits[..written]);
            if (multiRegion is not null)
            {
                query.Append("&X-Amz-Region-Set="u8);
                query.Append(multiRegion.EncodedRegionSet);
            }

            if (keys.SessionToken is not null && !signing.SessionTokenUnsigned)
            {
                query.Append("&X-Amz-Security-Token="u8);
                SigV4Encoding.AppendEncoded(ref query, keys.SessionToken.AsSpan());
            }

            query.Append("&X-Amz-SignedHeaders="u8);
            SigV4Encoding.AppendEncoded(ref query, signed.Written);

            var full = new PooledBytes(canonical.Length + query.Length + 512);
            try
            {
                WriteRequestLines(request, signing, ref full, query.Written);
                full.Append(canonical.Slice(0, headerLength));
                WriteSignedHeadersAndPayload(signing, ref full, signed.Written);
                Span<byte> signature = stackalloc byte[SigV4aSigning.MaxSignatureLength];
                signature = signature[..Sign(ref full, signing, stamp, signature)];

                if (keys.SessionToken is not null && signing.SessionTokenUnsigned)
                {
                    query.Append("&X-Amz-Security-Token="u8);
                    SigV4Encoding.AppendEncoded(ref query, keys.SessionToken.AsSpan());
                }

                query.Append("&X-Amz-Signature="u8);
                query.AppendHex(signature);
            }
            finally
            {
                full.Dispose();
            }

            return WithQuery(request.RequestUri!, Encoding.UTF8.GetString(query.Written));
        }
        finally
        {
            canonical.Dispose();
            signed.Dispose();
            query.Dispose();
        }
    }

    private static Uri WithQuery(Uri uri, string parameters)
    {
        var text = uri.AbsoluteUri;
        var fragment = text.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            text = text[..fragment];
        }

        var separator = uri.Query.Length > 1 ? "&" : text.EndsWith('?') ? string.Empty : "?";
        return new Uri(text + separator + parameters);
    }

    // After the canonical headers: a blank line, the signed-header list, a line break and the payload hash.
    private static void WriteSignedHeadersAndPayload(in SigV4Request signing, ref PooledBytes canonical, ReadOnlySpan<byte> signed)
    {
        canonical.Append((byte)'\n');
        canonical.Append(signed);
        canonical.Append((byte)'\n');
        canonical.Append(signing.PayloadHash);
    }

    // Method, canonical URI and canonical query, each followed by '\n'.
    private void WriteRequestLines(HttpRequestMessage request, in SigV4Request signing, ref PooledBytes output, ReadOnlySpan<byte> extraQuery)
    {
        var uri = request.RequestUri!;
        output.Append(request.Method.Method);
        output.Append((byte)'\n');
        CanonicalPath.Append(ref output, uri.AbsolutePath, signing.S3Rules ?? IsS3);
        output.Append((byte)'\n');
        var query = uri.Query;
        CanonicalQuery.Append(ref output, query.Length > 0 ? query.AsSpan(1) : default, extraQuery);
        output.Append((byte)'\n');
    }

    // Writes the signature (HMAC for SigV4, DER ECDSA for SigV4a) and returns its length. The buffer holds the
    // canonical request: it is hashed, and the string to sign is written after it in the same buffer.
    private int Sign(ref PooledBytes buffer, in SigV4Request signing, Stamp stamp, Span<byte> signature)
    {
        var canonicalLength = buffer.Length;
        Span<byte> hash = stackalloc byte[32];
        ReusedHashes.Sha256(buffer.Written, hash);

        // Algorithm "\n" date-time "\n" date "/region/service/aws4_request\n" (the stamp's, made once a second) hex(hash).
        buffer.Append(stamp.ToSignHead);
        buffer.AppendHex(hash);
        var toSign = buffer.Slice(canonicalLength, buffer.Length - canonicalLength);

        signing.Trace?.Record(buffer.Slice(0, canonicalLength), toSign);
        if (multiRegion is not null)
        {
            return multiRegion.Sign(signing.Keys, toSign, signature);
        }

        ReusedHashes.HmacSha256(SigningKeyFor(signing.Keys.SecretAccessKey, stamp.Day), toSign, signature);
        return 32;
    }

    private byte[] SigningKeyFor(string secret, int day)
    {
        var current = key;
        if (current is not null && current.Day == day && string.Equals(current.Secret, secret, StringComparison.Ordinal))
        {
            return current.Key;
        }

        var derived = SigningKey.Derive(secret, day, region, service);
        key = derived;
        return derived.Key;
    }

    // The request's instant as SigV4 writes it, made once per second and shared by every signature in it.
    private Stamp StampFor(DateTimeOffset now)
    {
        var second = now.ToUnixTimeSeconds();
        var current = stamp;
        if (current is not null && current.Second == second)
        {
            return current;
        }

        var utc = now.UtcDateTime;
        var dateTime = new byte[16];
        utc.TryFormat(dateTime, out _, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var fresh = new Stamp(second, dateTime, (utc.Year * 10000) + (utc.Month * 100) + utc.Day, ToSignHead(dateTime));
        stamp = fresh;
        return fresh;
    }

    // Percent-encoded once for every presign: the scope as X-Amz-Credential carries it (each '/' as %2F), SigV4a's region set.
    internal static byte[] Encoded(ReadOnlySpan<byte> value)
    {
        var output = new PooledBytes(value.Length * 3);
        try
        {
            SigV4Encoding.AppendEncoded(ref output, value);
            return output.Written.ToArray();
        }
        finally
        {
            output.Dispose();
        }
    }

    // What a string to sign starts with, up to the hash: algorithm "\n" date-time "\n" scope "\n"; SigV4a's scope has no region.
    private byte[] ToSignHead(byte[] dateTime)
    {
        var head = new byte[algorithm.Length + 1 + dateTime.Length + 1 + 8 + scopeSuffix.Length + 1];
        var at = 0;
        foreach (var part in (ReadOnlySpan<byte[]>)[algorithm, "\n"u8.ToArray(), dateTime, "\n"u8.ToArray(), dateTime[..8], scopeSuffix, "\n"u8.ToArray()])
        {
            part.CopyTo(head, at);
            at += part.Length;
        }

        return head;
    }

    /// <summary>
    /// <c>20150830T123600Z</c> as bytes and as text, its first eight bytes the date, the day as a number, and the
    /// head of every string to sign in that second.
    /// </summary>
    private sealed class Stamp(long second, byte[] dateTime, int day, byte[] toSignHead)
    {
        public ReadOnlySpan<byte> ToSignHead => toSignHead;

        public long Second { get; } = second;

        public ReadOnlySpan<byte> Full => dateTime;

        public ReadOnlySpan<byte> Date8 => dateTime.AsSpan(0, 8);

        public string Text { get; } = Encoding.ASCII.GetString(dateTime);

        public int Day { get; } = day;
    }
}
