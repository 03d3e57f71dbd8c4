"""Typed domain errors of the alarm-chain engine; each carries a stable code for the web layer."""

from __future__ import annotations


class AlarmChainError(Exception):
    """Base of every engine error; ``code`` is stable and translatable, ``params`` fill it in."""

    code: str = "alarmchain.error"

    def __init__(self, message: str, *, params: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.params: dict[str, str] = dict(params or {})


class ScaipError(AlarmChainError):
    """A SCAIP request was refused; ``status`` is the SCAIP ``snu`` the receiver answers with."""

    code = "scaip.error"

    def __init__(self, status: int, reason: str, message: str, *, ref: str | None = None) -> None:
        super().__init__(message, params={"reason": reason})
        self.status = status
        self.reason = reason
        self.ref = ref


class InvalidTransition(AlarmChainError):
    """An action is not allowed in the current state; the state is left unchanged."""

    code = "transition.invalid"

    def __init__(self, machine: str, state: str, action: str, *, reason: str = "") -> None:
        message = f"{machine}: {action!r} not allowed in state {state!r}"
        if reason:
            message += f" ({reason})"
        super().__init__(message, params={"machine": machine, "state": state, "action": action})
        self.machine = machine
        self.state = state
        self.action = action
        self.reason = reason


class GuardRefused(InvalidTransition):
    """An action is structurally possible but a domain guard refuses it (``reason`` says which)."""

    code = "transition.refused"


class ActorNotAllowed(InvalidTransition):
    """The actor may not perform this action (e.g. home care closing an alarm at the centre)."""

    code = "transition.actor"


class UnknownSubject(AlarmChainError):
    """An event names a case, device, ticket or service that does not exist."""

    code = "subject.unknown"


class EventFormatError(AlarmChainError):
    """A serialised event is malformed or of an unsupported version."""

    code = "event.format"


class ScenarioError(AlarmChainError):
    """A scenario file is invalid; the message names the file and the field path."""

    code = "scenario.invalid"

    def __init__(self, source: str, where: str, problem: str) -> None:
        super().__init__(f"{source}: {where}: {problem}", params={"source": source, "where": where})
        self.source = source
        self.where = where
        self.problem = problem
