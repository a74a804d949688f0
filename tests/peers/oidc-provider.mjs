// A real OpenID provider (npm oidc-provider) on 127.0.0.1 for the OAuth client-credentials tests.
// It issues JWT access tokens for one resource server (the loopback API of the tests), which
// verifies them against this provider's JWKS. Clients cover every client authentication method
// the library sends: client_secret_post, client_secret_basic (with an id and secret full of
// characters that need form-encoding) and private_key_jwt (RS256 and ES256; the keys are made
// here and their private halves printed in the READY line for the test to load as PEM).
// DPoP (RFC 9449) is on, nonce required: a token request with a proof is first answered 400
// use_dpop_nonce, and the token it then issues is DPoP-bound (token_type DPoP, cnf.jkt in the JWT).
// The 'dpop' client insists on bound tokens (dpop_bound_access_tokens).
//
// Prints: READY {"issuer": "...", "tokenEndpoint": "...", "jwksUri": "...", "audience": "...",
//                "clients": {...}, "keys": {"RS256": "<pkcs8 pem>", "ES256": "<pkcs8 pem>"}}
import crypto from 'node:crypto';
import http from 'node:http';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const audience = 'https://api.atomic.test/';
const scopes = 'api.read api.write api.s0 api.s1 api.s2 api.s3 api.s4 api.s5 api.s6 api.s7 api.s8 api.s9';

async function keyPair(alg, kid) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return {
    publicJwk: { ...(await exportJWK(publicKey)), alg, kid, use: 'sig' },
    privateJwk: { ...(await exportJWK(privateKey)), alg, kid, use: 'sig' },
    pem: await exportPKCS8(privateKey),
  };
}

const signing = await keyPair('RS256', 'provider-signing');
const rsaClient = await keyPair('RS256', 'client-rs256');
const ecClient = await keyPair('ES256', 'client-es256');

const clients = {
  post: { client_id: 'post-client', client_secret: 'post-secret-0123456789' },
  basic: { client_id: 'odd:client +/%id', client_secret: 'p+ss w:rd/%~' },
  rs256: { client_id: 'jwt-rs256-client' },
  es256: { client_id: 'jwt-es256-client' },
  dpop: { client_id: 'dpop-client', client_secret: 'dpop-secret-0123456789' },
};

const common = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: scopes };

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  jwks: { keys: [signing.privateJwk] },
  clients: [
    { ...common, ...clients.post, token_endpoint_auth_method: 'client_secret_post' },
    { ...common, ...clients.basic, token_endpoint_auth_method: 'client_secret_basic' },
    { ...common, ...clients.rs256, token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'RS256', jwks: { keys: [rsaClient.publicJwk] } },
    { ...common, ...clients.es256, token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256', jwks: { keys: [ecClient.publicJwk] } },
    { ...common, ...clients.dpop, token_endpoint_auth_method: 'client_secret_post', dpop_bound_access_tokens: true },
  ],
  enabledJWA: { dPoPSigningAlgValues: ['ES256', 'RS256'] },
  scopes: scopes.split(' '),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    dPoP: { enabled: true, nonceSecret: crypto.randomBytes(32), requireNonce: () => true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== audience) {
          throw new Provider.errors.InvalidTarget();
        }
        return { scope: scopes, audience, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
});

// Lets the tests see why a token request was refused.
provider.on('grant.error', (_ctx, error) => console.error(`grant.error ${error.name}: ${error.error_description ?? error.message}`));
provider.on('grant.success', (ctx) => console.error(`grant.success dpop=${ctx.get('DPoP') ? 'yes' : 'no'}`));
provider.on('server_error', (_ctx, error) => console.error(`server_error ${error.stack}`));

server.on('request', provider.callback());

console.log('READY ' + JSON.stringify({
  issuer,
  tokenEndpoint: `${issuer}/token`,
  jwksUri: `${issuer}/jwks`,
  audience,
  clients,
  keys: { RS256: rsaClient.pem, ES256: ecClient.pem },
  keyIds: { RS256: 'client-rs256', ES256: 'client-es256' },
}));
