using System.Buffers;

namespace Atomic.Credentials.Integrations;

/// <summary>
/// The parts of a stream that cannot seek and has no known length, read one part at a time into
/// one pooled buffer of the part size (the memory an upload holds), plus one byte read ahead to
/// learn whether a full part was the last. Each part is sent before the buffer is filled again.
/// The buffer starts at 1 MiB and takes the whole part size only when the stream goes past it, so a
/// small body does not hold a 64 MiB part.
/// </summary>
internal sealed class S3BufferedParts : IDisposable
{
    private const int FirstBufferSize = 1 << 20;

    private readonly Stream source;
    private readonly int partSize;
    private readonly byte[] lookahead = new byte[1];
    private byte[]? buffer;
    private int count;
    private bool more;
    private bool firstHandedOut;

    public S3BufferedParts(Stream source, long partSize)
    {
        if (partSize > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(partSize), partSize,
                $"PartSize must be at most {Array.MaxLength:N0} bytes to upload a stream of unknown length: each part is buffered in memory.");
        }

        this.source = source;
        this.partSize = (int)partSize;
        buffer = ArrayPool<byte>.Shared.Rent(Math.Min(this.partSize, FirstBufferSize));
    }

    /// <summary>The first part as a seekable stream: the whole body when <see cref="ReadFirstAsync"/> answered false.</summary>
    public MemoryStream FirstAsStream() => new(Buffer, 0, count, writable: false);

    private byte[] Buffer => buffer ?? throw new ObjectDisposedException(nameof(S3BufferedParts));

    /// <summary>Reads the first part; true when the stream goes on past it (a multipart upload).</summary>
    public async ValueTask<bool> ReadFirstAsync(CancellationToken cancellationToken)
    {
        count = await FillAsync(0, cancellationToken).ConfigureAwait(false);
        more = count == partSize && await ReadAheadAsync(cancellationToken).ConfigureAwait(false);
        return more;
    }

    /// <summary>The next part (the first one already read), null after the last.</summary>
    public async ValueTask<HttpContent?> NextAsync(CancellationToken cancellationToken)
    {
        if (!firstHandedOut)
        {
            firstHandedOut = true;
            return new ByteArrayContent(Buffer, 0, count);
        }

        if (!more)
        {
            return null;
        }

        Buffer[0] = lookahead[0];
        count = 1 + await FillAsync(1, cancellationToken).ConfigureAwait(false);
        more = count == partSize && await ReadAheadAsync(cancellationToken).ConfigureAwait(false);
        return new ByteArrayContent(Buffer, 0, count);
    }

    public void Dispose()
    {
        if (buffer is { } rented)
        {
            buffer = null;
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // Reads until the part is full or the stream ends; returns the bytes read from `from` on.
    private async ValueTask<int> FillAsync(int from, CancellationToken cancellationToken)
    {
        var at = from;
        while (at < partSize)
        {
            var room = Math.Min(Buffer.Length, partSize);
            if (at == room)
            {
                Grow(at);
                room = partSize;
            }

            var read = await source.ReadAsync(Buffer.AsMemory(at, room - at), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            at += read;
            cancellationToken.ThrowIfCancellationRequested();
        }

        return at - from;
    }

    // The first buffer is full and the stream goes on: from now on the buffer holds a whole part.
    private void Grow(int filled)
    {
        var larger = ArrayPool<byte>.Shared.Rent(partSize);
        Buffer.AsSpan(0, filled).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(Buffer);
        buffer = larger;
    }

    private async ValueTask<bool> ReadAheadAsync(CancellationToken cancellationToken) =>
        await source.ReadAsync(lookahead, cancellationToken).ConfigureAwait(false) == 1;
}
