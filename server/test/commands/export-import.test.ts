/**
 * `quire-server export` and `import`, run as the real CLI against a running server (HTTP API)
 * and on a data directory: the automerge-paper trace's final text round-trips exactly in both
 * formats, `export --all` survives awkward names, import creates exactly once, the token is
 * asked for when auth is on, and bad arguments exit 2 with the fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as Y from 'yjs';
import { MemoryStorage, signToken } from '../../src/index.js';
import { decodeDocumentName } from '../../src/commands/file-names.js';
import { startServer, tempDir, type RunningServer } from '../helpers/server.js';
import { runCli, runInProcess as run } from './run-cli.js';

/** The editing traces live beside the repository (CI puts them there too). */
const TRACE = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/traces/automerge-paper.json.gz',
);
const EDITOR_TEXT = 'codemirror';

function paperText(): string {
  return (JSON.parse(gunzipSync(readFileSync(TRACE)).toString('utf8')) as { endContent: string })
    .endContent;
}

/** A Yjs state with some history (a paste, a deletion, a retype) whose text ends as `text`. */
function yjsStateOf(text: string): Uint8Array {
  const doc = new Y.Doc();
  const ytext = doc.getText(EDITOR_TEXT);
  ytext.insert(0, text);
  ytext.delete(10, 500);
  ytext.insert(10, text.slice(10, 510));
  doc.getMap('meta').set('title', 'paper');
  const state = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return state;
}

function textOfState(state: Uint8Array): string {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  const text = doc.getText(EDITOR_TEXT).toString();
  doc.destroy();
  return text;
}

describe('export and import', () => {
  const dir = tempDir('quire-export-');
  const dataDir = join(dir.path, 'data');
  let running: RunningServer;
  let paper: string;
  const files = { text: join(dir.path, 'paper.txt'), yjs: join(dir.path, 'paper.yjs') };

  beforeAll(async () => {
    running = await startServer({ dataDir });
    paper = paperText();
    writeFileSync(files.text, paper);
    writeFileSync(files.yjs, yjsStateOf(paper));
  });
  afterAll(async () => {
    await running.close();
    dir.remove();
  });

  /** Imports the trace's text and its Yjs state, exports both back, and compares. */
  async function roundTrip(where: string[], exportText = run): Promise<void> {
    // One after the other: an import writing to a data directory has it open, and a second
    // one meanwhile would be refused like any other writer.
    for (const [name, file] of [
      ['paper/as-text', files.text],
      ['paper/as-yjs', files.yjs],
    ] as const) {
      const result = await run(['import', '--doc', name, '--file', file, ...where]);
      expect(result.code, result.stderr).toBe(0);
    }
    const yjsOut = join(dir.path, `out-${where[0]!.slice(2)}.yjs`);
    const [asText, asYjs, yjsAsText] = await Promise.all([
      exportText(['export', '--doc', 'paper/as-text', ...where]),
      run(['export', '--doc', 'paper/as-yjs', '--format', 'yjs', '--to', yjsOut, ...where]),
      run(['export', '--doc', 'paper/as-yjs', '--format', 'text', ...where]),
    ]);
    expect(asText.code, asText.stderr).toBe(0);
    expect(asText.stdout.toString('utf8')).toBe(paper);
    expect(yjsAsText.stdout.toString('utf8')).toBe(paper);
    expect(asYjs.code, asYjs.stderr).toBe(0);
    const exported = new Y.Doc();
    Y.applyUpdate(exported, readFileSync(yjsOut));
    expect(exported.getText(EDITOR_TEXT).toString()).toBe(paper);
    // Every shared type came through, not only the editor text.
    expect(exported.getMap('meta').get('title')).toBe('paper');
    exported.destroy();
  }

  it('round-trips the automerge-paper text exactly, as text and as Yjs, through a running server', async () => {
    // The text goes to stdout of the real CLI process: byte for byte, nothing else on it.
    await roundTrip(['--server', running.httpUrl], runCli);
  });

  it('round-trips it on a data directory no server has open', async () => {
    await roundTrip(['--data', join(dir.path, 'offline')]);
  });

  it('export --all writes every document under a file name that decodes to it, with a manifest; over the API and from the data directory while the server runs', async () => {
    const names = ['all/notes', 'all/Plan', 'all/plan', 'all/Ünïcödé/名前', 'all/a.b_c-d'];
    for (const name of [...names, 'all/deleted']) {
      const res = await fetch(`${running.httpUrl}/api/docs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, text: `text of ${name}` }),
      });
      expect(res.status).toBe(201);
    }
    const del = await fetch(`${running.httpUrl}/api/docs/${encodeURIComponent('all/deleted')}`, {
      method: 'DELETE',
    });
    expect(del.status).toBe(204);

    const overApi = join(dir.path, 'all-api');
    const fromDisk = join(dir.path, 'all-disk');
    const results = await Promise.all([
      run(['export', '--all', '--to', overApi, '--server', running.httpUrl]),
      run(['export', '--all', '--to', fromDisk, '--format', 'yjs', '--data', dataDir]),
    ]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    for (const [out, ext, read] of [
      [overApi, '.txt', (b: Buffer) => b.toString('utf8')],
      [fromDisk, '.yjs', (b: Buffer) => textOfState(new Uint8Array(b))],
    ] as const) {
      const manifest = JSON.parse(readFileSync(join(out, 'quire-export.json'), 'utf8')) as {
        documents: { name: string; file: string }[];
      };
      const listed = manifest.documents.filter((d) => d.name.startsWith('all/'));
      expect(listed.map((d) => d.name).sort()).toEqual([...names].sort());
      for (const { name, file } of listed) {
        expect(file.endsWith(ext)).toBe(true);
        expect(decodeDocumentName(file.slice(0, -ext.length))).toBe(name);
        expect(read(readFileSync(join(out, file)))).toBe(`text of ${name}`);
      }
    }
  });

  it('import creates a document once: a second import of the name is refused and changes nothing, and a data directory a server has open is not written', async () => {
    const first = join(dir.path, 'first.txt');
    const second = join(dir.path, 'second.txt');
    writeFileSync(first, 'the first text');
    writeFileSync(second, 'the second text');
    const api = ['--doc', 'once', '--server', running.httpUrl];
    expect((await run(['import', '--file', first, ...api])).code).toBe(0);
    const [again, direct] = await Promise.all([
      run(['import', '--file', second, ...api]),
      // The server's lock on its store is seen from this process as from any other (the
      // restore test checks it from another process).
      run(['import', '--doc', 'direct', '--file', second, '--data', dataDir]),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/"once" exists .*nothing changed/);
    expect(direct.code).toBe(1);
    expect(direct.stderr).toMatch(/open in another process.*--server/);
    const text = await fetch(`${running.httpUrl}/api/docs/once/text`);
    expect(await text.text()).toBe('the first text');
    expect((await fetch(`${running.httpUrl}/api/docs/direct/text`)).status).toBe(404);
  });

  it('needs a token when the server has auth on, and the token decides what it may do', async () => {
    const secret = 'an-export-test-secret-that-is-long-enough';
    const guarded = await startServer({ secret, storage: new MemoryStorage() });
    const ro = await signToken({ secret, doc: 'team/*', mode: 'ro' });
    const rw = await signToken({ secret, doc: 'team/*', mode: 'rw' });
    const server = ['--server', guarded.httpUrl];
    const file = join(dir.path, 'guarded.txt');
    writeFileSync(file, 'guarded text');
    const [noToken, listNoToken, readOnly, created] = await Promise.all([
      run(['export', '--doc', 'team/x', ...server]),
      // Not "0 documents exported": the listing alone would quietly show nothing.
      run(['export', '--all', '--to', join(dir.path, 'guarded-all'), ...server]),
      run(['import', '--doc', 'team/y', '--file', file, '--token', ro, ...server]),
      run(['import', '--doc', 'team/x', '--file', file, ...server], { QUIRE_TOKEN: rw }),
    ]);
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/HTTP 401.*pass --token or set QUIRE_TOKEN/);
    expect(listNoToken.code).toBe(1);
    expect(listNoToken.stderr).toMatch(/list the documents: HTTP 401.*pass --token/);
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toMatch(/HTTP 403.*'rw'/);
    expect(created.code, created.stderr).toBe(0);
    const read = await run(['export', '--doc', 'team/x', '--token', ro, ...server]);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout.toString()).toBe('guarded text');
  });

  it('exits 2 on bad arguments, saying what to change, and touches nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['export'], /give either --doc <name> \(one document\) or --all/],
      [['export', '--all', '--doc', 'a'], /give either --doc/],
      [['import', '--doc', 'a'], /--file <file> is required/],
      [
        ['export', '--doc', 'a', '--format', 'pdf', '--server', 'localhost:1234'],
        /e\.g\. --server http:\/\/127\.0\.0\.1:1234\n--format "pdf" must be one of text, yjs/,
      ],
      [['import', '--doc', '../etc', '--file', 'x'], /--doc "\.\.\/etc": .*not allowed/],
      [['export', '--doc', 'a', '--data', 'd', '--server', 'http://h'], /give one of them/],
      [['export', '--nope'], /unknown option --nope\. Run `quire-server export --help`/],
      [
        ['backup', '--to', 'x', '--database-url', 'postgres://quire:hunter2@db:5432/quire'],
        /pg_dump --format=custom --table='public\.quire_\*' --file=quire\.pgdump 'postgres:\/\/quire@db:5432\/quire'/,
      ],
      [['restore-backup', '--data', 'd'], /--from <file> is required/],
    ];
    // The first through the real CLI (its exit status), the rest in this process.
    const results = await Promise.all(cases.map(([args], i) => (i === 0 ? runCli : run)(args)));
    results.forEach((result, i) => {
      expect(result.code, cases[i]![0].join(' ')).toBe(2);
      expect(result.stderr).toMatch(cases[i]![1]);
      expect(result.stdout.length).toBe(0);
      expect(result.stderr).not.toContain('hunter2');
    });
    const help = await run(['import', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toMatch(/--format <f>[\s\S]*default yjs for \*\.yjs files/);
  });
});
