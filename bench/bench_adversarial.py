"""Pathological inputs: extraction time per 100 KB next to ordinary article text, at several sizes.

Each case is a text built to stress one rule: long digit runs, tens of thousands of dates, document
numbers or place names, repeated punctuation, one sentence with no break. The ordinary text is the
development and stream articles concatenated to the same size. At every size (default 100 KB, 1 MB
and 4 MB) the table gives the seconds per 100 KB of each case and its ratio to ordinary text of
that size; the last column is the growth of the per-100-KB cost from the smallest to the largest
size (1.0 = linear). Time grows linearly when every ratio stays small (target <= 5x) and the
growth stays near 1.

    .venv/bin/python bench/bench_adversarial.py [--sizes 100,1000,4000] [--only NAME] [--budget 60]

A case whose extraction takes longer than --budget seconds at one size is not run at the larger
ones (marked "skipped"). Figures only: no pass/fail (tests/test_extract_properties.py bounds
the behaviour).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import unicodedata
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


def cases() -> dict[str, Callable[[int], str]]:
    """Name -> a builder of the pathological text of about `size` characters."""
    return {
        "digits in a row": lambda size: "1" * size,
        "digit run as a count": lambda size: _fill(lambda i: "Tập huấn cho " + "1" * 400 + " học viên. ", size),
        "digits and spaces": lambda size: _fill(lambda i: str(i % 10), size, " "),
        "digits and dots": lambda size: _fill(lambda i: str(i % 10), size, "."),
        "digits and slashes": lambda size: _fill(lambda i: str(i % 10 + 1), size, "/"),
        "digits and dashes": lambda size: _fill(lambda i: str(i % 28 + 1), size, "-"),
        "20k 'ngày d/m' in one sentence": lambda size: "Tập huấn " + _fill(lambda i: f"ngày {i % 28 + 1}/{i % 12 + 1}", size, ", "),
        "day list 'các ngày 1, 2, 3…'": lambda size: "Tập huấn các ngày " + _fill(lambda i: str(i % 28 + 1), size, ", ") + "/6",
        "ranges 'từ 1 đến 2/3'": lambda size: _fill(lambda i: f"từ {i % 27 + 1} đến {i % 27 + 2}/{i % 12 + 1}", size, " "),
        "20k document numbers": lambda size: "Căn cứ " + _fill(lambda i: f"Quyết định số {i}/QĐ-UBND ngày {i % 28 + 1}/{i % 12 + 1}/2023",
                                                   size, ", "),
        "document codes without years": lambda size: _fill(lambda i: f"{i}/UBND-VP", size, " "),
        "comma-separated place names": lambda size: "Tập huấn tại " + _fill(lambda i: PLACES[i % len(PLACES)], size, ", "),
        "place names in one word run": lambda size: _fill(lambda i: PLACES[i % len(PLACES)], size, " "),
        "counts of people": lambda size: _fill(lambda i: f"{i % 900 + 10} học viên", size, ", "),
        "training sentences": lambda size: _fill(lambda i: f"Ngày {i % 28 + 1}/{i % 12 + 1}, tổ chức lớp tập huấn cho {i % 90 + 10} "
                                              f"học viên tại huyện Mường Lát.", size, " "),
        "secondary events": lambda size: _fill(lambda i: f"Bên cạnh đó, huyện tổ chức lớp tập huấn ngày {i % 28 + 1}/{i % 12 + 1} "
                                            f"cho {i % 90 + 10} học viên.", size, " "),
        "programme names": lambda size: _fill(lambda i: "Chương trình mục tiêu quốc gia giảm nghèo bền vững và nông thôn mới "
                                           "giai đoạn 2021-2025", size, ", "),
        "programme words without names": lambda size: _fill(lambda i: "các chương trình", size, " "),
        "months 'tháng 5 năm 2020'": lambda size: _fill(lambda i: f"tháng {i % 12 + 1} năm {2000 + i % 25}", size, ", "),
        "the word 'ngày'": lambda size: _fill(lambda i: "ngày", size, " "),
        "number words": lambda size: _fill(lambda i: ("hai", "mươi", "mốt", "trăm")[i % 4], size, " "),
        "training words": lambda size: _fill(lambda i: ("tập huấn", "Trung tâm Bồi dưỡng", "khai giảng lớp học")[i % 3], size, ", "),
        "shares and scores": lambda size: _fill(lambda i: f"{i % 9 + 1}/{i % 9 + 2} người, tỷ số {i % 5}-{i % 3}", size, ", "),
        "repeated dots": lambda size: "." * size,
        "repeated dashes and slashes": lambda size: "-/" * (size // 2),
        "repeated parentheses": lambda size: "(" * (size // 2) + ")" * (size // 2),
        "repeated newlines": lambda size: "\n" * size,
        "one huge sentence": lambda size: _fill(lambda i: ("tổ chức tập huấn cho cán bộ huyện xã về công tác giảm nghèo").split()[i % 12],
                                   size, " "),
        "one long word": lambda size: "a" * size,
        "capitalised words": lambda size: _fill(lambda i: f"Ủy Ban Nhân Dân Sở Nội Vụ Phòng{i % 10}", size, " "),
        "organising verbs in one sentence": lambda size: "Huyện " + _fill(lambda i: "tổ chức hội nghị", size, ", "),
        "lead-ins before the organiser": lambda size: _fill(lambda i: f"sáng {i % 28 + 1}/{i % 12 + 1}", size - 60, ", ")
        + ", Sở Nội vụ tổ chức lớp tập huấn cho 50 học viên.",
        "years in training sentences": lambda size: _fill(lambda i: "Tập huấn năm 2020 cho cán bộ", size, ". "),
        "dates in the sentences of one line": lambda size: _fill(lambda i: f"Ngày {i % 28 + 1}/{i % 12 + 1}. Tập huấn",
                                                                   size, " "),
        "decomposed (NFD) article text": lambda size: unicodedata.normalize("NFD", ordinary_text(size)),
    }


def time_extract(text: str, repeat: int = 1) -> float:
    """CPU seconds of one extraction of `text` (best of `repeat`)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        extract_record(text, published="2024-06-01")
        best = min(best, time.process_time() - start)
    return best


def per_100kb(seconds: float, length: int) -> float:
    """Seconds per 100,000 characters."""
    return seconds * 100_000 / max(length, 1)


def _label(kb: int) -> str:
    return f"{kb // 1000} MB" if kb >= 1000 and kb % 1000 == 0 else f"{kb} KB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,1000,4000",
                    help="comma-separated sizes in kilobytes (characters / 1000), smallest first")
    ap.add_argument("--kb", type=int, help="a single size in kilobytes (same as --sizes KB)")
    ap.add_argument("--only", help="run only the cases whose name contains this")
    ap.add_argument("--budget", type=float, default=60.0,
                    help="seconds one extraction may take before the case's larger sizes are skipped")
    args = ap.parse_args()
    sizes = [args.kb] if args.kb else sorted(int(s) for s in args.sizes.split(","))
    extract_record("Tập huấn tại huyện Mường Lát, tỉnh Thanh Hóa.")  # load the gazetteer once
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; CPU seconds of this process", flush=True)
    header = "".join(f"{_label(kb):>20s}" for kb in sizes)
    print(f"{'s per 100 KB (ratio to ordinary)':34s}{header}   growth", flush=True)
    baselines = []
    for kb in sizes:
        text = ordinary_text(kb * 1000)
        baselines.append(per_100kb(time_extract(text, repeat=3 if kb <= 1000 else 1), len(text)))
    print(f"{'ordinary text':34s}{''.join(f'{b:12.3f} s {1.0:4.1f}x ' for b in baselines)}  "
          f"{baselines[-1] / baselines[0]:5.1f}", flush=True)
    worst_ratio, worst_growth = 0.0, 0.0
    builders = {name: build for name, build in cases().items() if not args.only or args.only in name}
    for name, build in builders.items():
        row, costs, skipped = [], [], False
        for kb, baseline in zip(sizes, baselines):
            if skipped:
                row.append(f"{'skipped':>20s}")
                continue
            text = build(kb * 1000)
            try:
                seconds = time_extract(text)
            except Exception as error:  # a crash is a finding too; the other cases still run
                row.append(f"{'raised ' + type(error).__name__:>20s}")
                skipped = True
                continue
            cost = per_100kb(seconds, len(text))
            costs.append(cost)
            ratio = cost / baseline
            worst_ratio = max(worst_ratio, ratio)
            row.append(f"{cost:12.3f} s {ratio:4.1f}x{'!' if ratio > TARGET_RATIO else ' '}")
            skipped = seconds > args.budget
        growth = costs[-1] / costs[0] if len(costs) == len(sizes) and len(sizes) > 1 and costs[0] else None
        if growth is not None:
            worst_growth = max(worst_growth, growth)
        print(f"{name:34s}{''.join(row)}  {growth:5.1f}" if growth is not None else f"{name:34s}{''.join(row)}",
              flush=True)
    print(f"worst ratio {worst_ratio:.1f}x (target <= {TARGET_RATIO:.0f}x; '!' marks a case above it); "
          f"worst growth of the cost per 100 KB from {_label(sizes[0])} to {_label(sizes[-1])} {worst_growth:.1f}x")


if __name__ == "__main__":
    main()
