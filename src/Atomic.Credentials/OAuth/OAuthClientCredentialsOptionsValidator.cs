using Atomic.Credentials.Internal;

namespace Atomic.Credentials.OAuth;

internal sealed class OAuthClientCredentialsOptionsValidator : CredentialOptionsValidator<OAuthClientCredentialsOptions>
{
    private static readonly TimeSpan MaxCacheDuration = TimeSpan.FromDays(1);

    protected override void Check(OptionsErrors errors, OAuthClientCredentialsOptions options)
    {
        errors.EndpointUrl(nameof(options.IdentityUrl), options.IdentityUrl, options.AllowInsecureTransport);
        errors.Required(nameof(options.ClientId), options.ClientId);
        errors.NoControlCharacters(nameof(options.Scope), options.Scope);

        if (!Enum.IsDefined(options.RequestScheme))
        {
            errors.Add(nameof(options.RequestScheme), $"must be one of {string.Join(", ", Enum.GetNames<OAuthRequestScheme>())}");
        }

        switch (options.ClientAuthentication)
        {
            case OAuthClientAuthentication.RequestBody or OAuthClientAuthentication.BasicHeader:
                errors.Required(nameof(options.ClientSecret), options.ClientSecret);
                break;
            case OAuthClientAuthentication.PrivateKeyJwt:
                ClientAssertion.Validate(errors, options);
                break;
            default:
                errors.Add(nameof(options.ClientAuthentication), $"must be one of {string.Join(", ", Enum.GetNames<OAuthClientAuthentication>())}");
                break;
        }

        DpopProof.Validate(errors, options);

        if (options.CacheDuration <= TimeSpan.Zero || options.CacheDuration > MaxCacheDuration)
        {
            errors.Add(nameof(options.CacheDuration), "must be more than zero and at most one day");
        }

        errors.Timeout(nameof(options.TokenRequestTimeout), options.TokenRequestTimeout);

        if (options.TokenRetryBackoffMin <= TimeSpan.Zero || options.TokenRetryBackoffMin > MaxCacheDuration)
        {
            errors.Add(nameof(options.TokenRetryBackoffMin), "must be more than zero and at most one day");
        }

        if (options.TokenRetryBackoffMax < options.TokenRetryBackoffMin || options.TokenRetryBackoffMax > MaxCacheDuration)
        {
            errors.Add(nameof(options.TokenRetryBackoffMax), "must be at least TokenRetryBackoffMin and at most one day");
        }

        ValidateAdditionalParameters(errors, options);
    }

    private static void ValidateAdditionalParameters(OptionsErrors errors, OAuthClientCredentialsOptions options)
    {
        if (options.AdditionalParameters is null)
        {
            errors.Add(nameof(options.AdditionalParameters), "must not be null");
            return;
        }

        foreach (var (parameter, value) in options.AdditionalParameters)
        {
            var field = $"{nameof(options.AdditionalParameters)}:{parameter}";
            if (string.IsNullOrEmpty(parameter))
            {
                errors.Add(nameof(options.AdditionalParameters), "has an empty parameter name");
            }
            else if (!errors.NoControlCharacters(nameof(options.AdditionalParameters), parameter))
            {
                // Reported; the name itself is not repeated.
            }
            else if (TokenRequestParameters.IsSetByCredential(parameter, options))
            {
                errors.Add(field, "is a parameter the credential sets itself; use the credential's own field");
            }
            else if (value is null)
            {
                errors.Add(field, "has no value");
            }
            else
            {
                errors.NoControlCharacters(field, value);
            }
        }
    }
}
