using System.Text.Json;

namespace Atomic.Credentials.Store;

/// <summary>A saved credential as the store shows it: never a secret.</summary>
/// <param name="Name">The credential's name.</param>
/// <param name="Type">Its kind, the definition's <c>Type</c>.</param>
/// <param name="Fields">The definition's non-secret fields, as a JSON object (secret fields are left out).</param>
/// <param name="Version">Increases by one at every save of this name.</param>
/// <param name="UpdatedAt">When it was last saved.</param>
public sealed record SavedCredentialInfo(string Name, string Type, JsonElement Fields, long Version, DateTimeOffset UpdatedAt);
