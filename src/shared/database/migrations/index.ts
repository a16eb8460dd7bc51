import { InitialSchema1764100000000 } from './1764100000000-InitialSchema.js';
import { EmailOutbox1764400000000 } from './1764400000000-EmailOutbox.js';
import { SearchIndexes1764500000000 } from './1764500000000-SearchIndexes.js';
import { EventsWebhooks1764700000000 } from './1764700000000-EventsWebhooks.js';
import { RateLimitIdempotency1764800000000 } from './1764800000000-RateLimitIdempotency.js';
import { AuthChangeNotify1764900000000 } from './1764900000000-AuthChangeNotify.js';
import { EventSequencer1765000000000 } from './1765000000000-EventSequencer.js';
import { SearchGrowth1765100000000 } from './1765100000000-SearchGrowth.js';
import { AgentChangeNotify1765200000000 } from './1765200000000-AgentChangeNotify.js';
import { EventTransactionOrder1765300000000 } from './1765300000000-EventTransactionOrder.js';
import { InboundEmail1765450000000 } from './1765450000000-InboundEmail.js';
import { Retention1765460000000 } from './1765460000000-Retention.js';
import { TagsRoles1765500000000 } from './1765500000000-TagsRoles.js';
import { CustomAttributes1765510000000 } from './1765510000000-CustomAttributes.js';
import { ListSortIndexes1765520000000 } from './1765520000000-ListSortIndexes.js';
import { ContactLifecycle1765530000000 } from './1765530000000-ContactLifecycle.js';
import { WebhookPayloadFormat1765540000000 } from './1765540000000-WebhookPayloadFormat.js';
import { MessageFullText1765550000000 } from './1765550000000-MessageFullText.js';
import { SearchCommonWords1765580000000 } from './1765580000000-SearchCommonWords.js';

/** Every migration, in order. A module that changes the schema adds its migration class here. */
export const MIGRATIONS = [
  InitialSchema1764100000000,
  EmailOutbox1764400000000,
  SearchIndexes1764500000000,
  EventsWebhooks1764700000000,
  RateLimitIdempotency1764800000000,
  AuthChangeNotify1764900000000,
  EventSequencer1765000000000,
  SearchGrowth1765100000000,
  AgentChangeNotify1765200000000,
  EventTransactionOrder1765300000000,
  InboundEmail1765450000000,
  Retention1765460000000,
  TagsRoles1765500000000,
  CustomAttributes1765510000000,
  ListSortIndexes1765520000000,
  ContactLifecycle1765530000000,
  WebhookPayloadFormat1765540000000,
  MessageFullText1765550000000,
  SearchCommonWords1765580000000,
];
