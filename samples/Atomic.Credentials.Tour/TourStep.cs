namespace Atomic.Credentials.Tour;

/// <summary>One row of the tour: a request sent through a named credential to the demo API.</summary>
internal sealed record TourStep(string Kind, string Credential, HttpMethod Method, string Path, Func<HttpContent?>? Body = null);

/// <summary>What the demo API reports back: what it saw (never a secret) and whether it accepts it.</summary>
internal sealed record Verdict(bool Accepted, string Saw);

/// <summary>
/// One credential kind in the tour: endpoints on the demo API that check the credential on their own
/// (without this library), and the requests that exercise them.
/// </summary>
internal interface ITourKind
{
    void MapDemoEndpoints(WebApplication api, IConfiguration credentials);

    IEnumerable<TourStep> Steps { get; }
}
