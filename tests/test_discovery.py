"""Discovery: existing features and column coverage (worker, endpoint, CLI).

The project has a known structure, so the numbers can be checked:

    y = 1.5 * driver + used + 2 * [grade == "a"] + small noise

* `driver` determines most of the target and no feature reads it: it must rank first;
* `used` is read (as is) by two features: nothing is left in it, it must rank low;
* `grade` (categorical, 37 missing) is informative and unread: unexplored too;
* `noise` (100 missing) and `helper` carry nothing; `comment` is free text; `constant` is.
"""

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from projects import write_ballet_yml, write_feature

from jupyter_ext.validation.worker import Worker

ROWS = 1500
MISSING_NOISE = 100
MISSING_GRADE = 37

FEATURES = {
    ("alice", "used_as_is"): """
        input = ["used"]
        transformer = None
        name = "Used as is"
        description = "The used column, unchanged."
    """,
    ("bob", "used_plus_helper"): """
        input = ["used", "helper"]
        transformer = lambda df: df["used"] + df["helper"]
        name = "Used plus helper"
    """,
}
DRIVER_FEATURE = """
    input = "driver"
    transformer = None
    name = "Driver"
"""
BROKEN_FEATURE = """
    input = ["helper"]
    raise RuntimeError("this module is broken")
"""


def build_known_project(root: Path, features=FEATURES, extra_columns=None) -> Path:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    driver = rng.normal(size=ROWS)
    used = rng.normal(size=ROWS)
    grade = rng.choice(list("abcd"), size=ROWS).astype(object)
    y = 1.5 * driver + used + 2 * (grade == "a") + rng.normal(scale=0.1, size=ROWS)
    grade[rng.choice(ROWS, MISSING_GRADE, replace=False)] = None
    noise = rng.normal(size=ROWS)
    noise[rng.choice(ROWS, MISSING_NOISE, replace=False)] = np.nan
    X = pd.DataFrame(
        {
            "driver": driver,
            "used": used,
            "helper": rng.normal(size=ROWS),
            "grade": grade,
            "noise": noise,
            "comment": [f"house {i} with a note of its own" for i in range(ROWS)],
            "constant": 1.0,
        }
    )
    for name, make in (extra_columns or {}).items():
        X[name] = make(rng, driver)
    root.mkdir(parents=True, exist_ok=True)
    write_ballet_yml(root, name="Known", slug="known", package="known")
    train = root / "data" / "train"
    train.mkdir(parents=True, exist_ok=True)
    X.to_csv(train / "entities.csv")
    pd.Series(y, name="price").to_frame().to_csv(train / "targets.csv")
    for (login, slug), source in features.items():
        write_feature(root, login, slug, textwrap.dedent(source), package="known")
    return root


@pytest.fixture(scope="module")
def known(tmp_path_factory):
    return build_known_project(tmp_path_factory.mktemp("discovery") / "known")


@pytest.fixture(scope="module")
def view(known):
    return Worker(known).handle({"op": "discover"})


def by_name(items):
    return {item["name"]: item for item in items}


def test_a_column_no_feature_reads_that_determines_the_target_ranks_first(view):
    columns = by_name(view["columns"])
    assert columns["driver"]["rank"] == 1
    assert columns["driver"]["feature_count"] == 0
    assert columns["driver"]["informative"] is True
    assert columns["driver"]["conditional_mutual_information"] > 1.0  # nats
    assert view["unexplored"][0]["name"] == "driver"
    assert view["unexplored"][0]["informative"] is True


def test_a_categorical_column_with_missing_values_is_informative_and_unexplored(view):
    grade = by_name(view["columns"])["grade"]
    assert grade["type"] == "categorical"
    assert grade["rank"] == 2
    assert grade["informative"] is True
    assert "grade" in [u["name"] for u in view["unexplored"]]


def test_a_fully_used_column_ranks_below_every_informative_one(view):
    columns = by_name(view["columns"])
    used = columns["used"]
    informative = [c for c in view["columns"] if c["informative"]]
    assert {c["name"] for c in informative} == {"driver", "grade"}
    # It tells a lot on its own, nothing beyond the features that read it.
    assert used["mutual_information"] > view["noise_floor"]
    assert used["conditional_mutual_information"] < view["noise_floor"]
    assert used["rank"] > len(informative)
    assert used["feature_count"] == 2
    assert sorted(used["features"]) == ["Used as is", "Used plus helper"]
    assert "used" not in [u["name"] for u in view["unexplored"]]


def test_missing_values_counts_and_types_are_exact(view):
    columns = by_name(view["columns"])
    assert [c["name"] for c in view["columns"]] == [
        "driver",
        "used",
        "helper",
        "grade",
        "noise",
        "comment",
        "constant",
    ]
    assert {n: c["missing"] for n, c in columns.items()} == {
        "driver": 0,
        "used": 0,
        "helper": 0,
        "grade": MISSING_GRADE,
        "noise": MISSING_NOISE,
        "comment": 0,
        "constant": 0,
    }
    assert columns["noise"]["missing_fraction"] == round(MISSING_NOISE / ROWS, 5)
    assert {n: c["feature_count"] for n, c in columns.items()} == {
        "driver": 0,
        "used": 2,
        "helper": 1,
        "grade": 0,
        "noise": 0,
        "comment": 0,
        "constant": 0,
    }
    assert {n: c["type"] for n, c in columns.items()} == {
        "driver": "numeric",
        "used": "numeric",
        "helper": "numeric",
        "grade": "categorical",
        "noise": "numeric",
        "comment": "text",
        "constant": "numeric",
    }
    assert columns["grade"]["distinct"] == 4
    assert columns["noise"]["informative"] is False
    assert columns["comment"]["conditional_mutual_information"] is None
    assert "free text" in columns["comment"]["note"]
    assert columns["constant"]["conditional_mutual_information"] == 0.0
    assert view["data"] == {
        "rows": ROWS,
        "columns": 7,
        "estimation_rows": ROWS,
        "fingerprint": view["data"]["fingerprint"],
    }
    assert view["target"] == "price"


def test_features_are_listed_with_author_description_inputs_outputs_and_information(view):
    features = by_name(view["features"])
    assert set(features) == {"Used as is", "Used plus helper"}
    used = features["Used as is"]
    assert used["author"] == "alice"
    assert used["description"] == "The used column, unchanged."
    assert used["input"] == ["used"]
    assert used["output"] == ["used_as_is"]
    assert used["path"] == "src/known/features/contrib/user_alice/feature_used_as_is.py"
    assert 'name = "Used as is"' in used["source"]
    assert used["source_hash"].startswith("sha256:")
    assert used["mutual_information"] > view["noise_floor"]
    # The other feature is `used` blurred by noise: this one adds the clean signal.
    assert used["conditional_mutual_information"] > view["noise_floor"]
    plus = features["Used plus helper"]
    assert plus["author"] == "bob" and plus["description"] is None
    assert plus["input"] == ["used", "helper"]
    assert plus["conditional_mutual_information"] < used["conditional_mutual_information"]
    assert view["failed"] == [] and view["error"] is None and view["partial"] is False


def test_the_view_is_cached_and_recomputed_when_a_feature_is_added(tmp_path):
    # Given: a project and its view
    root = build_known_project(tmp_path / "known")
    worker = Worker(root)
    first = worker.handle({"op": "discover"})
    assert first["cache"]["view"] is None
    # When: asked again, by this worker and by a fresh one (a restarted worker process)
    again = worker.handle({"op": "discover"})
    fresh = Worker(root).handle({"op": "discover"})
    # Then: the same view, from memory, then from disk
    assert again["cache"] == {"view": "memory"} and fresh["cache"] == {"view": "disk"}
    assert again["columns"] == first["columns"] == fresh["columns"]

    # When: someone contributes a feature on `driver`
    write_feature(root, "carol", "driver", textwrap.dedent(DRIVER_FEATURE), package="known")
    after = worker.handle({"op": "discover"})
    # Then: the view is recomputed and `driver` is covered, with nothing left in it
    assert after["cache"]["view"] is None
    driver = by_name(after["columns"])["driver"]
    assert driver["feature_count"] == 1 and driver["features"] == ["Driver"]
    assert driver["informative"] is False
    assert after["unexplored"][0]["name"] == "grade"


def test_a_broken_feature_is_listed_with_its_error_and_its_inputs_left_uncounted(tmp_path):
    root = build_known_project(
        tmp_path / "known",
        {**FEATURES, ("dave", "broken"): BROKEN_FEATURE},
    )
    view = Worker(root).handle({"op": "discover"})
    broken = next(f for f in view["features"] if f["author"] == "dave")
    assert "this module is broken" in broken["error"]
    assert broken["mutual_information"] is None
    assert [f["path"] for f in view["failed"]] == [broken["path"]]
    assert by_name(view["columns"])["helper"]["feature_count"] == 1  # only bob's
    assert view["unexplored"][0]["name"] == "driver"


def test_a_time_budget_gives_a_partial_view_that_the_next_request_completes(tmp_path):
    root = build_known_project(tmp_path / "known")
    worker = Worker(root)
    partial = worker.handle({"op": "discover", "budget_s": 1e-9})
    assert partial["partial"] is True
    left = [c["name"] for c in partial["columns"] if "time budget" in (c["note"] or "")]
    assert left == ["driver", "used", "helper", "grade", "noise"]
    assert all(by_name(partial["columns"])[n]["rank"] > 2 for n in left)  # unranked: last
    complete = worker.handle({"op": "discover"})
    assert complete["partial"] is False
    assert by_name(complete["columns"])["driver"]["rank"] == 1


# -- the endpoint, through the real server ------------------------------------------------


@pytest.fixture
def jp_server_config(jp_server_config, known):
    return {**jp_server_config, "JupyterExt": {"project_dir": str(known)}}


async def test_get_features_returns_the_view(api, known):
    status, body = await api("features")
    assert status == 200
    assert body["error"] is None
    assert body["unexplored"][0]["name"] == "driver"
    assert {f["author"] for f in body["features"]} == {"alice", "bob"}
    assert by_name(body["columns"])["noise"]["missing"] == MISSING_NOISE
    # A notebook inside the project gets the same project's view.
    status, again = await api("features", params={"path": "notebooks/x.ipynb"})
    assert status == 200 and again["columns"] == body["columns"]


def extension(jp_serverapp):
    return next(iter(jp_serverapp.extension_manager.extension_apps["jupyter_ext"]))


async def test_get_features_without_a_project_is_a_404_that_says_why(api, jp_serverapp, tmp_path):
    extension(jp_serverapp).validation.project_dir = tmp_path
    status, body = await api("features")
    assert status == 404
    assert "ballet.yml" in body["message"] and "project_dir" in body["message"]


async def test_get_features_when_the_data_cannot_be_loaded_says_so(api, jp_serverapp, tmp_path):
    root = build_known_project(tmp_path / "known")
    shutil.rmtree(root / "data")
    extension(jp_serverapp).validation.project_dir = root
    status, body = await api("features")
    assert status == 200
    assert body["error"]["kind"] == "data" and "does not exist" in body["error"]["message"]
    assert body["features"] == [] and body["columns"] == []


# -- the CLI ------------------------------------------------------------------------------


def test_cli_json_is_the_same_view(known, capsys):
    from jupyter_ext.cli import main

    assert main(["discover", "--project", str(known), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["unexplored"][0]["name"] == "driver"
    assert by_name(out["columns"])["grade"]["missing"] == MISSING_GRADE


def test_cli_prints_readable_tables(known, capsys):
    from jupyter_ext.cli import main

    assert main(["discover", "--project", str(known / "src")]) == 0
    out = capsys.readouterr().out
    assert "Features (2)" in out
    assert "Unexplored columns" in out
    lines = out.splitlines()
    unexplored = lines.index(next(line for line in lines if line.startswith("Unexplored")))
    first = lines[unexplored + 2].split()
    assert first[:4] == ["1", "driver", "*", "numeric"]
    assert any("comment" in line and "free text" in line for line in lines)


def test_cli_without_a_project_exits_2(tmp_path, capsys):
    from jupyter_ext.cli import main

    assert main(["discover", "--project", str(tmp_path)]) == 2
    assert "No ballet.yml" in capsys.readouterr().err


def test_cli_reports_data_that_cannot_be_loaded(tmp_path, capsys):
    from jupyter_ext.cli import main

    root = build_known_project(tmp_path / "known")
    shutil.rmtree(root / "data")
    assert main(["discover", "--project", str(root)]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_columns_of_any_dtype_and_label_are_profiled_and_estimated():
    # Given: what a project's loader may return: integer labels, a repeated label,
    # nullable integers, dates, booleans and a pandas categorical
    import numpy as np
    import pandas as pd

    from jupyter_ext.validation.discovery import Estimates, profile_columns

    rng = np.random.default_rng(3)
    n = 400
    signal = rng.integers(0, 50, n)
    X = pd.DataFrame(
        {
            0: pd.array(np.where(np.arange(n) % 10 == 0, None, signal), dtype="Int64"),
            1: pd.Timestamp("2020-01-01") + pd.to_timedelta(signal, unit="D"),
            2: signal > 25,
            3: pd.Categorical(np.where(signal > 25, "high", "low")),
        }
    )
    X.insert(4, 0, rng.normal(size=n), allow_duplicates=True)  # a second column "0"
    y = signal + rng.normal(scale=0.1, size=n)
    # When
    columns = profile_columns(X, [])
    estimates = Estimates(y, "regression", [], budget_s=60)
    for c in columns:
        estimates.column(X.iloc[:, c.position], c, None)
    # Then
    assert [(c.name, c.type, c.missing) for c in columns] == [
        ("0", "numeric", 40),
        ("1", "numeric", 0),
        ("2", "categorical", 0),
        ("3", "categorical", 0),
        ("0", "numeric", 0),
    ]
    info = [c.conditional_mutual_information for c in columns]
    assert all(v is not None for v in info), [c.note for c in columns]
    assert info[0] > 1 and info[1] > 1  # the signal itself, as integers and as dates
    assert info[2] > 0.3 and info[3] > 0.3  # one bit of it, as bool and categorical
    assert info[4] < estimates.floor  # noise


def parcel_numbers(rng, driver):
    """Distinct integers that follow `driver` (as Ames' PID follows location)."""
    import numpy as np

    return 5_000_000 + np.argsort(np.argsort(driver)) * 100 + rng.integers(0, 100, driver.size)


def test_identifier_columns_are_flagged_and_never_suggested(tmp_path):
    # Given a project whose data has a parcel number that tracks the main driver of the
    # target, a row number, and a float measurement that is distinct in every row
    import numpy as np

    root = build_known_project(
        tmp_path / "ids",
        extra_columns={
            "PID": parcel_numbers,
            "Order": lambda rng, driver: rng.permutation(driver.size) + 1,
            "area": lambda rng, driver: rng.normal(size=driver.size) + np.arange(driver.size),
        },
    )
    # When the contributor opens the Project tab
    view = Worker(root).handle({"op": "discover"})
    # Then the parcel number and the row number are marked as identifiers, with a note,
    columns = by_name(view["columns"])
    assert columns["PID"]["identifier"] is True
    assert columns["Order"]["identifier"] is True
    assert "identifier" in columns["PID"]["note"]
    # the parcel number does carry information (it stands in for the driver),
    assert columns["PID"]["mutual_information"] > view["noise_floor"]
    # but neither is suggested as unexplored, while real columns still are
    unexplored = [u["name"] for u in view["unexplored"]]
    assert "PID" not in unexplored and "Order" not in unexplored
    assert unexplored[:2] == ["driver", "grade"]
    # and a float measurement distinct in every row is not an identifier
    assert columns["area"]["identifier"] is False
    assert columns["driver"]["identifier"] is False
