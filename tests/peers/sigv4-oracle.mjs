// AWS's own JS signer (@smithy/signature-v4) as an oracle on 127.0.0.1: POST /sign with a JSON
// request, get back its signature; with "regionSet", @smithy/signature-v4a signs SigV4a (header mode,
// the only one it has). Prints one line: READY {"port":…}
import { createServer } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Sha256 } from '@aws-crypto/sha256-js';

const S3 = new Set(['s3', 's3express', 's3-object-lambda', 's3-outposts']);

// Loaded on first use, so the SigV4 oracle still runs where only the older peers are installed.
async function signatureV4a() {
  try {
    return (await import('@smithy/signature-v4a')).SignatureV4a;
  } catch (error) {
    throw Object.assign(new Error(`@smithy/signature-v4a is not installed: ${error.message}`), { missing: true });
  }
}

async function sign(input) {
  const s3 = S3.has(input.service);
  const Signer = input.regionSet == null ? SignatureV4 : await signatureV4a();
  const signer = new Signer({
    credentials: { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey, sessionToken: input.sessionToken ?? undefined },
    region: input.regionSet ?? input.region,
    service: input.service,
    sha256: Sha256,
    uriEscapePath: !s3, // S3 paths are signed as encoded once; the others are encoded again
    applyChecksum: s3,
  });
  const query = {};
  for (const [name, value] of input.query) {
    // A valueless parameter reaches a server as "name=": give smithy the empty string.
    const v = value ?? '';
    query[name] = name in query ? [].concat(query[name], v) : v;
  }
  const headers = { host: input.host, ...input.headers };
  if (input.presign && s3) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const request = new HttpRequest({
    method: input.method, protocol: 'https:', hostname: input.host, path: input.path, query, headers,
    body: input.body == null ? undefined : Buffer.from(input.body, 'base64'),
  });
  const signingDate = new Date(input.date);
  if (input.presign) {
    // Headers stay headers (smithy would otherwise hoist x-amz-* headers into the query).
    const signed = await signer.presign(request, {
      signingDate, expiresIn: input.expiresIn,
      unsignableHeaders: new Set(['x-amz-content-sha256']),
      unhoistableHeaders: new Set([...Object.keys(input.headers), 'x-amz-content-sha256']),
    });
    return { signature: signed.query['X-Amz-Signature'] };
  }
  const signed = await signer.sign(request, { signingDate });
  const authorization = signed.headers.authorization;
  return { signature: authorization.slice(authorization.lastIndexOf('=') + 1), authorization };
}

const server = createServer((req, res) => {
  let text = '';
  req.on('data', (chunk) => { text += chunk; });
  req.on('end', async () => {
    try {
      const result = await sign(JSON.parse(text));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    } catch (error) {
      res.writeHead(error?.missing ? 501 : 500, { 'content-type': 'text/plain' }).end(String(error?.stack ?? error));
    }
  });
});
server.listen(0, '127.0.0.1', () => console.log(`READY ${JSON.stringify({ port: server.address().port })}`));
