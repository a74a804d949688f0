using Microsoft.Extensions.Configuration;

namespace Atomic.Credentials.KeyPair;

/// <summary>Binds a <c>KeyPair</c> section; custom claims get their JSON types (see <see cref="ClaimValues"/>).</summary>
internal static class KeyPairConfiguration
{
    public static void Bind(KeyPairOptions options, IConfiguration section)
    {
        section.Bind(options);
        ClaimValues.FromConfiguration(section.GetSection(nameof(KeyPairOptions.Claims)), options.Claims);
    }

}
