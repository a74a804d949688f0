namespace Atomic.Credentials.Benchmarks;

/// <summary>The end of every benchmarked pipeline: answers 200 at once, touching nothing.</summary>
public sealed class NoOpHandler : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { RequestMessage = request });
}

/// <summary>A DelegatingHandler that only passes the request on.</summary>
public sealed class PassThroughHandler : DelegatingHandler;
