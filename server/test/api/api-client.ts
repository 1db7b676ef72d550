/** A small HTTP client for the document API tests: one request, the status, the body. */
import { request as httpRequest } from 'node:http';

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface ApiRequest {
  method?: string;
  body?: string | Uint8Array;
  /** Content-Type; default: application/json for a string body that parses, else none. */
  type?: string;
  token?: string;
  headers?: Record<string, string>;
}

export async function api(
  baseUrl: string,
  path: string,
  req: ApiRequest = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.type) headers['content-type'] = req.type;
  if (req.token) headers.authorization = `Bearer ${req.token}`;
  const res = await fetch(`${baseUrl}${path}`, {
    method: req.method ?? 'GET',
    headers,
    ...(req.body === undefined ? {} : { body: req.body }),
  });
  const body = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(body);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body, text, json };
}

/** JSON body helper. */
export const jsonRequest = (method: string, value: unknown, token?: string): ApiRequest => ({
  method,
  body: JSON.stringify(value),
  type: 'application/json',
  ...(token ? { token } : {}),
});

/** A request with the exact path given (fetch would resolve `..` and such). */
export function rawRequest(
  port: number,
  path: string,
  method = 'GET',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

export const docPath = (name: string, rest = '') => `/api/docs/${encodeURIComponent(name)}${rest}`;
