"""Social graph and moments (PRODUCT.md I): friends, blocks, followed stores, the friends feed.

Chat and sharing use ``are_friends``, ``friend_ids``, ``blocked_between`` (inside their own
sessions) and ``post_moment``.
"""

from agora.social.errors import (
    AlreadyFriends,
    CommentNotFound,
    FriendRequestDecided,
    FriendRequestNotFound,
    MomentNotFound,
    NotYourself,
    UserNotFound,
)
from agora.social.follows import (
    FollowedStore,
    follow_store,
    followed_stores,
    follower_count,
    is_following,
    unfollow_store,
)
from agora.social.graph import (
    PersonView,
    are_friends,
    block_user,
    blocked_between,
    find_people,
    friend_ids,
    list_blocks,
    list_friends,
    remove_friend,
    unblock_user,
)
from agora.social.models import Friendship
from agora.social.moments import (
    CardView,
    CommentView,
    FeedPage,
    MomentView,
    comment_on,
    delete_comment,
    delete_moment,
    feed,
    get_moment,
    like_moment,
    post_moment,
    unlike_moment,
)
from agora.social.requests import (
    FriendRequestView,
    accept_request,
    cancel_request,
    decline_request,
    list_requests,
    send_request,
)

__all__ = [
    "AlreadyFriends",
    "CardView",
    "CommentNotFound",
    "CommentView",
    "FeedPage",
    "FollowedStore",
    "FriendRequestDecided",
    "FriendRequestNotFound",
    "FriendRequestView",
    "Friendship",
    "MomentNotFound",
    "MomentView",
    "NotYourself",
    "PersonView",
    "UserNotFound",
    "accept_request",
    "are_friends",
    "block_user",
    "blocked_between",
    "cancel_request",
    "comment_on",
    "decline_request",
    "delete_comment",
    "delete_moment",
    "feed",
    "find_people",
    "follow_store",
    "followed_stores",
    "follower_count",
    "friend_ids",
    "get_moment",
    "is_following",
    "like_moment",
    "list_blocks",
    "list_friends",
    "list_requests",
    "post_moment",
    "remove_friend",
    "send_request",
    "unblock_user",
    "unfollow_store",
    "unlike_moment",
]
