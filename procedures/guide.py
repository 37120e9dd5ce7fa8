"""The guide columns of the illustrative catalogue: what a resident reads about a procedure.

Called by generate.py for each procedure; standard library only and deterministic (every
choice comes from the procedure's own words or from `unit`, a hash). Like the figures,
these texts are illustrative: the sections, telephone numbers, fees and addresses are made
up to look like the prefecture's, and are not its real ones.
"""

from readings import READINGS

GUIDE_COLUMNS = [
    "name_kana",
    "summary",
    "fee_payment",
    "documents",
    "section",
    "audience",
    "fee",
    "standard_processing_days",
    "section_phone",
    "section_email",
    "online_url",
    "paper_form_url",
    "egov_url",
]

DEPARTMENTS_EN = {  # as the catalogue names them in English (department_name_en)
    "BOSAI": "Disaster Prevention Department",
    "BYOIN": "Prefectural Hospitals Agency",
    "CHIIKI": "Regional Cooperation Department",
    "DIGITAL": "Digital Society Promotion Bureau",
    "IRYO": "Medical Care and Public Health Department",
    "KANKYO": "Environment and Life Department",
    "KEISATSU": "Prefectural Police Headquarters",
    "KENDO": "Land Development Department",
    "KIGYO": "Public Enterprise Agency",
    "KODOMO": "Children and Welfare Department",
    "KOYO": "Employment and Economy Department",
    "KYOIKU": "Board of Education Secretariat",
    "NORIN": "Agriculture, Forestry and Fisheries Department",
    "SENRYAKU": "Strategic Planning Department",
    "SOMU": "General Affairs Department",
}

# (a word of the procedure's name, the section in charge, its mail name); first match wins
SECTIONS = [
    ("火薬", "消防・保安課", "shobo"),
    ("高圧ガス", "消防・保安課", "shobo"),
    ("危険物", "消防・保安課", "shobo"),
    ("防災", "防災企画・地域支援課", "bosai"),
    ("災害", "防災企画・地域支援課", "bosai"),
    ("県営住宅", "住宅政策課", "jutaku"),
    ("建設業", "建設業課", "kensetsu"),
    ("建築", "建築開発課", "kenchiku"),
    ("開発行為", "建築開発課", "kenchiku"),
    ("宅地建物", "建築開発課", "kenchiku"),
    ("道路", "道路管理課", "doro"),
    ("河川", "河川課", "kasen"),
    ("屋外広告物", "景観まちづくり課", "keikan"),
    ("砂利", "河川課", "kasen"),
    ("境界", "用地課", "yochi"),
    ("児童", "子育て支援課", "kosodate"),
    ("保育", "子育て支援課", "kosodate"),
    ("里親", "子育て支援課", "kosodate"),
    ("母子", "子育て支援課", "kosodate"),
    ("障害", "障がい福祉課", "shogai"),
    ("社会福祉法人", "地域福祉課", "chiikifukushi"),
    ("産業廃棄物", "廃棄物指導課", "haiki"),
    ("浄化槽", "下水道事業課", "gesuido"),
    ("水質", "大気・水環境課", "taikisui"),
    ("ばい煙", "大気・水環境課", "taikisui"),
    ("温泉", "自然環境課", "shizen"),
    ("自然公園", "自然環境課", "shizen"),
    ("特定非営利", "環境生活総務課", "npo"),
    ("文化センター", "文化振興課", "bunka"),
    ("私立学校", "私学課", "shigaku"),
    ("宗教法人", "私学課", "shigaku"),
    ("飲食店", "食品安全課", "shokuhin"),
    ("薬局", "薬務課", "yakumu"),
    ("毒物", "薬務課", "yakumu"),
    ("麻薬", "薬務課", "yakumu"),
    ("医師", "医療政策課", "iryo"),
    ("病院の開設", "医療政策課", "iryo"),
    ("難病", "健康推進課", "kenko"),
    ("小児慢性", "健康推進課", "kenko"),
    ("美容所", "食品安全課", "shokuhin"),
    ("旅券", "旅券センター", "ryoken"),
    ("スポーツ", "スポーツ推進課", "sports"),
    ("国土利用", "地域計画課", "chiikikeikaku"),
    ("移住", "移住促進課", "iju"),
    ("南部地域", "南部地域活性化局", "nanbu"),
    ("市町振興", "市町行財政課", "shicho"),
    ("狩猟", "獣害対策課", "jugai"),
    ("鳥獣", "獣害対策課", "jugai"),
    ("農地", "農地調整課", "nochi"),
    ("林地", "治山林道課", "chisan"),
    ("保安林", "治山林道課", "chisan"),
    ("漁", "水産資源管理課", "suisan"),
    ("家畜", "畜産課", "chikusan"),
    ("農薬", "農産園芸課", "nosan"),
    ("職業訓練", "雇用対策課", "koyo"),
    ("技能検定", "雇用対策課", "koyo"),
    ("補助金", "中小企業・サービス産業振興課", "chusho"),
    ("融資", "中小企業・サービス産業振興課", "chusho"),
    ("電気工事", "エネルギー政策課", "energy"),
    ("計量", "計量検定所", "keiryo"),
    ("旅行業", "観光政策課", "kanko"),
    ("採取", "エネルギー政策課", "energy"),
    ("大規模小売", "商業振興課", "shogyo"),
    ("貸金業", "中小企業・サービス産業振興課", "chusho"),
    ("高等学校入学", "高校教育課", "kokokyoiku"),
    ("教員", "教職員課", "kyoshokuin"),
    ("教育職員", "教職員課", "kyoshokuin"),
    ("卒業証明", "高校教育課", "kokokyoiku"),
    ("就学", "修学支援課", "shugaku"),
    ("奨学", "修学支援課", "shugaku"),
    ("文化財", "社会教育・文化財保護課", "bunkazai"),
    ("社会教育", "社会教育・文化財保護課", "bunkazai"),
    ("図書館", "県立図書館", "library"),
    ("学校施設", "学校施設課", "gakkoshisetsu"),
    ("自動車保管", "交通規制課", "police-kotsu"),
    ("道路使用", "交通規制課", "police-kotsu"),
    ("駐車", "交通規制課", "police-kotsu"),
    ("運転代行", "交通企画課", "police-kotsu"),
    ("古物", "生活安全企画課", "police-seian"),
    ("質屋", "生活安全企画課", "police-seian"),
    ("探偵", "生活安全企画課", "police-seian"),
    ("警備", "生活安全企画課", "police-seian"),
    ("銃砲", "生活環境課", "police-seian"),
    ("工業用水", "水道事業課", "kigyo"),
    ("水道用水", "水道事業課", "kigyo"),
    ("病院", "県立病院課", "byoin"),
    ("診療", "県立病院課", "byoin"),
    ("治験", "県立病院課", "byoin"),
    ("看護学生", "県立病院課", "byoin"),
    ("オピニオン", "県立病院課", "byoin"),
    ("税", "税務企画課", "zeimu"),
    ("公文書", "情報公開課", "joho"),
    ("個人情報", "情報公開課", "joho"),
    ("モニター", "広聴広報課", "kocho"),
    ("後援名義", "広聴広報課", "kocho"),
    ("県章", "広聴広報課", "kocho"),
    ("統計", "統計課", "tokei"),
    ("財産", "管財課", "kanzai"),
    ("公益法人", "法務・文書課", "homu"),
    ("電子申請", "デジタル改革推進課", "digital"),
    ("デジタル", "デジタル改革推進課", "digital"),
    ("データ", "デジタル改革推進課", "digital"),
]
DEPARTMENT_SECTION = {  # when no word matches: the department's general section
    code: (name, code.lower())
    for code, name in {
        "BOSAI": "防災対策部 総務課", "KENDO": "県土整備部 総務課", "KODOMO": "子ども・福祉部 総務課",
        "KANKYO": "環境生活部 総務課", "IRYO": "医療保健部 総務課", "CHIIKI": "地域連携部 総務課",
        "NORIN": "農林水産部 総務課", "KOYO": "雇用経済部 総務課", "KYOIKU": "教育総務課",
        "KEISATSU": "警察本部 総務課", "KIGYO": "企業庁 総務課", "BYOIN": "病院事業庁 総務課",
        "SOMU": "総務部 総務課", "SENRYAKU": "戦略企画部 総務課", "DIGITAL": "デジタル社会推進局 総務課",
    }.items()
}

# national laws with their e-Gov 法令検索 law id (the page of the law itself)
EGOV_IDS = {
    "火薬類取締法": "325AC0000000149",
    "高圧ガス保安法": "326AC0000000204",
    "消防法": "323AC0000000186",
    "建設業法": "324AC0000000100",
    "建築基準法": "325AC0000000201",
    "道路法": "327AC0000000180",
    "河川法": "339AC0000000167",
    "宅地建物取引業法": "327AC0000000176",
    "児童福祉法": "322AC0000000164",
    "廃棄物の処理及び清掃に関する法律": "345AC0000000137",
    "浄化槽法": "358AC1000000043",
    "食品衛生法": "322AC0000000233",
    "医薬品、医療機器等の品質、有効性及び安全性の確保等に関する法律": "335AC0000000145",
    "旅券法": "326AC0000000267",
    "鳥獣の保護及び管理並びに狩猟の適正化に関する法律": "414AC0000000088",
    "農地法": "327AC0000000229",
    "森林法": "326AC0000000249",
    "漁業法": "324AC0000000267",
    "職業能力開発促進法": "344AC0000000064",
    "道路交通法": "335AC0000000105",
    "自動車の保管場所の確保等に関する法律": "337AC0000000145",
    "古物営業法": "324AC1000000108",
    "地方税法": "325AC0000000226",
    "都市計画法": "343AC0000000100",
    "水質汚濁防止法": "345AC0000000138",
    "大気汚染防止法": "343AC0000000097",
    "温泉法": "323AC0000000125",
    "医療法": "323AC0000000205",
    "毒物及び劇物取締法": "325AC0000000303",
    "採石法": "325AC0000000291",
    "砂利採取法": "343AC0000000074",
    "旅行業法": "327AC0000000239",
    "貸金業法": "358AC1000000032",
    "警備業法": "347AC0000000117",
    "質屋営業法": "325AC0000000158",
}
EGOV = "https://laws.e-gov.go.jp/law/"

BUSINESS_WORDS = ("業", "事業", "法人", "施設", "工場", "店", "薬局", "病院", "団体", "開発",
                  "製造", "販売", "産業", "占用", "届出", "設置", "工業用水", "水道用水", "治験")
PERSONAL_WORDS = ("住宅", "手当", "手帳", "免許の更新", "旅券", "入学", "奨学", "就学", "里親",
                  "難病", "小児", "診断書", "診療録", "外来", "狩猟", "受験", "入校", "モニター",
                  "見舞金", "移住", "証明書", "個人情報", "公文書", "保管場所", "銃砲", "保育士",
                  "受講", "医師", "浄化槽")

FEES = (400, 1_000, 2_400, 5_200, 9_800, 14_000, 33_000)
DAYS = {"申請": (14, 20, 30, 45, 60), "登録": (20, 30), "届出": (0, 7), "報告": (0,),
        "請求": (14, 15)}
PIPPITTARI = "https://app.oss.myna.go.jp/"  # マイナポータル ぴったりサービス
E_TUMO = "https://apply.e-tumo.jp/pref-mie-u/"  # 三重県電子申請・届出システム
PREF_SITE = "https://www.pref.mie.lg.jp/"


def _section(p):
    for word, name, mail in SECTIONS:
        if word in p["name_ja"]:
            return name, mail
    return DEPARTMENT_SECTION[p["dept"]]


def _audience(p):
    name = p["name_ja"]
    personal = any(w in name for w in PERSONAL_WORDS)
    business = any(w in name for w in BUSINESS_WORDS)
    if personal and not business:
        return "individual"
    if business and not personal:
        return "business"
    return "individual;business"


def _documents(p, audience):
    name, ptype = p["name_ja"], p["ptype"]
    head = {"申請": "申請書", "登録": "登録申請書", "届出": "届出書", "報告": "報告書",
            "請求": "請求書"}[ptype]
    docs = [f"{head}（様式はこのページから）"]
    if "individual" in audience.split(";") and p["ident"]:
        docs.append("本人確認書類（マイナンバーカード、運転免許証など）")
    if audience == "business":
        docs.append("法人の登記事項証明書（個人事業主は住民票の写し）")
    if any(w in name for w in ("施設", "設置", "建築", "開発", "占用", "工場", "浄化槽", "店")):
        docs.append("位置図・配置図・構造図")
    if any(w in name for w in ("補助金", "助成", "融資", "給付", "支給", "貸付", "貸与")):
        docs.append("振込先の口座がわかるもの")
        docs.append("収入や経費がわかる書類（見積書・所得証明書など）")
    if "免許" in name or "資格" in name:
        docs.append("写真（縦3cm×横2.4cm、6か月以内に撮影したもの）")
    if p["attach"] and len(docs) == 1:
        docs.append("内容を説明する資料（図面・写真など）")
    return ";".join(docs)


def _summary(p, audience, section):
    name, ptype, basis = p["name_ja"], p["ptype"], p["legal_basis"]
    who = {"individual": "県民の方", "business": "事業者・団体の方",
           "individual;business": "県民・事業者の方"}[audience]
    what = {"申請": "が行う申請です", "登録": "が行う登録の手続です", "届出": "が行う届出です",
            "報告": "が県に提出する報告です", "請求": "が行う請求です"}[ptype]
    return f"{basis}に基づき、{who}{what}。{name}について、{section}が受け付けます。"


def guide_row(p, status, unit):
    """The guide columns (GUIDE_COLUMNS order) of procedure `p` at its current status;
    `unit` is generate.py's deterministic number from a hash."""
    section, mail = _section(p)
    audience = _audience(p)
    law = p["legal_basis"].split(" ")[0]
    fee = FEES[int(unit(p["code"], "fee") * len(FEES))] if p["fee"] else "none"
    if fee == "none":
        payment = ""
    elif status == "end_to_end":
        payment = "クレジットカード・ペイジー（オンラインで納付）"
    else:
        payment = "三重県収入証紙、または納付書により金融機関で納付"
    days_choices = DAYS[p["ptype"]]
    days = days_choices[int(unit(p["code"], "days") * len(days_choices))]
    online_url = ""
    if status in ("online", "end_to_end", "partial") and not p["form"]:
        online_url = PIPPITTARI if "手当" in p["name_ja"] or "手帳" in p["name_ja"] else E_TUMO
    phone = f"059224{2000 + int(unit(p['code'], 'phone') * 7000):04d}"
    return [
        READINGS[p["name_ja"]],
        _summary(p, audience, section),
        payment,
        _documents(p, audience),
        section,
        audience,
        str(fee),
        str(days),
        phone,
        f"{mail}@pref.mie.lg.jp",
        online_url,
        f"{PREF_SITE}{p['dept'].lower()}/forms/{p['code'].lower()}.htm",
        EGOV + EGOV_IDS[law] if law in EGOV_IDS else "",
    ]
