"""Reference catalogues loaded into the database (the programme catalogue of data/programmes.yml)."""
from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils
import yaml


def load_programmes(db: sqlite_utils.Database, path: str | Path) -> int:
    """Load the programme catalogue: a YAML list of {id, name, period?, abbreviations?, ...}.

    Keys other than id, name, period and abbreviations are kept as JSON in `details`.

    :param db: open database
    :param path: YAML file (data/programmes.yml)
    :return: number of programmes loaded
    :raises ValueError: when the file is not a list or an entry lacks id or name
    """
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    if isinstance(entries, dict):  # also accept {programmes: [...]}
        entries = entries.get("programmes", [])
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of programmes")
    rows = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name"):
            raise ValueError(f"{path}: programme without id or name: {entry!r}")
        details = {k: v for k, v in entry.items() if k not in ("id", "name", "period", "abbreviations")}
        abbreviations = entry.get("abbreviations")
        period = entry.get("period")
        if period is None and isinstance(entry.get("years"), list) and len(entry["years"]) == 2:
            period = "{}-{}".format(*entry["years"])
        rows.append({
            "id": str(entry["id"]), "name": entry["name"],
            "period": None if period is None else str(period),
            "abbreviations": json.dumps(abbreviations, ensure_ascii=False) if abbreviations else None,
            "details": json.dumps(details, ensure_ascii=False, default=str) if details else None,
            "in_catalogue": 1,
        })
    with db.atomic():
        for row in rows:
            db["programmes"].upsert(row, pk="id")
    return len(rows)
