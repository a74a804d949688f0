using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Atomic.Credentials.Samples.Webhooks.Tenants;

/// <summary>Custom headers: an API key the receiver compares with the tenant's current one.</summary>
internal sealed class CustomHeadersTenant : TenantCredential
{
    private string apiKey;

    public CustomHeadersTenant(string tenant, string credential)
        : base(tenant, credential) => apiKey = NewSecret(tenant + "-api-key");

    public override IReadOnlyList<string> CredentialHeaders { get; } = ["X-Api-Key"];

    public override JsonElement Definition(Uri receiver) => Json($$"""
        { "Type": "CustomHeaders", "Headers": { "X-Api-Key": "{{apiKey}}" }, "AllowedHosts": ["127.0.0.1"] }
        """);

    public override ValueTask<Verdict> VerifyAsync(HttpRequest request, byte[] body) =>
        ValueTask.FromResult(request.Headers["X-Api-Key"].ToString() is { Length: > 0 } key && SameText(apiKey, key)
            ? Accept($"X-Api-Key of {Tenant}, key v{SecretVersion}")
            : Reject($"no X-Api-Key of {Tenant} (current key)"));

    protected override void NewSecrets() => apiKey = NewSecret(Tenant + "-api-key");
}
