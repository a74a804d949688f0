// Independent JWT verification with jose (npm), for the key-pair credential's integration tests.
//
//   node verify-jwt.mjs <public-key.pem | jwks.json> <token> [audience] [issuer]
//       prints {"valid":true,"header":{…},"payload":{…}} or {"valid":false,"code":"…","message":"…"}
//   node verify-jwt.mjs --serve
//       listens on 127.0.0.1, prints READY {"port":N}; POST /verify with JSON
//       {"key": "<SPKI PEM>" | {"keys":[…]}, "token": "…", "audience"?, "issuer"?, "algorithms"?, "currentDate"?}
//       answers the same verdict (plus jose's RFC 7638 thumbprint of a JWKS's first key).
//       One process serves a whole test fixture.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';

async function verify({ key, token, audience, issuer, algorithms, currentDate }) {
  try {
    let verificationKey;
    if (typeof key === 'string') {
      // importSPKI needs the algorithm; take it from the token, the allow-list below still applies.
      verificationKey = await importSPKI(key, decodeProtectedHeader(token).alg);
    } else {
      verificationKey = createLocalJWKSet(key);
    }
    // JSON null means "not checked", which jose spells undefined.
    const options = { audience: audience ?? undefined, issuer: issuer ?? undefined, algorithms: algorithms ?? undefined };
    if (currentDate) options.currentDate = new Date(currentDate);
    const { payload, protectedHeader } = await jwtVerify(token, verificationKey, options);
    // For a JWKS, jose's RFC 7638 thumbprint of its first key, to check ours against.
    const thumbprint = typeof key === 'string' ? undefined : await calculateJwkThumbprint(key.keys[0]);
    return { valid: true, header: protectedHeader, payload, thumbprint };
  } catch (e) {
    return { valid: false, code: e.code ?? e.name, message: e.message };
  }
}

const args = process.argv.slice(2);
if (args[0] === '--serve') {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', async () => {
      const verdict = req.method === 'POST' && req.url === '/verify'
        ? await verify(JSON.parse(body))
        : { valid: false, code: 'NOT_FOUND', message: 'POST /verify' };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(verdict));
    });
  });
  server.listen(0, '127.0.0.1', () => console.log(`READY ${JSON.stringify({ port: server.address().port })}`));
} else if (args.length >= 2) {
  const text = readFileSync(args[0], 'utf8');
  const key = text.trimStart().startsWith('{') ? JSON.parse(text) : text;
  const verdict = await verify({ key, token: args[1], audience: args[2], issuer: args[3] });
  console.log(JSON.stringify(verdict));
  process.exitCode = verdict.valid ? 0 : 1;
} else {
  console.error('usage: verify-jwt.mjs <public-key.pem|jwks.json> <token> [audience] [issuer] | --serve');
  process.exitCode = 2;
}
