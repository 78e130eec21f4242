"""Social errors, each with a stable code. Whatever concerns another person answers "not found"
when the actor may not see it (a block, a request addressed to someone else), so ids reveal
nothing."""

from __future__ import annotations

from agora.core.errors import N_, Conflict, InvalidInput, NotFound

__all__ = ["N_"]


class UserNotFound(NotFound):
    """No such user, or one the actor cannot reach (either has blocked the other)."""

    code = "user_not_found"
    title = N_("This person cannot be found.")


class FriendRequestNotFound(NotFound):
    code = "friend_request_not_found"
    title = N_("This friend request does not exist.")


class MomentNotFound(NotFound):
    code = "moment_not_found"
    title = N_("This moment does not exist.")


class CommentNotFound(NotFound):
    code = "comment_not_found"
    title = N_("This comment does not exist.")


class NotYourself(InvalidInput):
    code = "not_yourself"
    title = N_("You cannot do this with yourself.")


class AlreadyFriends(Conflict):
    code = "already_friends"
    title = N_("You are already friends.")


class FriendRequestDecided(Conflict):
    """The request was already declined or cancelled (someone else may have acted first)."""

    code = "friend_request_decided"
    title = N_("This friend request was already answered or withdrawn.")
