using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Atomic.Credentials.Samples.Webhooks.Tenants;

/// <summary>What the receiver says of one delivery: accepted or not, what it checked, which secret it found.</summary>
internal sealed record Verdict(bool Accepted, string Saw, int SecretVersion = 0);

/// <summary>
/// One tenant's credential, seen from both ends: the definition the sender saves in its store (the
/// JSON object of one configuration entry), and what the tenant's own endpoint expects, which knows
/// only the current secret. Secrets are fresh every run; rotating one makes the old one worthless.
/// </summary>
internal abstract class TenantCredential(string tenant, string credential)
{
    private readonly ConcurrentQueue<string> secretsEverUsed = new();

    /// <summary>The tenant, the first segment of its webhook paths (<c>/hooks/acme/…</c>).</summary>
    public string Tenant => tenant;

    /// <summary>The saved credential's name, <c>tenant/credential</c>.</summary>
    public string Name => credential;

    /// <summary>1, then one more at each rotation.</summary>
    public int SecretVersion { get; private set; } = 1;

    /// <summary>Every secret this credential has had (tokens included): none may ever be printed or stored in clear.</summary>
    public IReadOnlyCollection<string> SecretsEverUsed => secretsEverUsed;

    /// <summary>The request headers this kind sets; any other credential header on a delivery is foreign material.</summary>
    public abstract IReadOnlyList<string> CredentialHeaders { get; }

    /// <summary>The definition to save, as it would stand in appsettings.json.</summary>
    public abstract JsonElement Definition(Uri receiver);

    /// <summary>Checks that <paramref name="request"/> carries exactly this credential, with its current secret.</summary>
    public abstract ValueTask<Verdict> VerifyAsync(HttpRequest request, byte[] body);

    /// <summary>A new secret: the receiver accepts only it from now on.</summary>
    public void Rotate()
    {
        NewSecrets();
        SecretVersion++;
    }

    protected abstract void NewSecrets();

    protected Verdict Accept(string saw) => new(true, saw, SecretVersion);

    protected static Verdict Reject(string saw) => new(false, saw);

    protected string NewSecret(string label)
    {
        var secret = $"{label}-{Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_')}";
        Remember(secret);
        return secret;
    }

    protected void Remember(string secret) => secretsEverUsed.Enqueue(secret);

    protected static bool SameText(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(expected), System.Text.Encoding.UTF8.GetBytes(actual));

    protected static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
