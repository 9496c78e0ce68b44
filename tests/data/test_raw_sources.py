"""data/raw holds byte-identical copies of the shared seeds (the project must work where
../shared does not exist, so the hashes are pinned here)."""

import hashlib
from pathlib import Path

import pytest

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "seeds"

SHA256 = {
    "changzhi.txt": "c2bf036bd8e2323dc14948aa9275da14c3281859441e99f2e78712eb281c7437",
    "chongqing.txt": "443e506fb2543dcf57a49df63c0e6c386a1fc9679b29832c04799941375f2aee",
    "ningxia-district.txt": "9699fae63f4397e03706305c96e2de978b24e2250fc62ba395e59b65857961e5",
    "sichuan.txt": "a888a2dad6256862cd3061ba7294ce2284d6e68e99eeb3919173f8d38b38354c",
    "tianjin.txt": "3697c6bded28139edc716513b6a205d0e6ade636b4655f6817c91540867c5722",
}


@pytest.mark.parametrize("name", sorted(SHA256))
def test_raw_source_is_verbatim(name: str) -> None:
    assert hashlib.sha256((RAW / name).read_bytes()).hexdigest() == SHA256[name]


def test_no_other_raw_files() -> None:
    assert sorted(p.name for p in RAW.iterdir()) == sorted(SHA256)


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/seeds is not beside this checkout")
@pytest.mark.parametrize("name", sorted(SHA256))
def test_raw_source_equals_shared_seed(name: str) -> None:
    assert (RAW / name).read_bytes() == (SHARED / name).read_bytes()
