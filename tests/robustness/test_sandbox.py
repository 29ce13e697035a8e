"""The feature sandbox of the validation worker, in a fresh interpreter (its audit hook is
permanent, so it never goes into the pytest process)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

PROBE = textwrap.dedent(
    """
    import json, os, subprocess, sys, tempfile
    from jupyter_ext.validation.sandbox import feature_sandbox

    outside, action = sys.argv[1], sys.argv[2]
    result = {}
    with feature_sandbox() as scratch:
        result["cwd_is_scratch"] = os.getcwd() == scratch
        result["tempdir_in_scratch"] = tempfile.mkdtemp().startswith(scratch)
        try:
            if action == "write":
                open(outside, "w").write("x")
            elif action == "append-os-open":
                os.close(os.open(outside, os.O_WRONLY | os.O_APPEND))
            elif action == "remove":
                os.remove(outside)
            elif action == "rename":
                os.rename(outside, outside + ".moved")
            elif action == "popen":
                subprocess.Popen(["sleep", "1000"])
            elif action == "system":
                os.system("true")
            elif action == "read":
                result["read"] = open(outside).read()
            elif action == "relative-write":
                open("out.csv", "w").write("a,b\\n")
                result["relative_exists"] = os.path.exists(os.path.join(scratch, "out.csv"))
            elif action == "stdin":
                result["stdin"] = sys.stdin.read()
            result["raised"] = None
        except PermissionError as err:
            result["raised"] = str(err)
    result["scratch_removed"] = not os.path.exists(scratch)
    result["cwd_restored"] = os.getcwd() == os.path.dirname(outside)
    # Inactive again: the same write now works.
    open(outside + ".after", "w").write("y")
    print(json.dumps(result))
    """
)


def probe(tmp_path, action: str) -> dict:
    outside = tmp_path / "precious.txt"
    outside.write_text("keep me\n")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(outside), action],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        input="the worker's requests\n",
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["cwd_is_scratch"] and result["tempdir_in_scratch"]
    assert result["scratch_removed"] and result["cwd_restored"]
    assert (tmp_path / "precious.txt.after").read_text() == "y"
    return result


@pytest.mark.parametrize(
    "action,words",
    [
        ("write", "may not write"),
        ("append-os-open", "may not write"),
        ("remove", "may not change"),
        ("rename", "may not change"),
        ("popen", "may not start processes"),
        ("system", "may not start processes"),
    ],
)
def test_side_effects_outside_the_temp_dir_are_refused(tmp_path, action, words):
    # Given: a file outside the sandbox's temp dir
    # When: feature code tries to change it, or to start a process
    result = probe(tmp_path, action)
    # Then: a PermissionError that says why, and the file is as it was
    assert result["raised"] and words in result["raised"]
    assert (tmp_path / "precious.txt").read_text() == "keep me\n"
    assert not (tmp_path / "precious.txt.moved").exists()


def test_reading_and_writing_its_own_files_work(tmp_path):
    result = probe(tmp_path, "read")
    assert result["raised"] is None and result["read"] == "keep me\n"
    result = probe(tmp_path, "relative-write")
    assert result["raised"] is None and result["relative_exists"]
    assert not (tmp_path / "out.csv").exists()


def test_stdin_reads_empty_so_the_request_channel_is_safe(tmp_path):
    assert probe(tmp_path, "stdin")["stdin"] == ""
