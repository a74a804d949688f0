using System.Text;
using Atomic.Credentials.OAuth;

namespace Atomic.Credentials.Tests.OAuth;

public sealed class TokenResponseReaderTests
{
    [TestCase("""{"access_token":"abc","token_type":"Bearer","expires_in":3600}""", 3600)]
    [TestCase("""{"access_token":"abc","token_type":"bearer","expires_in":"3599"}""", 3599)]
    [TestCase("""{"expires_in":12.5,"token_type":"BEARER","access_token":"abc","scope":"a b","extra":{"nested":[1,2,{"x":null}]}}""", 12.5)]
    [TestCase("""{"access\u005ftoken":"abc","expires_in":null}""", null)]
    public void Reads_the_fields_whatever_their_order_form_and_neighbours(string json, double? seconds)
    {
        var response = TokenResponseReader.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Multiple(() =>
        {
            Assert.That(response.AccessToken, Is.EqualTo("abc"));
            Assert.That(response.ExpiresIn, Is.EqualTo(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value)));
        });
    }

    [TestCase("", "not valid JSON")]
    [TestCase("<html>oops</html>", "not valid JSON")]
    [TestCase("""["access_token"]""", "not a JSON object")]
    [TestCase("""{"access_token":"abc"} {"x":1}""", "not valid JSON")]
    [TestCase("""{"access_token":42}""", "'access_token' is not a string")]
    [TestCase("""{"access_token":"abc","expires_in":"soon"}""", "'expires_in' is neither")]
    [TestCase("""{"access_token":"abc","expires_in":-5}""", "out of range")]
    [TestCase("""{"access_token":"abc",""", "not valid JSON")]
    public void Refuses_what_is_not_a_token_response_without_quoting_it(string json, string reason)
    {
        var exception = Assert.Throws<FormatException>(() => TokenResponseReader.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.That(exception!.Message, Does.Contain(reason).And.Not.Contain("abc").And.Not.Contain("oops"));
    }

    [Test]
    public async Task Reads_text_plain_with_a_byte_order_mark_and_a_latin1_charset()
    {
        var latin1 = Encoding.Latin1.GetBytes("""{"access_token":"abc","error_description":"café"}""");
        using var content = new ByteArrayContent(latin1);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { CharSet = "ISO-8859-1" };
        var response = await TokenResponseReader.ReadAsync(content, CancellationToken.None);

        using var withBom = new ByteArrayContent([.. "\uFEFF"u8.ToArray(), .. """{"access_token":"def"}"""u8.ToArray()]);
        withBom.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        var bom = await TokenResponseReader.ReadAsync(withBom, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(response.ErrorDescription, Is.EqualTo("café"));
            Assert.That(bom.AccessToken, Is.EqualTo("def"));
        });
    }

    [Test]
    public void Refuses_a_response_larger_than_the_bound_even_without_a_content_length()
    {
        var padding = new string('x', TokenResponseReader.MaxBytes);
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"access_token":"abc","pad":"{{padding}}"}""")));
        Assert.That(content.Headers.ContentLength, Is.Not.Null, "StreamContent over a MemoryStream knows its length");
        content.Headers.ContentLength = null;

        var exception = Assert.ThrowsAsync<FormatException>(() => TokenResponseReader.ReadAsync(content, CancellationToken.None));
        Assert.That(exception!.Message, Does.Contain("larger than"));
    }

    [Test]
    public void Refuses_a_declared_content_length_above_the_bound_before_reading()
    {
        using var content = new StreamContent(new NeverReadStream());
        content.Headers.ContentLength = TokenResponseReader.MaxBytes + 1L;
        Assert.ThrowsAsync<FormatException>(() => TokenResponseReader.ReadAsync(content, CancellationToken.None));
    }

    [Test]
    public void The_response_record_never_shows_the_token()
    {
        var response = new TokenResponse("very-secret-token", "Bearer", TimeSpan.FromMinutes(1), null, null);
        Assert.That(response.ToString(), Does.Not.Contain("very-secret-token"));
    }

    private sealed class NeverReadStream : MemoryStream
    {
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            throw new AssertionException("the body was read");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new AssertionException("the body was read");
    }

    [Test]
    public void Hands_the_string_members_it_does_not_know_to_the_preset_bounded()
    {
        var many = string.Concat(Enumerable.Range(0, TokenResponseReader.MaxExtraFields + 4).Select(i => $",\"m{i}\":\"v{i}\""));
        var long_ = new string('x', TokenResponseReader.MaxExtraLength + 1);
        var json = $$"""{"a":"1","n":2,"o":{"p":"q"},"l":"{{long_}}","access_token":"abc","rest\u005finstance_url":"https://i.example.com/"{{many}}}""";

        var response = TokenResponseReader.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Multiple(() =>
        {
            Assert.That(response.AccessToken, Is.EqualTo("abc"));
            Assert.That(response.Extra["a"], Is.EqualTo("1"));
            Assert.That(response.Extra["rest_instance_url"], Is.EqualTo("https://i.example.com/"));
            Assert.That(response.Extra.Keys, Has.None.EqualTo("n").And.None.EqualTo("o").And.None.EqualTo("p").And.None.EqualTo("l").And.None.EqualTo("access_token"));
            Assert.That(response.Extra, Has.Count.EqualTo(TokenResponseReader.MaxExtraFields));
            Assert.That(response.ToString(), Does.Not.Contain("abc").And.Not.Contain("i.example.com"));
            Assert.That(TokenResponseReader.Parse("""{"access_token":"abc"}"""u8).Extra, Is.Empty);
        });
    }
}
