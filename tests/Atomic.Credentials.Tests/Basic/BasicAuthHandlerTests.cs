using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Tests.Basic;

public sealed class BasicAuthHandlerTests
{
    [TestCase("Aladdin", "open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ==")] // RFC 7617 §2
    [TestCase("test", "123\u00a3", "dGVzdDoxMjPCow==")] // RFC 7617 §2.1: UTF-8
    [TestCase("user", "p:ss", "dXNlcjpwOnNz")] // a colon in the password is fine
    [TestCase("user", "", "dXNlcjo=")] // an empty password is allowed
    public async Task Sends_the_RFC_7617_header_in_UTF8(string user, string password, string expected)
    {
        var capture = new Capture();
        using var client = capture.Client(new BasicAuthHandler(new BasicAuthOptions { Username = user, Password = password }));

        await client.GetAsync(new Uri("https://api.example.com/orders"));

        Assert.That(Capture.Header(capture.Requests.Single(), "Authorization"), Is.EqualTo("Basic " + expected));
    }

    [Test]
    public async Task Replaces_an_authorization_header_already_on_the_request()
    {
        var capture = new Capture();
        using var client = capture.Client(new BasicAuthHandler(new BasicAuthOptions { Username = "u", Password = "p" }));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer stale");

        await client.SendAsync(request);

        Assert.That(capture.Requests.Single().Headers.GetValues("Authorization"), Is.EqualTo(new[] { "Basic dTpw" }));
    }

    [TestCase("us:er", "pw", "Username must not contain ':'")]
    [TestCase("", "pw", "Username is required")]
    [TestCase("user", "pw\r\nX-Injected: 1", "Password must not contain control characters")]
    [TestCase("us\ner", "pw", "Username must not contain control characters")]
    public void Bad_options_are_refused_with_a_message_naming_credential_and_field(string user, string password, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            _ = new BasicAuthHandler(new BasicAuthOptions { Username = user, Password = password }, "legacy"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 'legacy' (BasicAuth)"));
            Assert.That(error.Message, Does.Contain(expected));
            Assert.That(error.Message, Does.Not.Contain("pw"));
        });
    }
}
