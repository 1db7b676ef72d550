/**
 * A collaborator driven from the test process: a stock y-websocket 3.x provider with a name,
 * a color and a cursor the test places exactly (a browser user's cursor is hard to put at
 * "line 180" without also scrolling their own view, which is what the follow tests watch).
 */
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';

const TEXT_NAME = 'codemirror';

export interface Peer {
  text: Y.Text;
  provider: WebsocketProvider;
  /** Places the cursor (a caret, or a selection from `anchor` to `head`). */
  moveTo(head: number, anchor?: number): void;
  /** Types `text` at `index` and puts the cursor after it, as an editor would. */
  typeAt(index: number, text: string): void;
  destroy(): void;
}

export async function startPeer(
  serverUrl: string,
  doc: string,
  user: { name: string; color: string },
  token?: string,
): Promise<Peer> {
  const ydoc = new Y.Doc();
  const provider = new WebsocketProvider(serverUrl.replace(/^http/, 'ws'), doc, ydoc, {
    WebSocketPolyfill: WebSocket as never,
    params: token ? { token } : {},
  });
  const text = ydoc.getText(TEXT_NAME);
  provider.awareness.setLocalStateField('user', { ...user, colorLight: `${user.color}33` });
  await new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    else provider.once('sync', () => resolve());
  });
  const peer: Peer = {
    text,
    provider,
    moveTo(head, anchor = head) {
      provider.awareness.setLocalStateField('cursor', {
        anchor: Y.createRelativePositionFromTypeIndex(text, anchor),
        head: Y.createRelativePositionFromTypeIndex(text, head),
      });
    },
    typeAt(index, inserted) {
      text.insert(index, inserted);
      peer.moveTo(index + inserted.length);
    },
    destroy() {
      provider.awareness.setLocalState(null);
      provider.destroy();
      ydoc.destroy();
    },
  };
  return peer;
}
