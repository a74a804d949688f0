namespace Atomic.Credentials.Integrations;

/// <summary>
/// The parts of a seekable stream, from its position to its end: each part a window of the stream,
/// hashed and rewound by the signer and sent with flat memory, never buffered.
/// </summary>
internal sealed class S3StreamWindows(Stream stream, long partSize)
{
    private readonly long start = stream.Position;
    private readonly long length = stream.Length - stream.Position;
    private long offset;

    public ValueTask<HttpContent?> NextAsync(CancellationToken cancellationToken)
    {
        if (offset >= length)
        {
            return ValueTask.FromResult<HttpContent?>(null);
        }

        var size = Math.Min(partSize, length - offset);
        var content = new StreamContent(new Window(stream, start + offset, size), 128 * 1024);
        content.Headers.ContentLength = size;
        offset += size;
        return ValueTask.FromResult<HttpContent?>(content);
    }

    /// <summary>One part: a seekable window of the stream, positioned on the stream at each read.</summary>
    private sealed class Window(Stream stream, long start, long length) : Stream
    {
        private long position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => position;
            set => position = Math.Clamp(value, 0, length);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            stream.Position = start + position;
            var read = stream.Read(buffer[..(int)Math.Min(buffer.Length, length - position)]);
            position += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            stream.Position = start + position;
            var read = await stream.ReadAsync(buffer[..(int)Math.Min(buffer.Length, length - position)], cancellationToken).ConfigureAwait(false);
            position += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
