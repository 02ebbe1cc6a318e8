"""The kinds of content: one row per kind, and every part of Practica that differs by kind reads it here.

A kind's folder under content/ is also its section of the site: items keep their path, so contributors'
relative links between files resolve (see urls.py). Adding a kind is a row here, its front-matter model
(content/models.py), its typed alias in community.py, its page template, and its page module if it has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .content.models import EventMeta, FaqMeta, LessonMeta, PathMeta, PersonMeta, TopicMeta, VideoMeta
from .languages import N_

Kind = Literal["person", "topic", "lesson", "video", "faq", "path", "event"]
# What an Entry's front matter can be (the bound of Entry's type parameter).
Meta = PersonMeta | TopicMeta | LessonMeta | VideoMeta | FaqMeta | PathMeta | EventMeta
# The lists on a person's record (community.Contributions) that a kind's credits put them on.
Role = Literal["wrote", "answered", "curated"]


@dataclass(frozen=True)
class ContentKind:
    name: Kind  # the type in feeds (`urn:practica:<name>:<id>`), page metadata and CSS classes
    folder: str  # under content/, and the site's section: `learn/<id>.md` is published at `learn/<id>/`
    model: type[Meta]  # its front matter
    collection: str  # the Community attribute holding them, by id
    template: str  # its page, in pages/templates
    label: str  # one of them, in words: item rows, search filters ("Lesson")
    title: str  # its section: navigation, breadcrumbs, index heading ("Lessons")
    noun: str  # in sentences: "Checked 1 lesson"
    nouns: str  # "Checked 3 lessons"
    jsonld: str | None  # the schema.org type of its page


@dataclass(frozen=True)
class ItemKind(ContentKind):
    """A kind of item: lessons, videos, FAQs and paths share one id namespace and appear in lists and feeds."""

    credits: str  # the front-matter field naming who made it, and what a byline lists
    role: Role
    byline: str  # what the byline on its page says before their names
    icon: str  # the theme icon beside its label on item rows
    lead: str  # the line under its section index's heading
    dated: bool  # its section index shows dates
    grouped: bool  # its section index is grouped by community
    hub_title: str  # its list on a community's hub, and the page with all of them
    hub_anchor: str  # that list's id on the hub


PERSON = ContentKind("person", "people", PersonMeta, "people", "person.md.j2", "Person", "People",
                     "person", "people", "Person")
TOPIC = ContentKind("topic", "topics", TopicMeta, "topics", "topic.md.j2", "Community", "Communities",
                    "community", "communities", None)
LESSON = ItemKind("lesson", "learn", LessonMeta, "lessons", "lesson.md.j2", N_("Lesson"), N_("Lessons"),
                  "lesson", "lessons", "LearningResource", credits="authors", role="wrote", byline=N_("Written by"),
                  icon="school-outline", lead="Short lessons you can finish on a break, newest first.",
                  dated=True, grouped=False, hub_title="Lessons", hub_anchor="lessons")
VIDEO = ItemKind("video", "videos", VideoMeta, "videos", "video.md.j2", N_("Video"), N_("Videos"),
                 "video", "videos", "VideoObject", credits="authors", role="wrote", byline=N_("Presented by"),
                 icon="play-circle-outline", lead="Talks and walkthroughs from people in the community, newest first.",
                 dated=True, grouped=False, hub_title="Videos", hub_anchor="videos")
FAQ = ItemKind("faq", "faq", FaqMeta, "faqs", "faq.md.j2", N_("FAQ"), N_("FAQ"),
               "FAQ", "FAQs", "FAQPage", credits="answered_by", role="answered", byline=N_("Answered by"),
               icon="frequently-asked-questions",
               lead="Questions people asked, answered by someone who knows, grouped by community.",
               dated=False, grouped=True, hub_title="Questions and answers", hub_anchor="faq")
PATH = ItemKind("path", "paths", PathMeta, "paths", "path.md.j2", N_("Learning path"), N_("Learning paths"),
                "path", "paths", "LearningResource", credits="curated_by", role="curated", byline=N_("Curated by"),
                icon="map-marker-path", lead="Curated sequences of lessons, videos and answers.",
                dated=False, grouped=False, hub_title="Learning paths", hub_anchor="paths")
# Events have their own id namespace and are not items: not in item lists or feed items (the feed's
# `_practica.events` lists them), so a new one does not push "new content".
EVENT = ContentKind("event", "events", EventMeta, "events", "event.md.j2", "Event", "Events",
                    "event", "events", "Event")

# In this order everywhere: loading (and so the order of problems), navigation, schemas, counts.
KINDS: dict[Kind, ContentKind] = {kind.name: kind for kind in (PERSON, TOPIC, LESSON, VIDEO, FAQ, PATH, EVENT)}
ITEM_KINDS: dict[Kind, ItemKind] = {kind.name: kind for kind in KINDS.values() if isinstance(kind, ItemKind)}
FOLDERS: dict[str, Kind] = {kind.folder: kind.name for kind in KINDS.values()}


def either(words: list[str]) -> str:
    """"lesson, video, FAQ or path"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def both(words: list[str]) -> str:
    """"lessons, videos, FAQs and paths"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
