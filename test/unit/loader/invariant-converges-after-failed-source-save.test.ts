/**
 * Chaos invariant "ctldb equals the origin after quiescing", broken by seed 1.43: an executive was
 * killed just after an ADD COLUMN. The loader reading the schema-change topic had added the
 * field and switched its own mapping, then failed to save the source's new mapping to the
 * registry; the retried event found the mapping already current, planned nothing and never saved
 * it. The other loader, whose rows carried the new column, waited for that mapping forever.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CuttleError } from '../../../lib/errors.ts';
import { JsonEventDecoder } from '../../../services/loader/decode/json-decoder.ts';
import { sourceConfigSchema, type SourceConfig } from '../../../services/loader/mapping/source-config.ts';
import { SourceMapper } from '../../../services/loader/mapping/source-mapper.ts';
import { buildEvent } from '../../../services/loader/pipeline/event-builder.ts';
import type { SourceRoute } from '../../../services/loader/pipeline/source-route.ts';
import { message } from '../../fixtures/debezium/envelopes.ts';

const alter = readFileSync(new URL('../../fixtures/debezium/schema-change-alter.json', import.meta.url));

function routeWithFailingSave() {
  const config = sourceConfigSchema.parse({
    name: 'origin',
    topicPrefix: 'ctl',
    schemaChanges: 'add-columns',
    encodings: { decimalHandlingMode: 'string' },
    tables: [
      {
        source: { database: 'ctl', table: 'widgets' },
        target: { family: 'shop', table: 'widgets' },
        columns: [
          { name: 'id', type: 'bigint(20)' },
          { name: 'name', type: 'varchar(100)' },
          { name: 'size', type: "enum('s','m','l')" },
        ],
        keyColumns: ['id'],
      },
    ],
  });
  const saved: SourceConfig[] = [];
  let saves = 0;
  const route: SourceRoute = {
    source: 'origin',
    mapper: new SourceMapper(config),
    decoder: new JsonEventDecoder(),
    defaultFamily: 'shop',
    held: new Map(),
    schemaApi: {
      addFields: () => Promise.resolve(),
      saveSource: (c) => {
        if (saves++ === 0) throw new CuttleError('UNAVAILABLE', 'executive unreachable');
        saved.push(c);
        return Promise.resolve();
      },
    },
  };
  return { route, saved };
}

describe('invariant: ctldb equals the origin after quiescing (a source mapping saved once the executive is back)', () => {
  it('saves the new mapping when the schema change is retried after a failed save', async () => {
    const { route, saved } = routeWithFailingSave();
    const event = { ...message({ key: { databaseName: 'ctl' }, value: {} }), value: alter };
    await expect(buildEvent(event, route)).rejects.toThrow('executive unreachable');
    await buildEvent(event, route);
    expect(saved.map((c) => c.tables[0]?.columns.map((col) => col.name))).toEqual([
      ['id', 'name', 'size', 'colour'],
    ]);
    expect(route.mapper.currentConfig.tables[0]?.columns.map((c) => c.name)).toContain('colour');
  });
});
