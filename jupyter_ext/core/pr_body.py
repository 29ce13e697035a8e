"""The pull request's text: what a maintainer needs to review a contributed feature.

Built only from the validation report and the file path: the feature's inputs,
outputs and description, the checks and the acceptance verdict, and the data
fingerprint the verdict was computed on (so CI's result can be compared with
the contributor's). It never contains credentials: nothing here can see them.
"""

from __future__ import annotations

from typing import Any

from .score_summary import score_details, score_headline

MARKER = "<!-- jupyter-ext:feature -->"


def _code_list(values: Any) -> str:
    if values is None:
        return "(none)"
    if isinstance(values, str):
        values = [values]
    values = list(values)
    return ", ".join(f"`{_inline(v)}`" for v in values) if values else "(none)"


def _inline(value: Any) -> str:
    """Text safe inside a Markdown table cell or inline code."""
    return str(value).replace("`", "'").replace("|", "\\|").replace("\n", " ").strip()


def _no_math(text: str) -> str:
    """Inline text with `$` escaped: two dollar amounts on a line open GitHub's inline math."""
    return _inline(text).replace("$", "\\$")


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, (int, float)) else "n/a"


def validation_summary(report: dict) -> list[str]:
    """Markdown lines: checks passed/failed (with the failing ones named) and acceptance."""
    lines = []
    checks = report.get("checks") or []
    failed = [c for c in checks if not c.get("passed")]
    if checks:
        if failed:
            lines.append(
                f"- :x: Feature API checks: {len(checks) - len(failed)}/{len(checks)} "
                "passed. Failing:"
            )
            for check in failed:
                message = _inline(check.get("message") or "failed")
                lines.append(f"  - `{_inline(check.get('name'))}`: {message}")
        else:
            lines.append(f"- :white_check_mark: Feature API checks: all {len(checks)} passed")
    error = report.get("error")
    if error:
        lines.append(
            f"- :warning: Validation did not finish ({_inline(error.get('kind'))}): "
            f"{_inline(error.get('message'))}"
        )
    acceptance = report.get("acceptance")
    if acceptance:
        verdict = "accepted" if acceptance.get("accepted") else "not accepted"
        mark = ":white_check_mark:" if acceptance.get("accepted") else ":x:"
        line = (
            f"- {mark} Acceptance ({_inline(acceptance.get('accepter'))}): {verdict}, "
            f"statistic {_number(acceptance.get('statistic'))} vs threshold "
            f"{_number(acceptance.get('threshold'))}"
        )
        lines.append(line)
        if acceptance.get("reason"):
            lines.append(f"  - {_inline(acceptance['reason'])}")
        if acceptance.get("redundant"):
            lines.append(f"  - Would make redundant: {_code_list(acceptance['redundant'])}")
    elif checks and not error:
        lines.append("- Acceptance: not evaluated (a feature API check failed)")
    headline = score_headline(report.get("score"))
    if headline:
        lines.append(f"- Model score: {_no_math(headline)}")
        details = score_details(report.get("score"))
        if details:
            lines.append(f"  - {_no_math(details)}")
    return lines


def render_body(report: dict, file_path: str, *, forced: bool = False, version: str = "") -> str:
    feature = report.get("feature") or {}
    data = report.get("data") or {}
    description = (feature.get("description") or "").strip() or "_No description given._"
    rows = [
        ("Inputs", _code_list(feature.get("input"))),
        ("Outputs", _code_list(feature.get("output"))),
        ("File", f"`{_inline(file_path)}`"),
    ]
    if feature.get("source_hash"):
        rows.append(("Source hash", f"`{_inline(feature['source_hash'])}`"))
    parts = [
        MARKER,
        f"## {_inline(feature.get('name') or 'Feature')}",
        "",
        description,
        "",
        "| | |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in rows],
        "",
        "### Validation",
        "",
        *(validation_summary(report) or ["- Not validated."]),
    ]
    if forced and not report.get("passed"):
        parts += ["", "> [!WARNING]", "> Submitted although validation did not pass."]
    if data:
        rows_text = f"{data['rows']} rows" if data.get("rows") is not None else "data"
        split = f" ({_inline(data['split'])} split)" if data.get("split") else ""
        fingerprint = (
            f", fingerprint `{_inline(data['fingerprint'])}`" if data.get("fingerprint") else ""
        )
        parts += ["", f"Validated on {rows_text}{split}{fingerprint}."]
    parts += ["", f"<sub>Submitted from JupyterLab with jupyter-ext {_inline(version)}</sub>"]
    return "\n".join(parts) + "\n"
