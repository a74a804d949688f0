using System.Net;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using RichardSzalay.MockHttp;

namespace Atomic.Credentials.Tests.Core;

/// <summary>The pipeline's answer to a 401: evict, retry once with new material, never loop.</summary>
public sealed class PipelineRetryTests
{
    [Test]
    public async Task A_rejected_request_with_a_replayable_body_is_retried_once_with_new_material()
    {
        var mock = new MockHttpMessageHandler();
        var seen = new List<string?>();
        mock.When("*").Respond(request =>
        {
            seen.Add(request.Headers.Authorization?.Parameter);
            return new HttpResponseMessage(seen.Count == 1 ? HttpStatusCode.Unauthorized : HttpStatusCode.OK);
        });
        var handler = new CountingHandler { InnerHandler = mock };
        using var client = new HttpClient(handler);

        var response = await client.PostAsync(new Uri("https://api.example.com/"), new StringContent("body"));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(seen, Is.EqualTo(new[] { "material-1", "material-2" }));
            Assert.That(handler.Rejections, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_second_rejection_reaches_the_caller_without_a_loop()
    {
        var mock = new MockHttpMessageHandler();
        var calls = 0;
        mock.When("*").Respond(_ =>
        {
            calls++;
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        });
        using var client = new HttpClient(new CountingHandler { InnerHandler = mock });

        var response = await client.GetAsync(new Uri("https://api.example.com/"));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(calls, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_body_that_cannot_be_replayed_is_not_retried()
    {
        var mock = new MockHttpMessageHandler();
        var calls = 0;
        mock.When("*").Respond(_ =>
        {
            calls++;
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        });
        var handler = new CountingHandler { InnerHandler = mock };
        using var client = new HttpClient(handler);

        var response = await client.PostAsync(new Uri("https://api.example.com/"), new StreamContent(new MemoryStream([1, 2, 3])));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(calls, Is.EqualTo(1));
            Assert.That(handler.Rejections, Is.Zero);
        });
    }

    /// <summary>A minimal bearer-like kind: new material after each rejection.</summary>
    private sealed class CountingHandler : DelegatingHandler
    {
        private readonly Pipeline pipeline;
        private readonly CredentialBinding binding = new();

        public CountingHandler()
        {
            pipeline = new Pipeline(this);
        }

        public int Rejections { get; set; }

        private int Generation { get; set; } = 1;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            binding.SendAsync(this, pipeline, request, base.SendAsync, cancellationToken);

        private sealed class Pipeline(CountingHandler owner)
            : CredentialPipeline<CustomHeadersOptions, CredentialState>(
                "test", "Test", new StaticOptionsMonitor<CustomHeadersOptions>(new CustomHeadersOptions()), NullLogger.Instance)
        {
            protected override CredentialState CreateState(CustomHeadersOptions options) => new(options);

            protected override ValueTask ApplyAsync(CredentialState state, HttpRequestMessage request, CancellationToken cancellationToken)
            {
                request.Headers.Authorization = new("Bearer", $"material-{owner.Generation}");
                return ValueTask.CompletedTask;
            }

            protected override void Remove(CredentialState state, HttpRequestMessage request) => request.Headers.Authorization = null;

            protected override ValueTask<bool> OnRejectedAsync(
                CredentialState state, HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
            {
                owner.Rejections++;
                owner.Generation++;
                return ValueTask.FromResult(true);
            }
        }
    }
}
