using System.Net;
using Atomic.Credentials.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Atomic.Credentials.Tests.Core;

/// <summary>
/// Random redirect chains (seeded; the seed is printed on failure, and ATOMIC_REDIRECT_SEED replays
/// one) checked against a model of the rule written here, independently of the follower: material
/// rides a hop exactly while every hop so far stayed on the origin the request was sent to and the
/// guard allows the target; https never goes down to http; methods and bodies change as HttpClient
/// changes them; no more hops than the maximum.
/// </summary>
public sealed class RedirectFollowerPropertyTests
{
    private const string Secret = "s3cret-material";
    private static readonly Uri Original = new("https://api.example.com/start");

    // The original origin; the same host on another port (another origin); another host the guard
    // allows; a foreign one.
    private static readonly string[] Authorities = ["api.example.com", "api.example.com:8443", "files.example.com", "evil.example.net"];
    private static readonly int[] Statuses = [301, 302, 303, 307, 308];
    private static readonly HttpMethod[] Methods = [HttpMethod.Get, HttpMethod.Post, HttpMethod.Put];

    [Test]
    public Task The_follower_applies_material_exactly_where_the_rule_says_on_random_chains() =>
        CheckAsync(1000, guardDeniesPaths: true, FollowDirectlyAsync);

    [Test]
    public Task A_real_credential_handler_follows_random_chains_by_the_same_rule() =>
        CheckAsync(300, guardDeniesPaths: false, FollowThroughHandlerAsync);

    private static async Task CheckAsync(int cases, bool guardDeniesPaths, Func<Chain, Task<Outcome>> run)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("ATOMIC_REDIRECT_SEED"), out var fixedSeed) ? fixedSeed : Random.Shared.Next();
        for (var i = 0; i < cases; i++)
        {
            // Each case's seed drawn from the run's, not seed + i: System.Random's first draws from consecutive seeds
            // are correlated, and the chains would vary less than they seem to.
            var caseSeed = CaseSeed(seed, i);
            var chain = Chain.Generate(new Random(caseSeed), guardDeniesPaths);
            var expected = Model(chain);
            Outcome actual;
            try
            {
                actual = await run(chain);
            }
            catch (Exception exception)
            {
                throw new AssertionException($"run seed {seed}, case {i} (ATOMIC_REDIRECT_SEED={seed} replays the run; case seed {caseSeed}): {chain} threw {exception}");
            }

            var context = $"run seed {seed}, case {i} (ATOMIC_REDIRECT_SEED={seed} replays the run; case seed {caseSeed}): {chain}\n expected {expected}\n actual   {actual}";
            Assert.That(actual.Sent, Has.Count.LessThanOrEqualTo(chain.MaxRedirects + 1), "bounded: " + context);
            Assert.That(actual.Sent.Where(s => s.Material).Select(s => s.Authority).Distinct(), Is.SubsetOf(new[] { Authorities[0] }), "material off the original origin: " + context);
            Assert.That(actual.ToString(), Is.EqualTo(expected.ToString()), context);
        }
    }

    // SplitMix64's finalizer over (seed, case): neighbouring cases get unrelated seeds.
    private static int CaseSeed(int seed, int index)
    {
        var z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    /// <summary>The rule, as the issue states it, over the generated chain.</summary>
    private static Outcome Model(Chain chain)
    {
        var sent = new List<Sent> { new(Original, chain.Method, chain.Body, Material: true) };
        var (current, method, body) = (Original, chain.Method, chain.Body);
        var stayed = true;
        for (var hop = 0; ; hop++)
        {
            if (hop >= chain.Hops.Count)
            {
                return new Outcome(sent, 200);
            }

            var step = chain.Hops[hop];
            if (hop >= chain.MaxRedirects || step.Location is null)
            {
                return new Outcome(sent, step.Status);
            }

            var target = new Uri(current, step.Location);
            if (target.Scheme == Uri.UriSchemeHttp)
            {
                return new Outcome(sent, step.Status);
            }

            if ((step.Status is 301 or 302 && method == HttpMethod.Post) || (step.Status == 303 && method != HttpMethod.Get))
            {
                (method, body) = (HttpMethod.Get, null);
            }
            else if (body is { Replayable: false })
            {
                return new Outcome(sent, step.Status);
            }

            stayed = stayed && target.Authority == Original.Authority && target.Scheme == Original.Scheme;
            sent.Add(new Sent(target, method, body, stayed && chain.Allows(target)));
            current = target;
        }
    }

    /// <summary>The follower alone, as the pipeline drives it: apply, send, follow.</summary>
    private static async Task<Outcome> FollowDirectlyAsync(Chain chain)
    {
        var server = new ChainServer(chain);
        var hops = new FakeHops(chain);
        using var request = chain.Request();
        await hops.ApplyAsync(request, CancellationToken.None);
        var response = await server.SendAsync(request, CancellationToken.None);
        if (RedirectFollower.IsRedirect(response.StatusCode))
        {
            response = await RedirectFollower.FollowAsync(hops, request, response, chain.MaxRedirects, server.SendAsync, CancellationToken.None);
        }

        using (response)
        {
            return new Outcome(server.Sent, (int)response.StatusCode);
        }
    }

    /// <summary>
    /// A CustomHeadersHandler over a primary handler that is an HttpClientHandler (so the handler
    /// turns its redirects off and follows them itself), answering from the chain.
    /// </summary>
    private static async Task<Outcome> FollowThroughHandlerAsync(Chain chain)
    {
        var server = new ChainServer(chain);
        var options = new CustomHeadersOptions { AllowedHosts = ["api.example.com", "files.example.com"] };
        options.Headers[FakeHops.Header] = Secret;
        using var primary = new ChainClientHandler(server) { MaxAutomaticRedirections = chain.MaxRedirects };
        using var client = new HttpClient(new CustomHeadersHandler(options) { InnerHandler = primary }, disposeHandler: false);
        using var request = chain.Request();
        using var response = await client.SendAsync(request);
        return new Outcome(server.Sent, (int)response.StatusCode);
    }

    private sealed record Body(byte[] Bytes, bool Replayable)
    {
        public HttpContent Content() => Replayable ? new ByteArrayContent(Bytes) : new StreamContent(new MemoryStream(Bytes));

        public override string ToString() => $"{Convert.ToHexString(Bytes)}{(Replayable ? string.Empty : " (stream)")}";
    }

    private sealed record Step(int Status, string? Location)
    {
        public override string ToString() => $"{Status} {Location ?? "(no Location)"}";
    }

    private sealed record Sent(Uri Uri, HttpMethod Method, Body? Body, bool Material)
    {
        public string Authority => Uri.Authority;

        public override string ToString() => $"{Method} {Uri.AbsoluteUri} body={Body?.ToString() ?? "none"} material={Material}";
    }

    private sealed record Outcome(IReadOnlyList<Sent> Sent, int Status)
    {
        public override string ToString() => $"[{string.Join(" | ", Sent)}] -> {Status}";
    }

    private sealed record Chain(HttpMethod Method, Body? Body, IReadOnlyList<Step> Hops, int MaxRedirects, IReadOnlySet<string> DeniedPaths)
    {
        public static Chain Generate(Random random, bool guardDeniesPaths)
        {
            var method = Methods[random.Next(Methods.Length)];
            Body? body = method == HttpMethod.Get ? null : new Body(RandomBytes(random), Replayable: random.Next(5) > 0);
            var hops = new List<Step>();
            var count = random.Next(7);
            for (var i = 1; i <= count; i++)
            {
                var status = Statuses[random.Next(Statuses.Length)];
                var authority = Authorities[random.Next(Authorities.Length)];
                var path = $"/p{i}";
                string? location = random.Next(20) switch
                {
                    0 => null,
                    < 4 => $"http://{authority}{path}",         // an https -> http attempt
                    < 8 => path,                                // relative: the current origin
                    < 10 => path[1..] + "?page=" + i,           // relative to the current folder
                    < 14 => $"//{authority}{path}",             // scheme-relative
                    _ => $"https://{authority}{path}",
                };
                hops.Add(new Step(status, location));
            }

            // The fake guard may refuse a path picked at random: "and the guard allows it" is half the rule.
            var denied = Enumerable.Range(1, 6).Where(_ => guardDeniesPaths && random.Next(7) == 0).Select(i => $"/p{i}").ToHashSet();
            return new Chain(method, body, hops, random.Next(1, 8), denied);
        }

        /// <summary>The guard of the fake: https only, two hosts, not the denied paths.</summary>
        public bool Allows(Uri target) =>
            target.Scheme == Uri.UriSchemeHttps && target.Host is "api.example.com" or "files.example.com" && !DeniedPaths.Contains(target.AbsolutePath);

        public HttpRequestMessage Request() => new(Method, Original) { Content = Body?.Content() };

        public override string ToString() =>
            $"{Method} {Original} body={Body?.ToString() ?? "none"} max={MaxRedirects} denied=[{string.Join(",", DeniedPaths)}] hops=[{string.Join(" ; ", Hops)}]";

        private static byte[] RandomBytes(Random random)
        {
            var bytes = new byte[random.Next(1, 9)];
            random.NextBytes(bytes);
            return bytes;
        }
    }

    /// <summary>Answers request n with hop n of the chain (200 past its end) and records what each carried.</summary>
    private sealed class ChainServer(Chain chain)
    {
        private readonly List<Sent> sent = [];

        public IReadOnlyList<Sent> Sent => sent;

        public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            var material = request.Headers.Contains(FakeHops.Header) || request.Headers.Authorization is not null || uri.Query.Contains(FakeHops.QueryMark, StringComparison.Ordinal);
            Body? body = request.Content is null
                ? null
                : new Body(await request.Content.ReadAsByteArrayAsync(cancellationToken), request.Content is ByteArrayContent);
            sent.Add(new Sent(FakeHops.Strip(uri), request.Method, body, material));

            var index = sent.Count - 1;
            if (index >= chain.Hops.Count)
            {
                return new HttpResponseMessage(HttpStatusCode.OK);
            }

            var step = chain.Hops[index];
            var response = new HttpResponseMessage((HttpStatusCode)step.Status);
            if (step.Location is not null)
            {
                // Parsed as HttpClient parses a real Location header.
                Assert.That(response.Headers.TryAddWithoutValidation("Location", step.Location), Is.True);
            }

            return response;
        }
    }

    /// <summary>The primary handler of the real-handler check: an HttpClientHandler, so the credential handler takes its redirects over.</summary>
    private sealed class ChainClientHandler(ChainServer server) : HttpClientHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            server.SendAsync(request, cancellationToken);
    }

    /// <summary>A credential of every shape at once: a header, an Authorization header and a presigned query.</summary>
    private sealed class FakeHops(Chain chain) : IRedirectHops
    {
        public const string Header = "X-Cred";
        public const string QueryMark = "X-Amz-Signature=" + Secret;

        public string Name => "property";

        public string Kind => "Fake";

        public ILogger Logger => NullLogger.Instance;

        public static Uri Strip(Uri uri)
        {
            var query = uri.Query.TrimStart('?').Split('&').Where(part => part.Length > 0 && part != QueryMark);
            return new UriBuilder(uri) { Query = string.Join('&', query) }.Uri;
        }

        public bool Allows(Uri target) => chain.Allows(target);

        public ValueTask ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Add(Header, Secret);
            request.Headers.Authorization = new("Bearer", Secret);
            var uri = request.RequestUri!;
            request.RequestUri = new UriBuilder(uri) { Query = uri.Query.Length > 1 ? uri.Query[1..] + "&" + QueryMark : QueryMark }.Uri;
            return ValueTask.CompletedTask;
        }

        public void Remove(HttpRequestMessage request)
        {
            request.Headers.Remove(Header);
            request.Headers.Authorization = null;
            request.RequestUri = Strip(request.RequestUri!);
        }
    }
}
