using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Tests.Core;

public sealed class GuardTests
{
    [TestCase("https://api.example.com/x", true)]
    [TestCase("https://API.Example.com/x", true)]
    [TestCase("https://api.example.com:8443/x", true)]
    [TestCase("https://a.partner.net/x", true)]
    [TestCase("https://a.b.partner.net/x", true)]
    [TestCase("https://partner.net/x", false)]
    [TestCase("https://evilpartner.net/x", false)]
    [TestCase("https://api.example.com.evil.net/x", false)]
    [TestCase("https://other.example.com/x", false)]
    public async Task Only_allowed_hosts_receive_the_credential(string url, bool allowed)
    {
        var capture = new Capture();
        using var client = capture.Client(new BasicAuthHandler(new BasicAuthOptions
        {
            Username = "u",
            Password = "p",
            AllowedHosts = ["api.example.com", "*.partner.net"],
        }));

        if (allowed)
        {
            await client.GetAsync(new Uri(url));
            Assert.That(capture.Requests, Has.Count.EqualTo(1));
        }
        else
        {
            var error = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(new Uri(url)));
            Assert.Multiple(() =>
            {
                Assert.That(error!.Message, Does.Contain("not in AllowedHosts"));
                Assert.That(error.Message, Does.Contain("not sent"));
                Assert.That(capture.Requests, Is.Empty, "a refused request must never be sent");
            });
        }
    }

    [TestCase("http://api.example.com/", false, false)]
    [TestCase("http://127.0.0.1:5000/", false, true)]
    [TestCase("http://localhost:5000/", false, true)]
    [TestCase("http://[::1]:5000/", false, true)]
    [TestCase("http://api.example.com/", true, true)]
    [TestCase("https://api.example.com/", false, true)]
    public async Task Plain_http_is_refused_except_to_loopback_or_when_allowed(string url, bool allowInsecure, bool sent)
    {
        var capture = new Capture();
        using var client = capture.Client(new CustomHeadersHandler(new CustomHeadersOptions
        {
            Headers = { ["X-Api-Key"] = "k" },
            AllowInsecureTransport = allowInsecure,
        }));

        if (sent)
        {
            await client.GetAsync(new Uri(url));
        }
        else
        {
            var error = Assert.ThrowsAsync<CredentialException>(() => client.GetAsync(new Uri(url)));
            Assert.That(error!.Message, Does.Contain("plain http"));
        }

        Assert.That(capture.Requests, Has.Count.EqualTo(sent ? 1 : 0));
    }

    [TestCase("https://api.example.com")]
    [TestCase("api.example.com/path")]
    [TestCase("api.*.com")]
    [TestCase("api.example.com:443")]
    [TestCase(" ")]
    public void Bad_allowed_host_entries_are_validation_errors(string entry)
    {
        var error = Assert.Throws<OptionsValidationException>(() => _ = new BasicAuthHandler(
            new BasicAuthOptions { Username = "u", Password = "p", AllowedHosts = [entry] }, "legacy"));
        Assert.That(error!.Message, Does.Contain("Credential 'legacy' (BasicAuth): AllowedHosts"));
    }
}
