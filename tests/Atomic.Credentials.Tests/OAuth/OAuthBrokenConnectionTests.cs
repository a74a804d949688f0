using System.Net;
using static Atomic.Credentials.Tests.OAuth.OAuthTestKit;

namespace Atomic.Credentials.Tests.OAuth;

/// <summary>
/// A connection that breaks after the token response's headers arrived fails while the body is read,
/// with an <see cref="IOException"/> (a reset, a premature end): it must still be a
/// <see cref="CredentialException"/>, not an unexpected exception type, and not cached.
/// </summary>
public sealed class OAuthBrokenConnectionTests
{
    [Test]
    public async Task A_body_cut_by_the_connection_is_a_credential_exception_and_the_next_request_recovers()
    {
        var broken = true;
        var tokenCalls = 0;
        using var client = Client(Options(), new StubHandler(_ =>
        {
            Interlocked.Increment(ref tokenCalls);
            return broken
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new BreakingStream()) }
                : Token("after-reset");
        }), name: "crm");

        var exception = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(ApiUrl))!;
        Assert.Multiple(() =>
        {
            Assert.That(exception.Message, Does.Contain("The connection to the identity provider at login.example.com broke while the token response was read"));
            Assert.That(exception.InnerException, Is.InstanceOf<IOException>());
            Assert.That(exception.ToString(), Does.Not.Contain(Secret));
        });

        broken = false;
        Assert.That(await client.GetStringAsync(ApiUrl), Is.EqualTo("Bearer after-reset"));
        Assert.That(tokenCalls, Is.EqualTo(2), "the failure was not cached");
    }

    private sealed class BreakingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new IOException("Unable to read data from the transport connection: Connection reset by peer."));
    }
}
