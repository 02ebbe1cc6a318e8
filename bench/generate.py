"""Synthetic communities for the benchmarks: realistic shape, deterministic from a seed.

    python bench/generate.py --items 1000 [--seed 1] [--out bench/out/c1000]

Shape per N items: people ≈ N/20, topics ≈ N/200 (at least 5), skills ≈ 6 per topic; items are 50 %
lessons (250–450 words, objectives, knowledge checks), 30 % FAQs, 15 % videos (external https links with
transcripts) and 5 % learning paths of 5–10 steps. About 70 % of people have a photo (a small distinct
PNG). Text is drawn from a Zipf-distributed vocabulary (common English plus 400 coined words per topic), so search
indexes see a realistic spread of words. Every reference resolves and every date is recent relative to a
fixed anchor, so `practica validate` reports no problems.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path


def _words(text: str) -> list[str]:
    return text.split()


ANCHOR = dt.date(2026, 11, 1)  # newest possible date; reviews are within a year of it, every 3 years
SHARES = {"lesson": 0.50, "faq": 0.30, "video": 0.15, "path": 0.05}
FOLDERS = {"lesson": "learn", "faq": "faq", "video": "videos", "path": "paths"}

COMMON = _words("""the of and to a in is it you that he was for on are with as his they be at one have this from or
had by word but what some we can out other were all there when up use your how said an each she which do
their time if will way about many then them write would like so these her long make thing see him two has
look more day could go come did number sound no most people my over know water than call first who may down
side been now find any new work part take get place made live where after back little only round man year
came show every good me give our under name very through just form sentence great think say help low line
differ turn cause much mean before move right boy old too same tell does set three want air well also play
small end put home read hand port large spell add even land here must big high such follow act why ask men
change went light kind off need house picture try us again animal point mother world near build self earth
father head stand own page should country found answer school grow study still learn plant cover food sun
four between state keep eye never last let thought city tree cross farm hard start might story saw far sea
draw left late run while press close night real life few north open seem together next white children begin
got walk example ease paper group always music those both mark often letter until mile river car feet care
second book carry took science eat room friend began idea fish mountain stop once base hear horse cut sure
watch colour face wood main enough plain girl usual young ready above ever red list though feel talk bird
soon body dog family direct pose leave song measure door product black short numeral class wind question
happen complete ship area half rock order fire south problem piece told knew pass since top whole king space
heard best hour better true during hundred five remember step early hold west ground interest reach fast
verb sing listen six table travel less morning ten simple several vowel toward war lay against pattern slow
centre love person money serve appear road map rain rule govern pull cold notice voice unit power town fine
certain fly fall lead cry dark machine note wait plan figure star box noun field rest correct able pound
done beauty drive stood contain front teach week final gave green oh quick develop ocean warm free minute
strong special mind behind clear tail produce fact street inch multiply nothing course stay wheel full force
blue object decide surface deep moon island foot system busy test record boat common gold possible plane
stead dry wonder laugh thousand ago ran check game shape equate hot miss brought heat snow tire bring yes
distant fill east paint language among customer depot parcel shift driver route forecast report team manager
safety quality process review data warehouse invoice supplier contract risk project meeting training handover
schedule volume capacity backlog incident ticket dashboard policy standard audit budget margin service""")
SYLLABLES = ["ka", "lo", "ri", "ven", "tor", "mi", "sa", "del", "qua", "ber", "nix", "pol", "ta", "gen", "ro",
             "fu", "lan", "ex", "or", "zi", "mar", "ti", "co", "dra", "pe", "sto", "val", "um", "ne", "gra"]
FIRST = _words("""Ada Ben Chloe Dev Ella Farid Grace Hamid Isla Jonah Kemi Liam Maya Noor Oscar Priya Quentin Rosa Sam
Tariq Uma Viktor Wen Xavier Yara Zoe Aisha Bruno Carmen Dmitri Esme Felix Gita Hugo Ines Jamal Kai Lena Mateo
Nia Omar Pia Raj Sofia Theo Una Vera Will Yusuf Zara""")
LAST = _words("""Okafor Lindqvist Patel Brandt Reilly Nakamura Silva Novak Haddad Murphy Kowalski Mensah Rossi Dubois
Chen Ahmed Jensen Fischer Costa Walsh Ibrahim Larsen Moreau Tanaka Byrne Schmidt Nowak Evans Hughes Garcia
Kumar Popescu Olsen Hansen Varga Santos Quinn Adeyemi Petrov Lopez""")
ROLES = ["Analyst", "Senior Analyst", "Team Lead", "Depot Manager", "Planner", "Engineer", "Designer",
         "Trainer", "Shift Supervisor", "Product Owner", "Data Scientist", "Coordinator", "Specialist"]
TEAMS = ["Planning", "Operations", "Finance", "People", "IT", "Customer Service", "Network", "Fleet"]
PLACES = ["Leeds", "Glasgow", "Daventry", "Bristol", "Felixstowe", "Manchester", "Belfast", "Cardiff"]
ICONS = ["material/chart-line", "material/shield-lock", "material/human", "material/truck", "material/school",
         "material/lightbulb-on", "material/account-group", "material/cog"]
LEVELS = ["beginner", "intermediate", "advanced"]
JARGON = 400  # coined words per topic, Zipf-weighted: a long tail of rare terms, as real text has


@dataclass
class Vocabulary:
    """Zipf-distributed words: common English, plus each topic's own jargon for its texts."""

    rng: random.Random
    common: list[str]
    jargon: dict[int, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(self.common))))
        self.jargon_weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(JARGON)))

    def jargon_for(self, topic: int) -> list[str]:
        if topic not in self.jargon:
            self.jargon[topic] = [self.coin() for _ in range(JARGON)]
        return self.jargon[topic]

    def coin(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4)))

    def words(self, n: int, topic: int) -> list[str]:
        out = self.rng.choices(self.common, cum_weights=self.weights, k=n)
        jargon = self.jargon_for(topic)
        for i in range(self.rng.randrange(8), n, 8):
            out[i] = self.rng.choices(jargon, cum_weights=self.jargon_weights)[0]
        return out

    def sentence(self, topic: int, lo: int = 8, hi: int = 18) -> str:
        text = " ".join(self.words(self.rng.randint(lo, hi), topic))
        return text[0].upper() + text[1:] + "."

    def title(self, topic: int, lo: int = 3, hi: int = 7) -> str:
        return self.sentence(topic, lo, hi)[:-1]

    def paragraph(self, topic: int, sentences: tuple[int, int] = (3, 6)) -> str:
        return " ".join(self.sentence(topic) for _ in range(self.rng.randint(*sentences)))


@dataclass
class Plan:
    """Who and what exists, decided before any file is written, so every reference resolves."""

    people: list[str]
    topics: list[str]
    skills: list[tuple[str, str, int]]  # id, name, topic index
    items: dict[str, list[str]]  # kind → ids
    topic_of: dict[str, int] = field(default_factory=dict)


def generate(items: int, seed: int, out: Path) -> dict[str, int]:
    """Write a community of about `items` items into `out` (replacing it); return the counts written."""
    rng = random.Random(seed)
    vocab = Vocabulary(rng, COMMON)
    plan = _plan(items, rng, vocab)
    if out.exists():
        shutil.rmtree(out)
    for folder in ("people", "topics", *FOLDERS.values()):
        (out / folder).mkdir(parents=True)
    _write_skills(out, plan)
    for i, tid in enumerate(plan.topics):
        _write(out / "topics" / f"{tid}.md", _topic(rng, vocab, plan, i), vocab.paragraph(i) + "\n\n"
               + vocab.paragraph(i))
    for pid in plan.people:
        _person(out, rng, vocab, plan, pid)
    for kind, ids in plan.items.items():
        for n, item_id in enumerate(ids):
            meta, body = ITEM_WRITERS[kind](rng, vocab, plan, item_id, n)
            _write(out / FOLDERS[kind] / f"{item_id}.md", meta, body)
    counts = {"people": len(plan.people), "topics": len(plan.topics), "skills": len(plan.skills),
              **{kind: len(ids) for kind, ids in plan.items.items()}}
    (out.parent / f"{out.name}.json").write_text(json.dumps({"items": items, "seed": seed, **counts}, indent=1))
    return counts


def _plan(items: int, rng: random.Random, vocab: Vocabulary) -> Plan:
    n_topics = max(5, round(items / 200))
    topics = [f"community-{i + 1:03d}" for i in range(n_topics)]
    skills = []
    for t in range(n_topics):
        for s in range(6):
            name = f"{vocab.jargon_for(t)[s].capitalize()} {rng.choice(COMMON[-60:])}"
            skills.append((f"skill-{t + 1:03d}-{s + 1}", name, t))
    people = []
    used = set()
    for i in range(max(10, round(items / 20))):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        pid = f"{first}-{last}".lower()
        if pid in used:
            pid = f"{pid}-{i}"
        used.add(pid)
        people.append(pid)
    counts = {kind: max(1, round(items * share)) for kind, share in SHARES.items()}
    ids = {kind: [f"{kind}-{n + 1:05d}" for n in range(count)] for kind, count in counts.items()}
    plan = Plan(people, topics, skills, ids)
    for kind in ("lesson", "faq", "video", "path"):
        for item_id in ids[kind]:
            plan.topic_of[item_id] = rng.randrange(n_topics)
    return plan


def _write(path: Path, meta: dict[str, object], body: str) -> None:
    lines = ["---", *(_yaml(key, value) for key, value in meta.items()), "---", "", body.strip(), ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def _yaml(key: str, value: object) -> str:
    """One front-matter key as block YAML (JSON scalars are valid YAML and quote what needs quoting)."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        rows = []
        for entry in value:
            first = True
            for k, v in entry.items():
                rows.append(f"  {'- ' if first else '  '}{k}: {_scalar(v)}")
                first = False
        return f"{key}:\n" + "\n".join(rows)
    if isinstance(value, dict):
        return f"{key}:\n" + "\n".join(f"  {k}: {_scalar(v)}" for k, v in value.items())
    return f"{key}: {_scalar(value)}"


def _scalar(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def _write_skills(out: Path, plan: Plan) -> None:
    lines = ["# Synthetic skills taxonomy (bench/generate.py)."]
    for sid, name, _ in plan.skills:
        lines += [f"- id: {sid}", f"  name: {json.dumps(name)}", f"  aliases: [{json.dumps(name.lower() + 's')}]"]
    (out / "skills.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _topic_skills(rng: random.Random, plan: Plan, topic: int, k: int) -> list[str]:
    return rng.sample([sid for sid, _, t in plan.skills if t == topic], k)


def _topic(rng: random.Random, vocab: Vocabulary, plan: Plan, i: int) -> dict[str, object]:
    return {
        "name": vocab.title(i, 2, 4), "summary": vocab.sentence(i),
        "stewards": rng.sample(plan.people, 2), "goal": vocab.sentence(i),
        "meets": f"Lunch & learn, every {rng.choice(['first', 'second', 'third'])} Tuesday, 12:30",
        "channels": [{"name": f"#{plan.topics[i]}", "url": f"https://chat.example.org/c/{plan.topics[i]}"}],
        "icon": ICONS[i % len(ICONS)], "color": f"#{rng.randrange(0x1000000):06x}",
    }


def _person(out: Path, rng: random.Random, vocab: Vocabulary, plan: Plan, pid: str) -> None:
    first, last = pid.split("-")[:2]
    topic = rng.randrange(len(plan.topics))
    meta: dict[str, object] = {
        "name": f"{first.capitalize()} {last.capitalize()}", "role": rng.choice(ROLES),
        "motto": vocab.sentence(topic, 5, 12)[:140],
        "expertise": _topic_skills(rng, plan, topic, rng.randint(1, 4)),
        "topics": sorted({plan.topics[topic], rng.choice(plan.topics)}),
        "team": rng.choice(TEAMS), "location": rng.choice(PLACES), "timezone": "Europe/London",
        "contact": {"email": f"{pid}@example.org", "chat": f"https://chat.example.org/u/{pid}"},
        "available_for": rng.sample(["questions", "mentoring", "reviews"], rng.randint(1, 3)),
    }
    if rng.random() < 0.7:
        meta["photo"] = f"{pid}.png"
        _photo(out / "people" / f"{pid}.png", rng)
    _write(out / "people" / f"{pid}.md", meta, vocab.paragraph(topic, (2, 4)))


def _photo(path: Path, rng: random.Random) -> None:
    """A distinct 160×160 PNG (a face-like disc on a background), as a resized phone photo would be."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 160), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    x, y = rng.randint(30, 50), rng.randint(20, 40)
    draw.ellipse((x, y, x + 80, y + 90), fill=tuple(rng.randrange(256) for _ in range(3)))
    image.save(path, "PNG", optimize=True)


def _dates(rng: random.Random) -> tuple[dt.date, dict[str, object]]:
    published = ANCHOR - dt.timedelta(days=rng.randrange(3 * 365))
    checked = max(published, ANCHOR - dt.timedelta(days=rng.randrange(300)))
    return published, {"by": "", "on": checked, "every": "3 years"}


def _sections(rng: random.Random, vocab: Vocabulary, topic: int, words: int) -> str:
    """A body of about `words` words: short paragraphs under `##` headings, sometimes a list."""
    parts, written = [], 0
    while written < words:
        parts.append(f"## {vocab.title(topic)}")
        for _ in range(rng.randint(1, 3)):
            paragraph = vocab.paragraph(topic)
            parts.append(paragraph)
            written += paragraph.count(" ") + 1
        if rng.random() < 0.4:
            parts.append("\n".join(f"- {vocab.sentence(topic, 4, 9)}" for _ in range(rng.randint(2, 5))))
            written += 25
    return "\n\n".join(parts)


def _common(rng: random.Random, vocab: Vocabulary, plan: Plan, item_id: str) -> tuple[int, dict[str, object]]:
    topic = plan.topic_of[item_id]
    published, review = _dates(rng)
    meta: dict[str, object] = {"title": vocab.title(topic), "date": published,
                               "topics": [plan.topics[topic]],
                               "skills": _topic_skills(rng, plan, topic, rng.randint(1, 3))}
    if rng.random() < 0.4:
        review["by"] = rng.choice(plan.people)
        meta["review"] = review
    return topic, meta


def _earlier(rng: random.Random, ids: list[str], n: int, k: int) -> list[str]:
    return rng.sample(ids[:n], min(k, n)) if n else []


def _lesson(rng: random.Random, vocab: Vocabulary, plan: Plan, item_id: str, n: int) -> tuple[dict[str, object], str]:
    topic, meta = _common(rng, vocab, plan, item_id)
    meta.update({
        "summary": vocab.sentence(topic), "authors": rng.sample(plan.people, rng.randint(1, 2)),
        "objectives": [vocab.sentence(topic, 4, 9)[:-1] for _ in range(rng.randint(1, 4))],
        "level": rng.choice(LEVELS),
        "check": [_question(rng, vocab, topic) for _ in range(rng.randint(1, 3))],
        "reflect": vocab.sentence(topic)[:-1] + "?", "action": vocab.sentence(topic),
    })
    if rng.random() < 0.3:
        meta["prerequisites"] = _earlier(rng, plan.items["lesson"], n, 1)
    return meta, _sections(rng, vocab, topic, rng.randint(250, 450))


def _question(rng: random.Random, vocab: Vocabulary, topic: int) -> dict[str, object]:
    options = [vocab.sentence(topic, 3, 8)[:-1] for _ in range(rng.randint(2, 4))]
    return {"question": vocab.sentence(topic, 6, 12)[:-1] + "?", "options": options,
            "answer": rng.randint(1, len(options)), "explain": vocab.sentence(topic)}


def _faq(rng: random.Random, vocab: Vocabulary, plan: Plan, item_id: str, n: int) -> tuple[dict[str, object], str]:
    topic, meta = _common(rng, vocab, plan, item_id)
    meta.pop("review", None)
    meta["title"] = vocab.title(topic, 5, 10) + "?"
    meta.update({"answered_by": [rng.choice(plan.people)], "asked_by": f"a {rng.choice(ROLES).lower()}"})
    if rng.random() < 0.6:
        meta["verified"] = {"by": rng.choice(plan.people), "on": _dates(rng)[1]["on"]}
    if rng.random() < 0.5:
        meta["related"] = rng.sample(plan.items["lesson"], rng.randint(1, 2))
    return meta, "\n\n".join(vocab.paragraph(topic) for _ in range(rng.randint(1, 3)))


def _video(rng: random.Random, vocab: Vocabulary, plan: Plan, item_id: str, n: int) -> tuple[dict[str, object], str]:
    topic, meta = _common(rng, vocab, plan, item_id)
    seconds = rng.randint(120, 1500)
    code = "".join(rng.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", k=11))
    src = (f"https://www.youtube.com/watch?v={code}" if rng.random() < 0.8
           else f"https://vimeo.com/{rng.randrange(10**8, 10**9)}")
    authors = rng.sample(plan.people, rng.randint(1, 2))
    meta.update({"summary": vocab.sentence(topic), "authors": authors,
                 "src": src, "duration": f"{seconds // 60}:{seconds % 60:02d}", "level": rng.choice(LEVELS)})
    marks = sorted(rng.sample(range(1, seconds), rng.randint(2, 5)))
    meta["chapters"] = [{"at": f"{t // 60}:{t % 60:02d}", "title": vocab.title(topic, 2, 5)} for t in [0, *marks]]
    speakers = [p.split("-")[0].capitalize() for p in authors]
    lines = ["## Transcript"]
    for t in [0, *marks]:
        lines.append(f"**[{t // 60}:{t % 60:02d}] {rng.choice(speakers)}:** {vocab.paragraph(topic, (3, 8))}")
    return meta, "\n\n".join(lines)


def _path(rng: random.Random, vocab: Vocabulary, plan: Plan, item_id: str, n: int) -> tuple[dict[str, object], str]:
    topic = plan.topic_of[item_id]
    pool = [i for kind in ("lesson", "video", "faq") for i in plan.items[kind] if plan.topic_of[i] == topic]
    if len(pool) < 10:
        pool += rng.sample(plan.items["lesson"], min(10, len(plan.items["lesson"])))
    steps = list(dict.fromkeys(rng.sample(pool, min(len(pool), rng.randint(5, 10)))))
    meta: dict[str, object] = {
        "title": vocab.title(topic), "summary": vocab.sentence(topic),
        "curated_by": rng.sample(plan.people, rng.randint(1, 2)),
        "steps": [{"item": s, "note": vocab.sentence(topic, 4, 10)} if rng.random() < 0.6 else {"item": s}
                  for s in steps],
        "topics": [plan.topics[topic]], "audience": vocab.sentence(topic, 4, 10),
        "action_plan": [vocab.sentence(topic) for _ in range(rng.randint(2, 4))],
        "date": _dates(rng)[0],
    }
    return meta, vocab.paragraph(topic) + "\n\n" + vocab.paragraph(topic)


ITEM_WRITERS = {"lesson": _lesson, "faq": _faq, "video": _video, "path": _path}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or Path(__file__).parent / "out" / f"c{args.items}" / "content"
    counts = generate(args.items, args.seed, out)
    print(json.dumps({"out": str(out), **counts}))


if __name__ == "__main__":
    main()
