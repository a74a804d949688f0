using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Atomic.Credentials.Samples.Webhooks.Tenants;
using Atomic.Credentials.Store;

namespace Atomic.Credentials.Samples.Webhooks;

/// <summary>
/// The platform's side: saves the tenants' credentials, lists them, sends each delivery through one
/// client naming its credential, rotates a secret half-way, and shows what a tenant-limited client
/// and a deleted credential refuse. Every promise goes into <see cref="Checks"/>.
/// </summary>
internal sealed class WebhookSender(ICredentialStore store, IHttpClientFactory clients, Receiver receiver, IReadOnlyList<TenantCredential> tenants, Checks checks)
{
    private readonly Dictionary<string, string> kinds = new(StringComparer.Ordinal);

    public async Task SaveAsync()
    {
        Console.WriteLine("Saved (store.SaveAsync: the JSON object of one configuration entry each):");
        foreach (var tenant in tenants)
        {
            var saved = await store.SaveAsync(tenant.Name, tenant.Definition(receiver.Address));
            kinds[saved.Name] = saved.Type;
            Console.WriteLine($"  {saved.Name,-17} {saved.Type,-23} v{saved.Version}");
        }
    }

    public async Task ListAsync()
    {
        Console.WriteLine("Listed (store.ListAsync: names, types, non-secret fields, version, last change):");
        var listing = new StringBuilder();
        foreach (var info in await store.ListAsync())
        {
            listing.AppendLine(CultureInfo.InvariantCulture, $"  {info.Name,-17} {info.Type,-23} v{info.Version} {info.UpdatedAt:HH:mm:ss} {info.Fields.GetRawText()}");
        }

        var printed = listing.ToString();
        Console.Write(printed);
        checks.Add("the listing shows every saved credential and none of their secrets",
            tenants.All(tenant => printed.Contains(tenant.Name, StringComparison.Ordinal)) && !Secrets().Any(secret => printed.Contains(secret, StringComparison.Ordinal)));
    }

    /// <summary>Sends every delivery through the one client; half-way, <paramref name="rotated"/> gets a new secret.</summary>
    public async Task DeliverAsync(IReadOnlyList<Delivery> deliveries, OAuthTenant rotated)
    {
        var client = clients.CreateClient("webhooks");
        var table = new DeliveryTable();
        var verdicts = new List<(bool AfterRotation, Delivery Delivery, Verdict Verdict)>();
        var received = receiver.DeliveriesReceived;
        for (var i = 0; i < deliveries.Count; i++)
        {
            if (i == deliveries.Count / 2)
            {
                rotated.Rotate();
                var saved = await store.SaveAsync(rotated.Name, rotated.Definition(receiver.Address));
                table.Note($"rotated {rotated.Name}: the tenant now accepts only secret v{rotated.SecretVersion}; store.SaveAsync with it: v{saved.Version}");
            }

            var delivery = deliveries[i];
            var (status, verdict) = await SendAsync(client, delivery);
            verdicts.Add((i >= deliveries.Count / 2, delivery, verdict));
            table.Add(i + 1, delivery.Credential, kinds.GetValueOrDefault(delivery.Credential, "?"), status, verdict.Saw);
        }

        Console.WriteLine($"Deliveries, through one client (AddAtomicCredentialHandler(), request.WithCredential(name)), to {receiver.Address}:");
        table.Print();
        checks.Add($"all {deliveries.Count} deliveries accepted, each with exactly its tenant's credential", verdicts.All(v => v.Verdict.Accepted));
        checks.Add($"each delivery reached the receiver once, none retried ({receiver.DeliveriesReceived - received} requests for {deliveries.Count})",
            receiver.DeliveriesReceived - received == deliveries.Count);
        var ofRotated = verdicts.Where(v => v.Delivery.Credential == rotated.Name).ToList();
        checks.Add($"{rotated.Name} used secret v1 before the rotation and v{rotated.SecretVersion} from the next delivery on",
            ofRotated.Any(v => v.AfterRotation) && ofRotated.All(v => v.Verdict.SecretVersion == (v.AfterRotation ? rotated.SecretVersion : 1)));

        // The tenant's side of the rotation, asked directly (a plain client, no credential handler).
        using var oldSecret = await clients.CreateClient().PostAsync(new Uri(receiver.Address, "oauth/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = rotated.ClientId, ["client_secret"] = rotated.PreviousSecret!,
        }));
        checks.Add($"after the rotation the receiver refuses {rotated.Name}'s old secret ({(int)oldSecret.StatusCode})", (int)oldSecret.StatusCode == 401);
    }

    /// <summary>The receiver is no rubber stamp: each tenant's endpoint, sent another tenant's credential, refuses it.</summary>
    public async Task CrossTenantAsync()
    {
        var client = clients.CreateClient("webhooks");
        var answers = new List<string>();
        for (var i = 0; i < tenants.Count; i++)
        {
            var (path, wrong) = ($"/hooks/{tenants[i].Tenant}/events", tenants[(i + 1) % tenants.Count].Name);
            var (status, verdict) = await SendAsync(client, new Delivery(wrong, path, default));
            answers.Add(status);
            Console.WriteLine($"  {path} with {wrong}: {status}, {verdict.Saw}");
        }

        checks.Add($"every tenant's endpoint refuses another tenant's credential ({answers.Count} tries: {string.Join(", ", answers.Distinct())})", answers.All(status => status == "401"));
    }

    /// <summary>A client limited to <c>acme/</c> applies acme's credentials and refuses another tenant's before sending.</summary>
    public async Task TenantLimitedAsync(string own, string foreign, string foreignPath)
    {
        var acmeOnly = clients.CreateClient("acme-only");
        var (ownStatus, _) = await SendAsync(acmeOnly, new Delivery(own, "/hooks/acme/orders", default));
        var before = receiver.DeliveriesReceived;
        var (status, verdict) = await SendAsync(acmeOnly, new Delivery(foreign, foreignPath, default));
        Console.WriteLine("A client limited to names under 'acme/' (AddAtomicCredentialHandler(o => o.NamePrefix = \"acme/\")):");
        Console.WriteLine($"  {own}: {ownStatus}");
        Console.WriteLine($"  {foreign}: {status}: {verdict.Saw}");
        checks.Add($"the acme/ client refuses {foreign} before sending (the receiver saw nothing)", status == "not sent" && receiver.DeliveriesReceived == before && ownStatus == "200");
    }

    /// <summary>A deleted credential's next request is refused before it is sent.</summary>
    public async Task DeleteAsync(string name, string path)
    {
        var deleted = await store.DeleteAsync(name);
        var before = receiver.DeliveriesReceived;
        var (status, verdict) = await SendAsync(clients.CreateClient("webhooks"), new Delivery(name, path, default));
        Console.WriteLine($"Deleted {name} (store.DeleteAsync: {deleted}); its next delivery: {status}: {verdict.Saw}");
        checks.Add($"after store.DeleteAsync, a delivery naming {name} is refused before sending", deleted && status == "not sent" && receiver.DeliveriesReceived == before);
    }

    /// <summary>Every secret of every tenant, rotated ones and issued tokens included.</summary>
    public IEnumerable<string> Secrets() => tenants.SelectMany(tenant => tenant.SecretsEverUsed);

    private async Task<(string Status, Verdict Verdict)> SendAsync(HttpClient client, Delivery delivery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(receiver.Address, delivery.Path.TrimStart('/')))
        {
            Content = new StringContent(delivery.Body.ValueKind == default ? "{}" : delivery.Body.GetRawText(), Encoding.UTF8, "application/json"),
        };
        request.WithCredential(delivery.Credential);
        try
        {
            using var response = await client.SendAsync(request);
            var verdict = await response.Content.ReadFromJsonAsync<Verdict>() ?? new Verdict(false, "no answer");
            return (((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), verdict);
        }
        catch (CredentialException exception)
        {
            return ("not sent", new Verdict(false, exception.Message));
        }
    }
}
