using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Atomic.Credentials.Samples.Webhooks.Tenants;

/// <summary>Basic authentication: the receiver knows the user name and the current password.</summary>
internal sealed class BasicAuthTenant : TenantCredential
{
    private string password;

    public BasicAuthTenant(string tenant, string credential)
        : base(tenant, credential)
    {
        Username = tenant + "-hooks";
        password = NewSecret(tenant + "-password");
    }

    public string Username { get; }

    public override IReadOnlyList<string> CredentialHeaders { get; } = ["Authorization"];

    public override JsonElement Definition(Uri receiver) => Json($$"""
        { "Type": "BasicAuth", "Username": "{{Username}}", "Password": "{{password}}", "AllowedHosts": ["127.0.0.1"] }
        """);

    public override ValueTask<Verdict> VerifyAsync(HttpRequest request, byte[] body)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{password}"));
        return ValueTask.FromResult(SameText(expected, request.Headers.Authorization.ToString())
            ? Accept($"Basic {Username}, password v{SecretVersion}")
            : Reject($"not Basic {Username} with the current password"));
    }

    protected override void NewSecrets() => password = NewSecret(Tenant + "-password");
}
