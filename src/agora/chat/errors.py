"""Chat errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, Conflict, Forbidden, InvalidInput, NotFound, RateLimited


class ConversationNotFound(NotFound):
    """Also what a non-member gets: a conversation's id reveals nothing to outsiders."""

    code = "conversation_not_found"
    title = N_("This conversation does not exist.")


class MessageNotFound(NotFound):
    code = "message_not_found"
    title = N_("This message does not exist.")


class UnknownKind(InvalidInput):
    code = "unknown_message_kind"
    title = N_("This kind of message is not supported.")


class NotFriends(Forbidden):
    code = "not_friends"
    title = N_("You can only chat with your friends.")


class ChatBlocked(Forbidden):
    """Either person blocked the other; the same answer both ways."""

    code = "chat_blocked"
    title = N_("You cannot send messages to this person.")


class NotAllowedInGroup(Forbidden):
    code = "group_permission_denied"
    title = N_("Only the group's owner or admins can do this.")


class NotYourMessage(Forbidden):
    code = "not_your_message"
    title = N_("You can only recall your own messages.")


class RecallWindowPassed(Conflict):
    code = "recall_window_passed"
    title = N_("Messages can only be recalled within 2 minutes.")


class NotAGroup(Conflict):
    code = "not_a_group"
    title = N_("This can only be done in a group chat.")


class GroupFull(Conflict):
    code = "group_full"
    title = N_("This group has reached its member limit.")


class SendRateLimited(RateLimited):
    code = "chat_rate_limited"
    title = N_("You are sending messages too fast. Please wait a moment.")


class PersonNotFound(NotFound):
    code = "user_not_found"
    title = N_("This person does not exist.")


class NotInGroup(NotFound):
    code = "not_in_group"
    title = N_("This person is not in the group.")


class AlreadyMembers(Conflict):
    code = "already_members"
    title = N_("They are already in this group.")
