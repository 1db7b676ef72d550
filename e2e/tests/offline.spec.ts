import {
  editorText,
  expect,
  newUser,
  saveScreenshot,
  statusOf,
  test,
  typeInEditor,
} from '../src/fixtures.js';

test('edits made while the server is down reach everyone after it restarts, even from a closed tab', async ({
  browser,
  server,
}) => {
  const doc = '/d/offline-notes';
  const alice = await newUser(browser, server, 'Alice', doc);
  const bob = await newUser(browser, server, 'Bob', doc);
  await typeInEditor(alice.page, 'Shared start.');
  await expect.poll(() => editorText(bob.page)).toBe('Shared start.');

  await server.kill();
  for (const user of [alice, bob]) {
    await expect(statusOf(user.page)).toHaveAttribute('data-status', 'offline');
  }
  // Presence of the others is gone while offline; only you remain.
  await expect(alice.page.locator('.quire-presence li')).toHaveText(['Alice (you)']);

  await Promise.all([
    typeInEditor(alice.page, '\nAlice typed this offline.'),
    typeInEditor(bob.page, '\nBob typed this offline, then closed the tab.'),
  ]);
  await expect(statusOf(alice.page)).toContainText('Offline');
  await expect(alice.page.locator('.quire-announcer')).toContainText('Offline');
  await saveScreenshot(alice.page, 'offline-alice');

  // y-indexeddb writes each update in its own IndexedDB transaction; give Bob's last one a
  // moment to commit, then close his tab while the server is still down.
  await bob.page.waitForTimeout(500);
  await bob.page.close();

  await server.restart();
  await expect(statusOf(alice.page)).toHaveAttribute('data-status', /online|saved/, {
    timeout: 20_000,
  });
  // Bob comes back later: his browser still has the edits he made offline.
  const bobPage = await bob.reopen(doc);
  await expect(statusOf(bobPage)).toHaveAttribute('data-status', /online|saved/);

  for (const page of [alice.page, bobPage]) {
    await expect.poll(() => editorText(page)).toContain('Alice typed this offline.');
    await expect
      .poll(() => editorText(page))
      .toContain('Bob typed this offline, then closed the tab.');
    await expect.poll(() => editorText(page)).toContain('Shared start.');
  }
  expect(await editorText(alice.page)).toBe(await editorText(bobPage));
  // The offline edits are on the restarted server's disk, not just relayed.
  await expect(statusOf(alice.page)).toHaveAttribute('data-status', 'saved');
  await expect(statusOf(bobPage)).toHaveAttribute('data-status', 'saved');
  // After the reconnect each sees the other in the presence list at once (awareness clock bump).
  await expect(alice.page.locator('.quire-presence li')).toHaveText(['Alice (you)', 'Bob']);
  await expect(bobPage.locator('.quire-presence li')).toHaveText(['Bob (you)', 'Alice']);
  await saveScreenshot(alice.page, 'offline-synced-alice');
});

test('presence reappears for the others at once after a server restart', async ({
  browser,
  server,
}) => {
  const alice = await newUser(browser, server, 'Alice', '/d/presence');
  const bob = await newUser(browser, server, 'Bob', '/d/presence');
  await expect(alice.page.locator('.quire-presence li')).toHaveText(['Alice (you)', 'Bob']);

  await server.kill();
  await expect(statusOf(alice.page)).toHaveAttribute('data-status', 'offline');
  await server.restart();
  for (const user of [alice, bob]) {
    await expect(statusOf(user.page)).toHaveAttribute('data-status', /online|saved/, {
      timeout: 20_000,
    });
  }
  // Well under the 15 s awareness renewal: the re-announcement was not ignored.
  await expect(alice.page.locator('.quire-presence li')).toHaveText(['Alice (you)', 'Bob'], {
    timeout: 5_000,
  });
  await expect(bob.page.locator('.quire-presence li')).toHaveText(['Bob (you)', 'Alice'], {
    timeout: 5_000,
  });
});

test('content survives a server restart', async ({ browser, server }) => {
  const alice = await newUser(browser, server, 'Alice', '/d/durable');
  const bob = await newUser(browser, server, 'Bob', '/d/durable');
  await typeInEditor(alice.page, 'Written before the crash.');
  // Relayed means persisted (the server writes before it relays).
  await expect.poll(() => editorText(bob.page)).toBe('Written before the crash.');
  await alice.context.close();
  await bob.context.close();

  await server.kill();
  await server.restart();

  // A brand-new browser profile: no offline copy, so the text can only come from the server.
  const carol = await newUser(browser, server, 'Carol', '/d/durable');
  await expect(statusOf(carol.page)).toHaveAttribute('data-status', /online|saved/);
  await expect.poll(() => editorText(carol.page)).toBe('Written before the crash.');
});
