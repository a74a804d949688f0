namespace Atomic.Credentials;

/// <summary>One object of a bucket listing.</summary>
/// <param name="Key">The object's key.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="LastModified">When it was last written.</param>
/// <param name="ETag">Its entity tag, quotes included, as S3 sends it.</param>
public sealed record S3ObjectInfo(string Key, long Size, DateTimeOffset LastModified, string? ETag);
