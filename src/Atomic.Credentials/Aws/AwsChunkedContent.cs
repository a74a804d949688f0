using System.Buffers;
using System.Globalization;
using System.Net;

namespace Atomic.Credentials.Aws;

/// <summary>
/// A body that cannot be rewound, sent once as aws-chunked chunks: each chunk is read from the
/// original stream into one pooled buffer, signed, framed
/// (<c>hex(size);chunk-signature=sig\r\n data \r\n</c>, the signature field of a fixed width:
/// 64 for SigV4, 144 for SigV4a) and written, then the final empty chunk;
/// or, with a checksum trailer, framed unsigned (<c>hex(size)\r\n data \r\n</c>) and ended by
/// <c>0\r\n x-amz-checksum-…:base64\r\n \r\n</c>.
/// Memory stays at one chunk whatever the body's size. Carries the original content's headers,
/// with <c>aws-chunked</c> appended to its <c>Content-Encoding</c> and the encoded length as <c>Content-Length</c>.
/// </summary>
internal sealed class AwsChunkedContent : HttpContent
{
    public const string Encoding = "aws-chunked";

    // "ffffffff;chunk-signature=" + the widest signature field + "\r\n": the most a chunk's header line takes.
    private const int HeaderRoom = 8 + 17 + AwsChunkSigner.EcdsaWidth + 2;

    private readonly Stream source;
    private readonly int chunkSize;
    private readonly ChecksumTrailer? trailer;
    private readonly int signatureWidth;
    private int started;

    // signatureWidth: each chunk's signature field, AwsChunkSigner.HmacWidth or EcdsaWidth; unused with a trailer
    // (the chunks are then unsigned).
    public AwsChunkedContent(HttpContent original, Stream source, long decodedLength, int chunkSize, ChecksumTrailer? trailer, int signatureWidth)
    {
        this.trailer = trailer;
        this.signatureWidth = signatureWidth;
        Original = original;
        this.source = source;
        DecodedLength = decodedLength;
        this.chunkSize = chunkSize;
        foreach (var header in original.Headers.NonValidated)
        {
            if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        Headers.ContentEncoding.Add(Encoding);
        Headers.ContentLength = EncodedLength(decodedLength, chunkSize, trailer, signatureWidth);
    }

    /// <summary>The content this one wraps (disposed with it).</summary>
    public HttpContent Original { get; }

    public long DecodedLength { get; }

    /// <summary>Set once the headers are signed: the seed of the chunk signatures.</summary>
    public AwsChunkSigner? Signer { get; set; }

    /// <summary>Whether sending began: the original stream is then partly read and cannot be sent again.</summary>
    public bool Started => Volatile.Read(ref started) != 0;

    /// <summary>The length on the wire of <paramref name="decodedLength"/> bytes sent in chunks of <paramref name="chunkSize"/>.</summary>
    public static long EncodedLength(long decodedLength, int chunkSize, ChecksumTrailer? trailer, int signatureWidth)
    {
        var signed = trailer is null ? signatureWidth : 0;
        var full = decodedLength / chunkSize;
        var rest = (int)(decodedLength % chunkSize);

        // The final chunk: signed, an empty chunk; unsigned, "0\r\n", the trailer line and "\r\n".
        var length = (full * FramedLength(chunkSize, signed)) + (trailer is null ? FramedLength(0, signed) : 3 + trailer.LineLength + 2);
        return rest > 0 ? length + FramedLength(rest, signed) : length;
    }

    // hex(size) [";chunk-signature=" sig] "\r\n" data "\r\n"; an unsigned chunk's signature width is 0.
    private static long FramedLength(int size, int signatureWidth) => HexDigits(size) + (signatureWidth > 0 ? 17 + signatureWidth : 0) + 2 + size + 2;

    private static int HexDigits(int size) => size == 0 ? 1 : (32 - int.LeadingZeroCount(size) + 3) / 4;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var signer = Signer;
        if (signer is null && trailer is null)
        {
            throw new InvalidOperationException("The aws-chunked body is sent before its headers were signed.");
        }

        if (Interlocked.Exchange(ref started, 1) != 0)
        {
            throw new InvalidOperationException("A body that cannot be rewound was already sent once as aws-chunked; it cannot be sent again.");
        }

        // One buffer: room for the header line, the chunk's data right after it, then "\r\n". One write a chunk.
        var buffer = ArrayPool<byte>.Shared.Rent(HeaderRoom + Math.Max(chunkSize, 256) + 2);
        try
        {
            var remaining = DecodedLength;
            while (remaining > 0)
            {
                var size = (int)Math.Min(chunkSize, remaining);
                await FillAsync(buffer.AsMemory(HeaderRoom, size), cancellationToken).ConfigureAwait(false);
                var start = Frame(signer, trailer, buffer, size, signatureWidth);
                await stream.WriteAsync(buffer.AsMemory(start, HeaderRoom - start + size + 2), cancellationToken).ConfigureAwait(false);
                remaining -= size;
            }

            if (await source.ReadAsync(buffer.AsMemory(HeaderRoom, 1), cancellationToken).ConfigureAwait(false) > 0)
            {
                throw new IOException($"The request body is longer than its Content-Length ({DecodedLength} bytes) said; the aws-chunked upload was cut short.");
            }

            if (trailer is null)
            {
                var final = Frame(signer, null, buffer, 0, signatureWidth);
                await stream.WriteAsync(buffer.AsMemory(final, HeaderRoom - final + 2), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                "0\r\n"u8.CopyTo(buffer);
                var end = 3 + trailer.WriteLine(buffer.AsSpan(3));
                "\r\n"u8.CopyTo(buffer.AsSpan(end));
                await stream.WriteAsync(buffer.AsMemory(0, end + 2), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Signs (or adds to the checksum) the chunk at buffer[HeaderRoom..+size], writes its header line just
    // before it and "\r\n" after; returns where the frame starts.
    private static int Frame(AwsChunkSigner? signer, ChecksumTrailer? trailer, byte[] buffer, int size, int signatureWidth)
    {
        var data = buffer.AsSpan(HeaderRoom, size);
        var digits = HexDigits(size);
        if (trailer is not null)
        {
            trailer.Append(data);
            var plain = HeaderRoom - (digits + 2);
            size.TryFormat(buffer.AsSpan(plain), out _, "x", CultureInfo.InvariantCulture);
            "\r\n"u8.CopyTo(buffer.AsSpan(plain + digits));
            "\r\n"u8.CopyTo(buffer.AsSpan(HeaderRoom + size));
            return plain;
        }

        var start = HeaderRoom - (digits + 17 + signatureWidth + 2);
        var line = buffer.AsSpan(start, HeaderRoom - start);
        size.TryFormat(line, out _, "x", CultureInfo.InvariantCulture);
        ";chunk-signature="u8.CopyTo(line[digits..]);
        signer!.Sign(data, line.Slice(digits + 17, signatureWidth));
        "\r\n"u8.CopyTo(line[(digits + 17 + signatureWidth)..]);
        "\r\n"u8.CopyTo(buffer.AsSpan(HeaderRoom + size));
        return start;
    }

    private async ValueTask FillAsync(Memory<byte> chunk, CancellationToken cancellationToken)
    {
        while (!chunk.IsEmpty)
        {
            var read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException($"The request body ended before its Content-Length ({DecodedLength} bytes); the aws-chunked upload was cut short.");
            }

            chunk = chunk[read..];
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = EncodedLength(DecodedLength, chunkSize, trailer, signatureWidth);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Original.Dispose();
            trailer?.Dispose();
        }

        base.Dispose(disposing);
    }
}
