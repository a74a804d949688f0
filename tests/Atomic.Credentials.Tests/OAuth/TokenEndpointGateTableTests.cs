using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Atomic.Credentials.Caching;
using Atomic.Credentials.OAuth;
using Microsoft.Extensions.Time.Testing;

namespace Atomic.Credentials.Tests.OAuth;

/// <summary>
/// The per-cache table of token endpoint gates stays bounded however many distinct credentials a
/// process meets, while a gate a credential holds stays the one every caller of that key shares,
/// and a paused gate outlives its holder until the pause ends.
/// </summary>
[NonParallelizable]
public sealed class TokenEndpointGateTableTests
{
    private const int Distinct = 20_000;
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));

    [Test]
    public void Twenty_thousand_distinct_credentials_leave_a_bounded_table()
    {
        using var cache = new MemoryCredentialCache(time);
        var peak = Churn(cache, "tenant-");

        TestContext.Out.WriteLine($"{Distinct} distinct keys: table at most {peak} entries, {TokenEndpointGate.Table(cache).Count} at the end");
        Assert.That(peak, Is.LessThan(4_096), "gates nobody holds are swept out");
    }

    [Test]
    public void A_gate_a_credential_holds_is_kept_and_shared_through_every_sweep()
    {
        using var cache = new MemoryCredentialCache(time);
        var held = Enumerable.Range(0, 100).Select(i => TokenEndpointGate.For(cache, $"held-{i}", time)).ToArray();

        Churn(cache, "other-");

        var again = Enumerable.Range(0, 100).Select(i => TokenEndpointGate.For(cache, $"held-{i}", time));
        Assert.That(held.Zip(again).Count(pair => ReferenceEquals(pair.First, pair.Second)), Is.EqualTo(100), "the same gate for each held key");
    }

    [Test]
    public void A_paused_gate_nobody_holds_is_kept_until_its_pause_ends()
    {
        using var cache = new MemoryCredentialCache(time);
        var (weak, until) = PauseAndForget(cache, "paused");

        Churn(cache, "during-");
        Assert.Multiple(() =>
        {
            Assert.That(weak.TryGetTarget(out _), Is.True, "kept during the pause");
            Assert.That(TokenEndpointGate.For(cache, "paused", time).LocalPause, Is.EqualTo(until), "a credential rebuilt during the pause still waits");
        });

        time.Advance(TimeSpan.FromSeconds(61));
        Churn(cache, "after-");
        Assert.That(weak.TryGetTarget(out _), Is.False, "swept once the pause is over");
    }

    // Asks for the gates of many distinct keys, holding none, as a process meeting new credentials; returns the table's peak size.
    private int Churn(ICredentialCache cache, string prefix)
    {
        var peak = 0;
        for (var i = 0; i < Distinct; i++)
        {
            TokenEndpointGate.For(cache, prefix + i, time);
            peak = Math.Max(peak, TokenEndpointGate.Table(cache).Count);
            if (i % 1_000 == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }

        return peak;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private (WeakReference<TokenEndpointGate> Gate, DateTimeOffset? Until) PauseAndForget(ICredentialCache cache, string key)
    {
        var gate = TokenEndpointGate.For(cache, key, time);
        var until = gate.Refused(HttpStatusCode.TooManyRequests, new RetryConditionHeaderValue(TimeSpan.FromSeconds(60)), new OAuthClientCredentialsOptions());
        return (new WeakReference<TokenEndpointGate>(gate), until);
    }
}
