"""MkDocs hooks: a thin adapter onto generator.adapters.mkdocs (which holds no state between builds)."""

from generator.adapters.mkdocs import (
    on_config,
    on_env,
    on_files,
    on_nav,
    on_page_content,
    on_page_context,
    on_page_markdown,
    on_post_build,
    on_post_page,
    on_post_template,
    on_pre_page,
)

__all__ = ["on_config", "on_env", "on_files", "on_nav", "on_page_content", "on_page_context", "on_page_markdown",
           "on_post_build", "on_post_page", "on_post_template", "on_pre_page"]
