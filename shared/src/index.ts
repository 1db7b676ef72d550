/** @quire/shared — the bytes and rules the Quire server and client agree on. */
export { QuireError, isQuireError, type QuireErrorCode } from './errors.js';
export {
  MessageType,
  SyncMessageType,
  AuthMessageType,
  QUIRE_EXTENSIONS_PARAM,
} from './message-type.js';
export { CloseCode, closeCodeName, isFinalCloseCode } from './close-codes.js';
export { RENAMED_REASON, renamedReason, renamedTarget } from './renamed-reason.js';
export { TITLE_MAX_CHARS, TITLE_SCAN_CHARS, titleOfText } from './doc-title.js';
export { ByteReader, varUintSize, writeVarUint, encodeWithPayload } from './bytes.js';
export { stateVectorShortfall, type Shortfall } from './state-vector.js';
export {
  type ClientFrame,
  type ServerFrame,
  decodeClientFrame,
  decodeServerFrame,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeSyncUpdate,
  encodeAwareness,
  encodeQueryAwareness,
  encodePermissionDenied,
  encodePersistedAck,
  encodeRollbackReport,
} from './frame.js';
export {
  type AwarenessEntry,
  decodeAwarenessUpdate,
  encodeAwarenessUpdate,
} from './awareness-update.js';
export {
  DOC_NAME_MAX_LENGTH,
  DOC_NAME_MAX_SEGMENTS,
  canonicalDocName,
  isValidDocName,
  docNameFromPath,
} from './doc-name.js';
export {
  USER_NAME_MAX_LENGTH,
  isValidColor,
  sanitizeUserName,
  sanitizeColor,
} from './user-identity.js';
