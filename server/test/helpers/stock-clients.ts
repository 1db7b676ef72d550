/**
 * The two stock y-websocket generations a Quire server must serve unchanged: 3.x (the `y-websocket`
 * package, which stops for good after a close code in 4400–4499) and 1.x (`y-websocket-v1`, an npm
 * alias of y-websocket 1.5.4, which reconnects after every close). Both are the real, unmodified
 * WebsocketProvider over `ws`.
 */
import * as Y from 'yjs';
import { WebsocketProvider as ProviderV3 } from 'y-websocket';
import { WebsocketProvider as ProviderV1Untyped } from 'y-websocket-v1';
import WebSocket from 'ws';

export type StockVersion = 'v1' | 'v3';
export const STOCK_VERSIONS: readonly StockVersion[] = ['v1', 'v3'];

/** What the tests use of either provider (1.x has the same fields and events). */
export type AnyProvider = ProviderV3;
const ProviderV1 = ProviderV1Untyped as unknown as typeof ProviderV3;

export interface VersionedStockClient {
  version: StockVersion;
  doc: Y.Doc;
  provider: AnyProvider;
  text: Y.Text;
  /** Close codes this client's sockets were closed with, in order. */
  closeCodes: number[];
  destroy(): void;
}

export interface StockClientOptions {
  connect?: boolean;
  params?: Record<string, string>;
  /** The providers' own option (default here 200 ms, to keep tests fast). */
  maxBackoffTime?: number;
  doc?: Y.Doc;
}

export function versionedStockClient(
  version: StockVersion,
  serverUrl: string,
  docName: string,
  options: StockClientOptions = {},
): VersionedStockClient {
  const doc = options.doc ?? new Y.Doc();
  const Provider = version === 'v1' ? ProviderV1 : ProviderV3;
  const provider = new Provider(serverUrl, docName, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    connect: options.connect ?? true,
    params: options.params ?? {},
    disableBc: true,
    maxBackoffTime: options.maxBackoffTime ?? 200,
  });
  const closeCodes: number[] = [];
  provider.on('connection-close', (event: { code: number } | null) => {
    if (event) closeCodes.push(event.code);
  });
  return {
    version,
    doc,
    provider,
    text: doc.getText('text'),
    closeCodes,
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}
