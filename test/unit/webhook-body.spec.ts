import { createHmac } from 'node:crypto';
import { rfc3339Seconds, toLibredeskEvent, webhookBody } from '../../src/modules/webhooks/webhook-body.js';
import { isMaskedSecret, libredeskSignatureHeaders, maskSecret } from '../../src/modules/webhooks/webhook-signing.js';

const uuid = '2c1f8f1e-5a8e-4d0b-9c51-1f4e0c2d9a11';

describe('toLibredeskEvent', () => {
  test('maps the events upstream has to its names and shapes', () => {
    expect(
      toLibredeskEvent('conversation.status_changed', {
        conversation_uuid: uuid,
        previous_status: 'Open',
        status: 'Snoozed',
        snoozed_until: '2026-12-05T10:00:00.000Z',
      }),
    ).toEqual({
      event: 'conversation.status_changed',
      payload: { conversation_uuid: uuid, previous_status: 'Open', new_status: 'Snoozed', snooze_until: '2026-12-05T10:00:00.000Z', actor_id: null },
    });
    expect(toLibredeskEvent('conversation.tags_changed', { conversation_uuid: uuid, added: ['new'], removed: ['old'], tags: ['kept', 'new'] }).payload).toEqual(
      {
        conversation_uuid: uuid,
        previous_tags: ['kept', 'old'],
        new_tags: ['kept', 'new'],
        actor_id: null,
      },
    );
    expect(toLibredeskEvent('message.updated', { message_uuid: 'm1', conversation_uuid: uuid, status: 'sent', previous_status: 'pending' })).toEqual({
      event: 'message.updated',
      payload: { uuid: 'm1', conversation_uuid: uuid, status: 'sent', previous_status: 'pending' },
    });
    expect(toLibredeskEvent('message.created', { message: { uuid: 'm2' }, conversation_uuid: uuid })).toEqual({
      event: 'message.created',
      payload: { uuid: 'm2' },
    });
  });

  test('team assignments get their own names; events without an upstream counterpart keep ours', () => {
    expect(toLibredeskEvent('conversation.unassigned', { conversation_uuid: uuid, assignee_type: 'team', assignee_id: null, previous_assignee_id: 4 })).toEqual(
      {
        event: 'conversation.team_unassigned',
        payload: { conversation_uuid: uuid, previous_team_id: 4, actor_id: null },
      },
    );
    const priority = { conversation_uuid: uuid, previous_priority: null, priority: 'High' };
    expect(toLibredeskEvent('conversation.priority_changed', priority)).toEqual({ event: 'conversation.priority_changed', payload: priority });
    expect(toLibredeskEvent('contact.updated', { contact: { id: 3 } })).toEqual({ event: 'contact.updated', payload: { contact: { id: 3 } } });
  });
});

describe('webhookBody and signatures', () => {
  const event = { id: '812', type: 'contact.created', createdAt: new Date('2026-12-04T12:00:00.123Z'), payload: { contact: { id: 1 } } };

  test('standard keeps the numeric id; libredesk is {event, payload, timestamp} with a second-precision UTC time', () => {
    expect(JSON.parse(webhookBody('standard', event))).toEqual({
      id: 812,
      type: 'contact.created',
      created_at: '2026-12-04T12:00:00.123Z',
      data: { contact: { id: 1 } },
    });
    const raw = webhookBody('libredesk', event, new Date('2026-12-04T12:00:05.999Z'));
    expect(raw).toBe('{"event":"contact.created","payload":{"contact":{"id":1}},"timestamp":"2026-12-04T12:00:05Z"}');
    expect(rfc3339Seconds(new Date('2026-01-02T03:04:05.000Z'))).toBe('2026-01-02T03:04:05Z');
  });

  test('the libredesk signature is keyed with the secret string as written, also for a whsec_ secret', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const headers = libredeskSignatureHeaders(secret, '812', 'body');
    expect(headers['x-libredesk-signature']).toBe(`sha256=${createHmac('sha256', secret).update('body').digest('hex')}`);
    expect(headers['webhook-id']).toBe('812');
  });

  test('masked secrets are recognised, real ones are not', () => {
    for (const secret of ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'my-own-secret-0123456789']) {
      expect(isMaskedSecret(maskSecret(secret))).toBe(true);
      expect(isMaskedSecret(secret)).toBe(false);
    }
    expect(isMaskedSecret('••••••••••')).toBe(true);
  });
});
