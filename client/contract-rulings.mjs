/**
 * The contract's known schema bugs, corrected as ruled in ../shared/contract/DECISIONS.md.
 * Applied to a copy of the OpenAPI document before it is used to validate responses (tests) and to
 * generate the typed client, so both describe what the server really answers. Nothing else in the
 * contract is changed: a shape that differs from the contract outside these rulings is a bug.
 */

/** @typedef {{ id: string, ruling: string, apply: (doc: any) => void }} Ruling */

/** @type {Ruling[]} */
export const RULINGS = [
  {
    id: 'agent-list-flat',
    ruling: "`GET /agents` returns a flat array of compact agents. The contract's nested `AgentCompact` envelope is a schema bug.",
    apply(doc) {
      const schemas = doc.components.schemas;
      const compact = schemas.AgentCompact.properties.data.items;
      schemas.AgentListResponse.properties.data = { type: 'array', items: compact };
    },
  },
  {
    id: 'participants-enveloped',
    ruling: '`GET .../participants` returns the enveloped array.',
    apply(doc) {
      const schemas = doc.components.schemas;
      const bare = schemas.ConversationParticipantsResponse;
      schemas.ConversationParticipantsResponse = {
        type: 'object',
        properties: { status: { type: 'string', example: 'success' }, data: bare },
      };
    },
  },
  {
    id: 'activity-messages',
    ruling:
      'Status, priority, assignment and tag changes add an `activity` message (private) to the conversation; ' +
      'it is listed with the messages, so `Message.type` also takes `activity`.',
    apply(doc) {
      const type = doc.components.schemas.Message.properties.type;
      if (!type.enum.includes('activity')) type.enum = [...type.enum, 'activity'];
    },
  },
];

/** A deep copy of `contract` with every ruling applied. */
export function applyRulings(contract) {
  const doc = structuredClone(contract);
  for (const r of RULINGS) r.apply(doc);
  return doc;
}
