"""Product pictures drawn as small flat SVGs, so the shop looks complete offline.

Every picture is one shape (what the item is) painted in one colour (a SKU colour), on a soft
background. Shades for depth are computed from the colour's hex rather than stored, so adding a
colour is one line. ``variant`` nudges the background and a detail or two so that a page of
products from one category does not look like the same card repeated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape


@dataclass(frozen=True, slots=True)
class Colour:
    key: str
    hex: str
    name_en: str
    name_zh: str


def _colours(*rows: tuple[str, str, str, str]) -> dict[str, Colour]:
    return {key: Colour(key, hex_, en, zh) for key, hex_, en, zh in rows}


COLOURS: dict[str, Colour] = _colours(
    ("red", "#d63a3a", "Red", "红色"),
    # Not pure black: the computed shades need room to show seams and buttons.
    ("black", "#2c2c30", "Black", "黑色"),
    ("white", "#f7f6f2", "White", "白色"),
    ("grey", "#9aa0a6", "Grey", "灰色"),
    ("navy", "#25355f", "Navy", "藏青色"),
    ("blue", "#3b7dd8", "Blue", "蓝色"),
    ("green", "#3f9d5a", "Green", "绿色"),
    ("beige", "#dcc7a1", "Beige", "米色"),
    ("brown", "#8a5a3b", "Brown", "棕色"),
    ("pink", "#f0a1b8", "Pink", "粉色"),
    ("purple", "#8a5cc2", "Purple", "紫色"),
    ("yellow", "#f2c94c", "Yellow", "黄色"),
    ("orange", "#ef8a3c", "Orange", "橙色"),
    ("khaki", "#b3a06c", "Khaki", "卡其色"),
    ("silver", "#c3c7cc", "Silver", "银色"),
    ("gold", "#d2ac45", "Gold", "金色"),
)

# Backgrounds cycle through these by variant; each is mixed with a tint of the item's colour.
_SOFT = ("#f6f1ea", "#edf2f8", "#f3eef7", "#edf5ef", "#f8eeee", "#f2f2f0")
_HALOS = ((300, 290, 235), (350, 255, 215), (250, 320, 225), (300, 305, 255))


def _rgb(hex_: str) -> tuple[int, int, int]:
    value = hex_.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _mix(a: str, b: str, t: float) -> str:
    """``a`` moved a fraction ``t`` of the way towards ``b``."""
    ra, rb = _rgb(a), _rgb(b)
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(ra, rb, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"


def _luma(hex_: str) -> float:
    r, g, b = _rgb(hex_)
    return (0.299 * r + 0.587 * g + 0.114 * b) / 255


@dataclass(frozen=True, slots=True)
class _Pal:
    base: str
    shade: str  # seams, inner sides, sleeves turned away from the light
    deep: str  # buttons, soles, openings
    hi: str  # highlights, linings
    bg: str


def _palette(hex_: str, variant: int) -> _Pal:
    luma = _luma(hex_)
    if luma < 0.25:
        # Darkening a near-black colour changes nothing visible, so details go lighter instead.
        shade, deep = _mix(hex_, "#ffffff", 0.12), _mix(hex_, "#ffffff", 0.3)
    else:
        shade, deep = _mix(hex_, "#000000", 0.16), _mix(hex_, "#000000", 0.38)
    soft = _SOFT[variant % len(_SOFT)]
    tint = _mix(hex_, "#ffffff", 0.86)
    bg = _mix(soft, tint, 0.45)
    if luma > 0.8:
        # A pale item on a pale card vanishes; give it a cooler, slightly deeper ground.
        bg = _mix(soft, "#c9d0d8", 0.45)
    return _Pal(hex_, shade, deep, _mix(hex_, "#ffffff", 0.35), bg)


_Draw = Callable[[_Pal, int], str]


def _coat(p: _Pal, v: int) -> str:
    belt = (
        f'<rect x="203" y="318" width="194" height="20" fill="{p.shade}"/>'
        f'<rect x="286" y="313" width="28" height="30" rx="4" fill="none" '
        f'stroke="{p.deep}" stroke-width="5"/>'
        if v % 2
        else ""
    )
    return (
        f'<path d="M214 140Q172 156 162 220L142 430L184 436L220 250Z" fill="{p.shade}"/>'
        f'<path d="M386 140Q428 156 438 220L458 430L416 436L380 250Z" fill="{p.shade}"/>'
        f'<path d="M142 422L184 428L182 446L140 440ZM458 422L416 428L418 446L460 440Z" '
        f'fill="{p.deep}"/>'
        f'<path d="M255 112L212 138L196 505L404 505L388 138L345 112Z" fill="{p.base}"/>'
        f'<path d="M268 112L300 170L332 112Z" fill="{p.deep}"/>'
        f'<path d="M255 112L300 232L264 254L232 150ZM345 112L300 232L336 254L368 150Z" '
        f'fill="{p.hi}"/>'
        f'<path d="M300 232V505" stroke="{p.shade}" stroke-width="4"/>'
        f'<g fill="{p.deep}"><circle cx="274" cy="288" r="8"/><circle cx="326" cy="288" r="8"/>'
        f'<circle cx="274" cy="352" r="8"/><circle cx="326" cy="352" r="8"/></g>'
        f'<path d="M222 410H268M332 410H378" stroke="{p.deep}" stroke-width="6" '
        f'stroke-linecap="round"/>{belt}'
    )


def _jacket(p: _Pal, v: int) -> str:
    return (
        f'<path d="M210 160Q168 174 158 230L144 400L184 408L208 262Z" fill="{p.shade}"/>'
        f'<path d="M390 160Q432 174 442 230L456 400L416 408L392 262Z" fill="{p.shade}"/>'
        f'<path d="M242 140L206 160L202 428L398 428L394 160L358 140Z" fill="{p.base}"/>'
        f'<path d="M242 140Q300 178 358 140L352 108Q300 140 248 108Z" fill="{p.shade}"/>'
        f'<rect x="202" y="404" width="196" height="30" rx="6" fill="{p.shade}"/>'
        f'<path d="M144 392L184 400L182 420L142 412ZM456 392L416 400L418 420L458 412Z" '
        f'fill="{p.deep}"/>'
        f'<path d="M300 150V432" stroke="{p.deep}" stroke-width="5"/>'
        f'<rect x="293" y="{160 + 20 * (v % 3)}" width="14" height="26" rx="4" fill="{p.hi}"/>'
        f'<path d="M232 250L270 238M330 238L368 250" stroke="{p.deep}" stroke-width="5" '
        f'stroke-linecap="round"/>'
    )


def _hoodie(p: _Pal, v: int) -> str:
    return (
        f'<path d="M210 170Q168 184 158 240L144 420L184 428L208 272Z" fill="{p.shade}"/>'
        f'<path d="M390 170Q432 184 442 240L456 420L416 428L392 272Z" fill="{p.shade}"/>'
        f'<path d="M236 150L206 170L202 452L398 452L394 170L364 150Z" fill="{p.base}"/>'
        f'<path d="M232 170Q222 84 300 80Q378 84 368 170Q300 200 232 170Z" fill="{p.shade}"/>'
        f'<path d="M256 160Q256 110 300 108Q344 110 344 160Q300 180 256 160Z" fill="{p.deep}"/>'
        f'<path d="M284 176V236M316 176V236" stroke="{p.hi}" stroke-width="5" '
        f'stroke-linecap="round"/>'
        f'<path d="M240 330H360L380 410H220Z" fill="{p.shade}"/>'
        f'<rect x="202" y="438" width="196" height="24" rx="6" fill="{p.deep}"/>'
    )


def _dress(p: _Pal, v: int) -> str:
    flare = 440 + 12 * (v % 3)
    return (
        f'<path d="M262 104L268 170M338 104L332 170" stroke="{p.shade}" stroke-width="8" '
        f'stroke-linecap="round"/>'
        f'<path d="M256 166Q300 190 344 166L340 272H260Z" fill="{p.base}"/>'
        f'<path d="M262 274H338L{flare} 500Q300 530 {600 - flare} 500Z" fill="{p.base}"/>'
        f'<path d="M290 300L262 500M310 300L338 500M276 290L214 496M324 290L386 496" '
        f'stroke="{p.shade}" stroke-width="4"/>'
        f'<rect x="256" y="262" width="88" height="20" rx="6" fill="{p.deep}"/>'
        f'<path d="M300 182V258" stroke="{p.hi}" stroke-width="3"/>'
    )


def _skirt(p: _Pal, v: int) -> str:
    return (
        f'<path d="M226 170H374L446 470Q300 500 154 470Z" fill="{p.base}"/>'
        f'<path d="M262 196L226 480M300 196V490M338 196L374 480M244 192L186 472M356 192L414 472"'
        f' stroke="{p.shade}" stroke-width="4"/>'
        f'<rect x="222" y="146" width="156" height="34" rx="6" fill="{p.deep}"/>'
        f'<circle cx="{300 + 40 * (v % 2)}" cy="163" r="7" fill="{p.hi}"/>'
    )


def _tshirt(p: _Pal, v: int) -> str:
    mark = (
        f'<circle cx="300" cy="270" r="34" fill="{p.hi}"/>'
        if v % 2
        else f'<rect x="332" y="196" width="30" height="30" rx="4" fill="{p.shade}"/>'
    )
    return (
        f'<path d="M236 128Q300 160 364 128L454 176L420 256L386 238V484H214V238L180 256'
        f'L146 176Z" fill="{p.base}"/>'
        f'<path d="M180 256L146 176L160 170L192 248ZM420 256L454 176L440 170L408 248Z" '
        f'fill="{p.shade}"/>'
        f'<path d="M238 130Q300 176 362 130" fill="none" stroke="{p.shade}" stroke-width="12"/>'
        f"{mark}"
    )


def _shirt(p: _Pal, v: int) -> str:
    pocket = f'<rect x="320" y="220" width="44" height="50" rx="4" fill="{p.shade}"/>'
    return (
        f'<path d="M214 148Q176 160 168 214L152 436L188 442L214 262Z" fill="{p.shade}"/>'
        f'<path d="M386 148Q424 160 432 214L448 436L412 442L386 262Z" fill="{p.shade}"/>'
        f'<path d="M150 424L188 430L186 458L148 452ZM450 424L412 430L414 458L452 452Z" '
        f'fill="{p.deep}"/>'
        f'<path d="M246 130L212 148L210 486H390L388 148L354 130Z" fill="{p.base}"/>'
        f'<path d="M246 124L300 150L276 190ZM354 124L300 150L324 190Z" fill="{p.hi}"/>'
        f'<path d="M300 152V486" stroke="{p.shade}" stroke-width="4"/>'
        f'<g fill="{p.deep}"><circle cx="300" cy="210" r="5"/><circle cx="300" cy="270" r="5"/>'
        f'<circle cx="300" cy="330" r="5"/><circle cx="300" cy="390" r="5"/>'
        f'<circle cx="300" cy="450" r="5"/></g>{pocket if v % 2 == 0 else ""}'
    )


def _jeans(p: _Pal, v: int) -> str:
    return (
        f'<path d="M218 122H382L398 504H318L300 236L282 504H202Z" fill="{p.base}"/>'
        f'<rect x="218" y="112" width="164" height="30" rx="4" fill="{p.shade}"/>'
        f'<g fill="{p.deep}"><rect x="236" y="110" width="8" height="36"/>'
        f'<rect x="356" y="110" width="8" height="36"/><circle cx="300" cy="127" r="6"/></g>'
        f'<g fill="none" stroke="{p.hi}" stroke-width="3" stroke-dasharray="8 6">'
        f'<path d="M226 150Q262 150 270 186M374 150Q338 150 330 186M300 146V226"/>'
        f'<path d="M208 {470 - 10 * (v % 2)}H284M316 {470 - 10 * (v % 2)}H392"/></g>'
    )


def _sole_colour(p: _Pal) -> str:
    return "#e4e6e9" if _luma(p.base) > 0.8 else "#f7f7f5"


def _sneakers(p: _Pal, v: int) -> str:
    sole = _sole_colour(p)
    pale = _luma(p.base) > 0.8
    stripe = p.hi if v % 2 or pale else "#ffffff"
    laces = p.deep if pale else "#ffffff"
    return (
        f'<path d="M120 404H484Q506 406 500 438Q496 466 470 466H134Q110 466 110 440Z" '
        f'fill="{sole}" stroke="#c8ccd2" stroke-width="3"/>'
        f'<path d="M126 412L134 300Q140 262 178 262L236 266Q262 304 300 314L384 334'
        f'Q462 352 480 396L482 412Z" fill="{p.base}"/>'
        f'<path d="M126 412L134 300Q140 262 178 262L196 263L190 412Z" fill="{p.shade}"/>'
        f'<path d="M400 340Q466 354 480 398L482 412H420Q410 370 400 340Z" fill="{p.shade}"/>'
        f'<path d="M200 384Q300 360 400 380L392 396Q300 378 208 400Z" fill="{stripe}"/>'
        f'<g stroke="{laces}" stroke-width="6" stroke-linecap="round">'
        f'<path d="M252 290L272 282M274 302L294 294M298 312L318 304M322 320L342 312"/></g>'
        f'<path d="M134 436H488" stroke="#c8ccd2" stroke-width="3"/>'
    )


def _boots(p: _Pal, v: int) -> str:
    return (
        f'<path d="M206 130H318L322 322Q406 336 448 374Q470 396 464 436H206Z" fill="{p.base}"/>'
        f'<rect x="206" y="120" width="112" height="26" rx="5" fill="{p.shade}"/>'
        f'<path d="M206 436H466Q472 458 454 462H206Z" fill="{p.deep}"/>'
        f'<rect x="206" y="456" width="64" height="30" rx="3" fill="{p.deep}"/>'
        f'<path d="M322 322Q300 360 330 436" fill="none" stroke="{p.shade}" stroke-width="5"/>'
        f'<path d="M226 {150 + 10 * (v % 2)}V420" stroke="{p.shade}" stroke-width="5" '
        f'stroke-dasharray="12 8"/>'
        f'<path d="M212 424H460" stroke="{p.hi}" stroke-width="3" stroke-dasharray="10 6"/>'
    )


def _heels(p: _Pal, v: int) -> str:
    return (
        f'<path d="M190 322L218 336L214 470H200Z" fill="{p.deep}"/>'
        f'<rect x="196" y="464" width="22" height="10" rx="3" fill="#2c2c30"/>'
        f'<path d="M176 246Q164 296 188 328C262 366 330 420 400 432L466 438Q500 438 496 414'
        f'Q486 388 430 376Q360 362 304 330Q246 292 200 256Q188 244 176 246Z" fill="{p.base}"/>'
        f'<path d="M186 256Q244 302 304 332Q250 324 198 282Z" fill="{p.deep}"/>'
        f'<path d="M188 328C262 366 330 420 400 432L470 438" fill="none" stroke="{p.shade}" '
        f'stroke-width="6"/>'
        f'<circle cx="{330 + 24 * (v % 2)}" cy="350" r="9" fill="{p.hi}"/>'
    )


def _handbag(p: _Pal, v: int) -> str:
    return (
        f'<path d="M232 262Q232 146 300 146Q368 146 368 262" fill="none" stroke="{p.shade}" '
        f'stroke-width="18"/>'
        f'<path d="M168 250H432L462 494H138Z" fill="{p.base}"/>'
        f'<path d="M168 250H432L422 336Q300 380 178 336Z" fill="{p.shade}"/>'
        f'<rect x="282" y="340" width="36" height="30" rx="6" fill="#d2ac45"/>'
        f'<path d="M150 470H450" stroke="{p.hi}" stroke-width="3" '
        f'stroke-dasharray="{10 + 4 * (v % 2)} 6"/>'
    )


def _backpack(p: _Pal, v: int) -> str:
    return (
        f'<path d="M262 150Q262 106 300 106Q338 106 338 150" fill="none" stroke="{p.deep}" '
        f'stroke-width="14"/>'
        f'<rect x="168" y="190" width="40" height="250" rx="18" fill="{p.deep}"/>'
        f'<rect x="392" y="190" width="40" height="250" rx="18" fill="{p.deep}"/>'
        f'<rect x="190" y="144" width="220" height="350" rx="70" fill="{p.base}"/>'
        f'<path d="M206 230Q300 176 394 230" fill="none" stroke="{p.shade}" stroke-width="6"/>'
        f'<rect x="222" y="330" width="156" height="130" rx="28" fill="{p.shade}"/>'
        f'<path d="M236 356H364" stroke="{p.deep}" stroke-width="5"/>'
        f'<rect x="{320 - 40 * (v % 2)}" y="350" width="14" height="26" rx="4" fill="{p.hi}"/>'
    )


def _phone(p: _Pal, v: int) -> str:
    return (
        f'<rect x="150" y="96" width="200" height="410" rx="34" fill="{p.base}"/>'
        f'<rect x="170" y="118" width="84" height="96" rx="22" fill="{p.shade}"/>'
        f'<g fill="{p.deep}"><circle cx="194" cy="143" r="15"/><circle cx="194" cy="189" r="15"/>'
        f'<circle cx="230" cy="166" r="9"/></g>'
        f'<rect x="256" y="126" width="200" height="410" rx="34" fill="{p.shade}"/>'
        f'<rect x="266" y="136" width="180" height="390" rx="26" fill="#1d2230"/>'
        f'<path d="M266 {380 - 20 * (v % 3)}Q340 300 446 350V500Q446 526 420 526H292Q266 526 '
        f'266 500Z" fill="{p.hi}" opacity=".85"/>'
        f'<rect x="326" y="148" width="60" height="14" rx="7" fill="#000000"/>'
    )


def _headphones(p: _Pal, v: int) -> str:
    return (
        f'<path d="M170 330Q170 126 300 126Q430 126 430 330" fill="none" stroke="{p.base}" '
        f'stroke-width="30"/>'
        f'<path d="M196 240Q210 160 300 156Q390 160 404 240" fill="none" stroke="{p.shade}" '
        f'stroke-width="10"/>'
        f'<rect x="150" y="290" width="50" height="100" rx="14" fill="{p.deep}"/>'
        f'<rect x="400" y="290" width="50" height="100" rx="14" fill="{p.deep}"/>'
        f'<rect x="116" y="280" width="84" height="170" rx="40" fill="{p.base}"/>'
        f'<rect x="400" y="280" width="84" height="170" rx="40" fill="{p.base}"/>'
        f'<circle cx="158" cy="365" r="{20 + 4 * (v % 2)}" fill="{p.hi}"/>'
        f'<circle cx="442" cy="365" r="{20 + 4 * (v % 2)}" fill="{p.hi}"/>'
    )


def _laptop(p: _Pal, v: int) -> str:
    return (
        f'<rect x="136" y="140" width="328" height="228" rx="16" fill="{p.base}"/>'
        f'<rect x="152" y="156" width="296" height="196" rx="6" fill="#1d2230"/>'
        f'<path d="M152 {300 - 16 * (v % 3)}Q260 230 448 290V352H152Z" fill="{p.hi}" '
        f'opacity=".8"/>'
        f'<path d="M92 368H508L526 402Q526 414 512 414H88Q74 414 74 402Z" fill="{p.shade}"/>'
        f'<rect x="262" y="368" width="76" height="12" rx="6" fill="{p.deep}"/>'
    )


def _watch(p: _Pal, v: int) -> str:
    angle = 30 * (v % 4)
    return (
        f'<rect x="250" y="86" width="100" height="428" rx="22" fill="{p.base}"/>'
        f'<g fill="{p.shade}"><rect x="250" y="130" width="100" height="8"/>'
        f'<rect x="250" y="462" width="100" height="8"/></g>'
        f'<circle cx="300" cy="300" r="104" fill="{p.deep}"/>'
        f'<rect x="398" y="286" width="22" height="28" rx="5" fill="{p.deep}"/>'
        f'<circle cx="300" cy="300" r="86" fill="#fbfbf8"/>'
        f'<g stroke="#3a3a40" stroke-width="6" stroke-linecap="round">'
        f'<path d="M300 226V240M300 360V374M226 300H240M360 300H374"/>'
        f'<path d="M300 300V252" transform="rotate({angle} 300 300)"/>'
        f'<path d="M300 300H340" transform="rotate({angle // 2} 300 300)"/></g>'
        f'<circle cx="300" cy="300" r="8" fill="{p.base}"/>'
    )


def _speaker(p: _Pal, v: int) -> str:
    # Dots from dashed lines with round caps: no <pattern>, so no id to clash when inlined.
    rows = "".join(f"M234 {y}H370" for y in range(190, 440, 20))
    return (
        f'<rect x="196" y="120" width="208" height="380" rx="70" fill="{p.base}"/>'
        f'<rect x="216" y="170" width="168" height="284" rx="40" fill="{p.shade}" opacity=".35"/>'
        f'<path d="{rows}" stroke="{p.shade}" stroke-width="9" stroke-linecap="round" '
        f'stroke-dasharray="0 17"/>'
        f'<rect x="246" y="{130 + 4 * (v % 2)}" width="108" height="24" rx="12" fill="{p.deep}"/>'
        f'<circle cx="300" cy="142" r="7" fill="{p.hi}"/>'
    )


def _mug(p: _Pal, v: int) -> str:
    steam = (
        ""
        if v % 2
        else f'<path d="M260 160Q246 130 262 104M300 160Q286 130 302 104M340 160Q326 130 342 104"'
        f' fill="none" stroke="{p.shade}" stroke-width="6" stroke-linecap="round" '
        f'opacity=".5"/>'
    )
    return (
        f'<path d="M380 250Q462 250 462 320Q462 390 376 396" fill="none" stroke="{p.shade}" '
        f'stroke-width="28"/>'
        f'<path d="M186 196H394V448Q394 480 362 480H218Q186 480 186 448Z" fill="{p.base}"/>'
        f'<ellipse cx="290" cy="196" rx="104" ry="22" fill="{p.deep}"/>'
        f'<ellipse cx="290" cy="200" rx="90" ry="15" fill="#6b4a2b"/>'
        f'<rect x="212" y="250" width="20" height="180" rx="10" fill="{p.hi}" opacity=".6"/>'
        f"{steam}"
    )


def _pan(p: _Pal, v: int) -> str:
    return (
        f'<path d="M404 290L546 222" stroke="{p.deep}" stroke-width="28" stroke-linecap="round"/>'
        f'<ellipse cx="262" cy="330" rx="176" ry="140" fill="{p.base}"/>'
        f'<ellipse cx="262" cy="318" rx="156" ry="120" fill="{p.shade}"/>'
        f'<ellipse cx="262" cy="330" rx="140" ry="104" fill="#34363b"/>'
        f'<path d="M170 300Q200 260 250 250" fill="none" stroke="#5a5d65" stroke-width="8" '
        f'stroke-linecap="round" opacity="{0.6 + 0.2 * (v % 2):.1f}"/>'
        f'<circle cx="528" cy="231" r="7" fill="{p.bg}"/>'
    )


def _pillow(p: _Pal, v: int) -> str:
    return (
        f'<path d="M148 166Q300 132 452 166Q488 300 452 434Q300 468 148 434Q112 300 148 166Z" '
        f'fill="{p.base}"/>'
        f'<path d="M170 186Q300 160 430 186Q458 300 430 414Q300 440 170 414Q142 300 170 186Z" '
        f'fill="none" stroke="{p.shade}" stroke-width="4" stroke-dasharray="10 8"/>'
        f'<path d="M160 180L210 230M440 180L390 230M160 420L210 370M440 420L390 370" '
        f'stroke="{p.shade}" stroke-width="6" stroke-linecap="round"/>'
        f'<ellipse cx="{300 - 30 * (v % 2)}" cy="260" rx="80" ry="36" fill="{p.hi}" '
        f'opacity=".5"/>'
    )


def _lamp(p: _Pal, v: int) -> str:
    return (
        f'<ellipse cx="300" cy="314" rx="{150 + 10 * (v % 2)}" ry="26" fill="#fff6d6"/>'
        f'<rect x="290" y="300" width="20" height="160" fill="#6f6f74"/>'
        f'<ellipse cx="300" cy="470" rx="90" ry="24" fill="#4e4f54"/>'
        f'<path d="M226 130H374L430 304H170Z" fill="{p.base}"/>'
        f'<path d="M226 130H374L380 150H220Z" fill="{p.shade}"/>'
        f'<path d="M170 304H430" stroke="{p.deep}" stroke-width="6"/>'
    )


def _lipstick(p: _Pal, v: int) -> str:
    case = "#d2ac45" if _luma(p.base) < 0.25 else "#2c2c30"
    return (
        f'<path d="M252 300V182Q252 168 266 162L348 124V300Z" fill="{p.base}"/>'
        f'<path d="M252 300V182Q252 168 266 162L276 158V300Z" fill="{p.hi}" opacity=".6"/>'
        f'<rect x="240" y="294" width="120" height="34" rx="4" fill="#d2ac45"/>'
        f'<rect x="236" y="326" width="128" height="180" rx="8" fill="{case}"/>'
        f'<rect x="384" y="{320 + 10 * (v % 2)}" width="100" height="176" rx="8" fill="{case}"/>'
        f'<rect x="384" y="{320 + 10 * (v % 2)}" width="100" height="14" fill="{p.base}"/>'
    )


def _cream(p: _Pal, v: int) -> str:
    return (
        f'<rect x="176" y="282" width="248" height="206" rx="36" fill="#fbfaf7" '
        f'stroke="#d8dbe0" stroke-width="3"/>'
        f'<rect x="176" y="350" width="248" height="70" fill="{p.base}"/>'
        f'<circle cx="300" cy="385" r="{20 + 6 * (v % 2)}" fill="{p.hi}"/>'
        f'<rect x="166" y="206" width="268" height="86" rx="18" fill="{p.base}"/>'
        f'<rect x="166" y="270" width="268" height="22" rx="6" fill="{p.shade}"/>'
    )


def _perfume(p: _Pal, v: int) -> str:
    return (
        f'<rect x="252" y="128" width="96" height="76" rx="10" fill="{p.deep}"/>'
        f'<rect x="274" y="200" width="52" height="42" fill="#c3c7cc"/>'
        f'<rect x="188" y="236" width="224" height="262" rx="34" fill="{p.base}" opacity=".92"/>'
        f'<rect x="188" y="{330 + 20 * (v % 2)}" width="224" height="40" fill="{p.shade}"/>'
        f'<rect x="212" y="262" width="22" height="200" rx="11" fill="#ffffff" opacity=".45"/>'
    )


def _snack(p: _Pal, v: int) -> str:
    return (
        f'<path d="M184 140H416Q440 300 416 472H184Q160 300 184 140Z" fill="{p.base}"/>'
        f'<path d="M184 140H416L418 176H182ZM182 436H418L416 472H184Z" fill="{p.shade}"/>'
        f'<path d="M184 140L198 128L212 140L226 128L240 140L254 128L268 140L282 128L296 140'
        f'L310 128L324 140L338 128L352 140L366 128L380 140L394 128L408 140L416 140Z" '
        f'fill="{p.shade}"/>'
        f'<ellipse cx="300" cy="310" rx="90" ry="80" fill="#fff7e0"/>'
        f'<g fill="#e8b75a"><ellipse cx="270" cy="300" rx="34" ry="24"/>'
        f'<ellipse cx="324" cy="{318 - 8 * (v % 2)}" rx="34" ry="24"/>'
        f'<ellipse cx="300" cy="346" rx="30" ry="20"/></g>'
        f'<rect x="230" y="206" width="140" height="22" rx="11" fill="{p.hi}"/>'
    )


def _tea(p: _Pal, v: int) -> str:
    leaf = 300 + 30 * (v % 2) - 15
    return (
        f'<rect x="200" y="184" width="200" height="300" rx="12" fill="{p.base}"/>'
        f'<ellipse cx="300" cy="184" rx="100" ry="20" fill="{p.deep}"/>'
        f'<rect x="200" y="150" width="200" height="40" fill="{p.shade}"/>'
        f'<ellipse cx="300" cy="150" rx="100" ry="20" fill="{p.hi}"/>'
        f'<rect x="200" y="270" width="200" height="120" fill="#f6f1e3"/>'
        f'<path d="M{leaf} 296Q{leaf + 52} 300 {leaf + 30} 364Q{leaf - 30} 360 {leaf} 296Z" '
        f'fill="#4f8f3e"/>'
        f'<path d="M{leaf + 6} 304Q{leaf + 12} 330 {leaf + 18} 360" stroke="#f6f1e3" '
        f'stroke-width="3"/>'
    )


def _ball(p: _Pal, v: int) -> str:
    tilt = 15 * (v % 3)
    return (
        f'<circle cx="300" cy="300" r="170" fill="{p.base}"/>'
        f'<g fill="none" stroke="{p.deep}" stroke-width="7" transform="rotate({tilt} 300 300)">'
        f'<path d="M300 130V470M130 300H470"/>'
        f'<path d="M180 180Q250 300 180 420M420 180Q350 300 420 420"/></g>'
        f'<ellipse cx="236" cy="208" rx="44" ry="26" fill="#ffffff" opacity=".25" '
        f'transform="rotate(-35 236 208)"/>'
    )


def _yoga_mat(p: _Pal, v: int) -> str:
    return (
        f'<path d="M150 336H450L522 480H78Z" fill="{p.base}"/>'
        f'<path d="M120 {440 + 6 * (v % 2)}H480" stroke="{p.shade}" stroke-width="4"/>'
        f'<rect x="140" y="236" width="330" height="120" rx="60" fill="{p.shade}"/>'
        f'<circle cx="410" cy="296" r="60" fill="{p.hi}"/>'
        f'<path d="M410 296m-8 0a8 8 0 1 1 16 0a18 18 0 1 1-36 0a28 28 0 1 1 56 0'
        f'a38 38 0 1 1-76 0" fill="none" stroke="{p.shade}" stroke-width="4"/>'
        f'<rect x="236" y="230" width="22" height="132" rx="6" fill="{p.deep}"/>'
    )


def _toy(p: _Pal, v: int) -> str:
    bow = '<path d="M300 300L262 282V318ZM300 300L338 282V318Z" fill="#d63a3a"/>' if v % 2 else ""
    return (
        f'<g fill="{p.base}"><circle cx="222" cy="126" r="42"/><circle cx="378" cy="126" r="42"/>'
        f'<ellipse cx="300" cy="400" rx="110" ry="104"/>'
        f'<ellipse cx="186" cy="360" rx="40" ry="64" transform="rotate(30 186 360)"/>'
        f'<ellipse cx="414" cy="360" rx="40" ry="64" transform="rotate(-30 414 360)"/>'
        f'<ellipse cx="232" cy="486" rx="52" ry="36"/><ellipse cx="368" cy="486" rx="52" ry="36"/>'
        f'<circle cx="300" cy="210" r="110"/></g>'
        f'<g fill="{p.hi}"><circle cx="222" cy="126" r="22"/><circle cx="378" cy="126" r="22"/>'
        f'<ellipse cx="300" cy="250" rx="46" ry="36"/><ellipse cx="300" cy="410" rx="62" ry="58"/>'
        f"</g>"
        f'<g fill="#2c2c30"><circle cx="258" cy="196" r="11"/><circle cx="342" cy="196" r="11"/>'
        f'<ellipse cx="300" cy="238" rx="16" ry="11"/></g>'
        f'<path d="M284 264Q300 278 316 264" fill="none" stroke="#2c2c30" stroke-width="5" '
        f'stroke-linecap="round"/>{bow}'
    )


def _parcel(p: _Pal, v: int) -> str:
    """The picture for a listing that has no image of its own: a parcel in the SKU's colour."""
    return (
        f'<path d="M150 230L300 170L450 230V420L300 480L150 420Z" fill="{p.base}"/>'
        f'<path d="M300 290V480L450 420V230Z" fill="{p.shade}"/>'
        f'<path d="M150 230L300 290L450 230L300 170Z" fill="{p.hi}"/>'
        f'<path d="M222 201L372 261V{316 + 4 * (v % 2)}L402 304V249L252 189Z" fill="{p.deep}" '
        f'opacity=".55"/>'
    )


# shape key -> (how to draw it, what the <title> calls it, the y of its floor shadow)
_SHAPES: dict[str, tuple[_Draw, str, int]] = {
    "coat": (_coat, "coat", 515),
    "jacket": (_jacket, "jacket", 444),
    "hoodie": (_hoodie, "hoodie", 472),
    "dress": (_dress, "dress", 525),
    "skirt": (_skirt, "skirt", 495),
    "tshirt": (_tshirt, "T-shirt", 494),
    "shirt": (_shirt, "shirt", 496),
    "jeans": (_jeans, "jeans", 514),
    "sneakers": (_sneakers, "sneaker", 476),
    "boots": (_boots, "boot", 496),
    "heels": (_heels, "high heel", 484),
    "handbag": (_handbag, "handbag", 504),
    "backpack": (_backpack, "backpack", 504),
    "phone": (_phone, "phone", 546),
    "headphones": (_headphones, "headphones", 460),
    "laptop": (_laptop, "laptop", 424),
    "watch": (_watch, "watch", 524),
    "speaker": (_speaker, "speaker", 510),
    "mug": (_mug, "mug", 490),
    "pan": (_pan, "pan", 480),
    "pillow": (_pillow, "pillow", 470),
    "lamp": (_lamp, "lamp", 504),
    "lipstick": (_lipstick, "lipstick", 516),
    "cream": (_cream, "cream jar", 498),
    "perfume": (_perfume, "perfume", 508),
    "snack": (_snack, "snack bag", 482),
    "tea": (_tea, "tea tin", 494),
    "ball": (_ball, "ball", 480),
    "yoga_mat": (_yoga_mat, "yoga mat", 490),
    "toy": (_toy, "teddy bear", 532),
    "parcel": (_parcel, "parcel", 470),
}

SHAPES: frozenset[str] = frozenset(_SHAPES)


def render_product_svg(shape: str, colour: str, *, variant: int = 0) -> str:
    """The picture of ``shape`` in ``colour``; unknown keys raise ``KeyError``."""
    draw, label, ground = _SHAPES[shape]
    col = COLOURS[colour]
    pal = _palette(col.hex, variant)
    cx, cy, r = _HALOS[variant % len(_HALOS)]
    halo = _mix(pal.bg, col.hex if _luma(col.hex) <= 0.8 else "#9aa3ad", 0.12)
    # Pale items get an outline drawn in their own deep shade so their edges stay readable.
    outline = (
        f' stroke="{pal.deep}" stroke-width="3" stroke-linejoin="round"'
        if _luma(col.hex) > 0.8
        else ""
    )
    title = escape(f"{col.name_en} {label}")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600 600" width="600" '
        f'height="600" role="img"><title>{title}</title>'
        f'<rect width="600" height="600" fill="{pal.bg}"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{halo}"/>'
        f'<ellipse cx="300" cy="{ground}" rx="190" ry="18" fill="#000000" opacity=".07"/>'
        f"<g{outline}>{draw(pal, variant)}</g></svg>"
    )


def image_url(shape: str, colour: str, variant: int = 0) -> str:
    """Where the web layer serves ``render_product_svg``; unknown keys raise ``KeyError``."""
    if shape not in SHAPES:
        raise KeyError(shape)
    if colour not in COLOURS:
        raise KeyError(colour)
    url = f"/media/p/{shape}/{colour}.svg"
    return f"{url}?v={variant}" if variant else url
