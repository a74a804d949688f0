using System.Diagnostics.CodeAnalysis;

namespace Atomic.Credentials;

/// <summary>Whether an AWS signature covers the request body.</summary>
[SuppressMessage("Naming", "CA1720", Justification = "Signed/Unsigned are the configuration values users write (PayloadSigning: Unsigned).")]
public enum AwsPayloadSigning
{
    /// <summary>
    /// The body's SHA-256 is signed. Seekable content is hashed as a stream and rewound, never
    /// buffered; content that cannot be rewound is refused before anything is sent.
    /// </summary>
    Signed = 0,

    /// <summary>
    /// <c>UNSIGNED-PAYLOAD</c> over https (S3), so large or streamed bodies are not read for the
    /// signature. Over plain http the body is hashed anyway.
    /// </summary>
    Unsigned = 1,
}
