using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Atomic.Credentials.Tests.Support;

/// <summary>
/// Everything the library can print in a test: log lines at Trace (message, state and exception),
/// metric tags and activity tags from the "Atomic.Credentials" meter and source.
/// </summary>
internal sealed class TelemetryRecorder : IDisposable
{
    private readonly MeterListener meters = new();
    private readonly ActivityListener activities;
    private readonly List<string> texts = [];

    public TelemetryRecorder()
    {
        Logs = new FakeLogCollector();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Atomic.Credentials")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            MeasurementCount++;
            foreach (var tag in tags)
            {
                Add($"{instrument.Name} {tag.Key}={tag.Value}");
            }
        });
        meters.Start();
        activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Atomic.Credentials",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                Add(activity.DisplayName);
                foreach (var tag in activity.TagObjects)
                {
                    Add($"{tag.Key}={tag.Value}");
                }
            },
        };
        ActivitySource.AddActivityListener(activities);
    }

    public FakeLogCollector Logs { get; }

    public int MeasurementCount { get; private set; }

    public ILoggerFactory LoggerFactory() =>
        Microsoft.Extensions.Logging.LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(Logs)));

    public void Add(string? text)
    {
        if (text is null)
        {
            return;
        }

        lock (texts)
        {
            texts.Add(text);
        }
    }

    /// <summary>Runs <paramref name="action"/>, which must fail, and records its exception.</summary>
    public async Task AddFailureAsync(Func<Task> action)
    {
        try
        {
            await action();
            Assert.Fail("expected a failure");
        }
        catch (Exception exception) when (exception is not AssertionException)
        {
            AddException(exception);
        }
    }

    public void AddException(Exception exception)
    {
        Add(exception.Message);
        Add(exception.ToString());
    }

    /// <summary>All printed text: log lines with their state and exceptions, tags, and what was added.</summary>
    public IReadOnlyList<string> Everything()
    {
        var all = new List<string>();
        foreach (var record in Logs.GetSnapshot())
        {
            all.Add(record.Message);

            // IHttpClientFactory's own header log (category System.Net.Http.HttpClient.*) redacts its
            // formatted message, which is checked; its structured state carries the raw headers
            // whatever the redaction (a .NET behaviour documented in docs/security.md), so it is left out.
            if (!record.Category!.StartsWith("System.Net.Http.HttpClient", StringComparison.Ordinal))
            {
                all.AddRange(record.StructuredState?.Select(pair => $"{pair.Key}={pair.Value}") ?? []);
            }
            if (record.Exception is { } exception)
            {
                all.Add(exception.ToString());
            }
        }

        lock (texts)
        {
            all.AddRange(texts);
        }

        return all;
    }

    public void Dispose()
    {
        meters.Dispose();
        activities.Dispose();
    }
}
