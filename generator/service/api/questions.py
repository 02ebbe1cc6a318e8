""""Ask an expert" (ARCHITECTURE.md, "Conversations"): POST /api/v1/questions opens a question thread on a
community's board, asked of a person, of whoever knows a skill, or about an item, and routes it to experts.
The result is an ordinary board thread: it is read and answered through /threads and /posts."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from ..models import utcnow
from ..records.talk import record_post
from ..talk import ask as talk
from ..talk.ask import Asked, Target
from .auth import SignedIn
from .context import TALK_ERRORS, Ctx
from .threads import CREATED, CommunityId, ItemId, Key, Text

router = APIRouter(prefix="/api/v1", tags=["conversations"], responses=TALK_ERRORS)


class AskTarget(BaseModel):
    """Exactly one of: the person asked, a skill, an item."""

    model_config = ConfigDict(extra="forbid")
    person: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$", description="A site person's id: "
                               "asked by name (they must be available for questions).")
    skill: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9_.-]{0,99}$", description="A skill's id: sent to "
                              "the people who know it best.")
    item: ItemId | None = Field(None, description="An item's feed id: sent to the people who know it best.")

    @model_validator(mode="after")
    def _one(self) -> AskTarget:
        if sum(v is not None for v in (self.person, self.skill, self.item)) != 1:
            raise PydanticCustomError("invalid", "give exactly one of `person`, `skill` or `item`")
        return self

    def target(self) -> Target:
        if self.person is not None:
            return Target("person", self.person)
        return Target("skill", self.skill) if self.skill is not None else Target("item", self.item or "")


class NewQuestion(BaseModel):
    """A question for an expert: where it goes (`community`, optional: the target's first community) and what."""

    model_config = ConfigDict(extra="forbid")
    ask: AskTarget
    community: CommunityId | None = Field(None, description="One of the target's communities; default its first.")
    title: str = Field(max_length=1000, description="One line, at most 150 characters.")
    body: Text
    idempotency_key: Key


@router.post("/questions", response_model=Asked, status_code=201, responses=CREATED,
             summary="Ask an expert: a question thread on a community's board, sent to the person asked or to "
             "the best few people available for questions",
             response_description="The thread (`routed_to`: whom it was sent to, empty when nobody was "
             "available), its first post and its board's community.")
def ask(body: NewQuestion, response: Response, ctx: Ctx, principal: SignedIn) -> Asked:
    now = utcnow()
    asked, created = talk.ask(ctx.talk, principal, body.ask.target(), body.community, body.title, body.body,
                              body.idempotency_key, now)
    response.status_code = 201 if created else 200
    if created:
        record_post(ctx.store, ctx.settings.xapi, principal, asked.thread.id, asked.post.id, now, opened=True)
    return asked
