using Atomic.Credentials.Internal;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Integrations;

internal sealed class MarketoOptionsValidator : CredentialOptionsValidator<MarketoOptions>
{
    protected override void Check(OptionsErrors errors, MarketoOptions options)
    {
        errors.AddCommon(options);
        errors.EndpointUrl(nameof(options.IdentityUrl), options.IdentityUrl, options.AllowInsecureTransport);
        if (Uri.TryCreate(options.IdentityUrl, UriKind.Absolute, out var identity) && identity.Query.Length > 0)
        {
            errors.Add(nameof(options.IdentityUrl), "must not have a query (it is the address shown in Admin › Web Services, e.g. https://123-ABC-456.mktorest.com/identity)");
        }

        if (!string.IsNullOrEmpty(options.RestUrl))
        {
            errors.EndpointUrl(nameof(options.RestUrl), options.RestUrl, options.AllowInsecureTransport);
        }

        errors.Required(nameof(options.ClientId), options.ClientId);
        errors.Required(nameof(options.ClientSecret), options.ClientSecret);
        errors.Timeout(nameof(options.TokenRequestTimeout), options.TokenRequestTimeout);
    }
}
