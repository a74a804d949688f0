using Atomic.Credentials.Internal;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.KeyPair;

internal sealed class KeyPairOptionsValidator : CredentialOptionsValidator<KeyPairOptions>
{
    protected override void Check(OptionsErrors errors, KeyPairOptions options)
    {
        errors.AddCommon(options);

        // Loading the key is the only proof that it, its passphrase and the algorithm work together.
        SigningKeyFields.Validate(errors, options.PrivateKey, options.Passphrase, options.Algorithm, options.KeyId)?.Key.Dispose();
        errors.Required(nameof(options.Issuer), options.Issuer);
        errors.NoControlCharacters(nameof(options.Subject), options.Subject);
        errors.NoControlCharacters(nameof(options.Audience), options.Audience);
        errors.NoControlCharacters(nameof(options.TokenType), options.TokenType);
        if (options.Audiences is null)
        {
            errors.Add(nameof(options.Audiences), "must not be null");
        }
        else if (options.Audiences.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add(nameof(options.Audiences), "must not contain an empty audience");
        }

        if (options.Lifetime < TimeSpan.FromSeconds(1))
        {
            // JWT times are whole seconds: a shorter lifetime would expire as it is issued.
            errors.Add(nameof(options.Lifetime), "must be at least 1 second");
        }

        if (!(options.CacheLifetimeRatio > 0 && options.CacheLifetimeRatio <= 1))
        {
            errors.Add(nameof(options.CacheLifetimeRatio), "must be greater than 0 and at most 1");
        }

        ClaimValues.Validate(errors, options.Claims);
    }
}
