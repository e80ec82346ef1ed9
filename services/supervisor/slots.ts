/**
 * Who makes a snapshot: among several supervisors, the one that claims the trigger's slot.
 *
 * Chosen over a BullMQ job scheduler: a job scheduler gives "one job per interval" but hands the
 * job to whichever worker is free, including one whose follower is behind (its snapshot would
 * then be refused as stale and the interval lost), and it has no natural way to express the
 * entries trigger. Here a supervisor claims only when its own follower is caught up, and the
 * same claim covers both triggers.
 *
 * A claim is atomic (adapters/redis-slots.ts runs it as one Lua script):
 * 1. nobody holds the "making" lock (another snapshot is in progress: skip this trigger),
 * 2. `SET slot owner NX PX` succeeds (nobody claimed this slot yet),
 * 3. `INCR` of a counter gives a fencing token, strictly increasing across all claims,
 * 4. the making lock is set to `owner:token` with a TTL (released at the end, or expires).
 * The token goes into the manifest; before publishing, the maker checks it still holds the lock.
 */

export interface Claim {
  readonly token: number;
  /** True while the making lock is still this claim's (it may have expired). */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

export type ClaimResult =
  | { readonly won: true; readonly claim: Claim }
  | { readonly won: false; readonly reason: 'slot-taken' | 'busy' };

export interface SnapshotSlots {
  /** `slotTtlMs`: how long the slot name stays claimed; `lockTtlMs`: longest a snapshot may take. */
  claim(slot: string, owner: string, slotTtlMs: number, lockTtlMs: number): Promise<ClaimResult>;
  close(): Promise<void>;
}

/** Slots for a single supervisor (embedded mode, or no Redis): it always wins, one at a time. */
export class InProcessSlots implements SnapshotSlots {
  readonly #claimed = new Map<string, number>();
  #token = 0;
  #making: number | null = null;

  claim(slot: string, _owner: string, slotTtlMs: number, _lockTtlMs: number): Promise<ClaimResult> {
    const now = Date.now();
    for (const [name, expires] of this.#claimed) if (expires <= now) this.#claimed.delete(name);
    if (this.#making !== null) return Promise.resolve({ won: false, reason: 'busy' });
    if (this.#claimed.has(slot)) return Promise.resolve({ won: false, reason: 'slot-taken' });
    this.#claimed.set(slot, now + slotTtlMs);
    const token = ++this.#token;
    this.#making = token;
    const claim: Claim = {
      token,
      stillHeld: () => Promise.resolve(this.#making === token),
      release: () => {
        if (this.#making === token) this.#making = null;
        return Promise.resolve();
      },
    };
    return Promise.resolve({ won: true, claim });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
