/** The demo's remembered display name and color (localStorage), validated like any identity. */
import { USER_NAME_MAX_LENGTH, isValidColor, sanitizeUserName } from '@quire/shared';
import { USER_COLORS, type UserIdentity } from '../user.js';

const KEY = 'quire:identity';

export function loadIdentity(): UserIdentity {
  let stored: Partial<UserIdentity> = {};
  try {
    stored = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<UserIdentity>;
  } catch {
    // A corrupt entry is replaced below.
  }
  const identity: UserIdentity = {
    name: sanitizeUserName(stored.name, `Guest ${Math.floor(Math.random() * 900 + 100)}`),
    color: isValidColor(stored.color)
      ? stored.color
      : (USER_COLORS[Math.floor(Math.random() * USER_COLORS.length)] as string),
  };
  saveIdentity(identity);
  return identity;
}

export function saveIdentity(identity: UserIdentity): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(identity));
  } catch {
    // Storage can be disabled; the name then lasts for this page only.
  }
}

/** Wires the header's name field: edits are validated, remembered and reported. */
export function bindNameField(
  input: HTMLInputElement,
  identity: UserIdentity,
  onChange: (identity: UserIdentity) => void,
): void {
  input.maxLength = USER_NAME_MAX_LENGTH;
  input.value = identity.name;
  input.addEventListener('change', () => {
    const name = sanitizeUserName(input.value, identity.name);
    input.value = name;
    identity.name = name;
    saveIdentity(identity);
    onChange(identity);
  });
}
