"""`practica serve`'s incremental preview: a built site kept in memory, updated output by output.

Part of the MkDocs adapter (it renders single pages with MkDocs' and Material's machinery): nothing outside
generator/adapters/ imports MkDocs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import _populate_page, get_context

from .. import outputs
from ..community import Community
from ..errors import BuildError
from ..images import photos
from ..outputs import Output
from ..pages import Site
from .mkdocs import BuildState, on_post_build_at


@dataclass
class Update:
    """What an incremental preview rebuild did."""

    rendered: int  # outputs made again
    written: list[str]  # site files rewritten (their bytes changed), as paths in the site
    seconds: float


class Preview:
    """A built site kept in memory for `practica serve`: the MkDocs configuration, files and navigation, the
    community, and each output's digest and dependencies. `update` re-renders only what a change touches."""

    def __init__(self, state: BuildState, site_dir: Path) -> None:
        self.config, self.state, self.site_dir = state.config, state, site_dir
        self.facts = outputs.facts(state.community)
        # Bodies → the outputs showing them (all other dependencies are the facts every output has).
        self.showing: dict[str, set[str]] = {}
        for path, output in state.outputs.items():
            for rel in output.depends:
                self.showing.setdefault(rel, set()).add(path)
        state.outputs = {}  # the outputs' content was handed to MkDocs; their digests are kept

    def update(self, community: Community, changed: set[str]) -> Update | None:
        """Re-render what the change of the content files `changed` (paths relative to the content folder)
        touches, given the re-validated `community`, and rewrite the site files whose bytes changed. None when
        only a full build can follow the change (a file added, removed or renamed)."""
        started = time.monotonic()
        state = self.state
        facts = outputs.facts(community)
        if set(facts.entries) != set(self.facts.entries) or not changed <= set(facts.entries):
            return None
        old_site = state.site
        everything = facts.changed(self.facts)
        site = Site(community, photos(community) if everything else old_site.photos, old_site.topic_icons,
                    old_site.feedback, old_site.conversations, old_site.learning)
        own: list[Output] = []
        if not everything:
            for rel in sorted(changed):
                entry = outputs.entry_at(community, rel)
                page = outputs.own_page(site, entry) if entry is not None else None
                made = list(outputs.page_outputs(page)) if page is not None else []
                if {o.path for o in made} != self.showing.get(rel, set()):  # shown elsewhere too: make all again
                    everything = True
                    break
                own.extend(made)
        # Every output, one at a time (no page's HTML is kept), or only those showing the changed bodies.
        fresh: Iterable[Output] = outputs.render(site, state.settings) if everything else own
        state.community, state.site, self.facts = community, site, facts
        written, seen = [], set()
        for output in fresh:
            if output.path not in state.digests:
                return None  # a page comes (an item published): a full build says where it is linked
            seen.add(output.path)
            digest = output.digest
            if state.digests[output.path] == digest:
                continue
            state.digests[output.path] = digest
            for rel in output.depends:
                self.showing.setdefault(rel, set()).add(output.path)
            if self._write(output):
                written.append(output.path)
        if everything and seen != set(state.digests):
            return None  # a page goes
        return Update(len(seen), written, time.monotonic() - started)

    def _write(self, output: Output) -> bool:
        """Render one output as a full build would and write it if its bytes changed."""
        assert self.state.files is not None and self.state.nav is not None and self.state.env is not None
        files, config = self.state.files, self.config
        file = files.get_file_from_path(output.path)
        if file is None:
            raise BuildError(f"{output.path}: not in the site being previewed")
        if output.page is not None:
            self.state.pages[output.path] = output.page
            file.content_string = output.page.markdown
            output.page.markdown = ""
            page = file.page
            assert page is not None
            _populate_page(page, config, files)
            doc_files = files.documentation_pages()
            page.active = True
            try:
                context = get_context(self.state.nav, doc_files, config, page)
                template = self.state.env.get_template(page.meta.get("template", "main.html"))
                context = config.plugins.on_page_context(context, page=page, config=config, nav=self.state.nav)
                html = config.plugins.on_post_page(template.render(context), page=page, config=config)
            finally:
                page.active = False
            data = html.encode("utf-8", errors="xmlcharrefreplace")
        elif output.text is not None:
            file.content_string = output.text
            data = output.text.encode("utf-8")
        else:
            assert output.file is not None
            data = output.file.read_bytes()
        target = self.site_dir / file.dest_uri
        if target.is_file() and target.read_bytes() == data:
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        staging.write_bytes(data)
        os.replace(staging, target)  # a reader gets the old file or the new one, never half of one
        return True

    def reindex(self) -> None:
        """Index the site for search again and render the service worker (which lists the index and the app
        shell), as a full build does last. Run after the changed pages are served: search catches up."""
        on_post_build_at(self.config, self.site_dir)
