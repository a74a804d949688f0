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

    /// <summary>Binds a section into a fresh instance, claims typed as <see cref="Bind"/> types them.</summary>
    public static KeyPairOptions BindInstance(IConfiguration section)
    {
        var options = section.Get<KeyPairOptions>() ?? new();
        ClaimValues.FromConfiguration(section.GetSection(nameof(KeyPairOptions.Claims)), options.Claims);
        return options;
    }
}
