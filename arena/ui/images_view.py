"""Images with the prompt (arena.images): the uploader by the prompt box, the note when too few
vision models can take part, and the thumbnails above a battle's answers (both sides were sent
the same images, so showing them says nothing about either side)."""

from __future__ import annotations

import math
from collections.abc import Iterable

import streamlit as st

from arena.images import MAX_IMAGES, ImageRecord, ImageRejected, accept_images
from arena.ui.common import PageContext

UPLOAD_KEY = "arena.images"
THUMBNAIL_PX = 160
VISION_PULL = "ollama pull gemma3"


def checked_images(ctx: PageContext, uploads: Iterable[tuple[str, bytes]]
                   ) -> tuple[ImageRecord, ...] | None:
    """The uploads as a battle's images, or None after saying why one cannot be used."""
    try:
        return accept_images(uploads, ctx.settings.max_image_mb)
    except ImageRejected as rejected:
        st.error(rejected_text(ctx, rejected), icon="🖼️")
        return None


def rejected_text(ctx: PageContext, rejected: ImageRejected) -> str:
    return ctx.t(rejected.reason, name=rejected.name, count=MAX_IMAGES,
                 limit=f"{ctx.settings.max_image_mb:g}")


def image_uploader(ctx: PageContext) -> tuple[ImageRecord, ...] | None:
    """The image uploader (PNG, JPEG, WebP, told apart by their bytes, not their names): the
    images to send with the prompt, () for none, None when an upload is refused (said why)."""
    uploads = st.file_uploader(
        ctx.t("images.upload"), accept_multiple_files=True, key=UPLOAD_KEY,
        # The browser refuses a larger file before sending it (and says the limit).
        max_upload_size=max(1, math.ceil(ctx.settings.max_image_mb)),
        help=ctx.t("images.upload_help", count=MAX_IMAGES,
                   limit=f"{ctx.settings.max_image_mb:g}"))
    return checked_images(ctx, [(u.name, u.getvalue()) for u in uploads or []])


def blocked(images: tuple[ImageRecord, ...] | None, drawn: list | None) -> bool:
    """Whether the Battle button stays off: an upload was refused, or the images need vision
    models and fewer than two can take part."""
    return images is None or (bool(images) and drawn is None)


def too_few_vision(ctx: PageContext, count: int) -> None:
    """Fewer than two vision models: say so, and how to get one. Returns None (no draw)."""
    st.warning(ctx.t("images.too_few_vision", count=count), icon="🖼️")
    st.code(VISION_PULL, language="bash")
    return None


def show_images(ctx: PageContext, images: tuple[ImageRecord, ...]) -> None:
    """A battle's images as thumbnails, under a line saying both sides were sent them."""
    if not images:
        return
    st.caption(ctx.t("images.sent", count=len(images)))
    st.image([i.data for i in images], width=THUMBNAIL_PX)
