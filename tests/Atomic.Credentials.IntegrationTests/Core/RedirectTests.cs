using Atomic.Credentials.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Atomic.Credentials.IntegrationTests.Core;

/// <summary>
/// Real redirects on loopback. 127.0.0.1 and localhost are different hosts to HttpClient, so a
/// redirect from one to the other is a cross-host redirect that must not carry the credential.
/// </summary>
public sealed class RedirectTests
{
    private LoopbackServer server = null!;
    private Seen target = null!;

    [SetUp]
    public async Task StartServer()
    {
        target = new Seen();
        server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/target", (HttpRequest request) =>
            {
                target.Record(request);
                return Results.Ok(request.Host.Host);
            });
            app.MapGet("/same-origin", () => Results.Redirect("/target"));
            app.MapGet("/other-host", (HttpRequest request) =>
                Results.Redirect($"http://localhost:{request.Host.Port}/target"));
            app.MapPost("/see-other", () => Results.Redirect("/target", permanent: false, preserveMethod: false));
        });
    }

    [TearDown]
    public async Task StopServer() => await server.DisposeAsync();

    [Test]
    public async Task Custom_headers_do_not_follow_a_redirect_to_another_host_through_IHttpClientFactory()
    {
        await using var provider = Services();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("apikey");

        var response = await client.GetAsync(new Uri(server.Address, "/other-host"));

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200), "the redirect is still followed");
            Assert.That(target.Requests, Has.Count.EqualTo(1));
            Assert.That(target.Requests[0]["Host"].ToString(), Does.StartWith("localhost"));
            Assert.That(target.Requests[0].ContainsKey("X-Api-Key"), Is.False, "the API key crossed to another host");
        });
    }

    [Test]
    public async Task Basic_auth_does_not_follow_a_redirect_to_another_host_without_dependency_injection()
    {
        using var client = new HttpClient(new BasicAuthHandler(new BasicAuthOptions { Username = "u", Password = "p" })
        {
            InnerHandler = new SocketsHttpHandler(),
        });

        var response = await client.GetAsync(new Uri(server.Address, "/other-host"));

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            Assert.That(target.Requests.Single().ContainsKey("Authorization"), Is.False);
        });
    }

    [Test]
    public async Task The_credential_follows_a_redirect_on_the_same_origin()
    {
        await using var provider = Services();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("apikey");

        await client.GetAsync(new Uri(server.Address, "/same-origin"));

        Assert.That(target.Requests.Single()["X-Api-Key"].ToString(), Is.EqualTo("redirect-key"));
    }

    [Test]
    public async Task A_see_other_after_a_post_becomes_a_get_with_the_credential_on_the_same_origin()
    {
        await using var provider = Services();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("apikey");

        var response = await client.PostAsync(new Uri(server.Address, "/see-other"), new StringContent("payload"));

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            Assert.That(target.Requests.Single()["X-Api-Key"].ToString(), Is.EqualTo("redirect-key"));
        });
    }

    [Test]
    public async Task A_client_that_turned_redirects_off_gets_the_redirect_itself()
    {
        var services = new ServiceCollection();
        services.AddAtomicCredential("apikey", (CustomHeadersOptions o) => o.Headers["X-Api-Key"] = "redirect-key");
        services.AddHttpClient("apikey").AddAtomicCredentialHandler("apikey")
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        await using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("apikey")
            .GetAsync(new Uri(server.Address, "/other-host"));

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(302));
            Assert.That(target.Requests, Is.Empty);
        });
    }

    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddAtomicCredential("apikey", (CustomHeadersOptions o) => o.Headers["X-Api-Key"] = "redirect-key");
        services.AddHttpClient("apikey").AddAtomicCredentialHandler("apikey");
        return services.BuildServiceProvider();
    }
}
