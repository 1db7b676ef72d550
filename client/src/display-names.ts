/**
 * Telling people with the same display name apart. Names are free text, so two "Sam"s in one
 * document are common; each of them is then shown with a short suffix taken from their
 * awareness clientID ("Sam ·2f"), beside their color. The suffix is stable for a session (the
 * clientID does not change while the tab is open), differs between the two with near certainty
 * (two base-36 digits of a random 32-bit ID, extended when two still collide), and is left out
 * when a name is unique, so the common case stays clean. Used by the presence list (and by
 * anything else that labels people, such as caret labels).
 */

/** Shortest suffix: two base-36 digits. */
const SUFFIX_DIGITS = 2;

/** The suffix for `clientId` with `digits` base-36 digits (its last ones). */
export function clientSuffix(clientId: number, digits = SUFFIX_DIGITS): string {
  return clientId.toString(36).slice(-digits).padStart(digits, '0');
}

/**
 * The label of each person, by clientID: the name alone when no one else has it, else the
 * name with ` ·<suffix>`, the suffix long enough to tell every holder of that name apart.
 */
export function distinctDisplayNames(
  people: readonly { clientId: number; name: string }[],
): Map<number, string> {
  const byName = new Map<string, number[]>();
  for (const { clientId, name } of people) {
    const ids = byName.get(name) ?? [];
    ids.push(clientId);
    byName.set(name, ids);
  }
  const labels = new Map<number, string>();
  for (const [name, ids] of byName) {
    if (ids.length === 1) {
      labels.set(ids[0]!, name);
      continue;
    }
    let digits = SUFFIX_DIGITS;
    // Every ID has at most 7 base-36 digits: past that the suffixes are the whole IDs.
    while (digits < 7 && new Set(ids.map((id) => clientSuffix(id, digits))).size < ids.length) {
      digits++;
    }
    for (const id of ids) labels.set(id, `${name} ·${clientSuffix(id, digits)}`);
  }
  return labels;
}
