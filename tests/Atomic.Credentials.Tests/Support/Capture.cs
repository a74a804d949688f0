using System.Net;
using RichardSzalay.MockHttp;

namespace Atomic.Credentials.Tests.Support;

/// <summary>A MockHttp back end that records every request that reached it.</summary>
internal sealed class Capture
{
    public MockHttpMessageHandler Mock { get; } = new();

    public List<HttpRequestMessage> Requests { get; } = [];

    public Capture()
    {
        Mock.When("*").Respond(request =>
        {
            lock (Requests)
            {
                Requests.Add(request);
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        });
    }

    public HttpClient Client(DelegatingHandler credential)
    {
        credential.InnerHandler = Mock;
        return new HttpClient(credential);
    }

    public static string? Header(HttpRequestMessage request, string name) =>
        request.Headers.TryGetValues(name, out var values) ? string.Join(", ", values) : null;
}
