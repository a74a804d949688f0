using System.Collections.Concurrent;
using System.Diagnostics;

namespace Atomic.Credentials.Cli;

/// <summary>
/// The library's own activities (ActivitySource <c>Atomic.Credentials</c>) while a command runs:
/// a token request, a JWT signed, a SigV4 signature, each with its duration, for <c>send -v</c>.
/// </summary>
internal sealed class CredentialTimings : IDisposable
{
    private readonly ActivityListener listener;
    private readonly ConcurrentQueue<(string Name, TimeSpan Duration)> stopped = new();

    public CredentialTimings()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Atomic.Credentials",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity => stopped.Enqueue((activity.OperationName, activity.Duration)),
        };
        ActivitySource.AddActivityListener(listener);
    }

    public void WriteTo(TextWriter writer)
    {
        foreach (var (name, duration) in stopped)
        {
            writer.WriteLine($"* {Describe(name)} {duration.TotalMilliseconds:F0} ms");
        }
    }

    public void Dispose() => listener.Dispose();

    private static string Describe(string operation) => operation switch
    {
        "Atomic.Credentials.TokenRequest" => "token request",
        "atomic.credentials.sign" => "JWT signed",
        "atomic.credentials.aws.sign" => "SigV4 signature",
        _ => operation,
    };
}
