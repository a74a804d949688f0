using System.Text;
using Atomic.Credentials.Tests.OAuth;
using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Tests.BadInput;

/// <summary>The inputs the properties found, kept as fixed cases so they never come back.</summary>
public sealed class FoundByPropertiesTests
{
    [Test]
    public void A_lone_surrogate_in_a_password_is_rejected_naming_the_field_not_sent_as_a_replacement_character()
    {
        var exception = Assert.Throws<OptionsValidationException>(() => new BasicAuthHandler(new BasicAuthOptions { Username = "u", Password = "pa\ud800ss" }, "legacy"))!;
        Assert.That(exception.Message, Is.EqualTo("Credential 'legacy' (BasicAuth): Password is not valid Unicode text (it has a lone surrogate)."));
    }

    [Test]
    public void A_lone_surrogate_in_a_header_value_is_rejected()
    {
        var options = new CustomHeadersOptions();
        options.Headers["X-Api-Key"] = "\udc00key";
        var exception = Assert.Throws<OptionsValidationException>(() => new CustomHeadersHandler(options, "keys"))!;
        Assert.That(exception.Message, Does.Contain("Credential 'keys' (CustomHeaders): Headers:X-Api-Key is not valid Unicode text"));
    }

    [Test]
    public async Task A_surrogate_pair_is_valid_text()
    {
        // Accepted is not enough: the emoji must reach the server as its four UTF-8 bytes, not as
        // two replacement characters or a dropped half.
        var capture = new Capture();
        using var client = capture.Client(new BasicAuthHandler(new BasicAuthOptions { Username = "u", Password = "pass\ud83d\ude00" }, "legacy"));

        await client.GetAsync(new Uri("https://api.example.com/"));

        var header = Capture.Header(capture.Requests.Single(), "Authorization");
        Assert.That(header, Does.StartWith("Basic "));
        Assert.That(Encoding.UTF8.GetString(Convert.FromBase64String(header!["Basic ".Length..])), Is.EqualTo("u:pass\ud83d\ude00"));
    }

    [Test]
    public void A_handler_disposed_twice_does_not_throw()
    {
        var handler = new OAuthClientCredentialsHandler(OAuthTestKit.Options(), "crm", tokenHandler: OAuthTestKit.EchoApi());
        handler.Dispose();
        Assert.DoesNotThrow(handler.Dispose);
    }
}
