using Atomic.Credentials.Tests.Support;

namespace Atomic.Credentials.Tests.Load;

/// <summary>
/// The load test's fleet (every kind, eight of each) under concurrent callers with logging at Trace,
/// a token replacement, and refusals (plain http, a host not allowed for none, a cancelled request):
/// no configured secret, private key line, issued token or signed JWT appears in any log line, its
/// state, an exception's message or ToString, a metric tag or an activity tag.
/// </summary>
[Category("Load")]
[NonParallelizable]
public sealed class LoadSecretSweepTests
{
    [Test]
    [CancelAfter(120_000)]
    public async Task Under_load_at_Trace_nothing_printed_holds_a_secret_a_key_or_a_token()
    {
        using var recorder = new TelemetryRecorder();
        using var loggers = recorder.LoggerFactory();
        using var fleet = new CredentialFleet(loggers);

        Assert.That(await LoadTests.RunAsync(fleet.Clients, 4_000), Is.Zero);
        await LoadTests.ReplaceTokensOnceAsync(fleet);
        foreach (var client in fleet.Clients)
        {
            await recorder.AddFailureAsync(() => client.GetAsync(new Uri("http://api.example.com/plain")));
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();
            await recorder.AddFailureAsync(() => client.GetAsync(new Uri("https://api.example.com/"), cancelled.Token));
        }

        var printed = recorder.Everything();
        var secrets = fleet.Secrets.ToList();
        Assert.Multiple(() =>
        {
            Assert.That(printed, Has.Count.GreaterThan(1000), "the run was logged at Trace");
            Assert.That(recorder.MeasurementCount, Is.GreaterThan(0), "metrics were recorded");
            Assert.That(secrets, Has.Count.GreaterThan(5 * CredentialFleet.PerKind), "secrets, keys, tokens and JWTs are known");
            Assert.That(printed.Where(line => secrets.Any(secret => line.Contains(secret, StringComparison.Ordinal))), Is.Empty);
        });
    }
}
