/**
 * Notices when the server has lost state it once acknowledged as durable (its database deleted or
 * restored from an old backup; threat model F8) and tells it, so the loss is not silent.
 *
 * The client keeps the last persisted-ack state vector across reconnects. When a new connection's
 * sync step 1 (the server's state vector) is behind it for some client ID, the server has lost
 * acknowledged edits. The normal sync then restores them from this copy (the provider answers
 * that step 1 with everything the server lacks); before that answer goes out, this sends a
 * rollback report (message type 101) so the server can confirm the loss against its document and
 * raise the alert, and it tells the editor, which shows a notice.
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import type { WebsocketProvider } from 'y-websocket';
import {
  MessageType,
  SyncMessageType,
  encodeRollbackReport,
  stateVectorShortfall,
} from '@quire/shared';

export interface RollbackWatchHooks {
  /** The last state vector the server acknowledged as durable (encoded), if any. */
  acknowledged(): Uint8Array | null;
  /** The server lacks `missingClocks` acknowledged items; the report has been sent. */
  onRollback(missingClocks: number): void;
}

export function watchForRollback(provider: WebsocketProvider, hooks: RollbackWatchHooks): void {
  const handleSync = provider.messageHandlers[MessageType.Sync];
  if (!handleSync) throw new Error('the provider has no sync handler to wrap');
  provider.messageHandlers[MessageType.Sync] = (encoder, decoder, p, emitSynced, type) => {
    const acknowledged = hooks.acknowledged();
    // Every update arrives through here: look at the subtype byte (a one-byte varUint) before
    // doing anything, so only the one sync step 1 per connection costs more than a comparison.
    if (acknowledged !== null && decoder.arr[decoder.pos] === SyncMessageType.Step1) {
      const missing = missingFromStepOne(decoding.clone(decoder), acknowledged);
      if (missing > 0) {
        p.ws?.send(encodeRollbackReport(acknowledged));
        hooks.onRollback(missing);
      }
    }
    handleSync(encoder, decoder, p, emitSynced, type);
  };
}

/** The items of `acknowledged` a sync step 1's state vector lacks. A frame this cannot read is
 * left to the provider's own handler. */
function missingFromStepOne(decoder: decoding.Decoder, acknowledged: Uint8Array): number {
  try {
    decoding.readVarUint(decoder); // the subtype, checked by the caller
    const serverState = Y.decodeStateVector(decoding.readVarUint8Array(decoder));
    return stateVectorShortfall(Y.decodeStateVector(acknowledged), serverState).missingClocks;
  } catch {
    return 0;
  }
}
