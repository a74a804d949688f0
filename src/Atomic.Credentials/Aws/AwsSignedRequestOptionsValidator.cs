using Atomic.Credentials.Internal;

namespace Atomic.Credentials.Aws;

internal sealed class AwsSignedRequestOptionsValidator : CredentialOptionsValidator<AwsSignedRequestOptions>
{
    protected override void Check(OptionsErrors errors, AwsSignedRequestOptions options)
    {
        Validate(errors, options, nameof(options.Expires));
    }

    /// <summary>
    /// The SigV4 fields' checks, into <paramref name="errors"/>: also a preset's (S3 buckets), under
    /// its own kind name, with <paramref name="expiresField"/> as its name for <c>Expires</c>.
    /// </summary>
    internal static void Validate(OptionsErrors errors, AwsSignedRequestOptions options, string expiresField)
    {
        ScopePart(errors, nameof(options.Service), options.Service);
        if (options.SigningAlgorithm == AwsSigningAlgorithm.SigV4a)
        {
            SigV4aOptionsRules.Check(errors, options);
        }
        else
        {
            ScopePart(errors, nameof(options.Region), options.Region);
            SigV4aOptionsRules.CheckUnused(errors, options);
        }

        if (string.IsNullOrEmpty(options.AccessKeyId))
        {
            // The default chain supplies both halves; a lone secret or token is a mistake, not a choice.
            if (!string.IsNullOrEmpty(options.SecretAccessKey))
            {
                errors.Add(nameof(options.AccessKeyId), "is required when SecretAccessKey is set (leave both out to use AWS's default credential chain)");
            }

            if (!string.IsNullOrEmpty(options.SessionToken))
            {
                errors.Add(nameof(options.AccessKeyId), "is required when SessionToken is set (leave all three out to use AWS's default credential chain)");
            }
        }
        else
        {
            ScopePart(errors, nameof(options.AccessKeyId), options.AccessKeyId);
            errors.Required(nameof(options.SecretAccessKey), options.SecretAccessKey);
            errors.NoControlCharacters(nameof(options.SessionToken), options.SessionToken);
        }

        if (options.Expires <= TimeSpan.Zero || options.Expires > AwsSignedRequestOptions.MaxExpires)
        {
            errors.Add(expiresField, "must be more than zero and at most 7 days (604800 seconds), as AWS requires");
        }
        else if (options.Expires.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add(expiresField, "must be whole seconds (X-Amz-Expires counts seconds)");
        }

        if (!Enum.IsDefined(options.PayloadSigning))
        {
            errors.Add(nameof(options.PayloadSigning), "must be Signed or Unsigned");
        }

        if (!Enum.IsDefined(options.ChunkedUpload))
        {
            errors.Add(nameof(options.ChunkedUpload), "must be WhenNotSeekable, Never or Always");
        }

        if (!Enum.IsDefined(options.StreamingPayload))
        {
            errors.Add(nameof(options.StreamingPayload), "must be SignedChunks or UnsignedWithChecksumTrailer");
        }

        if (!Enum.IsDefined(options.TrailerChecksum))
        {
            errors.Add(nameof(options.TrailerChecksum), "must be Crc32, Crc32c or Sha256");
        }

        if (options.ChunkSize is < AwsSignedRequestOptions.MinChunkSize or > AwsSignedRequestOptions.MaxChunkSize)
        {
            errors.Add(nameof(options.ChunkSize), "must be at least 8192 bytes (8 KiB, S3's smallest chunk) and at most 16777216 (16 MiB)");
        }
    }

    // Parts of the credential scope are '/'-separated: one in a value would shift the others.
    private static void ScopePart(OptionsErrors errors, string field, string? value)
    {
        if (errors.Required(field, value) && (value!.Contains('/', StringComparison.Ordinal) || value.Contains(' ', StringComparison.Ordinal)))
        {
            errors.Add(field, "must not contain '/' or spaces");
        }
    }
}
