"""Demo community: users (many with profiles) who follow each other, post, like and comment."""

from __future__ import annotations

from datetime import date, timedelta

from shop.demo.context import DemoContext, Row, Step, UniqueNames, spread
from shop.demo.words import (
    BIOS,
    COMMENTS,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    LAST_NAMES,
    SENTENCES,
    TITLE_PATTERNS,
    TOPICS,
)
from shop.models import Comment, Post, Profile, User, following_table, likes_table
from shop.models.social import ROLES

USERS_PER_SCALE = 50
POSTS_PER_SCALE = 80
MEAN_FOLLOWS = 4.0
MEAN_LIKES = 4.0
MEAN_COMMENTS = 1.5


def _username_base(ctx: DemoContext, first: str, last: str) -> str:
    style = ctx.rng.randrange(3)
    if style == 0:
        return f"{first}.{last}".lower()
    if style == 1:
        return f"{first}_{last}".lower()
    return f"{first[0]}{last}".lower()


def build_users(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    usernames = UniqueNames()
    rows: list[Row] = []
    roles = spread(rng, ROLES, (90, 8, 2), ctx.count(USERS_PER_SCALE))
    for user_id, role in enumerate(roles, start=1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = usernames(_username_base(ctx, first, last))
        joined = ctx.days_ago(1, 3 * 365)
        ctx.user_joined.append(joined)
        ctx.user_names.append((first, last, username))
        rows.append(
            {
                "id": user_id,
                "username": username,
                # Unique because the username is.
                "email": f"{username}@{rng.choice(EMAIL_DOMAINS)}",
                "bio": ctx.maybe(0.6, rng.choice(BIOS)),
                "role": role,
                "is_active": rng.random() < 0.94,
                "created_at": joined,
            }
        )
    return rows


def _website(ctx: DemoContext, username: str) -> str:
    scheme = ctx.rng.choice(("https", "https", "http"))
    host = username.replace(".", "-").replace("_", "-")
    return f"{scheme}://{host}.example.com"


def _birthday(ctx: DemoContext) -> date:
    return ctx.now.date() - timedelta(days=ctx.rng.randint(18 * 365, 70 * 365))


def build_profiles(ctx: DemoContext) -> list[Row]:
    rows: list[Row] = []
    for user_id, (first, last, username) in enumerate(ctx.user_names, start=1):
        if ctx.rng.random() >= 0.7:  # profiles are optional: many users never fill one in
            continue
        rows.append(
            {
                "id": len(rows) + 1,
                "user_id": user_id,
                "display_name": f"{first} {last}",
                "website": ctx.maybe(0.35, _website(ctx, username)),
                "birthday": ctx.maybe(0.6, _birthday(ctx)),
            }
        )
    return rows


def build_following(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    n = len(ctx.user_joined)
    # A few popular accounts attract a share of all follows, as on any real network.
    popular = rng.sample(range(1, n + 1), max(1, n // 20))
    rows: list[Row] = []
    for follower in range(1, n + 1):
        wanted = min(n - 1, int(rng.expovariate(1 / MEAN_FOLLOWS)))
        chosen: set[int] = set()
        while len(chosen) < wanted:
            followed = rng.choice(popular) if rng.random() < 0.3 else rng.randint(1, n)
            if followed != follower:
                chosen.add(followed)
        rows.extend({"follower_id": follower, "followed_id": f} for f in sorted(chosen))
    return rows


def _post_text(ctx: DemoContext) -> tuple[str, str]:
    rng = ctx.rng
    topic = rng.choice(TOPICS)
    title = rng.choice(TITLE_PATTERNS).format(topic=topic, Topic=topic.capitalize())
    body = " ".join(rng.sample(SENTENCES, rng.randint(2, 5)))
    return title, body


def build_posts(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    user_ids = range(1, len(ctx.user_joined) + 1)
    # Skewed activity: most posts come from a minority of users.
    activity = [rng.random() ** 3 for _ in user_ids]
    authors = rng.choices(user_ids, weights=activity, k=ctx.count(POSTS_PER_SCALE))
    rows: list[Row] = []
    for post_id, author in enumerate(authors, start=1):
        created = ctx.between(ctx.user_joined[author - 1], ctx.now)
        title, body = _post_text(ctx)
        ctx.posts.append((author, created))
        rows.append(
            {
                "id": post_id,
                "author_id": author,
                "title": title,
                "body": body,
                "created_at": created,
            }
        )
    return rows


def build_likes(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    n = len(ctx.user_joined)
    rows: list[Row] = []
    for post_id, (author, _created) in enumerate(ctx.posts, start=1):
        wanted = min(n - 1, int(rng.expovariate(1 / MEAN_LIKES)))
        likers = [u for u in rng.sample(range(1, n + 1), wanted + 1) if u != author][:wanted]
        rows.extend({"user_id": user, "post_id": post_id} for user in sorted(likers))
    return rows


def build_comments(ctx: DemoContext) -> list[Row]:
    rng = ctx.rng
    n = len(ctx.user_joined)
    rows: list[Row] = []
    for post_id, (_author, created) in enumerate(ctx.posts, start=1):
        for _ in range(int(rng.expovariate(1 / MEAN_COMMENTS))):
            rows.append(
                {
                    "id": len(rows) + 1,
                    "post_id": post_id,
                    "author_id": rng.randint(1, n),
                    "body": rng.choice(COMMENTS),
                    "created_at": ctx.between(created, ctx.now),
                }
            )
    return rows


STEPS = (
    Step(User, build_users),
    Step(Profile, build_profiles),
    Step(following_table, build_following),
    Step(Post, build_posts),
    Step(likes_table, build_likes),
    Step(Comment, build_comments),
)
