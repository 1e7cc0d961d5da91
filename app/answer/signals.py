"""Signals of whether the top-ranked entry answers *this* question, not just its topic.

Ranking finds the entry whose words and meaning are closest; these signals look at what the question
asks that the entry does not offer: a salient word (the action, the object), a number, year, place or
document, or a kind of answer (a date, a fee, an age, a phone number) the entry never gives.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from app.knowledge.models import FaqEntry
from app.search.retriever import Hit
from app.text.normalize import fold_diacritics, normalize_text, tokenize
from app.text.query import ProcessedQuery

# words that carry no need of their own (folded): particles, pronouns, politeness, question words
STOPWORDS = frozenset("""
a ah ak ad ak oi ui nhe nha nhi ha ho vay day do kia nay ay the thi ma la va voi cua cho de o tai tu den
toi minh em anh chi ban ong ba co chu bac cau to tui ta chung ho ai gi nao sao bao nhieu may khong ko k
hok hong chua da dang se bi duoc dc duoc can phai nen muon hoi xin vui long giup gium dum lam on
cac nhung mot moi tat ca nua roi luon bao lau nhieu dau mn j ntn r bn ae z v ak ah
cung con neu khi vi nen nhu the nao lam sao duoc khong nhe a
e hay vo vao ra len xong kieu hoai suot gio luc thoi
thay thi sao biet minh oi ad admin anh chi em ca nha moi nguoi gium giup voi
i my me we our you your it its is are was were be been am do does did done how what where when which
who whom why can could should would will shall may might must the a an to of for in on at with from by
about and or if please tell know want need get there this that these those any some have has had not no
""".split())

# the action a question asks for (folded, one or two syllables): a different action is a different need
ACTIONS = (
    "doi", "quen", "khoa", "mo khoa", "tich hop", "gia han", "cap lai", "cap doi", "huy", "xoa", "cap nhat",
    "dang ky", "dang nhap", "kich hoat", "thay doi", "lay lai", "khoi phuc", "chuyen", "nop", "thanh toan",
    "tra cuu", "khieu nai", "phan anh", "cai dat", "xac thuc", "dieu chinh", "sua", "bo sung", "bi mat",
    "het han", "to giac", "tam tru", "thuong tru", "khai sinh", "khai tu", "uy quyen", "xuat trinh",
    "change", "forgot", "forget", "lock", "unlock", "renew", "cancel", "delete", "update", "register", "login",
    "activate", "reset", "recover", "pay", "track", "complain", "download", "install", "lost", "replace",
)

_WEEKDAYS = re.compile(r"\b(thu (7|bay)|chu nhat|cuoi tuan|ngay nghi|ngay le|weekends?|saturdays?|sundays?"
                       r"|holidays?)\b")

# kinds of answer a question asks for, and what an answer that gives it contains (both folded)
_QUESTION_TYPES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "when": (re.compile(r"\b(khi nao|bao gio|ngay nao|nam nao|thang nao|thoi han|han chot|when|what date|deadline)\b"),
             re.compile(r"\d{1,2}/\d{1,4}|\b(19|20)\d\d\b|\bngay \d|\bthang \d|\bnam \d")),
    # a fee is answered by an amount or by saying there is none, not by an answer that only names a fee
    "fee": (re.compile(r"\b(bao nhieu tien|le phi|mat phi|ton phi|phi|gia bao nhieu|how much|fee|fees|cost|charge)\b"),
            re.compile(r"\d[\d.,]*\s*(d|dong|vnd|nghin|ngan|trieu|k)\b|\b(mien phi|khong mat phi|khong mat tien"
                       r"|khong thu phi|khong phai nop|khong phai tra|khong ton phi|free|no fee|free of charge)\b")),
    "age": (re.compile(r"\b(tuoi|how old|age|ages)\b"), re.compile(r"\b(tuoi|age|years old)\b")),
    # "mấy tiếng" is how residents ask for hours
    "duration": (re.compile(r"\b(bao lau|(bao nhieu|may) (ngay|tuan|thang|gio|tieng)|how long"
                            r"|how many (days|weeks|months|hours))\b"),
                 re.compile(r"\d+\s*(ngay|gio|tieng|phut|thang|tuan|day|days|hour|hours|minute|minutes|month|week)")),
    "phone": (re.compile(r"\b(hotline|tong dai|duong day nong|so dien thoai ho tro|sdt ho tro|goi so|so nao de goi"
                         r"|phone number|call)\b"),
              re.compile(r"\b\d{4}[\s.]?\d{3,}|\b1900|\b1800|\b\d{3,4}\b.*\b(goi|tong dai|hotline)\b")),
    # the working days: asking whether an office opens on them, answered only by an entry that names them
    "weekday": (_WEEKDAYS, _WEEKDAYS),
    "count": (re.compile(r"\b(bao nhieu|how many)\b"), re.compile(r"\d")),
}

# (folded; a one-syllable name such as "Mỹ", "Anh" or "Pháp" only with "nước" before it: alone it is a
# common syllable, "my" an English word; names that fold into everyday words are left out: "Ba Lan" is
# "ba lần", "Ai Cập" "ai cấp", "Triều Tiên" "triệu tiền", "Séc" a cheque)
COUNTRIES = (
    "singapore", "han quoc", "nhat ban", "trung quoc", "nuoc my", "hoa ky", "thai lan", "campuchia", "nuoc lao",
    "an do", "estonia", "nuoc uc", "nuoc phap", "nuoc duc", "anh quoc", "malaysia", "indonesia", "philippines",
    "dai loan", "nuoc nga", "canada", "nuoc anh", "nuoc y", "tay ban nha", "bo dao nha", "ha lan", "thuy si",
    "thuy dien", "na uy", "dan mach", "phan lan", "cong hoa sec", "hungary", "ukraine", "israel", "a rap xe ut",
    "qatar", "brazil", "mexico", "new zealand", "myanmar", "brunei", "dong timor", "mong co", "hong kong",
    "tho nhi ky",
    "korea", "japan", "china", "america", "usa", "thailand", "cambodia", "laos", "india", "australia",
    "france", "germany", "britain", "uk", "taiwan", "russia", "italy", "spain", "portugal", "netherlands",
    "switzerland", "sweden", "norway", "denmark", "finland", "poland", "czechia", "saudi arabia", "uae",
    "mongolia", "north korea", "macau", "turkey", "egypt", "south africa",
)
_COUNTRY_SET = frozenset(COUNTRIES)
# other ways residents write a province's name (folded), beside the names in knowledge/areas/provinces.yaml
PLACE_ALIASES = {"sai gon": "ho chi minh", "saigon": "ho chi minh", "tp hcm": "ho chi minh", "tphcm": "ho chi minh",
                 "hcm": "ho chi minh", "hcmc": "ho chi minh", "hanoi": "ha noi"}
# names that, without diacritics, are also common words ("đa năng", "diễn biến", "hòa bình", "tham gia lại"):
# in a question typed without diacritics they count only after a word that introduces a place
_AMBIGUOUS_PLACES = frozenset({"da nang", "dien bien", "hoa binh", "gia lai", "hue", "ca mau", "hai phong"})
_PLACE_WORD = r"(tinh|thanh pho|tp|o|tai|province|city|in)"
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_DOC_NUMBER = re.compile(r"\b\d+/\d{4}/[a-z0-9-]+|\b\d+/[a-z]{2,}-[a-z0-9]+\b")
_NUMBER = re.compile(r"\b\d+\b")

FEATURES = (
    "confidence", "margin", "rank", "dense", "question_dense", "answer_dense", "phrasing_recall",
    "phrasing_precision", "coverage", "lexical", "missing_question_side", "missing_entry",
    "max_missing_idf", "action_missing", "entity_missing", "type_missing", "says_unknown", "is_passage", "english",
    "followup", "gap_asked", "place_missing",
)


@dataclass(frozen=True)
class Offer:
    """What a candidate (a FAQ entry or an article passage) offers, folded for matching."""

    question_terms: frozenset[str]
    all_terms: frozenset[str]
    question_text: str
    text: str
    says_unknown: bool
    # each wording of the question apart: the closest one shows whether the entry asks the same thing
    phrasings: tuple[frozenset[str], ...] = ()
    # words of the answer's sentences that say what its sources do not give ("nguồn không nêu ...")
    gap_terms: frozenset[str] = frozenset()


def folded(text: str) -> str:
    """Lower-case, diacritic-free text with single spaces, punctuation kept (document numbers need it)."""
    return " ".join(fold_diacritics(normalize_text(text).lower()).split())


def _terms(text: str) -> frozenset[str]:
    tokens = [fold_diacritics(t) for t in tokenize(text)]
    return frozenset(tokens) | frozenset(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False))


# an answer's own words for a detail its sources do not give (folded)
_GAP = re.compile(r"\b(khong neu|chua neu|khong co thong tin|does not say|do not say|don't say|not stated"
                  r"|do not mention|does not mention|not covered|no information)\b")


def gap_sentences(answer: str) -> list[str]:
    """The sentences of an answer that say what its sources do not give."""
    return [s for s in re.split(r"(?<=[.;!?])\s+|\n", answer) if _GAP.search(folded(s))]


def offer_of_entry(entry: FaqEntry) -> Offer:
    """The folded question side and full text of a FAQ entry."""
    questions = " \n ".join(q for _lang, q in entry.all_questions())
    answer = entry.answer + (" \n " + entry.en.answer if entry.en else "")
    return Offer(_terms(questions), _terms(questions + " " + answer), folded(questions),
                 folded(questions + " " + answer), entry.referral,
                 tuple(frozenset(_content(q)) for _lang, q in entry.all_questions()),
                 _terms(" \n ".join(gap_sentences(answer))))


def offer_of_text(text: str) -> Offer:
    """An article passage offers the same text on both sides."""
    terms = _terms(text)
    return Offer(terms, terms, folded(text), folded(text), False)


def _content(text: str) -> list[str]:
    return [t for t in (fold_diacritics(w) for w in tokenize(text)) if t not in STOPWORDS and not t.isdigit()]


def content_terms(query: ProcessedQuery) -> list[str]:
    """The question's words that carry its need (abbreviations expanded, particles dropped)."""
    return [t for t in dict.fromkeys(query.coverage_terms) if t not in STOPWORDS and not t.isdigit()]


def question_types(text: str) -> list[str]:
    """Kinds of answer the question asks for (when, fee, age, duration, phone, count)."""
    found = [name for name, (asks, _gives) in _QUESTION_TYPES.items() if asks.search(text)]
    # "bao nhiêu tuổi" asks for an age, not a count; "bao nhiêu tiền" for a fee
    if "count" in found and len(found) > 1:
        found.remove("count")
    return found


def entities(text: str) -> set[str]:
    """Years, document numbers, other numbers and countries named in folded text."""
    out = {m.group(0) for m in _YEAR.finditer(text)}
    out |= set(_DOC_NUMBER.findall(text))
    out |= {n for n in _NUMBER.findall(text) if len(n) <= 4}
    out |= {c for c in COUNTRIES if re.search(rf"\b{c}\b", text)}
    return out


def nationalities(text: str) -> frozenset[str]:
    """Countries named as a person's nationality in folded text: a question about a foreign spouse or
    resident asks about them here, not about that country's own figures."""
    return frozenset(c for c in COUNTRIES if re.search(rf"\b(nguoi|ng|quoc tich|citizen of|national of) {c}\b", text))


@dataclass(frozen=True)
class PlaceName:
    """One way of writing a province: folded, and as written with diacritics (lower case) when it has them."""

    folded: str
    written: str | None
    province: str  # the folded name it stands for


def place_names(names: list[str]) -> tuple[PlaceName, ...]:
    """Province names (without "Tỉnh"/"Thành phố"), current and former, and the aliases residents write."""
    out: dict[str, PlaceName] = {}
    for name in names:
        written = re.sub(r"^(thành phố|tỉnh|tp\.?) ", "", normalize_text(name).lower())
        key = folded(written)
        out[key] = PlaceName(key, written, key)
    for alias, key in PLACE_ALIASES.items():
        if key in out:
            out[alias] = PlaceName(alias, None, key)
    return tuple(out.values())


def places_in(question: str, names: tuple[PlaceName, ...]) -> set[str]:
    """The provinces a question names (folded). A name that is also a common word once its diacritics
    are gone counts only as written with them, or, in a question typed without any, after a place word."""
    lowered = " ".join(normalize_text(question).lower().split())
    text = folded(question)
    plain = text == lowered
    found = set()
    for place in names:
        if place.folded in _AMBIGUOUS_PLACES:
            hit = (re.search(rf"\b{_PLACE_WORD} {re.escape(place.folded)}\b", text) if plain else
                   place.written is not None and re.search(rf"(?<!\w){re.escape(place.written)}(?!\w)", lowered))
        else:
            hit = re.search(rf"\b{re.escape(place.folded)}\b", text)
        if hit:
            found.add(place.province)
    return found


def actions(text: str) -> set[str]:
    """Actions asked for in folded text."""
    return {a for a in ACTIONS if re.search(rf"\b{a}\b", text)}


@dataclass(frozen=True)
class Reading:
    """What a question asks, read once and compared with every candidate."""

    terms: list[str]
    weights: list[float]
    types: list[str]
    actions: set[str]
    entities: set[str]
    english: bool
    # for each of `terms`, the ways an entry may write it (the word, or an abbreviation's expansions)
    spellings: list[tuple[frozenset[str], ...]]
    # countries named as someone's nationality ("người Trung Quốc", "quốc tịch Hàn Quốc")
    nationalities: frozenset[str] = frozenset()
    # provinces named (folded, current or former names)
    places: frozenset[str] = frozenset()

    @property
    def countries(self) -> set[str]:
        """The countries the question is about: those named, except as a person's nationality."""
        return (self.entities & _COUNTRY_SET) - self.nationalities

    def has(self, i: int, words: frozenset[str] | set[str]) -> bool:
        """The i-th salient word is in `words`, written one way or another."""
        return any(way <= words for way in self.spellings[i])


def _salient_spellings(query: ProcessedQuery) -> list[tuple[str, tuple[frozenset[str], ...]]]:
    """The question's salient words, each with the ways it can be written; an abbreviation is one word
    (found as itself or as any expansion), not the several words of its first expansion."""
    out: dict[str, tuple[frozenset[str], ...]] = {}
    for key, ways in query.written_as:
        if key in STOPWORDS or key.isdigit() or key in out:
            continue
        # an expansion made only of particles and numbers ("lm" for "làm", "ĐA06" for "Đề án 06") is matched
        # on all its words rather than dropped, which left the typed abbreviation alone and never found
        spelled = (frozenset(w for w in way if w not in STOPWORDS and not w.isdigit()) or frozenset(way)
                   for way in ways)
        kept = tuple(dict.fromkeys(way for way in spelled if way))
        if kept:
            out[key] = kept
    return list(out.items())


class Signals:
    """Computes the answerability features of a question against its ranked candidates."""

    def __init__(self, idf: dict[str, float], max_idf: float, places: tuple[PlaceName, ...] = ()):
        self._idf = idf
        self._max_idf = max_idf or 1.0
        self._places = places
        # each province's written forms, to find it in a candidate's text
        self._place_forms: dict[str, re.Pattern[str]] = {}
        for key in {p.province for p in places}:
            forms = "|".join(re.escape(p.folded) for p in places if p.province == key)
            self._place_forms[key] = re.compile(rf"\b({forms})\b")

    def idf(self, term: str) -> float:
        """IDF of a folded term; unseen words weigh the most."""
        return self._idf.get(term, self._max_idf)

    def read(self, query: ProcessedQuery) -> Reading:
        """The question's salient words with their IDF, and the answer kinds, actions and entities it asks."""
        text = folded(query.text)
        salient = _salient_spellings(query)
        # a word weighs as much as its most common spelling: "tk" no more than "tài khoản"
        weights = [min(max(self.idf(w) for w in way) for way in ways) for _key, ways in salient]
        return Reading([key for key, _ in salient], weights, question_types(text), actions(text), entities(text),
                       query.english, [ways for _, ways in salient], nationalities(text),
                       frozenset(places_in(query.text, self._places)))

    def _weighted_share(self, part: set[str], whole: set[str]) -> float:
        # fsum: exact whatever order the sets iterate in (it varies with the hash seed), so a build's
        # features, and the model fitted on them, do not change from one process to the next
        total = math.fsum(self.idf(t) for t in whole)
        return math.fsum(self.idf(t) for t in part) / total if total else 0.0

    def _closest_phrasing(self, reading: Reading, offer: Offer) -> tuple[float, float]:
        """(share of the question's words in the closest wording, share of that wording's words the
        question uses), IDF-weighted: a wording about something else leaves its own words unused."""
        total = sum(reading.weights)
        best = (0.0, 0.0)
        for phrasing in offer.phrasings:
            found = [i for i in range(len(reading.terms)) if reading.has(i, phrasing)]
            recall = sum(reading.weights[i] for i in found) / total if total else 0.0
            used = {w for i in found for way in reading.spellings[i] if way <= phrasing for w in way}
            precision = self._weighted_share(used & phrasing, set(phrasing))
            if recall + precision > sum(best):
                best = (recall, precision)
        return best

    @staticmethod
    def other_country(reading: Reading, offer: Offer) -> bool:
        """The question is about a country the candidate never names: another country is another need,
        whatever else matches (a rule, not a fitted signal: too few questions name one to learn it)."""
        return any(c not in offer.text for c in reading.countries)

    def missing_terms(self, reading: Reading, offer: Offer) -> list[str]:
        """Salient question words the candidate never uses (in any spelling), most salient first."""
        missing = [(w, t) for i, (t, w) in enumerate(zip(reading.terms, reading.weights, strict=True))
                   if not reading.has(i, offer.all_terms)]
        return [t for _w, t in sorted(missing, key=lambda m: m[0], reverse=True)]

    def features(self, reading: Reading, hits: list[Hit], i: int, offer: Offer) -> dict[str, float]:
        """Features of candidate `hits[i]` (described by `offer`) for this question, among its rivals."""
        cand = hits[i]
        rivals = [h.confidence for j, h in enumerate(hits) if j != i and h.key != cand.key]
        weights = reading.weights
        total = sum(weights) or 1.0
        # the question's own detail: its salient words the entry's questions lack
        detail = [j for j in range(len(weights)) if not reading.has(j, offer.question_terms)]
        missing_q = sum(weights[j] for j in detail) / total
        absent = [w for j, w in enumerate(weights) if not reading.has(j, offer.all_terms)]
        missing_all = sum(absent) / total
        type_missing = any(not _QUESTION_TYPES[t][1].search(offer.text) for t in reading.types)
        top_lexical = max(h.lexical for h in hits) or 1.0
        recall, precision = self._closest_phrasing(reading, offer)
        # ... and the share of it that the answer says its sources do not give
        gap_asked = sum(weights[j] for j in detail if reading.has(j, offer.gap_terms)) / total
        return {
            "confidence": cand.confidence,
            "margin": cand.confidence - max(rivals, default=0.0),
            "rank": float(i),
            "dense": cand.dense,
            "question_dense": cand.question_dense,
            "answer_dense": cand.answer_dense,
            "phrasing_recall": recall,
            "phrasing_precision": precision,
            "coverage": cand.coverage,
            "lexical": cand.lexical / top_lexical,
            "missing_question_side": missing_q,
            "missing_entry": missing_all,
            "max_missing_idf": max(absent, default=0.0) / self._max_idf,
            "action_missing": float(any(a not in offer.question_terms for a in reading.actions)),
            "entity_missing": float(any(e not in offer.text for e in reading.entities)),
            "type_missing": float(type_missing),
            "says_unknown": float(offer.says_unknown),
            "is_passage": float(cand.unit.kind == "passage"),
            "english": float(reading.english),
            # set by the composer: the question was read with the previous one
            "followup": 0.0,
            "gap_asked": gap_asked,
            # a province the question names that the candidate never names (its own figures, offices, rules)
            "place_missing": float(any(not self._place_forms[p].search(offer.text) for p in reading.places)),
        }
