using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Atomic.Credentials.Samples.Webhooks.Tenants;

/// <summary>
/// OAuth client credentials: the receiver's token endpoint issues tokens to this client for its
/// current secret, and its webhook endpoint accepts only tokens issued to this client since the
/// last rotation.
/// </summary>
internal sealed class OAuthTenant : TenantCredential
{
    private readonly ConcurrentDictionary<string, (int Number, int SecretVersion)> issued = new(StringComparer.Ordinal);
    private string clientSecret;
    private int tokens;

    public OAuthTenant(string tenant, string credential)
        : base(tenant, credential)
    {
        ClientId = tenant + "-webhooks";
        clientSecret = NewSecret(tenant + "-client-secret");
    }

    public string ClientId { get; }

    /// <summary>The secret before the last rotation, for the sample to show it is refused now.</summary>
    public string? PreviousSecret { get; private set; }

    public override IReadOnlyList<string> CredentialHeaders { get; } = ["Authorization"];

    public override JsonElement Definition(Uri receiver) => Json($$"""
        { "Type": "OAuthClientCredentials", "IdentityUrl": "{{new Uri(receiver, "oauth/token")}}",
          "ClientId": "{{ClientId}}", "ClientSecret": "{{clientSecret}}", "Scope": "webhooks.send",
          "AllowedHosts": ["127.0.0.1"] }
        """);

    /// <summary>The token endpoint's answer to this client: a new token, or null when the secret is not the current one.</summary>
    public string? Issue(string? secret)
    {
        if (secret is null || !SameText(clientSecret, secret))
        {
            return null;
        }

        var token = NewSecret(ClientId + "-token");
        issued[token] = (Interlocked.Increment(ref tokens), SecretVersion);
        return token;
    }

    public override ValueTask<Verdict> VerifyAsync(HttpRequest request, byte[] body)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return ValueTask.FromResult(Reject("no Bearer token"));
        }

        if (!issued.TryGetValue(header["Bearer ".Length..], out var token))
        {
            return ValueTask.FromResult(Reject($"a Bearer token not issued to {ClientId}"));
        }

        return ValueTask.FromResult(token.SecretVersion == SecretVersion
            ? Accept($"Bearer token #{token.Number} issued to {ClientId} for secret v{token.SecretVersion}")
            : Reject($"token #{token.Number} of secret v{token.SecretVersion}, revoked by the rotation"));
    }

    protected override void NewSecrets()
    {
        PreviousSecret = clientSecret;
        clientSecret = NewSecret(Tenant + "-client-secret");
    }
}
