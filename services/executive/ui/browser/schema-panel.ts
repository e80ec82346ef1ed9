/** Families → tables → fields, from GET /schema. */
import type { PageData } from './data.ts';
import { h, table } from './dom.ts';

export function schemaPanel(schema: PageData['schema']): Node[] {
  const rows = schema.families.flatMap((f) =>
    f.tables.length === 0
      ? [[f.family, '–', '–', '–']]
      : f.tables.map((t) => [
          f.family,
          t.table,
          h(
            'ul',
            { class: 'fields' },
            ...t.fields.map((field) => h('li', {}, h('code', {}, field.name), ` ${field.type}`)),
          ),
          t.keyFields.join(', '),
        ]),
  );
  return [
    h('p', {}, `${schema.families.length} families`),
    table('Families and tables', ['Family', 'Table', 'Fields', 'Key'], rows),
  ];
}
