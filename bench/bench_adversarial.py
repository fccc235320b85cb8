"""Pathological inputs: extraction time per 100 KB next to ordinary article text of the same size.

Each case is a text of about --kb kilobytes (default 100) built to stress one rule: long digit
runs, tens of thousands of dates, document numbers or place names, repeated punctuation, one
sentence with no break. The ordinary text is the development and stream articles concatenated to
the same size. Time grows linearly when every ratio stays small (target <= 5x).

    .venv/bin/python bench/bench_adversarial.py [--kb 100] [--only NAME]

Figures only: no pass/fail (tests/test_extract_properties.py bounds the behaviour).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract import extract_record  # noqa: E402

TARGET_RATIO = 5.0


def _fill(unit: Callable[[int], str], size: int, sep: str = "") -> str:
    """Repeat `unit(i)` joined by `sep` until the text reaches `size` characters."""
    parts, length, i = [], 0, 0
    while length < size:
        piece = unit(i)
        parts.append(piece)
        length += len(piece) + len(sep)
        i += 1
    return sep.join(parts)[:size]


def ordinary_text(size: int) -> str:
    """Real articles one after another, to `size` characters."""
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"]
             for d in ("dev", "stream") for p in sorted((ROOT / "tests" / "fixtures" / d).glob("*.json"))]
    return _fill(lambda i: texts[i % len(texts)], size, "\n\n")


PLACES = ["Mường Lát", "Thanh Hóa", "Hà Nội", "Đắk Lắk", "Quận 3", "huyện Mường Lát", "tỉnh Nghệ An", "Lào Cai",
          "xã Sơn Hồng", "thành phố Vinh"]


def cases(size: int) -> dict[str, str]:
    """Name -> pathological text of about `size` characters."""
    return {
        "digits in a row": "1" * size,
        "digit run as a count": _fill(lambda i: "Tập huấn cho " + "1" * 400 + " học viên. ", size),
        "digits and spaces": _fill(lambda i: str(i % 10), size, " "),
        "digits and dots": _fill(lambda i: str(i % 10), size, "."),
        "digits and slashes": _fill(lambda i: str(i % 10 + 1), size, "/"),
        "digits and dashes": _fill(lambda i: str(i % 28 + 1), size, "-"),
        "20k 'ngày d/m' in one sentence": "Tập huấn " + _fill(lambda i: f"ngày {i % 28 + 1}/{i % 12 + 1}", size, ", "),
        "day list 'các ngày 1, 2, 3…'": "Tập huấn các ngày " + _fill(lambda i: str(i % 28 + 1), size, ", ") + "/6",
        "ranges 'từ 1 đến 2/3'": _fill(lambda i: f"từ {i % 27 + 1} đến {i % 27 + 2}/{i % 12 + 1}", size, " "),
        "20k document numbers": "Căn cứ " + _fill(lambda i: f"Quyết định số {i}/QĐ-UBND ngày {i % 28 + 1}/{i % 12 + 1}/2023",
                                                   size, ", "),
        "document codes without years": _fill(lambda i: f"{i}/UBND-VP", size, " "),
        "comma-separated place names": "Tập huấn tại " + _fill(lambda i: PLACES[i % len(PLACES)], size, ", "),
        "place names in one word run": _fill(lambda i: PLACES[i % len(PLACES)], size, " "),
        "counts of people": _fill(lambda i: f"{i % 900 + 10} học viên", size, ", "),
        "training sentences": _fill(lambda i: f"Ngày {i % 28 + 1}/{i % 12 + 1}, tổ chức lớp tập huấn cho {i % 90 + 10} "
                                              f"học viên tại huyện Mường Lát.", size, " "),
        "secondary events": _fill(lambda i: f"Bên cạnh đó, huyện tổ chức lớp tập huấn ngày {i % 28 + 1}/{i % 12 + 1} "
                                            f"cho {i % 90 + 10} học viên.", size, " "),
        "programme names": _fill(lambda i: "Chương trình mục tiêu quốc gia giảm nghèo bền vững và nông thôn mới "
                                           "giai đoạn 2021-2025", size, ", "),
        "programme words without names": _fill(lambda i: "các chương trình", size, " "),
        "months 'tháng 5 năm 2020'": _fill(lambda i: f"tháng {i % 12 + 1} năm {2000 + i % 25}", size, ", "),
        "the word 'ngày'": _fill(lambda i: "ngày", size, " "),
        "number words": _fill(lambda i: ("hai", "mươi", "mốt", "trăm")[i % 4], size, " "),
        "training words": _fill(lambda i: ("tập huấn", "Trung tâm Bồi dưỡng", "khai giảng lớp học")[i % 3], size, ", "),
        "shares and scores": _fill(lambda i: f"{i % 9 + 1}/{i % 9 + 2} người, tỷ số {i % 5}-{i % 3}", size, ", "),
        "repeated dots": "." * size,
        "repeated dashes and slashes": "-/" * (size // 2),
        "repeated parentheses": "(" * (size // 2) + ")" * (size // 2),
        "repeated newlines": "\n" * size,
        "one huge sentence": _fill(lambda i: ("tổ chức tập huấn cho cán bộ huyện xã về công tác giảm nghèo").split()[i % 12],
                                   size, " "),
        "one long word": "a" * size,
        "capitalised words": _fill(lambda i: f"Ủy Ban Nhân Dân Sở Nội Vụ Phòng{i % 10}", size, " "),
    }


def time_extract(text: str, repeat: int = 1) -> float:
    """CPU seconds of one extraction of `text` (best of `repeat`)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        extract_record(text, published="2024-06-01")
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kb", type=int, default=100, help="size of each text in kilobytes (characters / 1000)")
    ap.add_argument("--only", help="run only the cases whose name contains this")
    args = ap.parse_args()
    size = args.kb * 1000
    extract_record("Tập huấn tại huyện Mường Lát, tỉnh Thanh Hóa.")  # load the gazetteer once
    baseline = time_extract(ordinary_text(size), repeat=3)
    per_100kb = lambda seconds, n: seconds * 100_000 / max(n, 1)
    print(f"{'ordinary text':34s} {per_100kb(baseline, size):8.3f} s per 100 KB   1.0x")
    worst = 0.0
    for name, text in cases(size).items():
        if args.only and args.only not in name:
            continue
        try:
            seconds = time_extract(text)
        except Exception as error:  # a crash is a finding too; the other cases still run
            print(f"{name:34s} raised {type(error).__name__}: {error}", flush=True)
            continue
        ratio = seconds / baseline
        worst = max(worst, ratio)
        flag = "" if ratio <= TARGET_RATIO else f"   above {TARGET_RATIO:.0f}x"
        print(f"{name:34s} {per_100kb(seconds, len(text)):8.3f} s per 100 KB {ratio:5.1f}x{flag}", flush=True)
    print(f"worst ratio {worst:.1f}x (target <= {TARGET_RATIO:.0f}x)")


if __name__ == "__main__":
    main()
