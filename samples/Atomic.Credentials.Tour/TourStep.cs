namespace Atomic.Credentials.Tour;

/// <summary>
/// One row of the tour: a request sent through a named credential to the demo API; when
/// <paramref name="Expect"/> is set, what the server says it saw must contain it.
/// </summary>
internal sealed record TourStep(string Kind, string Credential, HttpMethod Method, string Path, Func<HttpContent?>? Body = null, string? Expect = null);

/// <summary>What the demo API reports back: what it saw (never a secret) and whether it accepts it.</summary>
internal sealed record Verdict(bool Accepted, string Saw);

/// <summary>
/// One credential kind in the tour: endpoints on the demo API that check the credential on their own
/// (without this library), and the requests that exercise them. The demo API knows the credentials as
/// the partner of each would: <paramref name="credentials"/> (appsettings.json's AtomicCredentials) and
/// <paramref name="saved"/> (credentials-to-save.json, what the tour saves at run time and rotates to).
/// </summary>
internal interface ITourKind
{
    void MapDemoEndpoints(WebApplication api, IConfiguration credentials, IConfiguration saved);

    IEnumerable<TourStep> Steps { get; }
}
