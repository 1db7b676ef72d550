/**
 * Bounded request bodies. A body is read only up to the limit (the server's maxMessageBytes,
 * the same bound as one WebSocket message): a declared Content-Length over it is refused
 * before a byte is read, and a body that grows past it mid-stream is refused then and the
 * connection closed, so an oversized upload costs at most the limit in memory.
 * Refusals: 415 wrong Content-Type (or a charset other than UTF-8), 413 over the limit,
 * 422 text that is not valid UTF-8, 400 JSON that does not parse.
 */
import type { ApiCall } from './api-call.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as bytes when its media type is `type`; undefined after a refusal (answered). */
export async function readBody(
  call: ApiCall,
  type: string,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const { req } = call;
  const [mediaType = '', ...params] = (req.headers['content-type'] ?? '').split(';');
  if (mediaType.trim().toLowerCase() !== type) {
    refuseEarly(call, 415, `Content-Type must be ${type}`, { got: mediaType.trim().slice(0, 100) });
    return undefined;
  }
  const charset = params
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    refuseEarly(call, 415, 'the only charset accepted is utf-8', { charset: charset.slice(0, 40) });
    return undefined;
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) {
    refuseEarly(call, 413, `the body is over the ${maxBytes}-byte limit`, { bytes: declared });
    return undefined;
  }
  return new Promise<Buffer | undefined>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.off('end', onEnd);
        refuseEarly(call, 413, `the body is over the ${maxBytes}-byte limit`, { bytes: size });
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    req.on('data', onData);
    req.on('end', onEnd);
    // A client that went away mid-body (or whose stream broke): nobody to answer.
    req.once('error', () => {
      call.res.destroy();
      resolve(undefined);
    });
    req.once('close', () => {
      if (!req.complete) resolve(undefined);
    });
  });
}

/** The body as UTF-8 text (`type`, default text/plain); 422 when it is not valid UTF-8. */
export async function readTextBody(
  call: ApiCall,
  maxBytes: number,
  type = 'text/plain',
): Promise<string | undefined> {
  const bytes = await readBody(call, type, maxBytes);
  if (bytes === undefined) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    call.refuse(422, 'the body is not valid UTF-8', { bytes: bytes.length });
    return undefined;
  }
}

/** The body as parsed JSON (application/json); 400 when it does not parse. */
export async function readJsonBody(call: ApiCall, maxBytes: number): Promise<unknown> {
  const text = await readTextBody(call, maxBytes, 'application/json');
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    call.refuse(400, 'the body is not valid JSON');
    return undefined;
  }
}

/** A refusal before the body was read: the unread rest would be parsed as the next request,
 * so the connection closes after the answer (Node drains small bodies itself). */
function refuseEarly(
  call: ApiCall,
  status: number,
  message: string,
  fields: Record<string, string | number>,
): void {
  call.refuse(status, message, fields, { Connection: 'close' });
}
