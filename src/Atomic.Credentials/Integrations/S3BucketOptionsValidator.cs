using Atomic.Credentials.Aws;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Options;

namespace Atomic.Credentials.Integrations;

internal sealed class S3BucketOptionsValidator : CredentialOptionsValidator<S3BucketOptions>
{
    private static readonly System.Buffers.SearchValues<char> BucketCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789.-");

    protected override void Check(OptionsErrors errors, S3BucketOptions options)
    {
        var bucket = options.BucketName;
        if (errors.Required(nameof(options.BucketName), bucket)
            && (bucket.Length is < 3 or > 63 || bucket.AsSpan().ContainsAnyExcept(BucketCharacters)))
        {
            errors.Add(nameof(options.BucketName), "must be an S3 bucket name: 3 to 63 lowercase letters, digits, '.' or '-'");
        }

        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            errors.EndpointUrl(nameof(options.ServiceUrl), options.ServiceUrl, options.AllowInsecureTransport);
        }

        // Without a service URL the region is part of the bucket's host name.
        if (string.IsNullOrEmpty(options.ServiceUrl) && !string.IsNullOrEmpty(options.Region) && !OptionsErrors.IsHostLabel(options.Region))
        {
            errors.Add(nameof(options.Region), "must be an AWS region name (letters, digits and '-'), e.g. eu-west-1");
        }

        // Keys, region, expiry and host rules are the SigV4 kind's own, judged by its checks under
        // this kind's name (its fields have the same names, except Expires).
        AwsSignedRequestOptionsValidator.Validate(errors, options.Signing(), nameof(options.PresignedUrlExpiry));
    }
}
