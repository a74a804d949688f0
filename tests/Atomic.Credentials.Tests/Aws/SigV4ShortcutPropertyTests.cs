using System.Text;
using System.Text.RegularExpressions;
using Atomic.Credentials.Aws;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// The signer's shortcuts for the usual request (a path copied whole, a single query parameter not
/// sorted, ASCII text narrowed without UTF-8 work, a value without spaces copied, Strip removing only
/// the headers it finds, or clearing them all when nothing else is there) write exactly what the general rules write, over random inputs. The seed is
/// printed; ATOMIC_SIGV4_SEED replays the run.
/// </summary>
public sealed partial class SigV4ShortcutPropertyTests
{
    private const int Cases = 2000;

    // Unreserved characters, slashes and dots (for "." and ".." segments), then what forces the general path.
    private static readonly string[] PathPieces = ["a", "Z", "0", "-", "_", "~", ".", "..", "/", "/", "//", "%41", "%2F", "%zz", "é", "+", "!", " "];
    private static readonly string[] QueryPieces = ["a", "Z", "9", "=", "==", "+", "%20", "%2B", "%41", "%zz", "%", "é", "日", "~", ".", "x y", "*", "-_"];
    private static readonly string[] TextPieces = ["a", "Z", " ", "\t", "  ", "é", "日", "😀", "\r\n", "-", "/", "\u007f", "\0"];

    [Test]
    public void A_path_copied_whole_is_what_each_rule_writes()
    {
        Check((random, i) =>
        {
            var path = Generate(random, PathPieces, 8);
            if (i % 2 == 0)
            {
                path = "/" + path;
            }

            foreach (var s3 in new[] { true, false })
            {
                var ours = Written((ref PooledBytes output) => CanonicalPath.Append(ref output, path, s3));
                var expected = s3 ? ReferenceS3Path(path) : ReferenceNormalizedPath(path);
                Assert.That(ours, Is.EqualTo(expected), $"path '{path}', s3 {s3}");
            }
        });
    }

    [Test]
    public void A_single_query_parameter_is_written_as_the_sorted_general_form_writes_it()
    {
        Check((random, _) =>
        {
            var parameter = Generate(random, QueryPieces, 6);

            // A trailing '&' adds only an empty pair, which is skipped: the general (sorting) path, the same parameter.
            var single = Written((ref PooledBytes output) => CanonicalQuery.Append(ref output, parameter, default));
            var general = Written((ref PooledBytes output) => CanonicalQuery.Append(ref output, parameter + "&", default));
            Assert.That(single, Is.EqualTo(general), $"query '{parameter}'");
        });
    }

    [Test]
    public void Text_is_appended_as_its_utf8_bytes()
    {
        Check((random, _) =>
        {
            var text = Generate(random, TextPieces, 12);
            var output = new PooledBytes(random.Next(1, 64));
            try
            {
                output.Append((byte)'>');
                output.Append(text.AsSpan());
                Assert.That(output.Written.ToArray(), Is.EqualTo(Encoding.UTF8.GetBytes(">" + text)), $"text '{text}'");
            }
            finally
            {
                output.Dispose();
            }
        });
    }

    [Test]
    public void A_header_value_is_trimmed_and_its_runs_of_spaces_collapsed_whatever_shortcut_it_takes()
    {
        Check((random, _) =>
        {
            var value = Generate(random, TextPieces, 10);
            var ours = Written((ref PooledBytes output) => SigV4Headers.AppendTrimmed(ref output, value));
            var expected = Spaces().Replace(value.Trim(' ', '\t', '\r', '\n'), " ");
            Assert.That(ours, Is.EqualTo(expected), $"value '{Regex.Escape(value)}'");
        });
    }

    [Test]
    public void The_authorization_value_is_its_parts_as_their_utf8_bytes_read_back()
    {
        var secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        var now = new DateTimeOffset(2026, 12, 7, 23, 0, 5, TimeSpan.Zero);
        Check((random, _) =>
        {
            // Key ids and scopes with spaces, non-ASCII letters and emoji: made one string from their parts, not from bytes.
            var keyId = "AK" + Generate(random, TextPieces, 6).Replace("\0", string.Empty, StringComparison.Ordinal).Replace("\r\n", string.Empty, StringComparison.Ordinal);
            var region = "r" + Generate(random, ["a", "-", "1", "é"], 8);
            var service = "s" + Generate(random, ["a", "3", "日"], 4);
            var trace = new SigV4Trace();
            using var request = new HttpRequestMessage(HttpMethod.Get, "https://example.com/a?b=c");
            new SigV4Signer(region, service).SignHeaders(request, new SigV4Request(new AwsKeys(keyId, secret, null), now, PayloadHash.Empty) { Trace = trace });

            var signedHeaders = trace.CanonicalRequest.Split('\n')[^2];
            var expected = $"AWS4-HMAC-SHA256 Credential={keyId}/20261207/{region}/{service}/aws4_request, SignedHeaders={signedHeaders}, "
                + $"Signature={Convert.ToHexStringLower(Hmac(SigningKey(secret, "20261207", region, service), trace.StringToSign))}";
            Assert.That(request.Headers.NonValidated["Authorization"].ToString(), Is.EqualTo(expected), $"key id '{keyId}', region '{region}', service '{service}'");
        });
    }

    [Test]
    public void One_signer_keeps_its_authorization_prefix_only_while_key_day_and_signed_headers_stay_the_same()
    {
        var secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        string[] keyIds = ["AKIDONE", "AKIDTWO", "AKIDONE2"];
        string[] extras = ["X-Amz-Meta-A", "Accept", "X-Custom"];
        Check((random, _) =>
        {
            // A run of signatures through one signer, a few keys, days and header sets in random order: each change
            // must be seen, and what did not change reused.
            var signer = new SigV4Signer("eu-west-1", "s3");
            for (var step = 0; step < 8; step++)
            {
                var keyId = keyIds[random.Next(keyIds.Length)];
                var now = new DateTimeOffset(2026, 12, 6 + random.Next(2), 23, 59, 58 + random.Next(2), TimeSpan.Zero);
                using var request = new HttpRequestMessage(HttpMethod.Get, "https://bucket.s3.eu-west-1.amazonaws.com/k");
                foreach (var extra in extras.Where(_ => random.Next(2) == 0))
                {
                    request.Headers.TryAddWithoutValidation(extra, "v");
                }

                var trace = new SigV4Trace();
                signer.SignHeaders(request, new SigV4Request(new AwsKeys(keyId, secret, null), now, PayloadHash.Empty) { PayloadHashHeader = random.Next(2) == 0, Trace = trace });

                var date = now.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
                var signedHeaders = trace.CanonicalRequest.Split('\n')[^2];
                var expected = $"AWS4-HMAC-SHA256 Credential={keyId}/{date}/eu-west-1/s3/aws4_request, SignedHeaders={signedHeaders}, "
                    + $"Signature={Convert.ToHexStringLower(Hmac(SigningKey(secret, date, "eu-west-1", "s3"), trace.StringToSign))}";
                Assert.That(request.Headers.NonValidated["Authorization"].ToString(), Is.EqualTo(expected), $"step {step}: key id {keyId}, {now:O}");
            }
        });
    }

    // kSigning computed here from the definition, one HMAC after another.
    private static byte[] SigningKey(string secret, string date, string region, string service) =>
        Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date), region), service), "aws4_request");

    private static byte[] Hmac(byte[] key, string data) => System.Security.Cryptography.HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    [Test]
    public void Strip_takes_off_the_headers_a_signature_adds_in_any_case_and_nothing_else()
    {
        string[] ours = ["Authorization", "X-Amz-Date", "X-Amz-Security-Token", "x-amz-content-sha256"];
        string[] others = ["Accept", "X-Amz-Meta-Tag", "X-Custom", "x-amz-date-other", "Authorization2", "Cookie"];
        foreach (var service in new[] { "s3", "execute-api" })
        {
            var state = new AwsSigningState(AwsTestSupport.Options(service));
            Check((random, _) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "https://bucket.s3.us-east-1.amazonaws.com/key");
                var added = new List<string>();
                foreach (var name in ours.Concat(others).Where(_ => random.Next(2) == 0))
                {
                    var cased = new string([.. name.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c))]);
                    request.Headers.TryAddWithoutValidation(cased, "v");
                    added.Add(name);
                }

                AwsSigningPipeline.Strip(state, request);

                // x-amz-content-sha256 is ours on S3 only; another service's caller may set it.
                var expected = added.Where(name => !ours.Contains(name) || (service != "s3" && name == "x-amz-content-sha256")).Select(name => name.ToLowerInvariant()).Order();
                var left = request.Headers.NonValidated.Select(header => header.Key.ToLowerInvariant()).Order();
                Assert.That(left, Is.EqualTo(expected), $"{service}: added {string.Join(", ", added)}");
            });
        }
    }

    private static void Check(Action<Random, int> property) => SeededCases.Check(Cases, property);

    private static string Generate(Random random, string[] pieces, int most) => SeededCases.Generate(random, pieces, most);

    private delegate void Writer(ref PooledBytes output);

    private static string Written(Writer write)
    {
        var output = new PooledBytes(16);
        try
        {
            write(ref output);
            return Encoding.UTF8.GetString(output.Written);
        }
        finally
        {
            output.Dispose();
        }
    }

    // S3: each segment of the wire path decoded ("%XX" only) and encoded once, never normalized.
    private static string ReferenceS3Path(string path) =>
        path.Length == 0 ? "/" : string.Join("/", path.Split('/').Select(segment => Encode(Decode(segment))));

    // Other services: "." and empty segments dropped, ".." drops the one before, the wire text encoded again.
    private static string ReferenceNormalizedPath(string path)
    {
        if (path.Length == 0)
        {
            return "/";
        }

        var kept = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (kept.Count > 0)
                {
                    kept.RemoveAt(kept.Count - 1);
                }

                continue;
            }

            kept.Add(segment);
        }

        var joined = string.Join("/", kept.Select(segment => Encode(Encoding.UTF8.GetBytes(segment))));
        var lead = path[0] == '/' || kept.Count == 0 ? "/" : string.Empty;
        var trail = kept.Count > 0 && path[^1] == '/' ? "/" : string.Empty;
        return lead + joined + trail;
    }

    private static byte[] Decode(string segment)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < segment.Length; i++)
        {
            if (segment[i] == '%' && i + 2 < segment.Length && Uri.IsHexDigit(segment[i + 1]) && Uri.IsHexDigit(segment[i + 2]))
            {
                bytes.Add(Convert.ToByte(segment.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(segment[i].ToString()));
            }
        }

        return [.. bytes];
    }

    private static string Encode(byte[] bytes) =>
        string.Concat(bytes.Select(b => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~' ? ((char)b).ToString() : $"%{b:X2}"));

    [GeneratedRegex("[ \t\r\n]+")]
    private static partial Regex Spaces();
}
