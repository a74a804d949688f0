using System.Net;
using Atomic.Credentials.Caching;
using static Atomic.Credentials.Tests.OAuth.OAuthTestKit;

namespace Atomic.Credentials.Tests.OAuth;

public sealed class OAuthConcurrencyTests
{
    [Test]
    public async Task A_thousand_concurrent_requests_on_a_cold_cache_make_exactly_one_token_request()
    {
        var tokenRequests = 0;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = Client(Options(), new StubHandler(async (_, _) =>
        {
            Interlocked.Increment(ref tokenRequests);
            await gate.Task;
            return Token("the-one");
        }));

        var requests = Enumerable.Range(0, 1000).Select(_ => Task.Run(() => client.GetStringAsync(ApiUrl))).ToArray();
        await Task.Delay(200);
        gate.SetResult();
        var served = await Task.WhenAll(requests);

        Assert.Multiple(() =>
        {
            Assert.That(tokenRequests, Is.EqualTo(1));
            Assert.That(served, Is.All.EqualTo("Bearer the-one"));
        });
    }

    [Test]
    public async Task Ten_credentials_differing_only_in_scope_each_send_their_own_token_under_load()
    {
        // Same name, client and secret, one shared cache: only the scope tells the tokens apart,
        // which is where libraries keyed by client id hand out the wrong token.
        using var cache = new MemoryCredentialCache();
        var tokenRequests = 0;
        var tokenEndpoint = new StubHandler(async (request, cancellationToken) =>
        {
            Interlocked.Increment(ref tokenRequests);
            var form = await request.Content!.ReadAsStringAsync(cancellationToken);
            var scope = form.Split('&').Single(part => part.StartsWith("scope=", StringComparison.Ordinal))[6..];
            await Task.Delay(20, cancellationToken);
            return Token("token-for-" + scope);
        });
        var clients = Enumerable.Range(0, 10)
            .Select(i => Client(Options(o => o.Scope = $"scope{i}"), tokenEndpoint, cache: cache, name: "shared"))
            .ToArray();

        var requests = Enumerable.Range(0, 10_000).Select(n => Task.Run(async () =>
        {
            var credential = n % 10;
            var header = await clients[credential].GetStringAsync(ApiUrl);
            return (credential, header);
        }));
        var results = await Task.WhenAll(requests);

        Assert.Multiple(() =>
        {
            Assert.That(results.Where(r => r.header != $"Bearer token-for-scope{r.credential}"), Is.Empty);
            Assert.That(tokenRequests, Is.EqualTo(10));
        });
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Test]
    public async Task One_caller_cancelling_leaves_the_rest_served_and_the_token_request_running()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenRequests = 0;
        var tokenRequestCancelled = false;
        using var client = Client(Options(), new StubHandler(async (_, cancellationToken) =>
        {
            Interlocked.Increment(ref tokenRequests);
            await gate.Task;
            tokenRequestCancelled = cancellationToken.IsCancellationRequested;
            return Token("shared");
        }));

        using var impatient = new CancellationTokenSource();
        var cancelled = client.GetAsync(ApiUrl, impatient.Token);
        var patient = Enumerable.Range(0, 50).Select(_ => client.GetStringAsync(ApiUrl)).ToArray();
        await Task.Delay(50);
        await impatient.CancelAsync();

        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        gate.SetResult();
        var served = await Task.WhenAll(patient);
        Assert.Multiple(() =>
        {
            Assert.That(served, Is.All.EqualTo("Bearer shared"));
            Assert.That(tokenRequests, Is.EqualTo(1));
            Assert.That(tokenRequestCancelled, Is.False);
        });
    }
}
