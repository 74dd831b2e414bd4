import { describe, expect, it } from 'vitest';
import { DEFAULT_UNBOUNDED_KEY_PATTERNS, looksLikeIdentifier } from '../../src/guard/patterns.js';

const unboundedKey = (key: string) => DEFAULT_UNBOUNDED_KEY_PATTERNS.some((p) => p.test(key));

describe('unbounded key patterns', () => {
  it.each(['user_id', 'userId', 'user.id', 'customer_id', 'account-id', 'session_id', 'request_id', 'trace_id', 'span_id', 'email', 'e_mail', 'ip', 'client_ip', 'url', 'uri', 'uuid', 'timestamp', 'created_at', 'prompt', 'user'])(
    'refuses %s',
    (key) => expect(unboundedKey(key)).toBe(true),
  );
  it.each(['tier', 'region', 'model_family', 'route', 'status_class', 'device_type', 'country', 'batch_bucket', 'user_tier', 'session_bucket'])(
    'accepts %s',
    (key) => expect(unboundedKey(key)).toBe(false),
  );
});

describe('looksLikeIdentifier', () => {
  it.each([
    '550e8400-e29b-41d4-a716-446655440000',
    '550e8400e29b41d4a716446655440000',
    'deadbeefcafebabe1234',
    'order-1234567',
    'alice@example.com',
    '10.0.0.12',
    '192.168.1.1:8080',
    '2001:db8::8a2e:370:7334',
    'https://api.example.com/v1/predict?user=42',
    '/v1/predict?id=7',
    '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9',
  ])('flags %s', (value) => expect(looksLikeIdentifier(value)).toBe(true));

  it.each(['gold', 'eu-west-1', 'v2', 'resnet50', 'bert-base-uncased', 'https://api.example.com/v1/predict', '/v1/predict', '2024', 'iris', 'cpu', 'CUDAExecutionProvider', '1.2.3'])(
    'passes %s',
    (value) => expect(looksLikeIdentifier(value)).toBe(false),
  );
});
