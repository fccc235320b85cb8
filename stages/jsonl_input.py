"""Input entries of `extract` and `ingest`, read and judged one at a time.

Input is JSON lines (a file, or '-' for stdin) or, for `ingest`, a folder of *.json files (one
entry per file). Every entry is decoded, parsed and validated alone, so a bad one costs only
itself: it comes back with a problem naming its file and line, never as an exception.

- Encoding: UTF-8, with or without a byte-order mark; UTF-16 and UTF-32 are recognised by their
  mark (or, without one, by the zero bytes around the first character) and read too. Bytes that
  do not decode are reported for their line alone.
- Limits: an entry longer than MAX_ENTRY_CHARS characters is refused without being parsed;
  JSON nested deeper than MAX_DEPTH levels is refused (never a RecursionError).
- Acceptance (the same for both commands, `validate_entry`): a JSON object with a non-blank
  `text` (alias `body`) or `html`; `id` a string or an integer; `url`, `published`, `title`,
  `site`... strings (the article fields `store.rows` reads, with its types); no unpaired
  surrogates in any of them (they cannot be written as UTF-8).
"""
from __future__ import annotations

import codecs
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterator, NamedTuple

from store.rows import ARTICLE_FIELD_TYPES, check_article_fields

MAX_ENTRY_CHARS = 16 * 1024 * 1024  # well above a crawled page (cut at 8 MiB) written as escaped JSON
MAX_DEPTH = 64  # an article is a flat object; its records nest about five levels
READ_CHUNK = 1 << 16
STDIN = "-"

# (byte-order mark, codec), longest marks first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                     (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_UNDECODABLE = "jsonl_input.undecodable"
_CHECKED_STRINGS = frozenset(("id", "text", "html"))  # besides the article fields: what is written out


def _mark_undecodable(error: UnicodeDecodeError) -> tuple[str, int]:
    """Decode each byte that does not decode as a lone surrogate U+DC00+byte (as "surrogateescape"
    does, for any codec and byte), so the line that holds it can be named and the others kept.
    Decoding never yields a lone surrogate otherwise."""
    return "".join(chr(0xDC00 + byte) for byte in error.object[error.start:error.end]), error.end


codecs.register_error(_UNDECODABLE, _mark_undecodable)


class InputUnreadable(Exception):
    """The input as a whole cannot be read (missing file, no permission): nothing was done."""


@dataclass(frozen=True)
class Entry:
    """One input entry: where it is, and either its fields or why it was refused.

    :param where: file and line ("articles.jsonl line 3"), or the file of a folder entry
    :param fields: the entry when it is valid: its keys, with `text` and `html` each a non-blank
        string or None (at least one set; `body` read as `text`)
    :param problem: why the entry was refused (None when it is valid)
    :param id: the entry's id when it could be read, for the error record
    :param url: the entry's url when it could be read
    """

    where: str
    fields: dict | None
    problem: str | None = None
    id: str | int | None = None
    url: str | None = None

    @property
    def message(self) -> str:
        """The problem, prefixed with where it is."""
        return f"{self.where}: {self.problem}"


class RawLine(NamedTuple):
    """One decoded line (or JSON file of a folder), not yet parsed (a tuple: it crosses to worker
    processes by the thousand).

    :param where: file and line, as Entry.where
    :param text: the line without its line end (None when `problem` is set)
    :param codec: the codec it was decoded with, named in a problem
    :param problem: why it was not kept (too long, unreadable)
    """

    where: str
    text: str | None
    codec: str
    problem: str | None = None


@dataclass(frozen=True)
class JsonLine:
    """One parsed JSON line (or JSON file of a folder), before any validation.

    :param where: file and line, as Entry.where
    :param value: the parsed JSON value (None when `problem` is set)
    :param problem: why it could not be decoded or parsed
    :param escaped: whether the JSON text holds \\u escapes (see validate_entry)
    """

    where: str
    value: Any = None
    problem: str | None = None
    escaped: bool = True


def read_entries(path: str | Path) -> Iterator[Entry]:
    """Every entry of a JSON-lines file (or '-' for stdin) or a folder of *.json files, in order,
    each validated alone (see the module docstring). Blank lines are skipped.

    :param path: file, folder or '-'
    :raises InputUnreadable: when the input itself cannot be opened or read
    """
    return map(entry_of, read_json_lines(path))


def entry_of(line: JsonLine) -> Entry:
    """The entry a parsed line holds, validated (`validate_entry`), or why it is refused.

    :param line: from `read_json_lines` or `parse_line`
    """
    if line.problem is not None:
        return Entry(line.where, None, line.problem)
    value = line.value
    identity = _echo(value, "id", (str, int)), _echo(value, "url", (str,))
    try:
        return Entry(line.where, validate_entry(value, line.escaped), None, *identity)
    except (TypeError, ValueError) as error:
        return Entry(line.where, None, str(error), *identity)


def validate_entry(value: Any, escaped: bool = True) -> dict:
    """The one acceptance rule for an input entry of `extract` and `ingest`.

    :param value: a parsed JSON value
    :param escaped: whether its JSON text had \\u escapes (the only way to write an unpaired
        surrogate in valid UTF-8); False skips that check
    :return: the entry's fields, `text` and `html` normalised to a non-blank string or None
    :raises ValueError, TypeError: naming what is wrong
    """
    if not isinstance(value, dict):
        raise TypeError(f"not a JSON object but a JSON {_json_kind(value)}")
    entry_id = value.get("id")
    if entry_id is not None and (not isinstance(entry_id, (str, int)) or isinstance(entry_id, bool)):
        raise TypeError(f"id must be a string or an integer, not {type(entry_id).__name__}")
    fields = dict(value)
    text, body = fields.pop("text", None), fields.pop("body", None)
    fields["text"] = text if text is not None else body
    for name in ("text", "html"):
        if fields.get(name) is not None and not isinstance(fields[name], str):
            raise TypeError(f"{name} must be a string, not {type(fields[name]).__name__}")
        if not (fields.get(name) or "").strip():
            fields[name] = None
    if fields.get("url") == "":
        fields["url"] = None
    check_article_fields(fields)
    for name, field in fields.items() if escaped else ():
        if isinstance(field, str) and (name in _CHECKED_STRINGS or name in ARTICLE_FIELD_TYPES):
            _check_encodable(field, name)
    if fields["text"] is None and fields["html"] is None:
        raise ValueError("no text or html (both missing or blank)")
    return fields


def read_json_lines(path: str | Path) -> Iterator[JsonLine]:
    """Every non-blank line of a JSON-lines file (or '-'), or every *.json file of a folder,
    decoded and parsed alone.

    :param path: file, folder or '-'
    :raises InputUnreadable: when the input itself cannot be opened or read
    """
    return map(parse_line, read_lines(path))


def read_lines(path: str | Path) -> Iterator[RawLine]:
    """Every non-blank line of a JSON-lines file (or '-'), or every *.json file of a folder,
    decoded but not parsed: `parse_line` parses one (in a worker process, when there are some).

    :param path: file, folder or '-'
    :raises InputUnreadable: when the input itself cannot be opened or read
    """
    if str(path) != STDIN and Path(path).is_dir():
        yield from _read_folder(Path(path))
        return
    name = "<stdin>" if str(path) == STDIN else str(path)
    try:
        stream = sys.stdin.buffer if str(path) == STDIN else open(path, "rb")
    except OSError as error:
        raise InputUnreadable(f"cannot read {name}: {error.strerror or error}") from error
    try:
        codec = _skip_byte_order_mark(stream)
        for number, text, length in _decoded_lines(stream, codec):
            where = f"{name} line {number}"
            if text is None:
                yield RawLine(where, None, codec, f"entry of {length:,} characters is longer than the limit of "
                                                  f"{MAX_ENTRY_CHARS:,}")
            elif text.strip():
                yield RawLine(where, text, codec)
    except OSError as error:
        raise InputUnreadable(f"cannot read {name}: {error.strerror or error}") from error
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def count_entries(path: str | Path) -> int | None:
    """How many entries read_entries will yield (for a progress ETA); None when it cannot tell
    cheaply (stdin, a file in UTF-16 or UTF-32, an unreadable file).

    :param path: file, folder or '-'
    """
    if str(path) == STDIN:
        return None
    path = Path(path)
    try:
        if path.is_dir():
            return sum(1 for _ in path.glob("*.json"))
        with path.open("rb") as lines:
            if _codec_of(lines.read(4)) != "utf-8":
                return None
            lines.seek(0)
            return sum(1 for line in lines if line.strip())
    except OSError:
        return None


def _read_folder(folder: Path) -> Iterator[RawLine]:
    """Each *.json file of a folder as one entry, in name order."""
    try:
        files = sorted(folder.glob("*.json"))
    except OSError as error:
        raise InputUnreadable(f"cannot read {folder}: {error.strerror or error}") from error
    for file in files:
        try:
            size = file.stat().st_size
            if size > MAX_ENTRY_CHARS * 4:  # no character takes more than four bytes
                yield RawLine(str(file), None, "utf-8", f"file of {size:,} bytes is longer than the limit of "
                                                        f"{MAX_ENTRY_CHARS:,} characters")
                continue
            data = file.read_bytes()
        except OSError as error:
            yield RawLine(str(file), None, "utf-8", f"cannot read: {error.strerror or error}")
            continue
        codec = _codec_of(data[:4])
        bom = next((len(mark) for mark, name in _BYTE_ORDER_MARKS if name == codec and data.startswith(mark)), 0)
        text = data[bom:].decode(codec, errors=_UNDECODABLE)
        if len(text) > MAX_ENTRY_CHARS:
            yield RawLine(str(file), None, codec, f"entry of {len(text):,} characters is longer than the limit of "
                                                  f"{MAX_ENTRY_CHARS:,}")
        else:
            yield RawLine(str(file), text, codec)


def _codec_of(head: bytes) -> str:
    """The codec of a file from its first bytes: its byte-order mark, or the zero bytes a UTF-16 or
    UTF-32 text of ASCII JSON characters ('{', '[', spaces) begins with; else UTF-8."""
    for mark, codec in _BYTE_ORDER_MARKS:
        if head.startswith(mark):
            return codec
    if len(head) >= 4 and head[0] and not any(head[1:4]):
        return "utf-32-le"
    if len(head) >= 4 and not any(head[0:3]) and head[3]:
        return "utf-32-be"
    if len(head) >= 2 and head[0] and not head[1]:
        return "utf-16-le"
    if len(head) >= 2 and not head[0] and head[1]:
        return "utf-16-be"
    return "utf-8"


def _skip_byte_order_mark(stream: IO[bytes]) -> str:
    """Read past a byte-order mark at the start of a stream; return the stream's codec."""
    head = stream.peek(4)[:4] if hasattr(stream, "peek") else b""
    codec = _codec_of(head)
    for mark, name in _BYTE_ORDER_MARKS:
        if name == codec and head.startswith(mark):
            stream.read(len(mark))
    return codec


def _decoded_lines(stream: IO[bytes], codec: str) -> Iterator[tuple[int, str | None, int]]:
    """(line number, text without its line end, length in characters) for every line; the text is
    None for a line longer than MAX_ENTRY_CHARS, which is skipped without being kept in memory."""
    decoder = codecs.getincrementaldecoder(codec)(errors=_UNDECODABLE)
    number, pieces, length = 0, [], 0
    while True:
        chunk = stream.read(READ_CHUNK)
        text = decoder.decode(chunk, final=not chunk)
        start = 0
        while (end := text.find("\n", start)) >= 0:
            number += 1
            length += end - start
            yield number, None if length > MAX_ENTRY_CHARS else "".join(pieces) + text[start:end], length
            pieces, length, start = [], 0, end + 1
        length += len(text) - start
        if length <= MAX_ENTRY_CHARS:
            pieces.append(text[start:])
        else:
            pieces = []
        if not chunk:
            if length:
                yield number + 1, None if length > MAX_ENTRY_CHARS else "".join(pieces), length
            return


def parse_line(line: RawLine) -> JsonLine:
    """Parse one decoded line; a problem names the byte, character or JSON error.

    :param line: from `read_lines`
    """
    where, text, codec = line.where, line.text, line.codec
    if text is None:
        return JsonLine(where, problem=line.problem)
    bad = _first_surrogate(text)
    if bad is not None:
        character = text[bad]
        byte = f"byte 0x{ord(character) - 0xDC00:02x}" if 0xDC00 <= ord(character) <= 0xDCFF else "a lone surrogate"
        return JsonLine(where, problem=f"not valid {codec.upper()}: {byte} at character {bad + 1}")
    text = text.lstrip("\ufeff")  # files joined together keep each one's byte-order mark
    try:
        value = json.loads(text)
    except RecursionError:
        return JsonLine(where, problem=f"JSON nested deeper than {MAX_DEPTH} levels")
    except json.JSONDecodeError as error:
        return JsonLine(where, problem=f"bad JSON ({error.msg} at column {error.colno})")
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        return JsonLine(where, problem=f"bad JSON ({error})")
    # Each level of nesting opens with a bracket of its own, so a line with no more brackets than
    # the limit (every article, and records: about 40) cannot nest deeper, and its values need
    # not be walked (the walk was a fifth of the writer's time in `ingest --records --jobs 0`).
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth_exceeds(value, MAX_DEPTH):
        return JsonLine(where, problem=f"JSON nested deeper than {MAX_DEPTH} levels")
    return JsonLine(where, value, escaped="\\u" in text)


def _first_surrogate(text: str) -> int | None:
    """Index of the first lone surrogate in text (an undecodable byte, see _mark_undecodable), or None."""
    if text.isascii():
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def _check_encodable(text: str, name: str) -> None:
    """Refuse a string that cannot be written as UTF-8 (a JSON escape such as "\\ud800")."""
    bad = _first_surrogate(text)
    if bad is not None:
        raise ValueError(f"{name} holds an unpaired surrogate (U+{ord(text[bad]):04X}) at character {bad + 1}")


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether JSON containers nest deeper than `limit` (iteratively: no recursion on hostile input)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return {list: "array", str: "string", int: "number", float: "number"}.get(type(value), type(value).__name__)


def _echo(value: Any, key: str, types: tuple[type, ...]) -> Any:
    """value[key] when value is an object and that is of a type an error record can carry."""
    field = value.get(key) if isinstance(value, dict) else None
    if isinstance(field, types) and not isinstance(field, bool) and _first_surrogate(str(field)) is None:
        return field
    return None
