export { loadWebConfig, CLIENT_AUTH_TYPES, MAX_BASIC_AUTH_USERS, MAX_WEB_CONFIG_BYTES } from './config.js';
export type { ClientAuthType, WebConfig, WebTlsConfig } from './config.js';
export { BasicAuth, MAX_CACHED_CREDENTIALS, MAX_PENDING_VERIFICATIONS } from './basic-auth.js';
export type { AuthResult } from './basic-auth.js';
