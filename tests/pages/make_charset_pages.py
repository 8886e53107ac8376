#!/usr/bin/env python3
"""Writes the charset-*.html pages of this corpus and their .expect files.

Each page is a small news article (headline, paragraphs, navigation, footer) written in its own
encoding by Python's codecs (an encoder other than the encoding_rs the reader decodes with), with
the way it declares (or does not declare) that encoding being the case under test. Run it from
anywhere: `python3 tests/pages/make_charset_pages.py`; it rewrites the charset-* files only.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent

# A long inline style, as real heads carry, to push a <meta> past the first 2 KB.
LONG_STYLE = "<style>\n" + "".join(
    f".teaser-{i} {{ margin: 0 0 {i % 7}px 0; padding: 4px 8px; font: 15px/1.4 Georgia, serif; }}\n"
    for i in range(40)
) + "</style>\n"


def article(lang, title, site, nav, paragraphs, footer, head_top="", head_end="", before=""):
    """The page as text: `head_top` comes right after <head>, `head_end` after the <title>."""
    nav_items = "".join(f'<li><a href="/{i}">{item}</a></li>' for i, item in enumerate(nav))
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"{before}<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n{head_top}"
        f"<title>{title} | {site}</title>\n{head_end}"
        '<link rel="stylesheet" href="/static/site.css">\n'
        "</head>\n<body>\n"
        f'<header><div class="logo">{site}</div><nav><ul>{nav_items}</ul></nav></header>\n'
        f"<main><article>\n<h1>{title}</h1>\n{body}\n</article></main>\n"
        f"<footer><p>{footer}</p></footer>\n</body>\n</html>\n"
    )


POLISH = dict(
    lang="pl",
    title="Porozumienie w sprawie płac coraz bliżej",
    site="Gazeta Codzienna",
    nav=["Kraj", "Świat", "Gospodarka", "Sport", "Kultura"],
    paragraphs=[
        "Rząd i związki zawodowe są coraz bliżej porozumienia w sprawie podwyżek dla nauczycieli "
        "i pracowników służby zdrowia. Po trzech dniach rozmów minister pracy powiedział, że "
        "strony uzgodniły już większość spornych punktów.",
        "Według źródeł zbliżonych do negocjatorów podwyżki mają wynieść średnio dwanaście procent "
        "i wejść w życie od pierwszego stycznia. Związkowcy żądają jednak, by wyrównanie objęło "
        "także ostatnie trzy miesiące bieżącego roku.",
        "Ekonomiści ostrzegają, że tak duży wzrost wydatków może zwiększyć deficyt budżetowy. "
        "Ministerstwo finansów zapewnia, że pieniądze znajdą się dzięki wyższym wpływom z podatku "
        "od towarów i usług oraz oszczędnościom w administracji.",
        "Kolejne spotkanie zaplanowano na czwartek. Jeśli do porozumienia nie dojdzie, związki "
        "zapowiadają strajk ostrzegawczy w szkołach i szpitalach w całym kraju.",
    ],
    footer="Copyright 2024 Gazeta Codzienna. Wszelkie prawa zastrzeżone. Polityka prywatności",
)

CZECH = dict(
    lang="cs",
    title="Vláda schválila novelu stavebního zákona",
    site="Denní zprávy",
    nav=["Domácí", "Zahraničí", "Ekonomika", "Sport", "Počasí"],
    paragraphs=[
        "Vláda ve středu schválila novelu stavebního zákona, která má výrazně zkrátit povolovací "
        "řízení. Podle ministra pro místní rozvoj by se doba potřebná k získání stavebního "
        "povolení měla snížit z několika let na nejvýše jeden rok.",
        "Novela zavádí jednotné digitální řízení, ve kterém úřady posoudí všechny podklady "
        "najednou. Stavebníci už nebudou muset obíhat desítky dotčených orgánů a sbírat "
        "jednotlivá razítka, uvedl ministr na tiskové konferenci.",
        "Opozice návrh kritizuje. Podle ní oslabuje ochranu přírody a omezuje možnost obcí a "
        "spolků vyjádřit se k velkým stavbám. Ekologické organizace už ohlásily, že se obrátí "
        "na Ústavní soud.",
        "Sněmovna by o novele měla poprvé jednat v příštím měsíci. Zákon má začít platit od "
        "července příštího roku.",
    ],
    footer="© 2024 Denní zprávy, všechna práva vyhrazena. Ochrana osobních údajů",
)

RUSSIAN = dict(
    lang="ru",
    title="В Новосибирске открылся новый мост через Обь",
    site="Сибирские вести",
    nav=["Главная", "Политика", "Экономика", "Общество", "Спорт"],
    paragraphs=[
        "В Новосибирске в субботу открылось движение по новому мосту через Обь. Строительство "
        "четырёхполосного моста длиной почти полтора километра продолжалось четыре года и "
        "обошлось бюджету в сорок миллиардов рублей.",
        "По словам губернатора области, мост разгрузит центральные улицы города и сократит время "
        "в пути между левым и правым берегом в часы пик почти вдвое. Первыми по мосту проехали "
        "рейсовые автобусы и машины скорой помощи.",
        "Жители соседних районов жалуются, что развязки ещё не достроены и у въезда на мост "
        "образуются пробки. В мэрии обещают закончить работы до конца осени.",
    ],
    footer="© 2024 Сибирские вести. Все права защищены. Политика конфиденциальности",
)

CHINESE = dict(
    lang="zh-CN",
    title="国务院常务会议部署促进消费政策措施",
    site="每日新闻网",
    nav=["首页", "国内", "国际", "财经", "体育"],
    paragraphs=[
        "国务院总理十五日主持召开国务院常务会议，部署进一步促进消费的政策措施。会议指出，"
        "消费是经济增长的主要动力，要加快推动服务消费提质扩容，稳定汽车、家电等大宗消费。",
        "会议强调，要完善农村商业流通体系，支持县城和乡镇建设商业中心，让农民群众买得放心、"
        "用得舒心。同时要加强消费者权益保护，严厉打击假冒伪劣商品和价格欺诈行为。",
        "会议还研究了加强粮食生产和防汛抗旱工作。会议要求各地抓好秋粮收获和冬小麦播种，"
        "确保全年粮食产量稳定在一万三千亿斤以上。",
        "专家认为，这些措施有助于提振市场信心，预计将对第四季度经济增长形成有力支撑。",
    ],
    footer="版权所有 2024 每日新闻网 联系我们 隐私政策",
)

JAPANESE = dict(
    lang="ja",
    title="政府、新たな経済対策を閣議決定",
    site="日刊ニュース",
    nav=["トップ", "政治", "経済", "国際", "スポーツ"],
    paragraphs=[
        "政府は十日、物価高への対応を柱とする新たな経済対策を閣議決定した。低所得世帯への給付金を"
        "支給するほか、電気やガス料金の補助を来年三月まで延長する。",
        "首相は記者会見で「国民の暮らしを守ることが最優先だ」と述べ、年内の補正予算成立を目指す"
        "考えを示した。対策の事業規模は約二十兆円に上る見通しだ。",
        "一方、野党からは「選挙目当てのばらまきだ」との批判が出ている。財政の専門家も、"
        "国債の追加発行による財政悪化を懸念する声を上げている。",
        "政府は今月下旬にも補正予算案を国会に提出する方針で、与野党の攻防が本格化しそうだ。",
    ],
    footer="Copyright (C) 2024 日刊ニュース 無断転載を禁じます プライバシーポリシー",
)

KOREAN = dict(
    lang="ko",
    title="정부, 내년도 예산안 국무회의 의결",
    site="한국일보통신",
    nav=["홈", "정치", "경제", "사회", "스포츠"],
    paragraphs=[
        "정부는 10일 국무회의를 열고 내년도 예산안을 의결했다. 기획재정부는 이번 예산안이 경제 "
        "회복과 민생 안정에 중점을 두었다고 밝혔다.",
        "취약계층 지원과 청년 일자리 예산이 크게 늘었고, 지방 재정 지원도 확대됐다. 반면 "
        "일부 사회간접자본 사업 예산은 줄어들었다.",
        "야당은 국회 심의 과정에서 불필요한 예산을 꼼꼼히 따지겠다고 밝혔다. 예산안은 다음 달 "
        "국회에 제출될 예정이다.",
        "전문가들은 세수 감소가 이어지는 상황에서 재정 건전성을 지키는 방안도 함께 마련해야 "
        "한다고 지적했다.",
    ],
    footer="Copyright (C) 2024 한국일보통신. 무단 전재 및 재배포 금지. 개인정보처리방침",
)

GERMAN = dict(
    lang="de",
    title="Bahn kündigt größere Fahrplanänderungen an",
    site="Tagesblatt",
    nav=["Startseite", "Politik", "Wirtschaft", "Sport", "Kultur"],
    paragraphs=[
        "Die Deutsche Bahn hat für den Fahrplanwechsel im Dezember größere Änderungen angekündigt. "
        "Zwischen München und Berlin sollen künftig stündlich Schnellzüge fahren, die Fahrzeit "
        "verkürzt sich auf knapp vier Stunden.",
        "Fahrgastverbände begrüßten das zusätzliche Angebot, kritisierten aber die Streichung "
        "mehrerer Regionalverbindungen in Thüringen und Sachsen. Dort müssten Pendler künftig "
        "häufiger umsteigen.",
        "Die Bahn begründete die Kürzungen mit Bauarbeiten an wichtigen Strecken. Nach deren "
        "Abschluss im übernächsten Jahr sollen die Verbindungen wieder aufgenommen werden.",
    ],
    footer="© 2024 Tagesblatt. Alle Rechte vorbehalten. Datenschutzerklärung",
)

SPANISH = dict(
    lang="es",
    title="El Gobierno aprueba la reforma de las pensiones",
    site="Diario del Sur",
    nav=["Portada", "España", "Internacional", "Economía", "Deportes"],
    paragraphs=[
        "El Consejo de Ministros aprobó este martes la reforma del sistema de pensiones, que "
        "aumentará de forma gradual las cotizaciones de los salarios más altos a partir del "
        "próximo año.",
        "Según el ministro de Inclusión, la reforma garantiza la sostenibilidad del sistema "
        "durante las próximas tres décadas sin recortar las prestaciones. Los sindicatos la "
        "consideran un paso en la buena dirección.",
        "La patronal, en cambio, advierte de que el aumento de las cotizaciones encarecerá la "
        "contratación y frenará la creación de empleo. El texto deberá ser convalidado por el "
        "Congreso en el plazo de un mes.",
    ],
    footer="© 2024 Diario del Sur. Todos los derechos reservados. Política de privacidad",
)


def head(text, n):
    """About the first n characters of text, cut at a space when the language has them."""
    cut = text[:n]
    return (cut.rsplit(" ", 1)[0] if " " in cut and len(text) > n else cut).strip()


def tail(text, n):
    """About the last n characters of text, cut at a space when the language has them."""
    cut = text[-n:]
    return (cut.split(" ", 1)[1] if " " in cut and len(text) > n else cut).strip()


def expect(story, comment):
    """The .expect file: paragraphs that must be in the text, a menu item and the footer's
    last words that must not (neither written in the article itself)."""
    p = story["paragraphs"]
    article_text = story["title"] + " ".join(p)
    menu = next(item for item in story["nav"][1:] if item not in article_text)
    foot = story["footer"][-12:].strip()
    assert foot not in article_text, foot
    lines = [
        f"# {comment}",
        "# Written by make_charset_pages.py.",
        f"+ {head(p[0], 60)}",
        f"+ {head(p[1], 50)}",
        f"+ {tail(p[-1], 40)}",
        f"- {menu}",
        f"- {foot}",
    ]
    return "\n".join(lines) + "\n"


def write(case, codec, text, story, comment):
    data = text if isinstance(text, bytes) else text.encode(codec)
    # The page must really be in its codec: a UTF-8 reading of a legacy page must fail.
    if codec not in ("utf-8", "utf-8-sig"):
        try:
            data.decode("utf-8")
            raise SystemExit(f"{case}: the {codec} page is also valid UTF-8")
        except UnicodeDecodeError:
            pass
    (HERE / f"charset-{case}.html").write_bytes(data)
    (HERE / f"charset-{case}.expect").write_text(expect(story, comment), encoding="utf-8")


def main():
    meta_1250 = '<meta charset="windows-1250">\n'
    write(
        "script-before-meta",
        "cp1250",
        article(
            **POLISH,
            head_top='<script charset="utf-8" src="/static/consent.js"></script>\n'
            '<script>window.dataLayer = window.dataLayer || [];</script>\n',
            head_end=meta_1250,
        ),
        POLISH,
        "A <script charset=utf-8> before the page's own windows-1250 <meta>: the script's "
        "attribute is no declaration.",
    )
    write(
        "meta-past-2k",
        "cp1250",
        article(
            **POLISH,
            head_end=LONG_STYLE
            + '<meta http-equiv="Content-Type" content="text/html; charset=windows-1250">\n',
        ),
        POLISH,
        "The windows-1250 <meta> sits past the first 2 KB, behind a long inline style: "
        "'bliżej' must not become 'bli¿ej'.",
    )
    write(
        "meta-in-comment",
        "cp1250",
        article(
            **CZECH,
            head_top='<!-- old template: <meta charset="utf-8"> -->\n'
            '<meta http-equiv="content-type" content="text/html; charset=windows-1250">\n',
        ),
        CZECH,
        "A utf-8 <meta> inside a comment is ignored; the real one (windows-1250) counts.",
    )
    write(
        "http-equiv-1251",
        "cp1251",
        article(
            **RUSSIAN,
            head_top="<META HTTP-EQUIV='Content-Type' CONTENT='text/html; Charset=Windows-1251'>\n",
        ),
        RUSSIAN,
        "The http-equiv + content form of the declaration, upper case, single quotes.",
    )
    write(
        "gb2312-meta",
        "gb2312",
        article(**CHINESE, head_top='<meta http-equiv="Content-Type" content="text/html; charset=gb2312">\n'),
        CHINESE,
        "A gb2312 page that says so in a <meta> (read as GBK, gb2312's superset).",
    )
    write(
        "gb2312-undeclared",
        "gb2312",
        article(**CHINESE),
        CHINESE,
        "A gb2312 page with no declaration: detected.",
    )
    write(
        "iso-8859-2-undeclared",
        "iso8859_2",
        article(**POLISH),
        POLISH,
        "An ISO-8859-2 Polish page with no declaration: detected (not windows-1250, whose "
        "ą, ś and ź sit elsewhere).",
    )
    write(
        "shift-jis-undeclared",
        "shift_jis",
        article(**JAPANESE),
        JAPANESE,
        "A Shift_JIS page with no declaration: detected.",
    )
    write(
        "euc-kr-undeclared",
        "euc_kr",
        article(**KOREAN),
        KOREAN,
        "An EUC-KR page with no declaration: detected.",
    )
    write(
        "bom-beats-meta",
        "utf-8",
        "\ufeff" + article(**GERMAN, head_top='<meta charset="windows-1252">\n'),
        GERMAN,
        "A UTF-8 byte-order mark wins over a <meta> that says windows-1252.",
    )
    write(
        "utf16-meta",
        "utf-8",
        article(**SPANISH, head_top='<meta charset="utf-16">\n'),
        SPANISH,
        "A <meta> naming UTF-16 in an ASCII-compatible page is read as UTF-8.",
    )


if __name__ == "__main__":
    main()
