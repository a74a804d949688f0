using Atomic.Credentials.Samples.Webhooks.Tenants;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Atomic.Credentials.Samples.Webhooks;

/// <summary>
/// The tenants' webhook endpoints on 127.0.0.1, a free port. <c>POST /hooks/{tenant}/…</c> accepts a
/// delivery only when it carries exactly that tenant's credential with its current secret, and no
/// credential header of another kind; <c>POST /oauth/token</c> issues tokens to each OAuth client for
/// its current secret.
/// </summary>
internal sealed class Receiver : IAsyncDisposable
{
    // Every header a credential of the sample sets: a delivery may carry only its own tenant's.
    private static readonly string[] CredentialHeaders = ["Authorization", "X-Api-Key", "X-Amz-Date", "X-Amz-Content-Sha256", "X-Amz-Security-Token"];
    private readonly WebApplication app;
    private readonly Dictionary<string, TenantCredential> tenants;
    private int deliveries;

    private Receiver(WebApplication app, IEnumerable<TenantCredential> tenants)
    {
        this.app = app;
        this.tenants = tenants.ToDictionary(tenant => tenant.Tenant, StringComparer.Ordinal);
    }

    public Uri Address => new(app.Urls.First() + "/");

    /// <summary>How many deliveries reached the receiver (token requests apart).</summary>
    public int DeliveriesReceived => Volatile.Read(ref deliveries);

    public static async Task<Receiver> StartAsync(IEnumerable<TenantCredential> tenants)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new Receiver(builder.Build(), tenants);
        receiver.app.MapPost("/oauth/token", receiver.TokenAsync);
        receiver.app.MapPost("/hooks/{tenant}/{**path}", receiver.DeliverAsync);
        await receiver.app.StartAsync();
        return receiver;
    }

    public ValueTask DisposeAsync() => app.DisposeAsync();

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var client = tenants.Values.OfType<OAuthTenant>().FirstOrDefault(tenant => tenant.ClientId == form["client_id"]);
        var token = form["grant_type"] == "client_credentials" ? client?.Issue(form["client_secret"]) : null;
        return token is null
            ? Results.Json(new Dictionary<string, string> { ["error"] = "invalid_client" }, statusCode: 401)
            : Results.Json(new Dictionary<string, object> { ["access_token"] = token, ["token_type"] = "Bearer", ["expires_in"] = 300 });
    }

    private async Task<IResult> DeliverAsync(string tenant, HttpRequest request)
    {
        Interlocked.Increment(ref deliveries);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        if (!tenants.TryGetValue(tenant, out var owner))
        {
            return Results.Json(new Verdict(false, $"no tenant '{tenant}'"), statusCode: 404);
        }

        var foreign = CredentialHeaders.Except(owner.CredentialHeaders, StringComparer.OrdinalIgnoreCase).Where(request.Headers.ContainsKey).ToList();
        var verdict = foreign.Count > 0
            ? new Verdict(false, $"carries {string.Join(", ", foreign)}, not a header of {owner.Name}")
            : await owner.VerifyAsync(request, buffer.ToArray());
        return Results.Json(verdict, statusCode: verdict.Accepted ? 200 : 401);
    }
}
