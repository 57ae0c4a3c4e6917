# Schemathesis hooks for the api's OpenAPI document (loaded through SCHEMATHESIS_HOOKS by
# scripts/schemathesis.ts).
#
# - `solana-pubkey`: the document's format for public keys (base58 text of exactly 32 bytes). A
#   pattern cannot say "decodes to 32 bytes", so valid keys are generated as 32 random bytes,
#   encoded; invalid ones still come from breaking the pattern and the lengths.
# - `cursor` query parameters are sent only when the api handed them out: a cursor is valid only as
#   the `nextCursor` of an answer (it names the sort and the last row seen), which no schema can
#   describe. tests/api/discovery.test.ts fuzzes cursors instead (every forged one is a 400).
import schemathesis
from hypothesis import strategies as st

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(data: bytes) -> str:
    value = int.from_bytes(data, "big")
    digits = ""
    while value > 0:
        value, rest = divmod(value, 58)
        digits = ALPHABET[rest] + digits
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + digits


schemathesis.openapi.format("solana-pubkey", st.binary(min_size=32, max_size=32).map(base58))


# Cursors the api handed out (`nextCursor` of an answer): the stateful phase follows the `next`
# link with them; any other cursor is one no schema can make valid, and is left out.
CURSORS_SEEN = set()


@schemathesis.hook
def after_call(ctx, case, response):
    try:
        body = response.json()
    except Exception:
        return
    if isinstance(body, dict) and isinstance(body.get("nextCursor"), str):
        CURSORS_SEEN.add(body["nextCursor"])


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    # Every phase (the coverage phase builds its cases without the generation hooks).
    # (a repeated parameter arrives as a list, which is no cursor either)
    if isinstance(case.query, dict):
        cursor = case.query.get("cursor")
        if not isinstance(cursor, str) or cursor not in CURSORS_SEEN:
            case.query.pop("cursor", None)
