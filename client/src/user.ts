/** Local user identity: validated the same way remote identities are, defaults for the rest. */
import { isValidColor, sanitizeUserName } from '@quire/shared';

export interface UserIdentity {
  name: string;
  color: string;
}

/** Dark enough for the white text of cursor labels. */
export const USER_COLORS = [
  '#d1242f',
  '#0969da',
  '#1a7f37',
  '#8250df',
  '#bc4c00',
  '#bf3989',
  '#0a7d8c',
  '#6e5700',
  '#5a32a3',
  '#b35900',
  '#0550ae',
  '#116329',
] as const;

export function colorFor(seed: number): string {
  return USER_COLORS[Math.abs(seed) % USER_COLORS.length] as string;
}

export function resolveUser(user: Partial<UserIdentity> | undefined, seed: number): UserIdentity {
  return {
    name: sanitizeUserName(user?.name, `Guest ${seed % 1000}`),
    color: isValidColor(user?.color) ? user.color.toLowerCase() : colorFor(seed),
  };
}
