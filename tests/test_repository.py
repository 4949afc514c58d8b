"""The repository stands alone: nothing in it reads or points to a folder beside the checkout.

The workspace this project grew up in keeps contributor notes in `../shared/`; a clone elsewhere
has no such folder. Test data lives in tests/, and what a contributor needs in README and docs/.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import BASE_DIR

THIS_FILE = Path(__file__).resolve().relative_to(BASE_DIR.resolve()).as_posix()

# `../shared`, a path starting at `shared/`, and a path built from a "shared" part
# (`BASE_DIR.parent / "shared"`, `os.path.join(…, "shared", …)`).
OUTSIDE = re.compile(
    r"""\.\./shared\b"""
    r"""|(?<![\w./-])shared/"""
    r"""|/\s*["']shared["']"""
    r"""|join\([^)]*["']shared["']"""
)


def _files() -> list[str]:
    """Tracked files plus new ones not ignored: what a commit would put in a clone."""
    result = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted({name for name in result.stdout.split("\0") if name and (BASE_DIR / name).is_file()})


def test_the_pattern_catches_what_it_should():
    for line in [
        "See `../shared/design.md`.",
        'VECTORS_PATH = BASE_DIR.parent / "shared" / "vectors" / "x.json"',
        "os.path.join(ROOT, '..', 'shared', 'vectors')",
        "cat shared/vectors/signature-vectors.json",
    ]:
        assert OUTSIDE.search(line), line
    for line in ["shared_with_team", "the shared rate limiter", "templates/sourcing/shared/x.html", "@shared_task"]:
        assert not OUTSIDE.search(line), line


def test_no_file_reads_or_points_outside_the_repository():
    files = _files()
    assert "README.md" in files and "tests/conftest.py" in files  # the listing really is the repository
    offenders = []
    for name in files:
        if name == THIS_FILE:
            continue
        text = (BASE_DIR / name).read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == [], "\n".join(offenders)


def test_a_copy_outside_the_workspace_collects_and_signs(tmp_path):
    # given the repository's files alone, in a folder with nothing beside it
    clone = tmp_path / "clone"
    for name in _files():
        target = clone / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(BASE_DIR / name, target)
    assert not (clone.parent / "shared").exists()

    # when the whole suite is collected there, and the tests that read the signature vectors run (no database)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-k", "test_signing"],
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # then nothing failed to collect, and the signing tests passed
    output = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, output
    assert re.search(r"^\d+ passed, \d+ deselected in ", result.stdout.splitlines()[-1]), output
    assert "error" not in result.stdout.splitlines()[-1], output


def test_fast_password_hasher_is_a_test_setting_only():
    from django.conf import global_settings
    from django.contrib.auth.hashers import get_hasher

    import portal.settings

    # the suite hashes with MD5 (tests/conftest.py); the portal itself keeps Django's PBKDF2 default
    assert get_hasher().algorithm == "md5"
    production = getattr(portal.settings, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    assert production[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
