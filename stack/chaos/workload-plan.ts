/**
 * The workload's transactions, planned from a seeded random source against a model of the
 * origin (the generator is the origin's only writer, so the model is exact). Planning is pure:
 * it returns the statements to run and the effects they will have once committed.
 *
 * Every change sets `ver` to a new change number, unique and increasing across runs, so each
 * ledger effect names the origin change it came from.
 */
import { GROUP_SLOTS, GROUPS } from '../fleet/origin-schema.ts';
import type { Rng } from './rng.ts';
import { keyString, type Effect } from './truth.ts';

/** Item ids come from 1..ID_SPACE, so the table stays around a steady size. */
const ID_SPACE = 4000;
const TARGET_ITEMS = 1500;

export interface Statement {
  readonly sql: string;
  readonly params: readonly (string | number | null)[];
}

export interface PlannedTx {
  readonly kind: 'items' | 'group' | 'mixed' | 'rollback';
  readonly statements: readonly Statement[];
  readonly effects: readonly Effect[];
  readonly rollback: boolean;
  /** Applies the transaction to the model; call once it committed. */
  readonly commit: () => void;
}

export class OriginModel {
  /** id -> ver of every item row. */
  readonly items = new Map<string, string>();
  /** Groups whose slots exist. */
  readonly groups = new Set<number>();
  /** Columns added by the workload (nullable VARCHAR), written now and then. */
  readonly extraColumns: string[] = [];
}

/** A transaction's view of the model: its own changes over the committed state. */
class Staged {
  readonly #model: OriginModel;
  readonly items = new Map<string, string | null>();
  readonly groups = new Map<number, boolean>();

  constructor(model: OriginModel) {
    this.#model = model;
  }

  itemVer(id: string): string | undefined {
    const staged = this.items.get(id);
    if (staged !== undefined) return staged ?? undefined;
    return this.items.has(id) ? undefined : this.#model.items.get(id);
  }

  hasGroup(g: number): boolean {
    return this.groups.get(g) ?? this.#model.groups.has(g);
  }

  applyTo(model: OriginModel): void {
    for (const [id, ver] of this.items) {
      if (ver === null) model.items.delete(id);
      else model.items.set(id, ver);
    }
    for (const [g, exists] of this.groups) {
      if (exists) model.groups.add(g);
      else model.groups.delete(g);
    }
  }
}

export class Planner {
  readonly #rng: Rng;
  readonly #model: OriginModel;
  #nextVer: bigint;

  /** `verBase`: the first change number (e.g. start time in ms × 10^6, beyond 2^53 on purpose). */
  constructor(rng: Rng, model: OriginModel, verBase: bigint) {
    this.#rng = rng;
    this.#model = model;
    this.#nextVer = verBase;
  }

  #ver(): string {
    this.#nextVer += 1n;
    return this.#nextVer.toString();
  }

  plan(): PlannedTx {
    const rng = this.#rng;
    const missingGroup = [...Array(GROUPS).keys()].find((g) => !this.#model.groups.has(g));
    if (missingGroup !== undefined)
      return this.#build('group', false, (s, out) => this.#createGroup(s, out, missingGroup));
    const roll = rng.next();
    if (roll < 0.08)
      return this.#build('rollback', true, (s, out) => this.#itemChanges(s, out, rng.int(1, 4)));
    if (roll < 0.35)
      return this.#build('group', false, (s, out) => {
        this.#groupChange(s, out);
        if (rng.chance(0.2)) this.#groupChange(s, out);
      });
    if (roll < 0.45)
      return this.#build('mixed', false, (s, out) => {
        this.#itemChanges(s, out, rng.int(1, 3));
        this.#groupChange(s, out);
      });
    return this.#build('items', false, (s, out) =>
      this.#itemChanges(s, out, rng.chance(0.5) ? 1 : rng.int(2, 8)),
    );
  }

  #build(
    kind: PlannedTx['kind'],
    rollback: boolean,
    fill: (staged: Staged, out: { statements: Statement[]; effects: Effect[] }) => void,
  ): PlannedTx {
    const staged = new Staged(this.#model);
    const out = { statements: [] as Statement[], effects: [] as Effect[] };
    fill(staged, out);
    return {
      kind,
      rollback,
      statements: out.statements,
      effects: rollback ? [] : out.effects,
      commit: () => staged.applyTo(this.#model),
    };
  }

  #itemChanges(s: Staged, out: { statements: Statement[]; effects: Effect[] }, n: number): void {
    for (let i = 0; i < n; i++) this.#itemChange(s, out);
  }

  #itemChange(s: Staged, out: { statements: Statement[]; effects: Effect[] }): void {
    const rng = this.#rng;
    const size = this.#model.items.size;
    const existing = this.#existingId(s);
    const insertBias = size < TARGET_ITEMS ? 0.5 : 0.2;
    const roll = rng.next();
    if (existing === undefined || roll < insertBias) {
      const id = this.#freeId(s);
      if (id !== undefined) return this.#insert(s, out, id);
      if (existing === undefined) return;
    }
    if (existing === undefined) return;
    if (roll < insertBias + 0.15) return this.#delete(s, out, existing);
    if (roll < insertBias + 0.25) {
      const to = this.#freeId(s);
      if (to !== undefined) return this.#moveKey(s, out, existing, to);
    }
    this.#update(s, out, existing);
  }

  #existingId(s: Staged): string | undefined {
    for (let tries = 0; tries < 20; tries++) {
      const id = String(this.#rng.int(1, ID_SPACE));
      if (s.itemVer(id) !== undefined) return id;
    }
    return undefined;
  }

  #freeId(s: Staged): string | undefined {
    for (let tries = 0; tries < 20; tries++) {
      const id = String(this.#rng.int(1, ID_SPACE));
      if (s.itemVer(id) === undefined) return id;
    }
    return undefined;
  }

  /** Values for the non-key fields; added columns are set now and then. */
  #fields(ver: string): Record<string, string | number | null> {
    const rng = this.#rng;
    const fields: Record<string, string | number | null> = {
      grp: rng.int(0, 99),
      ver,
      name: this.#name(),
      amount: rng.chance(0.2)
        ? null
        : `${rng.int(-99999, 99999)}.${String(rng.int(0, 999999)).padStart(6, '0')}`,
      note: rng.chance(0.5) ? null : this.#name().repeat(rng.int(1, 40)),
    };
    for (const column of this.#model.extraColumns) if (rng.chance(0.3)) fields[column] = this.#name();
    return fields;
  }

  #name(): string {
    const rng = this.#rng;
    const alphabet = 'abcdefghijklmnopqrstuvwxyz  ABC-_é漢🙂';
    const chars = Array.from(alphabet);
    let text = '';
    const length = rng.int(1, 24);
    for (let i = 0; i < length; i++) text += rng.pick(chars);
    return text;
  }

  #insert(s: Staged, out: { statements: Statement[]; effects: Effect[] }, id: string): void {
    const ver = this.#ver();
    const fields = { id, ...this.#fields(ver) };
    const names = Object.keys(fields);
    out.statements.push({
      sql: `INSERT INTO items (${names.map((n) => `\`${n}\``).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
      params: Object.values(fields),
    });
    out.effects.push({ table: 'items', key: keyString([id]), op: 'upsert', ver });
    s.items.set(id, ver);
  }

  #update(s: Staged, out: { statements: Statement[]; effects: Effect[] }, id: string): void {
    const ver = this.#ver();
    const fields = this.#fields(ver);
    if (this.#rng.chance(0.5)) {
      delete fields.note;
      delete fields.grp;
    }
    out.statements.push({
      sql: `UPDATE items SET ${Object.keys(fields)
        .map((n) => `\`${n}\` = ?`)
        .join(', ')} WHERE id = ?`,
      params: [...Object.values(fields), id],
    });
    out.effects.push({ table: 'items', key: keyString([id]), op: 'upsert', ver });
    s.items.set(id, ver);
  }

  /** A primary-key update: Debezium sends a delete of the old key and a create of the new one. */
  #moveKey(s: Staged, out: { statements: Statement[]; effects: Effect[] }, from: string, to: string): void {
    const ver = this.#ver();
    out.statements.push({ sql: 'UPDATE items SET id = ?, ver = ? WHERE id = ?', params: [to, ver, from] });
    out.effects.push({ table: 'items', key: keyString([from]), op: 'delete', ver: null });
    out.effects.push({ table: 'items', key: keyString([to]), op: 'upsert', ver });
    s.items.set(from, null);
    s.items.set(to, ver);
  }

  #delete(s: Staged, out: { statements: Statement[]; effects: Effect[] }, id: string): void {
    out.statements.push({ sql: 'DELETE FROM items WHERE id = ?', params: [id] });
    out.effects.push({ table: 'items', key: keyString([id]), op: 'delete', ver: null });
    s.items.set(id, null);
  }

  #createGroup(s: Staged, out: { statements: Statement[]; effects: Effect[] }, g: number): void {
    const ver = this.#ver();
    const slots = [...Array(GROUP_SLOTS).keys()];
    out.statements.push({
      sql: `INSERT INTO tx_groups (grp, slot, ver) VALUES ${slots.map(() => '(?, ?, ?)').join(', ')}`,
      params: slots.flatMap((slot) => [g, slot, ver]),
    });
    for (const slot of slots)
      out.effects.push({ table: 'tx_groups', key: keyString([String(g), String(slot)]), op: 'upsert', ver });
    s.groups.set(g, true);
  }

  /** Every slot of one group to one new ver: in place, or deleted and inserted again. */
  #groupChange(s: Staged, out: { statements: Statement[]; effects: Effect[] }): void {
    const g = this.#rng.int(0, GROUPS - 1);
    if (!s.hasGroup(g)) return this.#createGroup(s, out, g);
    if (this.#rng.chance(0.15)) {
      out.statements.push({ sql: 'DELETE FROM tx_groups WHERE grp = ?', params: [g] });
      for (let slot = 0; slot < GROUP_SLOTS; slot++)
        out.effects.push({
          table: 'tx_groups',
          key: keyString([String(g), String(slot)]),
          op: 'delete',
          ver: null,
        });
      return this.#createGroup(s, out, g);
    }
    const ver = this.#ver();
    out.statements.push({ sql: 'UPDATE tx_groups SET ver = ? WHERE grp = ?', params: [ver, g] });
    for (let slot = 0; slot < GROUP_SLOTS; slot++)
      out.effects.push({ table: 'tx_groups', key: keyString([String(g), String(slot)]), op: 'upsert', ver });
  }
}
