using Atomic.Credentials.Aws;

namespace Atomic.Credentials.Benchmarks;

/// <summary>The AWS benchmarks' credential and bucket: explicit S3 keys in eu-west-1, so signing reads nothing.</summary>
internal static class AwsBenchmarkCredential
{
    public const string AccessKeyId = "AKIDEXAMPLEBENCH";
    public const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    /// <summary>The small S3 GET docs/benchmarks.md describes.</summary>
    public static readonly Uri Target = new("https://reports-bucket.s3.eu-west-1.amazonaws.com/exports/2026/11/summary.csv?versionId=3");

    /// <summary>Where the 1 GiB upload is put.</summary>
    public static readonly Uri Upload = new("https://reports-bucket.s3.eu-west-1.amazonaws.com/exports/big.bin");

    /// <summary>The pipeline <see cref="AwsSignatureHandler"/> signs with, over this credential.</summary>
    public static AwsSigningPipeline Pipeline() =>
        new AwsSignatureHandler(new AwsSignedRequestOptions
        {
            AccessKeyId = AccessKeyId,
            SecretAccessKey = SecretAccessKey,
            Service = "s3",
            Region = "eu-west-1",
        }).Pipeline;
}
