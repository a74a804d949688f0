using Atomic.Credentials.Internal;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.OAuth;

internal sealed class OAuthClientCredentialsOptionsValidator : IValidateOptions<OAuthClientCredentialsOptions>
{
    private static readonly TimeSpan MaxCacheDuration = TimeSpan.FromDays(1);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, OAuthClientCredentialsOptions options)
    {
        var errors = new OptionsErrors(name, OAuthClientCredentialsOptions.KindName);
        errors.AddCommon(options);
        ValidateEndpointUrl(errors, nameof(options.IdentityUrl), options.IdentityUrl, options.AllowInsecureTransport);
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

        if (options.CacheDuration <= TimeSpan.Zero || options.CacheDuration > MaxCacheDuration)
        {
            errors.Add(nameof(options.CacheDuration), "must be more than zero and at most one day");
        }

        if (options.TokenRequestTimeout <= TimeSpan.Zero || options.TokenRequestTimeout > MaxTimeout)
        {
            errors.Add(nameof(options.TokenRequestTimeout), "must be more than zero and at most ten minutes");
        }

        ValidateAdditionalParameters(errors, options);
        return errors.Result;
    }

    /// <summary>An endpoint the secret is sent to: absolute, https (http only to loopback or when allowed), no user info or fragment.</summary>
    internal static void ValidateEndpointUrl(OptionsErrors errors, string field, string? url, bool allowInsecureTransport)
    {
        if (!errors.Required(field, url))
        {
            return;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add(field, "must be an absolute http or https URL");
        }
        else if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !allowInsecureTransport)
        {
            // The client secret would cross the network in clear.
            errors.Add(field, "must use https (plain http only to a loopback host, or with AllowInsecureTransport)");
        }
        else if (uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add(field, "must not contain user information or a fragment");
        }
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
