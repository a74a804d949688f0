using System.Buffers;
using System.Text;

namespace Atomic.Credentials.Aws;

/// <summary>
/// A growable UTF-8 buffer rented from the shared pool: the canonical request is written here and
/// hashed in place, so signing allocates no intermediate strings.
/// </summary>
internal struct PooledBytes : IDisposable
{
    private byte[] array;
    private int length;

    // A thread's kept buffer holds earlier signatures' bytes past Length: wiped whole when it goes to the pool.
    private bool kept;

    public PooledBytes(int capacity)
    {
        array = ArrayPool<byte>.Shared.Rent(capacity);
        length = 0;
    }

    private PooledBytes(byte[] array)
    {
        this.array = array;
        length = 0;
        kept = true;
    }

    /// <summary>
    /// Takes a thread's buffer out of <paramref name="slot"/> (a <c>[ThreadStatic]</c> field), or rents one
    /// when it is empty (the first use, or a use inside another); <see cref="ReturnTo"/> puts it back.
    /// Cheaper than the shared pool for a buffer every signature needs.
    /// </summary>
    public static PooledBytes Take(ref byte[]? slot, int capacity)
    {
        var kept = slot;
        slot = null;
        return kept is null ? new PooledBytes(capacity) : new PooledBytes(kept);
    }

    /// <summary>
    /// Keeps the buffer in an empty <paramref name="slot"/> for the thread's next use when it is not large (it
    /// stays this thread's, never handed to other code); else returns it to the pool, wiped.
    /// </summary>
    public void ReturnTo(ref byte[]? slot)
    {
        if (slot is null && array.Length is > 0 and <= MaxKept)
        {
            slot = array;
            array = [];
            length = 0;
            kept = false;
            return;
        }

        Dispose();
    }

    private const int MaxKept = 16 * 1024;

    public readonly int Length => length;

    /// <summary>The rented array; valid until the next append or dispose.</summary>
    public readonly byte[] Buffer => array;

    public readonly ReadOnlySpan<byte> Written => array.AsSpan(0, length);

    public readonly ReadOnlySpan<byte> Slice(int start, int count) => array.AsSpan(start, count);

    /// <summary>Starts over in the same buffer.</summary>
    public void Reset() => length = 0;

    public void Append(byte value)
    {
        if (length == array.Length)
        {
            Grow(1);
        }

        array[length++] = value;
    }

    public void Append(scoped ReadOnlySpan<byte> value)
    {
        if (length + value.Length > array.Length)
        {
            Grow(value.Length);
        }

        value.CopyTo(array.AsSpan(length));
        length += value.Length;
    }

    /// <summary>Appends text as UTF-8.</summary>
    public void Append(scoped ReadOnlySpan<char> value)
    {
        // Almost everything signed is ASCII (a path, a host, a date, a hash): narrowed at once, one byte a
        // character, before any UTF-8 work. Text with anything else is encoded as UTF-8 from its start.
        if (length + value.Length <= array.Length && Ascii.FromUtf16(value, array.AsSpan(length), out var narrowed) == OperationStatus.Done)
        {
            length += narrowed;
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (length + max > array.Length)
        {
            Grow(max);
        }

        length += Encoding.UTF8.GetBytes(value, array.AsSpan(length));
    }

    /// <summary>Appends text as UTF-8, lower-casing ASCII letters (header names).</summary>
    public void AppendLower(scoped ReadOnlySpan<char> value)
    {
        if (length + value.Length <= array.Length && Ascii.ToLower(value, array.AsSpan(length), out var written) == OperationStatus.Done)
        {
            length += written;
            return;
        }

        var start = length;
        Append(value);
        foreach (ref var b in array.AsSpan(start, length - start))
        {
            if (b is >= (byte)'A' and <= (byte)'Z')
            {
                b += 'a' - 'A';
            }
        }
    }

    public void AppendHex(scoped ReadOnlySpan<byte> bytes)
    {
        var needed = bytes.Length * 2;
        if (length + needed > array.Length)
        {
            Grow(needed);
        }

        Convert.TryToHexStringLower(bytes, array.AsSpan(length), out var written);
        length += written;
    }

    /// <summary>Returns the buffer to the shared pool with what was written wiped (a canonical request can hold a session token).</summary>
    public void Dispose()
    {
        var rented = array;
        var written = length;
        array = [];
        length = 0;
        if (rented.Length > 0)
        {
            rented.AsSpan(0, kept ? rented.Length : written).Clear();
            ArrayPool<byte>.Shared.Return(rented);
        }

        kept = false;
    }

    private void Grow(int extra)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(array.Length * 2, length + extra));
        array.AsSpan(0, length).CopyTo(bigger);
        array.AsSpan(0, kept ? array.Length : length).Clear();
        ArrayPool<byte>.Shared.Return(array);
        array = bigger;
        kept = false;
    }
}
