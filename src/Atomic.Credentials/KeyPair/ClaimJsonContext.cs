using System.Text.Json.Serialization;

namespace Atomic.Credentials.KeyPair;

/// <summary>Source-generated JSON for the few strings the key-pair kind escapes itself (trimming-safe).</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class ClaimJsonContext : JsonSerializerContext;
