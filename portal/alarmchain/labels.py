"""Bilingual labels (Swedish first, English second) kept as data for the web layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["sv", "en"]


@dataclass(frozen=True, slots=True)
class Label:
    """A text in Swedish and English; the web layer picks one, the engine never formats prose."""

    sv: str
    en: str

    def text(self, lang: Lang = "sv") -> str:
        """Return the text in ``lang``."""
        return self.sv if lang == "sv" else self.en

    def as_dict(self) -> dict[str, str]:
        """Return ``{"sv": ..., "en": ...}``."""
        return {"sv": self.sv, "en": self.en}


# Feedback and event codes the engine emits; the templates use str.format names from ``params``.
FEEDBACK: dict[str, Label] = {
    "step.correct": Label("Rätt: {step}.", "Correct: {step}."),
    "step.late": Label(
        "{step} gjordes efter {seconds} s (mål {limit} s).",
        "{step} was done after {seconds} s (target {limit} s).",
    ),
    "step.missed": Label("{step} gjordes aldrig.", "{step} was never done."),
    "step.out_of_order": Label("{step} gjordes före {after}.", "{step} was done before {after}."),
    "action.forbidden": Label(
        "Fel åtgärd i detta läge: {action}.", "Wrong action in this situation: {action}."
    ),
    "sla.breach": Label("Tidsgränsen överskreds: {kind}.", "Time limit exceeded: {kind}."),
    "case.not_closed": Label("Ärendet avslutades inte.", "The case was not closed."),
}

BREACHES: dict[str, Label] = {
    "answer": Label("svarstid larmcentral", "alarm centre answer time"),
    "answer_escalate": Label("reservrutin larmmottagning", "backup answering routine"),
    "callback": Label("återuppringning", "callback"),
    "dispatch_ack": Label("kvittens av utlarmning", "dispatch acknowledgement"),
    "arrival": Label("framkomsttid", "arrival time"),
    "documentation": Label("dokumentation", "documentation"),
    "ticket_due": Label("åtgärdstid tekniskt larm", "technical alarm fix time"),
}
