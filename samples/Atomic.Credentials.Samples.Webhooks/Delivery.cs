using System.Text.Json;

namespace Atomic.Credentials.Samples.Webhooks;

/// <summary>One webhook to send: the saved credential it names, the receiver's path, the JSON body.</summary>
internal sealed record Delivery(string Credential, string Path, JsonElement Body)
{
    /// <summary>Reads a JSON array of deliveries, such as <c>deliveries.json</c>.</summary>
    public static async Task<IReadOnlyList<Delivery>> LoadAsync(string path)
    {
        await using var file = File.OpenRead(path);
        var deliveries = await JsonSerializer.DeserializeAsync<List<Delivery>>(file, JsonSerializerOptions.Web);
        return deliveries is { Count: > 0 } && deliveries.All(d => d.Credential is not null && d.Path is not null)
            ? deliveries
            : throw new InvalidDataException($"{path}: expected a JSON array of {{ \"credential\", \"path\", \"body\" }} objects.");
    }
}
