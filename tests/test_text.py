"""No link forms from user text, however it is encoded: the core's :func:`unlinked` and the
markdown escaping the app puts around it."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest

from components.markdown import escaped, plain_markdown
from embedding_space.text import WORD_JOINER, decoded_entities, link_skeleton, unlinked

# What GitHub-flavoured markdown (remark-gfm, under st.markdown) and browsers link in plain
# text, read generously: any scheme, any www. host, any e-mail.
LINKABLE = re.compile(
    r"(?i)[a-z0-9]:/|\b(?:https?|ftp|file|mailto|xmpp|javascript|vbscript|data):"
    r"|www[.]|[a-z0-9._+-]@"
)

HOSTILE = {
    "named entities": "http&colon;//evil.example/n mail&commat;evil&period;example",
    "decimal": "http&#58;&#47;&#47;evil.example x&#64;evil.example",
    "hexadecimal": "http&#x3a;//evil.example x&#X40;evil.example",
    "zero-padded": "http&#x0003A;//evil.example",
    "double-encoded": "http&amp;colon;//evil.example x&amp;amp;commat;evil.example",
    "entity without semicolon": "http&colon//evil.example AT&amp T",
    "www": "www&period;evil.example www.evil.example WWW&#46;evil.example",
    "mailto": "mailto&colon;x&commat;evil.example",
    "javascript": "javascript&colon;alert(1) JaVaScRiPt:alert(1)",
    "data": "data&colon;text/html;base64,PHNjcmlwdD4=",
    "percent": "http%3A%2F%2Fevil.example x%40evil.example www%2Eevil.example",
    "fullwidth": "ｈｔｔｐ：／／evil.example ｗｗｗ．evil.example x＠evil.example",
    "small forms": "http﹕//evil.example x﹫evil.example",
    "look-alikes": "http∶//evil.example http꞉//evil.example www。evil.example www․evil.example",
    "mathematical letters": "𝐡𝐭𝐭𝐩://evil.example 𝐰𝐰𝐰.evil.example",
    "plain": "http://evil.example https://evil.example xmpp:x@evil.example",
    "hidden direction": "http\u202e://evil.example",
}


def _rendered(markdown: str) -> str:
    """The text a markdown renderer shows: backslash escapes resolved. Every '&' left is
    escaped (tested below), so no character reference is decoded."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def _as_a_parser_could_read(text: str) -> str:
    """Pessimistic: entities decoded, then NFKC and the look-alike table."""
    return link_skeleton(unicodedata.normalize("NFKC", html.unescape(text)))


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_no_encoding_of_a_link_survives_into_markdown(text: str) -> None:
    shown = escaped(text)
    assert re.search(r"(?<!\\)&", shown) is None, "an unescaped & could start an entity"
    rendered = _rendered(shown)
    assert LINKABLE.search(_as_a_parser_could_read(rendered)) is None, rendered


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_no_encoding_of_a_link_survives_unlinked(text: str) -> None:
    assert LINKABLE.search(_as_a_parser_could_read(unlinked(text))) is None


def test_the_name_reads_as_the_renderer_decoded_it_once_the_joiners_are_invisible() -> None:
    shown = _rendered(plain_markdown(HOSTILE["named entities"]))
    assert shown.replace(WORD_JOINER, "") == "http://evil.example/n mail@evil.example"


def test_the_users_own_characters_are_kept() -> None:
    # NFKC reads them, but the screen shows what was written: m² stays m², ｈｔｔｐ stays.
    text = "m² ｈｔｔｐ：／／x ＡＴ＆Ｔ café 東京。"
    assert unlinked(text).replace(WORD_JOINER, "") == text


def test_ampersands_and_entities_read_as_the_renderer_would_show_them() -> None:
    assert _rendered(escaped("AT&amp;T &lt;b&gt; Q&A")) == "AT&T <b> Q&A"


def test_deeply_nested_entities_stop_decoding_and_stay_escaped() -> None:
    nested = "http&" + "amp;" * 40 + "colon;//evil.example"
    assert decoded_entities(nested).count("&") == 1
    assert LINKABLE.search(_as_a_parser_could_read(_rendered(escaped(nested)))) is None


def test_ordinary_prose_is_untouched() -> None:
    text = "Note: card arrived late, please help. 10 items for 3.50 each at 10:30"
    assert unlinked(text) == text
    assert _rendered(escaped(text)) == text
