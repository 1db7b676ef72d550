/**
 * Names for lazily loaded chunks: the package they come from (`lang-python-<hash>.js`,
 * `markdown-<hash>.js` for a legacy mode) instead of the file name every package shares
 * (`dist-<hash>.js`), so a network log or a 404 says which language it was.
 */
interface ChunkInfo {
  name: string;
  facadeModuleId: string | null;
}

export function chunkName(chunk: ChunkInfo): string {
  const id = (chunk.facadeModuleId ?? '').replace(/\\/g, '/');
  const inPackage = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(id);
  if (!inPackage?.[1]) return chunk.name;
  const pkg = inPackage[1].replace(/^@[^/]+\//, '');
  const file =
    (inPackage[2] ?? '')
      .replace(/\.[cm]?js$/, '')
      .split('/')
      .pop() ?? '';
  return file && file !== 'index' ? file : pkg;
}

/** A chunkFileNames option placing chunks in `dir` with readable names. */
export function chunkFileNames(dir: string): (chunk: ChunkInfo) => string {
  return (chunk) => `${dir}/${chunkName(chunk)}-[hash].js`;
}
