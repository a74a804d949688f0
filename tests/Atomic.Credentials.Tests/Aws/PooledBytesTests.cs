using System.Buffers;
using System.Text;
using Atomic.Credentials.Aws;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// A canonical request can hold a session token: a buffer that goes back to the shared pool (on dispose, or
/// when it grows into a bigger one) has what was written wiped, so the next renter never reads it.
/// </summary>
public sealed class PooledBytesTests
{
    private static readonly byte[] Token = Encoding.ASCII.GetBytes("x-amz-security-token:IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN");

    [Test]
    public void A_disposed_buffer_goes_back_to_the_pool_wiped()
    {
        var output = new PooledBytes(Token.Length);
        output.Append(Token);
        var array = output.Buffer;
        output.Dispose();

        Assert.That(array.AsSpan().IndexOf(Token), Is.EqualTo(-1));
        Assert.That(RentedAgainContainsToken(Token.Length), Is.False);
    }

    [Test]
    public void A_buffer_outgrown_goes_back_to_the_pool_wiped()
    {
        var output = new PooledBytes(Token.Length);
        output.Append(Token);
        var first = output.Buffer;
        output.Append(new byte[first.Length * 2]);
        try
        {
            Assert.That(output.Buffer, Is.Not.SameAs(first), "the buffer grew");
            Assert.That(first.AsSpan().IndexOf(Token), Is.EqualTo(-1));
            Assert.That(output.Written[..Token.Length].SequenceEqual(Token), Is.True, "what was written moved to the new buffer");
        }
        finally
        {
            output.Dispose();
        }
    }

    [Test]
    public void A_thread_buffer_kept_for_the_next_signature_is_not_handed_to_the_pool()
    {
        byte[]? slot = null;
        var output = PooledBytes.Take(ref slot, 64);
        output.Append(Token);
        var array = output.Buffer;
        output.ReturnTo(ref slot);
        Assert.That(slot, Is.SameAs(array), "kept in the slot");

        var again = PooledBytes.Take(ref slot, 64);
        Assert.Multiple(() =>
        {
            Assert.That(slot, Is.Null, "taken out while in use, so a nested use rents its own");
            Assert.That(again.Buffer, Is.SameAs(array));
            Assert.That(again.Length, Is.Zero, "starts empty");
        });
        again.Dispose();
        Assert.That(array.AsSpan().IndexOf(Token), Is.EqualTo(-1), "wiped when it does go to the pool");
    }

    // The shared pool hands this thread the array it just got back, most of the time: it must not show the token.
    private static bool RentedAgainContainsToken(int size)
    {
        var rented = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            return rented.AsSpan().IndexOf(Token) >= 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
