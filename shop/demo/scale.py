"""The reference data set at production volume, on PostgreSQL: `manage.py seed_scale`.

Every table is filled by one set-based `INSERT ... SELECT` over `generate_series`, so
5M order lines load in seconds, not hours. Values come from `hashint4(row number)`, so
a run is reproducible; names, SKUs and e-mails come from the demo word lists, so a
search for "olga" or "KIT-0" finds rows. Dates spread over the two years before `now`,
with ids growing with time as a real shop's do. The SQL is fixed text: only the word
lists, the volumes and the clock are parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from shop.demo import words

# The volumes of issue "fast at production scale" (per --scale 1).
VOLUMES = {
    "users": 100_000,
    "products": 100_000,
    "orders": 1_000_000,
    "order_lines_per_order": 5,
    "students": 100_000,
    "courses": 2_000,
    "enrollments_per_student": 10,
    "owners": 50_000,
    "pets": 100_000,
    "vets": 200,
    "appointments": 1_000_000,
    "carts": 100_000,
    "posts": 200_000,
    "clubs": 200,
    "audit_records": 200_000,
}

TWO_YEARS = 730  # days the dates spread over
BIG_ORDER_LINES = 10_000  # one cart and one order this long

# A pseudo-random non-negative int per row: reproducible, no random() state.
R = "(hashint4(({})::int) & 2147483647)"


@dataclass(frozen=True)
class Step:
    table: str
    sql: str


def _r(expression: str, salt: int = 0) -> str:
    return R.format(f"({expression}) + {salt}" if salt else expression)


STEPS: tuple[Step, ...] = (
    Step(
        "users",
        f"""
        INSERT INTO users (id, username, email, bio, role, is_active, created_at, version_id)
        SELECT i, name || i, name || i || '@' || (:domains)[1 + r % cardinality(:domains)],
               CASE WHEN r % 3 = 0 THEN NULL
                    ELSE (:bios)[1 + (r / 7) % cardinality(:bios)] END,
               CASE WHEN r % 50 = 0 THEN 'admin' WHEN r % 12 = 0 THEN 'moderator'
                    ELSE 'member' END,
               r % 20 <> 0,
               :now - make_interval(secs => (:days * 86400.0) * (:users - i) / :users
                                            + r % 3600),
               1
        FROM (SELECT i, r,
                     lower((:first)[1 + r % cardinality(:first)]) || '.'
                     || lower((:last)[1 + (r / 101) % cardinality(:last)]) AS name
              FROM generate_series(1, :users) i, LATERAL (SELECT {_r("i")} AS r) h) s
        """,
    ),
    Step(
        "profiles",
        f"""
        INSERT INTO profiles (id, user_id, display_name, website, birthday)
        SELECT i, i * 2 - 1,
               initcap(split_part(u.username, '.', 1)) || ' '
               || initcap(regexp_replace(split_part(u.username, '.', 2), '[0-9]+$', '')),
               CASE WHEN r % 4 = 0 THEN 'https://' || split_part(u.username, '.', 1)
                                        || '.example.com' END,
               CASE WHEN r % 3 <> 0 THEN DATE '1960-01-01' + r % 16000 END
        FROM generate_series(1, :users / 2) i
        JOIN users u ON u.id = i * 2 - 1, LATERAL (SELECT {_r("i", 11)} AS r) h
        """,
    ),
    Step(
        "following",
        f"""
        INSERT INTO following (follower_id, followed_id)
        SELECT f, (f - 1 + k * (:users / 10)) % :users + 1
        FROM generate_series(1, :users) f, generate_series(1, 9) k
        WHERE k <= {_r("f", 23)} % 10
        """,
    ),
    Step(
        "posts",
        f"""
        INSERT INTO posts (id, author_id, title, body, created_at)
        SELECT i, 1 + r % :users,
               replace((:titles)[1 + r % cardinality(:titles)], '{{topic}}',
                       (:topics)[1 + (r / 13) % cardinality(:topics)]),
               (:sentences)[1 + r % cardinality(:sentences)] || ' '
               || (:sentences)[1 + (r / 17) % cardinality(:sentences)],
               :now - make_interval(secs => (:days * 86400.0) * (:posts - i) / :posts)
        FROM generate_series(1, :posts) i, LATERAL (SELECT {_r("i", 31)} AS r) h
        """,
    ),
    Step(
        "likes",
        """
        INSERT INTO likes (user_id, post_id)
        SELECT u, (u * 31 + k * (:posts / 5)) % :posts + 1
        FROM generate_series(1, :users) u, generate_series(0, 4) k
        """,
    ),
    Step(
        "comments",
        f"""
        INSERT INTO comments (id, post_id, author_id, body, created_at)
        SELECT i, 1 + r % :posts, 1 + (r / 7) % :users,
               (:comments)[1 + r % cardinality(:comments)],
               :now - make_interval(secs => (:days * 86400.0) * (:posts * 1.5 - i)
                                            / (:posts * 1.5))
        FROM generate_series(1, (:posts * 3) / 2) i, LATERAL (SELECT {_r("i", 41)} AS r) h
        """,
    ),
    Step(
        "products",
        f"""
        INSERT INTO products (id, sku, name, price, stock, is_active, version_id)
        SELECT i, (:prefixes)[c] || '-' || lpad(i::text, 6, '0'),
               (:adjectives)[1 + r % cardinality(:adjectives)] || ' '
               || (:nouns)[(c - 1) * 5 + 1 + (r / 19) % 5] || ' '
               || (:colours)[1 + (r / 23) % cardinality(:colours)],
               round((1 + r % 50000) / 100.0, 2),
               CASE WHEN r % 10 = 0 THEN r % 6 ELSE r % 500 END,
               r % 20 <> 0,
               1
        FROM generate_series(1, :products) i,
             LATERAL (SELECT {_r("i", 53)} AS r) h,
             LATERAL (SELECT 1 + (i - 1) % cardinality(:prefixes) AS c) k
        """,
    ),
    Step(
        "carts",
        f"""
        INSERT INTO carts (id, user_id, created_at, updated_at)
        SELECT i, i, created, created + make_interval(secs => (r % 1000) / 1000.0
                                                               * extract(epoch FROM :now - created))
        FROM generate_series(1, :carts) i, LATERAL (SELECT {_r("i", 61)} AS r) h,
             LATERAL (SELECT :now - make_interval(secs => (:days * 86400.0) * (:carts - i)
                                                          / :carts) AS created) c
        """,
    ),
    Step(
        "cart_items",
        f"""
        INSERT INTO cart_items (cart_id, product_id, quantity)
        SELECT c, 1 + (c * 7 + k * (:products / 6)) % :products, 1 + (r / 7) % 5
        FROM generate_series(1, :carts) c, LATERAL (SELECT {_r("c", 67)} AS r) h,
             generate_series(0, 5) k
        WHERE k < r % 7 AND c > 1
        ORDER BY c, k
        """,
    ),
    # A wholesale customer's cart and order of 10,000 lines each: pages must page them.
    Step(
        "cart_items",
        """
        INSERT INTO cart_items (cart_id, product_id, quantity)
        SELECT 1, p, 1 + p % 3 FROM generate_series(1, least(:big, :products)) p
        """,
    ),
    Step(
        "orders",
        f"""
        INSERT INTO orders (id, user_id, status, created_at, version_id)
        SELECT i, 1 + r % :users,
               CASE WHEN age < 3 THEN (ARRAY['pending', 'paid', 'paid', 'cancelled'])[1 + r % 4]
                    WHEN age < 14 THEN (ARRAY['paid', 'shipped', 'shipped', 'shipped',
                                              'cancelled'])[1 + r % 5]
                    WHEN r % 16 = 0 THEN 'cancelled'
                    ELSE 'delivered' END,
               created, 1
        FROM generate_series(1, :orders) i, LATERAL (SELECT {_r("i", 71)} AS r) h,
             LATERAL (SELECT :now - make_interval(secs => (:days * 86400.0) * (:orders - i)
                                                          / :orders + r % 600) AS created) c,
             LATERAL (SELECT extract(day FROM :now - created) AS age) a
        """,
    ),
    Step(
        "order_items",
        f"""
        INSERT INTO order_items (id, order_id, product_id, quantity, price_at_purchase)
        SELECT (o - 1) * :lines + k + 1, o, p.id, 1 + {_r("o * 8 + k", 79)} % 4,
               CASE WHEN (o + k) % 10 = 0 THEN round(p.price * 0.9, 2) ELSE p.price END
        FROM generate_series(1::bigint, :orders) o CROSS JOIN generate_series(0, :lines - 1) k
        JOIN products p ON p.id = 1 + (o * 7919 + k * (:products / :lines)) % :products
        ORDER BY o, k
        """,
    ),
    Step(
        "orders",
        """
        INSERT INTO orders (id, user_id, status, created_at, version_id)
        VALUES (CAST(:orders AS int) + 1, 1, 'paid', :now - interval '1 day', 1)
        """,
    ),
    Step(
        "order_items",
        """
        INSERT INTO order_items (id, order_id, product_id, quantity, price_at_purchase)
        SELECT CAST(:orders AS bigint) * :lines + p, CAST(:orders AS int) + 1, products.id,
               1 + p % 3, products.price
        FROM generate_series(1, least(:big, :products)) p JOIN products ON products.id = p
        """,
    ),
    Step(
        "owners",
        f"""
        INSERT INTO owners (id, name, email, phone)
        SELECT i, f || ' ' || l, lower(f) || '.' || lower(l) || i || '@example.net',
               CASE WHEN r % 5 <> 0 THEN '+1 555 ' || lpad((r % 10000000)::text, 7, '0') END
        FROM (SELECT i, r, (:first)[1 + (r / 3) % cardinality(:first)] AS f,
                     (:last)[1 + (r / 307) % cardinality(:last)] AS l
              FROM generate_series(1, :owners) i, LATERAL (SELECT {_r("i", 83)} AS r) h) s
        """,
    ),
    Step(
        "pets",
        f"""
        INSERT INTO pets (id, owner_id, name, species, birth_date)
        SELECT i, 1 + (i - 1) % :owners, (:pet_names)[1 + r % cardinality(:pet_names)],
               (:species)[1 + (r / 11) % cardinality(:species)],
               CASE WHEN r % 6 <> 0 THEN CURRENT_DATE - 30 - r % 5000 END
        FROM generate_series(1, :pets) i, LATERAL (SELECT {_r("i", 89)} AS r) h
        """,
    ),
    Step(
        "vets",
        f"""
        INSERT INTO vets (id, name, specialty)
        SELECT i, 'Dr ' || (:first)[1 + r % cardinality(:first)] || ' '
                  || (:last)[1 + (r / 59) % cardinality(:last)],
               CASE WHEN r % 7 <> 0 THEN (:specialties)[1 + r % cardinality(:specialties)] END
        FROM generate_series(1, :vets) i, LATERAL (SELECT {_r("i", 97)} AS r) h
        """,
    ),
    Step(
        "appointments",
        f"""
        INSERT INTO appointments (id, pet_id, vet_id, scheduled_at, status, notes)
        SELECT i + 1, 1 + r % :pets, 1 + i % :vets, at,
               CASE WHEN at > :now THEN (CASE WHEN r % 20 = 0 THEN 'cancelled'
                                              ELSE 'scheduled' END)
                    ELSE (ARRAY['completed', 'completed', 'completed', 'completed',
                                'completed', 'completed', 'completed', 'completed',
                                'cancelled', 'no_show'])[1 + r % 10] END,
               CASE WHEN r % 3 = 0 THEN (:notes)[1 + r % cardinality(:notes)] END
        FROM generate_series(0, :appointments - 1) i, LATERAL (SELECT {_r("i", 101)} AS r) h,
             -- A vet's n-th visit goes to a distinct half-hour of opening time (08:00 to
             -- 18:00 UTC) over the two years to two months ahead: (vet, time) stays unique.
             LATERAL (SELECT ((i / :vets) * 7) % (:days * 20) AS slot) s,
             LATERAL (SELECT date_trunc('day', :now) - make_interval(days => :days - 60)
                             + make_interval(days => slot / 20, mins => 480 + 30 * (slot % 20))
                             AS at) a
        """,
    ),
    Step(
        "students",
        f"""
        INSERT INTO students (id, first_name, last_name, email)
        SELECT i, f, l, lower(f) || '.' || lower(l) || i || '@school.example.edu'
        FROM (SELECT i, (:first)[1 + (r / 5) % cardinality(:first)] AS f,
                     (:last)[1 + (r / 401) % cardinality(:last)] AS l
              FROM generate_series(1, :students) i, LATERAL (SELECT {_r("i", 103)} AS r) h) s
        """,
    ),
    Step(
        "clubs",
        """
        INSERT INTO clubs (id, name, description)
        SELECT i, (:club_names)[1 + (i - 1) % cardinality(:club_names)] || ' '
                  || (:campuses)[1 + ((i - 1) / cardinality(:club_names))
                                     % cardinality(:campuses)]
                  || ' ' || (1 + (i - 1) / (cardinality(:club_names) * cardinality(:campuses))),
               (:club_texts)[1 + (i - 1) % cardinality(:club_texts)]
        FROM generate_series(1, :clubs) i
        """,
    ),
    Step(
        "student_clubs",
        f"""
        INSERT INTO student_clubs (student_id, club_id)
        SELECT s, 1 + (s * 7 + k * (:clubs / 3)) % :clubs
        FROM generate_series(1, :students) s, generate_series(0, 2) k
        WHERE k < {_r("s", 107)} % 4
        """,
    ),
    Step(
        "courses",
        f"""
        INSERT INTO courses (id, code, title, credits)
        SELECT i, (:departments)[1 + d] || (100 + (i - 1) / cardinality(:departments)),
               (:levels)[1 + (r / 3) % cardinality(:levels)] || ' '
               || (:subjects)[1 + d],
               1 + r % 6
        FROM generate_series(1, :courses) i, LATERAL (SELECT {_r("i", 109)} AS r) h,
             LATERAL (SELECT (i - 1) % cardinality(:departments) AS d) k
        """,
    ),
    Step(
        "enrollments",
        f"""
        INSERT INTO enrollments (id, student_id, course_id, enrolled_date, grade, notes, status,
                                 version_id)
        SELECT (s - 1) * :per_student + k + 1, s,
               1 + (s * 17 + k * (:courses / :per_student)) % :courses,
               CURRENT_DATE - (r % :days),
               CASE WHEN status = 'dropped' THEN NULL
                    WHEN status = 'completed' OR r % 3 = 0
                    THEN (:grades)[1 + (r / 11) % cardinality(:grades)] END,
               CASE WHEN r % 25 = 0 THEN (:enrollment_notes)[1 + r % cardinality(
                                                                 :enrollment_notes)] END,
               status, 1
        FROM generate_series(1, :students) s, generate_series(0, :per_student - 1) k,
             LATERAL (SELECT {_r("s * 16 + k", 113)} AS r) h,
             LATERAL (SELECT CASE WHEN r % 10 < 6 THEN 'active' WHEN r % 10 < 9 THEN 'completed'
                                  ELSE 'dropped' END AS status) st
        ORDER BY s, k
        """,
    ),
    Step(
        "audit_records",
        f"""
        INSERT INTO audit_records (id, action, entity, entity_id, entity_repr, actor, created_at)
        SELECT i, (ARRAY['change', 'change', 'change', 'add', 'delete'])[1 + r % 5],
               (ARRAY['commerce.order', 'commerce.product', 'school.enrollment',
                      'clinic.appointment', 'social.user'])[1 + (r / 5) % 5],
               (1 + r % 100000)::text, 'Record #' || (1 + r % 100000),
               (:actors)[1 + (r / 25) % cardinality(:actors)],
               :now - make_interval(secs => (:days * 86400.0) * (:audit - i) / :audit)
        FROM generate_series(1, :audit) i, LATERAL (SELECT {_r("i", 127)} AS r) h
        """,
    ),
    Step(
        "audit_details",
        """
        INSERT INTO audit_details (audit_id, field, old_value, new_value)
        SELECT a, (ARRAY['status', 'stock', 'grade', 'name'])[1 + (a + k) % 4],
               (a * 3 + k)::text, (a * 3 + k + 1)::text
        FROM generate_series(1, :audit) a, generate_series(0, 1) k
        ORDER BY a, k
        """,
    ),
)


def parameters(scale: float, now: datetime) -> dict[str, Any]:
    """The bind parameters of every step: volumes times `scale`, word lists, the clock."""

    def size(name: str) -> int:
        return max(1, round(VOLUMES[name] * scale))

    categories = words.PRODUCT_CATEGORIES
    return {
        "now": now,
        "days": TWO_YEARS,
        "users": max(10, size("users")),
        "posts": max(5, size("posts")),
        "products": max(6, size("products")),
        "carts": min(size("carts"), size("users")),
        "orders": size("orders"),
        "lines": VOLUMES["order_lines_per_order"],
        "big": BIG_ORDER_LINES,
        "owners": size("owners"),
        "pets": size("pets"),
        "vets": size("vets"),
        "appointments": size("appointments"),
        "students": size("students"),
        "clubs": max(3, size("clubs")),
        "courses": max(VOLUMES["enrollments_per_student"], size("courses")),
        "per_student": VOLUMES["enrollments_per_student"],
        "audit": size("audit_records"),
        "first": list(words.FIRST_NAMES),
        "last": list(words.LAST_NAMES),
        "domains": list(words.EMAIL_DOMAINS),
        "bios": list(words.BIOS),
        "titles": [pattern.replace("{Topic}", "{topic}") for pattern in words.TITLE_PATTERNS],
        "topics": list(words.TOPICS),
        "sentences": list(words.SENTENCES),
        "comments": list(words.COMMENTS),
        "prefixes": [prefix for prefix, _nouns in categories],
        # Five nouns per category, flattened: the SQL picks (category - 1) * 5 + n.
        "nouns": [noun for _prefix, nouns in categories for noun in (nouns * 2)[:5]],
        "adjectives": list(words.PRODUCT_ADJECTIVES),
        "colours": list(words.PRODUCT_COLOURS),
        "pet_names": list(words.PET_NAMES),
        "species": [name for name, weight in words.SPECIES for _ in range(weight)],
        "specialties": list(words.VET_SPECIALTIES),
        "notes": list(words.APPOINTMENT_NOTES),
        "club_names": [name for name, _text in words.CLUBS],
        "club_texts": [text for _name, text in words.CLUBS],
        "campuses": list(words.CAMPUSES),
        "departments": [code for code, _subject, _topics in words.DEPARTMENTS],
        "subjects": [subject for _code, subject, _topics in words.DEPARTMENTS],
        "levels": list(words.LEVEL_PREFIXES),
        "grades": ["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D", "F"],
        "enrollment_notes": list(words.ENROLLMENT_NOTES),
        "actors": ["admin", "maria.ops", "tom.catalog", "registrar", "clinic.desk"],
    }


def load(
    connection: Connection,
    *,
    scale: float,
    now: datetime,
    on_step: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Run every step in the caller's transaction; returns the rows inserted per table."""
    params = parameters(scale, now)
    connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
    counts: dict[str, int] = dict.fromkeys((step.table for step in STEPS), 0)
    for step in STEPS:
        statement = step.sql
        for name, value in params.items():
            if isinstance(value, list):
                statement = statement.replace(f":{name})", f"CAST(:{name} AS text[]))")
        sql = text(statement)
        used = {name: value for name, value in params.items() if f":{name}" in statement}
        result = connection.execute(sql, used)
        counts[step.table] += result.rowcount
        if on_step is not None:
            on_step(step.table, result.rowcount)
    return counts
