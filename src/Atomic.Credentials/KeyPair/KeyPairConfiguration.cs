using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.KeyPair;

/// <summary>Binds a <c>KeyPair</c> section; custom claims get their JSON types (see <see cref="ClaimValues"/>).</summary>
internal static class KeyPairConfiguration
{
    public static void Bind(OptionsBuilder<KeyPairOptions> options, IConfiguration section)
    {
        options.Bind(section);
        options.Configure(bound => ClaimValues.FromConfiguration(section.GetSection(nameof(KeyPairOptions.Claims)), bound.Claims));
    }
}
