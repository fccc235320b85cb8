"""Bytes to clean NFC text: charset detection, Windows-1258, double-encoded UTF-8, TCVN3 and VNI.

Old government pages still carry text typed in legacy font encodings (TCVN3/ABC `.VnTime`, VNI
`VNI-Times`): the bytes are valid Latin-1, so the page decodes without error into mojibake such
as `QuyÕt ®Þnh`. The conversion tables are viparse's (pinned in pyproject.toml); detection is
ours: a font-name hint from the HTML, else viparse's content scoring on blocks that look legacy.
"""
from __future__ import annotations

import re
import unicodedata

from viparse.normalize.detector import detect_encoding, detect_encoding_by_content
from viparse.normalize.encodings import AUTO_DETECT_CHARMAPS, get_charmap
from viparse.normalize.tables import convert
from w3lib.encoding import html_to_unicode

# Letters only Unicode Vietnamese has (ă â đ ê ô ơ ư and the U+1EA0 block): their presence
# proves a block is already real Unicode Vietnamese, so it must not be converted.
_UNICODE_VIETNAMESE = re.compile(r"[\u0102\u0103\u0110\u0111\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")
_LATIN1_HIGH = re.compile(r"[\u00a0-\u00ff]")
_LATIN1_LETTER = re.compile(r"[\u00a1-\u00ff]")
# Latin-1 characters outside the Vietnamese letters Unicode shares with Latin-1 (à á â ã è é ê ì í
# ò ó ô õ ù ú ý and capitals): legacy fonts use them for Vietnamese letters.
_NON_VIETNAMESE_LATIN1 = re.compile(r"[\u00a1-\u00bf\u00c4-\u00c7\u00cb\u00ce-\u00d1\u00d6-\u00d8\u00db-\u00df"
                                    r"\u00e4-\u00e7\u00eb\u00ee-\u00f1\u00f6-\u00f8\u00fb-\u00ff]")
_LEGACY_FONT = re.compile(r"""(?:font-family\s*:\s*['"]?|face\s*=\s*['"]?)\s*(\.vn[\w ]*|vni[\w -]*)""", re.I)
# UTF-8 lead/continuation bytes as CP1252 shows them: "Quyáº¿t Ä‘á»‹nh" is double-encoded UTF-8.
_DOUBLE_UTF8_RUN = re.compile(
    r"[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    r"\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+")
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff]")
_HORIZONTAL_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a page: HTTP charset, then BOM and `<meta charset>`, else UTF-8, else Windows-1258.

    A page that declares UTF-8 but is not (Windows-1258 bytes under a UTF-8 meta tag, common on
    old portals) is decoded as Windows-1258 instead of being stored with U+FFFD.

    :param body: raw response bytes
    :param content_type: the Content-Type header value, if any
    :returns: (NFC text, name of the encoding used)
    """
    def guess(data: bytes) -> str:
        return "utf-8" if not _mostly_invalid_utf8(data) else "cp1258"

    encoding, text = html_to_unicode(content_type, body, auto_detect_fun=guess)
    if "\ufffd" in text and encoding.replace("-", "").lower() in {"utf8", "utf_8"} and _mostly_invalid_utf8(body):
        encoding, text = "cp1258", body.decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", text), encoding


def _mostly_invalid_utf8(data: bytes) -> bool:
    """Whether the bytes are another encoding rather than UTF-8 with a stray bad byte: more
    invalid sequences than one in twenty of the valid non-ASCII characters."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if not bad:
        return False
    good = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    return bad * 20 > good


def legacy_font_hint(html: str) -> str | None:
    """The legacy encoding named by a font in the page (`.VnTime` → tcvn3, `VNI-Times` → vni)."""
    fonts = [match.group(1).strip() for match in _LEGACY_FONT.finditer(html)]
    return detect_encoding(fonts).encoding if fonts else None


def looks_legacy(block: str) -> bool:
    """Whether a block may be legacy-encoded: Latin-1 accents but no Unicode-only Vietnamese letter."""
    return not _UNICODE_VIETNAMESE.search(block) and len(_LATIN1_HIGH.findall(block)) >= 2


def may_hold_legacy(html: str) -> bool:
    """Whether a page may hold legacy-font text at all: a legacy font named, or Latin-1 characters
    that no Vietnamese word uses in Unicode ("Hµ", "QuyÕt ®Þnh"). Pages without either, nearly all,
    skip the per-block legacy checks."""
    return bool(_LEGACY_FONT.search(html)) or len(_NON_VIETNAMESE_LATIN1.findall(html, 0, 2_000_000)) >= 5


def may_be_legacy(block: str) -> bool:
    """Whether a block of a page already judged legacy is legacy too: any Latin-1 letter and no
    Unicode-only Vietnamese letter (a one-word byline "Thư" is "Th" + 0xAD in TCVN3)."""
    return not _UNICODE_VIETNAMESE.search(block) and bool(_LATIN1_LETTER.search(block))


def detect_legacy(blocks: list[str], font_hint: str | None = None) -> str | None:
    """Choose one legacy encoding for a page's legacy-looking blocks, or None.

    :param blocks: text blocks of one page (title, paragraphs)
    :param font_hint: encoding implied by a font name on the page, trusted when given
    """
    candidates = [b for b in blocks if looks_legacy(b)]
    if not candidates:
        return None
    if font_hint:
        return font_hint
    return detect_encoding_by_content("\n".join(candidates), AUTO_DETECT_CHARMAPS).encoding


def _cp1252_bytes(run: str) -> bytes:
    out = bytearray()
    for ch in run:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            # CP1252 leaves five bytes undefined; decoders pass them through as C1 controls.
            if ord(ch) > 0xFF:
                raise
            out.append(ord(ch))
    return bytes(out)


def fix_double_utf8(text: str) -> str:
    """Repair UTF-8 that was decoded as CP1252 ("Quyáº¿t Ä‘á»‹nh" → "Quyết định"), run by run."""
    def repair(match: re.Match[str]) -> str:
        try:
            return _cp1252_bytes(match.group(0)).decode("utf-8")
        except (UnicodeDecodeError, UnicodeEncodeError):
            return match.group(0)

    return _DOUBLE_UTF8_RUN.sub(repair, text)


def to_unicode(text: str, legacy: str | None) -> str:
    """One text node to clean Unicode: legacy-font conversion when `legacy` is given and the text
    has no Unicode-only Vietnamese letter, then the inline repairs of `clean_inline`."""
    if legacy and not _UNICODE_VIETNAMESE.search(text):
        text = convert(text, get_charmap(legacy))
    return clean_inline(text)


def clean_inline(text: str) -> str:
    """NFC, confusable Đ, soft hyphens and invisible characters; spacing left as it is.

    Soft hyphens are removed here, after legacy conversion, because in TCVN3 0xAD is the letter ư.
    """
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111").replace("\u00ad", "")
    return _INVISIBLE.sub("", text)


def clean_text(text: str) -> str:
    """Final normalisation of an extracted block: `clean_inline`, spaces collapsed, empty lines dropped."""
    lines = (_HORIZONTAL_SPACE.sub(" ", line).strip() for line in clean_inline(text).split("\n"))
    return "\n".join(line for line in lines if line)
