/** Answers a refused document write (documents/document-service.ts WriteResult). */
import type { WriteResult } from '../../documents/document-service.js';
import type { ApiCall } from './api-call.js';

export function refuseWrite(call: ApiCall, result: Extract<WriteResult, { ok: false }>): void {
  call.refuse(result.status, result.reason);
}

/** For create/delete when the storage adapter has no `lifecycle`. */
export function refuseUnsupported(call: ApiCall): void {
  call.refuse(501, 'this storage adapter cannot create or delete documents (no lifecycle)');
}
