
namespace Atomic.Credentials.Internal;

/// <summary>
/// Reads a small response body without taking it from the caller: at most <c>limit</c> bytes are
/// read, and the content is put back whole (the bytes read, then the rest of the stream) with its
/// headers, so the caller reads exactly what the server sent. A body announced as larger is not
/// touched at all.
/// </summary>
internal static class ResponsePeek
{
    /// <summary>The body when it has at most <paramref name="limit"/> bytes, else null.</summary>
    public static async ValueTask<ReadOnlyMemory<byte>?> BodyAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        var content = response.Content;
        if (content.Headers.ContentLength > limit)
        {
            return null;
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        // One byte more than the body may have, to tell a whole body from a longer one; no more than
        // the announced length needs (most responses announce it).
        var buffer = new byte[(int)Math.Min(content.Headers.ContentLength ?? limit, limit) + 1];
        if (stream.CanSeek)
        {
            // Buffered content: read, then rewind.
            var start = stream.Position;
            var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            stream.Position = start;
            return read < buffer.Length ? buffer.AsMemory(0, read) : null;
        }

        var length = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        var whole = length < buffer.Length;
        HttpContent replacement = whole
            ? new ByteArrayContent(buffer, 0, length)
            : new StreamContent(new PrefixedStream(buffer, stream));
        foreach (var header in content.Headers)
        {
            replacement.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        // The replacement owns the network stream now; the old content is not disposed, as that would close it.
        response.Content = replacement;
        return whole ? buffer.AsMemory(0, length) : null;
    }

    /// <summary>The bytes already read, then the rest of the stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
    {
        private int position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (position < prefix.Length)
            {
                var count = Math.Min(buffer.Length, prefix.Length - position);
                prefix.AsSpan(position, count).CopyTo(buffer);
                position += count;
                return count;
            }

            return rest.Read(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (position < prefix.Length)
            {
                var count = Math.Min(buffer.Length, prefix.Length - position);
                prefix.AsMemory(position, count).CopyTo(buffer);
                position += count;
                return ValueTask.FromResult(count);
            }

            return rest.ReadAsync(buffer, cancellationToken);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                rest.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
