using System.Diagnostics.Metrics;
using Atomic.Credentials.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Tests.Diagnostics;

/// <summary>
/// The per-request "applied" step skips what nobody listens to; these prove it still reports to
/// whoever does listen, under the names users filter on.
/// </summary>
public sealed class AppliedTelemetryTests
{
    [Test]
    public async Task Each_applied_request_is_logged_at_trace_under_the_handler_type_name()
    {
        using var telemetry = new TelemetryRecorder();
        using var factory = telemetry.LoggerFactory();
        var capture = new Capture();
        using var basic = capture.Client(new BasicAuthHandler(new BasicAuthOptions { Username = "u", Password = "p" }, "billing", factory));
        var headers = new CustomHeadersOptions();
        headers.Headers["X-Api-Key"] = "k-1";
        using var custom = capture.Client(new CustomHeadersHandler(headers, "search", factory));

        await basic.GetAsync(new Uri("https://api.example.com/a"));
        await custom.GetAsync(new Uri("https://api.example.com/b"));
        await custom.GetAsync(new Uri("https://api.example.com/c"));

        var applied = telemetry.Logs.GetSnapshot().Where(r => r.Id.Id == 2).ToList();
        Assert.Multiple(() =>
        {
            // The category ILogger<BasicAuthHandler> would have, so existing log filters keep working.
            Assert.That(applied.Count(r => r.Category == "Atomic.Credentials.BasicAuthHandler"), Is.EqualTo(1));
            Assert.That(applied.Count(r => r.Category == "Atomic.Credentials.CustomHeadersHandler"), Is.EqualTo(2));
            Assert.That(applied.All(r => r.Level == LogLevel.Trace), Is.True);
            Assert.That(applied.Select(r => r.Message), Has.Some.EqualTo("Credential 'search' (CustomHeaders) applied to GET api.example.com"));
        });
    }

    [Test]
    public async Task Applied_requests_are_counted_when_nothing_logs()
    {
        var name = "counted-" + Guid.NewGuid().ToString("N");
        long counted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Atomic.Credentials" && instrument.Name == "atomic.credentials.requests")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "atomic.credential.name" && Equals(tag.Value, name))
                {
                    Interlocked.Add(ref counted, value);
                }
            }
        });
        listener.Start();
        var capture = new Capture();
        var headers = new CustomHeadersOptions();
        headers.Headers["X-Api-Key"] = "k-1";

        // No logger factory: the handler's logger is the null logger, which is never asked.
        using var client = capture.Client(new CustomHeadersHandler(headers, name));
        for (var i = 0; i < 3; i++)
        {
            await client.GetAsync(new Uri("https://api.example.com/orders"));
        }

        Assert.That(Interlocked.Read(ref counted), Is.EqualTo(3));
    }
}
