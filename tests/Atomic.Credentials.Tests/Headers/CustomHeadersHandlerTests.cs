using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Tests.Headers;

public sealed class CustomHeadersHandlerTests
{
    [Test]
    public async Task Adds_every_configured_header_including_an_authorization_scheme()
    {
        var capture = new Capture();
        using var client = capture.Client(new CustomHeadersHandler(new CustomHeadersOptions
        {
            Headers = { ["X-Api-Key"] = "k-1", ["X-Tenant"] = "t1", ["Authorization"] = "ApiKey abc" },
        }));

        await client.GetAsync(new Uri("https://api.example.com/"));

        var sent = capture.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(Capture.Header(sent, "X-Api-Key"), Is.EqualTo("k-1"));
            Assert.That(Capture.Header(sent, "X-Tenant"), Is.EqualTo("t1"));
            Assert.That(Capture.Header(sent, "Authorization"), Is.EqualTo("ApiKey abc"));
        });
    }

    [Test]
    public async Task A_configured_header_replaces_the_same_header_set_on_the_request()
    {
        var capture = new Capture();
        using var client = capture.Client(new CustomHeadersHandler(new CustomHeadersOptions { Headers = { ["X-Api-Key"] = "configured" } }));
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/");
        request.Headers.Add("x-api-key", "from-the-caller");
        request.Headers.Add("X-Other", "kept");

        await client.SendAsync(request);

        var sent = capture.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(sent.Headers.GetValues("X-Api-Key"), Is.EqualTo(new[] { "configured" }));
            Assert.That(Capture.Header(sent, "X-Other"), Is.EqualTo("kept"));
        });
    }

    [TestCase("X Api Key", "v", "not an HTTP token")]
    [TestCase("X-Api-Key:", "v", "not an HTTP token")]
    [TestCase("", "v", "not an HTTP token")]
    [TestCase("X-Api-Key", "v\r\nX-Evil: 1", "Headers:X-Api-Key must not contain control characters")]
    [TestCase("X-Api-Key", "cl\u00e9", "Headers:X-Api-Key must be printable ASCII")]
    [TestCase("Host", "evil.example.com", "Headers:Host is a header HttpClient manages itself")]
    [TestCase("Content-Type", "text/plain", "Headers:Content-Type is a header HttpClient manages itself")]
    public void Bad_headers_are_refused_naming_the_header(string name, string value, string expected)
    {
        var options = new CustomHeadersOptions();
        options.Headers[name] = value;

        var error = Assert.Throws<OptionsValidationException>(() => _ = new CustomHeadersHandler(options, "apikey"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("Credential 'apikey' (CustomHeaders)"));
            Assert.That(error.Message, Does.Contain(expected));
        });
    }

    [Test]
    public void No_headers_is_an_error()
    {
        var error = Assert.Throws<OptionsValidationException>(() => _ = new CustomHeadersHandler(new CustomHeadersOptions(), "apikey"));
        Assert.That(error!.Message, Does.Contain("Headers must name at least one header"));
    }
}
