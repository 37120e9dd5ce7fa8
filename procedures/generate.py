#!/usr/bin/env python3
"""Generate the illustrative procedure catalogue shipped with Tetsuzuki.

Writes three CSV files next to this script:

    procedures.csv      one row per administrative procedure
    volumes.csv         receipts (and online receipts) per procedure and fiscal year
    status_history.csv  dated digitisation status changes per procedure

The figures are illustrative.  They are calibrated to the published totals of
the prefecture's digitisation plan (75 priority procedures, about 110,000
receipts a year, 39% digitised in the FY2021 survey) but are NOT official data.

The output is fully deterministic: all "random" variation is derived from
SHA-256 hashes of fixed strings, so running

    python procedures/generate.py

from the repository root rewrites the three files byte-identically.  After
writing, the files are read back and checked against the KPI definitions
(see docs/); a verification table is printed and the calibration targets are
asserted.

Standard library only.
"""

import csv
import datetime as dt
import hashlib
import os
import sys

from guide import DEPARTMENTS_EN, GUIDE_COLUMNS, guide_row

HERE = os.path.dirname(os.path.abspath(__file__))

FISCAL_YEARS = (2021, 2022, 2023, 2024, 2025)
FIRST_FY = FISCAL_YEARS[0]
DIGITIZED = ("online", "end_to_end")
STATUSES = ("paper", "planned", "partial", "online", "end_to_end", "excluded")
FEATURES = (
    "online_application",
    "online_attachments",
    "no_seal",
    "online_identity",
    "online_payment",
    "online_result",
)

PROCEDURE_COLUMNS = [
    "code",
    "name_ja",
    "name_en",
    "department_code",
    "department_name",
    "department_name_en",
    "priority",
    "procedure_type",
    "legal_basis",
    "form",
    "exclusion_reason",
    "features",
    "valid_from",
    "valid_until",
    *GUIDE_COLUMNS,  # the guide a resident reads (guide.py)
]
VOLUME_COLUMNS = ["code", "fiscal_year", "receipts", "online_receipts", "note"]
STATUS_COLUMNS = ["code", "status", "effective_date", "note"]

DEPARTMENTS = {
    "BOSAI": "防災対策部",
    "KENDO": "県土整備部",
    "KODOMO": "子ども・福祉部",
    "KANKYO": "環境生活部",
    "IRYO": "医療保健部",
    "CHIIKI": "地域連携部",
    "NORIN": "農林水産部",
    "KOYO": "雇用経済部",
    "KYOIKU": "教育委員会事務局",
    "KEISATSU": "警察本部",
    "KIGYO": "企業庁",
    "BYOIN": "病院事業庁",
    "SOMU": "総務部",
    "SENRYAKU": "戦略企画部",
    "DIGITAL": "デジタル社会推進局",
}

# Status notes (Japanese).
NOTE_PAPER = "紙・窓口による受付"
NOTE_PLANNED = "デジタル化推進計画に位置付け"
NOTE_PARTIAL = "申請書の電子受付を開始（添付書類は郵送・窓口）"
NOTE_ONLINE_DEFAULT_SYSTEM = "県の電子申請システム"
NOTE_LAUNCH_ONLINE = "制度開始（当初から電子申請で受付）"
NOTE_E2E_FEE = "手数料の電子納付と結果の電子通知に対応"
NOTE_E2E_NOFEE = "審査結果・通知の電子交付に対応"
FORM_SYSTEM = "県の電子申請フォーム"

# Initial row date for procedures that were on paper when tracking began.
BASELINE = dt.date(2020, 4, 1)
# Earliest date used for an automatically derived "planned" row.
EARLIEST_PLANNED = dt.date(2020, 10, 1)


def P(dept, name_ja, name_en, ptype, legal_basis, receipts, **kw):
    """One procedure.  ``receipts`` is the FY2021 (base year) receipt count.

    Keyword options:
      online    "YYYY-MM[-DD]": date online applications started
                (before 2020-04 means already online when tracking began)
      e2e       date the procedure became end-to-end digital
      planned   explicit date of the "planned" row (otherwise derived)
      partial   date of a "partial" row (only when given)
      excluded  date of the "excluded" row; requires ``reason``
      reason    exclusion reason (Japanese)
      since     date the procedure started (later than the baseline)
      system    name of the system used, for the status note
      fee       a fee is payable (drives online_payment)
      ident     identity verification required (drives online_identity)
      attach    attachments are usually required (default True)
      form      id of the online form in the app
      trend     yearly volume trend, e.g. 0.05 for +5% a year
      volumes   False: no volume rows at all (data-quality example)
    """
    d = dict(
        dept=dept,
        name_ja=name_ja,
        name_en=name_en,
        ptype=ptype,
        legal_basis=legal_basis,
        base=receipts,
        online=None,
        e2e=None,
        planned=None,
        partial=None,
        excluded=None,
        reason="",
        since=None,
        system=None,
        fee=False,
        ident=False,
        attach=True,
        form="",
        trend=0.0,
        volumes=True,
    )
    unknown = set(kw) - set(d)
    if unknown:
        raise TypeError("unknown option(s): %s" % ", ".join(sorted(unknown)))
    d.update(kw)
    return d


TORYO = "鳥獣の保護及び管理並びに狩猟の適正化に関する法律"
HAISO = "廃棄物の処理及び清掃に関する法律"
PMDA = "医薬品、医療機器等の品質、有効性及び安全性の確保等に関する法律"

# ---------------------------------------------------------------------------
# Priority procedures (P-0001 .. P-0075), in code order.
# ---------------------------------------------------------------------------
PRIORITY = [
    # 防災対策部
    P("BOSAI", "火薬類の譲受許可申請", "Application for permission to acquire explosives",
      "申請", "火薬類取締法 第17条", 260, online="2023-10", fee=True),
    P("BOSAI", "火薬類の消費許可申請", "Application for permission to use explosives",
      "申請", "火薬類取締法 第25条", 380, online="2023-10", fee=True),
    P("BOSAI", "高圧ガス製造許可申請", "Application for a high-pressure gas production permit",
      "申請", "高圧ガス保安法 第5条", 104, partial="2023-10", online="2024-07", fee=True),
    P("BOSAI", "高圧ガス製造施設の保安検査申請",
      "Application for a safety inspection of high-pressure gas production facilities",
      "申請", "高圧ガス保安法 第35条", 160, online="2024-07", fee=True),
    P("BOSAI", "危険物取扱者試験の受験申請",
      "Application to sit the hazardous materials handler examination",
      "申請", "消防法 第13条の3", 3521, online="2019-04", e2e="2022-04", fee=True,
      ident=True, attach=False, trend=-0.02),
    # 県土整備部
    P("KENDO", "県営住宅の入居申込", "Application for tenancy in prefectural housing",
      "申請", "三重県営住宅条例 第6条", 1130, online="2024-10", ident=True,
      form="prefectural-housing", system=FORM_SYSTEM),
    P("KENDO", "建設業許可申請", "Application for a construction business licence",
      "申請", "建設業法 第3条", 1390, online="2023-01", e2e="2024-10", fee=True,
      system="建設業許可・経営事項審査電子申請システム（JCIP）"),
    P("KENDO", "建築確認申請", "Application for building confirmation",
      "申請", "建築基準法 第6条", 540, online="2023-07", fee=True),
    P("KENDO", "道路占用許可申請", "Application for a road occupancy permit",
      "申請", "道路法 第32条", 1720, partial="2023-04", online="2024-04", fee=True),
    P("KENDO", "河川の占用許可申請", "Application for a river area occupancy permit",
      "申請", "河川法 第24条", 410, online="2024-10", fee=True),
    P("KENDO", "宅地建物取引業の免許申請", "Application for a real estate brokerage licence",
      "申請", "宅地建物取引業法 第3条", 412, online="2022-10", fee=True),
    P("KENDO", "屋外広告物の表示許可申請", "Application for an outdoor advertisement permit",
      "申請", "三重県屋外広告物条例 第4条", 1540, planned="2023-04", partial="2025-01",
      fee=True),
    # 子ども・福祉部
    P("KODOMO", "児童扶養手当の認定請求", "Claim for certification of child-rearing allowance",
      "請求", "児童扶養手当法 第6条", 260, online="2024-10", ident=True),
    P("KODOMO", "特別児童扶養手当の認定請求",
      "Claim for certification of special child-rearing allowance",
      "請求", "特別児童扶養手当等の支給に関する法律 第5条", 380, online="2024-10", ident=True),
    P("KODOMO", "身体障害者手帳の交付申請", "Application for a physical disability certificate",
      "申請", "身体障害者福祉法 第15条", 1730, partial="2022-10", online="2023-11", ident=True),
    P("KODOMO", "保育士登録申請", "Application for registration as a childcare worker",
      "登録", "児童福祉法 第18条の18", 862, online="2022-06", fee=True, trend=0.02),
    P("KODOMO", "指定障害福祉サービス事業者の指定申請",
      "Application for designation as a disability welfare service provider",
      "申請", "障害者の日常生活及び社会生活を総合的に支援するための法律 第36条", 180,
      online="2024-04", system="障害福祉サービス等事業者の電子申請・届出システム"),
    # 環境生活部
    P("KANKYO", "産業廃棄物管理票交付等状況報告",
      "Report on the issuance of industrial waste manifests",
      "報告", HAISO + " 第12条の3", 2240, online="2022-04", attach=False),
    P("KANKYO", "産業廃棄物処理実績報告", "Annual report on industrial waste treatment",
      "報告", "三重県産業廃棄物の適正な処理の推進に関する条例 第16条", 760, online="2023-04",
      e2e="2025-04", form="industrial-waste-report", system=FORM_SYSTEM),
    P("KANKYO", "産業廃棄物収集運搬業の許可申請",
      "Application for an industrial waste collection and transport licence",
      "申請", HAISO + " 第14条", 370, online="2023-07", fee=True),
    P("KANKYO", "浄化槽設置届", "Notification of septic tank installation",
      "届出", "浄化槽法 第5条", 720, online="2023-04", trend=-0.03),
    P("KANKYO", "特定非営利活動法人の事業報告書等の提出",
      "Submission of an NPO corporation's annual business report",
      "報告", "特定非営利活動促進法 第29条", 638, online="2022-04"),
    P("KANKYO", "三重県総合文化センターの施設利用申込",
      "Booking of Mie Prefectural Cultural Center facilities",
      "申請", "三重県総合文化センター条例 第5条", 980, online="2022-10", e2e="2024-04",
      fee=True, attach=False, trend=0.04),
    # 医療保健部
    P("IRYO", "飲食店営業許可申請", "Application for a restaurant business licence",
      "申請", "食品衛生法 第55条", 3089, online="2021-06", e2e="2024-04", fee=True,
      system="食品衛生申請等システム"),
    P("IRYO", "薬局開設許可申請", "Application for a pharmacy opening licence",
      "申請", PMDA + " 第4条", 140, online="2024-04", fee=True),
    P("IRYO", "医師・看護師等の免許申請（経由事務）",
      "Forwarding of licence applications for doctors, nurses and other professionals",
      "申請", "保健師助産師看護師法 第7条", 740, online="2024-10", ident=True,
      system="国家資格等情報連携・活用システム"),
    P("IRYO", "難病医療費助成の支給認定申請",
      "Application for medical expense subsidy for designated intractable diseases",
      "申請", "難病の患者に対する医療等に関する法律 第6条", 4960, partial="2022-10",
      online="2023-07", ident=True, trend=0.02),
    P("IRYO", "小児慢性特定疾病医療費の支給認定申請",
      "Application for medical expense subsidy for chronic paediatric diseases",
      "申請", "児童福祉法 第19条の3", 640, online="2023-07", ident=True),
    P("IRYO", "美容所の開設届", "Notification of opening a beauty salon",
      "届出", "美容師法 第11条", 173, online="2022-07", fee=True),
    # 地域連携部
    P("CHIIKI", "旅券（パスポート）の発給申請", "Passport application",
      "申請", "旅券法 第3条", 4400, online="2023-03-27", e2e="2025-03-24", fee=True,
      ident=True, attach=False, trend=0.12, system="マイナポータル"),
    P("CHIIKI", "旅券の紛失届出", "Report of a lost passport",
      "届出", "旅券法 第17条", 241, online="2023-03-27", ident=True, attach=False,
      system="マイナポータル"),
    P("CHIIKI", "県営スポーツ施設の利用予約", "Booking of prefectural sports facilities",
      "申請", "三重県営スポーツ施設条例 第6条", 2764, online="2021-04", e2e="2022-10",
      fee=True, attach=False, trend=0.03, system="県の施設予約システム"),
    P("CHIIKI", "国土利用計画法に基づく土地売買等届出",
      "Notification of land transactions under the National Land Use Planning Act",
      "届出", "国土利用計画法 第23条", 430, online="2023-04"),
    # 農林水産部
    P("NORIN", "狩猟免許の更新申請", "Renewal of a hunting licence",
      "申請", TORYO + " 第51条", 620, online="2024-07", fee=True, ident=True,
      form="hunting-licence-renewal", system=FORM_SYSTEM),
    P("NORIN", "狩猟者登録申請", "Hunter registration",
      "登録", TORYO + " 第55条", 1260, online="2024-10", fee=True, trend=-0.02),
    P("NORIN", "農地転用許可申請", "Application for permission to convert farmland",
      "申請", "農地法 第4条", 1080, online="2023-04", system="農林水産省共通申請サービス（eMAFF）"),
    P("NORIN", "林地開発許可申請", "Application for a forest land development permit",
      "申請", "森林法 第10条の2", 108, planned="2024-04"),
    P("NORIN", "知事許可漁業の許可申請", "Application for a governor-licensed fishery permit",
      "申請", "漁業法 第57条", 230, online="2024-04", system="農林水産省共通申請サービス（eMAFF）"),
    P("NORIN", "鳥獣の捕獲等許可申請", "Application for a permit to capture wild birds and mammals",
      "申請", TORYO + " 第9条", 1100, online="2025-07", trend=0.04),
    # 雇用経済部
    P("KOYO", "職業訓練の入校申込", "Application for admission to public vocational training",
      "申請", "職業能力開発促進法 第16条", 520, online="2024-10",
      form="vocational-training", system=FORM_SYSTEM),
    P("KOYO", "中小企業・小規模企業向け補助金の交付申請",
      "Application for a grant for small and medium-sized enterprises",
      "申請", "三重県補助金等交付規則 第3条", 1240, online="2023-06", e2e="2025-04",
      form="small-business-subsidy", system=FORM_SYSTEM),
    P("KOYO", "技能検定の受検申請", "Application for a national trade skills test",
      "申請", "職業能力開発促進法 第44条", 1960, online="2023-10", fee=True),
    P("KOYO", "県中小企業融資制度の利用申込", "Application for the prefectural SME loan scheme",
      "申請", "三重県中小企業融資制度要綱 第5条", 1960, planned="2024-04", partial="2025-04",
      trend=-0.04),
    P("KOYO", "電気工事士免状の交付申請", "Application for an electrician's licence certificate",
      "申請", "電気工事士法 第4条", 460, online="2023-10", fee=True),
    P("KOYO", "特定計量器の定期検査申請",
      "Application for periodic inspection of specified measuring instruments",
      "申請", "計量法 第19条", 480, online="2025-04", fee=True),
    # 教育委員会事務局
    P("KYOIKU", "県立高等学校入学者選抜の出願",
      "Application for admission to prefectural senior high schools",
      "申請", "学校教育法施行規則 第90条", 6120, partial="2024-01", online="2025-01",
      fee=True, trend=-0.015, system="県立高等学校インターネット出願システム"),
    P("KYOIKU", "教員採用選考試験の申込",
      "Application for the public school teacher recruitment examination",
      "申請", "教育公務員特例法 第11条", 2467, online="2021-04", trend=-0.03),
    P("KYOIKU", "県立高等学校の卒業証明書等の交付請求",
      "Request for graduation and other certificates from prefectural senior high schools",
      "請求", "三重県手数料条例 第2条", 2400, planned="2023-04", partial="2024-10",
      online="2025-10", fee=True, ident=True, attach=False),
    P("KYOIKU", "高等学校等就学支援金の受給資格認定申請",
      "Application for eligibility for high school tuition support",
      "申請", "高等学校等就学支援金の支給に関する法律 第4条", 9317, online="2020-07",
      e2e="2023-04", system="高等学校等就学支援金オンライン申請システム（e-Shien）"),
    P("KYOIKU", "修学奨学金の貸与申請", "Application for a prefectural scholarship loan",
      "申請", "三重県高等学校等修学奨学金貸与条例 第4条", 760, online="2025-04", ident=True),
    P("KYOIKU", "高校生等奨学給付金の申請",
      "Application for the scholarship benefit for high school students",
      "申請", "三重県高校生等奨学給付金支給要綱 第5条", 1580, online="2022-07", ident=True),
    P("KYOIKU", "教育職員免許状の授与申請", "Application for the award of a teacher's licence",
      "申請", "教育職員免許法 第5条", 690, online="2024-10", fee=True),
    # 警察本部
    P("KEISATSU", "自動車保管場所証明申請",
      "Application for a parking space certificate (shako shōmei)",
      "申請", "自動車の保管場所の確保等に関する法律 第4条", 14862, online="2019-04",
      e2e="2023-01", fee=True, system="自動車保有関係手続のワンストップサービス（OSS）"),
    P("KEISATSU", "道路使用許可申請", "Application for a road use permit",
      "申請", "道路交通法 第77条", 2380, online="2024-04", fee=True,
      system="警察行政手続サイト"),
    P("KEISATSU", "古物商許可申請", "Application for a second-hand dealer licence",
      "申請", "古物営業法 第3条", 250, online="2024-04", fee=True, system="警察行政手続サイト"),
    P("KEISATSU", "銃砲刀剣類所持許可申請",
      "Application for a permit to possess firearms or swords",
      "申請", "銃砲刀剣類所持等取締法 第4条", 760, planned="2024-04", fee=True),
    P("KEISATSU", "駐車許可申請", "Application for a parking permit",
      "申請", "道路交通法 第45条", 820, online="2024-04", system="警察行政手続サイト"),
    # 企業庁
    P("KIGYO", "工業用水の使用申込", "Application to use industrial water",
      "申請", "三重県工業用水道条例 第4条", 112, online="2023-10"),
    P("KIGYO", "工業用水使用水量の報告", "Report of industrial water consumption",
      "報告", "三重県工業用水道条例 第12条", 1386, online="2021-10", attach=False),
    P("KIGYO", "水道用水の受水量報告", "Report of bulk drinking water received",
      "報告", "三重県水道用水供給条例 第8条", 348, online="2022-04", attach=False),
    # 病院事業庁
    P("BYOIN", "県立病院の診断書交付申請",
      "Request for a medical certificate from a prefectural hospital",
      "申請", "三重県病院事業条例 第6条", 2140, online="2023-10", fee=True, ident=True),
    P("BYOIN", "診療録等の開示請求", "Request for disclosure of medical records",
      "請求", "個人情報の保護に関する法律 第76条", 280, online="2025-07", fee=True, ident=True),
    P("BYOIN", "県立病院の外来診療予約",
      "Outpatient appointment booking at prefectural hospitals",
      "申請", "三重県病院事業条例 第3条", 2300, online="2022-04", attach=False, trend=0.03,
      system="県立病院のWeb予約システム"),
    P("BYOIN", "セカンドオピニオン外来の申込", "Application for a second-opinion consultation",
      "申請", "三重県病院事業条例 第6条", 120, online="2024-07", fee=True),
    # 総務部
    P("SOMU", "県税の納税証明書の交付申請",
      "Application for a prefectural tax payment certificate",
      "申請", "地方税法 第20条の10", 2610, online="2023-04", e2e="2024-10", fee=True,
      ident=True, attach=False, system="地方税ポータルシステム（eLTAX）"),
    P("SOMU", "自動車税種別割の減免申請",
      "Application for reduction of or exemption from automobile tax",
      "申請", "地方税法 第162条", 940, online="2023-07", ident=True),
    P("SOMU", "公文書の開示請求", "Request for disclosure of public documents",
      "請求", "三重県情報公開条例 第6条", 1420, online="2022-10", e2e="2024-04",
      attach=False, form="information-disclosure", system=FORM_SYSTEM, trend=0.03),
    P("SOMU", "保有個人情報の開示請求",
      "Request for disclosure of retained personal information",
      "請求", "個人情報の保護に関する法律 第76条", 190, online="2023-04", ident=True),
    P("SOMU", "不動産取得税の減免申請",
      "Application for reduction of or exemption from real estate acquisition tax",
      "申請", "地方税法 第73条の31", 290, online="2024-07"),
    # 戦略企画部
    P("SENRYAKU", "県政モニターへの登録申込", "Registration as a prefectural policy monitor",
      "登録", "三重県県政モニター設置要綱 第4条", 412, online="2021-04", e2e="2022-04",
      attach=False),
    P("SENRYAKU", "統計調査員の登録申込", "Registration as a statistical survey enumerator",
      "登録", "三重県統計調査員確保対策事業実施要領 第3条", 137, online="2022-10",
      attach=False),
    P("SENRYAKU", "後援名義の使用承認申請",
      "Application for approval to use the prefecture's name as an event sponsor",
      "申請", "三重県後援名義等の使用承認に関する要綱 第3条", 860, online="2022-07",
      e2e="2023-10"),
    P("SENRYAKU", "基幹統計調査の調査票の提出",
      "Submission of questionnaires for fundamental statistical surveys",
      "報告", "統計法 第13条", 2846, online="2019-04", attach=False, trend=-0.01,
      system="政府統計オンライン調査総合窓口（e-Survey）"),
    # デジタル社会推進局
    P("DIGITAL", "電子申請サービスの利用者登録",
      "User registration for the electronic application service",
      "登録", "三重県行政手続等における情報通信の技術の利用に関する条例 第3条", 1934,
      online="2019-04", e2e="2022-04", attach=False, trend=0.08),
    P("DIGITAL", "デジタル人材育成研修の受講申込", "Application for digital skills training",
      "申請", "三重県デジタル人材育成研修実施要領 第4条", 538, online="2021-07",
      e2e="2023-04", attach=False),
]

# ---------------------------------------------------------------------------
# Non-priority procedures (P-0101 ..), in code order.
# ---------------------------------------------------------------------------
NON_PRIORITY = [
    # 防災対策部
    P("BOSAI", "防災士資格取得費用の助成申請",
      "Application for a subsidy towards disaster prevention officer (bōsaishi) certification",
      "申請", "三重県防災士養成事業補助金交付要綱 第4条", 62, online="2023-04"),
    P("BOSAI", "災害見舞金の支給申請", "Application for disaster condolence money",
      "申請", "三重県災害見舞金支給要綱 第5条", 24, excluded="2021-10-01",
      reason="被災現地で職員が聞き取りの上で受け付ける手続であり、電子化の効果が見込めないため"),
    P("BOSAI", "火薬庫の設置許可申請", "Application for a permit to install an explosives magazine",
      "申請", "火薬類取締法 第12条", 9, fee=True),
    P("BOSAI", "高圧ガス販売事業の届出", "Notification of a high-pressure gas sales business",
      "届出", "高圧ガス保安法 第20条の4", 57, online="2024-10"),
    # 県土整備部
    P("KENDO", "建築士事務所の登録申請", "Registration of an architect's office",
      "登録", "建築士法 第23条", 78, online="2022-10", fee=True),
    P("KENDO", "砂利採取計画の認可申請", "Application for approval of a gravel extraction plan",
      "申請", "砂利採取法 第16条", 21, fee=True),
    P("KENDO", "開発行為の許可申請", "Application for a development permit",
      "申請", "都市計画法 第29条", 66, planned="2023-04", partial="2024-10", fee=True),
    P("KENDO", "公共用地の境界確定申請", "Application for boundary determination of public land",
      "申請", "三重県公共用地境界確定事務取扱要領 第3条", 85, planned="2024-04"),
    # 子ども・福祉部
    P("KODOMO", "児童福祉施設の設置認可申請",
      "Application for approval to establish a child welfare facility",
      "申請", "児童福祉法 第35条", 14),
    P("KODOMO", "社会福祉法人の定款変更認可申請",
      "Application for approval to amend the articles of a social welfare corporation",
      "申請", "社会福祉法 第45条の36", 43, online="2023-10"),
    P("KODOMO", "母子父子寡婦福祉資金の貸付申請",
      "Application for a welfare loan for single-parent families and widows",
      "申請", "母子及び父子並びに寡婦福祉法 第13条", 81, planned="2024-04", ident=True),
    P("KODOMO", "里親の認定申請", "Application for certification as a foster parent",
      "申請", "児童福祉法 第6条の4", 33, planned="2025-04"),
    # 環境生活部
    P("KANKYO", "特定施設の設置届出（水質汚濁防止法）",
      "Notification of installation of specified facilities (Water Pollution Prevention Act)",
      "届出", "水質汚濁防止法 第5条", 72, online="2021-04"),
    P("KANKYO", "ばい煙発生施設の設置届出",
      "Notification of installation of a soot-and-smoke emitting facility",
      "届出", "大気汚染防止法 第6条", 64, online="2021-10"),
    P("KANKYO", "温泉掘削許可申請", "Application for a hot spring drilling permit",
      "申請", "温泉法 第3条", 7, fee=True, excluded="2021-10-01",
      reason="掘削予定地の現地確認と図面原本の審査を要し、申請件数も僅少であるため"),
    P("KANKYO", "県立自然公園内の行為許可申請",
      "Application for a permit for activities within a prefectural natural park",
      "申請", "三重県立自然公園条例 第14条", 46, online="2023-04"),
    P("KANKYO", "特定非営利活動法人の設立認証申請",
      "Application for certification of the establishment of an NPO corporation",
      "申請", "特定非営利活動促進法 第10条", 38, online="2022-10"),
    P("KANKYO", "私立学校の学則変更届", "Notification of changes to a private school's rules",
      "届出", "学校教育法施行令 第27条の2", 29, online="2025-04"),
    # 医療保健部
    P("IRYO", "病院の開設許可申請", "Application for a permit to open a hospital",
      "申請", "医療法 第7条", 6, fee=True),
    P("IRYO", "毒物劇物販売業の登録申請",
      "Registration as a dealer in poisonous and deleterious substances",
      "登録", "毒物及び劇物取締法 第4条", 68, partial="2024-04", fee=True),
    P("IRYO", "麻薬小売業者の免許申請", "Application for a narcotics retailer licence",
      "申請", "麻薬及び向精神薬取締法 第3条", 84, planned="2024-04", fee=True),
    # 地域連携部
    P("CHIIKI", "移住支援金の交付申請", "Application for a relocation support grant",
      "申請", "三重県移住支援事業実施要綱 第6条", 52, since="2022-04", online="2022-04",
      ident=True),
    P("CHIIKI", "南部地域活性化事業費補助金の交付申請",
      "Application for a grant for revitalisation of the southern region",
      "申請", "三重県補助金等交付規則 第3条", 17, online="2024-04"),
    P("CHIIKI", "市町振興事業補助金の交付申請",
      "Application by a municipality for a local promotion grant",
      "申請", "三重県補助金等交付規則 第3条", 28, online="2023-04", attach=True),
    # 農林水産部
    P("NORIN", "家畜商免許申請", "Application for a livestock dealer licence",
      "申請", "家畜商法 第3条", 36, fee=True),
    P("NORIN", "遊漁船業者の登録申請", "Registration of a recreational fishing boat operator",
      "登録", "遊漁船業の適正化に関する法律 第3条", 42, online="2023-10", fee=True),
    P("NORIN", "農薬販売の届出", "Notification of pesticide sales",
      "届出", "農薬取締法 第17条", 88, online="2021-07", attach=False),
    P("NORIN", "漁港施設の占用許可申請", "Application for a fishing port occupancy permit",
      "申請", "漁港及び漁場の整備等に関する法律 第39条", 53, fee=True),
    P("NORIN", "保安林内作業許可申請", "Application for a permit for work in a protection forest",
      "申請", "森林法 第34条", 74, planned="2025-04"),
    # 雇用経済部
    P("KOYO", "旅行業の登録申請", "Registration of a travel agency",
      "登録", "旅行業法 第3条", 13, online="2023-04", fee=True),
    P("KOYO", "岩石採取計画の認可申請", "Application for approval of a rock quarrying plan",
      "申請", "採石法 第33条", 11, fee=True),
    P("KOYO", "大規模小売店舗の新設届出", "Notification of a new large-scale retail store",
      "届出", "大規模小売店舗立地法 第5条", 16, online="2024-04"),
    P("KOYO", "貸金業の登録申請", "Registration of a money lending business",
      "登録", "貸金業法 第3条", 5, fee=True),
    # 教育委員会事務局
    P("KYOIKU", "県指定文化財の現状変更許可申請",
      "Application for permission to alter a prefecture-designated cultural property",
      "申請", "三重県文化財保護条例 第15条", 27, excluded="2021-10-01",
      reason="文化財の現状を確認するため、現物資料及び原寸図面の提出と現地立会いが必要なため"),
    P("KYOIKU", "県立学校施設の目的外使用許可申請",
      "Application to use prefectural school facilities",
      "申請", "地方自治法 第238条の4", 86, online="2021-04", e2e="2023-04", fee=True,
      attach=False),
    P("KYOIKU", "社会教育関係団体の登録", "Registration of a social education organisation",
      "登録", "社会教育法 第10条", 22, volumes=False),
    P("KYOIKU", "県立図書館の団体貸出申込",
      "Application for group lending from the prefectural library",
      "申請", "三重県立図書館条例 第5条", 58, online="2021-07", attach=False),
    # 警察本部
    P("KEISATSU", "探偵業の届出", "Notification of a private investigation business",
      "届出", "探偵業の業務の適正化に関する法律 第4条", 19, online="2024-04", fee=True,
      system="警察行政手続サイト"),
    P("KEISATSU", "質屋営業の許可申請", "Application for a pawnbroker licence",
      "申請", "質屋営業法 第2条", 5, fee=True, excluded="2021-10-01",
      reason="法令により対面での本人確認が義務付けられているため"),
    P("KEISATSU", "警備員指導教育責任者資格者証の交付申請",
      "Application for a security guard instruction supervisor certificate",
      "申請", "警備業法 第22条", 44, online="2024-04", fee=True, system="警察行政手続サイト"),
    P("KEISATSU", "自動車運転代行業の認定申請",
      "Application for certification of a designated-driver service",
      "申請", "自動車運転代行業の業務の適正化に関する法律 第4条", 12, online="2024-04",
      fee=True, system="警察行政手続サイト"),
    # 企業庁
    P("KIGYO", "工業用水の契約水量変更申込",
      "Application to change a contracted industrial water volume",
      "申請", "三重県工業用水道条例 第7条", 31, online="2023-10"),
    P("KIGYO", "水道用水の給水量変更申込",
      "Application to change a bulk drinking water supply volume",
      "申請", "三重県水道用水供給条例 第5条", 9, online="2022-04", attach=False),
    # 病院事業庁
    P("BYOIN", "看護学生の臨地実習受入申込",
      "Application to place nursing students for clinical training",
      "申請", "三重県立病院臨地実習受入要領 第3条", 24, online="2025-04"),
    P("BYOIN", "治験の依頼申込", "Application to commission a clinical trial",
      "申請", "医薬品の臨床試験の実施の基準に関する省令 第10条", 18, fee=True),
    # 総務部
    P("SOMU", "宗教法人の規則認証申請",
      "Application for certification of a religious corporation's rules",
      "申請", "宗教法人法 第12条", 23),
    P("SOMU", "公益法人の変更認定申請",
      "Application for approval of changes by a public interest corporation",
      "申請", "公益社団法人及び公益財団法人の認定等に関する法律 第11条", 12,
      online="2021-04", system="公益法人インフォメーション"),
    P("SOMU", "県有財産の使用許可申請", "Application to use prefectural property",
      "申請", "地方自治法 第238条の4", 79, planned="2023-10", partial="2025-01", fee=True),
    # 戦略企画部
    P("SENRYAKU", "統計データの二次利用申出", "Request for secondary use of statistical data",
      "申請", "統計法 第33条", 14, online="2022-10", attach=False),
    P("SENRYAKU", "三重県章の使用承認申請",
      "Application for approval to use the prefectural emblem",
      "申請", "三重県章の使用に関する規程 第3条", 30, online="2023-04", volumes=False),
    # デジタル社会推進局
    P("DIGITAL", "県保有データの提供申出", "Request for provision of prefectural data",
      "申請", "官民データ活用推進基本法 第11条", 18, since="2022-07", online="2022-07",
      attach=False),
    P("DIGITAL", "電子申請システム共同利用への参加申込",
      "Application by a municipality to join the shared electronic application system",
      "申請", "三重県電子申請システム共同利用運営要領 第4条", 6, online="2021-04",
      attach=False),
]


# ---------------------------------------------------------------------------
# Deterministic helpers
# ---------------------------------------------------------------------------
def unit(*parts):
    """A deterministic number in [0, 1) derived from ``parts``."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return int(digest[:13], 16) / float(16 ** 13)


def parse_date(value):
    """'YYYY-MM' (first of the month) or 'YYYY-MM-DD' -> date."""
    if value is None:
        return None
    parts = [int(x) for x in value.split("-")]
    if len(parts) == 2:
        parts.append(1)
    return dt.date(*parts)


def add_months(d, months):
    index = d.year * 12 + (d.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def fiscal_year(d):
    return d.year if d.month >= 4 else d.year - 1


def fy_start(fy):
    return dt.date(fy, 4, 1)


def fy_end(fy):
    return dt.date(fy + 1, 3, 31)


# ---------------------------------------------------------------------------
# Building the rows
# ---------------------------------------------------------------------------
def assign_codes():
    procs = []
    for i, p in enumerate(PRIORITY, start=1):
        procs.append(dict(p, code="P-%04d" % i, priority=1))
    for i, p in enumerate(NON_PRIORITY, start=101):
        procs.append(dict(p, code="P-%04d" % i, priority=0))
    return procs


def status_rows(p):
    """Dated status rows for one procedure, in chronological order."""
    rows = []
    online = parse_date(p["online"])
    start = parse_date(p["since"]) or BASELINE
    system = p["system"] or NOTE_ONLINE_DEFAULT_SYSTEM
    online_note = "%sによるオンライン受付を開始" % system

    if online is not None and online <= start:
        # Already online when tracking began (or launched online).
        note = NOTE_LAUNCH_ONLINE if p["since"] else "%sによるオンライン受付（把握開始時点で実施済み）" % system
        rows.append(("online", online if not p["since"] else start, note))
    else:
        rows.append(("paper", start, NOTE_PAPER))
        planned = parse_date(p["planned"])
        if planned is None and online is not None:
            planned = max(EARLIEST_PLANNED, add_months(online, -12))
        partial = parse_date(p["partial"])
        if planned is not None and (online is None or planned < online):
            if partial is None or planned < partial:
                rows.append(("planned", planned, NOTE_PLANNED))
        if partial is not None:
            rows.append(("partial", partial, NOTE_PARTIAL))
        if online is not None:
            rows.append(("online", online, online_note))
    if p["e2e"]:
        rows.append(("end_to_end", parse_date(p["e2e"]), NOTE_E2E_FEE if p["fee"] else NOTE_E2E_NOFEE))
    if p["excluded"]:
        rows.append(("excluded", parse_date(p["excluded"]), p["reason"]))

    dates = [r[1] for r in rows]
    assert dates == sorted(dates) and len(set(dates)) == len(dates), (p["code"], rows)
    return rows


def status_on(rows, when):
    current = "paper"
    for status, date, _note in rows:
        if date <= when:
            current = status
    return current


def features_for(p, status):
    if status in ("paper", "planned", "excluded"):
        # Most paper procedures no longer require a seal (押印の見直し, 2021).
        return ["no_seal"] if unit(p["code"], "seal") < 0.7 else []
    if status == "partial":
        return ["online_application", "no_seal"]
    feats = ["online_application"]
    if p["attach"]:
        feats.append("online_attachments")
    feats.append("no_seal")
    if p["ident"]:
        feats.append("online_identity")
    if status == "end_to_end":
        if p["fee"]:
            feats.append("online_payment")
        feats.append("online_result")
    return feats


def volume_rows(p, rows):
    if not p["volumes"]:
        return []
    out = []
    start_fy = fiscal_year(parse_date(p["since"])) if p["since"] else FIRST_FY
    online = parse_date(p["online"])
    e2e = parse_date(p["e2e"])
    uptake0 = 0.35 + 0.25 * unit(p["code"], "uptake")  # first full year take-up
    for fy in FISCAL_YEARS:
        if fy < start_fy:
            continue
        k = fy - FIRST_FY
        if k == 0:
            receipts = p["base"]
        else:
            noise = (unit(p["code"], "receipts", fy) - 0.5) * 0.18  # about +/-9%
            receipts = int(round(p["base"] * (1.0 + p["trend"]) ** k * (1.0 + noise)))
        if p["priority"]:
            receipts = max(receipts, 100)
        else:
            receipts = min(90, max(5, receipts))

        online_receipts = ""
        if status_on(rows, fy_end(fy)) in DIGITIZED and online is not None:
            if online >= fy_start(fy):
                # Launched during this fiscal year: lower take-up.
                months_live = (fy_end(fy).year - online.year) * 12 + 3 - online.month + 1
                share = max(0.30, uptake0 * (0.5 + 0.5 * months_live / 12.0))
            else:
                years_live = fy - max(fiscal_year(online), FIRST_FY - 2)
                share = uptake0 + 0.12 * years_live
                if e2e is not None and e2e <= fy_start(fy):
                    share += 0.08
                share = min(0.95, share)
            if unit(p["code"], "gap", fy) >= 0.07:  # occasionally not reported
                lo = -(-receipts * 30 // 100)  # ceil(30%)
                hi = receipts * 95 // 100  # floor(95%)
                online_receipts = min(hi, max(lo, int(round(receipts * share))))
        out.append((p["code"], fy, receipts, online_receipts))
    return out


def build():
    procs = assign_codes()
    proc_rows, vol_rows, hist_rows = [], [], []
    for p in procs:
        rows = status_rows(p)
        current = rows[-1][0]
        proc_rows.append([
            p["code"],
            p["name_ja"],
            p["name_en"],
            p["dept"],
            DEPARTMENTS[p["dept"]],
            DEPARTMENTS_EN[p["dept"]],
            p["priority"],
            p["ptype"],
            p["legal_basis"],
            p["form"],
            p["reason"],
            ";".join(features_for(p, current)),
            "",  # valid_from: every procedure here existed before the FY2021 survey
            "",  # valid_until: none abolished
            *guide_row(p, current, unit),
        ])
        for status, date, note in rows:
            hist_rows.append([p["code"], status, date.isoformat(), note])
        vol_rows.extend([*r, ""] for r in volume_rows(p, rows))  # no notes
    proc_rows.sort(key=lambda r: r[0])
    vol_rows.sort(key=lambda r: (r[0], r[1]))
    hist_rows.sort(key=lambda r: (r[0], r[2]))  # stable: keeps same-day order
    return proc_rows, vol_rows, hist_rows


def write_csv(name, header, rows):
    path = os.path.join(HERE, name)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# ---------------------------------------------------------------------------
# Verification (reads the written files back, applies the KPI definitions)
# ---------------------------------------------------------------------------
def read_csv(name):
    with open(os.path.join(HERE, name), encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def verify():
    procs = read_csv("procedures.csv")
    vols = read_csv("volumes.csv")
    hist = read_csv("status_history.csv")

    assert list(procs[0].keys()) == PROCEDURE_COLUMNS
    assert list(vols[0].keys()) == VOLUME_COLUMNS
    assert list(hist[0].keys()) == STATUS_COLUMNS

    codes = [p["code"] for p in procs]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    assert len({p["name_ja"] for p in procs}) == len(procs), "duplicate name_ja"
    assert len({p["name_en"] for p in procs}) == len(procs), "duplicate name_en"
    priority = [p["code"] for p in procs if p["priority"] == "1"]
    non_priority = [p["code"] for p in procs if p["priority"] == "0"]
    assert priority == ["P-%04d" % i for i in range(1, 76)], "expected P-0001..P-0075"
    assert len(non_priority) + len(priority) == len(procs)
    assert 45 <= len(non_priority) <= 55
    for p in procs:
        assert DEPARTMENTS[p["department_code"]] == p["department_name"], p["code"]
    assert {p["department_code"] for p in procs if p["priority"] == "1"} == set(DEPARTMENTS)

    forms = {p["form"]: p["code"] for p in procs if p["form"]}
    assert sorted(forms) == sorted([
        "hunting-licence-renewal", "prefectural-housing", "information-disclosure",
        "vocational-training", "industrial-waste-report", "small-business-subsidy",
    ])
    assert all(c in priority for c in forms.values())

    # History: parse, check ordering and allowed values.
    history = {}
    for h in hist:
        assert h["status"] in STATUSES, h
        history.setdefault(h["code"], []).append(
            (h["status"], dt.date.fromisoformat(h["effective_date"]), h["note"]))
    assert set(history) == set(codes), "every procedure needs an initial status row"
    hist_keys = [(h["code"], h["effective_date"]) for h in hist]
    assert hist_keys == sorted(hist_keys)

    def status(code, when):
        current = "paper"
        for st, date, _note in history[code]:  # file order: later row wins ties
            if date <= when:
                current = st
        return current

    excluded = [p for p in procs if p["exclusion_reason"]]
    assert 3 <= len(excluded) <= 4
    for p in excluded:
        assert p["priority"] == "0"
        rows = [r for r in history[p["code"]] if r[0] == "excluded"]
        assert len(rows) == 1 and rows[0][2] == p["exclusion_reason"], p["code"]
    for p in procs:
        if not p["exclusion_reason"]:
            assert all(r[0] != "excluded" for r in history[p["code"]]), p["code"]

    # Features consistent with the current status.
    for p in procs:
        feats = p["features"].split(";") if p["features"] else []
        assert all(f in FEATURES for f in feats), p["code"]
        assert feats == [f for f in FEATURES if f in feats], p["code"]
        current = history[p["code"]][-1][0]
        if current in ("paper", "planned", "excluded"):
            assert set(feats) <= {"no_seal"}, p["code"]
        else:
            assert "online_application" in feats, p["code"]
        if current == "end_to_end":
            assert "online_result" in feats, p["code"]
        else:
            assert "online_payment" not in feats and "online_result" not in feats, p["code"]

    # Volumes.
    receipts = {}
    for v in vols:
        fy, n = int(v["fiscal_year"]), int(v["receipts"])
        assert fy in FISCAL_YEARS
        receipts.setdefault(v["code"], {})[fy] = n
        if v["online_receipts"] != "":
            o = int(v["online_receipts"])
            assert 0.30 <= o / n <= 0.95, v
            assert status(v["code"], fy_end(fy)) in DIGITIZED, v
    vol_keys = [(v["code"], int(v["fiscal_year"])) for v in vols]
    assert vol_keys == sorted(vol_keys) and len(set(vol_keys)) == len(vol_keys)
    no_volumes = [c for c in codes if c not in receipts]
    late_start = [c for c in receipts if FIRST_FY not in receipts[c]]
    assert len(no_volumes) == 2 and all(c in non_priority for c in no_volumes)
    assert len(late_start) == 2 and all(c in non_priority for c in late_start)
    for c in priority:
        assert receipts[c][FIRST_FY] >= 100, c
    for c in non_priority:
        for n in receipts.get(c, {}).values():
            assert 5 <= n <= 90, (c, n)

    def weight(code, fy):
        by_year = receipts.get(code)
        if not by_year:
            return 0
        earlier = [y for y in by_year if y <= fy]
        return by_year[max(earlier)] if earlier else by_year[min(by_year)]

    def rate(scope, fy):
        when = fy_end(fy)
        num = den = 0
        for code in scope:
            st = status(code, when)
            if st == "excluded":
                continue
            w = weight(code, fy)
            den += w
            if st in DIGITIZED:
                num += w
        return num / den if den else 0.0

    fy1_sum = sum(receipts[c][FIRST_FY] for c in priority)
    results = []
    print("Verification (weighted by receipts, basis: latest fiscal year <= N)")
    print("  FY    as of        priority  all procs  non-prio  priority n  priority receipts")
    for fy in FISCAL_YEARS:
        r_pri = rate(priority, fy)
        r_all = rate(codes, fy)
        r_non = rate(non_priority, fy)
        pri_sum = sum(weight(c, fy) for c in priority)
        results.append((fy, r_pri, r_all, r_non))
        print("  %d  %s  %7.2f%%  %8.2f%%  %7.2f%%  %10d  %17d"
              % (fy, fy_end(fy).isoformat(), 100 * r_pri, 100 * r_all, 100 * r_non,
                 len(priority), pri_sum))
    print("  FY2021 priority receipts: %d (%d procedures)" % (fy1_sum, len(priority)))
    print("  procedures: %d (priority %d, non-priority %d, excluded %d)"
          % (len(procs), len(priority), len(non_priority), len(excluded)))
    print("  rows: procedures.csv %d, volumes.csv %d, status_history.csv %d"
          % (len(procs), len(vols), len(hist)))

    # Calibration targets.
    assert len(priority) == 75
    assert 108000 <= fy1_sum <= 112000, fy1_sum
    assert 0.385 <= results[0][1] <= 0.395, results[0][1]
    pri_rates = [r[1] for r in results]
    assert all(a < b for a, b in zip(pri_rates, pri_rates[1:])), pri_rates
    assert 0.90 <= pri_rates[-1] < 1.0, pri_rates[-1]
    non_rates = [r[3] for r in results]
    assert 0.15 <= non_rates[0] <= 0.25 and 0.55 <= non_rates[-1] <= 0.65, non_rates
    assert all(a <= b for a, b in zip(non_rates, non_rates[1:])), non_rates
    print("All checks passed.")


def main():
    proc_rows, vol_rows, hist_rows = build()
    write_csv("procedures.csv", PROCEDURE_COLUMNS, proc_rows)
    write_csv("volumes.csv", VOLUME_COLUMNS, vol_rows)
    write_csv("status_history.csv", STATUS_COLUMNS, hist_rows)
    verify()
    return 0


if __name__ == "__main__":
    sys.exit(main())
