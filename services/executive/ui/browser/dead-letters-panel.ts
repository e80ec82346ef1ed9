/** Dead letters (GET /dead-letters) with retry and drop (POST /dead-letters/requests). */
import type { Act } from './actions.ts';
import { api } from './api.ts';
import type { PageData } from './data.ts';
import { button, h, table } from './dom.ts';

export function deadLettersPanel(data: PageData['deadLetters'], act: Act): Node[] {
  if (data.queue === null)
    return [h('p', {}, 'No dead-letter queue: this executive has no Redis (EXECUTIVE_REDIS_URL).')];
  const rows = data.letters.map((letter) => {
    const request = (kind: 'retry' | 'drop'): HTMLButtonElement => {
      const b = button(kind === 'retry' ? 'Retry' : 'Drop', () => {
        void act(`${kind} requested for ${letter.id}`, () =>
          api('POST', '/dead-letters/requests', { id: letter.id, request: kind }),
        );
      });
      b.setAttribute('aria-label', `${kind === 'retry' ? 'Retry' : 'Drop'} dead letter ${letter.id}`);
      return b;
    };
    return [
      letter.id,
      letter.source,
      letter.policy,
      letter.code,
      letter.reason,
      new Date(letter.atMs).toISOString(),
      letter.request,
      h('span', { class: 'actions' }, request('retry'), request('drop')),
    ];
  });
  return [
    table(
      'Dead letters, oldest first',
      ['Id', 'Source', 'Policy', 'Code', 'Reason', 'At', 'Request', 'Action'],
      rows,
    ),
    h('p', { class: 'note' }, 'A request is carried out by the loader holding the letter’s source.'),
  ];
}
