namespace Atomic.Credentials.Aws;

internal static class AwsServices
{
    /// <summary>The S3 family: signed the S3 way (decoded key encoded once, no normalization, payload hash header).</summary>
    public static bool IsS3(string service) =>
        service.Equals("s3", StringComparison.OrdinalIgnoreCase)
        || service.Equals("s3express", StringComparison.OrdinalIgnoreCase)
        || service.Equals("s3-object-lambda", StringComparison.OrdinalIgnoreCase)
        || service.Equals("s3-outposts", StringComparison.OrdinalIgnoreCase);
}
