/**
 * Threat model A (docs/threat-model.md), awareness: P16–P18 (sizes, impersonation, hostile names
 * and colors). Each case attacks one document through a real socket, then checks the global oracle.
 */
import { describe, expect, it } from 'vitest';
import {
  CloseCode,
  decodeServerFrame,
  encodeAwareness,
  encodeAwarenessUpdate,
  encodeSyncStep1,
} from '@quire/shared';
import { rawSocket, waitFor } from '../helpers/clients.js';
import { attack, bytes } from './attack.js';
import { harnessPerSuite } from './harness.js';

describe('threat model A: protocol-level bad input — awareness', () => {
  const { h, expectClose } = harnessPerSuite();

  it('P16 awareness: 5 MB state → 4413; 10^6 entries claimed in a few bytes → 4400; deep JSON bounded', async () => {
    const big = encodeAwarenessUpdate([
      { clientID: 1, clock: 1, stateJSON: JSON.stringify({ x: 'y'.repeat(5_000_000) }) },
    ]);
    await expectClose('p16', [encodeAwareness(big)], CloseCode.TooLarge);
    await expectClose('p16', [encodeAwareness(bytes(1_000_000, 1, 1, 0))], CloseCode.BadMessage);
    const deepJSON = '['.repeat(100_000) + ']'.repeat(100_000);
    await expectClose(
      'p16',
      [encodeAwareness(encodeAwarenessUpdate([{ clientID: 2, clock: 1, stateJSON: deepJSON }]))],
      CloseCode.TooLarge,
    );
    const deepButSmall = '['.repeat(10_000) + ']'.repeat(10_000);
    const result = await attack(
      await h().url('p16'),
      [
        encodeAwareness(
          encodeAwarenessUpdate([{ clientID: 3, clock: 1, stateJSON: deepButSmall }]),
        ),
      ],
      1_000,
    );
    expect([-1, CloseCode.BadMessage]).toContain(result.code);
    await h().oracle('p16', '');
  });

  it("P17 awareness for another connection's client ID (higher clock, null) → dropped; the victim's cursor survives", async () => {
    const victim = await h().client('p17');
    victim.provider.awareness.setLocalState({ user: { name: 'victim', color: '#112233' } });
    const observer = await h().client('p17');
    const victimID = victim.doc.clientID;
    const seen = () =>
      observer.provider.awareness.getStates().get(victimID) as
        { user?: { name?: string } } | undefined;
    await waitFor(() => seen()?.user?.name === 'victim', 5_000, 'victim presence');
    const clock = (victim.provider.awareness.meta.get(victimID)?.clock ?? 0) + 10;
    const hijack = encodeAwarenessUpdate([
      { clientID: victimID, clock, stateJSON: '{"user":{"name":"evil"}}' },
    ]);
    const erase = encodeAwarenessUpdate([
      { clientID: victimID, clock: clock + 1, stateJSON: 'null' },
    ]);
    const attacker = await rawSocket(await h().url('p17'));
    attacker.ws.send(encodeAwareness(hijack));
    attacker.ws.send(encodeAwareness(erase));
    // A message after the attack, so we know the server processed it.
    attacker.ws.send(encodeSyncStep1(Uint8Array.of(0)));
    // The reply to that step 1 proves the awareness messages before it were processed.
    await waitFor(
      () => attacker.messages.some((m) => decodeServerFrame(m).kind === 'sync-step2'),
      5_000,
      'attacker answered',
    );
    expect(seen()?.user?.name).toBe('victim');
    const late = await h().client('p17');
    await waitFor(
      () => late.provider.awareness.getStates().has(victimID),
      5_000,
      'late sees victim',
    );
    expect(
      (late.provider.awareness.getStates().get(victimID) as { user: { name: string } }).user.name,
    ).toBe('victim');
    expect(
      h().logs.some((l) => l.includes("awareness for another connection's client ID dropped")),
    ).toBe(true);
    attacker.ws.close();
    for (const c of [victim, observer, late]) c.destroy();
    await h().oracle('p17', '');
  });

  it('P18 awareness color "red;background:url(//evil)" and a 1 MB name → sanitized server-side', async () => {
    const observer = await h().client('p18');
    const state = {
      user: {
        name: `${'n'.repeat(100)}\u202e`,
        color: 'red;background:url(//evil)',
        colorLight: 'url(x)',
      },
    };
    const attacker = await rawSocket(await h().url('p18'));
    attacker.ws.send(
      encodeAwareness(
        encodeAwarenessUpdate([
          { clientID: 4_000_001, clock: 1, stateJSON: JSON.stringify(state) },
        ]),
      ),
    );
    await waitFor(
      () => observer.provider.awareness.getStates().has(4_000_001),
      5_000,
      'state relayed',
    );
    const relayed = observer.provider.awareness.getStates().get(4_000_001) as {
      user: Record<string, string>;
    };
    expect(relayed.user.color).toMatch(/^#[0-9a-f]{6}$/);
    expect(relayed.user.colorLight).toMatch(/^#[0-9a-f]{8}$/);
    expect(relayed.user.name).toBe('n'.repeat(64));
    // A 1 MB name is over the 64 KiB state limit: refused outright.
    const huge = JSON.stringify({ user: { name: 'n'.repeat(1_000_000), color: '#000000' } });
    const result = await attack(await h().url('p18'), [
      encodeAwareness(encodeAwarenessUpdate([{ clientID: 4_000_002, clock: 1, stateJSON: huge }])),
    ]);
    expect(result.code).toBe(CloseCode.TooLarge);
    attacker.ws.close();
    observer.destroy();
    await h().oracle('p18', '');
  });
});
