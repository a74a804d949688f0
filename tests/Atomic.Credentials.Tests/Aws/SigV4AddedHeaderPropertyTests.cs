using System.Text;
using Atomic.Credentials.Aws;

namespace Atomic.Credentials.Tests.Aws;

/// <summary>
/// The headers a header-mode signature adds (its date, payload hash, session token, region set) are
/// signed from their values before they are put on the request, and a request with no headers of its
/// own is written without reading or sorting anything. Over random requests, what was signed is what
/// the request carries afterwards, read back by the general rule, and the shortcut writes exactly what
/// adding the headers first and reading them back writes. The seed is printed; ATOMIC_SIGV4_SEED replays the run.
/// </summary>
public sealed class SigV4AddedHeaderPropertyTests
{
    private const int Cases = 2000;

    // Names of the caller's headers, the signature's own among them (in any case) so that they collide.
    private static readonly string[] Names =
    [
        "Accept", "X-Custom", "x-amz-meta-tag", "Cookie", "User-Agent", "Host", "X-Amz-Date", "x-amz-content-sha256",
        "X-Amz-Security-Token", "X-Amz-Region-Set", "x-amz-date-other", "X-Amz-Target",
    ];

    private static readonly string[] ValuePieces = ["a", "Z", " ", "  ", "\t", "é", "日", "-", "/", "=", ",", "9"];

    [Test]
    public void What_is_signed_is_what_the_request_carries_once_signed()
    {
        Check((random, _) =>
        {
            using var request = RandomRequest(random);
            var multiRegion = random.Next(3) == 0 ? new SigV4aSigning(random.Next(2) == 0 ? ["*"] : ["us-east-1", "eu-west-1"]) : null;
            var signer = new SigV4Signer("us-east-1", random.Next(2) == 0 ? "s3" : "execute-api", multiRegion);
            var token = random.Next(2) == 0 ? null : "tok" + Generate(random, ValuePieces, 6);
            var payload = random.Next(2) == 0 ? PayloadHash.Empty : PayloadHash.Unsigned;
            var trace = new SigV4Trace();
            var before = Describe(request);

            signer.SignHeaders(request, new SigV4Request(new AwsKeys("AKIDEXAMPLE", "secret", token), At, payload)
            {
                PayloadHashHeader = random.Next(2) == 0,
                Trace = trace,
            });

            // The canonical request's header block and signed-header list, and the same read from the signed request.
            var lines = trace.CanonicalRequest.Split('\n');
            var blank = Array.IndexOf(lines, string.Empty, 3);
            var signedBlock = string.Join('\n', lines[3..blank]) + "\n";
            var (readBlock, readList) = ReadBack(request);
            Assert.Multiple(() =>
            {
                Assert.That(signedBlock, Is.EqualTo(readBlock), before);
                Assert.That(lines[blank + 1], Is.EqualTo(readList), before);
            });
        });
    }

    [Test]
    public void The_added_headers_are_written_as_adding_them_first_and_reading_them_back_writes()
    {
        Check((random, _) =>
        {
            // Two equal requests, made from one seed: one signed by the shortcut, the twin with the headers put on first.
            var seed = random.Next();
            using var request = RandomRequest(new Random(seed));
            using var twin = RandomRequest(new Random(seed));
            var added = RandomAdded(random);

            var canonical = new PooledBytes(16);
            var signed = new PooledBytes(16);
            try
            {
                var taken = SigV4Headers.TryAppend(request, added, ref canonical, ref signed);
                var collides = request.Headers.NonValidated.Concat(request.Content?.Headers.NonValidated ?? default)
                    .Any(header => Each(added).Any(a => a.Name.Equals(header.Key, StringComparison.OrdinalIgnoreCase)));
                Assert.That(taken, Is.EqualTo(!collides), Describe(request));
                if (!taken)
                {
                    Assert.That(canonical.Length + signed.Length, Is.Zero, "nothing is written when a name collides");
                    return;
                }

                foreach (var (name, value) in Each(added))
                {
                    twin.Headers.TryAddWithoutValidation(name, value);
                }

                var (block, list) = ReadBack(twin);
                Assert.Multiple(() =>
                {
                    Assert.That(Encoding.UTF8.GetString(canonical.Written), Is.EqualTo(block), Describe(twin));
                    Assert.That(Encoding.UTF8.GetString(signed.Written), Is.EqualTo(list), Describe(twin));
                });
            }
            finally
            {
                canonical.Dispose();
                signed.Dispose();
            }
        });
    }

    private static readonly DateTimeOffset At = new(2026, 12, 8, 1, 2, 3, TimeSpan.Zero);

    private static HttpRequestMessage RandomRequest(Random seeded)
    {
        string[] targets = ["https://bucket.s3.us-east-1.amazonaws.com/key?x=1", "http://127.0.0.1:9000/a/b", "https://[::1]:8443/", "https://example.com/"];
        var request = new HttpRequestMessage(seeded.Next(2) == 0 ? HttpMethod.Get : HttpMethod.Put, targets[seeded.Next(targets.Length)]);

        // Half have no header of their own (the shortcut), the rest some, in random case, some twice.
        var count = seeded.Next(2) == 0 ? 0 : seeded.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            var name = Names[seeded.Next(Names.Length)];
            var cased = new string([.. name.Select(c => seeded.Next(2) == 0 ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c))]);
            request.Headers.TryAddWithoutValidation(cased, "v" + Generate(seeded, ValuePieces, 5));
        }

        switch (seeded.Next(4))
        {
            case 1:
                request.Content = new StringContent("body " + Generate(seeded, ValuePieces, 4));
                break;
            case 2:
                request.Content = new ByteArrayContent([1, 2, 3]);
                request.Content.Headers.TryAddWithoutValidation(seeded.Next(2) == 0 ? "X-Amz-Date" : "Content-MD5", "v" + Generate(seeded, ValuePieces, 3));
                break;
        }

        return request;
    }

    // A random subset of what a signature adds, as SigV4Signer makes them (the date always).
    private static AddedHeaders RandomAdded(Random random) => new(
        random.Next(2) == 0 ? PayloadHash.Empty : null,
        "20261208T010203Z",
        random.Next(2) == 0 ? "us-east-1,eu-west-1" : null,
        random.Next(2) == 0 ? "tok" + Generate(random, ValuePieces, 8) : null);

    private static IEnumerable<(string Name, string Value)> Each(AddedHeaders added) =>
        Enumerable.Range(0, AddedHeaders.Slots).Where(slot => added.Value(slot) is not null).Select(slot => (AddedHeaders.Name(slot), added.Value(slot)!));

    // The general rule over the request as it is (Authorization is never signed).
    private static (string Block, string List) ReadBack(HttpRequestMessage request)
    {
        var canonical = new PooledBytes(16);
        var signed = new PooledBytes(16);
        try
        {
            SigV4Headers.Append(request, ref canonical, ref signed);
            return (Encoding.UTF8.GetString(canonical.Written), Encoding.UTF8.GetString(signed.Written));
        }
        finally
        {
            canonical.Dispose();
            signed.Dispose();
        }
    }

    private static string Describe(HttpRequestMessage request) =>
        $"{request.Method} {request.RequestUri} headers [{string.Join("; ", request.Headers.NonValidated.Select(h => $"{h.Key}: {h.Value}"))}]"
        + $" content [{string.Join("; ", request.Content?.Headers.NonValidated.Select(h => $"{h.Key}: {h.Value}") ?? [])}]";

    private static void Check(Action<Random, int> property) => SeededCases.Check(Cases, property);

    private static string Generate(Random random, string[] pieces, int most) => SeededCases.Generate(random, pieces, most);
}
