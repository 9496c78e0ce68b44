"""Values the report, check and export tests assert, each taken from data/raw."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_QUERIES = Path(__file__).resolve().parent / "fixtures" / "queries"
ID = "https://w3id.org/cdkg/id/"

# data/raw/chongqing.txt line 97: item 6 of the assistance list (公安部门, 禁毒法).
CHONGQING_6 = f"{ID}duty/chongqing/assistance/6"
CHONGQING_6_LABEL = "协助开展禁毒宣传、落实禁毒防范措施"
# data/raw/sichuan.txt 附件2 items 26–32 print no 依据: their rows start on these lines.
SICHUAN_NO_BASIS = {26: 297, 27: 302, 28: 307, 29: 312, 30: 317, 31: 322, 32: 327}
DUTIES = 210
