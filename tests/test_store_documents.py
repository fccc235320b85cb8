"""Cited documents in the database keep every issuer of a joint document."""
from __future__ import annotations

from pathlib import Path

from extract import extract_record
from store import open_database, save_article

JOINT = ("Tập huấn chính sách\n\nThực hiện Thông tư liên tịch số 24/2014/TTLT-BTC-BLĐTBXH và Nghị quyết "
         "liên tịch số 09/2008/NQLT-CP-UBTWMTTQVN, ngày 5/6/2024 Sở tổ chức tập huấn cho 50 cán bộ.")


def test_joint_documents_keep_every_issuer(tmp_path: Path) -> None:
    db = open_database(tmp_path / "training.db")
    record = extract_record(JOINT, url="https://sotc.example.gov.vn/tap-huan")
    assert save_article(db, {"url": "https://sotc.example.gov.vn/tap-huan", "site": "sotc.example.gov.vn",
                             "title": "Tập huấn chính sách", "body": JOINT}, record) == "new"
    rows = {row["number"]: row for row in db.query("select * from documents")}
    joint = rows["24/2014/TTLT-BTC-BLĐTBXH"]
    assert joint["issuer"] == "BTC" and joint["issuers"] == "BTC; BLĐTBXH"
    assert joint["issuer_names"].split("; ")[0] == joint["issuer_name"]
    assert len(rows["09/2008/NQLT-CP-UBTWMTTQVN"]["issuers"].split("; ")) == 2
