import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AgentsModule } from '../agents/agents.module.js';
import { ContactsModule } from '../contacts/contacts.module.js';
import { EventsModule } from '../events/events.module.js';
import { InboxesModule } from '../inboxes/inboxes.module.js';
import { MailModule } from '../mail/mail.module.js';
import { MediaModule } from '../media/media.module.js';
import { StatusesModule } from '../statuses/statuses.module.js';
import { TeamsModule } from '../teams/teams.module.js';
import { CustomAttributesModule } from '../custom-attributes/custom-attributes.module.js';
import { ConversationAccess } from './conversation-access.service.js';
import { ConversationAttributesController } from './conversation-attributes.controller.js';
import { ConversationAttributes } from './conversation-attributes.service.js';
import { ConversationAssignment } from './conversation-assignment.service.js';
import { ConversationEvents } from './conversation-events.js';
import { ConversationHooks } from './conversation-hooks.service.js';
import { ConversationListsRepository } from './conversation-lists.repository.js';
import { ConversationLists } from './conversation-lists.service.js';
import { ConversationUpdatesController } from './conversation-updates.controller.js';
import { ConversationUpdates } from './conversation-updates.service.js';
import { ConversationsController } from './conversations.controller.js';
import { ConversationsRepository } from './conversations.repository.js';
import { ConversationsService } from './conversations.service.js';
import { DefaultStatuses } from './default-statuses.service.js';
import { AgentRepliesRepository } from './messages/agent-replies.repository.js';
import { ContactReplies } from './messages/contact-replies.service.js';
import { EmailThreadsRepository } from './messages/email-threads.repository.js';
import { IncomingEmails } from './messages/incoming-email.service.js';
import { MessageWriter } from './messages/message-writer.service.js';
import { MessagesController } from './messages/messages.controller.js';
import { MessagesRepository } from './messages/messages.repository.js';
import { MessagesService } from './messages/messages.service.js';
import { OutgoingMessagesLink } from './messages/outgoing-messages.link.js';
import { OutgoingMessagesRepository } from './messages/outgoing-messages.repository.js';
import { SnoozeWaker } from './snooze/snooze-waker.service.js';
import { TagsController } from './tags/tags.controller.js';
import { TagsRepository } from './tags/tags.repository.js';
import { TagsService } from './tags/tags.service.js';
import { ViewEntity } from './entities/view.entity.js';
import { ViewsController } from './views/views.controller.js';
import { ViewsRepository } from './views/views.repository.js';
import { ViewsService } from './views/views.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([ViewEntity]),
    AgentsModule,
    ContactsModule,
    CustomAttributesModule,
    EventsModule,
    InboxesModule,
    MailModule,
    MediaModule,
    StatusesModule,
    TeamsModule,
  ],
  controllers: [ConversationsController, ConversationUpdatesController, ConversationAttributesController, MessagesController, TagsController, ViewsController],
  providers: [
    ConversationAccess,
    ConversationAttributes,
    ConversationAssignment,
    ConversationEvents,
    ConversationHooks,
    ConversationLists,
    ConversationListsRepository,
    ConversationUpdates,
    ConversationsRepository,
    ConversationsService,
    DefaultStatuses,
    ContactReplies,
    EmailThreadsRepository,
    IncomingEmails,
    MessageWriter,
    MessagesRepository,
    AgentRepliesRepository,
    MessagesService,
    OutgoingMessagesLink,
    OutgoingMessagesRepository,
    SnoozeWaker,
    TagsRepository,
    TagsService,
    ViewsRepository,
    ViewsService,
  ],
  exports: [ConversationsService, MessagesService, IncomingEmails],
})
export class ConversationsModule {}
