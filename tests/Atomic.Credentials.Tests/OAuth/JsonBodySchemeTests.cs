using System.Text.Json;
using static Atomic.Credentials.Tests.OAuth.OAuthTestKit;

namespace Atomic.Credentials.Tests.OAuth;

public sealed class JsonBodySchemeTests
{
    [Test]
    public async Task Every_parameter_goes_as_a_JSON_string_escaped_and_in_order()
    {
        const string secret = "s\"e\\c/r+e t\u00e9<>&?";
        string? body = null, contentType = null;
        HttpMethod? method = null;
        var tokenEndpoint = new StubHandler(async (request, cancellationToken) =>
        {
            (method, contentType) = (request.Method, request.Content!.Headers.ContentType!.ToString());
            body = await request.Content.ReadAsStringAsync(cancellationToken);
            return Token("t1");
        });
        using var client = Client(
            Options(o => (o.RequestScheme, o.ClientSecret, o.AdditionalParameters["account_id"]) = (OAuthRequestScheme.JsonBody, secret, "42")),
            tokenEndpoint);

        using var response = await client.GetAsync(ApiUrl);

        using var json = JsonDocument.Parse(body!);
        Assert.Multiple(() =>
        {
            Assert.That(method, Is.EqualTo(HttpMethod.Post));
            Assert.That(contentType, Is.EqualTo("application/json"));
            Assert.That(json.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetString())), Is.EqualTo(new[]
            {
                ("grant_type", "client_credentials"), ("client_id", "client-1"), ("client_secret", secret), ("scope", "api.read"), ("account_id", "42"),
            }));
        });
    }
}
