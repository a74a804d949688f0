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

    /// <summary>
    /// The pipeline <see cref="AwsSignatureHandler"/> signs with, over this credential: SigV4 in eu-west-1,
    /// or SigV4a for every region (<c>*</c>); aws-chunked bodies in chunks of <paramref name="chunkSize"/>.
    /// </summary>
    public static AwsSigningPipeline Pipeline(AwsSigningAlgorithm algorithm = AwsSigningAlgorithm.SigV4, int chunkSize = 64 << 10)
    {
        var multiRegion = algorithm == AwsSigningAlgorithm.SigV4a;
        return new AwsSignatureHandler(new AwsSignedRequestOptions
        {
            AccessKeyId = AccessKeyId,
            SecretAccessKey = SecretAccessKey,
            Service = "s3",
            Region = multiRegion ? string.Empty : "eu-west-1",
            SigningAlgorithm = algorithm,
            RegionSet = multiRegion ? ["*"] : [],
            ChunkSize = chunkSize,
        }).Pipeline;
    }
}
