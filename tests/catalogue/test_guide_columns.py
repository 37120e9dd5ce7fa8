"""The guide columns of procedures.csv: optional, checked by one rule, kept on re-import."""

from __future__ import annotations

from sqlalchemy import select

from app.catalogue.models import Department, Procedure
from app.catalogue.rules import read_guide
from app.extensions import db
from tests.catalogue.test_import_export import SHIPPED

HEADER = "code,name_ja,department_code,department_name,priority"


def run(app, *args):
    return app.test_cli_runner().invoke(args=["catalogue", *map(str, args)])


def write(folder, text):
    folder.mkdir(exist_ok=True)
    (folder / "procedures.csv").write_text(text, encoding="utf-8-sig")
    return folder


def test_guide_columns_are_read_and_an_old_file_leaves_them_alone(app, tmp_path):
    full = write(
        tmp_path / "full",
        HEADER + ",name_kana,summary,audience,fee,fee_payment,standard_processing_days,"
        "documents,online_url,section,section_phone,section_email,egov_url,department_name_en\n"
        'P-1,浄化槽設置届,KANKYO,環境生活部,1,じょうかそうせっちとどけ,浄化槽を設置する前の届出,'
        '個人、事業者,なし,,"７",届出書；配置図,https://apply.e-tumo.jp/pref-mie-u/,下水道事業課,'
        "０５９－２２４－２０００,gesuido@pref.mie.lg.jp,https://laws.e-gov.go.jp/law/358AC1000000043,"
        "Environment and Life Department\n",
    )
    result = run(app, "import", full)
    assert result.exit_code == 0, result.output
    with app.app_context():
        p = db.session.scalar(select(Procedure))
        assert (p.name_kana, p.audience, p.fee, p.standard_processing_days) == (
            "じょうかそうせっちとどけ",
            "individual;business",
            "none",
            7,
        )
        assert p.documents == "届出書;配置図" and p.section_phone == "0592242000"
        assert db.session.scalar(select(Department.name_en)) == "Environment and Life Department"
    old = write(tmp_path / "old", HEADER + "\nP-1,浄化槽設置届,KANKYO,環境生活部,1\n")
    result = run(app, "import", old)
    assert result.exit_code == 0, result.output
    assert "procedures +0 ~0 =1" in result.output
    with app.app_context():
        assert db.session.scalar(select(Procedure.summary)) == "浄化槽を設置する前の届出"


def test_a_bad_guide_value_is_named_with_its_file_and_line(app, tmp_path):
    folder = write(
        tmp_path / "bad",
        HEADER + ",fee,online_url,egov_url,section_phone,audience,standard_processing_days\n"
        "P-1,浄化槽設置届,KANKYO,環境生活部,1,100,https://example.jp/,,,,\n"
        "P-2,県営住宅の入居申込,KENDO,県土整備部,1,,javascript:alert(1),https://example.jp/law,12345,子ども,400\n",
    )
    result = run(app, "import", folder)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if "procedures.csv:3:" in line]
    text = "\n".join(lines)
    for column in ("online_url", "egov_url", "section_phone", "audience", "standard_processing_days"):
        assert column in text, (column, result.output)
    assert "procedures.csv:2:" not in result.output
    with app.app_context():
        assert db.session.scalar(select(Procedure)) is None  # nothing written


def test_the_rule_reads_fees_as_people_write_them():
    for typed, stored in [("無料", "none"), ("0円", "none"), ("2,400円", "2400"), ("¥400", "400"),
                          ("面積により異なります", "面積により異なります"), ("", None)]:
        values, problems = read_guide({"fee": typed})
        assert not problems and values["fee"] == stored, typed
    values, problems = read_guide({"summary": "x" * 2001})
    assert [p.field for p in problems] == ["summary"]


def test_the_api_gives_the_guide(app):
    assert run(app, "import", SHIPPED).exit_code == 0
    body = app.test_client().get("/api/v1/procedures/P-0021").get_json()
    guide = body["guide"]
    assert guide["name_kana"] == "じょうかそうせっちとどけ"
    assert guide["online_url"].startswith("https://") and guide["documents"]
    assert guide["section"]["phone"].startswith("059-224-")
    assert guide["egov_url"].startswith("https://laws.e-gov.go.jp/")
