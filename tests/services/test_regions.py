"""Region codes, upserts and the all-or-nothing CSV import."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from kotaku_collab.cli import kotaku
from kotaku_collab.models import Region, RegionLevel
from kotaku_collab.services import DomainError
from kotaku_collab.services import regions as regions_service
from kotaku_collab.services.regions import (MAX_IMPORT_BYTES, import_regions, level_from_code,
                                            upsert_region)
from tests import factories


def region_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Region))


def problem_lines(report) -> list[int | None]:
    return [p.line for p in report.problems]


@pytest.mark.parametrize("code, level", [
    ("35", RegionLevel.PROVINSI),
    ("35.14", RegionLevel.KABUPATEN),
    ("35.75", RegionLevel.KOTA),
    ("35.75.01", RegionLevel.KECAMATAN),
    ("35.75.01.1001", RegionLevel.KELURAHAN),
    ("35.14.01.2001", RegionLevel.DESA),
])
def test_level_from_code(code, level):
    assert level_from_code(code) is level


@pytest.mark.parametrize("code", ["3", "35.1", "35.75.1", "35.75.01.101", "35-75", "",
                                  "35.75.01.3001"])
def test_level_from_code_rejects_bad_shapes(app, code):
    with app.app_context(), pytest.raises(DomainError):
        level_from_code(code)


def test_upsert_region_creates_under_parent_then_renames(db):
    factories.make_region("35")
    kota = upsert_region(db.session, "35.75", "Kota Pasuruan")
    assert (kota.level, kota.timezone, kota.parent_code) == (RegionLevel.KOTA, "Asia/Jakarta", "35")
    again = upsert_region(db.session, "35.75", "Kota Pasuruan (baru)")
    assert again is kota and kota.name == "Kota Pasuruan (baru)"
    assert region_count(db) == 2


def test_upsert_region_refuses_missing_parent(db):
    with pytest.raises(DomainError, match="35.75"):
        upsert_region(db.session, "35.75.01", "Gadingrejo")


# --- import ---------------------------------------------------------------------------------

def test_import_creates_parents_listed_after_children_with_levels_and_zones(db):
    text = ("code,name\n"
            "35.75.01.1001,Bugul Kidul\n"
            "35.75,Kota Pasuruan\n"
            "35.14,Kabupaten Pasuruan\n"
            "35.75.01,Gadingrejo\n"
            "35,Jawa Timur\n"
            "51,Bali\n"
            "94,Papua\n")
    report = import_regions(db.session, text)
    assert report.ok, report.problems
    assert (report.created, report.updated) == (7, 0)
    db.session.commit()
    kota = db.session.get(Region, "35.75")
    kabupaten = db.session.get(Region, "35.14")
    assert (kota.name, kota.level) == ("Kota Pasuruan", RegionLevel.KOTA)
    assert (kabupaten.name, kabupaten.level) == ("Kabupaten Pasuruan", RegionLevel.KABUPATEN)
    assert kota.bps_code == "3575" and kabupaten.bps_code == "3514"
    village = db.session.get(Region, "35.75.01.1001")
    assert (village.level, village.parent_code, village.timezone) == (
        RegionLevel.KELURAHAN, "35.75.01", "Asia/Jakarta")
    assert db.session.get(Region, "51").timezone == "Asia/Makassar"
    assert db.session.get(Region, "94").timezone == "Asia/Jayapura"


def test_import_uses_parents_already_in_the_database_and_updates_names(db):
    factories.make_region("35.75", name="Kota Pasuruan lama")
    db.session.commit()
    before = region_count(db)
    report = import_regions(db.session, "code,name\n35.75,Kota Pasuruan\n35.75.02,Purworejo\n"
                                        "35,Provinsi Jawa Timur\n")
    assert report.ok, report.problems
    db.session.commit()
    assert (report.created, report.updated) == (1, 2)
    assert region_count(db) == before + 1
    assert db.session.get(Region, "35.75").name == "Kota Pasuruan"
    assert db.session.get(Region, "35.75.02").parent_code == "35.75"


def test_reimporting_the_same_file_changes_nothing(db):
    text = "code,name\n35,Jawa Timur\n35.75,Kota Pasuruan\n"
    import_regions(db.session, text)
    db.session.commit()
    report = import_regions(db.session, text)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_import_accepts_bom_crlf_quotes_bps_column_and_blank_lines(db):
    data = ("\ufeffCode , Name ,bps_code\r\n"
            "35,Jawa Timur,\r\n"
            "\r\n"
            '35.75,"Pasuruan, Kota",3575\r\n'
            "35.75.01,  Gadingrejo   Baru ,3575010\r\n").encode("utf-8")
    report = import_regions(db.session, io.BytesIO(data))
    assert report.ok, report.problems
    assert report.created == 3
    assert db.session.get(Region, "35.75").name == "Pasuruan, Kota"
    gadingrejo = db.session.get(Region, "35.75.01")
    assert (gadingrejo.name, gadingrejo.bps_code) == ("Gadingrejo Baru", "3575010")


BAD_ROWS = [
    ("35.1,Salah", "not a Kemendagri region code"),
    ("35.00,Nol", "not a Kemendagri region code"),
    ("35.75.01.3001,Desa", "village codes start with 1"),
    ("99,Negeri Antah", "Unknown province code 99"),
    ("35.14,", "is empty"),
    ("35.14,   ", "is empty"),
    ("35.14," + "x" * 121, "longer than 120"),
    ("35.14,Kabupaten Pasuruan,extra", "Expected 2 columns"),
    ("36.01,Kabupaten Pandeglang", "parent region 36"),
]


@pytest.mark.parametrize("row, reason", BAD_ROWS)
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_imported(db, row, reason):
    text = f"code,name\n35,Jawa Timur\n35.75,Kota Pasuruan\n{row}\n35.75.01,Gadingrejo\n"
    report = import_regions(db.session, text)
    assert not report.ok
    assert problem_lines(report) == [4]
    assert reason in report.problems[0].message
    assert (report.created, report.updated) == (0, 0)
    assert region_count(db) == 0


def test_every_bad_row_is_reported_not_only_the_first(db):
    text = ("code,name\n"
            "35,Jawa Timur\n"
            "35.75,Kota Pasuruan\n"
            "35.75,Kota Pasuruan lagi\n"
            "35.1,x\n"
            "35.14,\n"
            "35.75.01,Gadingrejo\n")
    report = import_regions(db.session, text)
    assert problem_lines(report) == [4, 5, 6]
    assert "appears twice (first on line 3)" in report.problems[0].message
    assert region_count(db) == 0


def test_line_numbers_count_quoted_line_breaks_and_blank_lines(db):
    text = 'code,name\n35,"Jawa\nTimur"\n\n35.1,x\n'
    report = import_regions(db.session, text)
    assert problem_lines(report) == [5]


def test_a_child_of_a_bad_parent_row_gets_no_extra_message(db):
    report = import_regions(db.session, "code,name\n35,\n35.75,Kota Pasuruan\n")
    assert problem_lines(report) == [2]


def test_a_bad_import_leaves_existing_regions_untouched(db):
    factories.make_region("35.75", name="Kota Pasuruan")
    db.session.commit()
    report = import_regions(db.session, "code,name\n35.75,Nama Baru\n35.1,x\n")
    assert not report.ok
    db.session.commit()
    assert db.session.get(Region, "35.75").name == "Kota Pasuruan"


@pytest.mark.parametrize("data, reason", [
    (b"", "The file is empty"),
    (b"\xef\xbb\xbf \r\n\r\n", "The file is empty"),
    (b"kode,nama\n35,Jawa Timur\n", "The header must be 'code,name'"),
    (b"code\n35\n", "The header must be 'code,name'"),
    (b"code,name,name\n35,a,b\n", "The header must be 'code,name'"),
    (b"35,Jawa Timur\n35.75,Kota Pasuruan\n", "The header must be 'code,name'"),
    (b"code,name\n35,Jawa Timur\n35.75,Kota Pasur\xe1n\n", "not UTF-8"),
    (b"PK\x03\x04\x00\x00code,name", "not a CSV"),
    (b'code,name\n35,"Jawa Timur\n', "not a readable CSV"),
])
def test_unreadable_files_are_refused_with_a_reason(db, data, reason):
    report = import_regions(db.session, data)
    assert not report.ok
    assert reason in report.problems[0].message
    assert region_count(db) == 0


def test_not_utf8_names_the_line(db):
    report = import_regions(db.session, b"code,name\n35,Jawa Timur\n35.75,Pasur\xe1n\n")
    assert problem_lines(report) == [3]


def test_oversized_file_is_refused_before_parsing(db):
    data = io.BytesIO(b"code,name\n" + b"35,Jawa Timur\n" * (MAX_IMPORT_BYTES // 14 + 1))
    report = import_regions(db.session, data)
    assert "larger than" in report.problems[0].message
    assert region_count(db) == 0


def test_failure_while_writing_rolls_back_to_the_savepoint(db, monkeypatch):
    factories.make_region("35.75", name="Kota Pasuruan")
    db.session.commit()
    factories.make_region("51.05")  # flushed, not committed: must survive the rollback

    def fail_for_gadingrejo(code):
        if code == "35.75.01":
            raise DomainError("simulated failure")
        return None

    monkeypatch.setattr(regions_service, "bps_code_for", fail_for_gadingrejo)
    report = import_regions(db.session, "code,name\n35.75,Nama Baru\n35.75.01,Gadingrejo\n")
    assert not report.ok
    assert "rolled back" in report.problems[0].message and report.created == 0
    db.session.commit()
    assert db.session.get(Region, "35.75").name == "Kota Pasuruan"
    assert db.session.get(Region, "35.75.01") is None
    assert db.session.get(Region, "51.05") is not None


# --- the CLI command ------------------------------------------------------------------------

def run_import(app, path):
    return app.test_cli_runner().invoke(kotaku, ["import-regions", str(path)])


def test_cli_import_prints_a_summary(app, db, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("code,name\n35,Jawa Timur\n35.75,Kota Pasuruan\n35.14,Kabupaten Pasuruan\n",
                    encoding="utf-8")
    result = run_import(app, path)
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated" in result.output
    db.session.remove()
    assert region_count(db) == 3


def test_cli_import_lists_errors_and_exits_1(app, db, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("code,name\n35,Jawa Timur\n35.1,x\n99,y\n", encoding="utf-8")
    result = run_import(app, path)
    assert result.exit_code == 1
    assert "line 3:" in result.output and "line 4:" in result.output
    assert "Nothing was imported: 2 problem(s)" in result.output
    assert "Traceback" not in result.output
    db.session.remove()
    assert region_count(db) == 0


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n\x00\x00", b"\xff\xfe\x00c"])
def test_cli_import_reports_unusable_files_cleanly(app, db, tmp_path, content):
    path = tmp_path / "regions.csv"
    path.write_bytes(content)
    result = run_import(app, path)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Nothing was imported" in result.output


def test_cli_import_missing_file_is_a_usage_error(app, db, tmp_path):
    result = run_import(app, tmp_path / "missing.csv")
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_kota_and_kabupaten_with_the_same_name_stay_distinct(db):
    report = import_regions(db.session,
                            "code,name\n35,Jawa Timur\n35.14,Pasuruan\n35.75,Pasuruan\n")
    assert report.ok and report.created == 3
    assert db.session.get(Region, "35.14").level is RegionLevel.KABUPATEN
    assert db.session.get(Region, "35.75").level is RegionLevel.KOTA
