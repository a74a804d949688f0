using System.Net;
using System.Text;

namespace Atomic.Credentials.Benchmarks;

/// <summary>A token endpoint in memory for benchmarks that need a cached OAuth token: one fixed token, valid a day.</summary>
internal sealed class TokenEndpoint : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(
                """{"access_token":"eyJhbGciOiJSUzI1NiJ9.benchmark-token","token_type":"Bearer","expires_in":86400}""",
                Encoding.UTF8,
                "application/json"),
        });
}
